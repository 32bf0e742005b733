/*
 * test_ratio.c - unit tests for daemon/ratio.c: the ratio against each
 * role's band, cap usage, acceptance and conversion rates, the median of
 * days to convert, engagement by origin over 7 and 30 days (in any
 * order), when "ratio" and "cap" notices are due (once per audit period),
 * acceptance per segment, the first-hour share of connections, counts
 * between snapshots, and the blob (version 2, and 1 still read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/ratio.h"

#define DAY (86400LL * 1000)
#define HOUR (3600LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

static struct ratio_params test_params(int role)
{
	struct ratio_params p = { .role = role, .cap_warning = 0.9, .audit_period_ms = 30 * DAY };

	p.bands[RATIO_THOUGHT_LEADER] = (struct ratio_band){ 3, 5 };
	p.bands[RATIO_CONSULTANT] = (struct ratio_band){ 1.5, 2 };
	p.bands[RATIO_BUSINESS_DEVELOPER] = (struct ratio_band){ 1, 1.5 };
	p.bands[RATIO_EARLY_CAREER] = (struct ratio_band){ 0.8, 1 };
	return p;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ratio_role_name(RATIO_THOUGHT_LEADER), "thought_leader");
	assert_string_equal(ratio_role_name(RATIO_EARLY_CAREER), "early_career");
	assert_null(ratio_role_name(RATIO_ROLE_COUNT));
	assert_string_equal(ratio_position_name(RATIO_IN_BAND), "in_band");
	assert_string_equal(ratio_position_name(RATIO_UNKNOWN), "unknown");
}

static void test_position(void **state)
{
	static const struct {
		int role;
		int64_t followers, connections;
		enum ratio_position want;
	} cases[] = {
		{ RATIO_THOUGHT_LEADER, 4000, 1000, RATIO_IN_BAND },
		{ RATIO_THOUGHT_LEADER, 2999, 1000, RATIO_BELOW },
		{ RATIO_THOUGHT_LEADER, 5000, 1000, RATIO_IN_BAND }, /* the band is inclusive */
		{ RATIO_THOUGHT_LEADER, 5001, 1000, RATIO_ABOVE },
		{ RATIO_CONSULTANT, 1500, 1000, RATIO_IN_BAND },
		{ RATIO_BUSINESS_DEVELOPER, 1600, 1000, RATIO_ABOVE },
		{ RATIO_EARLY_CAREER, 790, 1000, RATIO_BELOW },
		{ RATIO_EARLY_CAREER, 900, 0, RATIO_UNKNOWN },       /* no connections: no ratio */
		{ RATIO_EARLY_CAREER, -1, 1000, RATIO_UNKNOWN },
	};
	struct ratio_account acc = { 0 };
	struct ratio_metrics m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ratio_params p = test_params(cases[i].role);
		ratio_compute(&p, 30000, cases[i].followers, cases[i].connections, &acc, T0, &m);
		assert_int_equal(m.position, cases[i].want);
		assert_true(m.target_min == p.bands[cases[i].role].min && m.target_max == p.bands[cases[i].role].max);
		if (cases[i].want != RATIO_UNKNOWN)
			assert_true(m.ratio == (double)cases[i].followers / cases[i].connections);
		else
			assert_true(m.ratio == -1);
	}
	{
		struct ratio_params p = test_params(RATIO_CONSULTANT);
		ratio_compute(&p, 30000, 100, 27000, &acc, T0, &m);
		assert_true(m.cap_usage == 0.9);
		assert_int_equal(m.cap, 30000);
		ratio_compute(&p, 30000, 100, -1, &acc, T0, &m);
		assert_true(m.cap_usage == -1);
		assert_true(m.acceptance_rate == -1 && m.conversion_rate == -1 && m.median_convert_days == -1);
	}
}

