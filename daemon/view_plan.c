/*
 * view_plan.c - the weekly plan from outside (plan.h, view.h): what a
 * contact is in the plan, the suggested invitation note, and the plan's
 * JSON (warmthctl plan --json; its text is printed from this JSON). The
 * daemon (over the control socket) and warmthctl --db both use it, so the
 * two give the same plan by construction.
 *
 * Pure: no libuv, no SQLite.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warmth/json.h"
#include "warmth/note.h"
#include "warmth/plan.h"
#include "warmth/view.h"

#define VIEW_PLAN_DAY_MS 86400000.0
/* Their posts named for a contact to engage with. */
#define VIEW_PLAN_POSTS 3

uint32_t view_budget_actor(const char *actor, size_t len)
{
	return (uint32_t)hash64(actor, len);
}

struct plan_params view_plan_params(const struct conf *conf)
{
	struct plan_params p = { 0 };

	p.budget = conf->readiness.weekly_invites;
	p.window_ms = conf->readiness.invite_window_ms;
	p.withdraw_after_ms = conf->readiness.withdraw_after_ms;
	p.engage_above = conf->plan_engage_above;
	p.held_max = (size_t)conf->plan_held;
	p.engage_max = (size_t)conf->plan_engage;
	p.withdraw_max = (size_t)conf->plan_withdraw;
	return p;
}

void view_plan_entry(const struct view *v, const struct contact *c, const struct view_account *a,
                     const struct rules_budget *budget, struct plan_entry *out)
{
	struct plan_params p = view_plan_params(v->conf);
	const struct rules_params *rp = &v->conf->readiness;
	struct plan_contact pc = { 0 };
	struct view_verdict vd;

	/* Most contacts of a large account are in no part of the plan: the cheap test first. */
	if (!c->rel.pending.on && c->score == NULL) {
		memset(out, 0, sizeof(*out));
		out->kind = PLAN_NONE;
		return;
	}
	view_verdict(v, c, a, &vd);
	pc.follower = c->rel.follower.on;
	pc.target = c->rel.target.on;
	pc.connected = c->rel.connected.on;
	pc.pending = c->rel.pending.on;
	pc.pending_ms = c->rel.pending.ts_ms;
	pc.snoozed = c->rules.snoozed_until_ms > v->now_ms;
	pc.dismissed = c->rules.dismissed_ms != 0;
	pc.counted = budget != NULL &&
	             rules_budget_holds(budget, view_budget_actor(c->actor, c->actor_len), v->now_ms,
	                                rp->invite_window_ms, rules_budget_hold_ms(rp));
	plan_entry_of(&p, &vd.result, &pc, v->now_ms, out);
	out->tie = hash64(c->actor, c->actor_len);
}

static void view_plan_who(struct json *j, const struct view *v, const struct plan_entry *e)
{
	const struct contact *c = e->contact;

	json_key(j, "actor");
	json_strn(j, c->actor, c->actor_len);
	json_kv_str(j, "name", c->name);
	json_kv_str(j, "segment", view_segment(v, c));
	json_key(j, "warmth");
	json_double(j, (double)(int64_t)(e->warmth * 100.0 + 0.5) / 100.0);
}

static void view_plan_invite(struct json *j, const struct view *v, const struct plan_entry *e)
{
	struct buf note = { 0 };

	json_object_open(j);
	view_plan_who(j, v, e);
	json_kv_bool(j, "notified", e->counted);
	view_note(v, e->contact, view_segment(v, e->contact), &note);
	json_kv_str(j, "note", buf_cstr(&note));
	json_kv_int(j, "note_chars", (int64_t)note_count(note.data ? note.data : "", note.len));
	json_kv_int(j, "note_limit", view_note_limit(v->conf));
	json_object_close(j);
	buf_free(&note);
}

/*
 * Their posts, to engage with: the posts of theirs my own engagement was
 * on, and the posts of theirs that mentioned me, newest first; none when
 * nothing of theirs was seen yet.
 */
