/*
 * ratio.c - network metrics of an account and the decisions on "ratio" and
 * "cap" notifications (see ratio.h).
 *
 * The counters are sums and per-day buckets, so events may arrive in any
 * order. Days to convert are a histogram rather than a list of samples:
 * the median is exact to the day with bounded memory however many
 * followers convert.
 */
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "warmth/ratio.h"

#include "blob.h"

#define RATIO_VERSION 3 /* 1: without segments, posts and deltas; 2: without gains */
#define RATIO_DAY_MS INT64_C(86400000)

static const char *const ratio_role_names[RATIO_ROLE_COUNT] = {
	[RATIO_THOUGHT_LEADER] = "thought_leader",
	[RATIO_CONSULTANT] = "consultant",
	[RATIO_BUSINESS_DEVELOPER] = "business_developer",
	[RATIO_EARLY_CAREER] = "early_career",
};

const char *ratio_role_name(enum ratio_role role)
{
	if ((unsigned)role >= RATIO_ROLE_COUNT)
		return NULL;
	return ratio_role_names[role];
}

const char *ratio_position_name(enum ratio_position pos)
{
	switch (pos) {
	case RATIO_BELOW:
		return "below";
	case RATIO_IN_BAND:
		return "in_band";
	case RATIO_ABOVE:
		return "above";
	default:
		return "unknown";
	}
}

double ratio_acceptance_rate(const struct ratio_invites *inv)
{
	if (inv->sent == 0)
		return -1;
	return (double)inv->accepted / inv->sent;
}

void ratio_note_engagement(struct ratio_account *acc, int64_t ts_ms, int from_connection)
{
	int64_t day = ts_ms / RATIO_DAY_MS;
	struct ratio_day *d = &acc->days[day % RATIO_DAYS];

	if (d->day != day) {
		/* The slot holds an older day (or nothing): a newer one takes it over. */
		if (d->day > day && (d->from_connections || d->from_followers))
			return;
		d->day = day;
		d->from_connections = d->from_followers = 0;
	}
	if (from_connection)
		d->from_connections++;
	else
		d->from_followers++;
}

void ratio_note_conversion(struct ratio_account *acc, int64_t follow_ms, int64_t connect_ms)
{
	int64_t days = (connect_ms - follow_ms) / RATIO_DAY_MS;

	if (days < 0)
		days = 0;
	if (days >= RATIO_CONVERT_BUCKETS)
		days = RATIO_CONVERT_BUCKETS - 1;
	acc->convert_days[days]++;
	acc->conversions++;
}

void ratio_engagement(const struct ratio_account *acc, int64_t now_ms, int days,
                      uint32_t *from_connections, uint32_t *from_followers)
{
	int64_t today = now_ms / RATIO_DAY_MS;

	*from_connections = *from_followers = 0;
	for (int i = 0; i < RATIO_DAYS; i++) {
		const struct ratio_day *d = &acc->days[i];
		if (d->day > today - days && d->day <= today) {
			*from_connections += d->from_connections;
			*from_followers += d->from_followers;
		}
	}
}

double ratio_median_convert_days(const struct ratio_account *acc)
{
	uint64_t total = 0, seen = 0;
	int lower = -1;

	for (int i = 0; i < RATIO_CONVERT_BUCKETS; i++)
		total += acc->convert_days[i];
	if (total == 0)
		return -1;
	/* The median of an even count is the mean of the two middle values. */
	for (int i = 0; i < RATIO_CONVERT_BUCKETS; i++) {
		seen += acc->convert_days[i];
		if (lower < 0 && seen >= (total + 1) / 2)
			lower = i;
		if (seen >= total / 2 + 1)
			return total % 2 ? lower : (lower + i) / 2.0;
	}
	return lower;
}

/* -- acceptance per segment ------------------------------------------------ */

/* The index of segment name's entry, or -1. */
static int ratio_segment_find(const struct ratio_account *acc, const char *name)
{
	for (uint32_t i = 0; i < acc->nsegments; i++)
		if (strncmp(acc->segments[i].name, name, RATIO_SEGMENT_NAME_MAX) == 0)
			return (int)i;
	return -1;
}

