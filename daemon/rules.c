/*
 * rules.c - segment matching, the readiness conditions with their values
 * and words, the hysteresis of ready notifications, the invitation budget
 * and its queue (see rules.h).
 *
 * rules_evaluate() computes every condition, even after one fails: the
 * point is to explain, and "warmth 2.1 (threshold 5)" is as useful to the
 * user as "followed 3 days ago (wait 14)". Durations are shown in days,
 * rounded to a tenth, because the waits people configure are days and
 * weeks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warmth/rules.h"

#include "blob.h"

#define RULES_STATE_VERSION 2 /* 1: without the incoming register */
#define RULES_BUDGET_VERSION 2
#define RULES_DAY_MS 86400000.0

static const char *const rules_names[RULES_CONDITION_COUNT] = {
	[RULES_RELATIONSHIP] = "relationship",
	[RULES_NOT_CONNECTED] = "not_connected",
	[RULES_NO_INCOMING] = "no_incoming_invite",
	[RULES_NO_PENDING] = "no_pending_invite",
	[RULES_REINVITE_BLOCK] = "reinvite_block",
	[RULES_NOT_DECLINED] = "not_declined",
	[RULES_NOT_REMOVED] = "not_removed",
	[RULES_NOT_UNFOLLOWED] = "not_unfollowed",
	[RULES_NOT_SNOOZED] = "not_snoozed",
	[RULES_NOT_DISMISSED] = "not_dismissed",
	[RULES_WARMTH] = "warmth",
	[RULES_WAIT] = "wait",
	[RULES_DISTINCT_POSTS] = "distinct_posts",
	[RULES_DISTINCT_DAYS] = "distinct_days",
	[RULES_DEEP] = "deep_engagement",
	[RULES_NOT_BURSTS] = "not_bursts",
	[RULES_ACTIVE] = "active",
	[RULES_CAP] = "connection_cap",
	[RULES_BUDGET] = "invite_budget",
	[RULES_NOT_NOTIFIED] = "not_notified",
};

const char *rules_condition_name(enum rules_condition_id id)
{
	if ((unsigned)id >= RULES_CONDITION_COUNT)
		return NULL;
	return rules_names[id];
}

/* -- segments ------------------------------------------------------------- */

static int rules_bound_ok(int64_t value, int64_t min, int64_t max)
{
	if (min < 0 && max < 0)
		return 1;
	if (value < 0)
		return 0; /* unknown: cannot be shown to hold */
	return (min < 0 || value >= min) && (max < 0 || value <= max);
}

static int rules_has_tag(char *const *tags, size_t ntags, const char *tag)
{
	for (size_t i = 0; i < ntags; i++)
		if (strcasecmp(tags[i], tag) == 0)
			return 1;
	return 0;
}

int rules_match(const struct rules_match *m, const struct rules_hints *hints)
{
	int any = m->ntags == 0;

	if (!rules_bound_ok(hints->connections, m->min_connections, m->max_connections) ||
	    !rules_bound_ok(hints->followers, m->min_followers, m->max_followers))
		return 0;
	if (m->creator >= 0 && hints->creator != m->creator)
		return 0;
	for (size_t i = 0; i < m->ntags && !any; i++)
		any = rules_has_tag(hints->tags, hints->ntags, m->tags[i]);
	return any;
}

size_t rules_segment_find(const struct rules_segment *segments, size_t n, const struct rules_hints *hints)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (rules_match(&segments[i].match, hints))
			return i;
	return n > 0 ? n - 1 : 0;
}

int rules_match_is_empty(const struct rules_match *m)
{
	return m->min_connections < 0 && m->max_connections < 0 && m->min_followers < 0 &&
	       m->max_followers < 0 && m->creator < 0 && m->ntags == 0;
}

int rules_match_is_contradictory(const struct rules_match *m)
{
	return (m->min_connections >= 0 && m->max_connections >= 0 && m->min_connections > m->max_connections) ||
	       (m->min_followers >= 0 && m->max_followers >= 0 && m->min_followers > m->max_followers);
}

