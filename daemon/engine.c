/*
 * engine.c - wiring: lines -> events -> contacts -> batches -> store.
 *
 * All state lives on the loop thread: accounts, contacts (one uthash table
 * per account, keyed by actor), the set of seen event ids and the counters.
 * Each line is parsed at once and applied two lines later (the lookahead
 * of engine_on_line); what it changed is remembered as
 * "dirty". A batch is closed when it holds ingest.batch_events items, when
 * the tailer has read everything there is (live lines commit at once), or
 * ingest.batch_interval after its first item; while a backlog is being
 * read, not before ingest.backlog_interval. Then the dirty contacts,
 * accounts and file offsets are copied into it and it is committed by
 * store_commit() on libuv's thread pool (engine_commit.c), while the loop
 * goes on building the next one. With one batch committing and the next
 * one full, reading pauses until the commit is done: the input files are
 * the buffer, so memory stays bounded whatever the backlog.
 *
 * A commit that fails (disk full, database locked) is retried with backoff;
 * reading stays paused meanwhile, so nothing read is lost.
 *
 * Notifications are rows of a batch like any state; after each commit the
 * outbox (outbox.c) is kicked to deliver them, on the loop, while no commit
 * is writing.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "engine.h"
#include "engine_internal.h"

/* --- accounts, contacts, seen ids --- */

/*
 * Seeds the account's event id keys (and its key filter's): a function of
 * the name alone, so that the parse-ahead worker, which has no account
 * table, works out the same keys (engine_event_keys).
 */
static uint64_t engine_account_seed(const char *name, size_t len)
{
	return hash64(name, len);
}

static uint32_t engine_account_add(struct engine *e, const char *name, size_t len)
{
	struct engine_account *a;

	e->accounts = xrealloc(e->accounts, (e->naccounts + 1) * sizeof(*e->accounts));
	a = &e->accounts[e->naccounts];
	memset(a, 0, sizeof(*a));
	a->a.name = xstrndup(name, len);
	a->name_len = len;
	a->a.followers = -1;
	a->a.connections = -1;
	a->seed = engine_account_seed(name, len);
	a->dirty = 1;
	return e->naccounts++;
}

static uint32_t engine_account_find(struct engine *e, const char *name, size_t len)
{
	struct engine_account *a;

	if (e->last_account < e->naccounts) {
		a = &e->accounts[e->last_account];
		if (a->name_len == len && memcmp(a->a.name, name, len) == 0)
			return e->last_account;
	}
	for (uint32_t i = 0; i < e->naccounts; i++) {
		a = &e->accounts[i];
		if (a->name_len == len && memcmp(a->a.name, name, len) == 0)
			return e->last_account = i;
	}
	return e->last_account = engine_account_add(e, name, len);
}

void engine_mark_dirty(struct engine *e, struct engine_contact *ec)
{
	if (ec->dirty)
		return;
	ec->dirty = 1;
	ec->next_dirty = e->dirty_contacts;
	e->dirty_contacts = ec;
}

/*
 * Prefetching, in two steps a line apart, so that each load has a parse's
 * time to arrive: when an event is parsed, its seen-id slot and the slot
 * of its contact's hash bucket (the bucket array of a large table is
 * megabytes); a line later, through the bucket now in cache, the head of
 * its chain, which is usually its contact. Read at once, the bucket
 * stalled the parse that should have hidden the contact's miss.
 */
static void engine_prefetch(struct engine *e, const struct engine_pending *p, unsigned step)
{
	const struct engine_account *a = &e->accounts[p->account];

	if (step == 0 && p->ev->id.ptr != NULL)
		idset_prefetch(&e->seen, p->keys.id_key);
	if (a->contacts == NULL || p->ev->actor.ptr == NULL)
		return;
	const UT_hash_table *tbl = a->contacts->hh.tbl;
	unsigned bucket;
	HASH_TO_BKT(p->keys.actor_hash, tbl->num_buckets, bucket);
	if (step == 0) {
		__builtin_prefetch(&tbl->buckets[bucket]);
		return;
	}
	const UT_hash_handle *head = tbl->buckets[bucket].hh_head;
	if (head != NULL) {
		__builtin_prefetch(head);
		__builtin_prefetch((const char *)head - tbl->hho);
	}
}

