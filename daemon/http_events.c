/*
 * http_events.c - POST /v1/events (see http_events.h).
 *
 * The request is taken or refused from its headers alone (method, Origin,
 * token, type, declared length, backlog), its body read into memory up to
 * http.max_body, and handed to the owner's push (the engine applies it
 * like tailed lines). The connection is then suspended until the batch
 * holding the lines is committed: the owner's commit hook resumes it from
 * a zero timer (never from inside the commit's callback), and the reply
 * goes out then. A request with an Origin header is refused: a web page
 * in a browser must not post events, whatever token it guessed or stole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warmth/json.h"
#include "http_events.h"

/* Seconds a refused client waits: about one commit of a backlog's batch. */
#define HTTP_EVENTS_RETRY_AFTER "1"

enum http_push_state { HTTP_PUSH_READING, HTTP_PUSH_WAITING, HTTP_PUSH_READY };

/* One request to /v1/events, from its headers to its completion. */
struct http_push {
	struct http_push *next, *prev;
	struct MHD_Connection *conn;
	enum http_push_state state;
	int too_large;
	uint64_t seq;                   /* the batch to wait for */
	struct buf body;
	struct buf reply;
};

struct http_events {
	struct http *http;
	struct http_events_source source;
	char *token;                    /* the bearer token's bytes (conf's copy); NULL: off */
	size_t token_len;
	uint64_t max_body;
	uint32_t max_pending;
	struct http_push *pushes;       /* requests being read or waiting for a commit */
	uint32_t npushes;
};

static void http_push_unlink(struct http_events *ev, struct http_push *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		ev->pushes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	ev->npushes--;
}

static void http_events_completed(void *ctx, void *data)
{
	struct http_push *p = data;

	http_push_unlink(ctx, p);
	buf_free(&p->body);
	buf_free(&p->reply);
	free(p);
}

static enum MHD_Result http_events_error(struct MHD_Connection *conn, unsigned status,
                                         const char *message)
{
	struct MHD_Response *resp;
	struct buf body = { 0 };
	struct json *j = json_new(&body, 0);

	json_object_open(j);
	json_kv_str(j, "error", message);
	json_object_close(j);
	json_free(j);
	buf_append(&body, "\n", 1);
	resp = http_response(body.data, body.len, HTTP_JSON_TYPE);
	buf_free(&body);
	if (resp == NULL)
		return MHD_NO;
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	else if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, HTTP_EVENTS_RETRY_AFTER);
	else if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	return http_queue(conn, status, resp);
}

/*
 * "Bearer TOKEN" against the configured token, in a time that depends on
 * the token's length only, never on how much of it a guess got right.
 */
static int http_events_authorized(const struct http_events *ev, const char *header)
{
	static const char scheme[] = "Bearer ";

	if (header == NULL || strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	return http_token_equal(header + sizeof(scheme) - 1, ev->token, ev->token_len);
}

/* application/x-ndjson or application/json, parameters (charset) allowed. */
static int http_events_type_ok(const char *type)
{
	static const char *const types[] = { "application/x-ndjson", "application/json" };

	if (type == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		size_t n = strlen(types[i]);
		if (strncasecmp(type, types[i], n) == 0 &&
		    (type[n] == '\0' || type[n] == ';' || type[n] == ' '))
			return 1;
	}
	return 0;
}

static enum MHD_Result http_events_reply(struct MHD_Connection *conn, struct http_push *p)
{
	return http_reply(conn, MHD_HTTP_OK, p->reply.data, p->reply.len, HTTP_JSON_TYPE);
}

/* The headers are in: refuse now, or take the request and read its body. */
static enum MHD_Result http_events_begin(struct http_events *ev, struct MHD_Connection *conn,
                                         const char *method, void **data)
{
	const char *length;
	struct http_push *p;

	if (ev->source.push == NULL)
		return http_events_error(conn, MHD_HTTP_NOT_FOUND,
		                         "pushing events is off (http.events: false)");
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return http_events_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only POST");
	/* Browsers send Origin with every cross-site POST; collectors do not. */
	if (http_header(conn, MHD_HTTP_HEADER_ORIGIN) != NULL)
		return http_events_error(conn, MHD_HTTP_FORBIDDEN,
		                         "a request with an Origin header is refused");
	if (!http_events_authorized(ev, http_header(conn, MHD_HTTP_HEADER_AUTHORIZATION)))
		return http_events_error(conn, MHD_HTTP_UNAUTHORIZED,
		                         "a valid \"Authorization: Bearer TOKEN\" is required");
	if (!http_events_type_ok(http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return http_events_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		                         "Content-Type must be application/x-ndjson or "
		                         "application/json");
	length = http_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length != NULL && strtoull(length, NULL, 10) > ev->max_body)
		return http_events_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		                         "the body is larger than http.max_body");
	if (ev->npushes >= ev->max_pending || ev->source.busy(ev->source.ctx))
		return http_events_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                         "busy committing; retry after the Retry-After seconds");
	p = xcalloc(1, sizeof(*p));
	p->conn = conn;
	p->next = ev->pushes;
	if (ev->pushes != NULL)
		ev->pushes->prev = p;
	ev->pushes = p;
	ev->npushes++;
	*data = p;
	return MHD_YES;
}