static void ratio_invites_count(struct ratio_invites *inv, enum ratio_outcome outcome)
{
	switch (outcome) {
	case RATIO_SENT:
		inv->sent++;
		break;
	case RATIO_ACCEPTED:
		inv->accepted++;
		break;
	case RATIO_DECLINED:
		inv->declined++;
		break;
	case RATIO_WITHDRAWN:
		inv->withdrawn++;
		break;
	}
}

void ratio_series_of(const struct ratio_account *acc, int64_t day, int64_t followers,
                     int64_t connections, struct ratio_series_day *out)
{
	out->day = day;
	out->followers = followers;
	out->connections = connections;
	out->invitations_sent = acc->invites.sent;
	out->accepted = acc->invites.accepted;
	out->declined = acc->invites.declined;
	out->new_followers = acc->followers_gained;
	out->conversions = acc->conversions;
}

void ratio_note_invite(struct ratio_account *acc, const char *segment, enum ratio_outcome outcome)
{
	struct ratio_segment *seg;
	int at;

	ratio_invites_count(&acc->invites, outcome);
	if (segment == NULL)
		return;
	at = ratio_segment_find(acc, segment);
	seg = at >= 0 ? &acc->segments[at] : NULL;
	if (seg == NULL) {
		if (acc->nsegments < RATIO_SEGMENTS_MAX) {
			seg = &acc->segments[acc->nsegments++];
		} else {
			/* Only after renames: the least used old name makes room. */
			seg = &acc->segments[0];
			for (uint32_t i = 1; i < acc->nsegments; i++)
				if (acc->segments[i].invites.sent < seg->invites.sent)
					seg = &acc->segments[i];
		}
		memset(seg, 0, sizeof(*seg));
		strncpy(seg->name, segment, RATIO_SEGMENT_NAME_MAX);
	}
	ratio_invites_count(&seg->invites, outcome);
}

const struct ratio_invites *ratio_segment_invites(const struct ratio_account *acc, const char *segment)
{
	int at = ratio_segment_find(acc, segment);

	return at >= 0 ? &acc->segments[at].invites : NULL;
}

/* -- first-hour engagement -------------------------------------------------- */

void ratio_note_post(struct ratio_account *acc, uint32_t post_hash, int64_t ts_ms,
                     int from_connection, int64_t window_ms)
{
	struct ratio_post *post = NULL;

	/* Newest first: engagement clusters on the posts just published. */
	for (uint32_t i = acc->nposts; i-- > 0;) {
		if (acc->posts[i].hash == post_hash) {
			post = &acc->posts[i];
			break;
		}
	}
	if (post == NULL) {
		if (acc->nposts < RATIO_POSTS_MAX) {
			post = &acc->posts[acc->nposts++];
		} else {
			post = &acc->posts[0];
			for (uint32_t i = 1; i < acc->nposts; i++)
				if (acc->posts[i].first_ms < post->first_ms)
					post = &acc->posts[i];
			/* Older than every post kept: it would be the next to go. */
			if (ts_ms < post->first_ms)
				return;
		}
		memset(post, 0, sizeof(*post));
		post->hash = post_hash;
		post->first_ms = ts_ms;
	} else if (ts_ms < post->first_ms) {
		post->first_ms = ts_ms;
	}
	if (ts_ms - post->first_ms >= window_ms)
		return;
	post->early++;
	post->early_connections += from_connection != 0;
}

static int ratio_double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int ratio_post_newest_first(const void *a, const void *b)
{
	const struct ratio_post *x = a, *y = b;

	return x->first_ms > y->first_ms ? -1 : x->first_ms < y->first_ms;
}

void ratio_first_hour(const struct ratio_params *p, const struct ratio_account *acc, int64_t now_ms,
                      struct ratio_first_hour *out)
{
	struct ratio_post posts[RATIO_POSTS_MAX];
	double shares[RATIO_POSTS_MAX], sum = 0.0;
	uint32_t n = 0;