static void test_rates(void **state)
{
	struct ratio_params p = test_params(RATIO_CONSULTANT);
	struct ratio_account acc = { 0 };
	struct ratio_metrics m;
	struct ratio_invites seg = { .sent = 4, .accepted = 1, .declined = 2 };

	(void)state;
	assert_true(ratio_acceptance_rate(&seg) == 0.25);
	acc.invites = (struct ratio_invites){ .sent = 10, .accepted = 3, .declined = 1, .withdrawn = 1 };
	acc.followers_gained = 8;
	ratio_note_conversion(&acc, T0, T0 + 3 * DAY);
	ratio_note_conversion(&acc, T0, T0 + 10 * DAY + 5);
	ratio_compute(&p, 30000, 2000, 1000, &acc, T0, &m);
	assert_true(m.acceptance_rate == 0.3);
	assert_true(m.conversion_rate == 0.25);
	assert_true(m.median_convert_days == 6.5);
	ratio_note_conversion(&acc, T0, T0 + 400 * DAY);
	ratio_note_conversion(&acc, T0 + DAY, T0); /* connected before the follow: 0 days */
	assert_true(ratio_median_convert_days(&acc) == 6.5);
	ratio_note_conversion(&acc, T0, T0 + 500 * DAY);
	assert_true(ratio_median_convert_days(&acc) == 10);
	assert_int_equal(acc.convert_days[RATIO_CONVERT_BUCKETS - 1], 2);
}

/* Engagement by origin over 7 and 30 days, in any order; old days give way to new ones. */
static void test_engagement(void **state)
{
	struct ratio_params p = test_params(RATIO_CONSULTANT);
	struct ratio_account a = { 0 }, b = { 0 };
	struct ratio_metrics m;
	static const int days[] = { 0, 1, 1, 5, 20, 24, 29, 29, 29, 40 };
	uint32_t conn, fol;
	int64_t now = T0 + 29 * DAY + 3600 * 1000;

	(void)state;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		ratio_note_engagement(&a, T0 + days[i] * DAY, (int)(i % 2));
	for (size_t i = sizeof(days) / sizeof(days[0]); i-- > 0;)
		ratio_note_engagement(&b, T0 + days[i] * DAY, (int)(i % 2));
	/* Day 40 took over day 8's slot; days 0..29 are otherwise all kept. */
	ratio_engagement(&a, now, 7, &conn, &fol);
	assert_int_equal(conn + fol, 4); /* days 24, 29, 29, 29 */
	assert_int_equal(conn, 2);
	ratio_engagement(&a, now, 30, &conn, &fol);
	assert_int_equal(conn + fol, 9);
	ratio_engagement(&b, now, 30, &conn, &fol);
	assert_int_equal(conn + fol, 9);
	assert_memory_equal(a.days, b.days, sizeof(a.days));
	/* A day older than the one in its slot is dropped, not mixed in. */
	ratio_note_engagement(&a, T0 + 8 * DAY, 1);
	assert_memory_equal(a.days, b.days, sizeof(a.days));

	ratio_compute(&p, 30000, 400, 200, &a, now, &m);
	assert_true(m.engagement_rate_connections_7d == 2.0 / 200);
	assert_true(m.engagement_rate_followers_7d == 2.0 / 400);
}

static void test_due(void **state)
{
	struct ratio_params p = test_params(RATIO_CONSULTANT);
	struct ratio_account acc = { 0 };
	struct ratio_metrics m;

	(void)state;
	ratio_compute(&p, 30000, 1800, 1000, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0), 0);
	ratio_compute(&p, 30000, 900, 1000, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0), RATIO_NOTICE_RATIO);
	ratio_notified(&acc, RATIO_NOTICE_RATIO, T0);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + 29 * DAY), 0);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + 30 * DAY), RATIO_NOTICE_RATIO);

	ratio_compute(&p, 30000, 50000, 26999, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + DAY), 0);
	ratio_compute(&p, 30000, 50000, 27000, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + DAY), RATIO_NOTICE_CAP);
	ratio_compute(&p, 30000, 10000, 27000, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + 30 * DAY), RATIO_NOTICE_CAP | RATIO_NOTICE_RATIO);
	ratio_notified(&acc, RATIO_NOTICE_CAP | RATIO_NOTICE_RATIO, T0 + 30 * DAY);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + 59 * DAY), 0);
	assert_int_equal(acc.cap_notified_ms, T0 + 30 * DAY);
	/* Unknown counts say nothing. */
	ratio_compute(&p, 30000, -1, -1, &acc, T0, &m);
	assert_int_equal(ratio_due(&p, &m, &acc, T0 + 365 * DAY), 0);
}

