/*
 * engine_push.c - events pushed over HTTP (POST /v1/events, served by
 * metrics_events.c): each line of a request's body goes through what a
 * tailed line goes through (the line limit, event_parse, the future check,
 * then engine_accept_event's de-duplication and scoring, or a dead-letter
 * record naming "http:ADDRESS" and the line's number), and the request
 * learns which batch holds them, so that its reply waits for that batch's
 * commit: a client told "accepted" has its lines on disk, and a client
 * told nothing (the daemon died first) sends them again, when the seen ids
 * count them once.
 */
#include <string.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "engine.h"
#include "engine_internal.h"

int engine_push_busy(const struct engine *e)
{
	/*
	 * Pushed lines join the batch being built: while it is full and waits
	 * for the commit in flight (want_close), while commits fail, while a
	 * rescore or the start's backlog is read, they would only make the
	 * wait longer. The client is told to come back instead.
	 */
	return e->stopping || e->failing || e->want_close || e->rescore_on || !e->caught_up;
}

/* One line: its result into the reply's array, 0 accepted, 1 duplicate, 2 rejected. */
static int engine_push_line(struct engine *e, const char *source, uint64_t lineno,
                            const char *line, size_t len, struct json *j)
{
	struct event_parser *parser = e->parsers[0];
	enum event_reject rc = REJECT_NONE;
	struct event ev;
	uint64_t duplicate = e->counters.duplicate;
	int result = 0;

	json_object_open(j);
	json_kv_int(j, "line", (int64_t)lineno);
	if (event_line_len(line, len) > e->conf->max_line_bytes) {
		rc = REJECT_LINE_TOO_LONG;
		engine_reject_long(e, source, lineno, line, len, event_line_len(line, len));
	} else if ((rc = event_parse(parser, line, len, &ev)) != REJECT_NONE) {
		if (ev.nunknown > 0)
			engine_fields_note(e, &ev, source, lineno);
		engine_reject(e, source, lineno, rc, event_parser_error(parser), line, len);
	} else if (ev.ts_ms > e->ts_limit_ms) {
		rc = REJECT_FUTURE_TS;
		engine_reject_future(e, source, lineno, ev.ts_ms, line, len);
	} else {
		if (ev.nunknown > 0)
			engine_fields_note(e, &ev, source, lineno);
		engine_accept_event(e, &ev);
		result = e->counters.duplicate != duplicate;
	}
	if (rc != REJECT_NONE) {
		result = 2;
		json_kv_str(j, "status", "rejected");
		json_kv_str(j, "reason", event_reject_name(rc));
	} else {
		json_kv_str(j, "status", result ? "duplicate" : "accepted");
	}
	json_object_close(j);
	engine_count_item(e);
	return result;
}

uint64_t engine_push(struct engine *e, const char *source, const char *body, size_t len,
                     struct buf *reply)
{
	struct json *j = json_new(reply, 0);
	uint64_t counts[3] = { 0, 0, 0 }, lineno = 0;
	const char *p = body, *end = body + len;

	/* The lookahead's events first (their parsers are reused here), in order. */
	engine_flush_pending(e);
	/* Opens the batch if none is (and works out the future limit of ts). */
	engine_batch_opened(e);
	json_object_open(j);
	json_key(j, "results");
	json_array_open(j);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;
		counts[engine_push_line(e, source, ++lineno, p, (size_t)(stop - p), j)]++;
		p = nl != NULL ? nl + 1 : end;
	}
	json_array_close(j);
	/* Its lookups' read transaction must not outlive the request. */
	engine_dedup_release(e);
	json_kv_int(j, "accepted", (int64_t)counts[0]);
	json_kv_int(j, "duplicate", (int64_t)counts[1]);
	json_kv_int(j, "rejected", (int64_t)counts[2]);
	json_object_close(j);
	json_free(j);
	buf_append(reply, "\n", 1);
	log_debug("%s: %llu lines pushed (%llu accepted, %llu duplicate, %llu rejected)", source,
	          (unsigned long long)lineno, (unsigned long long)counts[0],
	          (unsigned long long)counts[1], (unsigned long long)counts[2]);
	if (lineno == 0)
		return e->committed_seq;
	/* Every line is in the batch being built or an earlier one (a full batch closes early). */
	uint64_t seq = e->batch_seq;
	/* Live lines: commit now (or right after the commit in flight). */
	engine_batch_request_close(e);
	return seq;
}

uint64_t engine_committed_seq(const struct engine *e)
{
	return e->committed_seq;
}

void engine_on_commit(struct engine *e, void (*fn)(void *ctx), void *ctx)
{
	e->on_commit = fn;
	e->on_commit_ctx = ctx;
}
