/*
 * test_rules.c - unit tests for daemon/rules.c: segment matching and the
 * "never matches" analysis, each readiness condition on its own (a ready
 * contact with one thing changed fails that condition and only that one),
 * the words of conditions, hysteresis, the budget queue, the rolling
 * budget and the blobs; and the scenarios in event time, driven
 * through score.c as the engine will (an executive ready exactly once, a
 * one-like follower never, an influencer not at day 10 but at day 30).
 *
 * Parameters are the shipped defaults, written out here so that these
 * tests do not depend on the config loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/rules.h"

#define DAY (86400LL * 1000)
#define HOUR (3600LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

static struct score_params test_scoring(void)
{
	struct score_params p = { 0 };
	static const double weights[SCORE_TYPE_COUNT] = { 1, 3, 3, 4, 3, 4, 0.5 };

	p.half_life_ms = 14 * DAY;
	memcpy(p.weight, weights, sizeof(weights));
	p.connection_multiplier = 1.5;
	p.outbound_factor = 0.5;
	p.deep_mask = 1u << SCORE_COMMENT | 1u << SCORE_REPLY | 1u << SCORE_SHARE | 1u << SCORE_MENTION |
	              1u << SCORE_MESSAGE;
	p.reaction_per_post = 1;
	p.repeat_window_ms = HOUR;
	p.repeat_factor = 0.5;
	return p;
}

static struct rules_params test_params(void)
{
	struct rules_params p = { 0 };

	p.defaults = (struct rules_readiness){
		.inbound = { .threshold = 5, .min_posts = 2, .min_days = 2, .need_deep = 1, .from = SCORE_SIDE_IN },
		.outbound = { .threshold = 3, .min_posts = 3, .min_days = 2, .need_deep = 1, .from = SCORE_SIDE_OUT },
		.wait_ms = 0,
		.wait_max_ms = 0,
		.wait_from = RULES_WAIT_FOLLOW,
		.active_within_ms = 14 * DAY,
	};
	p.breadth_window_ms = 60 * DAY;
	p.cooldown_ms = 30 * DAY;
	p.rearm_below = 0.5;
	p.reinvite_block_ms = 21 * DAY;
	p.after_decline_ms = 180 * DAY;
	p.after_removal_ms = 180 * DAY;
	p.after_unfollow_ms = 90 * DAY;
	p.withdraw_after_ms = 21 * DAY;
	p.max_burst_share = 0.5;
	p.cap = 30000;
	p.cap_headroom = 100;
	p.weekly_invites = 100;
	p.invite_window_ms = 7 * DAY;
	return p;
}

static char *test_client_tags[] = { "client" };

/* senior_executive, influencer, potential_client, peer, with DOMAIN.md's waits. */
static void test_segments(struct rules_segment seg[4])
{
	static const char *const names[] = { "senior_executive", "influencer", "potential_client", "peer" };
	static const int64_t waits[] = { 14, 28, 21, 0 };
	struct rules_params p = test_params();

	for (int i = 0; i < 4; i++) {
		seg[i] = (struct rules_segment){ .name = (char *)(uintptr_t)names[i], .readiness = p.defaults };
		seg[i].match = (struct rules_match){ -1, -1, -1, -1, -1, NULL, 0 };
		seg[i].readiness.wait_ms = waits[i] * DAY;
	}
	seg[0].match.min_connections = 10000;
	seg[1].match.creator = 1;
	seg[2].match.tags = test_client_tags;
	seg[2].match.ntags = 1;
}

static void test_matching(void **state)
{
	struct rules_segment seg[4];
	char *tags[] = { "friend", "CLIENT" };
	struct rules_hints h = { .connections = -1, .followers = -1, .creator = -1 };

	(void)state;
	test_segments(seg);
	assert_int_equal(rules_segment_find(seg, 4, &h), 3);
	h.connections = 9999;
	assert_int_equal(rules_segment_find(seg, 4, &h), 3);
	h.connections = 10000;
	assert_int_equal(rules_segment_find(seg, 4, &h), 0);
	h.creator = 1; /* first match wins */
	assert_int_equal(rules_segment_find(seg, 4, &h), 0);
	h.connections = 5;
	assert_int_equal(rules_segment_find(seg, 4, &h), 1);
	h.creator = 0;
	h.tags = tags;
	h.ntags = 2;
	assert_int_equal(rules_segment_find(seg, 4, &h), 2);
	h.ntags = 1;
	assert_int_equal(rules_segment_find(seg, 4, &h), 3);

	/* Bounds: an unknown value fails a condition on it; max is inclusive. */
	{
		struct rules_match m = { -1, 500, 10, -1, -1, NULL, 0 };
		struct rules_hints x = { .connections = 500, .followers = 10, .creator = -1 };
		assert_true(rules_match(&m, &x));
		x.connections = 501;
		assert_false(rules_match(&m, &x));
		x.connections = -1;
		assert_false(rules_match(&m, &x));
		x.connections = 0;
		x.followers = 9;
		assert_false(rules_match(&m, &x));
	}
}

