/*
 * metrics.h - the daemon's counters for Prometheus, in its text exposition
 * format (version 0.0.4): written to a node_exporter textfile-collector
 * file every metrics.interval, and served on GET /metrics by an HTTP
 * endpoint (libmicrohttpd) inside the daemon's one loop.
 *
 * The module knows nothing of the engine: whoever starts it registers a
 * function that fills a struct metrics_snapshot, and metrics_render() turns
 * a snapshot into text without any I/O, so the format is unit-tested on a
 * fixed snapshot (tests/unit/test_metrics.c).
 */
#ifndef WARMTH_METRICS_H
#define WARMTH_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/store.h"
#include "warmth/util.h"

/* Upper bounds in seconds of the batch commit histogram's buckets (+Inf is implied). */
#define METRICS_COMMIT_BUCKETS 10
extern const double metrics_commit_bounds[METRICS_COMMIT_BUCKETS];

/* A latency histogram: counts per bucket (not cumulative), the last one for above every bound. */
struct metrics_histogram {
	uint64_t buckets[METRICS_COMMIT_BUCKETS + 1];
	uint64_t count;
	double sum;                 /* seconds */
};

/* Adds one observation of seconds to h. */
void metrics_histogram_observe(struct metrics_histogram *h, double seconds);

struct metrics_input {
	char *path;                 /* owned by the snapshot */
	uint64_t lag;               /* bytes not yet read */
};

/* Notification deliveries to one notifier since the daemon started. */
struct metrics_sink {
	char *name;                 /* owned by the snapshot */
	uint64_t delivered, retried, failed;
};

/*
 * The ready queue of one account: contacts ready for an invitation now
 * (what warmthctl ready lists), and those of them not yet notified
 * because the invitation budget is used up.
 */
struct metrics_account {
	char *name;                 /* owned by the snapshot */
	int64_t ready, queued;
};

/* An unknown event field and how often it was seen since the daemon started. */
struct metrics_unknown_field {
	char *name;                 /* owned by the snapshot */
	uint64_t count;
};

/* What one rendering shows, copied out of the engine at that moment. */
struct metrics_snapshot {
	struct store_counters counters;
	int64_t contacts;
	int64_t contacts_cached;    /* in memory (state.contact_cache) */
	struct metrics_input *inputs;   /* owned; ninputs entries */
	size_t ninputs;
	struct metrics_histogram commit;
	struct metrics_sink *sinks;     /* owned; nsinks entries */
	size_t nsinks;
	struct metrics_account *accounts; /* owned; naccounts entries */
	size_t naccounts;
	struct metrics_unknown_field *unknown_fields; /* owned; nunknown_fields entries */
	size_t nunknown_fields;
	uint64_t unknown_fields_other; /* the names beyond ingest.unknown_fields, and unshowable ones */
	const char *version;            /* static: WARMTH_VERSION */
};

/* Appends one input to s (path is copied). */
void metrics_snapshot_add_input(struct metrics_snapshot *s, const char *path, uint64_t lag);
/* Appends one notifier's delivery counts to s (name is copied). */
void metrics_snapshot_add_sink(struct metrics_snapshot *s, const char *name, uint64_t delivered,
                               uint64_t retried, uint64_t failed);
/* Appends one account's ready queue to s (name is copied). */
void metrics_snapshot_add_account(struct metrics_snapshot *s, const char *name, int64_t ready,
                                  int64_t queued);
/* Appends one unknown event field's count to s (name is copied). */
void metrics_snapshot_add_unknown_field(struct metrics_snapshot *s, const char *name,
                                        uint64_t count);
/* Frees what s owns and zeroes it. */
void metrics_snapshot_free(struct metrics_snapshot *s);

/*
 * Appends the text exposition of s to out: every family with its HELP and
 * TYPE lines, label values escaped (backslash, double quote, newline).
 * Every event type and reject reason is shown, zero or not, so that series
 * do not appear out of nowhere. Pure: no I/O.
 */
void metrics_render(const struct metrics_snapshot *s, struct buf *out);

/*
 * Provided by the engine (engine_status.c): fills s, zeroed by the caller,
 * with the engine's live counters. Declared here rather than in engine.h
 * because only main.c wires the two together.
 */
struct engine;
void engine_metrics_snapshot(struct engine *e, struct metrics_snapshot *s);

/* --- the exporters (on the loop) --- */

struct metrics;
typedef void metrics_snapshot_fn(void *ctx, struct metrics_snapshot *s);

/*
 * Creates the textfile exporter of conf (metrics.textfile, when set); conf
 * is read only here. snapshot(ctx, s) is called on the loop each time a
 * rendering is needed, by the textfile's timer and by metrics_render_now()
 * (GET /metrics, http_metrics.c).
 */
struct metrics *metrics_new(uv_loop_t *loop, const struct conf *conf, metrics_snapshot_fn *snapshot,
                            void *ctx);
/* Writes the textfile once and starts its timer (nothing without a textfile). */
void metrics_start(struct metrics *m);
/* Renders a fresh snapshot of now into out. */
void metrics_render_now(struct metrics *m, struct buf *out);
/* Stops the textfile's timer; done(ctx) runs when it is closed, then m is freed. */
void metrics_close(struct metrics *m, void (*done)(void *ctx), void *ctx);

#endif