	out->posts = 0;
	out->median = out->mean = -1;
	memcpy(posts, acc->posts, acc->nposts * sizeof(posts[0]));
	qsort(posts, acc->nposts, sizeof(posts[0]), ratio_post_newest_first);
	/* Only closed windows: an open one's share is still moving. */
	for (uint32_t i = 0; i < acc->nposts && n < p->first_hour_posts; i++) {
		if (posts[i].early == 0 || posts[i].first_ms + p->first_hour_ms > now_ms)
			continue;
		shares[n] = (double)posts[i].early_connections / posts[i].early;
		sum += shares[n++];
	}
	if (n == 0)
		return;
	qsort(shares, n, sizeof(shares[0]), ratio_double_cmp);
	out->posts = n;
	out->mean = sum / n;
	out->median = n % 2 ? shares[n / 2] : (shares[n / 2 - 1] + shares[n / 2]) / 2.0;
}

/* -- counts between snapshots ---------------------------------------------- */

/* delta + by, held within int32_t (a flood of follows must not wrap it). */
static int32_t ratio_delta_add(int32_t delta, int by)
{
	int64_t sum = (int64_t)delta + by;

	return sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : (int32_t)sum;
}

/* Adds a day's net gains (order-independent within RATIO_DAYS days of the newest). */
static void ratio_note_gain(struct ratio_account *acc, int64_t ts_ms, int followers, int connections)
{
	int64_t day = ts_ms / RATIO_DAY_MS;
	struct ratio_gain *g;

	if (day < 0)
		return;
	g = &acc->gains[day % RATIO_DAYS];
	if (g->day != day) {
		if (g->day > day)
			return; /* the slot holds a newer day: this one is too old to matter */
		g->day = day;
		g->followers = g->connections = 0;
	}
	g->followers = ratio_delta_add(g->followers, followers);
	g->connections = ratio_delta_add(g->connections, connections);
}

void ratio_note_delta(struct ratio_account *acc, int64_t snapshot_ms, int64_t ts_ms,
                      int followers, int connections)
{
	ratio_note_gain(acc, ts_ms, followers, connections);
	if (acc->delta_snapshot_ms != snapshot_ms) {
		acc->delta_snapshot_ms = snapshot_ms;
		acc->followers_delta = acc->connections_delta = 0;
	}
	/* The snapshot counted what happened up to its time. */
	if (ts_ms <= snapshot_ms)
		return;
	acc->followers_delta = ratio_delta_add(acc->followers_delta, followers);
	acc->connections_delta = ratio_delta_add(acc->connections_delta, connections);
}

/*
 * A count plus the changes since its snapshot, at least 0. The format
 * bounds counts (EVENT_COUNT_MAX), but a database or a caller may hold
 * anything: the sum saturates instead of overflowing.
 */
static int64_t ratio_plus(int64_t count, int32_t delta)
{
	if (count < 0)
		return -1;
	if (delta > 0 && count > INT64_MAX - delta)
		return INT64_MAX;
	return count + delta > 0 ? count + delta : 0;
}

void ratio_current(const struct ratio_account *acc, int64_t snapshot_ms, int64_t followers,
                   int64_t connections, int64_t *followers_now, int64_t *connections_now)
{
	int fresh = acc->delta_snapshot_ms == snapshot_ms;

	*followers_now = ratio_plus(followers, fresh ? acc->followers_delta : 0);
	*connections_now = ratio_plus(connections, fresh ? acc->connections_delta : 0);
}

/* -- metrics ---------------------------------------------------------------- */

/* Net gains a week over the growth window ending at now_ms. */
static void ratio_growth(const struct ratio_params *p, const struct ratio_account *acc,
                         int64_t now_ms, double *followers, double *connections)
{
	int64_t today = now_ms / RATIO_DAY_MS;
	int64_t days = p->growth_window_ms / RATIO_DAY_MS;
	int64_t f = 0, c = 0;

	if (days < 1)
		days = 1;
	if (days > RATIO_DAYS)
		days = RATIO_DAYS;
	for (int i = 0; i < RATIO_DAYS; i++) {
		const struct ratio_gain *g = &acc->gains[i];
		if (g->day > today - days && g->day <= today) {
			f += g->followers;
			c += g->connections;
		}
	}
	*followers = (double)f * 7.0 / (double)days;
	*connections = (double)c * 7.0 / (double)days;
}

static double ratio_rate(uint32_t count, int64_t members)
{
	return members > 0 ? (double)count / (double)members : -1;
}

