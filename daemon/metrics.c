/*
 * metrics.c - Prometheus metrics (see metrics.h): the text rendering, the
 * textfile exporter and the HTTP endpoint.
 *
 * Design. metrics_render() is pure: a snapshot in, text out. Both
 * exporters take a fresh snapshot through the callback their owner
 * registered, render it and hand the text on.
 *
 * The textfile (node_exporter's textfile collector) is written from a
 * uv_timer every metrics.interval as FILE.tmp, then renamed over FILE, so
 * the collector never reads half a file (it only reads *.prom names, so
 * the temporary name is never collected). The write is a few kilobytes on
 * the loop thread, once per interval; that is cheaper than a round trip
 * through the thread pool and cannot stall the loop noticeably.
 *
 * The HTTP endpoint is libmicrohttpd in its external-epoll mode: it runs
 * no thread of its own, and all its sockets sit in one epoll descriptor.
 * That descriptor is watched by a uv_poll_t and MHD's next timeout
 * (connection timeouts, work left over) drives a uv_timer_t; either calls
 * MHD_run(), after which the timer is armed again from MHD_get_timeout().
 * So requests are served on the daemon's one loop, one short rendering
 * each. Handles are freed only in their close callbacks (libuv's rule);
 * the struct goes with the last of them.
 *
 * POST /v1/events (http.events) takes a body of JSON Lines from whoever
 * holds the bearer token, hands it to the owner's push (the engine applies
 * it like tailed lines) and suspends the connection until the batch
 * holding the lines is committed: the owner's commit hook resumes it from
 * a zero timer (never from inside the commit's callback), and the reply
 * goes out then. A request with an Origin header is refused: a web page
 * in a browser must not post events, whatever token it guessed or stole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "warmth/event.h"
#include "warmth/json.h"
#include "warmth/lines.h"
#include "warmth/log.h"
#include "warmth/unknown_fields.h"
#include "metrics.h"

/* Slow clients must not pile up: a scraper needs one connection. */
#define METRICS_HTTP_TIMEOUT_S 10
#define METRICS_HTTP_MAX_CONNECTIONS 16
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* From 5 ms (a small batch on a fast disk) to 5 s (a huge batch, or a stalled disk). */
const double metrics_commit_bounds[METRICS_COMMIT_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

struct metrics {
	uv_loop_t *loop;
	metrics_snapshot_fn *snapshot;
	void *ctx;

	char *textfile;                 /* NULL: no textfile */
	char *textfile_tmp;
	int64_t interval_ms;
	int textfile_failing;           /* log a failure once, and its recovery */
	uv_timer_t textfile_timer;

	char *listen;                   /* NULL: no endpoint; as written, for messages */
	char host[64];
	uint16_t port;
	struct MHD_Daemon *mhd;
	char mhd_error[256];            /* MHD's last log message, for metrics_start's error */
	uv_poll_t http_poll;
	uv_timer_t http_timer;
	int http_polling;               /* http_poll was initialised */

	/* POST /v1/events: off while events.push is NULL. */
	struct metrics_events events;
	char *token;                    /* the bearer token's bytes (conf's copy) */
	size_t token_len;
	uint64_t max_body;
	uint32_t max_pending;
	struct metrics_push *pushes;    /* requests being read or waiting for a commit */
	uint32_t npushes;

	int handles;                    /* open handles; the struct goes with the last */
	void (*done)(void *ctx);
	void *done_ctx;
};

/* --- the pure part --- */

void metrics_histogram_observe(struct metrics_histogram *h, double seconds)
{
	size_t i = 0;

	while (i < METRICS_COMMIT_BUCKETS && seconds > metrics_commit_bounds[i])
		i++;
	h->buckets[i]++;
	h->count++;
	h->sum += seconds;
}

void metrics_snapshot_add_input(struct metrics_snapshot *s, const char *path, uint64_t lag)
{
	s->inputs = xrealloc(s->inputs, (s->ninputs + 1) * sizeof(*s->inputs));
	s->inputs[s->ninputs].path = xstrdup(path);
	s->inputs[s->ninputs].lag = lag;
	s->ninputs++;
}

void metrics_snapshot_add_sink(struct metrics_snapshot *s, const char *name, uint64_t delivered,
                               uint64_t retried, uint64_t failed)
{
	struct metrics_sink *k;

	s->sinks = xrealloc(s->sinks, (s->nsinks + 1) * sizeof(*s->sinks));
	k = &s->sinks[s->nsinks++];
	k->name = xstrdup(name);
	k->delivered = delivered;
	k->retried = retried;
	k->failed = failed;
}

void metrics_snapshot_add_account(struct metrics_snapshot *s, const char *name, int64_t ready,
                                  int64_t queued)
{
	struct metrics_account *a;

	s->accounts = xrealloc(s->accounts, (s->naccounts + 1) * sizeof(*s->accounts));
	a = &s->accounts[s->naccounts++];
	a->name = xstrdup(name);
	a->ready = ready;
	a->queued = queued;
}

void metrics_snapshot_add_unknown_field(struct metrics_snapshot *s, const char *name,
                                        uint64_t count)
{
	struct metrics_unknown_field *f;

	s->unknown_fields = xrealloc(s->unknown_fields,
	                             (s->nunknown_fields + 1) * sizeof(*s->unknown_fields));
	f = &s->unknown_fields[s->nunknown_fields++];
	f->name = xstrdup(name);
	f->count = count;
}

void metrics_snapshot_free(struct metrics_snapshot *s)
{
	for (size_t i = 0; i < s->nunknown_fields; i++)
		free(s->unknown_fields[i].name);
	free(s->unknown_fields);
	for (size_t i = 0; i < s->naccounts; i++)
		free(s->accounts[i].name);
	free(s->accounts);
	for (size_t i = 0; i < s->ninputs; i++)
		free(s->inputs[i].path);
	free(s->inputs);
	for (size_t i = 0; i < s->nsinks; i++)
		free(s->sinks[i].name);
	free(s->sinks);
	memset(s, 0, sizeof(*s));
}

/* A label value between double quotes, escaped as the text format says. */
static void metrics_label_value(struct buf *out, const char *value)
{
	buf_append(out, "\"", 1);
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			buf_append_str(out, "\\\\");
		else if (*p == '"')
			buf_append_str(out, "\\\"");
		else if (*p == '\n')
			buf_append_str(out, "\\n");
		else
			buf_append(out, p, 1);
	}
	buf_append(out, "\"", 1);
}

