/*
 * view.c - the outside view of contacts (see view.h): verdicts, the
 * contact and metrics JSON, list orders, the heap that keeps the first N
 * of a walk and the cursors of pages.
 *
 * It was warmthctl's own until the daemon answered the same questions
 * from memory; both now call it, so a field added here shows in both.
 * A contact has one JSON shape everywhere (show, top, ready, export): the
 * keys are always present, with null for what is unknown, so scripts can
 * rely on them.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warmth/event.h"
#include "warmth/json.h"
#include "warmth/util.h"
#include "warmth/view.h"

/* A contact before its first engagement has an empty score. */
static const struct score_state view_no_score;

static const struct score_state *view_score_of(const struct contact *c)
{
	return c->score != NULL ? c->score : &view_no_score;
}

double view_warmth(const struct view *v, const struct contact *c)
{
	return score_warmth(view_score_of(c), &v->conf->scoring, v->now_ms);
}

struct rules_hints view_hints(const struct contact *c)
{
	struct rules_hints h = { c->actor_connections, c->actor_followers, c->creator, c->tags,
		                 c->ntags };
	return h;
}

struct rules_contact view_rules_contact(const struct contact *c)
{
	struct rules_contact rc = {
		.follower = c->rel.follower.on,
		.target = c->rel.target.on,
		.connected = c->rel.connected.on,
		.pending = c->rel.pending.on,
		.followed_ms = c->rel.followed_ms,
		.pending_ms = c->rel.pending.on ? c->rel.pending.ts_ms : 0,
		.withdrawn_ms = c->rel.withdrawn_ms,
		.declined_ms = c->rel.declined_ms,
		/* Off registers with a time: the newest write was a disconnect or an unfollow. */
		.removed_ms = !c->rel.connected.on ? c->rel.connected.ts_ms : 0,
		.unfollowed_ms = !c->rel.follower.on ? c->rel.follower.ts_ms : 0,
		.score = view_score_of(c),
		.state = &c->rules,
	};
	return rc;
}

const char *view_segment(const struct view *v, const struct contact *c)
{
	const struct conf *conf = v->conf;
	struct rules_hints h = view_hints(c);

	return conf->segments[rules_segment_find(conf->segments, conf->nsegments, &h)].name;
}

void view_verdict(const struct view *v, const struct contact *c, const struct view_account *a,
                  struct view_verdict *out)
{
	const struct conf *conf = v->conf;
	struct rules_hints h = view_hints(c);
	size_t seg = rules_segment_find(conf->segments, conf->nsegments, &h);
	struct rules_contact rc = view_rules_contact(c);
	struct rules_account ra = { a ? a->connections : -1, a ? a->budget_used : 0, 0, 0 };

	if (a != NULL)
		rules_account_budget(&ra, a->budget, &conf->readiness, (uint32_t)hash64(c->actor, c->actor_len),
		                     v->now_ms);
	rules_evaluate(&conf->readiness, &conf->scoring, &conf->segments[seg], &rc, &ra, v->now_ms,
	               &out->result);
	out->segment = conf->segments[seg].name;
	out->warmth = out->result.warmth;
	out->eligible = out->result.eligible;
	out->ready = out->result.eligible && out->result.within_budget;
}

uint64_t view_events(const struct contact *c)
{
	uint64_t n = 0;

	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		n += c->counts[t];
	return n;
}

uint64_t view_engagements(const struct contact *c)
{
	uint64_t n = 0;

	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (event_type_is_engagement((enum event_type)t))
			n += c->counts[t];
	return n;
}

/* --- JSON. --- */

static double view_round2(double x)
{
	return (double)(int64_t)(x * 100.0 + 0.5) / 100.0;
}

static void view_json_optional_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

static void view_json_value(struct json *j, const char *key, const struct rules_value *v)
{
	json_key(j, key);
	if (v->is_number)
		json_double(j, v->number);
	else
		json_str(j, v->text);
}

/*
 * warmth_parts and share. A part is a type's decayed, weighted sum; the
 * share is its percentage of the sum of the parts (the warmth before
 * anti-inflation), rounded to 0.1, so the shares of one contact add up
 * to about 100 whatever the discounts did to the total.
 */