void ratio_compute(const struct ratio_params *p, int64_t cap, int64_t followers, int64_t connections,
                   const struct ratio_account *acc, int64_t now_ms, struct ratio_metrics *out)
{
	const struct ratio_band *band = &p->bands[p->role];
	uint32_t conn, fol;

	memset(out, 0, sizeof(*out));
	out->followers = followers;
	out->connections = connections;
	out->target_min = band->min;
	out->target_max = band->max;
	out->cap = cap;
	out->ratio = -1;
	out->position = RATIO_UNKNOWN;
	/* No connections yet: the ratio means nothing, and nothing should be said about it. */
	if (followers >= 0 && connections > 0) {
		out->ratio = (double)followers / (double)connections;
		out->position = out->ratio < band->min   ? RATIO_BELOW
		                : out->ratio > band->max ? RATIO_ABOVE
		                                         : RATIO_IN_BAND;
	}
	out->cap_usage = connections >= 0 && cap > 0 ? (double)connections / (double)cap : -1;
	out->acceptance_rate = ratio_acceptance_rate(&acc->invites);
	out->conversion_rate = acc->followers_gained > 0 ? (double)acc->conversions / acc->followers_gained : -1;
	out->median_convert_days = ratio_median_convert_days(acc);
	ratio_engagement(acc, now_ms, 7, &conn, &fol);
	out->engagement_rate_connections_7d = ratio_rate(conn, connections);
	out->engagement_rate_followers_7d = ratio_rate(fol, followers);
	ratio_engagement(acc, now_ms, 30, &conn, &fol);
	out->engagement_rate_connections_30d = ratio_rate(conn, connections);
	out->engagement_rate_followers_30d = ratio_rate(fol, followers);
	ratio_first_hour(p, acc, now_ms, &out->first_hour);
	ratio_growth(p, acc, now_ms, &out->followers_per_week, &out->connections_per_week);
	out->advice_horizon_weeks = (double)p->advice_horizon_ms / (7.0 * RATIO_DAY_MS);
}

/* -- advice ----------------------------------------------------------------- */

void ratio_advise(const struct ratio_metrics *m, struct ratio_advice *out)
{
	double f = (double)m->followers, c = (double)m->connections;
	double gf = m->followers_per_week, gc = m->connections_per_week, gap, pace;

	memset(out, 0, sizeof(*out));
	out->kind = RATIO_ADVICE_NONE;
	out->weeks = -1;
	out->room = -1;
	if (m->position == RATIO_ABOVE) {
		/* Too many followers per connection: connections bring it down. */
		out->kind = RATIO_ADVICE_CONNECTIONS;
		out->target = m->target_max;
		gap = f - out->target * c;
		out->more = (int64_t)ceil(f / out->target - c);
		out->per_week = gc;
		out->other_per_week = gf;
		pace = out->target * gc - gf;
	} else if (m->position == RATIO_BELOW) {
		out->kind = RATIO_ADVICE_FOLLOWERS;
		out->target = m->target_min;
		gap = out->target * c - f;
		out->more = (int64_t)ceil(out->target * c - f);
		out->per_week = gf;
		out->other_per_week = gc;
		pace = gf - out->target * gc;
	} else {
		return;
	}
	if (out->more < 1)
		out->more = 1;
	/*
	 * The platform's cap bounds connections: advice to pass it could
	 * never be followed (100,000 followers need 50,000 connections for
	 * 2.0, and the cap is 30,000), however long the user waited.
	 */
	if (out->kind == RATIO_ADVICE_CONNECTIONS && m->cap > 0 && m->connections >= 0 &&
	    out->more > m->cap - m->connections) {
		out->room = m->cap > m->connections ? m->cap - m->connections : 0;
		out->at_cap = f / (double)m->cap;
		return;
	}
	/*
	 * Both counts move: the gap closes by the difference of their
	 * growths. A pace that takes longer than the horizon (a gap closing by
	 * a hundredth of a connection a week: "about 1916495.6 years") is no
	 * pace at all, and is said as such, with what to do instead.
	 */
	if (pace > 1e-9)
		out->weeks = gap / pace;
	if (m->advice_horizon_weeks > 0 && out->weeks > m->advice_horizon_weeks)
		out->weeks = -1;
}

