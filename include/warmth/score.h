/*
 * score.h - one contact's engagement score: exponentially decayed sums of
 * engagement, the anti-inflation bookkeeping that decides how much an
 * engagement counts, and the breadth statistics readiness asks about
 * (distinct posts, distinct days, deep engagements, last engagement).
 *
 * Pure: no I/O, no clock. Every function that needs "now" takes it.
 *
 * Model. An engagement falls in a bucket, (type, origin): seven engagement
 * types times three origins (from a follower or anyone else, from a
 * connection, my own outbound engagement). A bucket keeps one decayed sum
 * rebased to its newest event time ref:
 *
 *   event at t >= ref:  sum = sum * 2^-((t - ref) / h) + c,  ref = t
 *   event at t <  ref:  sum = sum + c * 2^-((ref - t) / h)
 *
 * so sum * 2^-((now - ref) / h) = sum over the bucket's events of
 * c * 2^-((now - t) / h) whatever the order they arrived in, and every
 * term stays in [0, count]: no overflow or underflow however many years of
 * data. c is the event's anti-inflation factor (1 normally, less for
 * repeats, 0 for a second reaction to one post). h is the type's
 * half-life. Warmth at now is
 *
 *   warmth = sum over buckets of weight[type] * origin_factor * sum * 2^-((now - ref) / h)
 *
 * with origin_factor 1 for followers, connection_multiplier for
 * connections and outbound_factor for my own engagement. Weights and the
 * two factors are applied when warmth is read, never stored, so changing
 * them in the config changes every score exactly and at once.
 *
 * What needs a rescore. Half-lives, deep_mask, reaction_per_post,
 * repeat_window, repeat_factor, the burst caps and the time zone of days
 * shape the stored sums and stats; after a
 * change to any of them (score_params_need_rescore()) the engine rebuilds
 * each contact with score_rebuild() from the engagement history the state
 * carries (struct score_history, filled by the engine with
 * score_history_add()): one 16-byte struct score_event (time, type,
 * origin, post hash) per engagement, kept in time order and cut to the
 * newest N (scoring.history), stored in the score's blob.
 * A rescore from a cut history is exact for the kept events; the dropped
 * ones are the oldest, whose weight after many half-lives is negligible.
 *
 * Order. Sums, counts, last times and the day bitmap are commutative. Two
 * anti-inflation rules depend on arrival order, in bounded ways:
 *  - Repeats: events of one bucket in one aligned window
 *    [k * repeat_window, (k+1) * repeat_window) count 1, f, f^2, ... in the
 *    order they arrive. The total (1 - f^n) / (1 - f) of a window does not
 *    depend on order; only which event's time carries which factor does,
 *    and those times are less than repeat_window apart, so warmth differs
 *    by at most a factor 2^(repeat_window / h) (0.2% with 1h and 14d).
 *    Up to SCORE_REPEATS_MAX (bucket, window) pairs are remembered; an
 *    event later than all of them counts as the first of its window.
 *  - One reaction per post: the first like of a post to arrive counts. In
 *    time order that is the earliest; shuffled, a later one, which weighs
 *    slightly more. Posts are remembered SCORE_POSTS_MAX at a time (the
 *    most recently engaged); a like of a post older than all of them
 *    counts. A post is keyed by its id and direction, not by origin: if
 *    one person likes a post both before and after connecting, the like
 *    that counts lands in the bucket of whichever arrived first.
 *  - Bursts: an inbound engagement is cut when burst_per_hour others
 *    arrived in the hour before it, or burst_per_day on its day. In time
 *    order that is exact; shuffled, which ones of a burst are cut may
 *    differ, not how many. Only the latest SCORE_BURST_MAX times and
 *    SCORE_BURST_DAYS days are remembered.
 * score_rescore() replays in time order, so a rescore always gives the
 * in-order result.
 *
 * The state is a flat struct (about 1 KiB) but for its history, an owned
 * array: the engine keeps it behind a pointer in a contact, frees it with
 * score_free(), and stores both as the blob of score_encode().
 */
