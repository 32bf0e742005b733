/*
 * outbox.c - delivery of the outbox table's notifications to the sinks
 * (see outbox.h for the contract).
 *
 * Per sink, the rows it has no final state for are kept in memory in seq
 * order (loaded once: afterwards only rows with a higher seq are read), each
 * with its attempts and the wall time of its next try. A dispatch hands the
 * due ones to the sink, up to OUTBOX_IN_FLIGHT_MAX at a time; the sinks are
 * asynchronous, so a slow one holds back only its own rows. Each result is
 * queued as a deliveries row and written in one small transaction as soon
 * as the engine's commit thread is not writing. One uv_timer wakes the
 * outbox for the earliest retry, token, end of quiet hours or digest.
 *
 * Pacing (pace.h) only decides when a due row is started: a row held by
 * quiet hours, waiting for a token of the rate limit or collected for a
 * digest (outbox_digest.c) is left as it is, pending in memory and in the
 * table, and flagged "held" so that warmthd --once does not wait for it.
 * Rows keep their seq order: one waiting for a token holds back the rows
 * after it. Tests (notify-test) and redeliveries (outbox_commands.c) go
 * through the same dispatch.
 *
 * Exactly once to the file sink: it gets one row at a time, and the next
 * only once the previous result is written. So at most one line can be in
 * the file without its "delivered" row (a crash in between), and it is the
 * file's last line: before each delivery the row's id is compared with
 * sink_last_id(), and a row already there is recorded, not written again
 * (unless a person asked for it again with redeliver).
 * The other sinks are at least once, with the record's id for receivers
 * to drop duplicates.
 *
 * The "note" of a ready record is kept in the outbox's own column (the
 * record in the table says null); it is put into the record handed to the
 * sinks here.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/log.h"
#include "warmth/store.h"
#include "warmth/util.h"
#include "outbox_internal.h"

int64_t outbox_now(const struct outbox *ob)
{
	return time_now_ms() + ob->clock_offset_ms;
}

/* --- items --- */

/* Appends s as a JSON string: the note is the one value spliced by hand. */
static void outbox_json_string(struct buf *out, const char *s)
{
	buf_append(out, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			buf_printf(out, "\\%c", ch);
		else if (ch < 0x20)
			buf_printf(out, "\\u%04x", ch);
		else
			buf_append(out, s, 1);
	}
	buf_append(out, "\"", 1);
}

/* The record with the note spliced in where the stored one says "note":null. */
static void outbox_item_record(struct outbox_item *it, const struct store_outbox *o)
{
	static const char null_note[] = "\"note\":null}";
	struct buf rec = { 0 };
	size_t n = sizeof(null_note) - 1;

	if (o->note != NULL && o->record_len >= n &&
	    memcmp(o->record + o->record_len - n, null_note, n) == 0) {
		buf_append(&rec, o->record, o->record_len - 5);
		outbox_json_string(&rec, o->note);
		buf_append(&rec, "}", 1);
		it->len = rec.len;
		it->record = xstrndup(rec.data, rec.len);
		buf_free(&rec);
	} else {
		it->len = o->record_len;
		it->record = xstrndup(o->record, o->record_len);
	}
}

struct outbox_item *outbox_item_loose(struct outbox_sink *os, const char *id, const char *kind,
                                      const char *record, size_t len)
{
	struct outbox_item *it = xcalloc(1, sizeof(*it));

	it->os = os;
	it->id = xstrdup(id);
	it->kind = xstrdup(kind);
	it->record = xstrndup(record, len);
	it->len = len;
	return it;
}

struct outbox_item *outbox_item_new(struct outbox_sink *os, const struct store_outbox *o,
                                    const struct store_delivery *d)
{
	struct outbox_item *it = xcalloc(1, sizeof(*it));

	it->os = os;
	it->seq = o->seq;
	it->id = xstrdup(o->id);
	it->kind = xstrdup(o->kind);
	outbox_item_record(it, o);
	it->attempts = d->attempts;
	it->first_ms = d->first_ms;
	it->next_ms = d->next_ms;
	it->listed = 1;
	it->prev = os->tail;
	if (os->tail != NULL)
		os->tail->next = it;
	else
		os->head = it;
	os->tail = it;
	return it;
}

