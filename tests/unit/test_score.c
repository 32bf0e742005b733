/*
 * test_score.c - unit tests for daemon/score.c: the decay math against
 * closed forms (one event, many at known ages, years of data), order
 * independence (shuffles give the same warmth within 1e-9 relative),
 * read-time weights, per-type half-lives, one reaction per post,
 * diminishing repeats and their bounded order dependence, the breadth
 * statistics, rescoring, and the blobs (round trips, every truncation,
 * garbage).
 *
 * Randomness comes from a fixed-seed xorshift so a failure reproduces.
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

#include "warmth/score.h"

#define DAY (86400LL * 1000)
#define HOUR (3600LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

static uint64_t test_rng_state;

static uint64_t test_rng(void)
{
	uint64_t x = test_rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return test_rng_state = x;
}

static void test_shuffle(struct score_event *ev, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = test_rng() % (i + 1);
		struct score_event t = ev[i];
		ev[i] = ev[j];
		ev[j] = t;
	}
}

/* Weights 1..7 by type so that every type is told apart; 14-day half-life. */
static struct score_params test_params(void)
{
	struct score_params p = { 0 };

	p.half_life_ms = 14 * DAY;
	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		p.weight[t] = t + 1;
	p.connection_multiplier = 1.5;
	p.outbound_factor = 0.5;
	p.deep_mask = 1u << SCORE_COMMENT | 1u << SCORE_SHARE | 1u << SCORE_MESSAGE;
	p.reaction_per_post = 1;
	p.repeat_window_ms = HOUR;
	p.repeat_factor = 0.5;
	return p;
}

static struct score_event test_event(int64_t ts, int type, int origin, uint32_t post)
{
	struct score_event ev = { .ts_ms = ts, .type = (uint8_t)type, .origin = (uint8_t)origin, .post_hash = post };

	return ev;
}

static double test_origin_factor(const struct score_params *p, int origin)
{
	return origin == SCORE_FROM_CONNECTION ? p->connection_multiplier
	       : origin == SCORE_OUTBOUND      ? p->outbound_factor
	                                       : 1.0;
}

static void assert_close(double got, double want, double rel)
{
	double scale = fabs(want) > 1e-300 ? fabs(want) : 1.0;

	if (!(fabs(got - want) <= rel * scale))
		fail_msg("got %.17g, want %.17g (relative error %.3g, allowed %.3g)", got, want,
		         fabs(got - want) / scale, rel);
}

static void test_type_mapping(void **state)
{
	(void)state;
	assert_int_equal(score_type_of(EVENT_LIKE), SCORE_LIKE);
	assert_int_equal(score_type_of(EVENT_PROFILE_VIEW), SCORE_PROFILE_VIEW);
	assert_int_equal(score_type_of(EVENT_FOLLOW), -1);
	assert_int_equal(score_type_of(EVENT_SNAPSHOT), -1);
	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		assert_string_equal(score_type_name(t), event_type_name(EVENT_LIKE + t));
		assert_int_equal(score_type_from_name(score_type_name(t)), t);
	}
	assert_null(score_type_name(SCORE_TYPE_COUNT));
	assert_int_equal(score_type_from_name("follow"), -1);
	assert_int_not_equal(score_post_hash("p", 1, 0), score_post_hash("p", 1, 1));
	assert_int_not_equal(score_post_hash("", 0, 0), 0);
}

/* One comment: weight x 2^-(age/h), at several ages, and before it happened. */
static void test_single_event(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	struct score_event ev = test_event(T0, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 0);

	(void)state;
	score_init(&s);
	assert_true(score_add(&s, &p, &ev) == 1.0);
	assert_close(score_warmth(&s, &p, T0), 2.0, 1e-15);
	assert_close(score_warmth(&s, &p, T0 + 14 * DAY), 1.0, 1e-15);
	assert_close(score_warmth(&s, &p, T0 + 28 * DAY), 0.5, 1e-15);
	assert_close(score_warmth(&s, &p, T0 + 5 * DAY), 2.0 * exp2(-5.0 / 14), 1e-14);
	/* An event "from the future" counts as now. */
	assert_close(score_warmth(&s, &p, T0 - DAY), 2.0, 1e-15);
	assert_close(score_warmth_type(&s, &p, SCORE_COMMENT, T0), 2.0, 1e-15);
	assert_true(score_warmth_type(&s, &p, SCORE_LIKE, T0) == 0.0);
}

/* Many events of every type and origin at known ages, against the sum of closed forms. */
static void test_known_ages(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	int64_t now = T0 + 100 * DAY;
	double want = 0;

	(void)state;
	score_init(&s);
	for (int i = 0; i < 60; i++) {
		int type = i % SCORE_TYPE_COUNT, origin = i % SCORE_ORIGIN_COUNT;
		int64_t ts = T0 + i * 37 * HOUR / 10; /* apart by more than the repeat window */
		struct score_event ev = test_event(ts, type, origin, (uint32_t)i + 1);
		score_add(&s, &p, &ev);
		want += p.weight[type] * test_origin_factor(&p, origin) * exp2(-(double)(now - ts) / (14 * DAY));
	}
	assert_close(score_warmth(&s, &p, now), want, 1e-12);
}

/*
 * Shuffled order: 3000 events over two years, every type and origin, out of
 * order, the same warmth within 1e-9 as in time order. Events of one bucket
 * never share a repeat window and likes never share a post, so the
 * anti-inflation rules are on but have nothing order-dependent to decide.
 */