#ifndef WARMTH_SCORE_H
#define WARMTH_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/event.h"
#include "warmth/util.h"

/* The engagement types, in event.h order. Stored in blobs: never reorder. */
enum score_type {
	SCORE_LIKE,
	SCORE_COMMENT,
	SCORE_REPLY,
	SCORE_SHARE,
	SCORE_MENTION,
	SCORE_MESSAGE,
	SCORE_PROFILE_VIEW,
	SCORE_TYPE_COUNT
};

/* Where an engagement came from. Stored in blobs: never reorder. */
enum score_origin {
	SCORE_FROM_FOLLOWER,   /* dir in, not connected at the event's time (followers and anyone else) */
	SCORE_FROM_CONNECTION, /* dir in, connected at the event's time */
	SCORE_OUTBOUND,        /* dir out: my engagement with them */
	SCORE_ORIGIN_COUNT
};

/* The score type of an engagement event type, or -1 for other types. */
int score_type_of(enum event_type type);
/* "like", "comment", ...; NULL out of range. */
const char *score_type_name(enum score_type type);
/* The type named name, or -1. */
int score_type_from_name(const char *name);

/*
 * The scoring configuration (the "scoring:" section of the config, where
 * struct conf embeds it). Callers fill every field; nothing has a default
 * here.
 */
struct score_params {
	int64_t half_life_ms;                        /* every type's, unless overridden */
	int64_t half_life_type_ms[SCORE_TYPE_COUNT]; /* 0: half_life_ms */
	double weight[SCORE_TYPE_COUNT];             /* >= 0 */
	double connection_multiplier;                /* origin factor of SCORE_FROM_CONNECTION */
	double outbound_factor;                      /* origin factor of SCORE_OUTBOUND */
	uint32_t deep_mask;                          /* bit (1 << type) set: a deep engagement */
	int reaction_per_post;                       /* at most one like per post counts */
	int64_t repeat_window_ms;                    /* 0: repeats are not discounted */
	double repeat_factor;                        /* in (0, 1]: the n-th in a window counts f^(n-1) */
	/*
	 * Bursts: an inbound engagement (theirs) beyond burst_per_hour in
	 * any hour (a sliding hour: what arrived in the hour before it), or
	 * beyond burst_per_day in one day, adds nothing (no warmth, post,
	 * day or deep engagement) and is counted as cut. 0: no cap.
	 */
	int64_t burst_per_hour;                      /* 0 to SCORE_BURST_MAX */
	int64_t burst_per_day;
	/* The user's time zone as an offset from UTC: days are counted in it. */
	int64_t day_offset_ms;
};

/* The half-life of type under p, in milliseconds (always > 0 for valid params). */
int64_t score_half_life(const struct score_params *p, enum score_type type);
/* Whether going from a to b changes stored sums or stats (then rescore). */
int score_params_need_rescore(const struct score_params *a, const struct score_params *b);

/* One engagement as the score sees it. */
struct score_event {
	int64_t ts_ms;
	uint32_t post_hash; /* score_post_hash(), 0 when the event names no post */
	uint8_t type;       /* enum score_type */
	uint8_t origin;     /* enum score_origin */
};

/*
 * A 32-bit hash of a post id, never 0. Inbound and outbound engagement are
 * on different posts (mine, theirs), so dir_out is part of the key.
 */
uint32_t score_post_hash(const char *post, size_t len, int dir_out);

#define SCORE_POSTS_MAX 32
#define SCORE_REPEATS_MAX 16
#define SCORE_DAYS_BITS 64
#define SCORE_BURST_MAX 32 /* the largest burst_per_hour */
#define SCORE_BURST_DAYS 8 /* days whose inbound count is remembered for burst_per_day */

/* Which side's engagement a statistic counts (a mask). */
#define SCORE_SIDE_IN 1u  /* theirs: dir in, from a follower or a connection */
#define SCORE_SIDE_OUT 2u /* mine: dir out, on their posts */