static void view_parts_json(struct json *j, const struct view *v, const struct contact *c)
{
	double part[SCORE_TYPE_COUNT], sum = 0.0;

	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		part[t] = score_warmth_type(view_score_of(c), &v->conf->scoring, (enum score_type)t,
		                            v->now_ms);
		sum += part[t];
	}
	for (int k = 0; k < 2; k++) {
		json_key(j, k == 0 ? "warmth_parts" : "share");
		json_object_open(j);
		for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
			if (part[t] < 0.005)
				continue;
			json_key(j, score_type_name((enum score_type)t));
			json_double(j, k == 0 ? view_round2(part[t]) :
			               (double)(int64_t)(part[t] / sum * 1000.0 + 0.5) / 10.0);
		}
		json_object_close(j);
	}
}

void view_contact_json(struct json *j, const struct view *v, const struct contact *c,
                       const struct view_account *a)
{
	struct view_verdict vd;
	struct buf words = { 0 };

	view_verdict(v, c, a, &vd);
	/* The words only here: lists that only filter by eligibility skip them. */
	rules_verdict(&v->conf->readiness, &vd.result, v->now_ms, &vd.verdict);
	json_object_open(j);
	json_key(j, "actor");
	json_strn(j, c->actor, c->actor_len);
	json_kv_str(j, "account", a ? a->name : "?");
	json_kv_str(j, "name", c->name);
	json_kv_str(j, "headline", c->headline);
	json_kv_str(j, "relationship", relationship_name(contact_relationship(c)));
	json_kv_str(j, "segment", vd.segment);
	json_key(j, "warmth");
	json_double(j, view_round2(vd.warmth));
	view_parts_json(j, v, c);
	/* ready: invite now (eligible and within the budget); eligible: every
	   condition holds but the budget and the notification's hysteresis. */
	json_kv_bool(j, "ready", vd.ready);
	json_kv_bool(j, "eligible", vd.eligible);
	json_kv_str(j, "status", rules_status_name(vd.verdict.status));
	json_kv_str(j, "verdict", vd.verdict.text);
	json_kv_str(j, "next", vd.verdict.next);
	/* When the verdict changes by time alone, null if only new events change it. */
	json_kv_time(j, "changes_at", vd.verdict.changes_ms);
	json_kv_str(j, "path", vd.result.path == RULES_PATH_OUTBOUND ? "outbound" : "inbound");
	/* How close the path's engagement is to holding, 0 to 1 (rules.h). */
	json_key(j, "closeness");
	json_double(j, view_round2(vd.result.closeness));
	json_kv_time(j, "invite_by", vd.result.invite_by_ms);
	/*
	 * The note to send with the invitation, for a contact it is time to
	 * invite (eligible, within the budget or held by it): the same note
	 * the ready notification and the plan carry. null otherwise: a note
	 * for someone not to be invited yet would only invite a cold request.
	 */
	if (vd.eligible) {
		buf_reset(&words);
		view_note(v, c, vd.segment, &words);
		json_kv_str(j, "note", buf_cstr(&words));
	} else {
		json_kv_str(j, "note", NULL);
	}
	/* When the daemon last sent a "ready" notification, null if never. */
	json_kv_time(j, "notified", c->rules.fired_ms);
	/* The explanation of readiness: every condition, in rules.h's order;
	   durations are in days; words: the condition as a person reads it. */
	json_key(j, "conditions");
	json_array_open(j);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		const struct rules_condition *cond = &vd.result.conditions[i];
		buf_reset(&words);
		rules_condition_words(&vd.result, cond->id, &words);
		json_object_open(j);
		json_kv_str(j, "name", rules_condition_name(cond->id));
		json_kv_bool(j, "ok", cond->ok);
		view_json_value(j, "value", &cond->value);
		view_json_value(j, "need", &cond->need);
		json_kv_str(j, "words", buf_cstr(&words));
		json_object_close(j);
	}
	json_array_close(j);
	buf_free(&words);
	/* Only non-zero counts: a script reads a missing type as 0, and most
	   contacts have two or three types out of sixteen. */
	json_key(j, "counts");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (c->counts[t] != 0)
			json_kv_int(j, event_type_name((enum event_type)t), c->counts[t]);
	json_object_close(j);
	json_kv_time(j, "first_seen", c->first_seen_ms);
	json_kv_time(j, "last_seen", c->last_seen_ms);
	view_json_optional_int(j, "actor_connections", c->actor_connections);
	view_json_optional_int(j, "actor_followers", c->actor_followers);
	json_key(j, "creator");
	if (c->creator < 0)
		json_null(j);
	else
		json_bool(j, c->creator);
	json_key(j, "tags");
	json_array_open(j);
	for (uint32_t i = 0; i < c->ntags; i++)
		json_str(j, c->tags[i]);
	json_array_close(j);
	json_key(j, "recent");
	json_array_open(j);
	for (uint32_t i = 0; i < c->nrecent; i++)
		contact_engagement_json(j, &c->recent[i]);
	json_array_close(j);
	json_object_close(j);
}