static void test_shuffled(void **state)
{
	enum { N = 3000 };
	struct score_params p = test_params();
	struct score_event *ev = calloc(N, sizeof(*ev));
	struct score_state in_order, shuffled;
	int64_t now = T0 + 730 * DAY;

	(void)state;
	test_rng_state = 42;
	for (int i = 0; i < N; i++)
		ev[i] = test_event(T0 + (int64_t)i * 5 * HOUR + (int64_t)(test_rng() % HOUR), (int)(test_rng() % SCORE_TYPE_COUNT),
		                   (int)(test_rng() % SCORE_ORIGIN_COUNT), (uint32_t)i + 1);
	score_init(&in_order);
	for (int i = 0; i < N; i++)
		score_add(&in_order, &p, &ev[i]);
	for (int round = 0; round < 20; round++) {
		test_shuffle(ev, N);
		score_init(&shuffled);
		for (int i = 0; i < N; i++)
			score_add(&shuffled, &p, &ev[i]);
		for (int64_t at = now - 700 * DAY; at <= now; at += 100 * DAY)
			assert_close(score_warmth(&shuffled, &p, at), score_warmth(&in_order, &p, at), 1e-9);
		assert_int_equal(shuffled.engagements, in_order.engagements);
		assert_int_equal(shuffled.deep, in_order.deep);
		assert_int_equal(shuffled.last_ms, in_order.last_ms);
		assert_int_equal(shuffled.last_deep_ms, in_order.last_deep_ms);
		assert_int_equal(shuffled.days, in_order.days);
		assert_int_equal(shuffled.days_anchor, in_order.days_anchor);
		assert_int_equal(score_distinct_posts(&shuffled, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), score_distinct_posts(&in_order, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT));
	}
	free(ev);
}

/*
 * Ten years of one like a day (distinct posts): the sum is the geometric
 * series; nothing overflows, and very old or very far "now" underflow
 * cleanly to 0.
 */
static void test_years(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	int64_t last = T0 + 3649 * DAY;
	double r = exp2(-1.0 / 14), want = 0;

	(void)state;
	score_init(&s);
	for (int d = 0; d < 3650; d++) {
		struct score_event ev = test_event(T0 + d * DAY, SCORE_LIKE, SCORE_FROM_FOLLOWER, (uint32_t)d + 1);
		score_add(&s, &p, &ev);
	}
	for (int d = 0; d < 3650; d++)
		want += pow(r, d);
	assert_close(score_warmth(&s, &p, last), want, 1e-12);
	assert_true(s.buckets[SCORE_LIKE][SCORE_FROM_FOLLOWER].sum < 1.0 / (1 - r) + 1e-9);
	assert_true(score_warmth(&s, &p, last + 100000 * DAY) == 0.0);
	/* A late event from ten years before the rest adds (almost) nothing, and no NaN. */
	{
		struct score_event old = test_event(T0 - 3650 * DAY, SCORE_SHARE, SCORE_FROM_FOLLOWER, 0);
		double before = score_warmth(&s, &p, last);
		score_add(&s, &p, &old);
		assert_true(isfinite(score_warmth(&s, &p, last)));
		assert_close(score_warmth(&s, &p, last), before, 1e-12);
	}
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), 64);
	assert_int_equal(s.engagements, 3651);
}

/* Weights and origin factors are applied at read time: a change applies at once, exactly. */
static void test_weight_change(void **state)
{
	struct score_params p = test_params(), q;
	struct score_state s;
	struct score_event ev[] = {
		test_event(T0, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 1),
		test_event(T0 + DAY, SCORE_COMMENT, SCORE_FROM_CONNECTION, 2),
		test_event(T0 + 2 * DAY, SCORE_LIKE, SCORE_OUTBOUND, 3),
	};
	int64_t now = T0 + 10 * DAY;
	double comment, like;

	(void)state;
	score_init(&s);
	for (size_t i = 0; i < 3; i++)
		score_add(&s, &p, &ev[i]);
	comment = score_warmth_type(&s, &p, SCORE_COMMENT, now);
	like = score_warmth_type(&s, &p, SCORE_LIKE, now);
	assert_close(comment, 2 * (exp2(-10.0 / 14) + 1.5 * exp2(-9.0 / 14)), 1e-14);
	assert_close(like, 1 * 0.5 * exp2(-8.0 / 14), 1e-14);

	q = p;
	q.weight[SCORE_COMMENT] = 7;
	assert_false(score_params_need_rescore(&p, &q));
	assert_close(score_warmth(&s, &q, now), comment * 3.5 + like, 1e-14);
	q = p;
	q.connection_multiplier = 3;
	q.outbound_factor = 0;
	assert_false(score_params_need_rescore(&p, &q));
	assert_close(score_warmth(&s, &q, now), 2 * (exp2(-10.0 / 14) + 3 * exp2(-9.0 / 14)), 1e-14);
}

/* A per-type half-life decays that type on its own clock. */
static void test_half_life_per_type(void **state)
{
	struct score_params p = test_params(), q;
	struct score_state s;
	struct score_event msg = test_event(T0, SCORE_MESSAGE, SCORE_FROM_FOLLOWER, 0);
	struct score_event like = test_event(T0, SCORE_LIKE, SCORE_FROM_FOLLOWER, 0);

	(void)state;
	p.half_life_type_ms[SCORE_MESSAGE] = 30 * DAY;
	assert_int_equal(score_half_life(&p, SCORE_MESSAGE), 30 * DAY);
	assert_int_equal(score_half_life(&p, SCORE_LIKE), 14 * DAY);
	score_init(&s);
	score_add(&s, &p, &msg);
	score_add(&s, &p, &like);
	assert_close(score_warmth(&s, &p, T0 + 30 * DAY), 6 * 0.5 + 1 * exp2(-30.0 / 14), 1e-14);

	q = p;
	q.half_life_type_ms[SCORE_MESSAGE] = 0;
	assert_true(score_params_need_rescore(&p, &q));
	q = p;
	q.half_life_ms = 7 * DAY;
	assert_true(score_params_need_rescore(&p, &q));
	q = p;
	q.half_life_type_ms[SCORE_LIKE] = 14 * DAY; /* the same value, said twice */
	assert_false(score_params_need_rescore(&p, &q));
}