/* A rate as people say it: "12", "2.5", "0". */
static void ratio_put_rate(struct buf *out, double v)
{
	if (fabs(v) >= 10 || fabs(v - round(v)) < 0.05)
		buf_printf(out, "%.0f", v);
	else
		buf_printf(out, "%.1f", v);
}

/* A duration in weeks as people say it: "about 3 weeks", "about 19 months", "about 2.5 years". */
static void ratio_put_duration(struct buf *out, double weeks)
{
	double months = weeks * 7.0 / 30.44, years = weeks * 7.0 / 365.25;

	if (weeks < 1)
		buf_printf(out, "less than a week");
	else if (weeks < 1.5)
		buf_printf(out, "about a week");
	else if (weeks < 9)
		buf_printf(out, "about %.0f weeks", weeks);
	else if (months < 23.5)
		buf_printf(out, "about %.0f months", months);
	else if (fabs(years - round(years)) < 0.05)
		buf_printf(out, "about %.0f years", years);
	else
		buf_printf(out, "about %.1f years", years);
}

static const char *const ratio_role_words[RATIO_ROLE_COUNT] = {
	[RATIO_THOUGHT_LEADER] = "thought leader",
	[RATIO_CONSULTANT] = "consultant",
	[RATIO_BUSINESS_DEVELOPER] = "business developer",
	[RATIO_EARLY_CAREER] = "early-career professional",
};

void ratio_advice_words(const struct ratio_advice *a, int role, struct buf *out)
{
	const char *what = a->kind == RATIO_ADVICE_CONNECTIONS ? "connections" : "followers";
	const char *who = role >= 0 && role < RATIO_ROLE_COUNT ? ratio_role_words[role] : "your role";

	if (a->kind == RATIO_ADVICE_NONE)
		return;
	if (a->room >= 0) {
		buf_printf(out, "%.1f (%s) is out of reach: it would take about %lld more connections, and the "
		           "connection limit leaves room for %lld (at the limit your ratio would be %.1f)",
		           a->target, who, (long long)a->more, (long long)a->room, a->at_cap);
		return;
	}
	buf_printf(out, "about %lld more %s would bring you to %.1f (%s); ", (long long)a->more,
	           a->more == 1 ? (a->kind == RATIO_ADVICE_CONNECTIONS ? "connection" : "follower") : what,
	           a->target, who);
	if (a->weeks >= 0) {
		buf_printf(out, "at your current growth of ");
		ratio_put_rate(out, a->per_week);
		buf_printf(out, " %s a week, ", fabs(a->per_week - 1) < 0.05 ? (a->kind == RATIO_ADVICE_CONNECTIONS ?
		           "connection" : "follower") : what);
		ratio_put_duration(out, a->weeks);
		return;
	}
	buf_printf(out, "at your current pace this will not happen (%s grow by ", what);
	ratio_put_rate(out, a->per_week);
	buf_printf(out, " a week, %s by ",
	           a->kind == RATIO_ADVICE_CONNECTIONS ? "followers" : "connections");
	ratio_put_rate(out, a->other_per_week);
	buf_printf(out, "); ");
	if (a->kind == RATIO_ADVICE_CONNECTIONS)
		buf_printf(out, "send the invitations warmthctl plan lists each week");
	else
		buf_printf(out, "post regularly and answer the comments to gain followers, and invite "
		                "fewer people until the ratio is back in the band");
}

static int ratio_period_over(int64_t last_ms, int64_t period_ms, int64_t now_ms)
{
	return last_ms == 0 || now_ms - last_ms >= period_ms;
}

unsigned ratio_due(const struct ratio_params *p, const struct ratio_metrics *m,
                   const struct ratio_account *acc, int64_t now_ms)
{
	unsigned due = 0;

	if ((m->position == RATIO_BELOW || m->position == RATIO_ABOVE) &&
	    ratio_period_over(acc->ratio_notified_ms, p->audit_period_ms, now_ms))
		due |= RATIO_NOTICE_RATIO;
	if (m->connections >= 0 && m->cap > 0 && (double)m->connections >= p->cap_warning * (double)m->cap &&
	    ratio_period_over(acc->cap_notified_ms, p->audit_period_ms, now_ms))
		due |= RATIO_NOTICE_CAP;
	return due;
}

