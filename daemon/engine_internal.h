/*
 * engine_internal.h - what the files of the engine share: its state
 * (struct engine, with its accounts and contacts) and the readiness part
 * (engine_rules.c) that engine.c calls. Not part of the library's API;
 * engine.h is the engine's face to main.c.
 *
 * engine.c owns ingest and batches; engine_rules.c owns scoring of
 * engagements, readiness evaluation, the watch list and the outbox rows;
 * engine_watch.c the watch list's bound.
 * Both run on the loop thread only.
 */
#ifndef WARMTH_ENGINE_INTERNAL_H
#define WARMTH_ENGINE_INTERNAL_H

#include <stdint.h>

#include <uv.h>
#include <xxhash.h>
/* XXH3 instead of uthash's default Jenkins hash: faster on actor ids. */
#define HASH_FUNCTION(keyptr, keylen, hashv) \
	((hashv) = (unsigned)XXH3_64bits((keyptr), (keylen)))
#include <uthash.h>

#include "warmth/conf.h"
#include "warmth/contact.h"
#include "warmth/event.h"
#include "warmth/idset.h"
#include "warmth/keyfilter.h"
#include "warmth/store.h"
#include "warmth/unknown_fields.h"
#include "metrics.h"
#include "outbox.h"
#include "tail.h"

#define ENGINE_CRON_MS 60000        /* housekeeping: pruning seen ids, readiness sweeps (wall) */
#define ENGINE_RETRY_MIN_MS 500
#define ENGINE_HANDLES 4            /* batch_timer, cron, retry, rescan */
#define ENGINE_RETRY_MAX_MS 30000

struct engine_contact {
	struct contact c;
	struct engine_contact *next_dirty;
	uint8_t dirty;
	uint8_t watched;                    /* on the readiness watch list (engine_rules.c) */
	uint8_t wanted;                     /* the last evaluation wants it watched */
	uint8_t ready;                      /* ENGINE_READY_*: its place in the account's counts
	                                       (beside the other bytes: no padding added) */
	uint8_t ref;                        /* used since the cache's hand passed (engine_cache.c) */
	uint8_t detached;                   /* a copy outside the cache (a view's, engine_views.c) */
	uint8_t rescored;                   /* rebuilt by the rescore under way (engine_rescore.c) */
	uint64_t evaluated;                 /* the readiness round it was last evaluated in */
	uint64_t seq;                       /* the last batch it was copied into, 0: none */
	UT_hash_handle hh;
	/*
	 * The hash key, a copy of c.actor right after hh: a lookup compares
	 * it in the cache lines it has just read, where c.actor, an
	 * allocation of its own, would be one more cache miss per event.
	 */
	char key[];
};

struct engine_account {
	struct account a;
	size_t name_len;
	uint64_t seed;                      /* hash of the name: seeds event id keys */
	struct engine_contact *contacts;    /* uthash head, keyed by actor */
	int dirty;
	int known;                          /* already in the database */
	uint64_t budget_round;              /* the readiness round budget_used is of */
	int64_t budget_used;                /* rules_budget_used() at that round's now */
	/* Network counters (ratio.h, about 2 KiB): NULL until the first one counted. */
	struct ratio_account *ratio;
	int network_due;                    /* a snapshot came: ratio and cap notices at batch close */
	/* The ready queue (engine_status.c): contacts whose last evaluation
	   found them ready, and those of them waiting for the budget. */
	int64_t nready, nqueued;
};

/* A ready contact of a readiness round, before the budget decides. */
struct engine_ready {
	struct engine_contact *ec;
	size_t segment;
	double warmth;
};

/* One round of readiness evaluation (engine_rules.c). */
struct engine_round {
	int active;
	int64_t now;
	struct engine_ready *ready;
	size_t nready, ready_cap;
	size_t changed;                     /* contacts whose rules state changed */
};

/*
 * The accepted-event rate of status (engine_status.c): a ring of samples
 * of the accepted counter on the loop's monotonic clock, taken by the cron
 * and by every status request, at most one a second, so that it spans at
 * least the last minute (ENGINE_RATE_WINDOW_MS) whenever someone asks.
 */
#define ENGINE_RATE_SAMPLES 128
#define ENGINE_RATE_WINDOW_MS 60000

struct engine_rate_sample {
	uint64_t ms;                        /* uv_now() */
	uint64_t accepted;
};