/* One like per post; a comment on the post and a like on another still count. */
static void test_reaction_per_post(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	uint32_t post = score_post_hash("post-1", 6, 0), mine = score_post_hash("post-1", 6, 1);
	struct score_event a = test_event(T0, SCORE_LIKE, SCORE_FROM_FOLLOWER, post);
	struct score_event b = test_event(T0 + 2 * DAY, SCORE_LIKE, SCORE_FROM_FOLLOWER, post);
	struct score_event c = test_event(T0 + 3 * DAY, SCORE_LIKE, SCORE_OUTBOUND, mine);
	struct score_event d = test_event(T0 + 4 * DAY, SCORE_COMMENT, SCORE_FROM_FOLLOWER, post);

	(void)state;
	p.repeat_window_ms = 0;
	score_init(&s);
	assert_true(score_add(&s, &p, &a) == 1.0);
	assert_true(score_add(&s, &p, &b) == 0.0);
	assert_true(score_add(&s, &p, &c) == 1.0);
	assert_true(score_add(&s, &p, &d) == 1.0);
	assert_close(score_warmth_type(&s, &p, SCORE_LIKE, T0), 1 + 0.5, 1e-15);
	assert_int_equal(s.engagements, 4);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), 2);

	p.reaction_per_post = 0;
	score_init(&s);
	score_add(&s, &p, &a);
	assert_true(score_add(&s, &p, &b) == 1.0);
}

/*
 * More than SCORE_POSTS_MAX posts: the oldest post is forgotten, so a like
 * of it counts again; a like of a post older than all kept ones counts.
 */
static void test_post_set_bounded(void **state)
{
	struct score_params p = test_params();
	struct score_state s;

	(void)state;
	p.repeat_window_ms = 0;
	score_init(&s);
	for (uint32_t i = 0; i < SCORE_POSTS_MAX + 1; i++) {
		struct score_event ev = test_event(T0 + i * DAY, SCORE_LIKE, SCORE_FROM_FOLLOWER, i + 1);
		assert_true(score_add(&s, &p, &ev) == 1.0);
	}
	assert_int_equal(s.nposts, SCORE_POSTS_MAX);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), SCORE_POSTS_MAX);
	assert_int_equal(score_distinct_posts(&s, T0 + 30 * DAY, SCORE_SIDE_IN | SCORE_SIDE_OUT), 3);
	{
		struct score_event again = test_event(T0 + 40 * DAY, SCORE_LIKE, SCORE_FROM_FOLLOWER, 1);
		struct score_event kept = test_event(T0 + 41 * DAY, SCORE_LIKE, SCORE_FROM_FOLLOWER, 20);
		assert_true(score_add(&s, &p, &again) == 1.0);
		assert_true(score_add(&s, &p, &kept) == 0.0);
	}
}

/* The n-th event of a bucket in one window counts f^(n-1); the next window starts over. */
static void test_diminishing(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	int64_t w = T0 + 10 * HOUR; /* an hour boundary */
	double want;

	(void)state;
	score_init(&s);
	assert_true(score_add(&s, &p, &(struct score_event){ w + 1000, 11, SCORE_LIKE, 0 }) == 1.0);
	assert_true(score_add(&s, &p, &(struct score_event){ w + 2000, 12, SCORE_LIKE, 0 }) == 0.5);
	assert_true(score_add(&s, &p, &(struct score_event){ w + 3000, 13, SCORE_LIKE, 0 }) == 0.25);
	/* Another origin is another bucket; the next hour starts over. */
	assert_true(score_add(&s, &p, &(struct score_event){ w + 4000, 14, SCORE_LIKE, SCORE_OUTBOUND }) == 1.0);
	assert_true(score_add(&s, &p, &(struct score_event){ w + HOUR, 15, SCORE_LIKE, 0 }) == 1.0);
	want = (exp2(-(double)(HOUR - 1000) / (14 * DAY)) + 0.5 * exp2(-(double)(HOUR - 2000) / (14 * DAY)) +
	        0.25 * exp2(-(double)(HOUR - 3000) / (14 * DAY)) + 1) +
	       0.5 * exp2(-(double)(HOUR - 4000) / (14 * DAY));
	assert_close(score_warmth(&s, &p, w + HOUR), want, 1e-14);

	p.repeat_factor = 1;
	score_init(&s);
	score_add(&s, &p, &(struct score_event){ w + 1000, 11, SCORE_LIKE, 0 });
	assert_true(score_add(&s, &p, &(struct score_event){ w + 2000, 12, SCORE_LIKE, 0 }) == 1.0);
}

/*
 * Bursts shuffled: what order changes is bounded as score.h says, by a
 * factor 2^(window / h), and a rescore gives the in-order result exactly.
 * Each burst has its own posts, so repeated likes of a post fall within
 * one window too; four bursts of four buckets fit the repeat table.
 */
