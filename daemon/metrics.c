/*
 * metrics.c - Prometheus metrics (see metrics.h): the text rendering and
 * the textfile exporter.
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
 * GET /metrics on the HTTP listener (http_metrics.c) renders through
 * metrics_render_now() in the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warmth/event.h"
#include "warmth/lines.h"
#include "warmth/log.h"
#include "warmth/unknown_fields.h"
#include "metrics.h"

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

void metrics_render_now(struct metrics *m, struct buf *out)
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
	uv_timer_init(loop, &m->textfile_timer);
	m->textfile_timer.data = m;
	return m;
}

void metrics_start(struct metrics *m)
{
	if (m->textfile == NULL)
		return;
	/* At once, so the file exists as soon as the daemon runs. */
	metrics_textfile_cb(&m->textfile_timer);
	uv_timer_start(&m->textfile_timer, metrics_textfile_cb, (uint64_t)m->interval_ms,
	               (uint64_t)m->interval_ms);
	log_info("metrics: writing %s every %lld ms", m->textfile, (long long)m->interval_ms);
}

static void metrics_closed(uv_handle_t *handle)
{
	struct metrics *m = handle->data;
	void (*done)(void *) = m->done;
	void *done_ctx = m->done_ctx;

	free(m->textfile);
	free(m->textfile_tmp);
	free(m);
	if (done != NULL)
		done(done_ctx);
}

void metrics_close(struct metrics *m, void (*done)(void *ctx), void *ctx)
{
	m->done = done;
	m->done_ctx = ctx;
	uv_close((uv_handle_t *)&m->textfile_timer, metrics_closed);
}