struct engine_rate {
	struct engine_rate_sample ring[ENGINE_RATE_SAMPLES];
	size_t next;                        /* where the next sample goes */
	size_t count;
};

/*
 * What applying an event needs that its bytes alone decide (hashes), so
 * that the parse-ahead worker works it out with the parse, off the loop.
 */
struct engine_keys {
	struct hash128 id_key;              /* the seen-id key, when ev.id is there */
	uint32_t post_hash;                 /* score_post_hash(), 0 without a post */
	unsigned actor_hash;                /* uthash's hash of the actor */
};
void engine_event_keys(const struct event *ev, struct engine_keys *k);

/*
 * A parsed event not yet applied (engine_on_line), with what was worked
 * out to prefetch its seen-id slot and contact.
 */
struct engine_pending {
	const struct event *ev;             /* own, or the parse-ahead worker's result */
	struct event own;                   /* a line parsed on the loop */
	uint32_t account;
	struct engine_keys keys;
};

/* Lines parsed before the oldest of them is applied (engine_on_line). */
#define ENGINE_LOOKAHEAD 3

/* A file whose offset changed in the batch being built. */
struct engine_dirty_file {
	struct tail_file *f;
};

struct engine_cache_corpse;

struct engine;

/*
 * A commit on the thread pool (engine_commit.c). The pool reads and writes
 * only this: no pointer into the engine's config or any state the loop
 * may change or free meanwhile (a reload frees configs; the loop fills
 * the next batch). Everything is set on the loop at submit and read back
 * on the loop in the after-work callback. The store handle and the batch
 * are the loop's only between commits: it leaves them alone while one is
 * in flight.
 */
struct engine_commit_job {
	uv_work_t req;
	struct engine *engine;              /* for the after-work callback (the loop's) only */
	struct store *store;
	struct store_batch *batch;
	char *dead_letter;                  /* a copy of dead_letter's path at submit */
	int rc;
	size_t items;                       /* for the log: size and duration */
	uint64_t ns;
	char err[512];
	int dead_letter_rc;
	char dead_letter_err[512];
};

/* A WAL checkpoint on the thread pool, likewise owning what it reads. */
struct engine_checkpoint_job {
	uv_work_t req;
	struct engine *engine;              /* for the after-work callback only */
	struct store *store;
	int rc;
	char err[256];
};

struct engine {
	uv_loop_t *loop;
	struct conf *conf;
	struct conf *old_conf;              /* the config before the last reload */
	int once;
	uint64_t started_ns;                /* uv_hrtime() at engine_new, for --once's summary */
	uint64_t lines_read;                /* lines (and overlong ones) since the start */
	struct store *store;
	struct outbox *outbox;              /* delivery of the outbox rows (outbox.c) */
	struct tail *tail;
	/*
	 * The lookahead of engine_on_line: parsed events wait in a ring
	 * (each with a parser of its own: an event's strings live in its
	 * parser until applied) while what applying them reads first is
	 * fetched into the cache, a step per line (engine_prefetch).
	 */
	struct event_parser *parsers[ENGINE_LOOKAHEAD];
	struct engine_pending pending[ENGINE_LOOKAHEAD];
	unsigned ring_head;                 /* the oldest waiting event */
	unsigned ring_n;                    /* events waiting */
	struct engine_parse_ahead *ahead;   /* engine_parse.c; NULL: none */

	struct engine_account *accounts;
	uint32_t naccounts;
	uint32_t last_account;              /* cache: the previous event's account */
	struct idset seen;
	int64_t pruned_at_ms;               /* counters.newest_ms at the last pruning */
	/*
	 * The ids beyond the window (engine_dedup.c): events before
	 * cold_before_ms (the newest floor decided) take the cold path; the
	 * committed floor (memory keeps the ids from it on) and cut of the
	 * kept ids, the ones the batch being built and the one committing
	 * move them to (0: none), the ids those batches accepted on the cold
	 * path, and whether the reader is in a read transaction for them.
	 */
	int64_t cold_before_ms;
	int64_t ids_floor_ms, floor_building_ms, floor_committing_ms;
	int64_t ids_kept_from_ms, kept_building_ms, kept_committing_ms;
	struct idset old_building, old_committing;
	int old_reading;
	/*
	 * The newest event time accepted: the wall clock plus
	 * time.future_tolerance, worked out when a batch opens and by the
	 * cron (engine_clock_limit), so that the check costs one compare
	 * per event. Later events are future_ts: the event clock, the
	 * de-duplication window and every rule measured from "now" never
	 * move past it.
	 */
	int64_t ts_limit_ms;
	struct store_counters counters;
	/* The unknown fields of the lines read since start, per name (engine_fields.c). */
	struct unknown_fields unknown_fields;
	int64_t ncontacts;                  /* every contact, in memory or not */
	struct engine_rate rate;

