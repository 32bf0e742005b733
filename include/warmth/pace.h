/*
 * pace.h - when a notifier may deliver: its rate limit (a token bucket),
 * its quiet hours, the boundaries of its digest periods and the wait
 * before a failed delivery is tried again.
 *
 * These are decisions about delivery, so they are taken on the wall clock
 * (never on event time), in milliseconds since the epoch. Local times
 * (quiet hours, digest boundaries) are read in a fixed UTC offset or in
 * the system's time zone at the moment asked about.
 *
 * Pure: no I/O, no libuv, no SQLite. The outbox keeps the state.
 */
#ifndef WARMTH_PACE_H
#define WARMTH_PACE_H

#include <stdint.h>

/* "Use the system's time zone" for an offset in minutes. */
#define PACE_LOCAL_OFFSET INT32_MIN

/*
 * A token bucket: up to burst tokens, count new ones per period_ms, one
 * token per delivery. Full at start, unless pace_bucket_seed() says what
 * was sent lately.
 */
struct pace_bucket {
	uint32_t count;      /* tokens per period; 0: no limit */
	int64_t period_ms;
	uint32_t burst;      /* capacity, >= 1 when count > 0 */
	double tokens;
	int64_t updated_ms;  /* 0: not started (full) */
};

/* Sets up b; count 0 means unlimited. burst 0 means count. */
void pace_bucket_init(struct pace_bucket *b, uint32_t count, int64_t period_ms, uint32_t burst);
/*
 * Takes one token at now: returns 0 when the delivery may start now, else
 * the earliest time (> now) at which a token will be there (and takes
 * nothing). Time going backwards refills nothing.
 */
int64_t pace_bucket_take(struct pace_bucket *b, int64_t now);
/*
 * How far back deliveries still weigh on a full bucket: the time it takes
 * to refill from empty (period x burst / count). 0 without a limit.
 */
int64_t pace_bucket_window(const struct pace_bucket *b);
/*
 * Starts the bucket at now with used deliveries made within the window
 * (a restart must not bring a fresh burst on top of what was just sent).
 */
void pace_bucket_seed(struct pace_bucket *b, uint64_t used, int64_t now);
/* Gives back a token taken for a delivery that did not happen. */
void pace_bucket_refund(struct pace_bucket *b);

/* The offset from UTC in minutes at now: offset_min, or the system's. */
int32_t pace_utc_offset(int32_t offset_min, int64_t now);

/*
 * Quiet hours from start_min to end_min (minutes after local midnight,
 * 0..1439; start > end wraps past midnight: 22:00-07:00). Returns 0 when
 * now is outside them (start_min < 0: none), else the wall time at which
 * they end.
 */
int64_t pace_quiet_until(int32_t start_min, int32_t end_min, int32_t offset_min, int64_t now);

/*
 * The first digest boundary after now: boundaries are every period_ms
 * counted from local midnight of the Unix epoch's day (a period of 1d is
 * each local midnight, 12h is midnight and noon). period_ms > 0.
 */
int64_t pace_digest_next(int64_t period_ms, int32_t offset_min, int64_t now);

/*
 * Parses "HH:MM" (00:00 to 23:59) into minutes; -1 when it is not one.
 * Parses "+HH:MM", "-HH:MM", "Z", "UTC" into minutes east of UTC, within
 * 18 hours: pace_parse_offset returns 0 or -1.
 */
int pace_parse_clock(const char *s, size_t len);
int pace_parse_offset(const char *s, int32_t *out);

/*
 * A number in [0, 1) from the generator state *rng (xorshift64*; any
 * state but 0), which it advances. For jitter only: not for secrets.
 */
double pace_random(uint64_t *rng);

/*
 * The wait before try number attempts + 1 of a delivery that failed
 * attempts (>= 1) times: retry_min, doubled at each further failure up to
 * retry_max, then drawn at random (from *rng) within 25% either side of
 * that, but never below min_ms nor above max_ms (0 < min_ms <= max_ms).
 * For a given draw the wait never shrinks as attempts grow.
 */
int64_t pace_backoff(int64_t min_ms, int64_t max_ms, int64_t attempts, uint64_t *rng);

#endif