static void test_match_analysis(void **state)
{
	char *ab[] = { "a", "b" }, *a[] = { "A" }, *c[] = { "c" };
	struct rules_match any = { -1, -1, -1, -1, -1, NULL, 0 };
	struct rules_match big = { 5000, -1, -1, -1, -1, NULL, 0 };
	struct rules_match bigger = { 10000, -1, -1, -1, 1, NULL, 0 };
	struct rules_match band = { 100, 200, -1, -1, -1, NULL, 0 };
	struct rules_match odd = { -1, -1, 100, 10, -1, NULL, 0 };
	struct rules_match tag_ab = { -1, -1, -1, -1, -1, ab, 2 };
	struct rules_match tag_a = { -1, -1, -1, -1, 0, a, 1 };
	struct rules_match tag_c = { -1, -1, -1, -1, -1, c, 1 };

	(void)state;
	assert_true(rules_match_is_empty(&any));
	assert_false(rules_match_is_empty(&big));
	assert_true(rules_match_is_contradictory(&odd));
	assert_false(rules_match_is_contradictory(&band));
	assert_true(rules_match_covers(&any, &big));
	assert_false(rules_match_covers(&big, &any));
	assert_true(rules_match_covers(&big, &bigger));
	assert_false(rules_match_covers(&bigger, &big));
	assert_false(rules_match_covers(&big, &band));   /* 100..200 is not all >= 5000 */
	assert_true(rules_match_covers(&tag_ab, &tag_a)); /* case-insensitive */
	assert_false(rules_match_covers(&tag_a, &tag_ab));
	assert_false(rules_match_covers(&tag_ab, &tag_c));
	assert_false(rules_match_covers(&tag_ab, &big));
	assert_false(rules_match_covers(&tag_a, &tag_ab)); /* creator false not implied */
}

/* A contact that meets every condition of the peer segment at T0 + 20 days. */
struct test_contact {
	struct score_state score;
	struct rules_state st;
	struct rules_contact c;
	struct rules_account a;
	int64_t now;
};

static void test_ready_contact(struct test_contact *t)
{
	struct score_params sp = test_scoring();
	struct score_event ev[] = {
		{ T0 + 10 * DAY, 1, SCORE_COMMENT, SCORE_FROM_FOLLOWER },
		{ T0 + 15 * DAY, 2, SCORE_COMMENT, SCORE_FROM_FOLLOWER },
		{ T0 + 18 * DAY, 3, SCORE_LIKE, SCORE_FROM_FOLLOWER },
	};

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < ARRAY_SIZE(ev); i++)
		score_add(&t->score, &sp, &ev[i]);
	t->c = (struct rules_contact){ .follower = 1, .followed_ms = T0 + 2 * DAY, .score = &t->score,
	                               .state = &t->st };
	t->a = (struct rules_account){ .connections = 1000, .budget_used = 10 };
	t->now = T0 + 20 * DAY;
}

/* Evaluates t against segment s and checks that exactly the conditions in failing fail. */
static void test_expect(struct test_contact *t, const struct rules_segment *s, unsigned failing,
                        struct rules_result *r)
{
	struct rules_params p = test_params();
	struct score_params sp = test_scoring();

	rules_evaluate(&p, &sp, s, &t->c, &t->a, t->now, r);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		if (r->conditions[i].ok != !(failing >> i & 1))
			fail_msg("condition %s: ok is %d", rules_condition_name(i), r->conditions[i].ok);
		assert_int_equal(r->conditions[i].id, i);
	}
	assert_int_equal(r->ready, (failing & ~(1u << RULES_BUDGET)) == 0);
	assert_int_equal(r->eligible, (failing & ~(1u << RULES_BUDGET | 1u << RULES_NOT_NOTIFIED)) == 0);
	assert_int_equal(r->within_budget, !(failing >> RULES_BUDGET & 1));
}

