/*
 * engine_status.c - the engine's live figures for the control socket's
 * "status" command: the same keys as `warmthctl --db status --json`
 * (INTERFACE.md), taken from memory instead of the database, plus what
 * only the running daemon knows (the lag of each input in bytes).
 *
 * engine_metrics_snapshot() copies the same figures for metrics.c, with
 * the ready queue of each account, counted here as engine_rules.c
 * evaluates contacts (engine_ready_note).
 *
 * Counters in memory run ahead of the database by at most the batch being
 * built and the one committing; that is the point of asking the daemon.
 *
 * events_per_s is the accepted counter's growth over the last minute,
 * from a ring of samples (struct engine_rate) taken by the cron every
 * minute and by each status request. The counter at "a minute ago" is
 * interpolated between the two samples around that moment, which is exact
 * when status is polled often and assumes an even rate within one cron
 * period otherwise. Until a sample a second old exists (just after start)
 * the rate is null; until one a minute old exists it covers less, and
 * events_per_s_window_s says how much.
 */
#include <sys/stat.h>

#include "warmth/json.h"
#include "engine.h"
#include "engine_internal.h"
#include "metrics.h"

static void engine_status_input(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
	struct json *j = ctx;

	json_object_open(j);
	json_kv_str(j, "path", path);
	json_kv_int(j, "offset", (int64_t)offset);
	json_kv_int(j, "size", (int64_t)size);
	json_kv_int(j, "lag", size > offset ? (int64_t)(size - offset) : 0);
	json_object_close(j);
}

/* The database file and its WAL, by stat(): the store handle belongs to the commit thread. */
static int64_t engine_status_db_bytes(const char *path)
{
	struct buf wal = { 0 };
	struct stat st;
	int64_t total = 0;

	if (stat(path, &st) == 0)
		total += (int64_t)st.st_size;
	buf_printf(&wal, "%s-wal", path);
	if (stat(buf_cstr(&wal), &st) == 0)
		total += (int64_t)st.st_size;
	buf_free(&wal);
	return total;
}

void engine_status_sample(struct engine *e)
{
	struct engine_rate *r = &e->rate;
	uint64_t now = uv_now(e->loop);
	size_t newest = (r->next + ENGINE_RATE_SAMPLES - 1) % ENGINE_RATE_SAMPLES;

	/* A second apart at least: status polled in a loop must not push the
	   minute-old samples out of the ring. */
	if (r->count > 0 && now - r->ring[newest].ms < 1000)
		return;
	r->ring[r->next].ms = now;
	r->ring[r->next].accepted = e->counters.accepted;
	r->next = (r->next + 1) % ENGINE_RATE_SAMPLES;
	if (r->count < ENGINE_RATE_SAMPLES)
		r->count++;
}

/*
 * The rate over the last minute into *rate and the seconds it covers into
 * *window_s; 0, or -1 when no sample is old enough to measure from.
 */
static int engine_status_rate(const struct engine *e, double *rate, double *window_s)
{
	const struct engine_rate *r = &e->rate;
	uint64_t now = uv_now(e->loop), accepted = e->counters.accepted;
	uint64_t from = now > ENGINE_RATE_WINDOW_MS ? now - ENGINE_RATE_WINDOW_MS : 0;
	const struct engine_rate_sample *before = NULL, *after = NULL;
	double base_accepted, base_ms;

	/* Oldest to newest: the last sample at or before "from", and the first after it. */
	for (size_t k = 0; k < r->count; k++) {
		const struct engine_rate_sample *s =
			&r->ring[(r->next + ENGINE_RATE_SAMPLES - r->count + k) % ENGINE_RATE_SAMPLES];
		if (s->ms <= from) {
			before = s;
		} else {
			after = s;
			break;
		}
	}
	if (before != NULL && after != NULL) {
		double share = (double)(from - before->ms) / (double)(after->ms - before->ms);
		base_ms = (double)from;
		base_accepted = (double)before->accepted +
		                share * (double)(after->accepted - before->accepted);
	} else if (before != NULL) {
		/* Nothing sampled since: the counter changed evenly from then to now. */
		base_ms = (double)from;
		base_accepted = (double)before->accepted + (double)(from - before->ms) /
		                (double)(now - before->ms) * (double)(accepted - before->accepted);
	} else if (after != NULL && now - after->ms >= 1000) {
		base_ms = (double)after->ms;
		base_accepted = (double)after->accepted;
	} else {
		return -1;
	}
	*window_s = ((double)now - base_ms) / 1000.0;
	*rate = ((double)accepted - base_accepted) / *window_s;
	return 0;
}