/*
 * The newest event time accepted from now on (e->ts_limit_ms). Worked
 * out when a batch opens and every minute, a limit is at most that old:
 * stricter than the wall clock by that much, never looser.
 */
static void engine_clock_limit(struct engine *e)
{
	e->ts_limit_ms = time_now_ms() + e->conf->future_tolerance_ms;
}

/* The clock itself (engine_clock_heal). */
static void engine_clock_heal_clock(struct engine *e)
{
	char newest[TIME_RFC3339_LEN], healed[TIME_RFC3339_LEN];

	if (e->counters.newest_ms <= e->ts_limit_ms)
		return;
	/*
	 * Back to the newest time of the events before the limit, as near as
	 * the database tells it (the contacts' last events), so that the
	 * de-duplication window still covers the ids of the real events.
	 */
	int64_t ms = store_newest_event_ms(e->reader, e->ts_limit_ms);
	if (ms <= 0)
		ms = e->ts_limit_ms;
	time_format_rfc3339(e->counters.newest_ms, newest);
	time_format_rfc3339(ms, healed);
	log_warnx("newest event time %s in %s is beyond the wall clock plus time.future_tolerance: "
	          "brought back to %s",
	          newest, e->conf->database, healed);
	e->counters.newest_ms = ms;
	/* Written with the first batch, so the next start need not heal it again. */
	engine_batch_opened(e);
}

/*
 * A database written before events were held to the wall clock may keep
 * a newest event time far ahead of it (one line dated 2099 was enough):
 * the event clock would stay there, every remembered id would fall out of
 * the de-duplication window and nobody would ever be ready again. The
 * clock, and any account's snapshot time, are brought back within the
 * limit, once, at start.
 */
static void engine_clock_heal(struct engine *e)
{
	char newest[TIME_RFC3339_LEN], healed[TIME_RFC3339_LEN];

	engine_clock_limit(e);
	engine_clock_heal_clock(e);
	/*
	 * A snapshot dated beyond the limit would outrank every real one
	 * (the newest wins) and hold back the counts of the events after it:
	 * it is taken as of the healed clock, so the next real one wins.
	 */
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_account *a = &e->accounts[i];
		if (a->a.snapshot_ms <= e->ts_limit_ms)
			continue;
		time_format_rfc3339(a->a.snapshot_ms, newest);
		time_format_rfc3339(e->counters.newest_ms, healed);
		log_warnx("account %s: snapshot time %s is beyond the wall clock plus "
		          "time.future_tolerance: taken as %s",
		          a->a.name, newest, healed);
		a->a.snapshot_ms = e->counters.newest_ms;
		a->dirty = 1;
		engine_batch_opened(e);
	}
}

/* --- the batch being built --- */

static void engine_batch_timer_cb(uv_timer_t *handle)
{
	struct engine *e = handle->data;

	/*
	 * A backlog: every commit rewrites each contact the batch touched, so
	 * committing on the short interval would write a hot contact many
	 * times a second for nothing (nobody waits for a line of last week).
	 * The batch grows up to backlog_interval (or batch_events) instead.
	 */
	uint64_t age = uv_now(e->loop) - e->batch_opened_at;
	uint64_t backlog = (uint64_t)e->conf->backlog_interval_ms;
	if (!e->tail_idle && !e->stopping && age < backlog) {
		uv_timer_start(&e->batch_timer, engine_batch_timer_cb, backlog - age, 0);
		return;
	}
	engine_batch_request_close(e);
}

/* Closes the batch now, or as soon as the commit in flight is done. */
void engine_batch_request_close(struct engine *e)
{
	/*
	 * Group commit: while the previous batch is still committing, this one
	 * keeps growing (up to batch_events) and is closed as soon as the
	 * commit is done. So a slow store gets fewer, larger batches instead
	 * of a stalled reader, and a hot contact is written once per batch.
	 */
	if (e->in_flight || e->failing) {
		e->want_close = 1;
		return;
	}
	engine_batch_close(e);
}

void engine_batch_opened(struct engine *e)
{
	if (e->batch_open)
		return;
	e->batch_open = 1;
	e->batch_opened_at = uv_now(e->loop);
	engine_clock_limit(e);
	uv_timer_start(&e->batch_timer, engine_batch_timer_cb, (uint64_t)e->conf->batch_interval_ms, 0);
}