static void test_each_condition(void **state)
{
	struct rules_segment seg[4];
	struct test_contact t;
	struct rules_result r;

	(void)state;
	test_segments(seg);
	test_ready_contact(&t);
	test_expect(&t, &seg[3], 0, &r);
	assert_true(r.warmth > 5);

#define TEST_ONE(change, id)                                   \
	do {                                                       \
		test_ready_contact(&t);                                \
		change;                                                \
		test_expect(&t, &seg[3], 1u << (id), &r);              \
	} while (0)

	TEST_ONE(t.c.follower = 0; t.c.followed_ms = T0 + 2 * DAY, RULES_RELATIONSHIP);
	TEST_ONE(t.c.connected = 1, RULES_NOT_CONNECTED);
	TEST_ONE(t.c.pending = 1, RULES_NO_PENDING);
	TEST_ONE(t.c.withdrawn_ms = t.now - 20 * DAY, RULES_REINVITE_BLOCK);
	TEST_ONE(t.st.incoming = 1; t.st.incoming_ms = t.now - DAY, RULES_NO_INCOMING);
	TEST_ONE(t.c.declined_ms = t.now - DAY, RULES_NOT_DECLINED);
	TEST_ONE(t.c.declined_ms = t.now - 179 * DAY, RULES_NOT_DECLINED);
	TEST_ONE(t.c.removed_ms = t.now - 7 * DAY, RULES_NOT_REMOVED);
	TEST_ONE(t.c.unfollowed_ms = t.now - 89 * DAY, RULES_NOT_UNFOLLOWED);
	TEST_ONE(t.st.snoozed_until_ms = t.now + 1, RULES_NOT_SNOOZED);
	TEST_ONE(t.st.dismissed_ms = T0, RULES_NOT_DISMISSED);
	TEST_ONE(t.c.followed_ms = 0, RULES_WAIT);
	TEST_ONE(t.a.connections = 29900, RULES_CAP);
	TEST_ONE(t.a.budget_used = 100, RULES_BUDGET);
	TEST_ONE(t.st.fired = 1; t.st.fired_ms = t.now - 29 * DAY, RULES_NOT_NOTIFIED);
#undef TEST_ONE

	/* The last engagement (day 18) must be within active_within of now (day 20). */
	test_ready_contact(&t);
	seg[3].readiness.active_within_ms = DAY;
	test_expect(&t, &seg[3], 1u << RULES_ACTIVE, &r);
	seg[3].readiness.active_within_ms = 2 * DAY;
	test_expect(&t, &seg[3], 0, &r);
	seg[3].readiness.active_within_ms = 14 * DAY;

	/* The executive's 14-day wait is not over 13 days after the follow, and is at 14. */
	test_ready_contact(&t);
	t.c.followed_ms = t.now - 13 * DAY;
	test_expect(&t, &seg[0], 1u << RULES_WAIT, &r);
	t.c.followed_ms = t.now - 14 * DAY;
	test_expect(&t, &seg[0], 0, &r);

	/* Still fine: a withdrawal 21 days ago, a snooze that ended, the cooldown over, the
	   pauses after a decline, a removal and an unfollow over. */
	test_ready_contact(&t);
	t.c.withdrawn_ms = t.now - 21 * DAY;
	t.c.declined_ms = t.now - 180 * DAY;
	t.c.removed_ms = t.now - 180 * DAY;
	t.c.unfollowed_ms = t.now - 90 * DAY;
	t.st.snoozed_until_ms = t.now;
	t.st.fired = 1;
	t.st.fired_ms = t.now - 30 * DAY;
	t.a.connections = -1;
	test_expect(&t, &seg[3], 0, &r);

	/* Warmth, posts, days and deep, by raising what the segment asks. */
	test_ready_contact(&t);
	seg[3].readiness.inbound.threshold = 100;
	test_expect(&t, &seg[3], 1u << RULES_WARMTH, &r);
	seg[3].readiness.inbound.threshold = 5;
	seg[3].readiness.inbound.min_posts = 4;
	test_expect(&t, &seg[3], 1u << RULES_DISTINCT_POSTS, &r);
	seg[3].readiness.inbound.min_posts = 2;
	seg[3].readiness.inbound.min_days = 4;
	test_expect(&t, &seg[3], 1u << RULES_DISTINCT_DAYS, &r);
	seg[3].readiness.inbound.min_days = 2;
	{
		struct score_params sp = test_scoring();
		score_init(&t.score);
		for (int i = 0; i < 8; i++) /* likes only: warm, broad, but never deep */
			score_add(&t.score, &sp, &(struct score_event){ T0 + (10 + i) * DAY, (uint32_t)i + 1, SCORE_LIKE, 0 });
		test_expect(&t, &seg[3], 1u << RULES_DEEP, &r);
		seg[3].readiness.inbound.need_deep = 0;
		test_expect(&t, &seg[3], 0, &r);
	}
}

