/*
 * store.h - durable state in SQLite (WAL): contacts (with their score and
 * rules state), accounts (with their invitation budget), input files with
 * their offsets and identities, seen event ids, counters, rejected lines
 * and the outbox of notifications. The store module is the only one that
 * includes sqlite3.h.
 *
 * Writes happen in batches: the engine fills a store_batch on the main
 * thread (copies, so it can keep mutating its own state) and hands it to
 * store_commit(), which may run on a worker thread and writes everything in
 * one transaction. So a crash keeps or replays each batch whole: file
 * offsets and the state they produced are never out of step.
 *
 * A store handle is used by one thread at a time. Readers (warmthctl --db)
 * open their own read-only handle; WAL lets them read while the daemon
 * writes.
 */
#ifndef WARMTH_STORE_H
#define WARMTH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/contact.h"
#include "warmth/event.h"
#include "warmth/ratio.h"
#include "warmth/util.h"

/* Bytes hashed for the head and tail fingerprints of an input file. */
#define STORE_FINGERPRINT_BYTES 256
/*
 * Bytes per seen id in a seen_ids blob (the row's width): the key's low 64
 * bits, 32 of its high ones and the event time in whole seconds, as the
 * seen-id set keeps them (idset.h); rows of schema 4 and before hold 24
 * (both halves of the key and the time in milliseconds) and still load.
 */
#define STORE_SEEN_BYTES 16
#define STORE_SEEN_BYTES_V4 24

/* The schema version written to PRAGMA user_version. */
#define STORE_SCHEMA_VERSION 7

struct store;
struct store_batch;

/* The persisted identity and progress of one input file. */
struct store_file {
	int64_t id;            /* assigned by the engine, > 0 */
	char *path;            /* last path it was seen at (owned) */
	uint64_t dev, ino;
	uint64_t offset;       /* committed: the start of the first unconsumed line */
	uint32_t head_len;     /* bytes covered by head_hash (<= STORE_FINGERPRINT_BYTES) */
	uint64_t head_hash;    /* hash64 of the first head_len bytes */
	uint32_t tail_len;     /* bytes covered by tail_hash, ending at offset */
	uint64_t tail_hash;    /* hash64 of bytes [offset - tail_len, offset) */
	int64_t updated_ms;    /* wall time of the last change */
};

/* Totals that survive restarts. Absolute values, not deltas. */
struct store_counters {
	uint64_t accepted;
	uint64_t rejected;
	uint64_t duplicate;
	uint64_t accepted_by_type[EVENT_TYPE_COUNT];
	uint64_t rejected_by_reason[REJECT_REASON_COUNT];
	/* The newest accepted event's time, so that the event-time clock
	   resumes where it was (snapshots included) without a scan of the
	   contacts at start; 0 in a database written before it was kept. */
	int64_t newest_ms;
	/*
	 * The clock of the daemon that last committed (time.source): 1 wall,
	 * 2 event, 0 unknown (an older database). warmthctl --db without a
	 * config takes "now" the way that daemon did.
	 */
	int time_source;
	/*
	 * Loaded, never written by store_batch_counters: the commit that moves
	 * ids out of the window writes them (store_batch_dedup_prune,
	 * store_batch_ids_prune). ids_floor_ms: every id of an event before it
	 * (at the second) is in the kept ids (old_ids), every later one in the
	 * window's rows (seen_ids). ids_kept_from_ms: kept ids of events
	 * before it are gone (state.id_retention). 0 when never written.
	 */
	int64_t ids_floor_ms;
	int64_t ids_kept_from_ms;
};

/* One rejected line as stored and as written to the dead-letter file. */
struct store_reject {
	int64_t seq;           /* increasing, assigned by the store */
	const char *file;
	uint64_t offset;
	enum event_reject reason;
	const char *detail;
	const char *line;      /* at most the first 1 KiB, cut on a UTF-8 boundary */
	size_t line_len;
	int64_t wall_ms;
};
#define STORE_REJECT_LINE_MAX 1024