static void test_blob(void **state)
{
	struct ratio_account a = { 0 }, d;
	struct buf b = { 0 };

	(void)state;
	ratio_encode(&a, &b);
	assert_int_equal(ratio_decode(&d, b.data, b.len), 0);
	assert_memory_equal(&d, &a, sizeof(a));
	buf_reset(&b);
	a.invites = (struct ratio_invites){ 9, 4, 2, 1 };
	a.followers_gained = 30;
	ratio_note_conversion(&a, T0, T0 + 2 * DAY);
	ratio_note_conversion(&a, T0, T0 + 900 * DAY);
	ratio_note_engagement(&a, T0 + 3 * DAY, 1);
	ratio_note_engagement(&a, T0 + 40 * DAY, 0);
	ratio_notified(&a, RATIO_NOTICE_CAP, T0 + 5);
	ratio_note_invite(&a, "peer", RATIO_SENT);
	ratio_note_invite(&a, "senior_executive", RATIO_ACCEPTED);
	ratio_note_post(&a, 77, T0, 1, HOUR);
	ratio_note_delta(&a, T0, T0 + 1, -3, 2);
	ratio_encode(&a, &b);
	memset(&d, 0x5a, sizeof(d));
	assert_int_equal(ratio_decode(&d, b.data, b.len), 0);
	assert_memory_equal(&d, &a, sizeof(a));
	for (size_t len = 0; len <= b.len + 1; len++) {
		char *copy;
		if (len == b.len)
			continue;
		copy = calloc(1, b.len + 1);
		memcpy(copy, b.data, b.len);
		assert_int_equal(ratio_decode(&d, copy, len), -1);
		assert_int_equal(d.conversions, 0);
		assert_int_equal(d.days[3].from_connections, 0);
		free(copy);
	}
	b.data[0] = 0;
	assert_int_equal(ratio_decode(&d, b.data, b.len), -1);
	buf_free(&b);
}

/* Version 1 (no segments, posts or deltas) and 2 (no gains) blobs still decode. */
static void test_blob_version_1(void **state)
{
	struct ratio_account a = { 0 }, d;
	struct buf b = { 0 };

	(void)state;
	a.invites = (struct ratio_invites){ 3, 1, 1, 0 };
	ratio_note_engagement(&a, T0, 1);
	ratio_encode(&a, &b);
	/* Version 3 adds a count of gains (none here): version 2 is one byte shorter. */
	b.data[0] = 2;
	assert_int_equal(ratio_decode(&d, b.data, b.len - 1), 0);
	assert_int_equal(d.invites.sent, 3);
	assert_int_equal(ratio_decode(&d, b.data, b.len), -1);
	/* Version 2 adds a segment count, a post count and 16 bytes of deltas. */
	b.data[0] = 1;
	assert_int_equal(ratio_decode(&d, b.data, b.len - 1 - 18), 0);
	assert_int_equal(d.invites.sent, 3);
	assert_int_equal(d.days[(T0 / DAY) % RATIO_DAYS].from_connections, 1);
	assert_int_equal(d.nsegments, 0);
	assert_int_equal(ratio_decode(&d, b.data, b.len), -1);
	buf_free(&b);
}

static void test_acceptance_by_segment(void **state)
{
	struct ratio_account a = { 0 };
	char name[RATIO_SEGMENT_NAME_MAX + 8];

	(void)state;
	ratio_note_invite(&a, "peer", RATIO_SENT);
	ratio_note_invite(&a, "peer", RATIO_SENT);
	ratio_note_invite(&a, "peer", RATIO_ACCEPTED);
	ratio_note_invite(&a, "peer", RATIO_ACCEPTED);
	ratio_note_invite(&a, "influencer", RATIO_SENT);
	ratio_note_invite(&a, "influencer", RATIO_WITHDRAWN);
	ratio_note_invite(&a, NULL, RATIO_DECLINED);
	assert_int_equal(a.invites.sent, 3);
	assert_int_equal(a.invites.declined, 1);
	assert_true(ratio_acceptance_rate(ratio_segment_invites(&a, "peer")) == 1.0);
	ratio_note_invite(&a, "peer", RATIO_SENT);
	assert_int_equal(ratio_segment_invites(&a, "influencer")->withdrawn, 1);
	assert_true(ratio_acceptance_rate(ratio_segment_invites(&a, "influencer")) == 0.0);
	assert_null(ratio_segment_invites(&a, "client"));
	/* Full (only renames get there): the least used entry makes room. */
	for (int i = 0; i < RATIO_SEGMENTS_MAX; i++) {
		snprintf(name, sizeof(name), "old%d", i);
		ratio_note_invite(&a, name, RATIO_SENT);
		ratio_note_invite(&a, name, RATIO_SENT);
	}
	/* influencer (1 sent) made room for old30, then old30 (2, first of the least) for old31. */
	assert_int_equal(a.nsegments, RATIO_SEGMENTS_MAX);
	assert_null(ratio_segment_invites(&a, "influencer"));
	assert_null(ratio_segment_invites(&a, "old30"));
	assert_non_null(ratio_segment_invites(&a, "peer"));
	assert_int_equal(ratio_segment_invites(&a, "peer")->sent, 3);
	assert_int_equal(ratio_segment_invites(&a, "old31")->sent, 2);
}