static void test_words(void **state)
{
	struct rules_segment seg[4];
	struct test_contact t;
	struct rules_result r;
	struct buf b = { 0 };
	static const char *const want[RULES_CONDITION_COUNT] = {
		"they follow you",
		"not connected yet",
		"no invitation from them",
		"no invitation of yours pending",
		"you withdrew an invitation 30 days ago (pause 3 weeks)",
		"never declined an invitation",
		"no removed connection",
		"never unfollowed you",
		"not snoozed",
		"not dismissed",
		"their engagement is enough",
		"followed 18 days ago (senior executives wait 2 weeks)",
		"they engaged with 3 of your posts (needs 2)",
		"on 3 days (needs 2)",
		"2 real exchanges (comments, replies, shares)",
		"no bursts",
		"last engagement 2 days ago (ask within 14 days of it)",
		"1000 connections (limit 29900)",
		"10 of 100 invitations used this week",
		"not notified yet",
	};

	(void)state;
	test_segments(seg);
	test_ready_contact(&t);
	t.c.withdrawn_ms = t.now - 30 * DAY;
	test_expect(&t, &seg[0], 0, &r);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		buf_reset(&b);
		rules_condition_words(&r, (enum rules_condition_id)i, &b);
		assert_string_equal(buf_cstr(&b), want[i]);
		/* No model vocabulary in what people read. */
		assert_null(strstr(buf_cstr(&b), "threshold"));
		assert_null(strstr(buf_cstr(&b), "deep"));
	}
	assert_true(r.conditions[RULES_WARMTH].value.is_number);
	assert_true(r.conditions[RULES_WAIT].value.number == 18 && r.conditions[RULES_WAIT].need.number == 14);

	/* The failing forms. */
	t.c.follower = 0;
	t.c.target = 1;
	t.c.connected = 1;
	t.c.declined_ms = t.now - 3 * DAY;
	t.st.snoozed_until_ms = T0 + 40 * DAY;
	t.st.fired = 1;
	t.st.fired_ms = t.now - DAY;
	t.score.last_ms = 0;
	{
		struct rules_params p = test_params();
		rules_evaluate(&p, &(struct score_params){ .half_life_ms = DAY }, &seg[1], &t.c, &t.a, t.now, &r);
	}
	{
		static const struct { int id; const char *words; } fails[] = {
			{ RULES_RELATIONSHIP, "you follow them" },
			{ RULES_NOT_CONNECTED, "already connected" },
			{ RULES_NOT_DECLINED, "declined your invitation 3 days ago (pause 6 months)" },
			{ RULES_NOT_SNOOZED, "snoozed until 2026-02-10T00:00:00.000Z" },
			{ RULES_WARMTH, "your engagement is still light (0% of what is needed)" },
			{ RULES_DEEP, "no comment or reply from you yet; likes alone are not enough" },
			{ RULES_ACTIVE, "no engagement yet" },
			{ RULES_NOT_NOTIFIED, "notified yesterday" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(fails); i++) {
			buf_reset(&b);
			rules_condition_words(&r, fails[i].id, &b);
			assert_string_equal(buf_cstr(&b), fails[i].words);
		}
	}
	assert_string_equal(rules_condition_name(RULES_NO_PENDING), "no_pending_invite");
	assert_string_equal(rules_condition_name(RULES_NOT_BURSTS), "not_bursts");
	assert_null(rules_condition_name(RULES_CONDITION_COUNT));
	buf_free(&b);
}

/* Fires once when ready; re-arms after the cooldown or a dip below rearm_below x threshold. */
static void test_hysteresis(void **state)
{
	struct rules_params p = test_params();
	struct rules_segment seg[4];
	struct test_contact t;
	struct rules_result r;

	(void)state;
	test_segments(seg);
	test_ready_contact(&t);
	test_expect(&t, &seg[3], 0, &r);
	assert_int_equal(rules_state_rearm(&t.st, &r, &p, t.now), 0);
	rules_state_fired(&t.st, t.now);
	test_expect(&t, &seg[3], 1u << RULES_NOT_NOTIFIED, &r);
	assert_int_equal(rules_state_rearm(&t.st, &r, &p, t.now), 0);
	assert_int_equal(t.st.fired, 1);

	/* A dip: with a threshold of 20, warmth ~7 is below 0.5 x 20. */
	seg[3].readiness.inbound.threshold = 20;
	test_expect(&t, &seg[3], 1u << RULES_WARMTH, &r);
	assert_int_equal(rules_state_rearm(&t.st, &r, &p, t.now), 1);
	assert_int_equal(t.st.fired, 0);
	seg[3].readiness.inbound.threshold = 5;
	test_expect(&t, &seg[3], 0, &r);

	/* The cooldown. */
	rules_state_fired(&t.st, t.now - 30 * DAY);
	test_expect(&t, &seg[3], 0, &r);
	assert_int_equal(rules_state_rearm(&t.st, &r, &p, t.now), 1);
}

