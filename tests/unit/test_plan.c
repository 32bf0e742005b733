/*
 * test_plan.c - unit tests for daemon/plan.c: what a readiness result
 * makes of a contact in the plan (a table of cases), the bounded lists
 * (the best kept, the rest counted and handed back), the split of the
 * ready into this week's invitations and the held with the date the
 * budget frees for each, and the budget's expiries per actor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/plan.h"

#define DAY (86400LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

static struct plan_params test_params(int64_t budget)
{
	struct plan_params p = { .budget = budget, .window_ms = 7 * DAY, .withdraw_after_ms = 21 * DAY,
		                 .engage_above = 0.5, .held_max = 100, .engage_max = 20,
		                 .withdraw_max = 100 };
	return p;
}

/* A result with every condition holding but those in failing (-1 ended). */
static void test_result(struct rules_result *r, double warmth, double threshold, const int *failing)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < RULES_CONDITION_COUNT; i++)
		r->conditions[i].ok = 1;
	for (; *failing >= 0; failing++)
		r->conditions[*failing].ok = 0;
	r->warmth = warmth;
	r->threshold = threshold;
	/* As rules_evaluate sets them: eligible is every condition but the two
	   that only decide the notification; closeness here is warmth's share
	   alone (the rules average it with posts, days and depth). */
	r->eligible = 1;
	for (int i = 0; i < RULES_CONDITION_COUNT; i++)
		if (i != RULES_BUDGET && i != RULES_NOT_NOTIFIED && !r->conditions[i].ok)
			r->eligible = 0;
	r->closeness = threshold > 0 && warmth < threshold ? warmth / threshold : 1.0;
}

static void test_entry_of(void **state)
{
	static const struct {
		const char *what;
		double warmth;
		int failing[4];
		struct plan_contact pc;
		enum plan_kind kind;
		int missing;
	} cases[] = {
		{ "ready", 6, { -1 }, { .follower = 1 }, PLAN_READY, 0 },
		{ "ready, only the budget is spent", 6, { RULES_BUDGET, -1 }, { .follower = 1 },
		  PLAN_READY, 0 },
		{ "ready, notified already", 6, { RULES_NOT_NOTIFIED, RULES_BUDGET, -1 },
		  { .target = 1 }, PLAN_READY, 0 },
		{ "one post short", 4, { RULES_DISTINCT_POSTS, -1 }, { .follower = 1 }, PLAN_ENGAGE, 1 },
		{ "a target still in its wait", 3, { RULES_WAIT, RULES_WARMTH, -1 }, { .target = 1 },
		  PLAN_ENGAGE, 2 },
		{ "too cold to be close", 2, { RULES_WARMTH, -1 }, { .follower = 1 }, PLAN_NONE, 0 },
		{ "a withdrawn invitation blocks", 4, { RULES_REINVITE_BLOCK, RULES_WARMTH, -1 },
		  { .follower = 1 }, PLAN_NONE, 0 },
		{ "snoozed", 4, { RULES_NOT_SNOOZED, RULES_WARMTH, -1 }, { .follower = 1, .snoozed = 1 },
		  PLAN_NONE, 0 },
		{ "neither follower nor target", 4, { RULES_RELATIONSHIP, -1 }, { 0 }, PLAN_NONE, 0 },
		{ "pending 22 days", 6, { RULES_NO_PENDING, -1 },
		  { .follower = 1, .pending = 1, .pending_ms = T0 - 22 * DAY }, PLAN_WITHDRAW, 0 },
		{ "pending 20 days", 6, { RULES_NO_PENDING, -1 },
		  { .follower = 1, .pending = 1, .pending_ms = T0 - 20 * DAY }, PLAN_PENDING, 0 },
	};
	struct plan_params p = test_params(100);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct rules_result r;
		struct plan_entry e;
		test_result(&r, cases[i].warmth, 5, cases[i].failing);
		plan_entry_of(&p, &r, &cases[i].pc, T0, &e);
		if (e.kind != cases[i].kind || e.missing != cases[i].missing)
			fail_msg("%s: kind %d missing %d, want %d and %d", cases[i].what, e.kind, e.missing,
			         cases[i].kind, cases[i].missing);
	}
}

