/*
 * engine_rules.c - scoring and readiness in the engine: engagements folded
 * into each contact's score as they are accepted, readiness evaluated once
 * per batch for the contacts the batch changed, and "ready" notifications
 * written to the outbox in the same transaction as the state that decided
 * them (see engine_internal.h for the calls, rules.h for the model).
 *
 * Per event the cost is one score_add(). Per batch, each dirty contact is
 * looked at once: a contact that fails a condition no amount of waiting
 * can fix (not a follower or target, connected, pending, dismissed, no
 * deep engagement, too few posts, engagement too long ago, warmth below
 * the threshold) is dropped after a few comparisons; the others are
 * evaluated in full with rules_evaluate().
 *
 * Time alone changes readiness too: a wait, a snooze or a re-invite block
 * expires, the budget window frees up, a fired contact re-arms after its
 * cooldown or as its warmth decays. The contacts for which only such
 * conditions fail, or that are ready or have fired, are kept on a watch
 * list, and the list is swept (evaluated again) whenever "now" has moved
 * by ENGINE_SWEEP_MS: with time.source: event at the batch close that
 * sees it (other contacts' events move time), with wall also by the cron
 * every minute. At start and after a reload every contact with a score is
 * put on the list, since nothing is known about it under these figures.
 * The list is bounded (readiness.watch_max, engine_watch.c): a full one
 * lets go of the contacts due last, and a rescan finds them again.
 *
 * Ready contacts compete per account for the rolling invitation budget
 * (rules_queue: warmest first); those within it fire: their rules state
 * records it (so a restart or a replay does not fire again: the state and
 * the outbox row commit together), the budget counts it, and the outbox
 * row carries the notification record of INTERFACE.md. The suggested
 * invitation note (note.h) is made here too, while the contact's name,
 * segment, evidence and follow time are at hand, and goes in the row's
 * note column; the outbox (outbox.c) puts it into the record it delivers.
 *
 * Each engagement also goes into the score's history (score.h), the
 * newest scoring.history of them per contact, stored with the score. A
 * reload that changes half-lives, deep_types or the anti-inflation
 * settings rebuilds every score from it (score_rebuild()), so the warmth
 * is what a fresh run under the new figures would give; the contacts are
 * written with the reload's batch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/note.h"
#include "warmth/rules.h"
#include "warmth/score.h"
#include "warmth/util.h"
#include "warmth/view.h"
#include "engine_internal.h"

/* How far "now" moves before the watch list is evaluated again. */
#define ENGINE_SWEEP_MS (3600 * 1000)

uint64_t engine_rules_cron_ms(void)
{
	static uint64_t period;
	const char *v;
	int64_t ms;

	if (period != 0)
		return period;
	period = ENGINE_CRON_MS;
	v = getenv("WARMTHD_TEST_CRON_PERIOD");
	if (v == NULL || *v == '\0')
		return period;
	if (parse_duration_ms(v, &ms) < 0 || ms < 10 || ms > ENGINE_CRON_MS) {
		log_warnx("WARMTHD_TEST_CRON_PERIOD=%s is not a duration from 10ms to 1m; ignored", v);
		return period;
	}
	period = (uint64_t)ms;
	log_warnx("cron: every %s (WARMTHD_TEST_CRON_PERIOD, for tests only)", v);
	return period;
}

int64_t engine_rules_now(const struct engine *e)
{
	return e->conf->time_source == CONF_TIME_EVENT ? e->counters.newest_ms : time_now_ms();
}

void engine_rules_engagement(struct engine *e, struct engine_contact *ec, const struct event *ev,
                             uint32_t post_hash)
{
	struct contact *c = &ec->c;
	int type = score_type_of(ev->type);
	struct score_event se;

	if (type < 0)
		return;
	if (c->score == NULL)
		c->score = xcalloc(1, sizeof(*c->score));
	se.ts_ms = ev->ts_ms;
	se.post_hash = post_hash;
	se.type = (uint8_t)type;
	/* The relationship as this engine knows it when the event is applied. */
	se.origin = ev->dir_out            ? SCORE_OUTBOUND
	            : c->rel.connected.on  ? SCORE_FROM_CONNECTION
	                                   : SCORE_FROM_FOLLOWER;
	score_add(c->score, &e->conf->scoring, &se);
	score_history_add(&c->score->history, &se, e->conf->score_history);
}