/* Whether every value within b's bounds is within a's. */
static int rules_bounds_cover(int64_t amin, int64_t amax, int64_t bmin, int64_t bmax)
{
	if (amin >= 0 && (bmin < 0 || bmin < amin))
		return 0;
	if (amax >= 0 && (bmax < 0 || bmax > amax))
		return 0;
	return 1;
}

int rules_match_covers(const struct rules_match *a, const struct rules_match *b)
{
	if (!rules_bounds_cover(a->min_connections, a->max_connections, b->min_connections, b->max_connections) ||
	    !rules_bounds_cover(a->min_followers, a->max_followers, b->min_followers, b->max_followers))
		return 0;
	if (a->creator >= 0 && b->creator != a->creator)
		return 0;
	/* b's contacts have one of b's tags: covered when each of those is one of a's. */
	if (a->ntags > 0) {
		if (b->ntags == 0)
			return 0;
		for (size_t i = 0; i < b->ntags; i++)
			if (!rules_has_tag(a->tags, a->ntags, b->tags[i]))
				return 0;
	}
	return 1;
}

void rules_match_free(struct rules_match *m)
{
	for (size_t i = 0; i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
	m->tags = NULL;
	m->ntags = 0;
}

/* -- values --------------------------------------------------------------- */

static double rules_days(int64_t ms)
{
	return round((double)ms / RULES_DAY_MS * 10.0) / 10.0;
}

static void rules_number(struct rules_value *v, double number)
{
	v->is_number = 1;
	v->number = number;
	v->text[0] = '\0';
}

static void rules_text(struct rules_value *v, const char *text)
{
	v->is_number = 0;
	v->number = 0;
	snprintf(v->text, sizeof(v->text), "%s", text);
}

static struct rules_condition *rules_set(struct rules_result *out, enum rules_condition_id id, int ok)
{
	struct rules_condition *c = &out->conditions[id];

	c->id = id;
	c->ok = ok;
	return c;
}

/* The value of an "at most this long ago" condition: days since ts, or "never". */
static void rules_since(struct rules_value *v, int64_t ts_ms, int64_t now_ms)
{
	if (ts_ms <= 0)
		rules_text(v, "never");
	else
		rules_number(v, rules_days(now_ms - ts_ms > 0 ? now_ms - ts_ms : 0));
}

/* An invitation condition: holds when there is none; since when there is one. */
static void rules_invitation(struct rules_result *out, enum rules_condition_id id, int on, int64_t since_ms,
                             const char *on_text)
{
	struct rules_condition *cond = rules_set(out, id, !on);

	rules_text(&cond->value, on ? on_text : "none");
	if (on)
		cond->since_ms = since_ms;
	rules_text(&cond->need, "none");
}

static void rules_relationship(const struct rules_contact *c, struct rules_result *out)
{
	const struct rules_state *st = c->state;
	struct rules_condition *cond = rules_set(out, RULES_RELATIONSHIP, c->follower || c->target);

	rules_text(&cond->value, c->follower && c->target ? "mutual"
	                         : c->follower            ? "follower"
	                         : c->target              ? "target"
	                                                  : "none");
	rules_text(&cond->need, "follower, target or mutual");

	cond = rules_set(out, RULES_NOT_CONNECTED, !c->connected);
	rules_text(&cond->value, c->connected ? "connected" : "not connected");
	rules_text(&cond->need, "not connected");

	rules_invitation(out, RULES_NO_INCOMING, st->incoming, st->incoming_ms, "invited you");
	rules_invitation(out, RULES_NO_PENDING, c->pending, c->pending_ms, "pending");
}

/*
 * A pause after an answer (a decline, a removal, an unfollow, my own
 * withdrawal): it holds when nothing happened, or the pause has passed.
 */
static void rules_pause(struct rules_result *out, enum rules_condition_id id, int64_t ts_ms,
                        int64_t pause_ms, int64_t now_ms)
{
	int blocked = ts_ms > 0 && now_ms - ts_ms < pause_ms;
	struct rules_condition *cond = rules_set(out, id, !blocked);

	rules_since(&cond->value, ts_ms, now_ms);
	rules_number(&cond->need, rules_days(pause_ms));
	cond->since_ms = ts_ms > 0 ? ts_ms : 0;
	cond->until_ms = blocked ? ts_ms + pause_ms : 0;
}

static void rules_user_state(const struct rules_params *p, const struct rules_contact *c,
                             int64_t now_ms, struct rules_result *out)
{
	const struct rules_state *st = c->state;
	struct rules_condition *cond;
	char when[TIME_RFC3339_LEN];

	rules_pause(out, RULES_REINVITE_BLOCK, c->withdrawn_ms, p->reinvite_block_ms, now_ms);
	rules_pause(out, RULES_NOT_DECLINED, c->declined_ms, p->after_decline_ms, now_ms);
	rules_pause(out, RULES_NOT_REMOVED, c->removed_ms, p->after_removal_ms, now_ms);
	rules_pause(out, RULES_NOT_UNFOLLOWED, c->unfollowed_ms, p->after_unfollow_ms, now_ms);

	cond = rules_set(out, RULES_NOT_SNOOZED, st->snoozed_until_ms <= now_ms);
	if (cond->ok) {
		rules_text(&cond->value, "no");
	} else {
		time_format_rfc3339(st->snoozed_until_ms, when);
		snprintf(cond->value.text, sizeof(cond->value.text), "until %s", when);
		cond->value.is_number = 0;
		cond->until_ms = st->snoozed_until_ms;
	}
	rules_text(&cond->need, "no");

	cond = rules_set(out, RULES_NOT_DISMISSED, st->dismissed_ms == 0);
	rules_text(&cond->value, st->dismissed_ms == 0 ? "no" : "dismissed");
	rules_text(&cond->need, "no");
}

/* value / need, at most 1 (1 when nothing is needed). */
static double rules_ratio(double value, double need)
{
	return need <= 0 || value >= need ? 1.0 : value / need;
}

/* How many of a path's engagement conditions hold (to choose a mutual follow's path). */
struct rules_path_eval {
	double warmth;
	uint32_t posts, days, deep;
	int holds;
};

static void rules_path_measure(const struct rules_params *p, const struct score_params *scoring,
                               const struct rules_path *path, const struct score_state *s,
                               int64_t now_ms, const double side_warmth[2], struct rules_path_eval *e)
{
	int64_t since = now_ms - p->breadth_window_ms;
	unsigned sides = (unsigned)path->from;

	e->warmth = ((sides & SCORE_SIDE_IN) ? side_warmth[0] : 0.0) +
	            ((sides & SCORE_SIDE_OUT) ? side_warmth[1] : 0.0);
	e->posts = score_distinct_posts(s, since, sides);
	e->days = score_distinct_days(s, scoring, since, sides);
	e->deep = score_deep(s, sides);
	e->holds = (e->warmth >= path->threshold) + (e->posts >= path->min_posts) +
	           (e->days >= path->min_days) + (!path->need_deep || e->deep > 0);
}

/*
 * The wait: from the follow, or (wait_from: value) from my first comment,
 * reply, share or mention on their posts. Without that start it cannot
 * pass by time alone.
 */
static void rules_wait(const struct rules_readiness *r, const struct rules_contact *c,
                       int64_t now_ms, struct rules_result *out)
{
	int64_t start = r->wait_from == RULES_WAIT_VALUE ? c->score->first_value_ms : c->followed_ms;
	struct rules_condition *cond = rules_set(out, RULES_WAIT, start > 0 && now_ms - start >= r->wait_ms);

	if (start > 0)
		rules_number(&cond->value, rules_days(now_ms - start));
	else
		rules_text(&cond->value, r->wait_from == RULES_WAIT_VALUE ? "no value given" : "not following");
	rules_number(&cond->need, rules_days(r->wait_ms));
	cond->since_ms = start;
	if (!cond->ok && start > 0)
		cond->until_ms = start + r->wait_ms;
	out->invite_by_ms = start > 0 && r->wait_max_ms > 0 ? start + r->wait_max_ms : 0;
}

static void rules_engagement(const struct rules_params *p, const struct score_params *scoring,
                             const struct rules_readiness *r, const struct rules_contact *c,
                             int64_t now_ms, struct rules_result *out)
{
	const struct score_state *s = c->score;
	struct rules_path_eval in, outb, *e;
	const struct rules_path *path;
	struct rules_condition *cond;
	uint32_t judged;
	double side_warmth[2];

	/*
	 * The path: a follower's is inbound, a target's outbound; a mutual
	 * follow (or neither) takes the one closer to holding, inbound on a tie.
	 * One pass over the buckets gives both sides; each path adds what it counts.
	 */
	score_warmth_sides(s, scoring, now_ms, &side_warmth[0], &side_warmth[1]);
	rules_path_measure(p, scoring, &r->inbound, s, now_ms, side_warmth, &in);
	rules_path_measure(p, scoring, &r->outbound, s, now_ms, side_warmth, &outb);
	if (c->target && (!c->follower || outb.holds > in.holds))
		out->path = RULES_PATH_OUTBOUND;
	else
		out->path = RULES_PATH_INBOUND;
	path = out->path == RULES_PATH_OUTBOUND ? &r->outbound : &r->inbound;
	e = out->path == RULES_PATH_OUTBOUND ? &outb : &in;
	out->path_warmth = e->warmth;
	out->threshold = path->threshold;

	out->closeness = (rules_ratio(e->warmth, path->threshold) + rules_ratio(e->posts, (double)path->min_posts) +
	                  rules_ratio(e->days, (double)path->min_days) +
	                  (!path->need_deep || e->deep > 0 ? 1.0 : 0.0)) / 4.0;

	cond = rules_set(out, RULES_WARMTH, e->warmth >= path->threshold);
	rules_number(&cond->value, round(e->warmth * 100.0) / 100.0);
	rules_number(&cond->need, path->threshold);

	rules_wait(r, c, now_ms, out);

	cond = rules_set(out, RULES_DISTINCT_POSTS, e->posts >= path->min_posts);
	rules_number(&cond->value, e->posts);
	rules_number(&cond->need, (double)path->min_posts);

	cond = rules_set(out, RULES_DISTINCT_DAYS, e->days >= path->min_days);
	rules_number(&cond->value, e->days);
	rules_number(&cond->need, (double)path->min_days);

	cond = rules_set(out, RULES_DEEP, !path->need_deep || e->deep > 0);
	rules_number(&cond->value, e->deep);
	rules_number(&cond->need, path->need_deep ? 1 : 0);

	/*
	 * Bursts: only their side is capped, so only a path that counts their
	 * engagement can be mostly bursts. The share is of all they did.
	 */
	judged = s->counted_in + s->burst_cut;
	cond = rules_set(out, RULES_NOT_BURSTS,
	                 !(path->from & SCORE_SIDE_IN) || s->burst_cut == 0 ||
	                         (double)s->burst_cut <= p->max_burst_share * (double)judged);
	rules_number(&cond->value, s->burst_cut);
	rules_number(&cond->need, (double)judged);

	cond = rules_set(out, RULES_ACTIVE, s->last_ms > 0 && now_ms - s->last_ms <= r->active_within_ms);
	rules_since(&cond->value, s->last_ms, now_ms);
	rules_number(&cond->need, rules_days(r->active_within_ms));
	cond->since_ms = s->last_ms;
}

static void rules_account_limits(const struct rules_params *p, const struct rules_account *a,
                                 struct rules_result *out)
{
	int64_t limit = p->cap - p->cap_headroom;
	struct rules_condition *cond;

	/* Unknown until the first snapshot: nothing says the cap is near. */
	cond = rules_set(out, RULES_CAP, a->connections < 0 || a->connections < limit);
	if (a->connections < 0)
		rules_text(&cond->value, "unknown");
	else
		rules_number(&cond->value, (double)a->connections);
	rules_number(&cond->need, (double)limit);

	/* A contact already counted (notified, or invited) does not wait for room. */
	cond = rules_set(out, RULES_BUDGET, a->budget_used < p->weekly_invites || a->in_budget);
	rules_number(&cond->value, (double)a->budget_used);
	rules_number(&cond->need, (double)p->weekly_invites);
	if (!cond->ok)
		cond->until_ms = a->budget_frees_ms;
}

/* Whether a fired contact would re-arm now. */
static int rules_rearms(const struct rules_state *st, double warmth, double threshold,
                        const struct rules_params *p, int64_t now_ms)
{
	return now_ms - st->fired_ms >= p->cooldown_ms || warmth < p->rearm_below * threshold;
}

void rules_evaluate(const struct rules_params *p, const struct score_params *scoring,
                    const struct rules_segment *seg, const struct rules_contact *c,
                    const struct rules_account *a, int64_t now_ms, struct rules_result *out)
{
	const struct rules_readiness *r = &seg->readiness;
	const struct rules_state *st = c->state;
	struct rules_condition *cond;

	memset(out, 0, sizeof(*out));
	out->readiness = r;
	out->segment = seg->name;
	out->day_offset_ms = scoring->day_offset_ms;
	out->warmth = score_warmth(c->score, scoring, now_ms);
	rules_relationship(c, out);
	rules_user_state(p, c, now_ms, out);
	rules_engagement(p, scoring, r, c, now_ms, out);
	rules_account_limits(p, a, out);

	cond = rules_set(out, RULES_NOT_NOTIFIED,
	                 !st->fired || rules_rearms(st, out->path_warmth, out->threshold, p, now_ms));
	rules_since(&cond->value, st->fired_ms, now_ms);
	rules_number(&cond->need, rules_days(p->cooldown_ms));
	if (!cond->ok)
		cond->until_ms = st->fired_ms + p->cooldown_ms;

	out->eligible = 1;
	for (int i = 0; i < RULES_CONDITION_COUNT; i++)
		if (i != RULES_BUDGET && i != RULES_NOT_NOTIFIED && !out->conditions[i].ok)
			out->eligible = 0;
	out->ready = out->eligible && out->conditions[RULES_NOT_NOTIFIED].ok;
	out->within_budget = out->conditions[RULES_BUDGET].ok;
}

/* -- hysteresis ----------------------------------------------------------- */

int rules_state_rearm(struct rules_state *st, const struct rules_result *r,
                      const struct rules_params *p, int64_t now_ms)
{
	if (!st->fired || !rules_rearms(st, r->path_warmth, r->threshold, p, now_ms))
		return 0;
	st->fired = 0;
	return 1;
}

void rules_state_fired(struct rules_state *st, int64_t now_ms)
{
	st->fired = 1;
	st->fired_ms = now_ms;
}

void rules_state_encode(const struct rules_state *st, struct buf *out)
{
	blob_put_u8(out, RULES_STATE_VERSION);
	blob_put_i64(out, st->snoozed_until_ms);
	blob_put_i64(out, st->dismissed_ms);
	blob_put_i64(out, st->fired_ms);
	blob_put_u8(out, st->fired);
	blob_put_u8(out, st->incoming);
	blob_put_i64(out, st->incoming_ms);
}

int rules_state_decode(struct rules_state *st, const void *blob, size_t len)
{
	struct blob_reader r;
	uint8_t version = 0;

	memset(st, 0, sizeof(*st));
	blob_reader_init(&r, blob, len);
	blob_get_u8(&r, &version);
	blob_get_i64(&r, &st->snoozed_until_ms);
	blob_get_i64(&r, &st->dismissed_ms);
	blob_get_i64(&r, &st->fired_ms);
	blob_get_u8(&r, &st->fired);
	if (version >= 2) {
		blob_get_u8(&r, &st->incoming);
		blob_get_i64(&r, &st->incoming_ms);
	}
	if (blob_done(&r) && version >= 1 && version <= RULES_STATE_VERSION && st->fired <= 1 &&
	    st->incoming <= 1)
		return 0;
	memset(st, 0, sizeof(*st));
	return -1;
}

/* -- budget --------------------------------------------------------------- */

static int rules_candidate_cmp(const void *a, const void *b)
{
	const struct rules_candidate *x = a, *y = b;

	if (x->warmth != y->warmth)
		return x->warmth > y->warmth ? -1 : 1;
	if (x->tie != y->tie)
		return x->tie < y->tie ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

size_t rules_queue(struct rules_candidate *c, size_t n, int64_t remaining)
{
	qsort(c, n, sizeof(*c), rules_candidate_cmp);
	if (remaining <= 0)
		return 0;
	return (uint64_t)remaining < n ? (size_t)remaining : n;
}

/* Records one entry; see rules.h. */
static void rules_budget_put(struct rules_budget *b, int64_t ts_ms, uint32_t actor_hash,
                             enum rules_budget_kind kind)
{
	uint32_t at = b->n;

	if (b->n == RULES_BUDGET_MAX) {
		uint32_t oldest = 0;
		for (uint32_t i = 1; i < b->n; i++)
			if (b->ts_ms[i] < b->ts_ms[oldest])
				oldest = i;
		if (ts_ms < b->ts_ms[oldest])
			return;
		at = oldest;
	} else {
		b->n++;
	}
	b->ts_ms[at] = ts_ms;
	b->actor[at] = actor_hash;
	b->kind[at] = (uint8_t)kind;
}

/* Moves entry from to to (to <= from), when a walk drops entries. */
static void rules_budget_move(struct rules_budget *b, uint32_t to, uint32_t from)
{
	b->ts_ms[to] = b->ts_ms[from];
	b->actor[to] = b->actor[from];
	b->kind[to] = b->kind[from];
}

void rules_budget_forget(struct rules_budget *b, uint32_t actor_hash)
{
	uint32_t i = 0, kept;

	/* Every invitation seen comes here: most actors have no notification
	   to drop, so look before moving anything (a read of the array, not a
	   rewrite of up to RULES_BUDGET_MAX entries). */
	while (i < b->n && (b->actor[i] != actor_hash || b->kind[i] != RULES_BUDGET_NOTIFICATION))
		i++;
	for (kept = i; i < b->n; i++) {
		if (b->kind[i] == RULES_BUDGET_NOTIFICATION && b->actor[i] == actor_hash)
			continue;
		rules_budget_move(b, kept++, i);
	}
	b->n = kept;
}

void rules_budget_add(struct rules_budget *b, int64_t ts_ms, uint32_t actor_hash, int notified)
{
	/* The invitation the notifications asked for is seen: it counts instead. */
	if (notified)
		rules_budget_forget(b, actor_hash);
	rules_budget_put(b, ts_ms, actor_hash, RULES_BUDGET_INVITATION);
}

void rules_budget_notified(struct rules_budget *b, int64_t ts_ms, uint32_t actor_hash)
{
	rules_budget_put(b, ts_ms, actor_hash, RULES_BUDGET_NOTIFICATION);
}

int64_t rules_budget_hold_ms(const struct rules_params *p)
{
	return p->cooldown_ms > p->invite_window_ms ? p->cooldown_ms : p->invite_window_ms;
}

int64_t rules_budget_expires(const struct rules_budget *b, uint32_t i, int64_t window_ms,
                             int64_t hold_ms)
{
	int64_t span = b->kind[i] == RULES_BUDGET_NOTIFICATION && hold_ms > window_ms ? hold_ms
	                                                                               : window_ms;
	return b->ts_ms[i] + span;
}

int rules_budget_counts(const struct rules_budget *b, uint32_t i, int64_t now_ms, int64_t window_ms,
                        int64_t hold_ms)
{
	return b->ts_ms[i] <= now_ms && rules_budget_expires(b, i, window_ms, hold_ms) > now_ms;
}

static int rules_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int64_t rules_budget_used(const struct rules_budget *b, int64_t now_ms, int64_t window_ms,
                          int64_t hold_ms)
{
	uint32_t actors[RULES_BUDGET_MAX];
	size_t n = 0, distinct = 0;

	for (uint32_t i = 0; i < b->n; i++)
		if (rules_budget_counts(b, i, now_ms, window_ms, hold_ms))
			actors[n++] = b->actor[i];
	qsort(actors, n, sizeof(*actors), rules_u32_cmp);
	for (size_t i = 0; i < n; i++)
		distinct += i == 0 || actors[i] != actors[i - 1];
	return (int64_t)distinct;
}

int64_t rules_budget_frees(const struct rules_budget *b, int64_t now_ms, int64_t window_ms,
                           int64_t hold_ms)
{
	int64_t first = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		int64_t ends = rules_budget_frees_at(b, i, now_ms, window_ms, hold_ms);
		if (rules_budget_counts(b, i, now_ms, window_ms, hold_ms) && (first == 0 || ends < first))
			first = ends;
	}
	return first;
}

int64_t rules_budget_frees_at(const struct rules_budget *b, uint32_t i, int64_t now_ms, int64_t window_ms,
                              int64_t hold_ms)
{
	int64_t ends = rules_budget_expires(b, i, window_ms, hold_ms);

	/* A notification is this week's invitation: sent now, it frees a window from now. */
	if (b->kind[i] == RULES_BUDGET_NOTIFICATION && ends > now_ms + window_ms)
		ends = now_ms + window_ms;
	return ends;
}

void rules_account_budget(struct rules_account *ra, const struct rules_budget *b,
                          const struct rules_params *p, uint32_t actor_hash, int64_t now_ms)
{
	int64_t hold = rules_budget_hold_ms(p);

	/* Only a full budget needs them: each is a walk over the budget's entries. */
	if (b == NULL || ra->budget_used < p->weekly_invites)
		return;
	ra->budget_frees_ms = rules_budget_frees(b, now_ms, p->invite_window_ms, hold);
	ra->in_budget = rules_budget_holds(b, actor_hash, now_ms, p->invite_window_ms, hold);
}

int rules_budget_holds(const struct rules_budget *b, uint32_t actor_hash, int64_t now_ms,
                       int64_t window_ms, int64_t hold_ms)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (b->actor[i] == actor_hash && rules_budget_counts(b, i, now_ms, window_ms, hold_ms))
			return 1;
	return 0;
}

