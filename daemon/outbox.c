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
 * outbox for the earliest retry.
 *
 * Exactly once to the file sink: it gets one row at a time, and the next
 * only once the previous result is written. So at most one line can be in
 * the file without its "delivered" row (a crash in between), and it is the
 * file's last line: before each delivery the row's id is compared with
 * sink_last_id(), and a row already there is recorded, not written again.
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
#include "outbox.h"
#include "sink.h"

/* Deliveries started per sink at once: enough for a slow webhook, bounded. */
#define OUTBOX_IN_FLIGHT_MAX 16
/* How soon results that could not be written are tried again. */
#define OUTBOX_WRITE_RETRY_MS 1000

struct outbox_sink;

struct outbox_item {
	struct outbox_sink *os;
	struct outbox_item *prev, *next;
	int64_t seq;
	char *id, *kind;
	char *record;               /* with the note in it */
	size_t len;
	int64_t attempts, first_ms, next_ms;
	int in_flight;
};

struct outbox_sink {
	struct outbox *ob;
	struct sink *sink;
	char *name;
	int exact;                  /* file: one at a time, checked against sink_last_id() */
	int registered;             /* its since_seq is known */
	int64_t scanned;            /* rows up to this seq are loaded (or not its business) */
	struct outbox_item *head, *tail;
	size_t in_flight;
	int64_t retry_min_ms, retry_max_ms, max_age_ms;
	uint64_t delivered, retried, failed; /* results since start, for the metrics */
};

struct outbox {
	uv_loop_t *loop;
	const struct conf *conf;    /* the sinks to create at the next (re)creation */
	const int *writer_busy;
	struct store *store;
	struct outbox_sink **sinks;
	size_t nsinks;
	size_t closing;             /* sinks being closed */
	struct store_delivery *dirty; /* results not yet written */
	char **dirty_strings;       /* their sink and last_error, owned, two per result */
	size_t ndirty, dirty_cap;
	uint64_t rng;
	uv_timer_t timer;
	int stopping, drain, finishing;
	void (*closed)(void *arg);
	void *closed_arg;
};

static void outbox_dispatch(struct outbox *ob);

/* xorshift64*: jitter only, no need for quality. */
static double outbox_random(struct outbox *ob)
{
	ob->rng ^= ob->rng >> 12;
	ob->rng ^= ob->rng << 25;
	ob->rng ^= ob->rng >> 27;
	return (double)((ob->rng * 2685821657736338717ULL) >> 11) / (double)(1ULL << 53);
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

static struct outbox_item *outbox_item_new(struct outbox_sink *os, const struct store_outbox *o,
                                           const struct store_delivery *d)
{
	static const char null_note[] = "\"note\":null}";
	struct outbox_item *it = xcalloc(1, sizeof(*it));
	struct buf rec = { 0 };
	size_t n = sizeof(null_note) - 1;

	it->os = os;
	it->seq = o->seq;
	it->id = xstrdup(o->id);
	it->kind = xstrdup(o->kind);
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
	it->attempts = d->attempts;
	it->first_ms = d->first_ms;
	it->next_ms = d->next_ms;
	it->prev = os->tail;
	if (os->tail != NULL)
		os->tail->next = it;
	else
		os->head = it;
	os->tail = it;
	return it;
}

static void outbox_item_free(struct outbox_item *it)
{
	struct outbox_sink *os = it->os;

	if (it->prev != NULL)
		it->prev->next = it->next;
	else
		os->head = it->next;
	if (it->next != NULL)
		it->next->prev = it->prev;
	else
		os->tail = it->prev;
	free(it->id);
	free(it->kind);
	free(it->record);
	free(it);
}

/* Queues the item's state for writing; final states also drop the item. */
static void outbox_record(struct outbox_item *it, enum store_delivery_state state,
                          const char *error)
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
	d->updated_ms = time_now_ms();
	d->last_error = ob->dirty_strings[2 * ob->ndirty + 1];
	ob->ndirty++;
	if (state != STORE_DELIVERY_PENDING)
		outbox_item_free(it);
}

/* Writes the queued results and registers new sinks, if the writer is idle. */
static void outbox_flush(struct outbox *ob)
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

static int64_t outbox_backoff(struct outbox *ob, const struct outbox_sink *os, int64_t attempts)
{
	double delay = (double)os->retry_min_ms;

	for (int64_t i = 1; i < attempts && delay < (double)os->retry_max_ms; i++)
		delay *= 2;
	if (delay > (double)os->retry_max_ms)
		delay = (double)os->retry_max_ms;
	/* Up to 25% either way: receivers back after an outage are not hit all at once. */
	delay *= 0.75 + 0.5 * outbox_random(ob);
	return (int64_t)delay;
}