static uint32_t engine_rules_actor_hash(const char *actor, size_t len)
{
	return view_budget_actor(actor, len);
}

static struct rules_budget *engine_rules_budget(struct engine_account *a)
{
	if (a->a.budget == NULL)
		a->a.budget = xcalloc(1, sizeof(*a->a.budget));
	return a->a.budget;
}

void engine_rules_invitation(struct engine *e, const struct engine_contact *ec, const struct event *ev)
{
	struct engine_account *a = &e->accounts[ec->c.account];

	rules_budget_add(engine_rules_budget(a), ev->ts_ms, engine_rules_actor_hash(ev->actor.ptr, ev->actor.len),
	                 ec->c.rules.fired_ms != 0);
	a->budget_round = 0; /* recount at the next use */
	a->dirty = 1;
}

void engine_rules_release(struct engine *e, struct engine_contact *ec)
{
	struct engine_account *a = &e->accounts[ec->c.account];

	if (a->a.budget == NULL)
		return;
	rules_budget_forget(a->a.budget, engine_rules_actor_hash(ec->c.actor, ec->c.actor_len));
	a->budget_round = 0;
	a->dirty = 1;
	/* Budget freed: a contact it held may fire at the next batch. */
	e->sweep_due = 1;
}

/* Invitations counted in the account's window at the round's now (cached per round). */
static int64_t engine_rules_budget_used(struct engine *e, struct engine_account *a, int64_t now)
{
	if (a->a.budget == NULL)
		return 0;
	if (a->budget_round != e->round) {
		a->budget_used = rules_budget_used(a->a.budget, now, e->conf->readiness.invite_window_ms,
		                                   rules_budget_hold_ms(&e->conf->readiness));
		a->budget_round = e->round;
	}
	return a->budget_used;
}

int64_t engine_rules_connections(const struct engine_account *a)
{
	int64_t followers, connections = a->a.connections;

	if (a->ratio != NULL)
		ratio_current(a->ratio, a->a.snapshot_ms, a->a.followers, a->a.connections, &followers,
		              &connections);
	return connections;
}

static size_t engine_rules_segment(const struct engine *e, const struct contact *c)
{
	struct rules_hints h = view_hints(c);

	return rules_segment_find(e->conf->segments, e->conf->nsegments, &h);
}

static void engine_rules_evaluate(struct engine *e, struct engine_contact *ec, size_t segment,
                                  int64_t now, struct rules_result *r)
{
	const struct contact *c = &ec->c;
	struct engine_account *a = &e->accounts[c->account];
	struct rules_contact rc = view_rules_contact(c);
	struct rules_account ra = { engine_rules_connections(a), engine_rules_budget_used(e, a, now), 0, 0 };

	rules_account_budget(&ra, a->a.budget, &e->conf->readiness,
	                     engine_rules_actor_hash(c->actor, c->actor_len), now);

	rules_evaluate(&e->conf->readiness, &e->conf->scoring, &e->conf->segments[segment], &rc, &ra,
	               now, r);
}

/*
 * Whether an unfired contact fails a condition that time cannot fix: only
 * new events can make it ready, so it is neither evaluated nor watched.
 * Cheap tests only, first those that need no segment: no score, neither
 * follower nor target, connected, pending, invited by them, dismissed.
 */
static int engine_rules_unrelated(const struct contact *c)
{
	return c->score == NULL || !(c->rel.follower.on || c->rel.target.on) ||
	       c->rel.connected.on || c->rel.pending.on || c->rules.incoming ||
	       c->rules.dismissed_ms != 0;
}