void outbox_item_unlink(struct outbox_item *it)
{
	struct outbox_sink *os = it->os;

	if (!it->listed)
		return;
	if (it->prev != NULL)
		it->prev->next = it->next;
	else
		os->head = it->next;
	if (it->next != NULL)
		it->next->prev = it->prev;
	else
		os->tail = it->prev;
	it->prev = it->next = NULL;
	it->listed = 0;
}

void outbox_item_insert(struct outbox_item *it)
{
	struct outbox_sink *os = it->os;
	struct outbox_item *after = os->tail;

	/* Tests (seq 0) go first; rows by seq, so the exact sink keeps the table's order. */
	while (after != NULL && after->seq > it->seq)
		after = after->prev;
	it->prev = after;
	it->next = after != NULL ? after->next : os->head;
	if (it->next != NULL)
		it->next->prev = it;
	else
		os->tail = it;
	if (after != NULL)
		after->next = it;
	else
		os->head = it;
	it->listed = 1;
}

void outbox_item_free(struct outbox_item *it)
{
	outbox_item_unlink(it);
	free(it->members);
	free(it->id);
	free(it->kind);
	free(it->record);
	free(it);
}

/* Queues the item's state for writing; final states also drop the item. */
void outbox_record(struct outbox_item *it, enum store_delivery_state state, const char *error)
{
	struct outbox *ob = it->os->ob;
	struct store_delivery *d;

	if (ob->ndirty == ob->dirty_cap) {
		ob->dirty_cap = ob->dirty_cap ? ob->dirty_cap * 2 : 16;
		ob->dirty = xrealloc(ob->dirty, ob->dirty_cap * sizeof(*ob->dirty));
		ob->dirty_strings = xrealloc(ob->dirty_strings,
		                             2 * ob->dirty_cap * sizeof(*ob->dirty_strings));
	}
	ob->dirty_strings[2 * ob->ndirty] = xstrdup(it->os->name);
	ob->dirty_strings[2 * ob->ndirty + 1] = error != NULL ? xstrdup(error) : NULL;
	d = &ob->dirty[ob->ndirty];
	d->seq = it->seq;
	d->sink = ob->dirty_strings[2 * ob->ndirty];
	d->state = state;
	d->attempts = it->attempts;
	d->first_ms = it->first_ms;
	d->next_ms = it->next_ms;
	d->updated_ms = outbox_now(ob);
	d->last_error = ob->dirty_strings[2 * ob->ndirty + 1];
	ob->ndirty++;
	if (state != STORE_DELIVERY_PENDING)
		outbox_item_free(it);
}

/* Writes the queued results and registers new sinks, if the writer is idle. */
/* The rate limit counts what was delivered just before a restart or reload. */
static void outbox_seed_bucket(struct outbox_sink *os)
{
	int64_t now = outbox_now(os->ob), window = pace_bucket_window(&os->bucket);
	uint64_t used = 0;

	if (window == 0 || store_count_delivered(os->ob->store, os->name, now - window, &used) < 0)
		return;
	pace_bucket_seed(&os->bucket, used, now);
}

void outbox_flush(struct outbox *ob)
{
	char err[512];

	if (ob->store == NULL || *ob->writer_busy)
		return;
	for (size_t i = 0; i < ob->nsinks; i++) {
		struct outbox_sink *os = ob->sinks[i];
		int64_t since;
		if (os->registered)
			continue;
		if (store_sink_register(ob->store, os->name, &since, err, sizeof(err)) < 0) {
			log_warnx("%s", err);
			continue;
		}
		os->registered = 1;
		os->scanned = since;
		outbox_seed_bucket(os);
	}
	if (ob->ndirty == 0)
		return;
	if (store_put_deliveries(ob->store, ob->dirty, ob->ndirty, err, sizeof(err)) < 0) {
		log_warnx("%s (will try again)", err);
		return;
	}
	for (size_t i = 0; i < 2 * ob->ndirty; i++)
		free(ob->dirty_strings[i]);
	ob->ndirty = 0;
}