struct score_bucket {
	double sum;     /* decayed to ref_ms; 0 when empty */
	int64_t ref_ms; /* time of the newest event in the bucket */
};

/* A post this contact engaged with (or I engaged with, for outbound). */
struct score_post {
	int64_t ts_ms;  /* the newest engagement with it */
	uint32_t hash;
	uint16_t liked; /* a like of it has been counted */
	uint16_t out;   /* 1: their post I engaged with (dir out); 0: mine they engaged with */
};

/* How many inbound engagements arrived on one day (for burst_per_day). */
struct score_day_count {
	int64_t day;    /* days since the epoch, in the user's time zone */
	uint32_t count;
};

/* How many events of one bucket arrived in one aligned repeat window. */
struct score_repeat {
	int64_t window;  /* ts_ms / repeat_window_ms */
	uint16_t count;
	uint8_t bucket;  /* type * SCORE_ORIGIN_COUNT + origin */
};

/*
 * The engagement history kept per contact for rescoring: events sorted by
 * time (oldest first), at most the max given to add. events points into
 * base: dropping the oldest moves events forward, and the kept ones move
 * back to base only once the room behind them is used up. A busy contact
 * is at the limit for most of its events, and moving all of them back on
 * every one (4 KiB at the default 256) was the largest copy of a backlog.
 */
struct score_history {
	struct score_event *events; /* the n kept: base + the number dropped since the last move */
	struct score_event *base;   /* owned, cap events */
	size_t n, cap;
};

struct score_state {
	struct score_bucket buckets[SCORE_TYPE_COUNT][SCORE_ORIGIN_COUNT];
	struct score_post posts[SCORE_POSTS_MAX];     /* unordered, nposts used */
	struct score_repeat repeats[SCORE_REPEATS_MAX];
	uint32_t nposts, nrepeats;
	uint64_t days;          /* bit i: they engaged on day days_anchor - i (days since the
	                           epoch in the user's time zone; inbound engagement only) */
	int64_t days_anchor;    /* the newest day engaged; meaningless while days == 0 */
	uint64_t days_out;      /* the same for my engagement on their posts */
	int64_t days_out_anchor;
	uint32_t engagements;   /* every engagement event, counted, discounted or cut */
	uint32_t deep;          /* deep engagements (deep_mask), both sides, not cut */
	uint32_t deep_out;      /* of which mine (dir out) */
	uint32_t counted_in;    /* inbound engagements not cut as bursts */
	uint32_t burst_cut;     /* inbound engagements cut as bursts (burst_per_hour, _per_day) */
	int64_t last_ms;        /* newest engagement, 0 if none */
	int64_t last_deep_ms;   /* newest deep engagement, 0 if none */
	int64_t first_value_ms; /* my first deep engagement but a message on their posts, 0 if none */
	/* The times of the latest inbound engagements (for burst_per_hour), unordered. */
	int64_t burst_ring[SCORE_BURST_MAX];
	uint32_t nburst;
	struct score_day_count burst_days[SCORE_BURST_DAYS];
	uint32_t nburst_days;
	/* What score_rebuild() replays (the engine adds to it); owned, empty in a zeroed state. */
	struct score_history history;
};

/* An empty state (all zero; a zeroed struct is one too). Does not free a history s had. */
void score_init(struct score_state *s);
/* Frees s (from malloc) and its history; NULL is fine. */
void score_free(struct score_state *s);

/*
 * Folds one engagement into s under p. Returns the factor it counted with:
 * 1 for a first, f^(n-1) for the n-th repeat in its window, 0 for a second
 * like of one post. Stats (posts, days, deep, last) count every event,
 * discounted or not. ev->type and ev->origin must be in range.
 */
double score_add(struct score_state *s, const struct score_params *p, const struct score_event *ev);