static void test_first_hour(void **state)
{
	struct ratio_params p = test_params(RATIO_CONSULTANT);
	struct ratio_account a = { 0 };
	struct ratio_first_hour fh;

	(void)state;
	p.first_hour_ms = HOUR;
	p.first_hour_posts = 20;
	ratio_first_hour(&p, &a, T0, &fh);
	assert_int_equal(fh.posts, 0);
	assert_true(fh.median < 0 && fh.mean < 0);
	/* Post 1: 1 of 4 within its hour from a connection; the later one does not count. */
	ratio_note_post(&a, 1, T0 + 10, 0, HOUR);
	ratio_note_post(&a, 1, T0 + 20, 1, HOUR);
	ratio_note_post(&a, 1, T0 + HOUR - 1, 0, HOUR);
	ratio_note_post(&a, 1, T0 + HOUR + 10, 1, HOUR);
	/* Late and earlier than its first: the window starts earlier. */
	ratio_note_post(&a, 1, T0, 0, HOUR);
	assert_int_equal(a.posts[0].early, 4);
	assert_int_equal(a.posts[0].early_connections, 1);
	assert_int_equal(a.posts[0].first_ms, T0);
	/* Post 2: all from connections; post 3: its hour is still open. */
	ratio_note_post(&a, 2, T0 + DAY, 1, HOUR);
	ratio_note_post(&a, 3, T0 + 2 * DAY, 0, HOUR);
	ratio_first_hour(&p, &a, T0 + 2 * DAY + 10, &fh);
	assert_int_equal(fh.posts, 2);
	assert_true(fh.median == 0.625 && fh.mean == 0.625);
	ratio_first_hour(&p, &a, T0 + 2 * DAY + HOUR, &fh);
	assert_int_equal(fh.posts, 3);
	assert_true(fh.median == 0.25);
	assert_true(fh.mean == (0.25 + 1.0 + 0.0) / 3);
	/* Only the newest first_hour_posts. */
	p.first_hour_posts = 1;
	ratio_first_hour(&p, &a, T0 + 3 * DAY, &fh);
	assert_int_equal(fh.posts, 1);
	assert_true(fh.median == 0.0);
	/* Bounded: the posts first engaged with longest ago make room. */
	for (uint32_t i = 0; i < RATIO_POSTS_MAX; i++)
		ratio_note_post(&a, 100 + i, T0 + 3 * DAY + i, 1, HOUR);
	assert_int_equal(a.nposts, RATIO_POSTS_MAX);
	for (uint32_t i = 0; i < a.nposts; i++)
		assert_true(a.posts[i].hash >= 100);
	ratio_note_post(&a, 1, T0, 1, HOUR); /* older than every post kept: ignored */
	for (uint32_t i = 0; i < a.nposts; i++)
		assert_true(a.posts[i].hash != 1);
}