static enum MHD_Result http_events_request(void *ctx, struct MHD_Connection *conn, const char *url,
                                           const char *method, const char *upload_data,
                                           size_t *upload_data_size, void **data)
{
	struct http_events *ev = ctx;
	struct http_push *p = *data;
	char source[80];

	(void)url;
	if (p == NULL) {
		/* Whatever a refused request sends is read and dropped. */
		enum MHD_Result rc = http_events_begin(ev, conn, method, data);
		if (*data == NULL)
			*upload_data_size = 0;
		return rc;
	}
	if (p->state == HTTP_PUSH_READY)
		return http_events_reply(conn, p);
	if (*upload_data_size > 0) {
		/* Without Content-Length (chunked) the limit is found here. */
		if (p->body.len + *upload_data_size > ev->max_body)
			p->too_large = 1;
		else
			buf_append(&p->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (p->too_large)
		return http_events_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		                         "the body is larger than http.max_body");
	if (ev->source.busy(ev->source.ctx))
		return http_events_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                         "busy committing; retry after the Retry-After seconds");
	http_client_source(conn, source, sizeof(source));
	p->seq = ev->source.push(ev->source.ctx, source, p->body.data != NULL ? p->body.data : "",
	                         p->body.len, &p->reply);
	buf_free(&p->body);
	if (ev->source.committed(ev->source.ctx) >= p->seq) {
		p->state = HTTP_PUSH_READY;
		return http_events_reply(conn, p);
	}
	p->state = HTTP_PUSH_WAITING;
	MHD_suspend_connection(conn);
	return MHD_YES;
}

struct http_events *http_events_new(struct http *h, const struct conf *conf,
                                    const struct http_events_source *source)
{
	struct http_events *ev = xcalloc(1, sizeof(*ev));

	ev->http = h;
	if (source != NULL)
		ev->source = *source;
	if (conf->http_events && conf->http_token != NULL) {
		ev->token = xmalloc(conf->http_token_len);
		memcpy(ev->token, conf->http_token, conf->http_token_len);
		ev->token_len = conf->http_token_len;
	}
	ev->max_body = conf->http_max_body;
	ev->max_pending = conf->http_max_pending;
	return ev;
}

struct http_route http_events_route(struct http_events *ev)
{
	struct http_route r = { "/v1/events", 0, http_events_request, http_events_completed, ev };

	return r;
}

void http_events_committed(struct http_events *ev)
{
	uint64_t committed;
	int resumed = 0;

	if (ev->source.push == NULL)
		return;
	committed = ev->source.committed(ev->source.ctx);
	for (struct http_push *p = ev->pushes; p != NULL; p = p->next) {
		if (p->state == HTTP_PUSH_WAITING && p->seq <= committed) {
			p->state = HTTP_PUSH_READY;
			MHD_resume_connection(p->conn);
			resumed = 1;
		}
	}
	/* From the loop, not from inside the engine's commit callback. */
	if (resumed)
		http_wake(ev->http);
}

void http_events_free(struct http_events *ev)
{
	if (ev == NULL)
		return;
	if (ev->token != NULL)
		explicit_bzero(ev->token, ev->token_len);
	free(ev->token);
	free(ev);
}