	/*
	 * The contact cache (engine_cache.c): ncached contacts in memory, at
	 * most about state.contact_cache once commits let the rest go; cold
	 * when the database may hold contacts that memory does not, which
	 * then reads them through reader.
	 */
	struct store *reader;
	size_t ncached;
	int cold;
	struct engine_cache_corpse *cache_corpse; /* contacts being freed at exit */
	/*
	 * Every contact's key, stored or in memory (a Bloom filter): a cold
	 * miss on an actor it has never seen reads nothing.
	 */
	struct keyfilter keys;
	size_t cache_trigger;               /* above it, the batch closes early (cache_over) */
	int cache_over;
	size_t evict_floor;                 /* what the last eviction could not let go */
	uint32_t hand_account;              /* the clock hand: an account and a contact in it */
	struct engine_contact *hand;
	uint64_t batch_seq;                 /* the number of the batch being built */
	uint64_t committing_seq, committed_seq;
	size_t new_building;                /* contacts created since the last batch closed */
	/* A rescore with a cold cache (engine_rescore.c). */
	int rescore_on;
	struct score_params rescore_from;   /* the old figures */
	int64_t rescore_after, rescore_bound; /* rowid cursor and end */
	size_t rescore_rows, rescore_partial;
	uv_idle_t rescan;                   /* the watch-list rescan of the database, while on */
	int rescan_on;
	int64_t rescan_after;               /* its rowid cursor */
	size_t rescan_seen, rescan_watched;            /* engine_status.c */

	/* The batch being built and what it changed. */
	struct store_batch *building;
	struct engine_contact *dirty_contacts;
	struct engine_dirty_file *dirty_files;
	size_t ndirty_files, dirty_files_cap;
	int64_t *forgotten;
	size_t nforgotten, forgotten_cap;
	size_t batch_lines;
	int batch_open;
	uint64_t batch_opened_at;           /* uv_now() when the batch opened */
	int tail_idle;                      /* the tailer has read everything there is */

	/* The batch being committed on the thread pool. */
	struct store_batch *committing;
	int in_flight;
	int committing_live;                /* closed with the inputs read to their end */
	struct engine_commit_job commit;    /* what the pool reads and writes (engine_commit.c) */
	struct metrics_histogram commit_seconds; /* every commit's duration, for metrics.c */
	/* Checkpoints, from a store handle of their own, beside the commits. */
	struct store *checkpointer;
	struct engine_checkpoint_job checkpoint;
	int checkpoint_in_flight;
	int64_t retry_ms;
	int failing;

	/*
	 * Every contact in memory in key order (account, actor), for export
	 * pages (engine_views.c): built when an export asks and contacts
	 * came or went since.
	 */
	struct engine_contact **key_index;
	size_t key_index_n;
	int key_index_valid;                /* cleared as contacts come and go */

	/* Readiness (engine_rules.c). */
	struct engine_watch *watch;         /* contacts whose readiness time alone can change */
	size_t nwatch, watch_cap;           /* nwatch <= readiness.watch_max (engine_watch.c) */
	uint64_t watch_dropped;             /* let go because the list was full, since the start */
	int watch_lost;                     /* some of them time alone can make ready */
	int watch_warned;
	int64_t watch_lost_due;             /* the soonest of those */
	int64_t watch_refound_ms;           /* the "now" of the last rescan for them, 0: none */
	uint64_t watch_lost_seq;            /* the batch that let the last of them go */
	uint64_t round;                     /* readiness rounds so far */
	int64_t swept_ms;                   /* the "now" of the last sweep of the watch list */
	int sweep_due;                      /* sweep at the next batch close whatever the time */
	struct engine_round rd;             /* the round in progress */

	uv_timer_t batch_timer;
	uv_timer_t cron;
	uv_timer_t retry;
	int handles;