/* The same for the segment's figures (after engine_rules_unrelated). */
static int engine_rules_hopeless(const struct engine *e, const struct contact *c, size_t segment,
                                 int64_t now)
{
	const struct rules_readiness *r = &e->conf->segments[segment].readiness;
	const struct score_state *s = c->score;
	const struct rules_path *paths[2] = { &r->inbound, &r->outbound };
	int hopeless = 1;

	if (s->last_ms == 0 || now - s->last_ms > r->active_within_ms)
		return 1;
	/* Hopeless when both paths are: no deep engagement of the path's side,
	   or fewer posts than it needs (nposts bounds any window's from above). */
	for (int i = 0; i < 2; i++)
		if (!(paths[i]->need_deep && score_deep(s, (unsigned)paths[i]->from) == 0) &&
		    (int64_t)s->nposts >= paths[i]->min_posts)
			hopeless = 0;
	return hopeless;
}

/* Whether either path's warmth reaches its threshold (warmth only falls with time). */
static int engine_rules_warm(const struct engine *e, const struct contact *c, size_t segment,
                             int64_t now)
{
	const struct rules_readiness *r = &e->conf->segments[segment].readiness;
	const struct rules_path *paths[2] = { &r->inbound, &r->outbound };
	double in, out;

	score_warmth_sides(c->score, &e->conf->scoring, now, &in, &out);
	for (int i = 0; i < 2; i++)
		if (((paths[i]->from & SCORE_SIDE_IN) ? in : 0.0) + ((paths[i]->from & SCORE_SIDE_OUT) ? out : 0.0) >=
		    paths[i]->threshold)
			return 1;
	return 0;
}

/* Whether every condition that fails is one that time alone can make hold. */
static int engine_rules_time_can_help(const struct rules_result *r)
{
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (r->conditions[i].ok)
			continue;
		switch (i) {
		case RULES_WAIT:
		case RULES_REINVITE_BLOCK:
		case RULES_NOT_DECLINED:
		case RULES_NOT_REMOVED:
		case RULES_NOT_UNFOLLOWED:
		case RULES_NOT_SNOOZED:
		case RULES_NOT_NOTIFIED:
		case RULES_BUDGET:
		case RULES_CAP: /* a snapshot changes it without touching the contact */
			break;
		default:
			return 0;
		}
	}
	return 1;
}

int engine_rules_candidate(const struct engine *e, const struct contact *c, int64_t now,
                           size_t *segment)
{
	if (c->score == NULL || (!c->rules.fired && engine_rules_unrelated(c)))
		return 0;
	*segment = engine_rules_segment(e, c);
	/* Warmth only falls as time passes: below the threshold, only a new
	   engagement can help, and a full evaluation would be wasted. */
	return c->rules.fired ||
	       !(engine_rules_hopeless(e, c, *segment, now) || !engine_rules_warm(e, c, *segment, now));
}

void engine_rules_result(struct engine *e, struct engine_contact *ec, size_t segment, int64_t now,
                         struct rules_result *r)
{
	engine_rules_evaluate(e, ec, segment, now, r);
}

/*
 * Evaluates one contact once per round: re-arms it if its time has come,
 * records it as ready, and notes whether it should stay watched, and from
 * when time may make it ready (*due, engine_watch.c).
 */
static void engine_rules_consider(struct engine *e, struct engine_contact *ec,
                                  struct engine_round *rd, int64_t *due)
{
	struct contact *c = &ec->c;
	struct rules_result r;
	size_t segment;