/* A rate, or null for one that is unknown (negative). */
static void view_json_rate(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (v >= 0)
		json_double(j, v);
	else
		json_null(j);
}

/*
 * Through ratio_compute() with the configuration's network section (role,
 * target band) and readiness.cap. followers_gained is there so that the
 * text of warmthctl, made from this JSON, can say what the conversion
 * rate is of.
 */
/* One segment's invitation outcomes, in acceptance_by_segment. */
static void view_metrics_segment(struct json *j, const char *name, const struct ratio_invites *inv)
{
	json_key(j, name);
	json_object_open(j);
	json_kv_int(j, "invitations_sent", inv->sent);
	json_kv_int(j, "accepted", inv->accepted);
	json_kv_int(j, "declined", inv->declined);
	json_kv_int(j, "withdrawn", inv->withdrawn);
	view_json_rate(j, "acceptance_rate", ratio_acceptance_rate(inv));
	json_object_close(j);
}

/*
 * The segments with outcomes to show: the configured ones in their order
 * (with zeros when none were counted), then names counted under an
 * earlier configuration.
 */
static void view_metrics_segments(struct json *j, const struct conf *conf,
                                  const struct ratio_account *acc)
{
	static const struct ratio_invites none;

	json_key(j, "acceptance_by_segment");
	json_object_open(j);
	for (size_t i = 0; i < conf->nsegments; i++) {
		const struct ratio_invites *inv = ratio_segment_invites(acc, conf->segments[i].name);
		view_metrics_segment(j, conf->segments[i].name, inv != NULL ? inv : &none);
	}
	for (uint32_t i = 0; i < acc->nsegments; i++) {
		size_t k = 0;
		while (k < conf->nsegments && strcmp(conf->segments[k].name, acc->segments[i].name) != 0)
			k++;
		if (k == conf->nsegments)
			view_metrics_segment(j, acc->segments[i].name, &acc->segments[i].invites);
	}
	json_object_close(j);
}

/* now - snap, which may be negative; null when the snapshot has no count. */
static void view_json_delta(struct json *j, const char *key, int64_t now, int64_t snap)
{
	if (snap >= 0) {
		json_kv_int(j, key, now - snap);
	} else {
		json_key(j, key);
		json_null(j);
	}
}

/*
 * "series": the daily rows, oldest first, each day as a date of the
 * user's time zone; a count not known (no snapshot yet) is null. A day
 * without a row had no change (rows are written by the commits that
 * change the account).
 */
static void view_series_json(struct json *j, const struct ratio_series_day *series, size_t n)
{
	json_key(j, "series");
	json_array_open(j);
	for (size_t i = 0; i < n; i++) {
		const struct ratio_series_day *d = &series[i];
		time_t t = (time_t)(d->day * 86400);
		struct tm tm;
		char date[16];
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		json_object_open(j);
		json_kv_str(j, "day", date);
		json_key(j, "followers");
		d->followers >= 0 ? json_int(j, d->followers) : json_null(j);
		json_key(j, "connections");
		d->connections >= 0 ? json_int(j, d->connections) : json_null(j);
		json_kv_int(j, "invitations_sent", d->invitations_sent);
		json_kv_int(j, "accepted", d->accepted);
		json_kv_int(j, "declined", d->declined);
		json_kv_int(j, "new_followers", d->new_followers);
		json_kv_int(j, "conversions", d->conversions);
		json_object_close(j);
	}
	json_array_close(j);
}

