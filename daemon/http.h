/*
 * http.h - the daemon's HTTP listener (metrics.listen): libmicrohttpd in
 * its external-epoll mode on the daemon's one libuv loop, with a table of
 * routes that other modules register (GET /metrics in http_metrics.c,
 * POST /v1/events in http_events.c, the dashboard's /api/ in http_api.c)
 * and the reply helpers they share, which put the same security headers
 * on every response.
 */
#ifndef WARMTH_HTTP_H
#define WARMTH_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>
#include <uv.h>

#include "warmth/conf.h"
#include "warmth/util.h"

struct http;

/*
 * One request to a route, as MHD's access handler sees it: called once
 * with the headers (*data NULL), then with each piece of the body
 * (*upload_data_size > 0: consume it by setting it to 0), then once more
 * with none left, and again after a resume. *data is the route's own
 * per-request state; completed(ctx, data) frees it when the request ends,
 * answered or not.
 */
typedef enum MHD_Result http_handler(void *ctx, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *upload_data,
                                     size_t *upload_data_size, void **data);
typedef void http_completed(void *ctx, void *data);

struct http_route {
	const char *path;           /* the exact path, or a prefix when prefix is set */
	int prefix;
	http_handler *handler;
	http_completed *completed;  /* NULL: the route keeps no per-request state */
	void *ctx;
};

#define HTTP_MAX_ROUTES 8

/*
 * A listener for conf's metrics.listen (which must be set); extra is how
 * many connections beyond the scrapers' few a route may hold at once (the
 * requests to /v1/events waiting for a commit).
 */
struct http *http_new(uv_loop_t *loop, const struct conf *conf, unsigned extra);
/* Adds a route (copied); the first whose path matches serves a request. 0, or -1 when full. */
int http_add_route(struct http *h, const struct http_route *route);
/* Listens and watches MHD's epoll descriptor. Returns 0, or -1 with a message in err. */
int http_start(struct http *h, char *err, size_t errlen);
/* Lets MHD run from a zero timer: after resuming a connection, never from inside a callback. */
void http_wake(struct http *h);
/* "ADDRESS:PORT" as configured, for messages. */
const char *http_listen(const struct http *h);
/* The port actually bound (the configured one). */
uint16_t http_port(const struct http *h);
/* Stops serving and closes every handle; done(ctx) runs when none is left, then h is freed. */
void http_close(struct http *h, void (*done)(void *ctx), void *ctx);

/* --- replies: every one carries the headers of http_secure_headers() --- */

#define HTTP_JSON_TYPE "application/json"
#define HTTP_TEXT_TYPE "text/plain; charset=utf-8"

/* Content-Security-Policy, X-Content-Type-Options and Referrer-Policy. */
void http_secure_headers(struct MHD_Response *resp);
/* A response for body[0..len) (copied) with its Content-Type, or NULL. */
struct MHD_Response *http_response(const char *body, size_t len, const char *type);
/* Queues the response (and destroys it); MHD_NO when resp is NULL. */
enum MHD_Result http_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp);
/* body[0..len) with its type and status; a 405 gets "Allow: GET, HEAD". */
enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned status, const char *body,
                           size_t len, const char *type);
/* A request header's value, or NULL. */
const char *http_header(struct MHD_Connection *conn, const char *name);
/* "http:ADDRESS:PORT" of the client, for records and the log. */
void http_client_source(struct MHD_Connection *conn, char *out, size_t outlen);
/* Whether given (NUL-terminated) equals want[0..want_len), in a time depending on want_len only. */
int http_token_equal(const char *given, const char *want, size_t want_len);

#endif