static void test_queue(void **state)
{
	struct rules_candidate c[] = {
		{ 3.0, 5, 0 }, { 9.0, 1, 1 }, { 3.0, 2, 2 }, { 7.5, 0, 3 }, { 3.0, 2, 4 },
	};

	(void)state;
	assert_int_equal(rules_queue(c, 5, 3), 3);
	assert_int_equal(c[0].index, 1);
	assert_int_equal(c[1].index, 3);
	assert_int_equal(c[2].index, 2); /* equal warmth: lower tie, then lower index */
	assert_int_equal(c[3].index, 4);
	assert_int_equal(c[4].index, 0);
	assert_int_equal(rules_queue(c, 5, 0), 0);
	assert_int_equal(rules_queue(c, 5, -2), 0);
	assert_int_equal(rules_queue(c, 5, 100), 5);
	assert_int_equal(rules_queue(c, 0, 10), 0);
}

static void test_budget(void **state)
{
	struct rules_budget *b = calloc(1, sizeof(*b)), *d = calloc(1, sizeof(*d));
	const int64_t W = 7 * DAY, HOLD = 30 * DAY;
	struct buf blob = { 0 };

	(void)state;
	rules_budget_notified(b, T0, 1);
	rules_budget_add(b, T0 + DAY, 1, 1); /* notified, then invited: one, the invitation */
	rules_budget_add(b, T0 + 2 * DAY, 2, 1);
	rules_budget_add(b, T0 + 8 * DAY, 3, 1);
	assert_int_equal(b->n, 3);
	assert_int_equal(rules_budget_used(b, T0 + 2 * DAY, W, HOLD), 2);
	assert_int_equal(rules_budget_used(b, T0 + 8 * DAY, W, HOLD), 2); /* (T0+1d, T0+8d] */
	assert_int_equal(rules_budget_used(b, T0 + 9 * DAY, W, HOLD), 1);
	assert_int_equal(rules_budget_used(b, T0 - DAY, W, HOLD), 0);

	/* A notification nobody acted on counts for the hold, not the window. */
	rules_budget_notified(b, T0 + 2 * DAY, 4);
	assert_int_equal(rules_budget_used(b, T0 + 20 * DAY, W, HOLD), 1);
	assert_true(rules_budget_holds(b, 4, T0 + 20 * DAY, W, HOLD));
	assert_false(rules_budget_holds(b, 3, T0 + 20 * DAY, W, HOLD));
	assert_int_equal(rules_budget_used(b, T0 + 32 * DAY, W, HOLD), 0);
	/* With a hold shorter than the window, the window. */
	assert_int_equal(rules_budget_used(b, T0 + 8 * DAY, W, DAY), 3);
	/* Its invitation, seen a week later, replaces it and counts for the window. */
	rules_budget_add(b, T0 + 20 * DAY, 4, 1);
	assert_int_equal(rules_budget_used(b, T0 + 26 * DAY, W, HOLD), 1);
	assert_int_equal(rules_budget_used(b, T0 + 27 * DAY, W, HOLD), 0);
	assert_int_equal(rules_budget_expires(b, b->n - 1, W, HOLD), T0 + 27 * DAY);
	rules_budget_notified(b, T0 + 2 * DAY, 5);
	assert_int_equal(rules_budget_expires(b, b->n - 1, W, HOLD), T0 + 32 * DAY);
	/* Dismissed: the notification no longer counts; invitations stay. */
	rules_budget_notified(b, T0 + 2 * DAY, 6);
	rules_budget_forget(b, 6);
	rules_budget_forget(b, 4);
	assert_false(rules_budget_holds(b, 6, T0 + 3 * DAY, W, HOLD));
	assert_true(rules_budget_holds(b, 4, T0 + 21 * DAY, W, HOLD));

	rules_budget_encode(b, &blob);
	assert_int_equal(rules_budget_decode(d, blob.data, blob.len), 0);
	assert_int_equal(d->n, 5);
	assert_memory_equal(d->ts_ms, b->ts_ms, 5 * sizeof(int64_t));
	assert_memory_equal(d->actor, b->actor, 5 * sizeof(uint32_t));
	assert_memory_equal(d->kind, b->kind, 5);
	for (size_t len = 0; len < blob.len; len++)
		assert_int_equal(rules_budget_decode(d, blob.data, len), len >= 1 && (len - 1) % 13 == 0 ? 0 : -1);
	blob.data[blob.len - 1] = 7; /* no such kind */
	assert_int_equal(rules_budget_decode(d, blob.data, blob.len), -1);
	assert_int_equal(d->n, 0);
	blob.data[0] = 9;
	assert_int_equal(rules_budget_decode(d, blob.data, blob.len), -1);
	assert_int_equal(d->n, 0);
	/* Version 1: invitations only, 12 bytes each. */
	buf_reset(&blob);
	buf_append(&blob, "\x01", 1);
	buf_append(&blob, "\0\0\0\0\0\0\0\x05\0\0\0\x02", 12);
	assert_int_equal(rules_budget_decode(d, blob.data, blob.len), 0);
	assert_int_equal(d->n, 1);
	assert_int_equal(d->kind[0], RULES_BUDGET_INVITATION);

	rules_budget_prune(b, T0 + 9 * DAY, W, HOLD);
	assert_int_equal(b->n, 3); /* 3 (to T0+15d), 5's notification, 4's invitation */
	for (uint32_t i = 0; i < RULES_BUDGET_MAX + 10; i++)
		rules_budget_add(b, T0 + 40 * DAY + i, 100 + i, 1);
	assert_int_equal(b->n, RULES_BUDGET_MAX);
	rules_budget_add(b, T0, 7, 1); /* older than all kept: not kept */
	assert_int_equal(rules_budget_used(b, T0 + DAY, W, HOLD), 0);
	assert_int_equal(rules_budget_used(b, T0 + 41 * DAY, W, HOLD), RULES_BUDGET_MAX);
	buf_free(&blob);
	free(b);
	free(d);
}