static void test_repeat_order_bound(void **state)
{
	enum { N = 40 };
	struct score_params p = test_params();
	struct score_event ev[N];
	struct score_state in_order, shuffled, rescored;
	int64_t now = T0 + 12 * DAY;
	double bound = exp2((double)HOUR / (14 * DAY)) - 1;

	(void)state;
	test_rng_state = 7;
	/* A post's likes come from one origin, as one person is either a follower or a connection. */
	for (int i = 0; i < N; i++) {
		uint32_t post = (uint32_t)((i / 10) * 100 + test_rng() % 4 + 1);
		ev[i] = test_event(T0 + (i / 10) * 2 * DAY + (int64_t)(test_rng() % HOUR), (int)(test_rng() % 2),
		                   (int)(post % 2), post);
	}
	score_rescore(&in_order, &p, ev, N);
	for (int round = 0; round < 50; round++) {
		test_shuffle(ev, N);
		score_rescore(&rescored, &p, ev, N);
		assert_memory_equal(&rescored, &in_order, sizeof(rescored));
		score_init(&shuffled);
		for (int i = 0; i < N; i++)
			score_add(&shuffled, &p, &ev[i]);
		assert_close(score_warmth(&shuffled, &p, now), score_warmth(&in_order, &p, now), bound);
	}
}

/* Days: a 64-day bitmap anchored at the newest day, in any order. */
static void test_days_and_stats(void **state)
{
	struct score_params p = test_params();
	struct score_state s;
	static const int days[] = { 10, 3, 70, 69, 10, 5, 200, 137, 136 };

	(void)state;
	score_init(&s);
	for (size_t i = 0; i < ARRAY_SIZE(days); i++) {
		int type = i % 2 ? SCORE_COMMENT : SCORE_LIKE;
		struct score_event ev = test_event(T0 + days[i] * DAY + HOUR, type, SCORE_FROM_FOLLOWER, 0);
		score_add(&s, &p, &ev);
	}
	/* 200 is the newest day; 137 is 63 days before it (the last bit), 136 one too many. */
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), 2);
	assert_int_equal(score_distinct_days(&s, &p, T0 + 137 * DAY, SCORE_SIDE_IN | SCORE_SIDE_OUT), 2);
	assert_int_equal(score_distinct_days(&s, &p, T0 + 138 * DAY, SCORE_SIDE_IN | SCORE_SIDE_OUT), 1);
	assert_int_equal(s.engagements, ARRAY_SIZE(days));
	assert_int_equal(s.deep, 4);
	assert_int_equal(s.last_ms, T0 + 200 * DAY + HOUR);
	assert_int_equal(s.last_deep_ms, T0 + 137 * DAY + HOUR);
}

/* A rescore replays in time order: equal to adding sorted events one by one. */
static void test_rescore(void **state)
{
	struct score_params p = test_params();
	struct score_event ev[50];
	struct score_state a, b;

	(void)state;
	test_rng_state = 99;
	for (int i = 0; i < 50; i++)
		ev[i] = test_event(T0 + (int64_t)(test_rng() % (90 * DAY)), (int)(test_rng() % SCORE_TYPE_COUNT),
		                   (int)(test_rng() % SCORE_ORIGIN_COUNT), (uint32_t)(test_rng() % 10));
	score_rescore(&a, &p, ev, 50);
	score_init(&b);
	for (int i = 0; i < 50; i++) {
		struct score_event *next = &ev[0];
		for (int j = 1; j < 50; j++)
			if (ev[j].ts_ms < next->ts_ms || (ev[j].ts_ms == next->ts_ms && ev[j].type < next->type))
				next = &ev[j];
		score_add(&b, &p, next);
		next->ts_ms = INT64_MAX;
	}
	assert_close(score_warmth(&a, &p, T0 + 100 * DAY), score_warmth(&b, &p, T0 + 100 * DAY), 1e-12);
	score_rescore(&a, &p, ev, 0);
	assert_true(score_warmth(&a, &p, T0) == 0.0);
}

static void test_state_blob(void **state)
{
	struct score_params p = test_params();
	struct score_state s, d;
	struct buf b = { 0 };

	(void)state;
	score_init(&s);
	score_encode(&s, &b);
	assert_int_equal(score_decode(&d, b.data, b.len), 0);
	assert_memory_equal(&d, &s, sizeof(s));
	for (int i = 0; i < 80; i++) {
		struct score_event ev = test_event(T0 + i * 7 * HOUR, i % SCORE_TYPE_COUNT, i % SCORE_ORIGIN_COUNT,
		                                   (uint32_t)(i % 40) + 1);
		score_add(&s, &p, &ev);
	}
	buf_reset(&b);
	score_encode(&s, &b);
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(score_decode(&d, b.data, b.len), 0);
	assert_true(score_warmth(&d, &p, T0 + 30 * DAY) == score_warmth(&s, &p, T0 + 30 * DAY));
	assert_int_equal(d.nposts, s.nposts);
	assert_memory_equal(d.posts, s.posts, sizeof(s.posts));
	assert_memory_equal(d.repeats, s.repeats, s.nrepeats * sizeof(s.repeats[0]));
	assert_int_equal(d.days, s.days);
	assert_int_equal(d.last_deep_ms, s.last_deep_ms);
	score_history_free(&d.history);
	/* The sums alone: the same warmth, nothing else, nothing to free. */
	memset(&d, 0xa5, sizeof(d));
	assert_int_equal(score_decode_sums(&d, b.data, b.len), 0);
	assert_true(score_warmth(&d, &p, T0 + 30 * DAY) == score_warmth(&s, &p, T0 + 30 * DAY));
	assert_int_equal(d.nposts, 0);
	assert_int_equal(d.engagements, 0);
	assert_null(d.history.events);
	assert_int_equal(score_decode_sums(&d, b.data, 5), -1);
	assert_true(score_warmth(&d, &p, T0) == 0.0);

	/* Every truncation, and one byte too many, fail and leave an empty state. */
	for (size_t len = 0; len <= b.len + 1; len++) {
		char *copy;
		if (len == b.len)
			continue;
		copy = malloc(b.len + 1);
		memcpy(copy, b.data, b.len);
		copy[b.len] = 0;
		assert_int_equal(score_decode(&d, copy, len), -1);
		assert_true(score_warmth(&d, &p, T0) == 0.0 && d.nposts == 0 && d.engagements == 0);
		free(copy);
	}
	assert_int_equal(score_decode(&d, NULL, 0), -1);
	/* Another version; a bucket index out of range; a NaN sum. */
	b.data[0] = 4;
	assert_int_equal(score_decode(&d, b.data, b.len), -1);
	b.data[0] = 3;
	b.data[2] = 21;
	assert_int_equal(score_decode(&d, b.data, b.len), -1);
	b.data[2] = 0;
	memset(b.data + 3, 0xff, 8);
	assert_int_equal(score_decode(&d, b.data, b.len), -1);
	buf_free(&b);
}