void engine_status_fields(struct engine *e, struct json *j)
{
	const struct store_counters *c = &e->counters;
	double rate = 0.0, window_s = 0.0;
	int have_rate = engine_status_rate(e, &rate, &window_s) == 0;

	json_kv_int(j, "events_accepted", (int64_t)c->accepted);
	json_kv_int(j, "events_rejected", (int64_t)c->rejected);
	json_kv_int(j, "events_duplicate", (int64_t)c->duplicate);
	json_kv_int(j, "contacts", e->ncontacts);
	json_kv_int(j, "contacts_cached", (int64_t)e->ncached);
	/* The readiness watch list (readiness.watch_max) and what it let go. */
	json_kv_int(j, "watched", (int64_t)e->nwatch);
	json_kv_int(j, "watch_dropped", (int64_t)e->watch_dropped);
	json_key(j, "inputs");
	json_array_open(j);
	tail_foreach(e->tail, engine_status_input, j);
	json_array_close(j);
	json_key(j, "rejected_by_reason");
	json_object_open(j);
	for (int r = 1; r < REJECT_REASON_COUNT; r++)
		if (c->rejected_by_reason[r] > 0)
			json_kv_int(j, event_reject_name((enum event_reject)r),
			            (int64_t)c->rejected_by_reason[r]);
	json_object_close(j);
	json_key(j, "accepted_by_type");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (c->accepted_by_type[t] > 0)
			json_kv_int(j, event_type_name((enum event_type)t), (int64_t)c->accepted_by_type[t]);
	json_object_close(j);
	engine_fields_status(e, j);
	json_kv_str(j, "database", e->conf->database);
	json_kv_int(j, "database_bytes", engine_status_db_bytes(e->conf->database));
	json_kv_bool(j, "commit_failing", e->failing);
	json_key(j, "events_per_s");
	if (have_rate)
		json_double(j, (double)(int64_t)(rate * 100.0 + 0.5) / 100.0);
	else
		json_null(j);
	json_key(j, "events_per_s_window_s");
	if (have_rate)
		json_int(j, (int64_t)(window_s + 0.5));
	else
		json_null(j);
	/* After the figures: this request's sample must not shorten its own window. */
	engine_status_sample(e);
}

static void engine_ready_set(struct engine *e, struct engine_contact *ec, uint8_t state)
{
	struct engine_account *a = &e->accounts[ec->c.account];

	if (ec->ready == state)
		return;
	a->nready -= ec->ready != ENGINE_READY_NO;
	a->nqueued -= ec->ready == ENGINE_READY_QUEUED;
	ec->ready = state;
	a->nready += state != ENGINE_READY_NO;
	a->nqueued += state == ENGINE_READY_QUEUED;
}

void engine_ready_note(struct engine *e, struct engine_contact *ec, const struct rules_result *r)
{
	uint8_t state = r != NULL ? ENGINE_READY_YES : ENGINE_READY_NO;

	for (int i = 0; r != NULL && i < RULES_CONDITION_COUNT; i++)
		if (i != RULES_BUDGET && i != RULES_NOT_NOTIFIED && !r->conditions[i].ok)
			state = ENGINE_READY_NO;
	if (state == ENGINE_READY_YES && r->ready)
		state = ENGINE_READY_QUEUED;
	engine_ready_set(e, ec, state);
}

void engine_ready_notified(struct engine *e, struct engine_contact *ec)
{
	if (ec->ready == ENGINE_READY_QUEUED)
		engine_ready_set(e, ec, ENGINE_READY_YES);
}

static void engine_metrics_input(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
	metrics_snapshot_add_input(ctx, path, size > offset ? size - offset : 0);
}

static void engine_metrics_sink(void *ctx, const char *sink, uint64_t delivered, uint64_t retried,
                                uint64_t failed)
{
	metrics_snapshot_add_sink(ctx, sink, delivered, retried, failed);
}

void engine_metrics_snapshot(struct engine *e, struct metrics_snapshot *s)
{
	s->counters = e->counters;
	s->contacts = e->ncontacts;
	s->contacts_cached = (int64_t)e->ncached;
	tail_foreach(e->tail, engine_metrics_input, s);
	s->commit = e->commit_seconds;
	if (e->outbox != NULL)
		outbox_foreach_counts(e->outbox, engine_metrics_sink, s);
	for (uint32_t i = 0; i < e->naccounts; i++)
		metrics_snapshot_add_account(s, e->accounts[i].a.name, e->accounts[i].nready,
		                             e->accounts[i].nqueued);
	engine_fields_metrics(e, s);
	s->version = WARMTH_VERSION;
}