static struct plan_entry test_ready(double warmth, int counted, uint64_t tie)
{
	struct plan_entry e = { .kind = PLAN_READY, .warmth = warmth, .counted = counted, .tie = tie };

	e.item = (void *)(uintptr_t)(tie + 1);
	return e;
}

static void test_budget_split(void **state)
{
	static const struct {
		const char *what;
		int64_t budget;
		size_t nready, ncounted;        /* the first ncounted are counted */
		int64_t expires_days[4];        /* of what the budget counts, -1 ended */
		size_t ninvite, nheld;
		int64_t frees_days[4];          /* of the first held */
	} cases[] = {
		{ "374 against 200, nothing used", 200, 374, 0, { -1 }, 200, 100, { 7, 7, 7, 7 } },
		{ "5 ready, 3 left", 3, 5, 0, { -1 }, 3, 2, { 7, 7 } },
		{ "2 used, freeing on days 2 and 5", 3, 4, 0, { 2, 5, -1 }, 1, 3, { 2, 5, 7 } },
		{ "2 notified and counted, 1 left", 3, 5, 2, { 7, 7, -1 }, 3, 2, { 7, 7 } },
		{ "over budget by 1", 2, 2, 0, { 1, 3, 4, -1 }, 0, 2, { 3, 4 } },
		{ "no budget", 0, 2, 0, { -1 }, 0, 2, { 0, 0 } },
		{ "budget 1, 3 held: one a week", 1, 3, 0, { 2, -1 }, 0, 3, { 2, 9, 16 } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct plan_params p = test_params(cases[i].budget);
		struct plan_builder b;
		struct plan_budget pb = { 0 };
		int64_t expires[4];
		struct plan plan;

		plan_builder_init(&b, &p);
		for (size_t k = 0; k < cases[i].nready; k++) {
			struct plan_entry e = test_ready(10.0 - (double)k / 1000, k < cases[i].ncounted, k);
			plan_builder_offer(&b, &e);
		}
		for (size_t k = 0; k < 4 && cases[i].expires_days[k] >= 0; k++)
			expires[pb.nexpires++] = T0 + cases[i].expires_days[k] * DAY;
		pb.used = (int64_t)pb.nexpires;
		pb.expires_ms = expires;
		plan_finish(&b, &pb, T0, &plan);
		if (plan.ninvite != cases[i].ninvite || plan.nheld != cases[i].nheld)
			fail_msg("%s: %zu to invite, %zu held; want %zu and %zu", cases[i].what, plan.ninvite,
			         plan.nheld, cases[i].ninvite, cases[i].nheld);
		assert_int_equal(plan.held_total, cases[i].nready - cases[i].ninvite);
		for (size_t k = 0; k < plan.nheld && k < 4; k++) {
			int64_t want = cases[i].frees_days[k] == 0 && cases[i].budget == 0
			                       ? 0
			                       : T0 + cases[i].frees_days[k] * DAY;
			if (plan.held[k].frees_ms != want)
				fail_msg("%s: held %zu frees at day %.1f, want %lld", cases[i].what, k,
				         (double)(plan.held[k].frees_ms - T0) / DAY,
				         (long long)cases[i].frees_days[k]);
		}
		/* In order: counted first, then warmest. */
		for (size_t k = 0; k + 1 < plan.ninvite; k++)
			assert_true(plan.invite[k].tie < plan.invite[k + 1].tie);
		plan_builder_free(&b);
	}
}

static void test_bounded_lists(void **state)
{
	struct plan_params p = test_params(2);
	struct plan_builder b;
	struct plan_entry e;
	struct plan plan;
	struct plan_budget pb = { 0 };
	void *dropped;

	(void)state;
	p.held_max = 1;
	p.engage_max = 2;
	p.withdraw_max = 1;
	plan_builder_init(&b, &p);
	/* Ready: room for 3 (budget 2 + 1 held); the coldest is handed back. */
	for (int k = 0; k < 3; k++) {
		e = test_ready(5 + k, 0, (uint64_t)k);
		assert_null(plan_builder_offer(&b, &e));
	}
	e = test_ready(4, 0, 9);
	assert_false(plan_builder_wants(&b, &e));
	assert_ptr_equal(plan_builder_offer(&b, &e), e.item);
	e = test_ready(9, 0, 10);
	assert_true(plan_builder_wants(&b, &e));
	dropped = plan_builder_offer(&b, &e);
	assert_ptr_equal(dropped, (void *)(uintptr_t)1); /* warmth 5 */
	/* Engage: fewer missing first, then the larger share. */
	e = (struct plan_entry){ .kind = PLAN_ENGAGE, .missing = 2, .share = 0.9, .tie = 1 };
	plan_builder_offer(&b, &e);
	e = (struct plan_entry){ .kind = PLAN_ENGAGE, .missing = 1, .share = 0.6, .tie = 2 };
	plan_builder_offer(&b, &e);
	e = (struct plan_entry){ .kind = PLAN_ENGAGE, .missing = 1, .share = 0.7, .tie = 3 };
	plan_builder_offer(&b, &e);
	/* Withdraw: the longest pending first. */
	e = (struct plan_entry){ .kind = PLAN_WITHDRAW, .since_ms = T0 - 30 * DAY, .tie = 1 };
	plan_builder_offer(&b, &e);
	e = (struct plan_entry){ .kind = PLAN_WITHDRAW, .since_ms = T0 - 60 * DAY, .tie = 2 };
	plan_builder_offer(&b, &e);
	e = (struct plan_entry){ .kind = PLAN_NONE, .item = &b };
	assert_ptr_equal(plan_builder_offer(&b, &e), &b);
	e = (struct plan_entry){ .kind = PLAN_PENDING, .item = &b };
	assert_ptr_equal(plan_builder_offer(&b, &e), &b);

	plan_finish(&b, &pb, T0, &plan);
	assert_int_equal(plan.ninvite, 2);
	assert_true(plan.invite[0].warmth == 9 && plan.invite[1].warmth == 7);
	assert_int_equal(plan.nheld, 1);
	assert_int_equal(plan.held_total, 3);
	assert_int_equal(plan.nengage, 2);
	assert_int_equal(plan.engage_total, 3);
	assert_true(plan.engage[0].tie == 3 && plan.engage[1].tie == 2);
	assert_int_equal(plan.nwithdraw, 1);
	assert_int_equal(plan.withdraw_total, 2);
	assert_int_equal(plan.withdraw[0].since_ms, T0 - 60 * DAY);
	assert_int_equal(plan.pending, 1);
	plan_builder_free(&b);
}

static void test_budget_of(void **state)
{
	struct rules_budget *b = calloc(1, sizeof(*b));
	const int64_t W = 7 * DAY, HOLD = 30 * DAY;
	struct plan_budget pb;

	(void)state;
	rules_budget_add(b, T0 - 6 * DAY, 1, 1);      /* frees on day 1 */
	rules_budget_add(b, T0 - 2 * DAY, 1, 1);      /* ... no: its newer entry, day 5 */
	rules_budget_add(b, T0 - 3 * DAY, 2, 1);      /* day 4 */
	rules_budget_notified(b, T0 - 20 * DAY, 3); /* counted (hold), sent now: day 7 */
	rules_budget_add(b, T0 - 8 * DAY, 4, 1);      /* no longer counted */
	plan_budget_of(b, T0, W, HOLD, &pb);
	assert_int_equal(pb.used, 3);
	assert_int_equal(pb.nexpires, 3);
	assert_int_equal(pb.expires_ms[0], T0 + 4 * DAY);
	assert_int_equal(pb.expires_ms[1], T0 + 5 * DAY);
	assert_int_equal(pb.expires_ms[2], T0 + 7 * DAY);
	assert_int_equal(pb.used, rules_budget_used(b, T0, W, HOLD));
	plan_budget_free(&pb);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_of),
		cmocka_unit_test(test_budget_split),
		cmocka_unit_test(test_bounded_lists),
		cmocka_unit_test(test_budget_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