static void test_history(void **state)
{
	struct score_history h = { 0 }, d = { 0 };
	struct buf b = { 0 };
	int64_t times[] = { 50, 10, 30, 30, 70, 5, 60 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		struct score_event ev = test_event(times[i], (int)i % SCORE_TYPE_COUNT, 0, (uint32_t)i);
		score_history_add(&h, &ev, 5);
	}
	/* The newest five, in time order: 30 30 50 60 70. */
	assert_int_equal(h.n, 5);
	assert_int_equal(h.events[0].ts_ms, 30);
	assert_int_equal(h.events[1].ts_ms, 30);
	assert_int_equal(h.events[2].ts_ms, 50);
	assert_int_equal(h.events[4].ts_ms, 70);
	score_history_add(&h, &(struct score_event){ .ts_ms = 1 }, 5);
	assert_int_equal(h.n, 5);
	score_history_add(&h, &(struct score_event){ .ts_ms = 1 }, 0);
	assert_int_equal(h.n, 5);

	score_history_encode(&h, &b);
	assert_int_equal(b.len, 1 + 5 * 14);
	assert_int_equal(score_history_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.n, 5);
	assert_memory_equal(d.events, h.events, 5 * sizeof(*h.events));
	for (size_t len = 0; len < b.len; len++) {
		int rc = score_history_decode(&d, b.data, len);
		/* Whole events are a valid shorter history; anything else is not. */
		assert_int_equal(rc, len >= 1 && (len - 1) % 14 == 0 ? 0 : -1);
		assert_int_equal(d.n, rc == 0 ? (len - 1) / 14 : 0);
	}
	b.data[1 + 14 + 12] = SCORE_TYPE_COUNT; /* the second event's type */
	assert_int_equal(score_history_decode(&d, b.data, b.len), -1);
	assert_int_equal(d.n, 0);
	buf_free(&b);
	score_history_free(&h);
	score_history_free(&d);
}

/* Version 2 carries the history; a version 1 blob (no history) still decodes. */
/*
 * The history at its limit slides (the oldest dropped by moving the start)
 * and moves back into its allocation now and then: after every add it must
 * hold exactly what a plain sorted array cut to the newest max would, with
 * events out of order, ties, a limit that is not a power of two, and a
 * limit lowered and raised on the way (a reload). Under ASan a read or
 * write beyond the allocation fails the test.
 */
static void test_history_slides(void **state)
{
	struct score_history h = { 0 };
	struct score_event ref[600];
	size_t nref = 0;
	uint32_t seed = 7;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t max = i < 8000 ? 255 : i < 12000 ? 37 : i < 16000 ? 256 : 300;
		seed = seed * 1103515245u + 12345u;
		/* Mostly newer, sometimes a little older (a late line), some ties. */
		int64_t ts = i * 10 - (int64_t)((seed >> 16) % 8 == 0 ? (seed >> 8) % 200 : 0);
		struct score_event ev = test_event(ts, (int)(seed % SCORE_TYPE_COUNT), 0, (uint32_t)i);

		/* The reference: the same rule on a plain array. */
		if (!(nref == max && ts < ref[0].ts_ms)) {
			size_t at = nref;
			while (at > 0 && ref[at - 1].ts_ms > ts)
				at--;
			memmove(&ref[at + 1], &ref[at], (nref - at) * sizeof(ref[0]));
			ref[at] = ev;
			nref++;
			if (nref > max) {
				memmove(ref, ref + (nref - max), max * sizeof(ref[0]));
				nref = max;
			}
		}
		score_history_add(&h, &ev, max);
		assert_int_equal(h.n, nref);
		assert_true(h.events >= h.base && h.events + h.n <= h.base + h.cap);
		for (size_t k = 0; k < nref; k++) {
			assert_int_equal(h.events[k].ts_ms, ref[k].ts_ms);
			assert_int_equal(h.events[k].post_hash, ref[k].post_hash);
		}
	}
	/* Bounded: a few times the limit at most. */
	assert_true(h.cap <= 4 * 300);
	score_history_free(&h);
	assert_null(h.base);
	assert_null(h.events);
}