	*due = ENGINE_WATCH_UNKNOWN;
	if (ec->evaluated == e->round)
		return;
	ec->evaluated = e->round;
	ec->wanted = 0;
	engine_ready_note(e, ec, NULL);
	if (!engine_rules_candidate(e, c, rd->now, &segment))
		return;
	engine_rules_evaluate(e, ec, segment, rd->now, &r);
	engine_ready_note(e, ec, &r);
	if (rules_state_rearm(&c->rules, &r, &e->conf->readiness, rd->now)) {
		engine_mark_dirty(e, ec);
		rd->changed++;
	}
	if (r.ready) {
		if (rd->nready == rd->ready_cap) {
			rd->ready_cap = rd->ready_cap ? rd->ready_cap * 2 : 16;
			rd->ready = xrealloc(rd->ready, rd->ready_cap * sizeof(*rd->ready));
		}
		rd->ready[rd->nready].ec = ec;
		rd->ready[rd->nready].segment = segment;
		rd->ready[rd->nready].warmth = r.warmth;
		rd->nready++;
	}
	ec->wanted = c->rules.fired || r.ready || engine_rules_time_can_help(&r);
	if (ec->wanted)
		*due = engine_watch_due(e, c, segment, &r, rd->now);
}

/*
 * Evaluates the watch list, keeping on it only those still wanted; then
 * those let go because it was full may be due a rescan (engine_watch.c).
 */
static void engine_rules_sweep_list(struct engine *e, struct engine_round *rd)
{
	size_t kept = 0;
	int64_t due;

	for (size_t i = 0; i < e->nwatch; i++) {
		struct engine_contact *ec = e->watch[i].ec;
		engine_rules_consider(e, ec, rd, &due);
		if (ec->wanted) {
			e->watch[kept].ec = ec;
			e->watch[kept++].due_ms = due != ENGINE_WATCH_UNKNOWN ? due : e->watch[i].due_ms;
		} else {
			ec->watched = 0;
		}
	}
	e->nwatch = kept;
	e->swept_ms = rd->now;
	e->sweep_due = 0;
	engine_watch_refind(e, rd->now);
}

/* The notification record of INTERFACE.md for a contact that fires now. */
static void engine_rules_record(const struct engine *e, const struct contact *c,
                                const struct rules_result *r, const char *segment,
                                const char *account, const char *id, int64_t now,
                                struct buf *out)
{
	struct json *j = json_new(out, 0);
	struct buf words = { 0 };

	json_object_open(j);
	json_kv_str(j, "kind", "ready");
	json_kv_time(j, "ts", now);
	json_kv_str(j, "id", id);
	json_kv_str(j, "account", account);
	json_key(j, "actor");
	json_strn(j, c->actor, c->actor_len);
	json_kv_str(j, "name", c->name);
	json_kv_str(j, "segment", segment);
	json_key(j, "warmth");
	json_double(j, (double)(int64_t)(r->warmth * 100.0 + 0.5) / 100.0);
	json_key(j, "reasons");
	json_array_open(j);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (!r->conditions[i].ok)
			continue;
		buf_reset(&words);
		rules_condition_words(r, (enum rules_condition_id)i, &words);
		json_str(j, buf_cstr(&words));
	}
	json_array_close(j);
	json_key(j, "evidence");
	json_array_open(j);
	view_evidence(c, j, NULL, NULL);
	json_array_close(j);
	/*
	 * null in the stored record: the note is in the row's own column and
	 * the outbox splices it in here, as the last key, at delivery.
	 */
	json_key(j, "note");
	json_null(j);
	json_object_close(j);
	json_free(j);
	buf_free(&words);
	(void)e;
}

/* The suggested invitation note for c in segment, as warmthctl plan shows it (view_note). */
static void engine_rules_note(const struct engine *e, const struct contact *c, const char *segment,
                              int64_t now, struct buf *out)
{
	struct view v = { e->conf, now };

	view_note(&v, c, segment, out);
}

/* Fires one ready contact: rules state, budget, outbox row, all in this batch. */
static void engine_rules_fire_one(struct engine *e, const struct engine_ready *ready,
                                  struct engine_round *rd)
{
	struct engine_contact *ec = ready->ec;
	struct contact *c = &ec->c;
	struct engine_account *a = &e->accounts[c->account];
	const char *segment = e->conf->segments[ready->segment].name;
	struct rules_result r;
	struct store_outbox o = { 0 };
	struct buf id = { 0 }, record = { 0 }, note = { 0 };