void ratio_notified(struct ratio_account *acc, unsigned kinds, int64_t now_ms)
{
	if (kinds & RATIO_NOTICE_RATIO)
		acc->ratio_notified_ms = now_ms;
	if (kinds & RATIO_NOTICE_CAP)
		acc->cap_notified_ms = now_ms;
}

/* -- blob ----------------------------------------------------------------- */

void ratio_encode(const struct ratio_account *acc, struct buf *out)
{
	uint16_t n = 0;

	blob_put_u8(out, RATIO_VERSION);
	blob_put_u32(out, acc->invites.sent);
	blob_put_u32(out, acc->invites.accepted);
	blob_put_u32(out, acc->invites.declined);
	blob_put_u32(out, acc->invites.withdrawn);
	blob_put_u32(out, acc->followers_gained);
	blob_put_u32(out, acc->conversions);
	blob_put_i64(out, acc->ratio_notified_ms);
	blob_put_i64(out, acc->cap_notified_ms);
	for (int i = 0; i < RATIO_CONVERT_BUCKETS; i++)
		n += acc->convert_days[i] != 0;
	blob_put_u16(out, n);
	for (uint16_t i = 0; i < RATIO_CONVERT_BUCKETS; i++) {
		if (acc->convert_days[i] == 0)
			continue;
		blob_put_u16(out, i);
		blob_put_u32(out, acc->convert_days[i]);
	}
	n = 0;
	for (int i = 0; i < RATIO_DAYS; i++)
		n += acc->days[i].from_connections != 0 || acc->days[i].from_followers != 0;
	blob_put_u16(out, n);
	for (int i = 0; i < RATIO_DAYS; i++) {
		const struct ratio_day *d = &acc->days[i];
		if (d->from_connections == 0 && d->from_followers == 0)
			continue;
		blob_put_i64(out, d->day);
		blob_put_u32(out, d->from_connections);
		blob_put_u32(out, d->from_followers);
	}
	blob_put_u8(out, (uint8_t)acc->nsegments);
	for (uint32_t i = 0; i < acc->nsegments; i++) {
		const struct ratio_segment *seg = &acc->segments[i];
		size_t len = strnlen(seg->name, RATIO_SEGMENT_NAME_MAX);
		blob_put_u8(out, (uint8_t)len);
		blob_put_bytes(out, (const unsigned char *)seg->name, len);
		blob_put_u32(out, seg->invites.sent);
		blob_put_u32(out, seg->invites.accepted);
		blob_put_u32(out, seg->invites.declined);
		blob_put_u32(out, seg->invites.withdrawn);
	}
	blob_put_u8(out, (uint8_t)acc->nposts);
	for (uint32_t i = 0; i < acc->nposts; i++) {
		blob_put_i64(out, acc->posts[i].first_ms);
		blob_put_u32(out, acc->posts[i].hash);
		blob_put_u32(out, acc->posts[i].early);
		blob_put_u32(out, acc->posts[i].early_connections);
	}
	blob_put_i64(out, acc->delta_snapshot_ms);
	blob_put_u32(out, (uint32_t)acc->followers_delta);
	blob_put_u32(out, (uint32_t)acc->connections_delta);
	n = 0;
	for (int i = 0; i < RATIO_DAYS; i++)
		n += acc->gains[i].followers != 0 || acc->gains[i].connections != 0;
	blob_put_u8(out, (uint8_t)n);
	for (int i = 0; i < RATIO_DAYS; i++) {
		const struct ratio_gain *g = &acc->gains[i];
		if (g->followers == 0 && g->connections == 0)
			continue;
		blob_put_i64(out, g->day);
		blob_put_u32(out, (uint32_t)g->followers);
		blob_put_u32(out, (uint32_t)g->connections);
	}
}

/* What version 3 added: the gains per day. */
static int ratio_decode_v3(struct ratio_account *acc, struct blob_reader *r)
{
	uint8_t n;

	if (blob_get_u8(r, &n) < 0 || n > RATIO_DAYS)
		return -1;
	for (uint8_t i = 0; i < n; i++) {
		struct ratio_gain g;
		uint32_t f, c;
		if (blob_get_i64(r, &g.day) < 0 || blob_get_u32(r, &f) < 0 || blob_get_u32(r, &c) < 0 ||
		    g.day < 0)
			return -1;
		g.followers = (int32_t)f;
		g.connections = (int32_t)c;
		acc->gains[g.day % RATIO_DAYS] = g;
	}
	return 0;
}