/* --- delivery --- */

void outbox_item_result(struct outbox_item *it, enum sink_result result, const char *reason,
                        int64_t now)
{
	struct outbox_sink *os = it->os;

	it->attempts++;
	if (result == SINK_DELIVERED)
		os->delivered++;
	else if (result == SINK_FAILED || now - it->first_ms >= os->max_age_ms)
		os->failed++;
	else
		os->retried++;
	if (result == SINK_DELIVERED) {
		log_info("notification %s delivered to %s", it->id, os->name);
		it->next_ms = 0;
		outbox_record(it, STORE_DELIVERY_DELIVERED, NULL);
	} else if (result == SINK_FAILED) {
		log_warnx("notification %s to %s failed: %s", it->id, os->name, reason);
		outbox_record(it, STORE_DELIVERY_FAILED, reason);
	} else if (now - it->first_ms >= os->max_age_ms) {
		log_warnx("notification %s to %s failed after %lld attempts (max_age): %s", it->id,
		          os->name, (long long)it->attempts, reason);
		outbox_record(it, STORE_DELIVERY_FAILED, reason);
	} else {
		it->next_ms = now + pace_backoff(os->retry_min_ms, os->retry_max_ms, it->attempts,
		                                 &os->ob->rng);
		log_notice("notification %s to %s: %s; retry in %lld ms", it->id, os->name, reason,
		           (long long)(it->next_ms - now));
		outbox_record(it, STORE_DELIVERY_PENDING, reason);
	}
}

static void outbox_done(void *arg, enum sink_result result, const char *reason)
{
	struct outbox_item *it = arg;
	struct outbox_sink *os = it->os;
	struct outbox *ob = os->ob;
	int64_t now = outbox_now(ob);

	it->in_flight = 0;
	os->in_flight--;
	if (it->test_done != NULL) {
		/* A test is reported and forgotten: no attempt, no row, no metric. */
		it->test_done(it->test_arg, os->name, (int)result, reason);
		outbox_item_free(it);
	} else if (it->members != NULL) {
		outbox_digest_done(it, os->sink == NULL && result == SINK_RETRY ? -1 : (int)result,
		                   reason, now);
	} else if (result == SINK_RETRY && os->sink == NULL) {
		/* Abandoned by a closing sink: not an attempt; retried after a restart or reload. */
		return;
	} else {
		outbox_item_result(it, result, reason, now);
	}
	if (os->sink == NULL)
		return;
	outbox_flush(ob);
	outbox_dispatch(ob);
}

static int outbox_load_row(void *ctx, const struct store_outbox *o, const struct store_delivery *d)
{
	struct outbox_sink *os = ctx;

	outbox_item_new(os, o, d);
	return 0;
}

int outbox_exact_idle(const struct outbox_sink *os)
{
	return os->in_flight == 0 && os->ob->ndirty == 0;
}

void outbox_start_delivery(struct outbox_item *it)
{
	struct outbox_sink *os = it->os;

	it->held = 0;
	it->in_flight = 1;
	os->in_flight++;
	sink_deliver(os->sink, it->record, it->len, outbox_done, it);
}

/*
 * An exact sink's next row may already be its file's last line (written
 * just before a crash): then it is recorded, not written again. Returns 1
 * when it was.
 */
static int outbox_already_there(struct outbox_item *it, int64_t now)
{
	struct outbox_sink *os = it->os;
	const char *last = sink_last_id(os->sink);

	if (it->forced || last == NULL || strcmp(last, it->id) != 0)
		return 0;
	log_notice("notification %s is already in %s (written before a crash)", it->id, os->name);
	if (it->first_ms == 0)
		it->first_ms = now;
	it->attempts++;
	outbox_record(it, STORE_DELIVERY_DELIVERED, NULL);
	outbox_flush(os->ob);
	return 1;
}

