/*
 * plan.c - the weekly plan of one account (see plan.h): the seam from a
 * contact's readiness result to a plan entry, the bounded lists that keep
 * the best entries of each kind while the contacts are walked, and the
 * split of the ready into this week's invitations and the held, with the
 * date the budget frees for each of these.
 *
 * Each list is a heap whose root is the worst entry kept, so that an
 * entry only has to beat the root to get in: a walk over 100,000
 * contacts costs a comparison for most and keeps at most the budget plus
 * the listed limits.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/plan.h"
#include "warmth/util.h"

/* Whether a comes before b in the list of its kind (both of that kind). */
static int plan_before(const struct plan_entry *a, const struct plan_entry *b)
{
	switch (a->kind) {
	case PLAN_READY:
		/* Those the budget already counts were told to the user: they stay first. */
		if (a->counted != b->counted)
			return a->counted;
		if (a->warmth != b->warmth)
			return a->warmth > b->warmth;
		break;
	case PLAN_ENGAGE:
		if (a->missing != b->missing)
			return a->missing < b->missing;
		if (a->share != b->share)
			return a->share > b->share;
		if (a->warmth != b->warmth)
			return a->warmth > b->warmth;
		break;
	case PLAN_WITHDRAW:
		if (a->since_ms != b->since_ms)
			return a->since_ms < b->since_ms;
		break;
	default:
		break;
	}
	return a->tie < b->tie;
}

static int plan_entry_cmp(const void *x, const void *y)
{
	const struct plan_entry *a = x, *b = y;

	if (plan_before(a, b))
		return -1;
	return plan_before(b, a) ? 1 : 0;
}

/* The engagement conditions: those that more engagement (or time) can make hold. */
static int plan_engagement_condition(int id)
{
	switch (id) {
	case RULES_WARMTH:
	case RULES_WAIT:
	case RULES_DISTINCT_POSTS:
	case RULES_DISTINCT_DAYS:
	case RULES_DEEP:
	case RULES_ACTIVE:
		return 1;
	default:
		return 0;
	}
}

void plan_entry_of(const struct plan_params *p, const struct rules_result *r,
                   const struct plan_contact *pc, int64_t now_ms, struct plan_entry *out)
{
	int missing = 0;

	memset(out, 0, sizeof(*out));
	out->kind = PLAN_NONE;
	out->warmth = r->warmth;
	out->threshold = r->threshold;
	if (pc->pending) {
		/* Aged out: no longer counted as waiting for an answer, but to withdraw. */
		out->kind = pc->pending_ms > 0 && now_ms - pc->pending_ms >= p->withdraw_after_ms
		                    ? PLAN_WITHDRAW
		                    : PLAN_PENDING;
		out->since_ms = pc->pending_ms;
		return;
	}
	/* Eligible: every condition about the person holds (rules.h); the plan
	   itself decides who the budget has room for. */
	if (r->eligible) {
		out->kind = PLAN_READY;
		out->counted = pc->counted;
		return;
	}
	if (!(pc->follower || pc->target) || pc->connected || pc->snoozed || pc->dismissed)
		return;
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (r->conditions[i].ok || i == RULES_BUDGET || i == RULES_NOT_NOTIFIED)
			continue;
		if (!plan_engagement_condition(i))
			return; /* a pause after an answer, bursts, the cap: engaging does not help */
		missing++;
	}
	/* How close the path's engagement is (warmth, posts, days, depth), as
	   the rules measure it, not warmth alone. */
	if (r->closeness < p->engage_above)
		return;
	out->kind = PLAN_ENGAGE;
	out->missing = missing;
	out->share = r->closeness;
}

/* --- the bounded lists --- */

static void plan_list_init(struct plan_list *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap;
}

static void plan_swap(struct plan_entry *a, struct plan_entry *b)
{
	struct plan_entry t = *a;
	*a = *b;
	*b = t;
}

/* Heap order: a parent is not before its children (the root is the last kept). */
static void plan_sift_up(struct plan_list *l, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!plan_before(&l->items[parent], &l->items[i]))
			break;
		plan_swap(&l->items[parent], &l->items[i]);
		i = parent;
	}
}

static void plan_sift_down(struct plan_list *l, size_t i)
{
	for (;;) {
		size_t worst = i, left = 2 * i + 1, right = left + 1;
		if (left < l->count && plan_before(&l->items[worst], &l->items[left]))
			worst = left;
		if (right < l->count && plan_before(&l->items[worst], &l->items[right]))
			worst = right;
		if (worst == i)
			return;
		plan_swap(&l->items[i], &l->items[worst]);
		i = worst;
	}
}

static int plan_list_wants(const struct plan_list *l, const struct plan_entry *e)
{
	if (l->count < l->cap)
		return 1;
	return l->count > 0 && plan_before(e, &l->items[0]);
}

static void *plan_list_offer(struct plan_list *l, const struct plan_entry *e)
{
	void *dropped;

	l->total++;
	if (!plan_list_wants(l, e))
		return e->item;
	if (l->count < l->cap) {
		/* Grows as entries come: a small account never allocates the whole cap. */
		if (l->count % 64 == 0)
			l->items = xrealloc(l->items, (l->count + 64) * sizeof(*l->items));
		l->items[l->count++] = *e;
		plan_sift_up(l, l->count - 1);
		return NULL;
	}
	dropped = l->items[0].item;
	l->items[0] = *e;
	plan_sift_down(l, 0);
	return dropped;
}

static struct plan_list *plan_list_of(struct plan_builder *b, enum plan_kind kind)
{
	switch (kind) {
	case PLAN_READY:
		return &b->ready;
	case PLAN_ENGAGE:
		return &b->engage;
	case PLAN_WITHDRAW:
		return &b->withdraw;
	default:
		return NULL;
	}
}