static void engine_file_dirty(struct engine *e, struct tail_file *f)
{
	if (e->ndirty_files > 0 && e->dirty_files[e->ndirty_files - 1].f == f)
		return;
	for (size_t i = 0; i < e->ndirty_files; i++)
		if (e->dirty_files[i].f == f)
			return;
	if (e->ndirty_files == e->dirty_files_cap) {
		e->dirty_files_cap = e->dirty_files_cap ? e->dirty_files_cap * 2 : 8;
		e->dirty_files = xrealloc(e->dirty_files, e->dirty_files_cap * sizeof(*e->dirty_files));
	}
	e->dirty_files[e->ndirty_files++].f = f;
	engine_batch_opened(e);
}

void engine_count_item(struct engine *e)
{
	e->lines_read++;
	e->batch_lines++;
	/* cache_over: commits let contacts go (engine_cache.c). */
	if (e->batch_lines >= e->conf->batch_events || e->cache_over)
		engine_batch_close(e);
}

void engine_reject(struct engine *e, const char *source, uint64_t offset, enum event_reject reason,
                   const char *detail, const char *line, size_t len)
{
	struct store_reject r = { 0 };

	r.file = source;
	r.offset = offset;
	r.reason = reason;
	r.detail = detail;
	r.line = line;
	r.line_len = len > STORE_REJECT_LINE_MAX ? STORE_REJECT_LINE_MAX : len;
	r.wall_ms = time_now_ms();
	store_batch_reject(e->building, &r);
	e->counters.rejected++;
	e->counters.rejected_by_reason[reason]++;
	log_debug("%s:%llu: rejected (%s): %s", r.file, (unsigned long long)offset,
	          event_reject_name(reason), detail);
}

/* A line longer than ingest.max_line_bytes: head_len bytes of it for the dead letter. */
void engine_reject_long(struct engine *e, const char *source, uint64_t offset, const char *head,
                        size_t head_len, uint64_t total_len)
{
	char detail[128];

	snprintf(detail, sizeof(detail), "line of %llu bytes exceeds ingest.max_line_bytes (%llu)",
	         (unsigned long long)total_len, (unsigned long long)e->conf->max_line_bytes);
	engine_reject(e, source, offset, REJECT_LINE_TOO_LONG, detail, head, head_len);
}

/* An event dated beyond e->ts_limit_ms (see engine_clock_limit). */
void engine_reject_future(struct engine *e, const char *source, uint64_t offset, int64_t ts_ms,
                          const char *line, size_t len)
{
	char ts[TIME_RFC3339_LEN], limit[TIME_RFC3339_LEN], detail[128];

	time_format_rfc3339(ts_ms, ts);
	time_format_rfc3339(e->ts_limit_ms, limit);
	snprintf(detail, sizeof(detail),
	         "ts: %s is after the wall clock plus time.future_tolerance (%s)", ts, limit);
	engine_reject(e, source, offset, REJECT_FUTURE_TS, detail, line, len);
}

/* The hashes applying ev needs, from its bytes alone: on either thread (engine_internal.h). */
void engine_event_keys(const struct event *ev, struct engine_keys *k)
{
	memset(k, 0, sizeof(*k));
	if (ev->id.ptr != NULL)
		k->id_key = hash128_seeded(ev->id.ptr, ev->id.len,
		                           engine_account_seed(ev->account.ptr, ev->account.len));
	if (ev->actor.ptr != NULL)
		HASH_VALUE(ev->actor.ptr, ev->actor.len, k->actor_hash);
	if (ev->post.ptr != NULL)
		k->post_hash = score_post_hash(ev->post.ptr, ev->post.len, ev->dir_out);
}

/* Works out p's account (the loop's table), for prefetching and applying. */
static void engine_pending_prepare(struct engine *e, struct engine_pending *p)
{
	p->account = engine_account_find(e, p->ev->account.ptr, p->ev->account.len);
}