static void test_deltas(void **state)
{
	struct ratio_account a = { 0 };
	int64_t f, c;

	(void)state;
	/* Before any snapshot the counts are unknown, deltas or not. */
	ratio_note_delta(&a, 0, T0, 1, 1);
	ratio_current(&a, 0, -1, -1, &f, &c);
	assert_true(f == -1 && c == -1);
	/* A snapshot at T0: events at or before it are in it already. */
	ratio_note_delta(&a, T0, T0, 1, 0);
	ratio_note_delta(&a, T0, T0 + 1, 1, 0);
	ratio_note_delta(&a, T0, T0 + 2, 1, 1);
	ratio_note_delta(&a, T0, T0 + 3, -1, 0);
	ratio_current(&a, T0, 100, 50, &f, &c);
	assert_true(f == 101 && c == 51);
	/* A newer snapshot: the old deltas no longer apply, then start again. */
	ratio_current(&a, T0 + DAY, 110, 60, &f, &c);
	assert_true(f == 110 && c == 60);
	ratio_note_delta(&a, T0 + DAY, T0 + DAY + 1, 0, -1);
	ratio_current(&a, T0 + DAY, 110, 60, &f, &c);
	assert_true(f == 110 && c == 59);
	/* Never below zero. */
	ratio_current(&a, T0 + DAY, 0, 0, &f, &c);
	assert_true(f == 0 && c == 0);
}

/* Counts near INT64_MAX (a database from before the format bounded them)
   and deltas beyond int32_t saturate instead of overflowing (UBSan). */
static void test_deltas_saturate(void **state)
{
	struct ratio_account a = { 0 };
	struct ratio_params p = test_params(0);
	struct ratio_metrics m;
	int64_t f, c;

	(void)state;
	ratio_note_delta(&a, T0, T0 + 1, 5, 5);
	ratio_current(&a, T0, INT64_MAX - 2, INT64_MAX, &f, &c);
	assert_true(f == INT64_MAX && c == INT64_MAX);
	ratio_compute(&p, 30000, f, c, &a, T0, &m);
	assert_true(m.followers == INT64_MAX && m.ratio == 1.0);
	for (int i = 0; i < 3; i++)
		ratio_note_delta(&a, T0, T0 + 2, INT32_MAX, -INT32_MAX);
	assert_true(a.followers_delta == INT32_MAX && a.connections_delta == INT32_MIN);
	ratio_current(&a, T0, 10, 10, &f, &c);
	assert_true(f == 10 + (int64_t)INT32_MAX && c == 0);
}

