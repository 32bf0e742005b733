/*
 * ratio.h - network metrics of one account: the follower:connection ratio
 * against the target band of the configured role, closeness to the
 * connection cap, invitation acceptance, follower-to-connection
 * conversion, and engagement from connections versus followers; and when
 * "ratio" and "cap" notifications are due.
 *
 * Pure: no I/O, no clock. The engine keeps one struct ratio_account per
 * account (counters it updates as events arrive, stored as a blob) and
 * calls ratio_compute() with the account's latest followers/connections
 * whenever metrics are asked for or a snapshot arrives, then ratio_due()
 * to decide on notifications, and ratio_notified() once one is sent.
 */
#ifndef WARMTH_RATIO_H
#define WARMTH_RATIO_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/util.h"

/* Professional roles (INTERFACE.md metrics "role"). Stored in config only. */
enum ratio_role {
	RATIO_THOUGHT_LEADER,
	RATIO_CONSULTANT,
	RATIO_BUSINESS_DEVELOPER,
	RATIO_EARLY_CAREER,
	RATIO_ROLE_COUNT
};
/* "thought_leader", "consultant", "business_developer", "early_career"; NULL out of range. */
const char *ratio_role_name(enum ratio_role role);

/* A target band of followers per connection. */
struct ratio_band {
	double min, max;
};

/* The "network:" section of the config (struct conf embeds it). */
struct ratio_params {
	int role;                                /* enum ratio_role */
	struct ratio_band bands[RATIO_ROLE_COUNT];
	double cap_warning;                      /* warn at this fraction of the cap */
	int64_t audit_period_ms;                 /* at most one notice of each kind per period */
	int64_t first_hour_ms;                   /* a post's early window (DOMAIN.md: the first hour) */
	uint32_t first_hour_posts;               /* the share is over this many recent posts (<= RATIO_POSTS_MAX) */
	int64_t growth_window_ms;                /* growth per week is measured over this (<= RATIO_DAYS days) */
	int64_t advice_horizon_ms;               /* advice that takes longer says "not at this pace" (0: none) */
};

/* Invitation outcomes, overall or for one segment. */
struct ratio_invites {
	uint32_t sent, accepted, declined, withdrawn;
};
/* accepted / sent (pending ones count as not accepted); -1 if none sent. */
double ratio_acceptance_rate(const struct ratio_invites *inv);

/*
 * Invitation outcomes per segment, by the segment's name: the segment the
 * contact is in when the outcome's event (or warmthctl mark) is applied.
 * The config allows at most RATIO_SEGMENTS_MAX segments, names of at most
 * RATIO_SEGMENT_NAME_MAX bytes; a renamed segment starts afresh and the
 * old name stays until the table is full, then the entry with the fewest
 * invitations makes room.
 */
#define RATIO_SEGMENTS_MAX 32
#define RATIO_SEGMENT_NAME_MAX 64
struct ratio_segment {
	char name[RATIO_SEGMENT_NAME_MAX + 1];
	struct ratio_invites invites;
};
/* The outcome kinds ratio_note_invite() counts. */
enum ratio_outcome { RATIO_SENT, RATIO_ACCEPTED, RATIO_DECLINED, RATIO_WITHDRAWN };

/*
 * One of my posts, for the share of its early engagement that came from
 * connections: the window starts at the first engagement seen with it
 * (the event format has no publish time). In time order the counts are
 * exact; an engagement that arrives late and earlier than the first one
 * moves the start back, and what was counted stays counted.
 */
#define RATIO_POSTS_MAX 64
struct ratio_post {
	int64_t first_ms;
	uint32_t hash;              /* a hash of the post id, never 0 */
	uint32_t early;             /* engagements within the window */
	uint32_t early_connections; /* of those, from connections */
};

#define RATIO_DAYS 32             /* engagement is kept per day for this many days */
#define RATIO_CONVERT_BUCKETS 366 /* days to convert: 0 .. 364, and 365 or more */

/* Engagement on one UTC day, by origin. */
struct ratio_day {
	int64_t day;                /* days since the epoch; entries are at day % RATIO_DAYS */
	uint32_t from_connections;
	uint32_t from_followers;    /* dir in, not connected: followers and others */
};