static void engine_apply(struct engine *e, const struct engine_pending *p)
{
	const struct event *ev = p->ev;
	uint32_t account = p->account;
	struct engine_account *a = &e->accounts[account];

	if (ev->id.ptr != NULL) {
		/* Older than the window: looked up on disk too (engine_dedup.c). */
		if (ev->ts_ms < e->cold_before_ms) {
			if (engine_dedup_old(e, p->keys.id_key, ev->ts_ms)) {
				e->counters.duplicate++;
				return;
			}
		} else if (idset_add(&e->seen, p->keys.id_key, ev->ts_ms)) {
			e->counters.duplicate++;
			return;
		} else {
			store_batch_dedup(e->building, p->keys.id_key, ev->ts_ms);
		}
	}
	e->counters.accepted++;
	e->counters.accepted_by_type[ev->type]++;
	if (ev->ts_ms > e->counters.newest_ms)
		e->counters.newest_ms = ev->ts_ms;
	if (ev->type == EVENT_SNAPSHOT) {
		account_apply_snapshot(&a->a, ev);
		a->dirty = 1;
		a->network_due = 1;
		return;
	}
	struct engine_contact *ec = engine_contact_get(e, account, ev->actor.ptr, ev->actor.len,
	                                               p->keys.actor_hash);
	/* The relationship before the event: the network counters count changes of it. */
	struct contact_relationship before = ec->c.rel;
	contact_apply(&ec->c, ev, e->conf->evidence_per_contact);
	if (event_type_is_engagement(ev->type))
		engine_rules_engagement(e, ec, ev, p->keys.post_hash);
	else if (ev->type == EVENT_INVITE_SENT && ev->dir_out)
		engine_rules_invitation(e, ec, ev); /* mine spend the budget, theirs do not */
	engine_rules_network_event(e, ec, &before, ev);
	engine_mark_dirty(e, ec);
}

void engine_accept_event(struct engine *e, const struct event *ev)
{
	struct engine_pending p;

	engine_flush_pending(e);
	p.ev = ev;
	engine_event_keys(ev, &p.keys);
	engine_pending_prepare(e, &p);
	engine_apply(e, &p);
}

/* Applies the oldest waiting event. */
static void engine_apply_oldest(struct engine *e)
{
	unsigned slot = e->ring_head;

	e->ring_head = (e->ring_head + 1) % ENGINE_LOOKAHEAD;
	e->ring_n--;
	engine_apply(e, &e->pending[slot]);
}

void engine_flush_pending(struct engine *e)
{
	while (e->ring_n > 0)
		engine_apply_oldest(e);
}

/*
 * A line: parsed at once (or taken parsed from the worker of a large run,
 * engine_parse.c), applied when two more lines of the run have been (or
 * the run ends, or a batch closes), so that the cache misses of applying
 * it (its seen-id slot, its contact, in state far larger than the caches)
 * overlap the parses instead of stalling one after the other. A pending
 * event never outlives the tailer's run of lines (lines_done) nor gets
 * into a batch after its offset: engine_batch_close applies it first.
 */
static void engine_on_line(void *ctx, struct tail_file *f, const char *line, size_t len,
                           uint64_t offset)
{
	struct engine *e = ctx;
	enum event_reject rc;

	e->tail_idle = 0;
	engine_file_dirty(e, f);
	/*
	 * The tailer skips a line that outgrows its buffer unfinished
	 * (engine_on_long_line), but a longer one that arrived whole within
	 * one read comes here: the limit holds for it too, wherever it falls.
	 */
	if (event_line_len(line, len) > e->conf->max_line_bytes) {
		engine_reject_long(e, tail_file_path(f), offset, line, len, event_line_len(line, len));
		engine_count_item(e);
		return;
	}
	/* The ring is full: the oldest is applied, its slot (and parser) reused. */
	if (e->ring_n == ENGINE_LOOKAHEAD)
		engine_apply_oldest(e);
	unsigned slot = (e->ring_head + e->ring_n) % ENGINE_LOOKAHEAD;
	struct engine_pending *p = &e->pending[slot];
	/* Parsed already on the second core (engine_parse.c), or here. */
	const struct engine_parsed *done = engine_parse_ahead_take(e->ahead, line, len);
	if (done != NULL) {
		rc = done->rc;
		/* Not copied: the result stays until the run ends, after the ring is applied. */
		p->ev = &done->ev;
		p->keys = done->keys;
	} else if ((rc = event_parse(e->parsers[slot], line, len, &p->own)) == REJECT_NONE) {
		p->ev = &p->own;
		engine_event_keys(p->ev, &p->keys);
	}
	/* Rejected or not, the line's unknown fields are counted (the parse filled them either way). */
	const struct event *parsed = done != NULL ? &done->ev : &p->own;
	if (parsed->nunknown > 0)
		engine_fields_note(e, parsed, tail_file_path(f), offset);
	if (rc == REJECT_NONE && p->ev->ts_ms > e->ts_limit_ms) {
		engine_reject_future(e, tail_file_path(f), offset, p->ev->ts_ms, line, len);
	} else if (rc != REJECT_NONE) {
		engine_reject(e, tail_file_path(f), offset, rc,
		              done != NULL ? done->error : event_parser_error(e->parsers[slot]), line,
		              len);
	} else {
		engine_pending_prepare(e, p);
		engine_prefetch(e, p, 0);
		if (e->ring_n > 0)
			engine_prefetch(e, &e->pending[(slot + ENGINE_LOOKAHEAD - 1) % ENGINE_LOOKAHEAD], 1);
		e->ring_n++;
	}
	engine_count_item(e);
}