static void metrics_family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_render(const struct metrics_snapshot *s, struct buf *out)
{
	const struct store_counters *c = &s->counters;
	uint64_t cumulative = 0;

	metrics_family(out, "warmthd_events_total", "counter", "Events accepted, by type.");
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		buf_append_str(out, "warmthd_events_total{type=");
		metrics_label_value(out, event_type_name((enum event_type)t));
		buf_printf(out, "} %" PRIu64 "\n", c->accepted_by_type[t]);
	}
	metrics_family(out, "warmthd_events_rejected_total", "counter",
	               "Lines rejected (written to the dead-letter file), by reason.");
	/* Reason 0 is "not rejected". */
	for (int r = 1; r < REJECT_REASON_COUNT; r++) {
		buf_append_str(out, "warmthd_events_rejected_total{reason=");
		metrics_label_value(out, event_reject_name((enum event_reject)r));
		buf_printf(out, "} %" PRIu64 "\n", c->rejected_by_reason[r]);
	}
	/*
	 * By name, bounded by ingest.unknown_fields; "other" is always shown,
	 * and no field is named so (unknown_fields.h), so no series repeats.
	 */
	metrics_family(out, "warmthd_unknown_fields_total", "counter",
	               "Unknown top-level event fields seen (and ignored) since start, by name.");
	for (size_t i = 0; i < s->nunknown_fields; i++) {
		buf_append_str(out, "warmthd_unknown_fields_total{field=");
		metrics_label_value(out, s->unknown_fields[i].name);
		buf_printf(out, "} %" PRIu64 "\n", s->unknown_fields[i].count);
	}
	buf_append_str(out, "warmthd_unknown_fields_total{field=");
	metrics_label_value(out, UNKNOWN_FIELDS_OTHER);
	buf_printf(out, "} %" PRIu64 "\n", s->unknown_fields_other);
	metrics_family(out, "warmthd_events_duplicate_total", "counter",
	               "Events skipped because their id was already counted.");
	buf_printf(out, "warmthd_events_duplicate_total %" PRIu64 "\n", c->duplicate);
	metrics_family(out, "warmthd_contacts", "gauge", "Contacts known, all accounts.");
	buf_printf(out, "warmthd_contacts %" PRId64 "\n", s->contacts);
	metrics_family(out, "warmthd_contacts_cached", "gauge",
	               "Contacts held in memory (state.contact_cache); the rest are read from the "
	               "database when needed.");
	buf_printf(out, "warmthd_contacts_cached %" PRId64 "\n", s->contacts_cached);
	metrics_family(out, "warmthd_input_lag_bytes", "gauge",
	               "Bytes of an input file not yet read.");
	for (size_t i = 0; i < s->ninputs; i++) {
		buf_append_str(out, "warmthd_input_lag_bytes{path=");
		metrics_label_value(out, s->inputs[i].path);
		buf_printf(out, "} %" PRIu64 "\n", s->inputs[i].lag);
	}
	metrics_family(out, "warmthd_batch_commit_seconds", "histogram",
	               "Time to commit one batch to the database.");
	for (size_t i = 0; i <= METRICS_COMMIT_BUCKETS; i++) {
		cumulative += s->commit.buckets[i];
		if (i < METRICS_COMMIT_BUCKETS)
			buf_printf(out, "warmthd_batch_commit_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
			           metrics_commit_bounds[i], cumulative);
		else
			buf_printf(out, "warmthd_batch_commit_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
			           cumulative);
	}
	buf_printf(out, "warmthd_batch_commit_seconds_sum %.9g\n", s->commit.sum);
	buf_printf(out, "warmthd_batch_commit_seconds_count %" PRIu64 "\n", s->commit.count);
	/* Only with notifiers configured: without them there is nothing to count. */
	if (s->nsinks > 0)
		metrics_family(out, "warmthd_notifications_total", "counter",
		               "Notification delivery attempts since start, by notifier and result.");
	for (size_t i = 0; i < s->nsinks; i++) {
		static const char *const results[] = { "delivered", "retried", "failed" };
		const uint64_t counts[] = { s->sinks[i].delivered, s->sinks[i].retried,
			                    s->sinks[i].failed };
		for (size_t r = 0; r < 3; r++) {
			buf_append_str(out, "warmthd_notifications_total{sink=");
			metrics_label_value(out, s->sinks[i].name);
			buf_printf(out, ",result=\"%s\"} %" PRIu64 "\n", results[r], counts[r]);
		}
	}
	/* Per account, so only once there is one (as the notifiers above). */
	if (s->naccounts > 0)
		metrics_family(out, "warmthd_ready_contacts", "gauge",
		               "Contacts ready for an invitation now, by account.");
	for (size_t i = 0; i < s->naccounts; i++) {
		buf_append_str(out, "warmthd_ready_contacts{account=");
		metrics_label_value(out, s->accounts[i].name);
		buf_printf(out, "} %" PRId64 "\n", s->accounts[i].ready);
	}
	if (s->naccounts > 0)
		metrics_family(out, "warmthd_ready_queued", "gauge",
		               "Ready contacts not yet notified because the invitation budget is used "
		               "up, by account.");
	for (size_t i = 0; i < s->naccounts; i++) {
		buf_append_str(out, "warmthd_ready_queued{account=");
		metrics_label_value(out, s->accounts[i].name);
		buf_printf(out, "} %" PRId64 "\n", s->accounts[i].queued);
	}
	metrics_family(out, "warmthd_build_info", "gauge", "The running version; always 1.");
	buf_append_str(out, "warmthd_build_info{version=");
	metrics_label_value(out, s->version != NULL ? s->version : "");
	buf_append_str(out, "} 1\n");
}

