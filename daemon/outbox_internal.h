/*
 * outbox_internal.h - what the files of the outbox share; not part of its
 * interface (outbox.h).
 *
 *   outbox.c           items, delivery, retries, results, the sinks' life
 *   outbox_digest.c    digest mode: the ready rows of a period in one record
 *   outbox_commands.c  notify-test and redeliver, for the control socket
 *
 * Pacing (rate limit, quiet hours, digest periods) is decided by pace.c;
 * what it holds back is simply not started, so it stays pending in the
 * outbox table, untouched, until the timer finds it due.
 */
#ifndef WARMTH_OUTBOX_INTERNAL_H
#define WARMTH_OUTBOX_INTERNAL_H

#include <stdint.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/pace.h"
#include "warmth/store.h"
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
	int64_t seq;                /* 0: not an outbox row (a test or a digest) */
	char *id, *kind;
	char *record;               /* with the note in it */
	size_t len;
	int64_t attempts, first_ms, next_ms;
	int in_flight;
	int listed;                 /* on its sink's list */
	int held;                   /* held back by pacing at the last dispatch */
	int forced;                 /* redeliver: written even if the file's last line has its id */
	struct outbox_item *digest; /* the digest it is being delivered in, or NULL */
	/* A digest: the rows it delivers (not on the sink's list while it is in flight). */
	struct outbox_item **members;
	size_t nmembers;
	/* A test (notify-test): reported here and forgotten, never recorded. */
	outbox_test_fn *test_done;
	void *test_arg;
};

struct outbox_sink {
	struct outbox *ob;
	struct sink *sink;
	char *name;
	int type;                   /* enum conf_notify_type */
	int exact;                  /* file: one at a time, checked against sink_last_id() */
	int registered;             /* its since_seq is known */
	int64_t scanned;            /* rows up to this seq are loaded (or not its business) */
	struct outbox_item *head, *tail;
	size_t in_flight;
	int64_t retry_min_ms, retry_max_ms, max_age_ms;
	uint64_t delivered, retried, failed; /* results since start, for the metrics */
	/* pacing: */
	struct pace_bucket bucket;
	int32_t quiet_start_min, quiet_end_min, utc_offset_min;
	int64_t digest_ms;          /* 0: off */
	int64_t digest_due_ms;      /* the next digest boundary; 0: not computed yet */
	struct outbox_item *digest_in_flight;
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
	int64_t clock_offset_ms;    /* WARMTHD_TEST_CLOCK_OFFSET, for tests of pacing */
	void (*closed)(void *arg);
	void *closed_arg;
};

/* --- outbox.c --- */

/* The wall clock of delivery decisions (with the test offset). */
int64_t outbox_now(const struct outbox *ob);
/* A new item at the end of os's list (strings copied, the note spliced in). */
struct outbox_item *outbox_item_new(struct outbox_sink *os, const struct store_outbox *o,
                                    const struct store_delivery *d);
/* An item not from the table (test, digest), not on any list. */
struct outbox_item *outbox_item_loose(struct outbox_sink *os, const char *id, const char *kind,
                                      const char *record, size_t len);
/* Takes it off its sink's list (it stays allocated). */
void outbox_item_unlink(struct outbox_item *it);
/* Puts a loose item back on its sink's list, in seq order. */
void outbox_item_insert(struct outbox_item *it);
void outbox_item_free(struct outbox_item *it);
/* One delivery attempt of a row ended: attempts, metrics, backoff or a final state. */
void outbox_item_result(struct outbox_item *it, enum sink_result result, const char *reason,
                        int64_t now);
/* Queues the item's state for writing; final states also free the item. */
void outbox_record(struct outbox_item *it, enum store_delivery_state state, const char *error);
void outbox_flush(struct outbox *ob);
void outbox_dispatch(struct outbox *ob);
/* Starts one delivery of it (in flight, counted) to its sink. */
void outbox_start_delivery(struct outbox_item *it);
/* Whether the exact sink may start its next delivery (nothing in flight or unwritten). */
int outbox_exact_idle(const struct outbox_sink *os);

/* --- outbox_digest.c --- */

/*
 * Digest mode of os: starts the digest of the ready rows that are due if
 * its boundary has passed and the sink may deliver; returns the earliest
 * later time to look again (INT64_MAX: nothing waits).
 */
int64_t outbox_digest_dispatch(struct outbox_sink *os, int64_t now, int64_t quiet_until);
/* Whether it is a row that digest mode collects instead of delivering it alone. */
int outbox_digest_collects(const struct outbox_sink *os, const struct outbox_item *it);
/* The end of a digest delivery: each member gets the result. */
/* result is enum sink_result, or -1: abandoned by a closing sink (no attempt). */
void outbox_digest_done(struct outbox_item *digest, int result, const char *reason, int64_t now);

#endif