	/* The result again, for its reasons: only for the few that fire. */
	engine_rules_evaluate(e, ec, ready->segment, rd->now, &r);
	buf_printf(&id, "ready:%s:%s:%lld", a->a.name, c->actor, (long long)rd->now);
	engine_rules_record(e, c, &r, segment, a->a.name, buf_cstr(&id), rd->now, &record);
	o.id = buf_cstr(&id);
	o.kind = "ready";
	o.account = a->a.name;
	o.actor = c->actor;
	o.created_ms = rd->now;
	o.record = record.data;
	o.record_len = record.len;
	engine_rules_note(e, c, segment, rd->now, &note);
	o.note = buf_cstr(&note);
	store_batch_outbox(e->building, &o);

	rules_state_fired(&c->rules, rd->now);
	rules_budget_prune(engine_rules_budget(a), rd->now, e->conf->readiness.invite_window_ms,
	                   rules_budget_hold_ms(&e->conf->readiness));
	rules_budget_notified(engine_rules_budget(a), rd->now,
	                      engine_rules_actor_hash(c->actor, c->actor_len));
	a->budget_round = 0;
	a->dirty = 1;
	engine_mark_dirty(e, ec);
	engine_rules_watch(e, ec);
	rd->changed++;
	log_info("ready: %s in account %s (segment %s, warmth %.1f)", c->actor, a->a.name, segment,
	         r.warmth);
	buf_free(&id);
	buf_free(&record);
	buf_free(&note);
}

static int engine_rules_ready_cmp(const void *pa, const void *pb)
{
	const struct engine_ready *a = pa, *b = pb;

	if (a->ec->c.account != b->ec->c.account)
		return a->ec->c.account < b->ec->c.account ? -1 : 1;
	return 0;
}

/* Lets the ready contacts of each account compete for its remaining budget. */
static void engine_rules_fire(struct engine *e, struct engine_round *rd)
{
	struct rules_candidate *cand;
	size_t start = 0;

	if (rd->nready == 0)
		return;
	qsort(rd->ready, rd->nready, sizeof(*rd->ready), engine_rules_ready_cmp);
	cand = xmalloc(rd->nready * sizeof(*cand));
	while (start < rd->nready) {
		uint32_t account = rd->ready[start].ec->c.account;
		struct engine_account *a = &e->accounts[account];
		size_t n = 0, fire;
		int64_t remaining;

		while (start + n < rd->nready && rd->ready[start + n].ec->c.account == account) {
			const struct contact *c = &rd->ready[start + n].ec->c;
			cand[n].warmth = rd->ready[start + n].warmth;
			cand[n].tie = hash64(c->actor, c->actor_len);
			cand[n].index = start + n;
			n++;
		}
		a->budget_round = 0;
		remaining = e->conf->readiness.weekly_invites - engine_rules_budget_used(e, a, rd->now);
		fire = rules_queue(cand, n, remaining);
		for (size_t i = 0; i < fire; i++) {
			engine_rules_fire_one(e, &rd->ready[cand[i].index], rd);
			engine_ready_notified(e, rd->ready[cand[i].index].ec);
		}
		if (fire < n)
			log_info("account %s: %zu ready contacts wait for invitation budget", a->a.name,
			         n - fire);
		start += n;
	}
	free(cand);
}

/* Starts a round at now; 0 when there is no "now" yet. */
static int engine_rules_round(struct engine *e)
{
	struct engine_round *rd = &e->rd;

	rd->now = engine_rules_now(e);
	rd->nready = 0;
	rd->changed = 0;
	rd->active = rd->now > 0; /* with time.source: event and no event yet there is no "now" */
	if (rd->active)
		e->round++;
	return rd->active;
}

void engine_rules_begin(struct engine *e)
{
	engine_rules_round(e);
}

void engine_rules_contact(struct engine *e, struct engine_contact *ec)
{
	int64_t due;

	if (!e->rd.active)
		return;
	engine_rules_consider(e, ec, &e->rd, &due);
	if (ec->wanted)
		engine_watch_add(e, ec, due);
}