/* A rendering of the owner's snapshot of now. */
static void metrics_render_now(struct metrics *m, struct buf *out)
{
	struct metrics_snapshot s = { 0 };

	m->snapshot(m->ctx, &s);
	metrics_render(&s, out);
	metrics_snapshot_free(&s);
}

/* --- the textfile --- */

/* Writes all of data to path.tmp and renames it over path. 0, or -1 with errno set. */
static int metrics_textfile_write(struct metrics *m, const struct buf *data)
{
	size_t done = 0;
	int fd, saved;

	/* Only a regular file: a FIFO in its place must not block the loop. */
	fd = lines_open_regular(m->textfile_tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, NULL);
	if (fd < 0)
		return -1;
	while (done < data->len) {
		ssize_t n = write(fd, data->data + done, data->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(m->textfile_tmp, m->textfile) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(m->textfile_tmp);
	errno = saved;
	return -1;
}

static void metrics_textfile_cb(uv_timer_t *timer)
{
	struct metrics *m = timer->data;
	struct buf text = { 0 };

	metrics_render_now(m, &text);
	if (metrics_textfile_write(m, &text) < 0) {
		if (!m->textfile_failing)
			log_warn("metrics: cannot write %s (trying again every %lld ms)", m->textfile,
			         (long long)m->interval_ms);
		m->textfile_failing = 1;
	} else if (m->textfile_failing) {
		log_notice("metrics: %s written again", m->textfile);
		m->textfile_failing = 0;
	}
	buf_free(&text);
}

/* --- the HTTP endpoint --- */

static void metrics_http_run(struct metrics *m);

static void metrics_http_poll_cb(uv_poll_t *handle, int status, int events)
{
	(void)status, (void)events;
	/* An error on the epoll descriptor is MHD's to find: it runs anyway. */
	metrics_http_run(handle->data);
}

static void metrics_http_timer_cb(uv_timer_t *timer)
{
	metrics_http_run(timer->data);
}

/* Lets MHD do what is ready, then sleeps until its next timeout (if any). */
static void metrics_http_run(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG timeout;

	if (m->mhd == NULL)
		return;
	MHD_run(m->mhd);
	if (MHD_get_timeout(m->mhd, &timeout) == MHD_YES)
		uv_timer_start(&m->http_timer, metrics_http_timer_cb, (uint64_t)timeout, 0);
	else
		uv_timer_stop(&m->http_timer);
}

static enum MHD_Result metrics_http_reply(struct MHD_Connection *conn, unsigned status,
                                          const char *body, size_t len, const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* --- POST /v1/events --- */

enum metrics_push_state { METRICS_PUSH_READING, METRICS_PUSH_WAITING, METRICS_PUSH_READY };

/* One request to /v1/events, from its headers to its completion. */
struct metrics_push {
	struct metrics_push *next, *prev;
	struct MHD_Connection *conn;
	enum metrics_push_state state;
	int too_large;
	uint64_t seq;                   /* the batch to wait for */
	struct buf body;
	struct buf reply;
};

#define METRICS_JSON_TYPE "application/json"
/* Seconds a refused client waits: about one commit of a backlog's batch. */
#define METRICS_RETRY_AFTER "1"

static void metrics_push_unlink(struct metrics *m, struct metrics_push *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		m->pushes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	m->npushes--;
}

/* Called by MHD when a request ends, answered or not (the client went away). */
static void metrics_http_completed(void *cls, struct MHD_Connection *conn, void **request_ctx,
                                   enum MHD_RequestTerminationCode code)
{
	struct metrics_push *p = *request_ctx;

	(void)conn, (void)code;
	if (p == NULL)
		return;
	metrics_push_unlink(cls, p);
	buf_free(&p->body);
	buf_free(&p->reply);
	free(p);
	*request_ctx = NULL;
}

static enum MHD_Result metrics_push_error(struct MHD_Connection *conn, unsigned status,
                                          const char *message)
{
	struct MHD_Response *resp;
	struct buf body = { 0 };
	struct json *j = json_new(&body, 0);
	enum MHD_Result rc;

	json_object_open(j);
	json_kv_str(j, "error", message);
	json_object_close(j);
	json_free(j);
	buf_append(&body, "\n", 1);
	resp = MHD_create_response_from_buffer(body.len, body.data, MHD_RESPMEM_MUST_COPY);
	buf_free(&body);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_JSON_TYPE);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	else if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, METRICS_RETRY_AFTER);
	else if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/*
 * "Bearer TOKEN" against the configured token, in a time that depends on
 * the token's length only, never on how much of it a guess got right.
 */
static int metrics_push_authorized(const struct metrics *m, const char *header)
{
	static const char scheme[] = "Bearer ";
	const unsigned char *given, *want = (const unsigned char *)m->token;
	size_t given_len;
	unsigned char diff;

	if (header == NULL || strncasecmp(header, scheme, sizeof(scheme) - 1) != 0)
		return 0;
	given = (const unsigned char *)header + sizeof(scheme) - 1;
	given_len = strlen((const char *)given);
	diff = given_len != m->token_len;
	for (size_t i = 0; i < m->token_len; i++)
		diff |= (unsigned char)((i < given_len ? given[i] : 0) ^ want[i]);
	return diff == 0;
}

/* application/x-ndjson or application/json, parameters (charset) allowed. */
static int metrics_push_type_ok(const char *type)
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

/* "http:ADDRESS:PORT" of the client, for dead-letter records and the log. */
static void metrics_push_source(struct MHD_Connection *conn, char *out, size_t outlen)
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

static enum MHD_Result metrics_push_reply(struct MHD_Connection *conn, struct metrics_push *p)
{
	return metrics_http_reply(conn, MHD_HTTP_OK, p->reply.data, p->reply.len, METRICS_JSON_TYPE);
}

/* The headers are in: refuse now, or take the request and read its body. */
static enum MHD_Result metrics_push_begin(struct metrics *m, struct MHD_Connection *conn,
                                          const char *method, void **request_ctx)
{
	const char *length;
	struct metrics_push *p;

	if (m->events.push == NULL)
		return metrics_push_error(conn, MHD_HTTP_NOT_FOUND,
		                          "pushing events is off (http.events: false)");
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return metrics_push_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only POST");
	/* Browsers send Origin with every cross-site POST; collectors do not. */
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN) != NULL)
		return metrics_push_error(conn, MHD_HTTP_FORBIDDEN,
		                          "a request with an Origin header is refused");
	if (!metrics_push_authorized(m, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                            MHD_HTTP_HEADER_AUTHORIZATION)))
		return metrics_push_error(conn, MHD_HTTP_UNAUTHORIZED,
		                          "a valid \"Authorization: Bearer TOKEN\" is required");
	if (!metrics_push_type_ok(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                      MHD_HTTP_HEADER_CONTENT_TYPE)))
		return metrics_push_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		                          "Content-Type must be application/x-ndjson or "
		                          "application/json");
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length != NULL && strtoull(length, NULL, 10) > m->max_body)
		return metrics_push_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		                          "the body is larger than http.max_body");
	if (m->npushes >= m->max_pending || m->events.busy(m->events.ctx))
		return metrics_push_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                          "busy committing; retry after the Retry-After seconds");
	p = xcalloc(1, sizeof(*p));
	p->conn = conn;
	p->next = m->pushes;
	if (m->pushes != NULL)
		m->pushes->prev = p;
	m->pushes = p;
	m->npushes++;
	*request_ctx = p;
	return MHD_YES;
}