/*
 * One notification in the outbox: written in the same transaction as the
 * state change that decided it, so it is neither lost nor duplicated by a
 * crash. id is its stable idempotency key ("ready:ACCOUNT:ACTOR:MS"); a
 * row whose id is already there is ignored. record is the JSON object of
 * INTERFACE.md's notification record. Delivery is another module's.
 */
struct store_outbox {
	int64_t seq;           /* increasing, assigned by the store (0 when queuing) */
	const char *id;
	const char *kind;      /* "ready", ... */
	const char *account;
	const char *actor;     /* NULL for kinds about the account */
	int64_t created_ms;    /* the "now" that decided it (event time with time.source: event) */
	const char *record;
	size_t record_len;
	/*
	 * The suggested invitation note (note.h) of a "ready" row, NULL for
	 * none. Kept beside the record, whose "note" stays null in the table:
	 * the outbox puts it into the record it hands to the sinks.
	 */
	const char *note;
};

/*
 * The delivery state of one outbox row for one sink (named as
 * sink_name() says: "file /var/lib/...", "webhook https://..."), so that
 * a reload that reorders the notify: list keeps each sink's progress.
 * Written by the outbox on the loop thread through its own handle; a row
 * without one is pending and not yet tried.
 */
enum store_delivery_state {
	STORE_DELIVERY_PENDING,   /* to be tried (again) at next_ms */
	STORE_DELIVERY_DELIVERED, /* the sink has it: never sent again */
	STORE_DELIVERY_FAILED,    /* a permanent failure, or too old: kept, visible */
	STORE_DELIVERY_SKIPPED    /* the sink does not take this kind */
};
struct store_delivery {
	int64_t seq;              /* the outbox row */
	const char *sink;
	enum store_delivery_state state;
	int64_t attempts;
	int64_t first_ms;         /* wall time of the first attempt, 0 before it */
	int64_t next_ms;          /* wall time of the next attempt (pending) */
	int64_t updated_ms;       /* wall time of the last change */
	const char *last_error;   /* NULL: none */
};
/* "pending", "delivered", "failed", "skipped". */
const char *store_delivery_state_name(enum store_delivery_state state);

/*
 * Opens (creating it if needed, unless readonly) the database at path,
 * sets WAL and the synchronous level, and migrates the schema forward.
 * A database whose user_version is newer than STORE_SCHEMA_VERSION is
 * refused. Returns 0, or -1 with a message in err ("state.db: database
 * is from a newer warmthd (schema 3, this one knows 1)").
 */
int store_open(const char *path, int readonly, int synchronous_full, struct store **out,
               char *err, size_t errlen);
void store_close(struct store *store);

/* The WAL length at which the engine checkpoints (from a second handle)
   while a backlog is read, and once the inputs are read to their end. */
#define STORE_CHECKPOINT_PAGES 16384
#define STORE_CHECKPOINT_PAGES_LIVE 1024
/* Pages in the WAL after this handle's last commit (0 before any). */
int store_wal_pages(const struct store *store);
/*
 * A PASSIVE checkpoint through this handle: copies what it can of the
 * WAL into the database without waiting for readers or writers, so it
 * may run on one thread while another handle commits on another. A busy
 * database is not an error (the next one catches up). 0, or -1 with err.
 */
int store_checkpoint(struct store *store, char *err, size_t errlen);

/* --- Loading at start-up (main thread, before ingest starts). --- */

/* Calls cb for each account, in id order; a, its name and its budget (NULL
   when empty) are valid during cb only (copy what you keep). Returns 0 or -1
   on error (message logged). */
int store_load_accounts(struct store *store,
                        void (*cb)(void *ctx, uint32_t id, const struct account *a), void *ctx);
/* Calls cb with each contact, in no particular order; cb takes ownership of
   the contact's contents (its score too: NULL when it has none). */
int store_load_contacts(struct store *store, void (*cb)(void *ctx, struct contact *c), void *ctx);
/* Calls cb for each file record; the record's strings are valid during cb. */
int store_load_files(struct store *store, void (*cb)(void *ctx, const struct store_file *f),
                     void *ctx);