	int want_close;                     /* building is full, waiting for the commit */
	int stopping;
	int stopped;
	int caught_up;
	void (*on_stopped)(void *ctx);
	void *on_stopped_ctx;
	/* Told of every successful commit (engine_push.c), never calling back into the engine. */
	void (*on_commit)(void *ctx);
	void *on_commit_ctx;
};

/* --- engine_parse.c: parsing the lines of a run ahead of the loop on a second core --- */

/* A line the worker parsed: its event (strings in the worker's arena) or why not. */
struct engine_parsed {
	const char *line;
	size_t len;
	enum event_reject rc;
	struct event ev;                    /* when rc is REJECT_NONE */
	struct engine_keys keys;            /* of ev */
	const char *error;                  /* otherwise, event_parser_error()'s words */
};
struct engine_parse_ahead;
/* NULL when no thread could be made: the loop then parses every line. */
struct engine_parse_ahead *engine_parse_ahead_new(void);
void engine_parse_ahead_free(struct engine_parse_ahead *pa);
/* A run of len bytes of complete lines from buf: the worker parses ahead of the loop. */
void engine_parse_ahead_start(struct engine_parse_ahead *pa, const char *buf, size_t len);
/* The worker's result for this line (waiting the moment it takes when the worker is
   parsing it), or NULL: the line is the loop's to parse (engine_parse.c). */
const struct engine_parsed *engine_parse_ahead_take(struct engine_parse_ahead *pa,
                                                   const char *line, size_t len);
/* Ends the run: the worker stops, its results (and their strings) are gone. */
void engine_parse_ahead_stop(struct engine_parse_ahead *pa);

/* --- engine_cache.c --- */

/* Sets up the cache: every contact when there are few enough, else none (cold). */
int engine_cache_start(struct engine *e);
/*
 * The contact (account, actor) of len bytes and uthash hash: from memory,
 * else the database (cold), else new. Never NULL: a contact the database
 * cannot give is fatal (nothing committed is lost by a restart).
 */
struct engine_contact *engine_contact_get(struct engine *e, uint32_t account, const char *actor,
                                          size_t len, unsigned hash);
/* The same without creating one: NULL when there is none, or with err on error. */
struct engine_contact *engine_contact_lookup(struct engine *e, uint32_t account,
                                             const char *actor, char *err, size_t errlen);
/* The contact in memory or NULL; its actor's uthash hash into *hash either way. */
struct engine_contact *engine_contact_in_memory(const struct engine *e, uint32_t account,
                                                const char *actor, size_t len, unsigned *hash);
/* A contact read from the database (uthash hash of its actor) into the cache, owning c. */
struct engine_contact *engine_contact_adopt(struct engine *e, struct contact *c, unsigned hash);
/* After a commit: lets go of what the cache holds beyond its size. */
void engine_cache_evict(struct engine *e);
/* Loads every contact of the database not in memory (at start, when they fit). */
int engine_cache_load_all(struct engine *e);
/* Cold: walks the database for contacts to watch (see engine_rules_watch_all). */
void engine_cache_rescan_start(struct engine *e);
/* A contact read for a view: outside the cache, to free with engine_contact_free. */
struct engine_contact *engine_contact_detached(struct contact *c);
void engine_contact_free(struct engine_contact *ec);
/* Empties the cache; the contacts are freed on a thread until engine_cache_free_wait(). */
void engine_cache_free(struct engine *e);
void engine_cache_free_wait(struct engine *e);

/* engine.c: puts a contact on the list of those the next batch writes. */
void engine_mark_dirty(struct engine *e, struct engine_contact *ec);
/* engine.c: makes sure a batch will close (and commit) soon. */
void engine_batch_opened(struct engine *e);
/* engine.c: closes the batch being built now (or once the commit in flight is done). */
void engine_batch_close(struct engine *e);
/* engine.c: closes the batch now, or as soon as the commit in flight is done. */
void engine_batch_request_close(struct engine *e);
/* engine.c: counts a line read (closing a full batch). */
void engine_count_item(struct engine *e);
/*
 * engine.c: a rejected line into the batch's dead-letter records: source
 * is an input file's path (offset a byte offset) or "http:ADDRESS" (offset
 * the line's number in the request).
 */
void engine_reject(struct engine *e, const char *source, uint64_t offset, enum event_reject reason,
                   const char *detail, const char *line, size_t len);
