/*
 * http.c - the HTTP listener (see http.h): libmicrohttpd on the loop, the
 * route table, and the reply helpers every route uses.
 *
 * MHD runs in its external-epoll mode: it runs no thread of its own, and
 * all its sockets sit in one epoll descriptor. That descriptor is watched
 * by a uv_poll_t and MHD's next timeout (connection timeouts, work left
 * over) drives a uv_timer_t; either calls MHD_run(), after which the
 * timer is armed again from MHD_get_timeout(). So requests are served on
 * the daemon's one loop, one short handler each. Handles are freed only
 * in their close callbacks (libuv's rule); the struct goes with the last
 * of them.
 *
 * Each request gets a small record naming its route, found once from the
 * headers, so the body's pieces and a resumed request go to the same
 * route, and the route's state is freed when MHD says the request ended.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "warmth/log.h"
#include "http.h"

/* Slow clients must not pile up: a scraper needs one connection. */
#define HTTP_TIMEOUT_S 10
#define HTTP_MAX_CONNECTIONS 16

/*
 * Content-Security-Policy of every response: nothing from another origin,
 * no inline script or style (so an escaped-too-little name still cannot
 * run), no framing (clickjacking the buttons that change state).
 */
#define HTTP_CSP                                                                              \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "    \
	"connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "     \
	"form-action 'none'"

struct http {
	uv_loop_t *loop;
	char *listen;                   /* as written, for messages */
	char host[64];
	uint16_t port;
	unsigned extra;
	struct MHD_Daemon *mhd;
	char mhd_error[256];            /* MHD's last log message, for http_start's error */
	uv_poll_t poll;
	uv_timer_t timer;
	int polling;                    /* poll was initialised */
	struct http_route routes[HTTP_MAX_ROUTES];
	size_t nroutes;
	int handles;                    /* open handles; the struct goes with the last */
	void (*done)(void *ctx);
	void *done_ctx;
};

/* One request's route and the route's state for it. */
struct http_request {
	const struct http_route *route;
	void *data;
};

/* --- replies --- */

void http_secure_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", HTTP_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

struct MHD_Response *http_response(const char *body, size_t len, const char *type)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body != NULL ? body : ""),
	                                       MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	http_secure_headers(resp);
	return resp;
}

enum MHD_Result http_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result rc;

	if (resp == NULL)
		return MHD_NO;
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned status, const char *body,
                           size_t len, const char *type)
{
	struct MHD_Response *resp = http_response(body, len, type);

	if (resp != NULL && status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return http_queue(conn, status, resp);
}

const char *http_header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

void http_client_source(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (info != NULL && info->client_addr != NULL) {
		const struct sockaddr *sa = info->client_addr;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
			inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
			port = ntohs(in->sin_port);
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			port = ntohs(in6->sin6_port);
		}
	}
	snprintf(out, outlen, strchr(host, ':') != NULL ? "http:[%s]:%u" : "http:%s:%u", host, port);
}

int http_token_equal(const char *given, const char *want, size_t want_len)
{
	const unsigned char *g = (const unsigned char *)given, *w = (const unsigned char *)want;
	size_t given_len;
	unsigned char diff;

	if (given == NULL)
		return 0;
	given_len = strlen(given);
	diff = given_len != want_len;
	for (size_t i = 0; i < want_len; i++)
		diff |= (unsigned char)((i < given_len ? g[i] : 0) ^ w[i]);
	return diff == 0;
}

/* --- the loop --- */

static void http_run(struct http *h);

static void http_poll_cb(uv_poll_t *handle, int status, int events)
{
	(void)status, (void)events;
	/* An error on the epoll descriptor is MHD's to find: it runs anyway. */
	http_run(handle->data);
}

static void http_timer_cb(uv_timer_t *timer)
{
	http_run(timer->data);
}

/* Lets MHD do what is ready, then sleeps until its next timeout (if any). */
static void http_run(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG timeout;

	if (h->mhd == NULL)
		return;
	MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &timeout) == MHD_YES)
		uv_timer_start(&h->timer, http_timer_cb, (uint64_t)timeout, 0);
	else
		uv_timer_stop(&h->timer);
}

void http_wake(struct http *h)
{
	if (h->mhd != NULL)
		uv_timer_start(&h->timer, http_timer_cb, 0, 0);
}

/* --- routing --- */

static const struct http_route *http_find(const struct http *h, const char *url)
{
	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *r = &h->routes[i];
		if (r->prefix ? strncmp(url, r->path, strlen(r->path)) == 0 : strcmp(url, r->path) == 0)
			return r;
	}
	return NULL;
}

/* Called by MHD when a request ends, answered or not (the client went away). */
static void http_completed_cb(void *cls, struct MHD_Connection *conn, void **request_ctx,
                              enum MHD_RequestTerminationCode code)
{
	struct http_request *r = *request_ctx;

	(void)cls, (void)conn, (void)code;
	if (r == NULL)
		return;
	if (r->data != NULL && r->route->completed != NULL)
		r->route->completed(r->route->ctx, r->data);
	free(r);
	*request_ctx = NULL;
}

