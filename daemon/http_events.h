/*
 * http_events.h - POST /v1/events (http.events) on the HTTP listener: a
 * body of JSON Lines from whoever holds the bearer token, handed to the
 * owner's push, answered once the batch holding the lines is committed.
 */
#ifndef WARMTH_HTTP_EVENTS_H
#define WARMTH_HTTP_EVENTS_H

#include <stdint.h>

#include "warmth/conf.h"
#include "warmth/util.h"
#include "http.h"

/*
 * What the owner (the engine, through main.c) does for the route:
 * busy: refuse new pushes now (a commit backlog); push: apply one body,
 * write the per-line reply and return the batch's sequence number;
 * committed: the last committed batch's sequence number.
 */
struct http_events_source {
	int (*busy)(void *ctx);
	uint64_t (*push)(void *ctx, const char *source, const char *body, size_t len,
	                 struct buf *reply);
	uint64_t (*committed)(void *ctx);
	void *ctx;
};

struct http_events;

/* The route's state for conf's http.* (token, limits), serving through h. */
struct http_events *http_events_new(struct http *h, const struct conf *conf,
                                    const struct http_events_source *source);
/* The route to register with http_add_route(). */
struct http_route http_events_route(struct http_events *ev);
/* A commit happened: the requests waiting for it are answered (from a zero timer). */
void http_events_committed(struct http_events *ev);
/* Frees ev; only after the listener is closed (its requests' completions reach ev). */
void http_events_free(struct http_events *ev);

#endif