static void test_state_blob_history(void **state)
{
	struct score_params p = test_params();
	struct score_state s = { 0 }, d;
	struct buf b = { 0 };

	(void)state;
	for (int i = 0; i < 30; i++) {
		struct score_event ev = test_event(T0 + i * 5 * HOUR, i % SCORE_TYPE_COUNT, i % 2,
		                                   (uint32_t)(i % 7) + 1);
		score_add(&s, &p, &ev);
		score_history_add(&s.history, &ev, 20);
	}
	score_encode(&s, &b);
	assert_int_equal(score_decode(&d, b.data, b.len), 0);
	assert_int_equal(d.history.n, 20);
	for (size_t i = 0; i < 20; i++) { /* field by field: the struct has padding */
		assert_int_equal(d.history.events[i].ts_ms, s.history.events[i].ts_ms);
		assert_int_equal(d.history.events[i].post_hash, s.history.events[i].post_hash);
		assert_int_equal(d.history.events[i].type, s.history.events[i].type);
		assert_int_equal(d.history.events[i].origin, s.history.events[i].origin);
	}
	assert_true(score_warmth(&d, &p, T0 + 9 * DAY) == score_warmth(&s, &p, T0 + 9 * DAY));
	/* An event out of time order is impossible. */
	b.data[b.len - 20 * 14 + 6] ^= 0x40; /* the first event's time, made the latest */
	score_history_free(&d.history);
	assert_int_equal(score_decode(&d, b.data, b.len), -1);
	assert_int_equal(d.history.n, 0);

	/* Version 1: the same bytes without version 3's sides (38 bytes here: no burst
	   bookkeeping), the history and its count. */
	score_history_free(&s.history);
	buf_reset(&b);
	score_encode(&s, &b);
	b.data[0] = 1;
	assert_int_equal(score_decode(&d, b.data, b.len - 4 - 38), 0);
	assert_int_equal(d.history.n, 0);
	assert_true(score_warmth(&d, &p, T0 + 9 * DAY) == score_warmth(&s, &p, T0 + 9 * DAY));
	assert_int_equal(score_decode(&d, b.data, b.len), -1); /* v1 with trailing bytes */
	buf_free(&b);
}

/* The parameters a reload may change, all at once. */
static struct score_params test_params_changed(void)
{
	struct score_params p = test_params();

	p.half_life_ms = 3 * DAY;
	p.half_life_type_ms[SCORE_MESSAGE] = 40 * DAY;
	p.deep_mask = 1u << SCORE_REPLY;
	p.reaction_per_post = 0;
	p.repeat_window_ms = 6 * HOUR;
	p.repeat_factor = 0.25;
	return p;
}

/* A complete history rebuilds exactly what a fresh run under the new figures gives. */
static void test_rebuild_complete(void **state)
{
	struct score_params old = test_params(), p = test_params_changed();
	struct score_state s = { 0 }, fresh = { 0 };
	int64_t now = T0 + 70 * DAY;

	(void)state;
	test_rng_state = 7;
	for (int i = 0; i < 120; i++) {
		struct score_event ev = test_event(T0 + (int64_t)(test_rng() % (60 * DAY)),
		                                   (int)(test_rng() % SCORE_TYPE_COUNT),
		                                   (int)(test_rng() % SCORE_ORIGIN_COUNT),
		                                   (uint32_t)(test_rng() % 12));
		score_add(&s, &old, &ev);
		score_history_add(&s.history, &ev, 256);
	}
	score_rescore(&fresh, &p, s.history.events, s.history.n);
	assert_int_equal(score_rebuild(&s, &old, &p), 1);
	assert_int_equal(s.history.n, 120);
	assert_close(score_warmth(&s, &p, now), score_warmth(&fresh, &p, now), 1e-12);
	assert_int_equal(s.engagements, 120);
	assert_int_equal(s.deep, fresh.deep);
	assert_int_equal(s.last_deep_ms, fresh.last_deep_ms);
	assert_int_equal(score_distinct_posts(&s, T0, SCORE_SIDE_IN | SCORE_SIDE_OUT), score_distinct_posts(&fresh, T0, SCORE_SIDE_IN | SCORE_SIDE_OUT));
	/* Back again: the old figures give the old in-order result. */
	score_rescore(&fresh, &old, s.history.events, s.history.n);
	score_rebuild(&s, &p, &old);
	assert_close(score_warmth(&s, &old, now), score_warmth(&fresh, &old, now), 1e-12);
	score_history_free(&s.history);
}

/*
 * Without a history (an older database) the sums are kept as they were
 * at each bucket's time and decay under the new half-life from there; with
 * a cut one, the kept events are rescored and the rest carried over.
 */
static void test_rebuild_partial(void **state)
{
	struct score_params old = test_params(), p = test_params();
	struct score_state s = { 0 }, kept = { 0 };
	struct score_event ev[10];

	(void)state;
	p.half_life_ms = 7 * DAY;
	for (int i = 0; i < 10; i++) {
		ev[i] = test_event(T0 + i * DAY, SCORE_COMMENT, SCORE_FROM_FOLLOWER, (uint32_t)i + 1);
		score_add(&s, &old, &ev[i]);
	}
	double at_last = score_warmth(&s, &old, T0 + 9 * DAY);
	assert_int_equal(score_rebuild(&s, &old, &p), 0);
	assert_close(score_warmth(&s, &p, T0 + 9 * DAY), at_last, 1e-12);
	assert_close(score_warmth(&s, &p, T0 + 16 * DAY), at_last / 2, 1e-12);
	assert_int_equal(s.engagements, 10);
	assert_int_equal(s.deep, 10);
	assert_int_equal(score_distinct_posts(&s, T0, SCORE_SIDE_IN | SCORE_SIDE_OUT), 10);

	/* The newest four kept: those exact, the six older ones carried over. */
	score_init(&s);
	for (int i = 0; i < 10; i++) {
		score_add(&s, &old, &ev[i]);
		score_history_add(&s.history, &ev[i], 4);
	}
	assert_int_equal(score_rebuild(&s, &old, &p), 0);
	score_rescore(&kept, &old, ev, 6);
	double older = score_warmth(&kept, &old, T0 + 9 * DAY);
	score_rescore(&kept, &p, ev + 6, 4);
	assert_close(score_warmth(&s, &p, T0 + 20 * DAY),
	             score_warmth(&kept, &p, T0 + 20 * DAY) + older * exp2(-11.0 / 7.0), 1e-9);
	assert_int_equal(s.engagements, 10);
	assert_int_equal(s.deep, 10);
	assert_int_equal(s.history.n, 4);
	score_history_free(&s.history);
}