/* A line longer than ingest.max_line_bytes: head_len bytes of it for the dead letter. */
void engine_reject_long(struct engine *e, const char *source, uint64_t offset, const char *head,
                        size_t head_len, uint64_t total_len);
/* An event dated beyond e->ts_limit_ms (see engine_clock_limit). */
void engine_reject_future(struct engine *e, const char *source, uint64_t offset, int64_t ts_ms,
                          const char *line, size_t len);
/* engine_commit.c: commits the batch just closed (e->committing) on the thread pool. */
void engine_submit(struct engine *e);

/* --- engine_rescore.c --- */

/* Starts rebuilding every score from the old figures to e->conf's (cold cache). */
void engine_rescore_start(struct engine *e, const struct score_params *from);
/* After a commit: the next chunk, or the end. */
void engine_rescore_step(struct engine *e);
/* Applies an accepted event (engine.c): dedup, counters, contact, scoring. */
void engine_accept_event(struct engine *e, const struct event *ev);

/* engine_dedup.c: the ids beyond the window. */
void engine_dedup_start(struct engine *e, const struct store_counters *c);
/* Schedules the window's move (and the kept ids' prune) in the batch being built. */
void engine_dedup_prune(struct engine *e);
/* An event older than the floor: 1 a duplicate, 0 new (then recorded). */
int engine_dedup_old(struct engine *e, struct hash128 key, int64_t ts_ms);
/* Ends the lookups' read transaction (at the end of a run of lines). */
void engine_dedup_release(struct engine *e);
/* The batch being built becomes the one committing, and its commit is done. */
void engine_dedup_closing(struct engine *e);
void engine_dedup_committed(struct engine *e);
void engine_dedup_free(struct engine *e);
/* Applies the line engine_on_line holds back, if any (before anything reads state). */
void engine_flush_pending(struct engine *e);
/* engine.c: when stopping, closes what is left once nothing is in flight. */
void engine_maybe_finish(struct engine *e);

/*
 * engine_status.c: the ready queue of each account, kept as counts as
 * contacts are evaluated so that a scrape need not walk them.
 * engine_ready_note records a contact's evaluation (r NULL: not ready,
 * without a full evaluation): ready as warmthctl ready means it (every
 * condition but invite_budget and not_notified holds), and queued when
 * it is also to be notified, which engine_ready_notified ends when the
 * budget lets it fire. The counts are as of each contact's last
 * evaluation, which the watch list keeps at most a sweep old.
 */
#define ENGINE_READY_NO 0
#define ENGINE_READY_YES 1
#define ENGINE_READY_QUEUED 2
struct rules_result;
void engine_ready_note(struct engine *e, struct engine_contact *ec, const struct rules_result *r);
void engine_ready_notified(struct engine *e, struct engine_contact *ec);

/* engine_status.c: samples the accepted counter for the rate (see struct engine_rate). */
void engine_status_sample(struct engine *e);

/* --- engine_fields.c --- */

/*
 * Counts the unknown fields of a parsed line (ev->unknown, accepted or
 * rejected), and warns once per name of a near miss of a known field,
 * naming source and where (a byte offset, or a line number for a push).
 */
void engine_fields_note(struct engine *e, const struct event *ev, const char *source,
                        uint64_t where);
/* Appends "unknown_fields": {name: count, ..., "other": count} to j (status). */
struct json;
void engine_fields_status(const struct engine *e, struct json *j);
/* Adds the counts to a metrics snapshot. */
void engine_fields_metrics(const struct engine *e, struct metrics_snapshot *s);

/* --- engine_rules.c --- */

/* The account's connections now: its snapshot's plus the changes since (ratio.h). */
int64_t engine_rules_connections(const struct engine_account *a);

/*
 * The cron's period: ENGINE_CRON_MS, or WARMTHD_TEST_CRON_PERIOD (a
 * duration, 10ms to 1m, for tests only and logged as such) so that a test
 * of the wall-clock readiness sweep need not wait a minute. Read once.
 */
uint64_t engine_rules_cron_ms(void);
/* The "now" of readiness: the newest event time (time.source: event) or the clock. */
int64_t engine_rules_now(const struct engine *e);
/*
 * Folds an accepted engagement event into the contact's score (allocating
 * it at the first), with the origin the contact's relationship gives it,
 * and into the score's history (scoring.history events kept).
 */