static void engine_on_run_begin(void *ctx, const char *buf, size_t len)
{
	engine_parse_ahead_start(((struct engine *)ctx)->ahead, buf, len);
}

static void engine_on_lines_done(void *ctx)
{
	struct engine *e = ctx;

	/* The waiting events point into the run (and the worker's results). */
	engine_flush_pending(e);
	engine_parse_ahead_stop(e->ahead);
	engine_dedup_release(e);
}

static void engine_on_long_line(void *ctx, struct tail_file *f, uint64_t offset, const char *head,
                                size_t head_len, uint64_t total_len)
{
	struct engine *e = ctx;

	e->tail_idle = 0;
	engine_file_dirty(e, f);
	engine_reject_long(e, tail_file_path(f), offset, head, head_len, total_len);
	engine_count_item(e);
}

static void engine_on_progress(void *ctx, struct tail_file *f)
{
	engine_file_dirty(ctx, f);
}

static void engine_on_forget(void *ctx, int64_t file_id)
{
	struct engine *e = ctx;

	/* The file's final offset must not be written after its deletion. */
	for (size_t i = 0; i < e->ndirty_files; i++) {
		if (tail_file_id(e->dirty_files[i].f) == file_id) {
			e->dirty_files[i] = e->dirty_files[--e->ndirty_files];
			break;
		}
	}
	if (e->nforgotten == e->forgotten_cap) {
		e->forgotten_cap = e->forgotten_cap ? e->forgotten_cap * 2 : 8;
		e->forgotten = xrealloc(e->forgotten, e->forgotten_cap * sizeof(*e->forgotten));
	}
	e->forgotten[e->nforgotten++] = file_id;
	engine_batch_opened(e);
}

static void engine_on_caught_up(void *ctx)
{
	struct engine *e = ctx;

	e->caught_up = 1;
	e->tail_idle = 1;
	/* Live lines: nothing more to wait for, so commit (and notify) now. */
	if (e->batch_lines > 0 && !e->stopping)
		engine_batch_request_close(e);
	if (e->once && !e->stopping) {
		log_info("--once: every input read to its end");
		engine_stop(e);
	}
}

/* --- the batch closed (committed by engine_commit.c) --- */

/* Copies the dirty contacts into the batch, evaluating each first if asked. */
static void engine_batch_dirty_contacts(struct engine *e, int evaluate)
{
	while (e->dirty_contacts != NULL) {
		struct engine_contact *ec = e->dirty_contacts;
		/* While it is still marked dirty, so that a re-arm does not list it twice. */
		if (evaluate)
			engine_rules_contact(e, ec);
		e->dirty_contacts = ec->next_dirty;
		ec->next_dirty = NULL;
		ec->dirty = 0;
		ec->seq = e->batch_seq;
		store_batch_contact(e->building, &ec->c);
	}
}

/*
 * Closes the batch being built: copies what changed into it and submits
 * it, or, when the previous one is still committing, pauses reading until
 * it is done.
 */