static enum MHD_Result metrics_push_request(struct metrics *m, struct MHD_Connection *conn,
                                            const char *method, const char *upload_data,
                                            size_t *upload_data_size, void **request_ctx)
{
	struct metrics_push *p = *request_ctx;
	char source[80];

	if (p == NULL)
		return metrics_push_begin(m, conn, method, request_ctx);
	if (p->state == METRICS_PUSH_READY)
		return metrics_push_reply(conn, p);
	if (*upload_data_size > 0) {
		/* Without Content-Length (chunked) the limit is found here. */
		if (p->body.len + *upload_data_size > m->max_body)
			p->too_large = 1;
		else
			buf_append(&p->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (p->too_large)
		return metrics_push_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		                          "the body is larger than http.max_body");
	if (m->events.busy(m->events.ctx))
		return metrics_push_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                          "busy committing; retry after the Retry-After seconds");
	metrics_push_source(conn, source, sizeof(source));
	p->seq = m->events.push(m->events.ctx, source, p->body.data != NULL ? p->body.data : "",
	                        p->body.len, &p->reply);
	buf_free(&p->body);
	if (m->events.committed(m->events.ctx) >= p->seq) {
		p->state = METRICS_PUSH_READY;
		return metrics_push_reply(conn, p);
	}
	p->state = METRICS_PUSH_WAITING;
	MHD_suspend_connection(conn);
	return MHD_YES;
}

