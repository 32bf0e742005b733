/*
 * test_ratio.c - unit tests for daemon/ratio.c: the ratio against each
 * role's band, cap usage, acceptance and conversion rates, the median of
 * days to convert, engagement by origin over 7 and 30 days (in any
 * order), when "ratio" and "cap" notices are due (once per audit period),
 * and the blob.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/ratio.h"

#define DAY (86400LL * 1000)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_engagement),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_blob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