void plan_builder_init(struct plan_builder *b, const struct plan_params *p)
{
	size_t budget = p->budget > 0 ? (size_t)p->budget : 0;

	b->p = *p;
	b->pending = 0;
	plan_list_init(&b->ready, budget + p->held_max);
	plan_list_init(&b->engage, p->engage_max);
	plan_list_init(&b->withdraw, p->withdraw_max);
}

void *plan_builder_offer(struct plan_builder *b, const struct plan_entry *e)
{
	struct plan_list *l = plan_list_of(b, e->kind);

	if (e->kind == PLAN_PENDING)
		b->pending++;
	return l == NULL ? e->item : plan_list_offer(l, e);
}

int plan_builder_wants(const struct plan_builder *b, const struct plan_entry *e)
{
	switch (e->kind) {
	case PLAN_READY:
		return plan_list_wants(&b->ready, e);
	case PLAN_ENGAGE:
		return plan_list_wants(&b->engage, e);
	case PLAN_WITHDRAW:
		return plan_list_wants(&b->withdraw, e);
	default:
		return 0;
	}
}

void plan_builder_free(struct plan_builder *b)
{
	free(b->ready.items);
	free(b->engage.items);
	free(b->withdraw.items);
	memset(b, 0, sizeof(*b));
}

/* --- the budget --- */

struct plan_expiry {
	uint32_t actor;
	int64_t ms;
};

static int plan_expiry_cmp(const void *x, const void *y)
{
	const struct plan_expiry *a = x, *b = y;

	if (a->actor != b->actor)
		return a->actor < b->actor ? -1 : 1;
	return a->ms < b->ms ? -1 : a->ms > b->ms;
}

static int plan_ms_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

void plan_budget_of(const struct rules_budget *b, int64_t now_ms, int64_t window_ms, int64_t hold_ms,
                    struct plan_budget *out)
{
	struct plan_expiry *e = xmalloc((b->n + 1) * sizeof(*e));
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < b->n; i++) {
		if (!rules_budget_counts(b, i, now_ms, window_ms, hold_ms))
			continue;
		e[n].actor = b->actor[i];
		e[n].ms = rules_budget_frees_at(b, i, now_ms, window_ms, hold_ms);
		n++;
	}
	qsort(e, n, sizeof(*e), plan_expiry_cmp);
	out->expires_ms = xmalloc((n + 1) * sizeof(*out->expires_ms));
	/* An actor counts once, until its last entry stops counting. */
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || e[i + 1].actor != e[i].actor)
			out->expires_ms[out->nexpires++] = e[i].ms;
	qsort(out->expires_ms, out->nexpires, sizeof(*out->expires_ms), plan_ms_cmp);
	out->used = (int64_t)out->nexpires;
	free(e);
}

void plan_budget_free(struct plan_budget *pb)
{
	free(pb->expires_ms);
	memset(pb, 0, sizeof(*pb));
}

/* --- the plan --- */

/* Best first (an empty list has no items at all: qsort must not see NULL). */
static void plan_list_sort(struct plan_list *l)
{
	if (l->count > 0)
		qsort(l->items, l->count, sizeof(*l->items), plan_entry_cmp);
}

void plan_finish(struct plan_builder *b, const struct plan_budget *pb, int64_t now_ms,
                 struct plan *out)
{
	struct plan_list *r = &b->ready;
	int64_t budget = b->p.budget > 0 ? b->p.budget : 0;
	size_t counted = 0, fresh, ninvite;
	int64_t *slots;
	size_t nslots = 0;

	memset(out, 0, sizeof(*out));
	plan_list_sort(r);
	plan_list_sort(&b->engage);
	plan_list_sort(&b->withdraw);
	out->budget = budget;
	out->used = pb->used;
	out->remaining = budget - pb->used > 0 ? budget - pb->used : 0;
	while (counted < r->count && r->items[counted].counted)
		counted++;
	/* Those already counted, then the fresh ones the rest of the budget allows. */
	fresh = r->count - counted;
	if ((int64_t)fresh > out->remaining)
		fresh = (size_t)out->remaining;
	ninvite = counted + fresh;
	out->invite = r->items;
	out->ninvite = ninvite;
	out->held = r->items + ninvite;
	out->nheld = r->count - ninvite;
	out->held_total = r->total - ninvite;

	/* The times the budget frees: what counts now, and this week's fresh invitations. */
	slots = xmalloc((pb->nexpires + fresh + 1) * sizeof(*slots));
	for (size_t i = 0; i < pb->nexpires; i++)
		slots[nslots++] = pb->expires_ms[i];
	for (size_t i = 0; i < fresh; i++)
		slots[nslots++] = now_ms + b->p.window_ms;
	qsort(slots, nslots, sizeof(*slots), plan_ms_cmp);
	for (size_t k = 0; k < out->nheld; k++) {
		struct plan_entry *h = &r->items[ninvite + k];
		int64_t idx = (int64_t)nslots - budget + (int64_t)k;
		if (budget == 0)
			h->frees_ms = 0; /* no budget: never */
		else if (idx < 0)
			h->frees_ms = now_ms;
		else if ((size_t)idx < nslots)
			h->frees_ms = slots[idx];
		else
			h->frees_ms = r->items[ninvite + k - (size_t)budget].frees_ms + b->p.window_ms;
	}
	free(slots);

	out->engage = b->engage.items;
	out->nengage = b->engage.count;
	out->engage_total = b->engage.total;
	out->withdraw = b->withdraw.items;
	out->nwithdraw = b->withdraw.count;
	out->withdraw_total = b->withdraw.total;
	out->pending = b->pending;
}
