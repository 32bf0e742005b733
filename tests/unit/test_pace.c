/*
 * test_pace.c - the token bucket, quiet hours, digest boundaries and retry
 * backoff of pace.c, on a clock the tests set (fixed UTC offsets, so the
 * machine's time zone plays no part).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/pace.h"

#define MIN (60 * INT64_C(1000))
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
/* 2026-11-03T00:00:00Z, a UTC midnight. */
#define T0 (INT64_C(1793664000) * 1000)

static void test_bucket(void **state)
{
	struct pace_bucket b;
	int64_t now = T0, t;

	(void)state;
	pace_bucket_init(&b, 2, 1000, 0); /* 2 a second, burst 2 */
	assert_int_equal(pace_bucket_take(&b, now), 0);
	assert_int_equal(pace_bucket_take(&b, now), 0);
	t = pace_bucket_take(&b, now);
	/* One token every 500 ms. */
	assert_true(t > now + 490 && t <= now + 502);
	assert_int_equal(pace_bucket_take(&b, now + 250), now + 250 + 251);
	assert_int_equal(pace_bucket_take(&b, t), 0);
	assert_true(pace_bucket_take(&b, t) > t);
	/* A long pause fills it up to the burst, not beyond. */
	now = t + 60000;
	assert_int_equal(pace_bucket_take(&b, now), 0);
	assert_int_equal(pace_bucket_take(&b, now), 0);
	assert_true(pace_bucket_take(&b, now) > now);
	/* The clock going back refills nothing. */
	assert_true(pace_bucket_take(&b, now - 5000) > now - 5000);
	pace_bucket_refund(&b);
	assert_int_equal(pace_bucket_take(&b, now), 0);
}

static void test_bucket_unlimited_and_burst(void **state)
{
	struct pace_bucket b;

	(void)state;
	pace_bucket_init(&b, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(pace_bucket_take(&b, T0), 0);
	assert_int_equal(pace_bucket_window(&b), 0);
	pace_bucket_init(&b, 10, HOUR, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pace_bucket_take(&b, T0), 0);
	assert_int_equal(pace_bucket_take(&b, T0), T0 + 6 * MIN + 1);
	assert_int_equal(pace_bucket_window(&b), 18 * MIN);
}

static void test_bucket_seed(void **state)
{
	struct pace_bucket b;

	(void)state;
	pace_bucket_init(&b, 2, HOUR, 0);
	pace_bucket_seed(&b, 5, T0); /* more than the burst went out lately */
	assert_int_equal(pace_bucket_take(&b, T0), T0 + 30 * MIN + 1);
	pace_bucket_init(&b, 2, HOUR, 0);
	pace_bucket_seed(&b, 1, T0);
	assert_int_equal(pace_bucket_take(&b, T0), 0);
	assert_true(pace_bucket_take(&b, T0) > T0);
}

static void test_quiet_hours(void **state)
{
	(void)state;
	/* 22:00-07:00 UTC wraps past midnight. */
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 0, T0 + 23 * HOUR), T0 + DAY + 7 * HOUR);
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 0, T0 + 3 * HOUR), T0 + 7 * HOUR);
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 0, T0 + 22 * HOUR), T0 + DAY + 7 * HOUR);
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 0, T0 + 7 * HOUR), 0);
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 0, T0 + 12 * HOUR), 0);
	/* Within one day: 12:00-13:30. */
	assert_int_equal(pace_quiet_until(12 * 60, 13 * 60 + 30, 0, T0 + 13 * HOUR), T0 + 13 * HOUR + 30 * MIN);
	assert_int_equal(pace_quiet_until(12 * 60, 13 * 60 + 30, 0, T0 + 14 * HOUR), 0);
	/* In UTC+02:00, 23:00 local is 21:00 UTC; the end 07:00 local is 05:00 UTC. */
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 120, T0 + 21 * HOUR), T0 + DAY + 5 * HOUR);
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, 120, T0 + 19 * HOUR), 0);
	/* West of UTC: -05:30; 06:00 local is 11:30 UTC. */
	assert_int_equal(pace_quiet_until(22 * 60, 7 * 60, -330, T0 + 11 * HOUR + 30 * MIN),
	                 T0 + 12 * HOUR + 30 * MIN);
	/* None. */
	assert_int_equal(pace_quiet_until(-1, -1, 0, T0), 0);
}