void view_metrics_json(struct json *j, const struct view *v, const char *account,
                       int64_t snap_followers, int64_t snap_connections, int64_t snapshot_ms,
                       const struct ratio_account *acc, const struct ratio_series_day *series,
                       size_t nseries)
{
	const struct conf *conf = v->conf;
	struct ratio_metrics m;
	int64_t followers, connections;

	/* Between snapshots, follows and connections since the newest one count. */
	ratio_current(acc, snapshot_ms, snap_followers, snap_connections, &followers, &connections);
	ratio_compute(&conf->network, conf->readiness.cap, followers, connections, acc, v->now_ms,
	              &m);
	json_object_open(j);
	json_kv_str(j, "account", account);
	view_json_optional_int(j, "followers", followers);
	view_json_optional_int(j, "connections", connections);
	json_key(j, "ratio");
	if (followers >= 0 && connections > 0)
		json_double(j, m.ratio);
	else
		json_null(j);
	json_kv_str(j, "position", ratio_position_name(m.position));
	json_kv_str(j, "role", ratio_role_name((enum ratio_role)conf->network.role));
	json_key(j, "target_min");
	json_double(j, m.target_min);
	json_key(j, "target_max");
	json_double(j, m.target_max);
	json_kv_int(j, "cap", m.cap);
	json_key(j, "cap_usage");
	if (connections >= 0)
		json_double(j, m.cap_usage);
	else
		json_null(j);
	view_json_rate(j, "acceptance_rate", acc->invites.sent > 0 ? m.acceptance_rate : -1);
	json_kv_int(j, "invitations_sent", acc->invites.sent);
	view_json_rate(j, "conversion_rate", m.conversion_rate);
	json_kv_int(j, "followers_gained", acc->followers_gained);
	view_json_rate(j, "median_convert_days", m.median_convert_days);
	json_key(j, "engagement_7d");
	json_object_open(j);
	view_json_rate(j, "connections", m.engagement_rate_connections_7d);
	view_json_rate(j, "followers", m.engagement_rate_followers_7d);
	json_object_close(j);
	json_key(j, "engagement_30d");
	json_object_open(j);
	view_json_rate(j, "connections", m.engagement_rate_connections_30d);
	view_json_rate(j, "followers", m.engagement_rate_followers_30d);
	json_object_close(j);
	view_metrics_segments(j, conf, acc);
	json_key(j, "first_hour_connection_share");
	json_object_open(j);
	json_kv_int(j, "posts", m.first_hour.posts);
	view_json_rate(j, "median", m.first_hour.median);
	view_json_rate(j, "mean", m.first_hour.mean);
	json_kv_int(j, "window_seconds", conf->network.first_hour_ms / 1000);
	json_object_close(j);
	json_key(j, "growth_per_week");
	json_object_open(j);
	json_key(j, "followers");
	json_double(j, round(m.followers_per_week * 10.0) / 10.0);
	json_key(j, "connections");
	json_double(j, round(m.connections_per_week * 10.0) / 10.0);
	json_object_close(j);
	/* What to do about a ratio outside its band, in words; null within it. */
	{
		struct ratio_advice advice;
		struct buf words = { 0 };
		ratio_advise(&m, &advice);
		ratio_advice_words(&advice, conf->network.role, &words);
		json_kv_str(j, "advice", words.len ? buf_cstr(&words) : NULL);
		buf_free(&words);
	}
	json_kv_time(j, "snapshot", snapshot_ms);
	view_json_delta(j, "followers_since_snapshot", followers, snap_followers);
	view_json_delta(j, "connections_since_snapshot", connections, snap_connections);
	view_series_json(j, series, nseries);
	json_object_close(j);
}

/* --- Orders, the heap, cursors. --- */

int view_before(enum view_order order, const struct view_rank *a, const struct view_rank *b)
{
	if (order == VIEW_BY_KEY) {
		if (a->account != b->account)
			return a->account < b->account;
		return strcmp(a->actor, b->actor) < 0;
	}
	if (a->warmth != b->warmth)
		return a->warmth > b->warmth;
	if (a->engagements != b->engagements)
		return a->engagements > b->engagements;
	return strcmp(a->actor, b->actor) < 0;
}