void engine_rules_end(struct engine *e)
{
	struct engine_round *rd = &e->rd;

	if (!rd->active)
		return;
	/* Not while a rescore is under way: some scores still have old figures. */
	if (!e->rescore_on && (e->sweep_due || rd->now - e->swept_ms >= ENGINE_SWEEP_MS))
		engine_rules_sweep_list(e, rd);
	engine_rules_fire(e, rd);
	rd->active = 0;
}

size_t engine_rules_sweep(struct engine *e)
{
	if (e->nwatch == 0 || !engine_rules_round(e))
		return 0;
	engine_rules_sweep_list(e, &e->rd);
	engine_rules_fire(e, &e->rd);
	e->rd.active = 0;
	return e->rd.changed;
}

void engine_rules_watch_all(struct engine *e)
{
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_contact *ec, *tmp;
		HASH_ITER(hh, e->accounts[i].contacts, ec, tmp) {
			if (ec->c.score != NULL)
				engine_rules_watch(e, ec);
		}
	}
	e->sweep_due = 1;
	/* The contacts not in memory: the rescan finds those worth watching
	   (after the rescore, if one is under way: it starts the rescan). */
	if (e->cold && !e->rescore_on)
		engine_cache_rescan_start(e);
}

/* --- network metrics (ratio.h) --- */

static struct ratio_account *engine_rules_ratio(struct engine_account *a)
{
	if (a->ratio == NULL)
		a->ratio = xcalloc(1, sizeof(*a->ratio));
	return a->ratio;
}

/* The outcome an invitation event counts as, or -1. */
static int engine_rules_outcome(enum event_type type)
{
	switch (type) {
	case EVENT_INVITE_SENT:
		return RATIO_SENT;
	case EVENT_INVITE_ACCEPTED:
		return RATIO_ACCEPTED;
	case EVENT_INVITE_DECLINED:
		return RATIO_DECLINED;
	case EVENT_INVITE_WITHDRAWN:
		return RATIO_WITHDRAWN;
	default:
		return -1;
	}
}

void engine_rules_network_event(struct engine *e, struct engine_contact *ec,
                                const struct contact_relationship *before, const struct event *ev)
{
	const struct contact_relationship *rel = &ec->c.rel;
	struct engine_account *a = &e->accounts[ec->c.account];
	/* An invitation they sent me is not one of mine: no outcome of my invitations. */
	int outcome = ev->type == EVENT_INVITE_SENT && !ev->dir_out ? -1 : engine_rules_outcome(ev->type);
	int followers = (int)rel->follower.on - (int)before->follower.on;
	int connections = (int)rel->connected.on - (int)before->connected.on;
	struct ratio_account *acc;

	/* Only inbound engagement says how connections and followers respond. */
	if (event_type_is_engagement(ev->type) && ev->dir_out)
		return;
	if (!event_type_is_engagement(ev->type) && outcome < 0 && followers == 0 && connections == 0)
		return;
	acc = engine_rules_ratio(a);
	if (outcome >= 0)
		ratio_note_invite(acc, e->conf->segments[engine_rules_segment(e, &ec->c)].name,
		                  (enum ratio_outcome)outcome);
	if (followers != 0 || connections != 0) {
		/* Counts move between snapshots: notices are looked at again. */
		ratio_note_delta(acc, a->a.snapshot_ms, ev->ts_ms, followers, connections);
		a->network_due = 1;
	}
	/* A new follower, not a repeated or stale follow event. */
	if (ev->type == EVENT_FOLLOW && !ev->dir_out && followers > 0)
		acc->followers_gained++;
	/* A follower who connects now: followed first, connected later. */
	if ((ev->type == EVENT_INVITE_ACCEPTED || ev->type == EVENT_CONNECT) && connections > 0 &&
	    before->follower.on && before->follower.ts_ms > 0 && before->follower.ts_ms <= ev->ts_ms)
		ratio_note_conversion(acc, before->follower.ts_ms, ev->ts_ms);
	if (event_type_is_engagement(ev->type)) {
		ratio_note_engagement(acc, ev->ts_ms, rel->connected.on);
		if (ev->post.ptr != NULL)
			ratio_note_post(acc, (uint32_t)hash64(ev->post.ptr, ev->post.len) | 1, ev->ts_ms,
			                rel->connected.on, e->conf->network.first_hour_ms);
	}
	a->dirty = 1;
}