/* Calls cb for each seen event id key (96 bits, as the seen-id set keeps
   them) and its time, for those of since_ms's second and later (the time
   of an id written since schema 5 is that second, x 1000). */
int store_load_dedup(struct store *store, int64_t since_ms,
                     void (*cb)(void *ctx, struct hash128 key, int64_t ts_ms), void *ctx);
int store_load_counters(struct store *store, struct store_counters *out);
/*
 * Whether key is among the kept ids (old_ids, the ids of events before the
 * window's floor): 1 yes, 0 no, -1 error (logged). For the loop's reader;
 * between store_read_begin and store_read_end the lookups share one read
 * transaction (one snapshot, the page cache kept), which a run of lookups
 * should: outside, each is a transaction of its own.
 */
int store_old_id_seen(struct store *store, struct hash128 key);
int store_read_begin(struct store *store);
void store_read_end(struct store *store);
/* The number of kept ids, -1 on error (warmthctl, tests). */
int64_t store_old_id_count(struct store *store);

/* --- Queries (warmthctl --db, control socket). --- */

/* Account id by name: 0 and *id set, 1 not found, -1 error. */
int store_account_id(struct store *store, const char *name, uint32_t *id);
/* The network counters of account id (ratio.h) into *out: 0, or 1 when it
   has none (out zeroed; damaged ones are logged and count as none), -1 on
   error. */
int store_account_ratio(struct store *store, uint32_t id, struct ratio_account *out);
/*
 * The daily network series of account id (store_series.c), oldest first,
 * its last max_days days at most: *out (free it) with *n rows. 0, or -1 on
 * error.
 */
int store_network_series(struct store *store, uint32_t id, size_t max_days,
                         struct ratio_series_day **out, size_t *n);
/* 0 found (*out filled, free with contact_free), 1 not found, -1 error. */
int store_get_contact(struct store *store, uint32_t account, const char *actor, struct contact *out);
/* store_get_contact with an actor of len bytes (no NUL needed). */
int store_find_contact(struct store *store, uint32_t account, const char *actor, size_t len,
                       struct contact *out);
/*
 * The contact cache's loaders (store_scan.c); each hands cb the contacts
 * it reads, to own. store_scan_candidates: the next limit contacts after
 * rowid *after_rowid (advanced) that may be candidates for readiness (a
 * score, and fired, dismissed or an unconnected follower or target);
 * returns how many, 0 at the end, -1 on error.
 * store_load_account_contacts: every contact of an account; 0 or -1.
 * store_load_contacts_after: up to limit contacts after (account, actor)
 * in key order (account -1 and actor "" for the first); how many, or -1.
 */
int store_scan_candidates(struct store *store, int64_t *after_rowid, size_t limit,
                          void (*cb)(void *ctx, struct contact *c), void *ctx);
int store_load_account_contacts(struct store *store, uint32_t account,
                                void (*cb)(void *ctx, struct contact *c), void *ctx);
int store_load_contacts_after(struct store *store, int64_t account, const char *actor,
                              size_t limit, void (*cb)(void *ctx, struct contact *c), void *ctx);
/*
 * Every contact of an account as far as ranking by warmth needs: key,
 * profile hints, counts, and the score's sums only (score_decode_sums),
 * valid during cb only; a third of the work of reading contacts whole.
 * 0 or -1.
 */
/* The next limit scored contacts with a rowid in (*after_rowid, up_to] (advanced);
   how many, 0 at the end, -1 on error. And the largest rowid (0: none), or -1. */
int store_scan_scored(struct store *store, int64_t *after_rowid, int64_t up_to, size_t limit,
                      void (*cb)(void *ctx, struct contact *c), void *ctx);
int64_t store_max_contact_rowid(struct store *store);
/* Calls cb with every contact's account and actor (valid during cb); 0 or -1. */
int store_scan_keys(struct store *store,
                    void (*cb)(void *ctx, uint32_t account, const char *actor, size_t len),
                    void *ctx);
int store_scan_ranks(struct store *store, uint32_t account,
                     void (*cb)(void *ctx, const struct contact *c), void *ctx);
