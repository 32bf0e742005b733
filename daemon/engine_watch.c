/*
 * engine_watch.c - the bound of the readiness watch list (engine_rules.c):
 * the contacts for which time alone can change readiness, which stay in
 * memory while watched. Without a bound a flood of made-up actors who
 * follow and engage, all waiting out their segment's wait, would decide
 * the daemon's memory whatever state.contact_cache says; so the list holds
 * at most readiness.watch_max contacts.
 *
 * Each entry carries when time alone may make its contact ready (due):
 * now for one that is ready (waiting for the budget, say), else the latest
 * end of what it waits for (the segment's wait since the follow, a snooze,
 * a re-invite block, the cooldown of one that fired); never for one that
 * only an event can help. A full list lets go of the eighth due last
 * (sorting once per eighth of the list's inserts keeps an insert's cost
 * logarithmic), and what it let go is no longer held in memory for it: the
 * rescan of the database (engine_cache.c) finds those again, once "now"
 * reaches the soonest of them, or once the list has room again, once the
 * batch that let them go is committed (the rescan reads the database), at
 * most once per ENGINE_WATCH_REFIND_MS of "now", so that contacts ready beyond
 * what the budget lets fire cannot make the daemon walk the database
 * without end. So a contact that fell off still becomes ready, within a
 * sweep or so of its time.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/log.h"
#include "warmth/rules.h"
#include "warmth/util.h"
#include "warmth/view.h"
#include "engine_internal.h"

/* How far "now" moves between two rescans for contacts that fell off. */
#define ENGINE_WATCH_REFIND_MS (3600 * 1000)

int64_t engine_watch_due(const struct engine *e, const struct contact *c, size_t segment,
                         const struct rules_result *r, int64_t now)
{
	const struct rules_params *p = &e->conf->readiness;
	struct rules_contact rc;
	int64_t due = now, t;

	if (r->ready)
		return now;
	rc = view_rules_contact(c);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (r->conditions[i].ok)
			continue;
		switch (i) {
		case RULES_WAIT:
			t = rc.followed_ms + e->conf->segments[segment].readiness.wait_ms;
			break;
		case RULES_NOT_SNOOZED:
			t = c->rules.snoozed_until_ms;
			break;
		case RULES_REINVITE_BLOCK:
			t = rc.withdrawn_ms + p->reinvite_block_ms;
			break;
		case RULES_NOT_NOTIFIED:
			t = c->rules.fired_ms + p->cooldown_ms;
			break;
		case RULES_BUDGET:
		case RULES_CAP:
			t = now;
			break;
		default:
			return ENGINE_WATCH_NEVER; /* an event must come first */
		}
		if (t > due)
			due = t;
	}
	return due;
}

/* Works out the due time of an entry put on the list without one. */
static int64_t engine_watch_evaluate(struct engine *e, struct engine_contact *ec, int64_t now)
{
	struct rules_result r;
	size_t segment;

	if (!engine_rules_candidate(e, &ec->c, now, &segment))
		return ENGINE_WATCH_NEVER;
	engine_rules_result(e, ec, segment, now, &r);
	return engine_watch_due(e, &ec->c, segment, &r, now);
}

static int engine_watch_cmp(const void *pa, const void *pb)
{
	const struct engine_watch *a = pa, *b = pb;

	if (a->due_ms != b->due_ms)
		return a->due_ms < b->due_ms ? -1 : 1;
	/* Equal times: by account and actor, so that runs agree. */
	if (a->ec->c.account != b->ec->c.account)
		return a->ec->c.account < b->ec->c.account ? -1 : 1;
	return strcmp(a->ec->c.actor, b->ec->c.actor);
}

/* The list is full: lets go of the eighth due last. */
static void engine_watch_trim(struct engine *e)
{
	int64_t now = engine_rules_now(e);
	size_t max = e->conf->watch_max;
	size_t keep = max - (max / 8 > 0 ? max / 8 : 1);

	for (size_t i = 0; i < e->nwatch; i++)
		if (e->watch[i].due_ms == ENGINE_WATCH_UNKNOWN)
			e->watch[i].due_ms = engine_watch_evaluate(e, e->watch[i].ec, now);
	qsort(e->watch, e->nwatch, sizeof(*e->watch), engine_watch_cmp);
	for (size_t i = keep; i < e->nwatch; i++) {
		struct engine_watch *w = &e->watch[i];
		w->ec->watched = 0;
		e->watch_dropped++;
		/* Only time can bring it back: the rescan looks for it then. */
		if (w->due_ms != ENGINE_WATCH_NEVER) {
			e->watch_lost = 1;
			e->watch_lost_seq = e->batch_seq;
			if (w->due_ms < e->watch_lost_due)
				e->watch_lost_due = w->due_ms;
		}
	}
	if (!e->watch_warned) {
		log_warnx("readiness watch list full (readiness.watch_max %zu): the contacts due last "
		          "are let go and found again by a rescan of the database when due",
		          max);
		e->watch_warned = 1;
	}
	log_debug("watch list: %zu let go, %zu kept", e->nwatch - keep, keep);
	e->nwatch = keep;
}

void engine_watch_add(struct engine *e, struct engine_contact *ec, int64_t due_ms)
{
	if (ec->watched)
		return;
	if (e->nwatch >= e->conf->watch_max)
		engine_watch_trim(e);
	if (e->nwatch == e->watch_cap) {
		e->watch_cap = e->watch_cap ? e->watch_cap * 2 : 64;
		e->watch = xrealloc(e->watch, e->watch_cap * sizeof(*e->watch));
	}
	e->watch[e->nwatch].ec = ec;
	e->watch[e->nwatch].due_ms = due_ms;
	e->nwatch++;
	ec->watched = 1;
}

void engine_rules_watch(struct engine *e, struct engine_contact *ec)
{
	engine_watch_add(e, ec, ENGINE_WATCH_UNKNOWN);
}

void engine_watch_refind(struct engine *e, int64_t now)
{
	if (!e->watch_lost || e->rescan_on || e->rescore_on || e->stopping)
		return;
	/* The rescan reads what is committed: not before the batch that let them go. */
	if (e->committed_seq < e->watch_lost_seq)
		return;
	if (e->watch_refound_ms != 0 && now - e->watch_refound_ms < ENGINE_WATCH_REFIND_MS)
		return;
	if (now < e->watch_lost_due && e->nwatch >= e->conf->watch_max / 2)
		return;
	e->watch_lost = 0;
	e->watch_lost_due = ENGINE_WATCH_NEVER;
	e->watch_refound_ms = now;
	engine_cache_rescan_start(e);
}

void engine_watch_free(struct engine *e)
{
	free(e->watch);
	e->watch = NULL;
	e->nwatch = e->watch_cap = 0;
}