/* The notice record (INTERFACE.md) of kind "ratio" or "cap" for account a. */
static void engine_rules_network_record(const struct engine *e, const struct engine_account *a,
                                        const struct ratio_metrics *m, unsigned kind,
                                        const char *id, int64_t now, struct buf *out)
{
	const char *role = ratio_role_name((enum ratio_role)e->conf->network.role);
	struct json *j = json_new(out, 0);
	struct buf words = { 0 };

	if (kind == RATIO_NOTICE_RATIO)
		buf_printf(&words,
		           "%lld followers for %lld connections: a ratio of %.2f, %s the target "
		           "%.1f to %.1f for %s",
		           (long long)m->followers, (long long)m->connections, m->ratio,
		           m->position == RATIO_BELOW ? "below" : "above", m->target_min, m->target_max,
		           role);
	if (kind == RATIO_NOTICE_RATIO) {
		struct ratio_advice advice;
		ratio_advise(m, &advice);
		buf_printf(&words, "; ");
		ratio_advice_words(&advice, e->conf->network.role, &words);
	}
	else
		buf_printf(&words,
		           "%lld connections of at most %lld (%.0f%%): %s; past it, followers are "
		           "the only way to grow",
		           (long long)m->connections, (long long)m->cap, m->cap_usage * 100.0,
		           m->connections >= m->cap ? "at the cap" : "nearing the cap");
	json_object_open(j);
	json_kv_str(j, "kind", kind == RATIO_NOTICE_RATIO ? "ratio" : "cap");
	json_kv_time(j, "ts", now);
	json_kv_str(j, "id", id);
	json_kv_str(j, "account", a->a.name);
	json_kv_int(j, "followers", m->followers);
	json_kv_int(j, "connections", m->connections);
	json_key(j, "ratio");
	if (m->ratio >= 0)
		json_double(j, (double)(int64_t)(m->ratio * 100.0 + 0.5) / 100.0);
	else
		json_null(j);
	json_key(j, "target_min");
	json_double(j, m->target_min);
	json_key(j, "target_max");
	json_double(j, m->target_max);
	json_kv_str(j, "role", role);
	json_kv_str(j, "position", ratio_position_name(m->position));
	json_kv_int(j, "cap", m->cap);
	json_key(j, "cap_usage");
	json_double(j, (double)(int64_t)(m->cap_usage * 10000.0 + 0.5) / 10000.0);
	json_kv_str(j, "message", buf_cstr(&words));
	if (kind == RATIO_NOTICE_RATIO) {
		json_key(j, "growth_per_week");
		json_object_open(j);
		json_key(j, "followers");
		json_double(j, round(m->followers_per_week * 10.0) / 10.0);
		json_key(j, "connections");
		json_double(j, round(m->connections_per_week * 10.0) / 10.0);
		json_object_close(j);
	}
	json_object_close(j);
	json_free(j);
	buf_free(&words);
}