/* What version 2 added: segments, posts, deltas. */
static int ratio_decode_v2(struct ratio_account *acc, struct blob_reader *r)
{
	uint8_t n, len;
	uint32_t followers, connections;

	if (blob_get_u8(r, &n) < 0 || n > RATIO_SEGMENTS_MAX)
		return -1;
	for (uint8_t i = 0; i < n; i++) {
		struct ratio_segment *seg = &acc->segments[i];
		if (blob_get_u8(r, &len) < 0 || len == 0 || len > RATIO_SEGMENT_NAME_MAX ||
		    blob_get(r, (unsigned char *)seg->name, len) < 0 || memchr(seg->name, 0, len) != NULL ||
		    blob_get_u32(r, &seg->invites.sent) < 0 || blob_get_u32(r, &seg->invites.accepted) < 0 ||
		    blob_get_u32(r, &seg->invites.declined) < 0 ||
		    blob_get_u32(r, &seg->invites.withdrawn) < 0)
			return -1;
		seg->name[len] = '\0';
	}
	acc->nsegments = n;
	if (blob_get_u8(r, &n) < 0 || n > RATIO_POSTS_MAX)
		return -1;
	for (uint8_t i = 0; i < n; i++) {
		struct ratio_post *post = &acc->posts[i];
		if (blob_get_i64(r, &post->first_ms) < 0 || blob_get_u32(r, &post->hash) < 0 ||
		    blob_get_u32(r, &post->early) < 0 || blob_get_u32(r, &post->early_connections) < 0 ||
		    post->hash == 0 || post->early_connections > post->early)
			return -1;
	}
	acc->nposts = n;
	if (blob_get_i64(r, &acc->delta_snapshot_ms) < 0 || blob_get_u32(r, &followers) < 0 ||
	    blob_get_u32(r, &connections) < 0)
		return -1;
	acc->followers_delta = (int32_t)followers;
	acc->connections_delta = (int32_t)connections;
	return 0;
}

static int ratio_decode_parts(struct ratio_account *acc, struct blob_reader *r)
{
	uint8_t version = 0;
	uint16_t n = 0;

	blob_get_u8(r, &version);
	blob_get_u32(r, &acc->invites.sent);
	blob_get_u32(r, &acc->invites.accepted);
	blob_get_u32(r, &acc->invites.declined);
	blob_get_u32(r, &acc->invites.withdrawn);
	blob_get_u32(r, &acc->followers_gained);
	blob_get_u32(r, &acc->conversions);
	blob_get_i64(r, &acc->ratio_notified_ms);
	blob_get_i64(r, &acc->cap_notified_ms);
	if (blob_get_u16(r, &n) < 0 || version < 1 || version > RATIO_VERSION ||
	    n > RATIO_CONVERT_BUCKETS)
		return -1;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t day;
		uint32_t count;
		if (blob_get_u16(r, &day) < 0 || blob_get_u32(r, &count) < 0 || day >= RATIO_CONVERT_BUCKETS)
			return -1;
		acc->convert_days[day] = count;
	}
	if (blob_get_u16(r, &n) < 0 || n > RATIO_DAYS)
		return -1;
	for (uint16_t i = 0; i < n; i++) {
		struct ratio_day d;
		if (blob_get_i64(r, &d.day) < 0 || blob_get_u32(r, &d.from_connections) < 0 ||
		    blob_get_u32(r, &d.from_followers) < 0 || d.day < 0)
			return -1;
		acc->days[d.day % RATIO_DAYS] = d;
	}
	if (version >= 2 && ratio_decode_v2(acc, r) < 0)
		return -1;
	if (version >= 3 && ratio_decode_v3(acc, r) < 0)
		return -1;
	return blob_done(r) ? 0 : -1;
}

int ratio_decode(struct ratio_account *acc, const void *blob, size_t len)
{
	struct blob_reader r;

	memset(acc, 0, sizeof(*acc));
	blob_reader_init(&r, blob, len);
	if (ratio_decode_parts(acc, &r) == 0)
		return 0;
	memset(acc, 0, sizeof(*acc));
	return -1;
}