/* Warmth at now_ms (see the top of this file); events after now count as now. */
double score_warmth(const struct score_state *s, const struct score_params *p, int64_t now_ms);
/* The part of warmth due to one type, all origins (for explanations). */
double score_warmth_type(const struct score_state *s, const struct score_params *p,
                         enum score_type type, int64_t now_ms);

/* Warmth at now_ms from one side's engagement only (SCORE_SIDE_IN, _OUT or both). */
double score_warmth_side(const struct score_state *s, const struct score_params *p,
                         unsigned sides, int64_t now_ms);
/* Both sides' warmth in one pass: theirs into *in, mine into *out. */
void score_warmth_sides(const struct score_state *s, const struct score_params *p, int64_t now_ms,
                        double *in, double *out);
/* Distinct posts engaged with at or after since_ms by sides (at most SCORE_POSTS_MAX). */
uint32_t score_distinct_posts(const struct score_state *s, int64_t since_ms, unsigned sides);
/*
 * Distinct days with an engagement of sides, from the day of since_ms on
 * (at most 64 back), days in the time zone of p->day_offset_ms.
 */
uint32_t score_distinct_days(const struct score_state *s, const struct score_params *p,
                             int64_t since_ms, unsigned sides);
/* Deep engagements of sides. */
uint32_t score_deep(const struct score_state *s, unsigned sides);
/* The day (since the epoch) of ts_ms in the time zone of p. */
int64_t score_day(const struct score_params *p, int64_t ts_ms);

/*
 * Rebuilds s from events[0..n) under p, as if they had arrived in time
 * order (ties by type, origin, post): the canonical result. events is not
 * modified. s is overwritten, its history left empty (not freed).
 */
void score_rescore(struct score_state *s, const struct score_params *p,
                   const struct score_event *events, size_t n);

/*
 * Rebuilds s under p from its own history, s having been built under old
 * (a reload changed what score_params_need_rescore() looks at). When the
 * history holds every engagement s counted, the result is exactly that of
 * the events arriving in time order under p. When it holds fewer (cut to
 * the newest "history" events, or kept only since a database of an older
 * version), what the dropped ones left in each bucket under old, the
 * bucket's sum less what the kept ones account for, is carried over at the
 * bucket's time and decays under p from there; their counts (engagements,
 * deep, days, posts) stay. Returns 1 if the history was complete.
 */
int score_rebuild(struct score_state *s, const struct score_params *old,
                  const struct score_params *p);

/*
 * Blob: a version byte (3), then the non-empty buckets, the posts (with
 * their side), the repeat windows and the stats, little-endian, then the
 * burst bookkeeping, then the history: a u32 count and 14 bytes per
 * event (as score_history_encode). Versions 1 (no history) and 2 (no
 * sides, no bursts) from older daemons still decode: posts and days read
 * as theirs, except what a version 2 history tells (my posts; with a
 * complete history, the days of each side, in UTC).
 * decode overwrites s (a history it had is not freed) and returns 0, or -1
 * if the blob is truncated, too long, of another version or holds
 * impossible values; s is then empty.
 */
void score_encode(const struct score_state *s, struct buf *out);
int score_decode(struct score_state *s, const void *blob, size_t len);
/*
 * Only the decayed sums of a blob (what score_warmth() reads), the rest of
 * s zeroed and its history empty (nothing to free): a list ranked by
 * warmth reads every contact's this way. 0, or -1 (s zeroed) if damaged.
 */
int score_decode_sums(struct score_state *s, const void *blob, size_t len);

/*
 * Inserts ev in time order (after equal times); when that makes more than
 * max events, drops the oldest. max 0 keeps nothing.
 */
void score_history_add(struct score_history *h, const struct score_event *ev, size_t max);
void score_history_free(struct score_history *h);
/* Blob: a version byte (1), then 14 bytes per event. decode: 0 or -1 (h then empty). */
void score_history_encode(const struct score_history *h, struct buf *out);
int score_history_decode(struct score_history *h, const void *blob, size_t len);

#endif