/* Writes the due notices of one account into the batch and records them sent. */
static void engine_rules_network_account(struct engine *e, struct engine_account *a, int64_t now)
{
	static const struct ratio_account empty;
	static const unsigned kinds[] = { RATIO_NOTICE_RATIO, RATIO_NOTICE_CAP };
	const struct ratio_account *acc = a->ratio != NULL ? a->ratio : &empty;
	struct ratio_metrics m;
	int64_t followers, connections;
	unsigned due;

	ratio_current(acc, a->a.snapshot_ms, a->a.followers, a->a.connections, &followers, &connections);
	ratio_compute(&e->conf->network, e->conf->readiness.cap, followers, connections, acc, now, &m);
	due = ratio_due(&e->conf->network, &m, acc, now);
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		const char *kind = kinds[i] == RATIO_NOTICE_RATIO ? "ratio" : "cap";
		struct store_outbox o = { 0 };
		struct buf id = { 0 }, record = { 0 };

		if (!(due & kinds[i]))
			continue;
		/* Stable: one notice of a kind per account and time, so a replay inserts nothing. */
		buf_printf(&id, "%s:%s:%lld", kind, a->a.name, (long long)now);
		engine_rules_network_record(e, a, &m, kinds[i], buf_cstr(&id), now, &record);
		o.id = buf_cstr(&id);
		o.kind = kind;
		o.account = a->a.name;
		o.created_ms = now;
		o.record = record.data;
		o.record_len = record.len;
		store_batch_outbox(e->building, &o);
		log_info("%s: account %s (%lld followers, %lld connections)", kind, a->a.name,
		         (long long)m.followers, (long long)m.connections);
		buf_free(&id);
		buf_free(&record);
	}
	if (due != 0) {
		ratio_notified(engine_rules_ratio(a), due, now);
		a->dirty = 1;
	}
}

void engine_rules_network(struct engine *e)
{
	int64_t now = engine_rules_now(e);

	/* With time.source: event and no event yet there is no "now": the flags wait. */
	if (now <= 0)
		return;
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_account *a = &e->accounts[i];
		if (!a->network_due)
			continue;
		a->network_due = 0;
		engine_rules_network_account(e, a, now);
	}
}

void engine_rules_reloaded(struct engine *e, const struct conf *old_conf)
{
	size_t rebuilt = 0, partial = 0;

	if (old_conf == NULL || !score_params_need_rescore(&old_conf->scoring, &e->conf->scoring))
		return;
	/* Cold: a chunk at a time, committed as it goes (engine_rescore.c). */
	if (e->cold) {
		if (e->rescore_on) {
			/* Which rows have which figures would be lost: one rescore at a time. */
			e->conf->scoring = old_conf->scoring;
			log_warnx("reload: the scores are still being rebuilt from the last change; the "
			          "scoring settings stay as they were (reload again when it is done)");
			return;
		}
		engine_rescore_start(e, &old_conf->scoring);
		return;
	}
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_contact *ec, *tmp;
		HASH_ITER(hh, e->accounts[i].contacts, ec, tmp) {
			if (ec->c.score == NULL)
				continue;
			if (!score_rebuild(ec->c.score, &old_conf->scoring, &e->conf->scoring))
				partial++;
			rebuilt++;
			engine_mark_dirty(e, ec);
		}
	}
	log_notice("reload: scoring half-lives, deep_types, reaction_per_post, repeat or burst "
	           "settings, or time.zone "
	           "changed; %zu scores rebuilt from their engagement history", rebuilt);
	if (partial > 0)
		log_notice("reload: %zu of them had more engagements than their history keeps "
		           "(scoring.history, or from before it was kept): the older part was "
		           "carried over as it was", partial);
}

void engine_rules_free(struct engine *e)
{
	free(e->rd.ready);
	e->rd.ready = NULL;
	engine_watch_free(e);
}

void engine_rules_series(struct engine *e, uint32_t i)
{
	static const struct ratio_account none;
	const struct engine_account *a = &e->accounts[i];
	const int64_t day_ms = 86400000;
	int64_t local = engine_rules_now(e) + e->conf->scoring.day_offset_ms;
	int64_t day = local / day_ms - (local % day_ms < 0);
	int64_t followers = a->a.followers, connections = a->a.connections;
	struct ratio_series_day d;

	/* The counts now, snapshot and the follows and connections since (as metrics shows). */
	if (a->ratio != NULL)
		ratio_current(a->ratio, a->a.snapshot_ms, a->a.followers, a->a.connections, &followers,
		              &connections);
	ratio_series_of(a->ratio != NULL ? a->ratio : &none, day, followers, connections, &d);
	store_batch_network_day(e->building, i, &d);
}