void metrics_set_events(struct metrics *m, const struct metrics_events *events)
{
	m->events = *events;
}

void metrics_events_committed(struct metrics *m)
{
	uint64_t committed;
	int resumed = 0;

	if (m->events.push == NULL || m->mhd == NULL)
		return;
	committed = m->events.committed(m->events.ctx);
	for (struct metrics_push *p = m->pushes; p != NULL; p = p->next) {
		if (p->state == METRICS_PUSH_WAITING && p->seq <= committed) {
			p->state = METRICS_PUSH_READY;
			MHD_resume_connection(p->conn);
			resumed = 1;
		}
	}
	/* From the loop, not from inside the engine's commit callback. */
	if (resumed)
		uv_timer_start(&m->http_timer, metrics_http_timer_cb, 0, 0);
}

static enum MHD_Result metrics_http_request(void *cls, struct MHD_Connection *conn, const char *url,
                                            const char *method, const char *version,
                                            const char *upload_data, size_t *upload_data_size,
                                            void **request_ctx)
{
	static const char not_found[] = "not found; the metrics are at /metrics\n";
	static const char not_allowed[] = "only GET and HEAD\n";
	struct metrics *m = cls;
	struct buf text = { 0 };
	enum MHD_Result rc;

	(void)version;
	if (strcmp(url, "/v1/events") == 0)
		return metrics_push_request(m, conn, method, upload_data, upload_data_size,
		                            request_ctx);
	/* A body is not expected; whatever comes is read and dropped. */
	*upload_data_size = 0;
	if (strcmp(url, "/metrics") != 0)
		return metrics_http_reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
		                          "text/plain; charset=utf-8");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
		                          sizeof(not_allowed) - 1, "text/plain; charset=utf-8");
	metrics_render_now(m, &text);
	rc = metrics_http_reply(conn, MHD_HTTP_OK, text.data != NULL ? text.data : "", text.len,
	                        METRICS_CONTENT_TYPE);
	buf_free(&text);
	return rc;
}