static void test_state_blob(void **state)
{
	struct rules_state st = { T0 + DAY, T0, T0 - DAY, 1, 1, T0 - 2 * DAY }, d;
	struct buf b = { 0 };

	(void)state;
	rules_state_encode(&st, &b);
	assert_int_equal(rules_state_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.snoozed_until_ms, st.snoozed_until_ms);
	assert_int_equal(d.dismissed_ms, st.dismissed_ms);
	assert_int_equal(d.fired_ms, st.fired_ms);
	assert_int_equal(d.fired, 1);
	assert_int_equal(d.incoming, 1);
	assert_int_equal(d.incoming_ms, T0 - 2 * DAY);
	for (size_t len = 0; len < b.len + 1; len++) {
		if (len == b.len)
			continue;
		assert_int_equal(rules_state_decode(&d, b.data, len), -1);
		assert_int_equal(d.fired, 0);
		assert_int_equal(d.snoozed_until_ms, 0);
	}
	b.data[26] = 2; /* incoming is a bool */
	assert_int_equal(rules_state_decode(&d, b.data, b.len), -1);
	/* Version 1 (before the incoming register) still decodes, without it. */
	{
		unsigned char v1[26] = { 1 };
		memcpy(v1 + 1, b.data + 1, 25);
		assert_int_equal(rules_state_decode(&d, v1, sizeof(v1)), 0);
		assert_int_equal(d.fired_ms, T0 - DAY);
		assert_int_equal(d.fired, 1);
		assert_int_equal(d.incoming, 0);
	}
	buf_free(&b);
}

/*
 * The engine's loop in miniature: events fold into the score, the contact
 * is evaluated once an hour in event time, and a ready one fires (with
 * hysteresis). Returns how many times it fired; *first the first time.
 */
struct test_event {
	int64_t day;
	int type;
	uint32_t post;
};

static int test_run(const struct rules_segment *seg, const struct test_event *ev, size_t n, int64_t followed_day,
                    int64_t until_day, int64_t *first)
{
	struct rules_params p = test_params();
	struct score_params sp = test_scoring();
	struct score_state score;
	struct rules_state st = { 0 };
	struct rules_contact c = { .follower = 1, .followed_ms = T0 + followed_day * DAY, .score = &score,
	                           .state = &st };
	struct rules_account a = { .connections = 500, .budget_used = 0 };
	struct rules_result r;
	size_t next = 0;
	int fired = 0;

	*first = -1;
	score_init(&score);
	for (int64_t now = T0; now <= T0 + until_day * DAY; now += HOUR) {
		while (next < n && T0 + ev[next].day * DAY <= now) {
			score_add(&score, &sp, &(struct score_event){ T0 + ev[next].day * DAY, ev[next].post,
			                                              (uint8_t)ev[next].type, SCORE_FROM_FOLLOWER });
			next++;
		}
		rules_evaluate(&p, &sp, seg, &c, &a, now, &r);
		rules_state_rearm(&st, &r, &p, now);
		if (r.ready && r.within_budget) {
			if (fired++ == 0)
				*first = now;
			rules_state_fired(&st, now);
		}
	}
	return fired;
}