static void test_digest_next(void **state)
{
	(void)state;
	assert_int_equal(pace_digest_next(DAY, 0, T0), T0 + DAY);
	assert_int_equal(pace_digest_next(DAY, 0, T0 + 5 * HOUR), T0 + DAY);
	assert_int_equal(pace_digest_next(12 * HOUR, 0, T0 + 5 * HOUR), T0 + 12 * HOUR);
	/* Local midnight at UTC+01:00 is 23:00 UTC. */
	assert_int_equal(pace_digest_next(DAY, 60, T0 + 5 * HOUR), T0 + 23 * HOUR);
	assert_int_equal(pace_digest_next(DAY, 60, T0 + 23 * HOUR), T0 + 47 * HOUR);
	assert_int_equal(pace_digest_next(1000, 0, T0 + 1500), T0 + 2000);
}

static void test_parse(void **state)
{
	int32_t off;

	(void)state;
	assert_int_equal(pace_parse_clock("00:00", 5), 0);
	assert_int_equal(pace_parse_clock("23:59", 5), 23 * 60 + 59);
	assert_int_equal(pace_parse_clock("24:00", 5), -1);
	assert_int_equal(pace_parse_clock("7:00", 4), -1);
	assert_int_equal(pace_parse_clock("07:60", 5), -1);
	assert_int_equal(pace_parse_offset("+01:00", &off), 0);
	assert_int_equal(off, 60);
	assert_int_equal(pace_parse_offset("-05:30", &off), 0);
	assert_int_equal(off, -330);
	assert_int_equal(pace_parse_offset("UTC", &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(pace_parse_offset("+18:01", &off), -1);
	assert_int_equal(pace_parse_offset("01:00", &off), -1);
	assert_int_equal(pace_utc_offset(90, T0), 90);
}

/* The bound pairs the backoff is tried with: equal, tight, the defaults, wide, odd. */
static const int64_t backoff_bounds[][2] = {
	{ 1000, 4000 }, { 1000, 1000 }, { 10, 10 }, { 10, 24 * 3600 * 1000 },
	{ 1000, 300 * 1000 }, { 3000, 4000 }, { 999, 1001 }, { 3600 * 1000, 24 * 3600 * 1000 },
	{ 7, 7777 },
};

/*
 * Every wait, for every seed and attempt, is within [min, max]; with the
 * same draw a later attempt never waits less; and the mean over many
 * seeds does not fall from one attempt to the next.
 */
static void test_backoff_bounds(void **state)
{
	enum { SEEDS = 2000, ATTEMPTS = 40 };

	(void)state;
	for (size_t k = 0; k < sizeof(backoff_bounds) / sizeof(backoff_bounds[0]); k++) {
		int64_t min = backoff_bounds[k][0], max = backoff_bounds[k][1];
		double mean_before = 0;

		for (int64_t attempts = 1; attempts <= ATTEMPTS; attempts++) {
			double sum = 0;
			for (uint64_t seed = 1; seed <= SEEDS; seed++) {
				uint64_t rng = seed * 0x9e3779b97f4a7c15ULL | 1, same = rng;
				int64_t wait = pace_backoff(min, max, attempts, &rng);
				assert_true(wait >= min);
				assert_true(wait <= max);
				if (attempts > 1)
					assert_true(pace_backoff(min, max, attempts - 1, &same) <= wait);
				sum += (double)wait;
			}
			assert_true(sum / SEEDS >= mean_before * 0.99); /* sampling noise only */
			mean_before = sum / SEEDS;
		}
	}
}

/* The doubling and the 25% either side: the case of the report (1s, 4s). */
static void test_backoff_shape(void **state)
{
	int64_t lowest[6], highest[6];

	(void)state;
	for (int64_t attempts = 1; attempts <= 5; attempts++) {
		lowest[attempts] = INT64_MAX, highest[attempts] = 0;
		for (uint64_t seed = 1; seed <= 5000; seed++) {
			uint64_t rng = seed * 0x9e3779b97f4a7c15ULL | 1;
			int64_t wait = pace_backoff(1000, 4000, attempts, &rng);
			lowest[attempts] = wait < lowest[attempts] ? wait : lowest[attempts];
			highest[attempts] = wait > highest[attempts] ? wait : highest[attempts];
		}
	}
	/* 1s: [1, 1.25]; 2s: [1.5, 2.5]; 4s and later: [3, 4]. */
	assert_true(lowest[1] == 1000 && highest[1] >= 1230 && highest[1] < 1250);
	assert_true(lowest[2] < 1520 && lowest[2] >= 1500 && highest[2] >= 2480 && highest[2] < 2500);
	for (int attempts = 3; attempts <= 5; attempts++)
		assert_true(lowest[attempts] < 3020 && lowest[attempts] >= 3000 && highest[attempts] >= 3980 &&
		            highest[attempts] <= 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_bucket_unlimited_and_burst),
		cmocka_unit_test(test_bucket_seed),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_digest_next),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_backoff_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