/* MHD's messages go to our log, and the last one explains a failed start. */
__attribute__((format(printf, 2, 0)))
static void metrics_http_log(void *cls, const char *fmt, va_list ap)
{
	struct metrics *m = cls;
	size_t len;

	vsnprintf(m->mhd_error, sizeof(m->mhd_error), fmt, ap);
	len = strlen(m->mhd_error);
	while (len > 0 && (m->mhd_error[len - 1] == '\n' || m->mhd_error[len - 1] == '.'))
		m->mhd_error[--len] = '\0';
	log_debug("metrics: libmicrohttpd: %s", m->mhd_error);
}

static int metrics_http_start(struct metrics *m, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	int rc;

	if (inet_pton(AF_INET, m->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(m->port);
	} else if (inet_pton(AF_INET6, m->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(m->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "metrics.listen: \"%s\" is not a numeric address", m->host);
		return -1;
	}
	m->mhd = MHD_start_daemon(flags, m->port, NULL, NULL, metrics_http_request, m,
	                          MHD_OPTION_EXTERNAL_LOGGER, metrics_http_log, m,
	                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_HTTP_TIMEOUT_S,
	                          MHD_OPTION_CONNECTION_LIMIT,
	                          (unsigned)METRICS_HTTP_MAX_CONNECTIONS + m->max_pending,
	                          MHD_OPTION_NOTIFY_COMPLETED, metrics_http_completed, m,
	                          MHD_OPTION_END);
	if (m->mhd == NULL) {
		snprintf(err, errlen, "metrics.listen %s: %s", m->listen,
		         m->mhd_error[0] != '\0' ? m->mhd_error : "cannot start the HTTP server");
		return -1;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "metrics.listen %s: libmicrohttpd has no epoll descriptor", m->listen);
		return -1;
	}
	rc = uv_poll_init(m->loop, &m->http_poll, info->epoll_fd);
	if (rc != 0) {
		snprintf(err, errlen, "metrics.listen %s: %s", m->listen, uv_strerror(rc));
		return -1;
	}
	m->http_polling = 1;
	m->handles++;
	m->http_poll.data = m;
	uv_poll_start(&m->http_poll, UV_READABLE, metrics_http_poll_cb);
	/* Nothing may be waiting, but MHD decides: this arms the timer if it has one. */
	metrics_http_run(m);
	return 0;
}

/* --- lifecycle --- */

struct metrics *metrics_new(uv_loop_t *loop, const struct conf *conf, metrics_snapshot_fn *snapshot,
                            void *ctx)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	struct buf tmp = { 0 };

	m->loop = loop;
	m->snapshot = snapshot;
	m->ctx = ctx;
	m->interval_ms = conf->metrics_interval_ms;
	if (conf->metrics_textfile != NULL) {
		m->textfile = xstrdup(conf->metrics_textfile);
		buf_printf(&tmp, "%s.tmp", m->textfile);
		m->textfile_tmp = xstrdup(buf_cstr(&tmp));
		buf_free(&tmp);
	}
	if (conf->metrics_listen != NULL) {
		m->listen = xstrdup(conf->metrics_listen);
		snprintf(m->host, sizeof(m->host), "%s", conf->metrics_host);
		m->port = conf->metrics_port;
	}
	if (conf->http_events && conf->http_token != NULL) {
		m->token = xmalloc(conf->http_token_len);
		memcpy(m->token, conf->http_token, conf->http_token_len);
		m->token_len = conf->http_token_len;
	}
	m->max_body = conf->http_max_body;
	m->max_pending = conf->http_max_pending;
	uv_timer_init(loop, &m->textfile_timer);
	uv_timer_init(loop, &m->http_timer);
	m->textfile_timer.data = m->http_timer.data = m;
	m->handles = 2;
	return m;
}