/*
 * Bursts: 200 inbound likes and comments in one hour across UTC midnight.
 * Without caps they are two "distinct days"; with 10 an hour, the first ten
 * count (all before midnight) and the rest add nothing, not even a day.
 */
/* score_add of an event built in place. */
static double test_add(struct score_state *s, const struct score_params *p, struct score_event ev)
{
	return score_add(s, p, &ev);
}

static void test_bursts(void **state)
{
	struct score_params p = test_params();
	struct score_state s, uncapped;
	int64_t start = T0 + 23 * HOUR + 30 * 60 * 1000LL; /* 23:30 UTC */

	(void)state;
	p.burst_per_hour = 10;
	p.burst_per_day = 30;
	score_init(&s);
	score_init(&uncapped);
	for (uint32_t i = 0; i < 200; i++) {
		struct score_event ev = test_event(start + i * 18000LL, i % 4 ? SCORE_LIKE : SCORE_COMMENT,
		                                   SCORE_FROM_FOLLOWER, i + 1);
		struct score_params q = test_params();
		double f = score_add(&s, &p, &ev);
		score_add(&uncapped, &q, &ev);
		assert_true(i < 10 ? f > 0 : f == 0.0);
	}
	assert_int_equal(s.counted_in, 10);
	assert_int_equal(s.burst_cut, 190);
	assert_int_equal(s.engagements, 200);
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_IN), 10);
	assert_int_equal(score_distinct_days(&uncapped, &p, 0, SCORE_SIDE_IN), 2);
	/* An hour after it, the day cap still holds (more than 30 fell after midnight); the
	   day after, engagement counts again. */
	assert_true(test_add(&s, &p, test_event(start + 200 * 18000LL + HOUR, SCORE_COMMENT,
	                                        SCORE_FROM_FOLLOWER, 999)) == 0.0);
	assert_true(test_add(&s, &p, test_event(start + 2 * DAY, SCORE_COMMENT, SCORE_FROM_FOLLOWER,
	                                        998)) > 0);
	/* The day cap: 30 a day, spread so that no hour has more than 10. */
	score_init(&s);
	for (uint32_t i = 0; i < 40; i++)
		test_add(&s, &p, test_event(T0 + i * 20 * 60 * 1000LL, SCORE_LIKE, SCORE_FROM_FOLLOWER, i + 1));
	assert_int_equal(s.counted_in, 30);
	assert_int_equal(s.burst_cut, 10);
	/* My own engagement is never capped. */
	score_init(&s);
	for (uint32_t i = 0; i < 40; i++)
		test_add(&s, &p, test_event(T0 + i * 1000LL, SCORE_LIKE, SCORE_OUTBOUND, i + 1));
	assert_int_equal(s.burst_cut, 0);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_OUT), 32);
	/* The caps shape the sums: a change needs a rescore. */
	assert_true(score_params_need_rescore(&p, &(struct score_params){ 0 }));
	{
		struct score_params q = p;
		q.burst_per_day = 31;
		assert_true(score_params_need_rescore(&p, &q));
		q = p;
		q.day_offset_ms = HOUR;
		assert_true(score_params_need_rescore(&p, &q));
	}
}