static void outbox_done(void *arg, enum sink_result result, const char *reason)
{
	struct outbox_item *it = arg;
	struct outbox_sink *os = it->os;
	struct outbox *ob = os->ob;
	int64_t now = time_now_ms();

	it->in_flight = 0;
	os->in_flight--;
	if (result == SINK_RETRY && os->sink == NULL) {
		/* Abandoned by a closing sink: not an attempt; retried after a restart or reload. */
		return;
	}
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
		it->next_ms = now + outbox_backoff(ob, os, it->attempts);
		log_notice("notification %s to %s: %s; retry in %lld ms", it->id, os->name, reason,
		           (long long)(it->next_ms - now));
		outbox_record(it, STORE_DELIVERY_PENDING, reason);
	}
	outbox_flush(ob);
	outbox_dispatch(ob);
}

static int outbox_load_row(void *ctx, const struct store_outbox *o, const struct store_delivery *d)
{
	struct outbox_sink *os = ctx;

	outbox_item_new(os, o, d);
	return 0;
}

/* Starts what is due for one sink; returns the earliest later try (INT64_MAX: none). */
static int64_t outbox_dispatch_sink(struct outbox *ob, struct outbox_sink *os, int64_t now)
{
	struct outbox_item *it, *next;
	int64_t earliest = INT64_MAX, upto = 0;

	if (os->sink == NULL || !os->registered)
		return earliest;
	if (store_foreach_undelivered(ob->store, os->name, os->scanned, &upto, outbox_load_row,
	                              os) < 0)
		return now + OUTBOX_WRITE_RETRY_MS;
	if (upto > os->scanned)
		os->scanned = upto;
	for (it = os->head; it != NULL; it = next) {
		next = it->next;
		if (it->in_flight)
			continue;
		if (it->next_ms > now) {
			if (it->next_ms < earliest)
				earliest = it->next_ms;
			continue;
		}
		if (!sink_wants(os->sink, it->kind)) {
			outbox_record(it, STORE_DELIVERY_SKIPPED, NULL);
			continue;
		}
		if (it->first_ms != 0 && now - it->first_ms >= os->max_age_ms) {
			outbox_record(it, STORE_DELIVERY_FAILED, "older than max_age");
			continue;
		}
		if (os->exact) {
			const char *last;
			/* One at a time, and only once the previous result is written. */
			if (os->in_flight > 0 || ob->ndirty > 0)
				break;
			last = sink_last_id(os->sink);
			if (last != NULL && strcmp(last, it->id) == 0) {
				log_notice("notification %s is already in %s (written before a crash)",
				           it->id, os->name);
				if (it->first_ms == 0)
					it->first_ms = now;
				it->attempts++;
				outbox_record(it, STORE_DELIVERY_DELIVERED, NULL);
				outbox_flush(ob);
				continue;
			}
		}
		if (os->in_flight >= OUTBOX_IN_FLIGHT_MAX)
			break;
		if (it->first_ms == 0)
			it->first_ms = now;
		it->in_flight = 1;
		os->in_flight++;
		sink_deliver(os->sink, it->record, it->len, outbox_done, it);
	}
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
static void outbox_dispatch(struct outbox *ob)
{
	int64_t now = time_now_ms(), earliest = INT64_MAX;

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
		os->exact = n->type == CONF_NOTIFY_FILE;
		os->retry_min_ms = n->retry_min_ms;
		os->retry_max_ms = n->retry_max_ms;
		os->max_age_ms = n->max_age_ms;
		ob->sinks[ob->nsinks++] = os;
	}
}

static void outbox_sink_free(struct outbox_sink *os)
{
	while (os->head != NULL)
		outbox_item_free(os->head);
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
		int64_t now = time_now_ms();
		for (size_t i = 0; i < ob->nsinks; i++) {
			struct outbox_sink *os = ob->sinks[i];
			if (os->in_flight > 0)
				return;
			for (struct outbox_item *it = os->head; it != NULL; it = it->next)
				if (it->next_ms <= now && os->registered)
					return; /* due, and the exact sink waits for its turn */
		}
	}
	ob->finishing = 1;
	outbox_sinks_close(ob);
}

/* --- the interface --- */

struct outbox *outbox_new(uv_loop_t *loop, const struct conf *conf, const int *writer_busy)
{
	struct outbox *ob = xcalloc(1, sizeof(*ob));

	ob->loop = loop;
	ob->conf = conf;
	ob->writer_busy = writer_busy;
	ob->rng = uv_hrtime() | 1;
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