void rules_budget_prune(struct rules_budget *b, int64_t now_ms, int64_t window_ms, int64_t hold_ms)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		if (rules_budget_expires(b, i, window_ms, hold_ms) <= now_ms)
			continue;
		rules_budget_move(b, kept++, i);
	}
	b->n = kept;
}

void rules_budget_encode(const struct rules_budget *b, struct buf *out)
{
	blob_put_u8(out, RULES_BUDGET_VERSION);
	for (uint32_t i = 0; i < b->n; i++) {
		blob_put_i64(out, b->ts_ms[i]);
		blob_put_u32(out, b->actor[i]);
		blob_put_u8(out, b->kind[i]);
	}
}

int rules_budget_decode(struct rules_budget *b, const void *blob, size_t len)
{
	struct blob_reader r;
	uint8_t version, kind = RULES_BUDGET_INVITATION;
	size_t size;

	b->n = 0;
	blob_reader_init(&r, blob, len);
	if (blob_get_u8(&r, &version) < 0 || (version != 1 && version != RULES_BUDGET_VERSION))
		return -1;
	size = version == 1 ? 12 : 13;
	if (r.left % size != 0 || r.left / size > RULES_BUDGET_MAX)
		return -1;
	while (r.left > 0) {
		blob_get_i64(&r, &b->ts_ms[b->n]);
		blob_get_u32(&r, &b->actor[b->n]);
		if (version != 1 && (blob_get_u8(&r, &kind) < 0 || kind > RULES_BUDGET_NOTIFICATION)) {
			b->n = 0;
			return -1;
		}
		b->kind[b->n] = kind;
		b->n++;
	}
	return 0;
}