static void view_plan_posts(struct json *j, const struct contact *c)
{
	const char *seen[VIEW_PLAN_POSTS];
	size_t n = 0;

	json_key(j, "posts");
	json_array_open(j);
	/* The recent engagements, then the best kept of each kind (the post of
	   theirs I engaged with best outlives later likes). */
	uint32_t total = c->nrecent + (c->best != NULL ? CONTACT_BEST_COUNT : 0);

	for (uint32_t i = 0; i < total && n < VIEW_PLAN_POSTS; i++) {
		const struct contact_engagement *en = i < c->nrecent ? &c->recent[i] : &c->best[i - c->nrecent];
		int theirs = en->dir_out || en->type == EVENT_MENTION;
		size_t k;
		if (i >= c->nrecent && !contact_best_filled(en))
			continue;
		if (!theirs || en->post == NULL || en->type == EVENT_MESSAGE)
			continue;
		for (k = 0; k < n && strcmp(seen[k], en->post) != 0; k++)
			;
		if (k < n)
			continue;
		seen[n++] = en->post;
		json_object_open(j);
		json_kv_str(j, "post", en->post);
		json_kv_str(j, "title", en->title);
		json_kv_time(j, "ts", en->ts_ms);
		json_object_close(j);
	}
	json_array_close(j);
}

static void view_plan_engage(struct json *j, const struct view *v, const struct view_account *a,
                             const struct plan_entry *e)
{
	struct view_verdict vd;
	struct buf words = { 0 };

	view_verdict(v, e->contact, a, &vd);
	json_object_open(j);
	view_plan_who(j, v, e);
	json_key(j, "threshold");
	json_double(j, e->threshold);
	json_key(j, "needs");
	json_array_open(j);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (vd.result.conditions[i].ok || i == RULES_BUDGET || i == RULES_NOT_NOTIFIED)
			continue;
		buf_reset(&words);
		rules_condition_words(&vd.result, (enum rules_condition_id)i, &words);
		json_str(j, buf_cstr(&words));
	}
	json_array_close(j);
	view_plan_posts(j, e->contact);
	json_object_close(j);
	buf_free(&words);
}

/*
 * Writes "key": the time ms (RFC 3339, UTC) and "key_day": its date in the
 * user's time zone (time.zone), which is what the text shows: a budget
 * that frees at 23:30 UTC frees the next day in Tokyo.
 */
static void view_plan_time(struct json *j, const struct view *v, const char *key, int64_t ms)
{
	char day_key[32], day[16];
	time_t t = (time_t)((ms + v->conf->scoring.day_offset_ms) / 1000);
	struct tm tm;

	json_kv_time(j, key, ms);
	snprintf(day_key, sizeof(day_key), "%s_day", key);
	if (ms == 0 || gmtime_r(&t, &tm) == NULL || strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
		json_kv_str(j, day_key, NULL);
	else
		json_kv_str(j, day_key, day);
}

static void view_plan_withdraw(struct json *j, const struct view *v, const struct plan_entry *e)
{
	json_object_open(j);
	view_plan_who(j, v, e);
	view_plan_time(j, v, "pending_since", e->since_ms);
	json_kv_int(j, "pending_days", (int64_t)((double)(v->now_ms - e->since_ms) / VIEW_PLAN_DAY_MS));
	json_object_close(j);
}

void view_plan_json(struct json *j, const struct view *v, const struct view_account *a,
                    const struct plan *plan)
{
	json_object_open(j);
	json_kv_str(j, "account", a->name);
	json_kv_time(j, "now", v->now_ms);
	json_key(j, "budget");
	json_object_open(j);
	json_kv_int(j, "limit", plan->budget);
	json_kv_int(j, "used", plan->used);
	json_kv_int(j, "remaining", plan->remaining);
	json_kv_int(j, "window_days",
	            (int64_t)((double)v->conf->readiness.invite_window_ms / VIEW_PLAN_DAY_MS));
	json_object_close(j);

	json_key(j, "invite");
	json_array_open(j);
	for (size_t i = 0; i < plan->ninvite; i++)
		view_plan_invite(j, v, &plan->invite[i]);
	json_array_close(j);

	json_key(j, "held");
	json_array_open(j);
	for (size_t i = 0; i < plan->nheld; i++) {
		json_object_open(j);
		view_plan_who(j, v, &plan->held[i]);
		view_plan_time(j, v, "frees", plan->held[i].frees_ms);
		json_object_close(j);
	}
	json_array_close(j);
	json_kv_int(j, "held_total", (int64_t)plan->held_total);

	json_key(j, "engage");
	json_array_open(j);
	for (size_t i = 0; i < plan->nengage; i++)
		view_plan_engage(j, v, a, &plan->engage[i]);
	json_array_close(j);
	json_kv_int(j, "engage_total", (int64_t)plan->engage_total);

	json_key(j, "withdraw");
	json_array_open(j);
	for (size_t i = 0; i < plan->nwithdraw; i++)
		view_plan_withdraw(j, v, &plan->withdraw[i]);
	json_array_close(j);
	json_kv_int(j, "withdraw_total", (int64_t)plan->withdraw_total);
	json_kv_int(j, "pending", (int64_t)plan->pending);
	json_object_close(j);
}