static enum MHD_Result http_request_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **request_ctx)
{
	static const char not_found[] = "not found; the metrics are at /metrics\n";
	struct http *h = cls;
	struct http_request *r = *request_ctx;

	(void)version;
	if (r == NULL) {
		const struct http_route *route = http_find(h, url);
		if (route == NULL) {
			/* A body is not expected; whatever comes is read and dropped. */
			*upload_data_size = 0;
			return http_reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			                  HTTP_TEXT_TYPE);
		}
		r = xcalloc(1, sizeof(*r));
		r->route = route;
		*request_ctx = r;
	}
	return r->route->handler(r->route->ctx, conn, url, method, upload_data, upload_data_size,
	                         &r->data);
}

/*
 * MHD's own unescaping turns %00 into a NUL, after which every handler,
 * reading a C string, sees the path or value cut short: /static/a.js%00.css
 * would serve a.js, ?actor=u01%00x would name u01. Here %00 stays as it
 * was written (so it names nothing), and every other %XX is decoded.
 */
static size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s;

	(void)cls, (void)conn;
	for (const char *r = s; *r != '\0'; r++) {
		if (*r == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2]) &&
		    !(r[1] == '0' && r[2] == '0')) {
			char hex[3] = { r[1], r[2], '\0' };
			*w++ = (char)strtoul(hex, NULL, 16);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* MHD's messages go to our log, and the last one explains a failed start. */
__attribute__((format(printf, 2, 0)))
static void http_log(void *cls, const char *fmt, va_list ap)
{
	struct http *h = cls;
	size_t len;

	vsnprintf(h->mhd_error, sizeof(h->mhd_error), fmt, ap);
	len = strlen(h->mhd_error);
	while (len > 0 && (h->mhd_error[len - 1] == '\n' || h->mhd_error[len - 1] == '.'))
		h->mhd_error[--len] = '\0';
	log_debug("http: libmicrohttpd: %s", h->mhd_error);
}

/* --- lifecycle --- */

struct http *http_new(uv_loop_t *loop, const struct conf *conf, unsigned extra)
{
	struct http *h = xcalloc(1, sizeof(*h));

	h->loop = loop;
	h->listen = xstrdup(conf->metrics_listen);
	snprintf(h->host, sizeof(h->host), "%s", conf->metrics_host);
	h->port = conf->metrics_port;
	h->extra = extra;
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	h->handles = 1;
	return h;
}

int http_add_route(struct http *h, const struct http_route *route)
{
	if (h->nroutes >= HTTP_MAX_ROUTES)
		return -1;
	h->routes[h->nroutes++] = *route;
	return 0;
}

const char *http_listen(const struct http *h)
{
	return h->listen;
}

uint16_t http_port(const struct http *h)
{
	return h->port;
}

int http_start(struct http *h, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	int rc;

	if (inet_pton(AF_INET, h->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(h->port);
	} else if (inet_pton(AF_INET6, h->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "metrics.listen: \"%s\" is not a numeric address", h->host);
		return -1;
	}
	h->mhd = MHD_start_daemon(flags, h->port, NULL, NULL, http_request_cb, h,
	                          MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
	                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S,
	                          MHD_OPTION_CONNECTION_LIMIT,
	                          (unsigned)HTTP_MAX_CONNECTIONS + h->extra,
	                          MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb, h,
	                          MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, h,
	                          MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "metrics.listen %s: %s", h->listen,
		         h->mhd_error[0] != '\0' ? h->mhd_error : "cannot start the HTTP server");
		return -1;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "metrics.listen %s: libmicrohttpd has no epoll descriptor", h->listen);
		return -1;
	}
	rc = uv_poll_init(h->loop, &h->poll, info->epoll_fd);
	if (rc != 0) {
		snprintf(err, errlen, "metrics.listen %s: %s", h->listen, uv_strerror(rc));
		return -1;
	}
	h->polling = 1;
	h->handles++;
	h->poll.data = h;
	uv_poll_start(&h->poll, UV_READABLE, http_poll_cb);
	/* Nothing may be waiting, but MHD decides: this arms the timer if it has one. */
	http_run(h);
	return 0;
}

static void http_closed(uv_handle_t *handle)
{
	struct http *h = handle->data;
	void (*done)(void *);
	void *done_ctx;

	if (--h->handles > 0)
		return;
	done = h->done;
	done_ctx = h->done_ctx;
	free(h->listen);
	free(h);
	if (done != NULL)
		done(done_ctx);
}

void http_close(struct http *h, void (*done)(void *ctx), void *ctx)
{
	h->done = done;
	h->done_ctx = ctx;
	uv_close((uv_handle_t *)&h->timer, http_closed);
	if (h->polling)
		uv_close((uv_handle_t *)&h->poll, http_closed);
	/*
	 * uv_close() has already taken the epoll descriptor out of the loop's
	 * set, so MHD may close it now, with its sockets (and each request's
	 * completion callback runs, freeing the routes' state).
	 */
	if (h->mhd != NULL) {
		MHD_stop_daemon(h->mhd);
		h->mhd = NULL;
	}
}