/* Starts what is due for one sink; returns the earliest later try (INT64_MAX: none). */
static int64_t outbox_dispatch_sink(struct outbox *ob, struct outbox_sink *os, int64_t now)
{
	struct outbox_item *it, *next;
	int64_t earliest = INT64_MAX, upto = 0, quiet, t;

	if (os->sink == NULL || !os->registered)
		return earliest;
	if (store_foreach_undelivered(ob->store, os->name, os->scanned, &upto, outbox_load_row,
	                              os) < 0)
		return now + OUTBOX_WRITE_RETRY_MS;
	if (upto > os->scanned)
		os->scanned = upto;
	quiet = pace_quiet_until(os->quiet_start_min, os->quiet_end_min, os->utc_offset_min, now);
	/* Before its last line is asked for: the file at the path may be another by now. */
	if (os->exact && outbox_exact_idle(os))
		sink_refresh(os->sink);
	for (it = os->head; it != NULL; it = next) {
		next = it->next;
		if (it->in_flight)
			continue;
		it->held = 0;
		if (it->next_ms > now) {
			if (it->next_ms < earliest)
				earliest = it->next_ms;
			continue;
		}
		if (it->test_done != NULL) {
			/* A test skips pacing, but not the exact sink's one-at-a-time rule. */
			if (os->exact && !outbox_exact_idle(os))
				break;
			outbox_item_unlink(it);
			outbox_start_delivery(it);
			continue;
		}
		if (!sink_wants(os->sink, it->kind) &&
		    !(os->digest_ms > 0 && strcmp(it->kind, "ready") == 0 &&
		      sink_wants(os->sink, "digest"))) {
			outbox_record(it, STORE_DELIVERY_SKIPPED, NULL);
			continue;
		}
		if (it->first_ms != 0 && now - it->first_ms >= os->max_age_ms) {
			outbox_record(it, STORE_DELIVERY_FAILED, "older than max_age");
			continue;
		}
		if (outbox_digest_collects(os, it)) {
			it->held = 1; /* outbox_digest_dispatch's business */
			continue;
		}
		if (quiet > 0) {
			/* Quiet hours: held, in order, until they end. */
			it->held = 1;
			if (quiet < earliest)
				earliest = quiet;
			continue;
		}
		if (os->exact) {
			/* One at a time, and only once the previous result is written. */
			if (!outbox_exact_idle(os))
				break;
			if (outbox_already_there(it, now))
				continue;
		}
		if (os->in_flight >= OUTBOX_IN_FLIGHT_MAX)
			break;
		if ((t = pace_bucket_take(&os->bucket, now)) != 0) {
			/* The rate limit: this row and those after it wait for a token, in order. */
			for (struct outbox_item *h = it; h != NULL; h = h->next)
				h->held = !h->in_flight && h->test_done == NULL;
			if (t < earliest)
				earliest = t;
			break;
		}
		if (it->first_ms == 0)
			it->first_ms = now;
		outbox_start_delivery(it);
	}
	if (os->digest_ms > 0 && (t = outbox_digest_dispatch(os, now, quiet)) < earliest)
		earliest = t;
	return earliest;
}

static void outbox_timer_cb(uv_timer_t *handle)
{
	struct outbox *ob = handle->data;

	outbox_flush(ob);
	outbox_dispatch(ob);
}

static void outbox_maybe_finish(struct outbox *ob);

/* Starts what is due on every sink and sets the timer for the earliest retry. */
void outbox_dispatch(struct outbox *ob)
{
	int64_t now = outbox_now(ob), earliest = INT64_MAX;

	if (ob->store == NULL || ob->closing > 0 || ob->finishing)
		return;
	for (size_t i = 0; i < ob->nsinks; i++) {
		int64_t t = outbox_dispatch_sink(ob, ob->sinks[i], now);
		if (t < earliest)
			earliest = t;
	}
	if (ob->ndirty > 0 || (ob->nsinks > 0 && !ob->sinks[0]->registered)) {
		/* Waiting for the writer: the next kick, or this at the latest. */
		if (now + OUTBOX_WRITE_RETRY_MS < earliest)
			earliest = now + OUTBOX_WRITE_RETRY_MS;
	}
	if (ob->stopping) {
		outbox_maybe_finish(ob);
		return;
	}
	if (earliest == INT64_MAX)
		uv_timer_stop(&ob->timer);
	else
		uv_timer_start(&ob->timer, outbox_timer_cb,
		               (uint64_t)(earliest > now ? earliest - now : 0), 0);
}