static void test_advice(void **state)
{
	static const struct {
		const char *what;
		int role;
		int64_t followers, connections;
		double gf, gc;
		enum ratio_advice_kind kind;
		int64_t more;
		const char *words;
	} cases[] = {
		{ "too few connections", RATIO_CONSULTANT, 2820, 1000, 0, 12, RATIO_ADVICE_CONNECTIONS, 410,
		  "about 410 more connections would bring you to 2.0 (consultant); at your current growth "
		  "of 12 connections a week, about 8 months" },
		{ "the example of the issue", RATIO_CONSULTANT, 3960, 1000, 0, 12, RATIO_ADVICE_CONNECTIONS,
		  980, "about 980 more connections would bring you to 2.0 (consultant); at your current "
		  "growth of 12 connections a week, about 19 months" },
		{ "followers grow faster than twice the connections", RATIO_CONSULTANT, 2820, 1000, 30, 12,
		  RATIO_ADVICE_CONNECTIONS, 410,
		  "about 410 more connections would bring you to 2.0 (consultant); at your current pace "
		  "this will not happen (connections grow by 12 a week, followers by 30); send the "
		  "invitations warmthctl plan lists each week" },
		{ "too few followers", RATIO_EARLY_CAREER, 500, 1000, 10, 5, RATIO_ADVICE_FOLLOWERS, 300,
		  "about 300 more followers would bring you to 0.8 (early-career professional); at your "
		  "current growth of 10 followers a week, about 11 months" },
		{ "weeks, not months", RATIO_EARLY_CAREER, 790, 1000, 2.5, 0, RATIO_ADVICE_FOLLOWERS, 10,
		  "about 10 more followers would bring you to 0.8 (early-career professional); at your "
		  "current growth of 2.5 followers a week, about 4 weeks" },
		{ "years", RATIO_THOUGHT_LEADER, 1000, 1000, 10, 0, RATIO_ADVICE_FOLLOWERS, 2000,
		  "about 2000 more followers would bring you to 3.0 (thought leader); at your current "
		  "growth of 10 followers a week, about 3.8 years" },
		{ "nothing grows", RATIO_BUSINESS_DEVELOPER, 10, 1000, 0, 0, RATIO_ADVICE_FOLLOWERS, 990,
		  "about 990 more followers would bring you to 1.0 (business developer); at your current "
		  "pace this will not happen (followers grow by 0 a week, connections by 0); post "
		  "regularly and answer the comments to gain followers, and invite fewer people until "
		  "the ratio is back in the band" },
		{ "within the band", RATIO_CONSULTANT, 1800, 1000, 0, 12, RATIO_ADVICE_NONE, 0, "" },
		/* Never advice that cannot be followed: past the connection cap (30000 here). */
		{ "beyond the connection cap", RATIO_CONSULTANT, 100000, 20000, 10, 50, RATIO_ADVICE_CONNECTIONS,
		  30000, "2.0 (consultant) is out of reach: it would take about 30000 more connections, and "
		  "the connection limit leaves room for 10000 (at the limit your ratio would be 3.3)" },
		/* Nor a pace of millions of years (past network.advice_horizon, ten years). */
		{ "past the horizon", RATIO_CONSULTANT, 6000, 2000, 10, 5.00001, RATIO_ADVICE_CONNECTIONS, 1000,
		  "about 1000 more connections would bring you to 2.0 (consultant); at your current pace "
		  "this will not happen (connections grow by 5 a week, followers by 10); send the "
		  "invitations warmthctl plan lists each week" },
		{ "one a week", RATIO_CONSULTANT, 2010, 1000, 0, 1, RATIO_ADVICE_CONNECTIONS, 5,
		  "about 5 more connections would bring you to 2.0 (consultant); at your current growth "
		  "of 1 connection a week, about 5 weeks" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ratio_params p = test_params(cases[i].role);
		struct ratio_account acc = { 0 };
		struct ratio_metrics m;
		struct ratio_advice a;

		p.advice_horizon_ms = 3650 * DAY;
		struct buf words = { 0 };

		ratio_compute(&p, 30000, cases[i].followers, cases[i].connections, &acc, T0, &m);
		m.followers_per_week = cases[i].gf;
		m.connections_per_week = cases[i].gc;
		ratio_advise(&m, &a);
		ratio_advice_words(&a, cases[i].role, &words);
		if (a.kind != cases[i].kind || a.more != cases[i].more ||
		    strcmp(words.len ? buf_cstr(&words) : "", cases[i].words) != 0)
			fail_msg("%s: kind %d, %lld more, \"%s\"", cases[i].what, a.kind, (long long)a.more,
			         words.len ? buf_cstr(&words) : "");
		buf_free(&words);
	}
}

static void test_growth(void **state)
{
	struct ratio_params p = test_params(RATIO_CONSULTANT);
	struct ratio_account *acc = calloc(1, sizeof(*acc)), *d = calloc(1, sizeof(*d));
	struct ratio_metrics m;
	struct buf blob = { 0 };

	(void)state;
	p.growth_window_ms = 28 * DAY;
	/* 48 connections and 8 followers over four weeks, one follower lost; and older ones. */
	for (int i = 0; i < 48; i++)
		ratio_note_delta(acc, 0, T0 + (i % 28) * DAY + HOUR, 0, 1);
	for (int i = 0; i < 8; i++)
		ratio_note_delta(acc, 0, T0 + i * DAY, 1, 0);
	ratio_note_delta(acc, 0, T0 + 5 * DAY, -1, 0);
	ratio_note_delta(acc, 0, T0 - 3 * DAY, 0, 1); /* before the window */
	ratio_compute(&p, 30000, 2820, 1000, acc, T0 + 27 * DAY + 2 * HOUR, &m);
	assert_true(m.connections_per_week == 12.0);
	assert_true(m.followers_per_week == 1.75);
	/* A week later the first week has left the window. */
	ratio_compute(&p, 30000, 2820, 1000, acc, T0 + 34 * DAY + 2 * HOUR, &m);
	assert_true(m.connections_per_week == 8.5); /* days 7 to 27: 34 */

	ratio_encode(acc, &blob);
	assert_int_equal(ratio_decode(d, blob.data, blob.len), 0);
	assert_memory_equal(d->gains, acc->gains, sizeof(acc->gains));
	buf_free(&blob);
	free(acc);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_advice),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_engagement),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_blob_version_1),
		cmocka_unit_test(test_acceptance_by_segment),
		cmocka_unit_test(test_first_hour),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_deltas_saturate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