static void test_scenarios(void **state)
{
	struct rules_segment seg[4];
	int64_t first;
	/* An executive follows and comments on three posts over 16 days. */
	static const struct test_event exec[] = {
		{ 1, SCORE_COMMENT, 1 }, { 8, SCORE_COMMENT, 2 }, { 16, SCORE_COMMENT, 3 },
	};
	static const struct test_event one_like[] = { { 1, SCORE_LIKE, 1 } };
	/* An influencer who keeps engaging. */
	static const struct test_event influencer[] = {
		{ 2, SCORE_COMMENT, 1 }, { 6, SCORE_LIKE, 2 }, { 9, SCORE_SHARE, 3 }, { 15, SCORE_COMMENT, 4 },
		{ 22, SCORE_COMMENT, 5 }, { 27, SCORE_LIKE, 6 }, { 29, SCORE_REPLY, 7 },
	};

	(void)state;
	test_segments(seg);
	assert_int_equal(test_run(&seg[0], exec, ARRAY_SIZE(exec), 0, 120, &first), 1);
	/* Past the 14-day wait at day 14 but only warm enough with the third comment. */
	assert_int_equal(first, T0 + 16 * DAY);
	assert_int_equal(test_run(&seg[3], one_like, ARRAY_SIZE(one_like), 0, 120, &first), 0);
	assert_int_equal(test_run(&seg[1], influencer, ARRAY_SIZE(influencer), 0, 10, &first), 0);
	assert_int_equal(test_run(&seg[1], influencer, ARRAY_SIZE(influencer), 0, 30, &first), 1);
	assert_int_equal(first, T0 + 28 * DAY);
}


/* The verdict of t against segment s at its now. */
static void test_verdict_of(struct test_contact *t, const struct rules_segment *s, struct rules_result *r,
                            struct rules_verdict *v)
{
	struct rules_params p = test_params();
	struct score_params sp = test_scoring();

	rules_evaluate(&p, &sp, s, &t->c, &t->a, t->now, r);
	rules_verdict(&p, r, t->now, v);
}

/*
 * The two paths: a follower's evidence is their engagement, a target's
 * mine on their posts; my engagement never stands in for theirs.
 */
static void test_paths(void **state)
{
	struct score_params sp = test_scoring();
	struct rules_segment seg[4];
	struct test_contact t;
	struct rules_result r;

	(void)state;
	test_segments(seg);
	/* A target with my comments on three of their posts over two weeks. */
	memset(&t, 0, sizeof(t));
	for (int i = 0; i < 3; i++)
		score_add(&t.score, &sp, &(struct score_event){ T0 + (1 + 6 * i) * DAY, (uint32_t)i + 1,
		                                               SCORE_COMMENT, SCORE_OUTBOUND });
	t.c = (struct rules_contact){ .target = 1, .followed_ms = T0, .score = &t.score, .state = &t.st };
	t.a = (struct rules_account){ .connections = 1000 };
	t.now = T0 + 14 * DAY;
	test_expect(&t, &seg[0], 0, &r);
	assert_int_equal(r.path, RULES_PATH_OUTBOUND);
	assert_true(r.closeness == 1.0);
	assert_int_equal(r.invite_by_ms, 0); /* these test segments have no latest point */
	/* The same engagement from a follower I do not follow: theirs is needed. */
	t.c.target = 0;
	t.c.follower = 1;
	test_expect(&t, &seg[0], 1u << RULES_WARMTH | 1u << RULES_DISTINCT_POSTS | 1u << RULES_DISTINCT_DAYS |
	                                 1u << RULES_DEEP, &r);
	assert_int_equal(r.path, RULES_PATH_INBOUND);
	assert_true(r.closeness == 0.0);
	/* Two comments of the three: closer, not there (a peer: no wait). */
	{
		struct test_contact two = t;
		score_init(&two.score);
		for (int i = 0; i < 2; i++)
			score_add(&two.score, &sp, &(struct score_event){ T0 + (7 + 6 * i) * DAY, (uint32_t)i + 1,
			                                                  SCORE_COMMENT, SCORE_OUTBOUND });
		two.c.score = &two.score;
		two.c.state = &two.st;
		two.c.follower = 0;
		two.c.target = 1;
		test_expect(&two, &seg[3], 1u << RULES_WARMTH | 1u << RULES_DISTINCT_POSTS, &r);
		assert_true(r.path_warmth > 2 && r.path_warmth < 3);
		assert_true(fabs(r.closeness - (r.path_warmth / 3 + 2.0 / 3 + 1 + 1) / 4) < 1e-9);
	}
	/* Mutual: whichever path holds. */
	t.c.target = 1;
	test_expect(&t, &seg[0], 0, &r);
	assert_int_equal(r.path, RULES_PATH_OUTBOUND);
	/* "from: both" lets my engagement count on the inbound path too. */
	t.c.target = 0;
	seg[0].readiness.inbound.from = SCORE_SIDE_IN | SCORE_SIDE_OUT;
	test_expect(&t, &seg[0], 1u << RULES_WARMTH, &r); /* 3.3 of the inbound path's 5 */
	seg[0].readiness.inbound.threshold = 3;
	test_expect(&t, &seg[0], 0, &r);
	/* A span and wait_from value: from my first comment (day 1), 14 to 21 days. */
	seg[0].readiness.wait_max_ms = 21 * DAY;
	seg[0].readiness.wait_from = RULES_WAIT_VALUE;
	test_expect(&t, &seg[0], 1u << RULES_WAIT, &r);
	assert_int_equal(r.conditions[RULES_WAIT].until_ms, T0 + 15 * DAY);
	t.now = T0 + 15 * DAY;
	test_expect(&t, &seg[0], 0, &r);
	assert_int_equal(r.invite_by_ms, T0 + 22 * DAY);
}