void engine_rules_engagement(struct engine *e, struct engine_contact *ec, const struct event *ev,
                             uint32_t post_hash);
/* Counts an invitation (invite_sent) against the account's rolling budget. */
void engine_rules_invitation(struct engine *e, const struct engine_contact *ec, const struct event *ev);
/* The user dismissed or snoozed ec: its notification no longer holds invitation budget. */
void engine_rules_release(struct engine *e, struct engine_contact *ec);
/*
 * At batch close, a round: begin; then contact for each dirty contact,
 * just before it is copied into the batch (it is in cache then); then end,
 * which sweeps the watch list when "now" has moved by an hour since the
 * last sweep (or a sweep is due) and fires those ready within the budget,
 * writing their outbox rows into the batch being built and marking what
 * it changed dirty again: the caller copies those once more (the later
 * copy of a contact in a batch wins) and the accounts after that.
 */
void engine_rules_begin(struct engine *e);
void engine_rules_contact(struct engine *e, struct engine_contact *ec);
void engine_rules_end(struct engine *e);
/*
 * Evaluates the watch list now (the cron, with time.source: wall). Returns
 * the number of contacts it changed; their rows wait for the next batch.
 */
size_t engine_rules_sweep(struct engine *e);
/*
 * Puts every contact with a score on the watch list and makes the next
 * batch sweep it: at start (nothing is known about them yet) and after a
 * reload (the figures changed).
 */
void engine_rules_watch_all(struct engine *e);
/*
 * Whether c may be ready at now, by the cheap tests engine_rules_consider
 * begins with (a score, related, not hopeless, warm enough), or has fired;
 * its segment into *segment when it may. The rescan (engine_cache.c) reads
 * the database through it.
 */
int engine_rules_candidate(const struct engine *e, const struct contact *c, int64_t now,
                           size_t *segment);
/* Puts ec on the watch list (it stays in memory while there), from when it
   is due not known yet (engine_watch.c). */
void engine_rules_watch(struct engine *e, struct engine_contact *ec);
/* Evaluates ec in full in segment at now (for engine_watch.c). */
void engine_rules_result(struct engine *e, struct engine_contact *ec, size_t segment, int64_t now,
                         struct rules_result *r);

/* --- engine_watch.c: the bound of the watch list --- */

/* An entry whose due time is not worked out yet; one that time cannot help. */
#define ENGINE_WATCH_UNKNOWN INT64_MIN
#define ENGINE_WATCH_NEVER INT64_MAX
struct engine_watch {
	struct engine_contact *ec;
	int64_t due_ms;                     /* when time alone may make it ready, or the above */
};
/* When time alone may make c ready, from its evaluation r (segment) at now. */
int64_t engine_watch_due(const struct engine *e, const struct contact *c, size_t segment,
                         const struct rules_result *r, int64_t now);
/* Puts ec on the list with its due time; a full list first lets go of the latest due. */
void engine_watch_add(struct engine *e, struct engine_contact *ec, int64_t due_ms);
/* After a sweep at now: rescans the database for contacts let go, when it is time. */
void engine_watch_refind(struct engine *e, int64_t now);
void engine_watch_free(struct engine *e);
/*
 * Counts an accepted non-snapshot event in the account's network counters
 * (ratio.h): invitation outcomes, new followers, followers who connect
 * (conversions) and inbound engagement by origin. before is the contact's
 * relationship before contact_apply() applied the event.
 */
void engine_rules_network_event(struct engine *e, struct engine_contact *ec,
                                const struct contact_relationship *before, const struct event *ev);
/*
 * At batch close, after the contacts: for each account a snapshot changed,
 * computes its metrics and writes the "ratio" and "cap" notices that are
 * due into the batch being built (the accounts, copied after it, carry
 * the time they were sent: both commit together).
 */
void engine_rules_network(struct engine *e);
/*
 * Adds account i's row of the daily network series for today (in the
 * user's time zone) to the batch being built: called for each account the
 * batch writes, so the day's row holds its last figures.
 */
void engine_rules_series(struct engine *e, uint32_t i);
/*
 * After a reload: when old_conf's scoring differs from the new in what
 * shapes stored sums, rebuilds every score from its history under the new
 * figures (score_rebuild) and marks the contacts dirty.
 */
void engine_rules_reloaded(struct engine *e, const struct conf *old_conf);
void engine_rules_free(struct engine *e);

#endif