/* --- sinks --- */

static void outbox_sinks_create(struct outbox *ob)
{
	const struct conf *conf = ob->conf;

	ob->sinks = xcalloc(conf->nnotify ? conf->nnotify : 1, sizeof(*ob->sinks));
	ob->nsinks = 0;
	for (size_t i = 0; i < conf->nnotify; i++) {
		const struct conf_notify *n = &conf->notify[i];
		struct buf err = { 0 };
		struct sink *sink = sink_create(ob->loop, n, &err);
		struct outbox_sink *os;
		if (sink == NULL) {
			/* Its rows wait in the outbox until a reload or restart brings it back. */
			log_warnx("notify[%zu]: %s", i, buf_cstr(&err));
			buf_free(&err);
			continue;
		}
		buf_free(&err);
		os = xcalloc(1, sizeof(*os));
		os->ob = ob;
		os->sink = sink;
		os->name = xstrdup(sink_name(sink));
		os->type = (int)n->type;
		os->exact = n->type == CONF_NOTIFY_FILE;
		os->retry_min_ms = n->retry_min_ms;
		os->retry_max_ms = n->retry_max_ms;
		os->max_age_ms = n->max_age_ms;
		pace_bucket_init(&os->bucket, n->rate_count, n->rate_period_ms, n->burst);
		os->quiet_start_min = n->quiet_start_min;
		os->quiet_end_min = n->quiet_end_min;
		os->utc_offset_min = n->utc_offset_min;
		os->digest_ms = n->digest_ms;
		ob->sinks[ob->nsinks++] = os;
	}
}

static void outbox_sink_free(struct outbox_sink *os)
{
	while (os->head != NULL) {
		struct outbox_item *it = os->head;
		/* A test that never started still gets its answer. */
		if (it->test_done != NULL)
			it->test_done(it->test_arg, os->name, SINK_RETRY,
			              "the notifier was closed (reload or stop)");
		outbox_item_free(it);
	}
	free(os->name);
	free(os);
}

static void outbox_timer_closed(uv_handle_t *handle)
{
	struct outbox *ob = handle->data;
	void (*closed)(void *arg) = ob->closed;
	void *arg = ob->closed_arg;

	for (size_t i = 0; i < 2 * ob->ndirty; i++)
		free(ob->dirty_strings[i]);
	free(ob->dirty_strings);
	free(ob->dirty);
	free(ob->sinks);
	if (ob->store != NULL)
		store_close(ob->store);
	free(ob);
	if (closed != NULL)
		closed(arg);
}

/* Every sink is closed: recreate them (reload) or finish (stop). */
static void outbox_sinks_closed(struct outbox *ob)
{
	for (size_t i = 0; i < ob->nsinks; i++)
		outbox_sink_free(ob->sinks[i]);
	free(ob->sinks);
	ob->sinks = NULL;
	ob->nsinks = 0;
	outbox_flush(ob);
	if (ob->stopping) {
		if (ob->ndirty > 0)
			log_warnx("outbox: %zu delivery results could not be written; those "
			          "notifications will be sent again", ob->ndirty);
		uv_close((uv_handle_t *)&ob->timer, outbox_timer_closed);
		return;
	}
	outbox_sinks_create(ob);
	outbox_flush(ob);
	outbox_dispatch(ob);
}

static void outbox_sink_closed(void *arg)
{
	struct outbox_sink *os = arg;
	struct outbox *ob = os->ob;

	if (--ob->closing == 0)
		outbox_sinks_closed(ob);
}

static void outbox_sinks_close(struct outbox *ob)
{
	uv_timer_stop(&ob->timer);
	if (ob->nsinks == 0) {
		outbox_sinks_closed(ob);
		return;
	}
	ob->closing = ob->nsinks;
	for (size_t i = 0; i < ob->nsinks; i++) {
		struct outbox_sink *os = ob->sinks[i];
		struct sink *sink = os->sink;
		/* NULL first: results of abandoned deliveries are not attempts. */
		os->sink = NULL;
		sink_close(sink, outbox_sink_closed, os);
	}
}