void engine_batch_close(struct engine *e)
{
	struct store_file rec;
	struct store_batch *tmp;

	/* Its offset is already the file's: the pending event belongs in this batch. */
	engine_flush_pending(e);
	uv_timer_stop(&e->batch_timer);
	if (!e->batch_open && e->batch_lines == 0)
		return;
	if (e->in_flight || e->failing) {
		/* Full and the store is busy: the input files are the buffer. */
		e->want_close = 1;
		tail_pause(e->tail);
		return;
	}
	e->cache_over = 0;
	/*
	 * Readiness is evaluated as each contact is copied. Firing, at the end
	 * of the round, changes contacts (copied again: the later copy wins)
	 * and accounts (copied after it), and adds outbox rows: all of it
	 * commits together.
	 */
	engine_rules_begin(e);
	engine_batch_dirty_contacts(e, 1);
	engine_rules_end(e);
	engine_batch_dirty_contacts(e, 0);
	engine_rules_network(e);
	for (uint32_t i = 0; i < e->naccounts; i++) {
		if (e->accounts[i].dirty) {
			store_batch_account_ratio(e->building, i, &e->accounts[i].a,
			                          e->accounts[i].ratio);
			engine_rules_series(e, i);
			e->accounts[i].dirty = 0;
		}
	}
	for (size_t i = 0; i < e->ndirty_files; i++) {
		tail_file_snapshot(e->dirty_files[i].f, &rec);
		store_batch_file(e->building, &rec);
	}
	e->ndirty_files = 0;
	for (size_t i = 0; i < e->nforgotten; i++)
		store_batch_file_delete(e->building, e->forgotten[i]);
	e->nforgotten = 0;
	/*
	 * Backfills move event time fast: the window moves as it moves, not
	 * only by the clock, each time it has moved by an eighth of the
	 * retention (a move walks the set and the window's rows, so not on
	 * every batch).
	 */
	if (e->counters.newest_ms - e->pruned_at_ms > e->conf->dedup_retention_ms / 8) {
		e->pruned_at_ms = e->counters.newest_ms;
		engine_dedup_prune(e);
	}
	e->counters.time_source = e->conf->time_source == CONF_TIME_EVENT ? 2 : 1;
	store_batch_counters(e->building, &e->counters);
	e->batch_open = 0;
	e->batch_lines = 0;

	engine_dedup_closing(e);
	tmp = e->committing;
	e->committing = e->building;
	e->building = tmp;
	e->committing_seq = e->batch_seq++;
	e->committing_live = e->tail_idle;
	e->new_building = 0;
	engine_submit(e);
}

/* --- start, stop, reload --- */

static void engine_load_account(void *ctx, uint32_t id, const struct account *a)
{
	struct engine *e = ctx;

	while (e->naccounts <= id)
		engine_account_add(e, "", 0);
	struct engine_account *ea = &e->accounts[id];
	free(ea->a.name);
	ea->a = *a;
	ea->a.name = xstrdup(a->name);
	if (a->budget != NULL) {
		ea->a.budget = xmalloc(sizeof(*ea->a.budget));
		*ea->a.budget = *a->budget;
	}
	/* The same connection, another statement: fine while the accounts are read. */
	struct ratio_account ratio;
	int rc = store_account_ratio(e->store, id, &ratio);
	if (rc == 0) {
		ea->ratio = xmalloc(sizeof(*ea->ratio));
		*ea->ratio = ratio;
	} else if (rc < 0) {
		log_warnx("account %s: network counters unreadable; they start empty", a->name);
	}
	ea->name_len = strlen(a->name);
	ea->seed = engine_account_seed(a->name, strlen(a->name));
	ea->dirty = 0;
	ea->known = 1;
}

static void engine_load_file(void *ctx, const struct store_file *f)
{
	tail_add_known(((struct engine *)ctx)->tail, f);
}

static void engine_load_seen(void *ctx, struct hash128 key, int64_t ts_ms)
{
	idset_add(&((struct engine *)ctx)->seen, key, ts_ms);
}

static void engine_cron_cb(uv_timer_t *handle)
{
	struct engine *e = handle->data;

	/*
	 * On the clock, waits and snoozes expire with no event to notice
	 * them: the watch list is looked at every minute. It holds only the
	 * contacts that time alone can make ready, so this is cheap, and a
	 * batch is opened only when something changed.
	 */
	engine_clock_limit(e);
	if (e->conf->time_source == CONF_TIME_WALL && !e->stopping && engine_rules_sweep(e) > 0)
		engine_batch_opened(e);
	engine_status_sample(e);
	/* Only when time moved on: an idle daemon should not write. */
	if (e->counters.newest_ms == e->pruned_at_ms)
		return;
	e->pruned_at_ms = e->counters.newest_ms;
	engine_dedup_prune(e);
	engine_batch_opened(e);
}