int metrics_start(struct metrics *m, char *err, size_t errlen)
{
	if (m->textfile != NULL) {
		/* At once, so the file exists as soon as the daemon runs. */
		metrics_textfile_cb(&m->textfile_timer);
		uv_timer_start(&m->textfile_timer, metrics_textfile_cb, (uint64_t)m->interval_ms,
		               (uint64_t)m->interval_ms);
		log_info("metrics: writing %s every %lld ms", m->textfile, (long long)m->interval_ms);
	}
	if (m->listen != NULL) {
		if (metrics_http_start(m, err, errlen) < 0)
			return -1;
		log_info("metrics: serving http://%s/metrics", m->listen);
	}
	return 0;
}

static void metrics_closed(uv_handle_t *handle)
{
	struct metrics *m = handle->data;
	void (*done)(void *);
	void *done_ctx;

	if (--m->handles > 0)
		return;
	done = m->done;
	done_ctx = m->done_ctx;
	free(m->textfile);
	free(m->textfile_tmp);
	free(m->listen);
	if (m->token != NULL)
		explicit_bzero(m->token, m->token_len);
	free(m->token);
	free(m);
	if (done != NULL)
		done(done_ctx);
}

void metrics_close(struct metrics *m, void (*done)(void *ctx), void *ctx)
{
	m->done = done;
	m->done_ctx = ctx;
	uv_close((uv_handle_t *)&m->textfile_timer, metrics_closed);
	uv_close((uv_handle_t *)&m->http_timer, metrics_closed);
	if (m->http_polling)
		uv_close((uv_handle_t *)&m->http_poll, metrics_closed);
	/*
	 * uv_close() has already taken the epoll descriptor out of the loop's
	 * set, so MHD may close it now, with its sockets.
	 */
	if (m->mhd != NULL) {
		MHD_stop_daemon(m->mhd);
		m->mhd = NULL;
	}
}