/* Calls cb for each contact of account (or all accounts if account is UINT32_MAX),
   ordered by account then actor; cb's contact is freed after cb returns.
   cb returns non-zero to stop. */
int store_foreach_contact(struct store *store, uint32_t account,
                          int (*cb)(void *ctx, const struct contact *c), void *ctx);
int64_t store_count_contacts(struct store *store);
/* The newest last_seen_ms of all contacts not after limit_ms (the event time
   a reader takes as "now" under time.source: event; the limit leaves out
   times from beyond time.future_tolerance that older versions accepted),
   0 when there is none, -1 on error. */
int64_t store_newest_event_ms(struct store *store, int64_t limit_ms);
/*
 * The daemon's event clock as of its last commit: the newest accepted
 * event time of any kind (snapshots and invitations too, not only
 * engagements), which it stores with its counters at every commit. A
 * database written before the counter was kept falls back to the newest
 * contact's last_seen_ms, as the daemon itself does at start. A clock
 * beyond limit_ms (wall clock plus time.future_tolerance) is left out as
 * the daemon's start heals it. 0 when there is none, -1 on error.
 */
int64_t store_event_clock_ms(struct store *store, int64_t limit_ms);
/* Account name by id into a caller buffer; 0 or -1. */
int store_account_name(struct store *store, uint32_t id, char *out, size_t outlen);
/* Calls cb for each outbox row in seq order; the row's strings are valid
   during cb. cb returns non-zero to stop. Returns 0 or -1. */
int store_foreach_outbox(struct store *store, int (*cb)(void *ctx, const struct store_outbox *o),
                         void *ctx);

/*
 * Calls cb for each delivery state recorded, with its outbox row, in seq
 * then sink order, and once with d NULL for each outbox row that has none
 * yet. Strings are valid during cb. Returns 0 or -1.
 */
int store_foreach_delivery(struct store *store,
                           int (*cb)(void *ctx, const struct store_outbox *o,
                                     const struct store_delivery *d),
                           void *ctx);

/* Like store_foreach_delivery, for the outbox row whose id is id only (NULL: every row). */
int store_foreach_delivery_of(struct store *store, const char *id,
                              int (*cb)(void *ctx, const struct store_outbox *o,
                                        const struct store_delivery *d),
                              void *ctx);

/* --- The outbox's delivery (the loop thread, the outbox's own handle). --- */

/*
 * The first outbox seq that sink delivers: recorded the first time the
 * sink is seen (the end of the outbox then), so a sink added to a config
 * later receives what is new, not the whole history. Returns 0 with
 * *since set, or -1 with err set.
 */
/* The deliveries sink recorded "delivered" at or after since_ms (for its rate limit). 0 or -1. */
int store_count_delivered(struct store *store, const char *sink, int64_t since_ms, uint64_t *n);
int store_sink_register(struct store *store, const char *sink, int64_t *since,
                        char *err, size_t errlen);
/*
 * Calls cb for each outbox row with after_seq < seq <= *upto that sink has
 * no final state for (none, or pending), in seq order, with its delivery
 * state (state pending, attempts 0, when none); *upto is set to the last
 * seq of the outbox first, so the next call starts there: rows with a
 * final state are not read again. cb returns non-zero to stop.
 */
int store_foreach_undelivered(struct store *store, const char *sink, int64_t after_seq,
                              int64_t *upto,
                              int (*cb)(void *ctx, const struct store_outbox *o,
                                        const struct store_delivery *d),
                              void *ctx);
/* Writes (inserts or replaces) n delivery states in one transaction. 0 or -1 with err set. */
int store_put_deliveries(struct store *store, const struct store_delivery *d, size_t n,
                         char *err, size_t errlen);

/* --- Batches. --- */

struct store_batch *store_batch_new(void);
void store_batch_free(struct store_batch *batch);
/* Empties the batch for reuse, keeping its allocations. */
void store_batch_reset(struct store_batch *batch);
/* Number of rows queued (accounts, contacts, files, file deletes, seen ids,
   rejects, outbox rows); 0 means there is nothing to commit. */
size_t store_batch_items(const struct store_batch *batch);