struct engine *engine_new(uv_loop_t *loop, struct conf *conf, int once)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	e->started_ns = uv_hrtime();
	static const struct tail_callbacks cb = {
		.line = engine_on_line,
		.lines_done = engine_on_lines_done,
		.run_begin = engine_on_run_begin,
		.long_line = engine_on_long_line,
		.progress = engine_on_progress,
		.forget = engine_on_forget,
		.caught_up = engine_on_caught_up,
	};

	e->loop = loop;
	e->conf = conf;
	e->once = once;
	for (unsigned i = 0; i < ENGINE_LOOKAHEAD; i++)
		e->parsers[i] = event_parser_new();
	e->ahead = engine_parse_ahead_new();
	e->building = store_batch_new();
	e->committing = store_batch_new();
	e->retry_ms = ENGINE_RETRY_MIN_MS;
	e->watch_lost_due = ENGINE_WATCH_NEVER;
	e->tail = tail_new(loop, conf, &cb, e);
	uv_timer_init(loop, &e->batch_timer);
	uv_timer_init(loop, &e->cron);
	uv_timer_init(loop, &e->retry);
	uv_idle_init(loop, &e->rescan);
	e->batch_timer.data = e->cron.data = e->retry.data = e->rescan.data = e;
	e->handles = ENGINE_HANDLES;
	e->outbox = outbox_new(loop, conf, &e->in_flight);
	return e;
}