/* Days are counted in the user's time zone. */
static void test_days_in_zone(void **state)
{
	struct score_params utc = test_params(), cet = test_params();
	struct score_state a, b;
	int64_t late = T0 + 23 * HOUR + 30 * 60 * 1000LL, early = T0 + DAY + 30 * 60 * 1000LL;

	(void)state;
	cet.day_offset_ms = HOUR; /* 23:30 and 00:30 UTC are 00:30 and 01:30 at +01:00 */
	score_init(&a);
	score_init(&b);
	test_add(&a, &utc, test_event(late, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 1));
	test_add(&a, &utc, test_event(early, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 2));
	test_add(&b, &cet, test_event(late, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 1));
	test_add(&b, &cet, test_event(early, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 2));
	assert_int_equal(score_distinct_days(&a, &utc, 0, SCORE_SIDE_IN), 2);
	assert_int_equal(score_distinct_days(&b, &cet, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_day(&utc, -1), -1);
	assert_int_equal(score_day(&cet, T0 + 23 * HOUR), T0 / DAY + 1);
}

/* Their engagement and mine are told apart: warmth, posts, days, deep, value. */
static void test_sides(void **state)
{
	struct score_params p = test_params();
	struct score_state s;

	(void)state;
	p.outbound_factor = 1;
	score_init(&s);
	test_add(&s, &p, test_event(T0, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 1));
	test_add(&s, &p, test_event(T0 + DAY, SCORE_LIKE, SCORE_OUTBOUND, 2));
	test_add(&s, &p, test_event(T0 + 2 * DAY, SCORE_MESSAGE, SCORE_OUTBOUND, 0));
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_OUT), 2);
	assert_int_equal(score_distinct_days(&s, &p, 0, SCORE_SIDE_IN | SCORE_SIDE_OUT), 3);
	assert_int_equal(score_distinct_days(&s, &p, T0 + DAY, SCORE_SIDE_IN | SCORE_SIDE_OUT), 2);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_distinct_posts(&s, 0, SCORE_SIDE_OUT), 1);
	assert_int_equal(score_deep(&s, SCORE_SIDE_IN), 1);
	assert_int_equal(score_deep(&s, SCORE_SIDE_OUT), 1);
	/* A private message is not "giving value"; a comment on their post is. */
	assert_int_equal(s.first_value_ms, 0);
	test_add(&s, &p, test_event(T0 + 3 * DAY, SCORE_COMMENT, SCORE_OUTBOUND, 3));
	assert_int_equal(s.first_value_ms, T0 + 3 * DAY);
	assert_true(fabs(score_warmth_side(&s, &p, SCORE_SIDE_IN, T0) - 2.0) < 1e-9);
	assert_true(fabs(score_warmth_side(&s, &p, SCORE_SIDE_IN, T0 + 3 * DAY) +
	                 score_warmth_side(&s, &p, SCORE_SIDE_OUT, T0 + 3 * DAY) -
	                 score_warmth(&s, &p, T0 + 3 * DAY)) < 1e-9);
	/* The blob keeps all of it. */
	{
		struct score_state d;
		struct buf b = { 0 };
		p.burst_per_hour = 3;
		p.burst_per_day = 5;
		for (int i = 0; i < 6; i++)
			test_add(&s, &p, test_event(T0 + 4 * DAY + i * 1000LL, SCORE_LIKE, SCORE_FROM_FOLLOWER, 10 + i));
		score_encode(&s, &b);
		assert_int_equal(score_decode(&d, b.data, b.len), 0);
		assert_int_equal(d.days_out, s.days_out);
		assert_int_equal(d.days_out_anchor, s.days_out_anchor);
		assert_int_equal(d.deep_out, 2);
		assert_int_equal(d.counted_in, s.counted_in);
		assert_int_equal(d.burst_cut, 3);
		assert_int_equal(d.first_value_ms, T0 + 3 * DAY);
		assert_int_equal(d.nburst, 3);
		assert_memory_equal(d.burst_ring, s.burst_ring, sizeof(s.burst_ring));
		assert_int_equal(d.nburst_days, s.nburst_days);
		assert_int_equal(score_distinct_posts(&d, 0, SCORE_SIDE_OUT), 2);
		score_history_free(&d.history);
		buf_free(&b);
	}
}


/*
 * A version 2 blob (no sides) with its history: the posts I engaged with
 * and (the history being complete) the days are split by side again.
 */
static void test_version2_sides(void **state)
{
	struct score_params p = test_params();
	struct score_state s, d;
	struct buf b = { 0 }, v2 = { 0 };
	struct score_event ev[] = {
		test_event(T0, SCORE_COMMENT, SCORE_FROM_FOLLOWER, 1),
		test_event(T0 + DAY, SCORE_COMMENT, SCORE_OUTBOUND, 2),
	};
	size_t nbuckets, posts_at, tail;

	(void)state;
	score_init(&s);
	for (size_t i = 0; i < 2; i++) {
		score_add(&s, &p, &ev[i]);
		score_history_add(&s.history, &ev[i], 64);
	}
	score_encode(&s, &b);
	/* Version 2: no sides section (38 bytes before the history here), posts without the side bit. */
	tail = 4 + 2 * 14;
	buf_append(&v2, b.data, b.len - tail - 38);
	buf_append(&v2, b.data + b.len - tail, tail);
	v2.data[0] = 2;
	nbuckets = (unsigned char)v2.data[1];
	posts_at = 2 + nbuckets * 17 + 1;
	for (size_t i = 0; i < s.nposts; i++)
		v2.data[posts_at + i * 13 + 4] &= 1;
	assert_int_equal(score_decode(&d, v2.data, v2.len), 0);
	assert_int_equal(score_distinct_posts(&d, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_distinct_posts(&d, 0, SCORE_SIDE_OUT), 1);
	assert_int_equal(score_distinct_days(&d, &p, 0, SCORE_SIDE_IN), 1);
	assert_int_equal(score_distinct_days(&d, &p, 0, SCORE_SIDE_OUT), 1);
	assert_int_equal(d.counted_in, 1);
	score_history_free(&d.history);
	score_history_free(&s.history);
	buf_free(&b);
	buf_free(&v2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mapping),
		cmocka_unit_test(test_single_event),
		cmocka_unit_test(test_known_ages),
		cmocka_unit_test(test_shuffled),
		cmocka_unit_test(test_years),
		cmocka_unit_test(test_weight_change),
		cmocka_unit_test(test_half_life_per_type),
		cmocka_unit_test(test_reaction_per_post),
		cmocka_unit_test(test_post_set_bounded),
		cmocka_unit_test(test_diminishing),
		cmocka_unit_test(test_repeat_order_bound),
		cmocka_unit_test(test_days_and_stats),
		cmocka_unit_test(test_rescore),
		cmocka_unit_test(test_state_blob),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_slides),
		cmocka_unit_test(test_state_blob_history),
		cmocka_unit_test(test_rebuild_complete),
		cmocka_unit_test(test_rebuild_partial),
		cmocka_unit_test(test_bursts),
		cmocka_unit_test(test_days_in_zone),
		cmocka_unit_test(test_sides),
		cmocka_unit_test(test_version2_sides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