void store_batch_account(struct store_batch *batch, uint32_t id, const struct account *a);
/* The same with the account's network counters (ratio.h); store_batch_account
   leaves the stored ones as they are. */
void store_batch_account_ratio(struct store_batch *batch, uint32_t id, const struct account *a,
                               const struct ratio_account *ratio);
/* The account's series row of d->day (an upsert: the day's last figures win). */
void store_batch_network_day(struct store_batch *batch, uint32_t id,
                             const struct ratio_series_day *d);
/* Copies the contact's current state (an upsert keyed by account + actor;
   an update by c->rowid when it is known and still the contact's row). */
void store_batch_contact(struct store_batch *batch, const struct contact *c);
/*
 * After a successful store_commit(): calls cb for each contact row whose
 * rowid the commit learnt (a new row, or one the contact did not know), so
 * that the caller can keep it in its contact for the next commits.
 */
void store_batch_each_rowid(const struct store_batch *batch,
                            void (*cb)(void *ctx, uint32_t account, const char *actor, size_t len,
                                       int64_t rowid),
                            void *ctx);
void store_batch_file(struct store_batch *batch, const struct store_file *f);
void store_batch_file_delete(struct store_batch *batch, int64_t id);
/* Records a seen event id of the window (a seen_ids row per batch): checking
   that an id is new is the caller's (in memory). */
void store_batch_dedup(struct store_batch *batch, struct hash128 key, int64_t ts_ms);
/*
 * Records a seen event id older than the window's floor: it goes straight
 * into the kept ids (old_ids), where store_old_id_seen finds it. Checking
 * that it is new is the caller's (store_old_id_seen and the ids of the
 * batches not committed yet).
 */
void store_batch_old_id(struct store_batch *batch, struct hash128 key, int64_t ts_ms);
/*
 * Moves the seen ids with event time < before_ms (a whole second) out of
 * the window's rows into the kept ids, and records before_ms as the new
 * floor (ids_floor_ms), in the same transaction. Of several, the widest.
 */
void store_batch_dedup_prune(struct store_batch *batch, int64_t before_ms);
/* Deletes the kept ids of events before before_ms (state.id_retention) and
   records it as ids_kept_from_ms, in the same transaction. */
void store_batch_ids_prune(struct store_batch *batch, int64_t before_ms);
void store_batch_reject(struct store_batch *batch, const struct store_reject *r);
void store_batch_counters(struct store_batch *batch, const struct store_counters *c);
/* Queues an outbox row (copied). */
void store_batch_outbox(struct store_batch *batch, const struct store_outbox *o);

/*
 * Writes the whole batch in one transaction (BEGIN IMMEDIATE ... COMMIT).
 * Safe to call from a worker thread while the main thread does not use this
 * store handle. On failure (disk full, locked beyond the busy timeout)
 * rolls back, returns -1 with a message in err; the batch is untouched so
 * the caller can retry it.
 */
int store_commit(struct store *store, struct store_batch *batch, char *err, size_t errlen);

/*
 * Appends the rejects not yet in the dead-letter file at path to it, one
 * JSON object per line with its "seq", and fsyncs. The last seq in the file
 * says where to resume, so a crash between commit and append neither loses
 * nor duplicates a line. Prunes written rejects from the database.
 * Creates the file (mode 0640) but not its directory; a partial last line
 * left by an interrupted write is cut away first. Touches no file when no
 * reject is queued. Returns 0 or -1 with err set (the rejects stay queued
 * for the next call).
 */
int store_flush_dead_letter(struct store *store, const char *path, char *err, size_t errlen);

/* Size in bytes of the database file(s), for status. */
int64_t store_size_bytes(struct store *store);

/*
 * Internal to daemon/store*.c, the files that include sqlite3.h: they share
 * one handle. The types are opaque here so this header needs no sqlite3.h.
 */
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3 *store_db(struct store *store);
/* The statement for sql (a string constant, cached by its address), reset
   and ready to bind; NULL on error (sqlite3_errmsg(store_db()) says why). */
struct sqlite3_stmt *store_statement(struct store *store, const char *sql);

#endif