int engine_start(struct engine *e)
{
	char err[512];

	if (store_open(e->conf->database, 0, e->conf->synchronous_full, &e->store, err,
	               sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	/* The loop's reader of contacts not in memory (engine_cache.c). */
	if (store_open(e->conf->database, 1, 0, &e->reader, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	engine_clock_limit(e);
	int rc = store_load_accounts(e->store, engine_load_account, e) < 0 ||
	         store_load_counters(e->store, &e->counters) < 0 || engine_cache_start(e) < 0 ||
	         store_load_files(e->store, engine_load_file, e) < 0;
	/* The contacts may have moved the clock too: healed before the window is measured. */
	if (!rc) {
		engine_clock_heal(e);
		engine_dedup_start(e, &e->counters);
	}
	/* The window's ids: those before the floor are on disk (engine_dedup.c). */
	if (rc || store_load_dedup(e->store, e->ids_floor_ms, engine_load_seen, e) < 0) {
		/* Half-loaded state must never be committed over the whole (a
		   corrupt database is refused, not overwritten): without a store,
		   engine_stop writes nothing. */
		store_close(e->store);
		e->store = NULL;
		return -1;
	}
	log_info("state loaded from %s: %lld contacts (%zu in memory), %u accounts, %zu event ids "
	         "remembered (older ones on disk)",
	         e->conf->database, (long long)e->ncontacts, e->ncached, e->naccounts,
	         e->seen.count);
	/* Without it SQLite checkpoints inside commits, as it would anyway. */
	if (store_open(e->conf->database, 0, e->conf->synchronous_full, &e->checkpointer, err,
	               sizeof(err)) < 0) {
		log_warnx("checkpoints run inside commits: %s", err);
		e->checkpointer = NULL;
	}
	engine_rules_watch_all(e);
	uv_timer_start(&e->cron, engine_cron_cb, engine_rules_cron_ms(), engine_rules_cron_ms());
	/* The dead-letter file may lag the database after a crash: catch up first. */
	if (store_flush_dead_letter(e->store, e->conf->dead_letter, err, sizeof(err)) < 0)
		log_warnx("dead-letter file %s: %s", e->conf->dead_letter, err);
	/* Before ingest: what a crash left undelivered goes out first. */
	if (outbox_start(e->outbox) < 0)
		return -1;
	return tail_start(e->tail);
}

void engine_reload(struct engine *e, struct conf *conf)
{
	if (strcmp(conf->database, e->conf->database) != 0)
		log_warnx("reload: state.database changed to %s; keeping %s until a restart",
		          conf->database, e->conf->database);
	free(conf->database);
	conf->database = xstrdup(e->conf->database);
	log_set_level((enum log_level)conf->log_level);
	/* Kept for one reload more: engine_rules_reloaded compares the scoring
	   figures with it. The commit on the pool has its own copy of what it
	   reads (engine_submit), so nothing there points into a config. */
	if (e->old_conf != NULL)
		conf_free(e->old_conf);
	e->old_conf = e->conf;
	e->conf = conf;
	engine_clock_limit(e);
	tail_reconfigure(e->tail, conf);
	if (e->outbox != NULL && !e->stopping)
		outbox_reload(e->outbox, conf);
	/* New figures can make anyone ready (or not): look at everyone once,
	   in a batch of its own so that what fires is written at once. */
	engine_rules_reloaded(e, e->old_conf);
	engine_rules_watch_all(e);
	if (e->store != NULL && !e->stopping)
		engine_batch_opened(e);
	log_info("configuration reloaded from %s", conf->file);
}

static void engine_handle_closed(uv_handle_t *handle)
{
	struct engine *e = handle->data;

	if (--e->handles == 0) {
		e->stopped = 1;
		if (e->on_stopped)
			e->on_stopped(e->on_stopped_ctx);
	}
}

static void engine_tail_closed(void *ctx)
{
	engine_handle_closed((uv_handle_t *)&((struct engine *)ctx)->cron);
}

static void engine_outbox_closed(void *ctx)
{
	struct engine *e = ctx;

	e->outbox = NULL; /* it freed itself */
	engine_handle_closed((uv_handle_t *)&e->cron);
}

/* When stopping: once nothing is left to commit, close every handle. */
void engine_maybe_finish(struct engine *e)
{
	if (!e->stopping || e->in_flight || e->failing || e->checkpoint_in_flight)
		return;
	/* --once: what the rescan finds may fire (engine_cache.c); a rescore ends. */
	if (e->once && (e->rescan_on || e->rescore_on))
		return;
	if (e->batch_open || e->batch_lines > 0 || e->want_close) {
		engine_batch_close(e);
		return;
	}
	if (e->handles != ENGINE_HANDLES)
		return; /* already closing */
	/* What a backfill waits for: the rest (deliveries, exit) comes after. */
	if (e->once)
		log_info("--once: %llu lines read and committed in %.3f s",
		         (unsigned long long)e->lines_read, (double)(uv_hrtime() - e->started_ns) / 1e9);
	e->handles += 2; /* the tailer and the outbox count as one handle each */
	uv_close((uv_handle_t *)&e->rescan, engine_handle_closed);
	uv_close((uv_handle_t *)&e->batch_timer, engine_handle_closed);
	uv_close((uv_handle_t *)&e->cron, engine_handle_closed);
	uv_close((uv_handle_t *)&e->retry, engine_handle_closed);
	tail_close(e->tail, engine_tail_closed);
	/*
	 * The last commit is done: --once delivers what is due and waits for
	 * it; a signal abandons deliveries under way (retried at the next start).
	 */
	outbox_close(e->outbox, e->once, engine_outbox_closed, e);
}

void engine_stop(struct engine *e)
{
	if (e->stopping)
		return;
	e->stopping = 1;
	tail_pause(e->tail);
	/* Make sure the final batch carries the latest offsets and counters. */
	if (e->store != NULL)
		engine_batch_opened(e);
	engine_maybe_finish(e);
}

void engine_on_stopped(struct engine *e, void (*done)(void *ctx), void *ctx)
{
	e->on_stopped = done;
	e->on_stopped_ctx = ctx;
}

int engine_status(const struct engine *e)
{
	return e->failing ? -1 : 0;
}

void engine_free(struct engine *e)
{
	engine_cache_free(e);
	for (uint32_t i = 0; i < e->naccounts; i++) {
		free(e->accounts[i].a.name);
		free(e->accounts[i].a.budget);
		free(e->accounts[i].ratio);
	}
	engine_rules_free(e);
	free(e->key_index);
	free(e->accounts);
	engine_dedup_free(e);
	unknown_fields_free(&e->unknown_fields);
	if (e->tail)
		tail_free(e->tail);
	if (e->checkpointer)
		store_close(e->checkpointer);
	if (e->store)
		store_close(e->store);
	store_batch_free(e->building);
	store_batch_free(e->committing);
	for (unsigned i = 0; i < ENGINE_LOOKAHEAD; i++)
		event_parser_free(e->parsers[i]);
	engine_parse_ahead_free(e->ahead);
	free(e->dirty_files);
	free(e->forgotten);
	conf_free(e->conf);
	if (e->old_conf)
		conf_free(e->old_conf);
	engine_cache_free_wait(e);
	free(e);
}