/* The net change of followers and connections on one UTC day (for growth per week). */
struct ratio_gain {
	int64_t day;                /* days since the epoch; entries are at day % RATIO_DAYS */
	int32_t followers, connections;
};

/* What the engine keeps per account. Zeroed is empty. */
struct ratio_account {
	struct ratio_invites invites;
	uint32_t followers_gained;  /* follow events (dir in) */
	uint32_t conversions;       /* of those, later connected */
	uint32_t convert_days[RATIO_CONVERT_BUCKETS];
	struct ratio_day days[RATIO_DAYS];
	int64_t ratio_notified_ms;  /* the last "ratio" notice, 0: never */
	int64_t cap_notified_ms;    /* the last "cap" notice, 0: never */
	struct ratio_segment segments[RATIO_SEGMENTS_MAX];
	uint32_t nsegments;
	struct ratio_post posts[RATIO_POSTS_MAX];   /* unordered, nposts used */
	uint32_t nposts;
	/*
	 * Followers and connections gained (or lost) since the snapshot of
	 * time delta_snapshot_ms, from follow, unfollow, connect and
	 * disconnect events later than it; a newer snapshot resets them.
	 */
	int64_t delta_snapshot_ms;
	int32_t followers_delta, connections_delta;
	/* Net gains per day from the same events, over the last RATIO_DAYS days. */
	struct ratio_gain gains[RATIO_DAYS];
};

/*
 * One day of an account's network series (the dashboard's Network page):
 * the figures at the end of the day (the last commit of it), days counted
 * in the user's time zone (scoring.zone). The invitation and follower
 * counts are totals since counting began: a day's own count is its
 * difference with the day before.
 */
struct ratio_series_day {
	int64_t day;                /* days since the epoch, in the user's time zone */
	int64_t followers, connections;
	int64_t invitations_sent, accepted, declined, new_followers, conversions;
};

/* The series row of acc for day from its current figures. */
void ratio_series_of(const struct ratio_account *acc, int64_t day, int64_t followers,
                     int64_t connections, struct ratio_series_day *out);

/* Counts an invitation outcome of a contact in segment (NULL: overall only). */
void ratio_note_invite(struct ratio_account *acc, const char *segment, enum ratio_outcome outcome);
/* The outcomes of segment, or NULL when none were counted for it. */
const struct ratio_invites *ratio_segment_invites(const struct ratio_account *acc, const char *segment);

/*
 * Counts an inbound engagement with my post post_hash (non-zero) at ts_ms
 * (see struct ratio_post); the table keeps the RATIO_POSTS_MAX posts
 * first engaged with most recently.
 */
void ratio_note_post(struct ratio_account *acc, uint32_t post_hash, int64_t ts_ms,
                     int from_connection, int64_t window_ms);

/* The share of early engagement from connections over recent posts. */
struct ratio_first_hour {
	uint32_t posts;             /* posts whose window ended by now, at most first_hour_posts */
	double median, mean;        /* of the per-post shares; -1 when posts == 0 */
};
void ratio_first_hour(const struct ratio_params *p, const struct ratio_account *acc, int64_t now_ms,
                      struct ratio_first_hour *out);

/*
 * Counts a change of followers (+1, -1, 0) and connections by an event at
 * ts_ms, the account's newest snapshot being of snapshot_ms: only events
 * after it change what it says. Every change counts towards the day's
 * gains (growth per week), whatever the snapshot.
 */
void ratio_note_delta(struct ratio_account *acc, int64_t snapshot_ms, int64_t ts_ms,
                      int followers, int connections);
/* The counts now: the snapshot's (-1: unknown, and stays so) plus the deltas since. */
void ratio_current(const struct ratio_account *acc, int64_t snapshot_ms, int64_t followers,
                   int64_t connections, int64_t *followers_now, int64_t *connections_now);

/* Counts an inbound engagement at ts_ms (order-independent within RATIO_DAYS days of the newest). */
void ratio_note_engagement(struct ratio_account *acc, int64_t ts_ms, int from_connection);
/* Counts a follower who became a connection: followed at follow_ms, connected at connect_ms. */
void ratio_note_conversion(struct ratio_account *acc, int64_t follow_ms, int64_t connect_ms);
/* Engagements in the days (now - days, now], days <= RATIO_DAYS. */
void ratio_engagement(const struct ratio_account *acc, int64_t now_ms, int days,
                      uint32_t *from_connections, uint32_t *from_followers);