void view_heap_init(struct view_heap *h, enum view_order order, size_t limit)
{
	memset(h, 0, sizeof(*h));
	h->order = order;
	h->limit = limit;
}

/* The root is the item that comes last: children never come after it. */
static int view_heap_after(const struct view_heap *h, size_t a, size_t b)
{
	return view_before(h->order, &h->items[b], &h->items[a]);
}

static void view_heap_swap(struct view_heap *h, size_t a, size_t b)
{
	struct view_rank tmp = h->items[a];

	h->items[a] = h->items[b];
	h->items[b] = tmp;
}

static void view_heap_down(struct view_heap *h, size_t i)
{
	for (;;) {
		size_t last = i, l = 2 * i + 1, r = 2 * i + 2;
		if (l < h->count && view_heap_after(h, l, last))
			last = l;
		if (r < h->count && view_heap_after(h, r, last))
			last = r;
		if (last == i)
			return;
		view_heap_swap(h, i, last);
		i = last;
	}
}

int view_heap_wants(const struct view_heap *h, const struct view_rank *r)
{
	return h->limit > 0 && (h->count < h->limit || view_before(h->order, r, &h->items[0]));
}

void *view_heap_offer(struct view_heap *h, const struct view_rank *r)
{
	void *out;

	if (h->limit == 0)
		return r->item;
	if (h->count < h->limit) {
		size_t i;
		if (h->count == h->cap) {
			/* Grown as needed: the limit may be far above the number of items. */
			h->cap = h->cap ? h->cap * 2 : 64;
			h->items = xrealloc(h->items, h->cap * sizeof(*h->items));
		}
		i = h->count++;
		h->items[i] = *r;
		while (i > 0 && view_heap_after(h, i, (i - 1) / 2)) {
			view_heap_swap(h, i, (i - 1) / 2);
			i = (i - 1) / 2;
		}
		return NULL;
	}
	if (!view_before(h->order, r, &h->items[0]))
		return r->item;
	out = h->items[0].item;
	h->items[0] = *r;
	view_heap_down(h, 0);
	return out;
}

static enum view_order view_sort_order;

static int view_sort_compare(const void *pa, const void *pb)
{
	const struct view_rank *a = pa, *b = pb;

	return view_before(view_sort_order, a, b) ? -1 : view_before(view_sort_order, b, a) ? 1 : 0;
}

void view_heap_sort(struct view_heap *h)
{
	/* The heap is NULL while empty, which qsort may not take. */
	if (h->count < 2)
		return;
	view_sort_order = h->order;
	qsort(h->items, h->count, sizeof(*h->items), view_sort_compare);
}

void view_heap_free(struct view_heap *h)
{
	free(h->items);
	memset(h, 0, sizeof(*h));
}

/*
 * Actors hold no control characters (event.c rejects them), so a tab
 * separates the fields. The warmth is written in hexadecimal (%a) so
 * that it reads back to the same double.
 */
void view_cursor_format(enum view_order order, const struct view_rank *r,
                        char out[VIEW_CURSOR_MAX])
{
	if (order == VIEW_BY_KEY)
		snprintf(out, VIEW_CURSOR_MAX, "k\t%u\t%s", r->account, r->actor);
	else
		snprintf(out, VIEW_CURSOR_MAX, "r\t%a\t%llu\t%s", r->warmth,
		         (unsigned long long)r->engagements, r->actor);
}

int view_cursor_parse(enum view_order order, const char *s, struct view_rank *r, char **owned)
{
	char *end;
	const char *p;

	memset(r, 0, sizeof(*r));
	*owned = NULL;
	if (s[0] != (order == VIEW_BY_KEY ? 'k' : 'r') || s[1] != '\t')
		return -1;
	p = s + 2;
	if (order == VIEW_BY_KEY) {
		unsigned long account = strtoul(p, &end, 10);
		if (end == p || *end != '\t' || account > UINT32_MAX)
			return -1;
		r->account = (uint32_t)account;
	} else {
		r->warmth = strtod(p, &end);
		if (end == p || *end != '\t')
			return -1;
		p = end + 1;
		r->engagements = strtoull(p, &end, 10);
		if (end == p || *end != '\t')
			return -1;
	}
	*owned = xstrdup(end + 1);
	r->actor = *owned;
	return 0;
}