/* Each verdict, its words and the time it changes. */
static void test_verdicts(void **state)
{
	struct rules_segment seg[4];
	struct test_contact t;
	struct rules_result r;
	struct rules_verdict v;

	(void)state;
	test_segments(seg);
	seg[0].readiness.wait_max_ms = 21 * DAY;

	test_ready_contact(&t); /* day 20, last engagement day 18 */
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_READY);
	assert_string_equal(v.text, "Ready: invite this week");
	assert_int_equal(v.changes_ms, T0 + 32 * DAY); /* it goes quiet 14 days after day 18 */
	assert_string_equal(v.next, "Send the invitation by 2 Feb; the note names what they wrote");

	test_ready_contact(&t);
	t.c.followed_ms = t.now - 10 * DAY;
	test_verdict_of(&t, &seg[0], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_WAITING);
	assert_string_equal(v.text, "Wait until 25 Jan: senior executives need 2-3 weeks after the follow");
	assert_int_equal(v.changes_ms, T0 + 24 * DAY);
	assert_string_equal(v.next, "Keep the exchange going; invite between 25 Jan and 1 Feb");

	test_ready_contact(&t);
	t.c.declined_ms = t.now - 3 * DAY;
	t.c.withdrawn_ms = t.now - 3 * DAY;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_COOLING_OFF);
	assert_string_equal(v.text, "Not now: declined your invitation 3 days ago; try again after 17 Jul");
	assert_int_equal(v.changes_ms, t.now - 3 * DAY + 180 * DAY);

	test_ready_contact(&t);
	t.st.incoming = 1;
	t.st.incoming_ms = t.now - 2 * DAY;
	t.c.pending = 1; /* theirs comes first: accept, do not invite */
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_ACCEPT);
	assert_string_equal(v.text, "Accept their invitation (sent 2 days ago)");

	test_ready_contact(&t);
	t.c.pending = 1;
	t.c.pending_ms = t.now - 35 * DAY;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_WITHDRAW);
	assert_string_equal(v.text, "Withdraw your invitation (pending 5 weeks)");
	t.c.pending_ms = t.now - 20 * DAY;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_PENDING);
	assert_int_equal(v.changes_ms, t.now + DAY);

	test_ready_contact(&t);
	t.a.budget_used = 100;
	t.a.budget_frees_ms = t.now + 2 * DAY;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_HELD);
	assert_true(r.eligible && !r.within_budget);
	assert_string_equal(v.text, "Held: the invitation budget is used (100 of 100 this week); room again on 23 Jan");
	assert_int_equal(v.changes_ms, t.now + 2 * DAY);
	/* Counted already (notified, or invited): not held by itself. */
	t.a.in_budget = 1;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_READY);

	test_ready_contact(&t);
	seg[3].readiness.inbound.need_deep = 1;
	score_init(&t.score);
	score_add(&t.score, &(struct score_params){ .half_life_ms = DAY, .weight = { 1 } },
	          &(struct score_event){ T0 + 19 * DAY, 1, SCORE_LIKE, SCORE_FROM_FOLLOWER });
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_NOT_YET);
	assert_string_equal(v.text, "Not yet: needs one comment or reply; likes alone are not enough");
	assert_int_equal(v.changes_ms, 0);

	test_ready_contact(&t);
	t.score.burst_cut = 40;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_string_equal(v.text, "Not yet: most of their engagement came in bursts (40 of 43 do not count)");

	test_ready_contact(&t);
	t.c.connected = 1;
	test_verdict_of(&t, &seg[3], &r, &v);
	assert_int_equal(v.status, RULES_STATUS_CONNECTED);
	assert_string_equal(rules_status_name(RULES_STATUS_COOLING_OFF), "cooling_off");
	assert_null(rules_status_name(RULES_STATUS_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_match_analysis),
		cmocka_unit_test(test_each_condition),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_state_blob),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