/* The median of days to convert, -1 if none converted. */
double ratio_median_convert_days(const struct ratio_account *acc);

enum ratio_position { RATIO_UNKNOWN, RATIO_BELOW, RATIO_IN_BAND, RATIO_ABOVE };
/* "unknown", "below", "in_band", "above" */
const char *ratio_position_name(enum ratio_position pos);

/* The metrics (INTERFACE.md "metrics"); -1 stands for unknown. */
struct ratio_metrics {
	int64_t followers, connections;
	double ratio;                   /* followers / connections */
	double target_min, target_max;  /* the role's band */
	enum ratio_position position;
	int64_t cap;
	double cap_usage;               /* connections / cap */
	double acceptance_rate;
	double conversion_rate;         /* conversions / followers_gained */
	double median_convert_days;
	double engagement_rate_connections_7d, engagement_rate_followers_7d;   /* per member */
	double engagement_rate_connections_30d, engagement_rate_followers_30d;
	struct ratio_first_hour first_hour;
	/* Net new followers and connections a week, over growth_window (0 when none). */
	double followers_per_week, connections_per_week;
	double advice_horizon_weeks;    /* network.advice_horizon in weeks (0: none) */
};

/* Computes the metrics of an account with the given counts (-1: unknown). */
void ratio_compute(const struct ratio_params *p, int64_t cap, int64_t followers, int64_t connections,
                   const struct ratio_account *acc, int64_t now_ms, struct ratio_metrics *out);

/*
 * What to do about a ratio outside its band: how many more connections
 * (ratio above the band) or followers (below it) would bring it to the
 * band's nearest end at today's other count, and how long that takes at
 * the current growth of both (-1: at the current pace, never, or not
 * within network.advice_horizon). More connections than the connection
 * cap leaves room for cannot be the advice: then room says how many it
 * does leave, and at_cap what the ratio would be at the cap.
 */
enum ratio_advice_kind { RATIO_ADVICE_NONE, RATIO_ADVICE_CONNECTIONS, RATIO_ADVICE_FOLLOWERS };
struct ratio_advice {
	enum ratio_advice_kind kind;
	double target;      /* the ratio aimed at: the band's nearest end */
	int64_t more;       /* connections or followers needed at today's other count */
	double per_week;    /* the current net growth of what is needed, per week */
	double other_per_week; /* and of the other count */
	double weeks;       /* until the ratio reaches target at the current growth of both; -1 never */
	int64_t room;       /* connections the cap leaves room for when more is beyond it, else -1 */
	double at_cap;      /* then the ratio at the cap, today's followers over the cap */
};
void ratio_advise(const struct ratio_metrics *m, struct ratio_advice *out);
/*
 * The advice in words for the role (enum ratio_role), appended to out:
 * "about 980 more connections would bring you to 2.0 (consultant); at
 * your current growth of 12 connections a week, about 19 months". Nothing
 * for RATIO_ADVICE_NONE.
 */
void ratio_advice_words(const struct ratio_advice *a, int role, struct buf *out);

/* Notification kinds, as bits. */
#define RATIO_NOTICE_RATIO 1u /* the ratio is outside its band */
#define RATIO_NOTICE_CAP 2u   /* connections at or past cap_warning * cap */
/* The notices due now: each at most once per audit period. */
unsigned ratio_due(const struct ratio_params *p, const struct ratio_metrics *m,
                   const struct ratio_account *acc, int64_t now_ms);
/* Records that the notices in kinds were sent at now_ms. */
void ratio_notified(struct ratio_account *acc, unsigned kinds, int64_t now_ms);

/*
 * Blob: version byte (3), counters, non-empty buckets and days, then the
 * segments, posts and deltas, then the gains (versions 1, without the
 * last three, and 2, without the gains, still decode).
 * decode: 0, or -1 (acc zeroed).
 */
void ratio_encode(const struct ratio_account *acc, struct buf *out);
int ratio_decode(struct ratio_account *acc, const void *blob, size_t len);

#endif