/* Stopping: close once nothing due is left (drain) or at once. */
static void outbox_maybe_finish(struct outbox *ob)
{
	if (ob->finishing || ob->closing > 0)
		return;
	if (ob->drain) {
		int64_t now = outbox_now(ob);
		for (size_t i = 0; i < ob->nsinks; i++) {
			struct outbox_sink *os = ob->sinks[i];
			if (os->in_flight > 0)
				return;
			for (struct outbox_item *it = os->head; it != NULL; it = it->next)
				if (it->next_ms <= now && os->registered && !it->held)
					return; /* due, and the exact sink waits for its turn */
		}
	}
	ob->finishing = 1;
	outbox_sinks_close(ob);
}

/* --- the interface --- */

/*
 * WARMTHD_TEST_CLOCK_OFFSET (a duration, "-" for the past: "-3h", "90m")
 * moves the clock of delivery decisions, so that tests of quiet hours,
 * digest periods and rate limits need no long sleeps. For tests only:
 * it is logged as a warning.
 */
static void outbox_test_clock(struct outbox *ob)
{
	const char *v = getenv("WARMTHD_TEST_CLOCK_OFFSET");
	int64_t ms;

	if (v == NULL || *v == '\0')
		return;
	if (parse_duration_ms(v[0] == '-' ? v + 1 : v, &ms) < 0) {
		log_warnx("WARMTHD_TEST_CLOCK_OFFSET=%s is not a duration; ignored", v);
		return;
	}
	ob->clock_offset_ms = v[0] == '-' ? -ms : ms;
	log_warnx("outbox: delivery clock moved by %s (WARMTHD_TEST_CLOCK_OFFSET, for tests only)", v);
}

struct outbox *outbox_new(uv_loop_t *loop, const struct conf *conf, const int *writer_busy)
{
	struct outbox *ob = xcalloc(1, sizeof(*ob));

	ob->loop = loop;
	ob->conf = conf;
	ob->writer_busy = writer_busy;
	ob->rng = uv_hrtime() | 1;
	outbox_test_clock(ob);
	uv_timer_init(loop, &ob->timer);
	ob->timer.data = ob;
	return ob;
}

int outbox_start(struct outbox *ob)
{
	char err[512];

	if (store_open(ob->conf->database, 0, ob->conf->synchronous_full, &ob->store, err,
	               sizeof(err)) < 0) {
		log_err("outbox: %s", err);
		return -1;
	}
	outbox_sinks_create(ob);
	outbox_flush(ob);
	outbox_dispatch(ob);
	return 0;
}

void outbox_kick(struct outbox *ob)
{
	outbox_flush(ob);
	outbox_dispatch(ob);
}

void outbox_reload(struct outbox *ob, const struct conf *conf)
{
	ob->conf = conf;
	/* Not started: outbox_start makes them. Closing: those made next use conf. */
	if (ob->store == NULL || ob->stopping || ob->closing > 0)
		return;
	outbox_sinks_close(ob);
}

void outbox_close(struct outbox *ob, int drain, void (*closed)(void *arg), void *arg)
{
	ob->closed = closed;
	ob->closed_arg = arg;
	ob->stopping = 1;
	ob->drain = drain && ob->store != NULL;
	if (ob->closing > 0)
		return; /* a reload's close is under way: it finishes instead */
	if (ob->drain) {
		outbox_flush(ob);
		outbox_dispatch(ob);
	} else {
		outbox_maybe_finish(ob);
	}
}

void outbox_foreach_counts(const struct outbox *ob,
                           void (*cb)(void *ctx, const char *sink, uint64_t delivered,
                                      uint64_t retried, uint64_t failed),
                           void *ctx)
{
	for (size_t i = 0; i < ob->nsinks; i++) {
		const struct outbox_sink *os = ob->sinks[i];
		cb(ctx, os->name, os->delivered, os->retried, os->failed);
	}
}
