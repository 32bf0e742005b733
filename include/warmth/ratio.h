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
};

/* Invitation outcomes, overall or for one segment. */
struct ratio_invites {
	uint32_t sent, accepted, declined, withdrawn;
};
/* accepted / sent (pending ones count as not accepted); -1 if none sent. */
double ratio_acceptance_rate(const struct ratio_invites *inv);

#define RATIO_DAYS 32             /* engagement is kept per day for this many days */
#define RATIO_CONVERT_BUCKETS 366 /* days to convert: 0 .. 364, and 365 or more */

/* Engagement on one UTC day, by origin. */
struct ratio_day {
	int64_t day;                /* days since the epoch; entries are at day % RATIO_DAYS */
	uint32_t from_connections;
	uint32_t from_followers;    /* dir in, not connected: followers and others */
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
};

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
};

/* Computes the metrics of an account with the given counts (-1: unknown). */
void ratio_compute(const struct ratio_params *p, int64_t cap, int64_t followers, int64_t connections,
                   const struct ratio_account *acc, int64_t now_ms, struct ratio_metrics *out);

/* Notification kinds, as bits. */
#define RATIO_NOTICE_RATIO 1u /* the ratio is outside its band */
#define RATIO_NOTICE_CAP 2u   /* connections at or past cap_warning * cap */
/* The notices due now: each at most once per audit period. */
unsigned ratio_due(const struct ratio_params *p, const struct ratio_metrics *m,
                   const struct ratio_account *acc, int64_t now_ms);
/* Records that the notices in kinds were sent at now_ms. */
void ratio_notified(struct ratio_account *acc, unsigned kinds, int64_t now_ms);

/* Blob: version byte (1), counters, non-empty buckets and days. decode: 0, or -1 (acc zeroed). */
void ratio_encode(const struct ratio_account *acc, struct buf *out);
int ratio_decode(struct ratio_account *acc, const void *blob, size_t len);

#endif
