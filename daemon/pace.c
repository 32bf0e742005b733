/*
 * pace.c - a notifier's rate limit, quiet hours and digest boundaries
 * (see pace.h for the contract).
 *
 * Design. The bucket is refilled lazily, at each take, by the time since
 * the last one, so it needs no timer of its own: the outbox asks when a
 * delivery may start and arms its one timer for the answer. Local time is
 * wall time plus an offset in minutes; with the system's time zone the
 * offset is the one in force at the moment asked about (tm_gmtoff), so a
 * change to or from summer time moves quiet hours with the clock.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "warmth/pace.h"

#define PACE_MINUTE_MS (60 * INT64_C(1000))
#define PACE_DAY_MS (1440 * PACE_MINUTE_MS)

void pace_bucket_init(struct pace_bucket *b, uint32_t count, int64_t period_ms, uint32_t burst)
{
	memset(b, 0, sizeof(*b));
	b->count = count;
	b->period_ms = period_ms > 0 ? period_ms : 1;
	b->burst = burst > 0 ? burst : count;
	b->tokens = b->burst;
}

int64_t pace_bucket_take(struct pace_bucket *b, int64_t now)
{
	double per_ms, need;

	if (b->count == 0)
		return 0;
	per_ms = (double)b->count / (double)b->period_ms;
	if (b->updated_ms != 0 && now > b->updated_ms) {
		b->tokens += (double)(now - b->updated_ms) * per_ms;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
	}
	if (b->updated_ms == 0 || now > b->updated_ms)
		b->updated_ms = now;
	/* A hair below 1 is rounding, not a missing token. */
	if (b->tokens >= 1.0 - 1e-9) {
		b->tokens -= 1.0;
		if (b->tokens < 0)
			b->tokens = 0;
		return 0;
	}
	need = (1.0 - b->tokens) / per_ms;
	return now + (int64_t)need + 1; /* rounded up */
}

int64_t pace_bucket_window(const struct pace_bucket *b)
{
	if (b->count == 0)
		return 0;
	return (int64_t)((double)b->period_ms * b->burst / b->count);
}

void pace_bucket_seed(struct pace_bucket *b, uint64_t used, int64_t now)
{
	if (b->count == 0)
		return;
	b->tokens = used >= b->burst ? 0 : (double)(b->burst - used);
	b->updated_ms = now;
}

void pace_bucket_refund(struct pace_bucket *b)
{
	if (b->count == 0)
		return;
	b->tokens += 1.0;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
}

int32_t pace_utc_offset(int32_t offset_min, int64_t now)
{
	time_t t;
	struct tm tm;

	if (offset_min != PACE_LOCAL_OFFSET)
		return offset_min;
	t = (time_t)(now / 1000);
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int32_t)(tm.tm_gmtoff / 60);
}

/* Milliseconds since local midnight, and the wall time of that midnight. */
static int64_t pace_local_day(int32_t offset_min, int64_t now, int64_t *midnight)
{
	int64_t local = now + (int64_t)pace_utc_offset(offset_min, now) * PACE_MINUTE_MS;
	int64_t into = local % PACE_DAY_MS;

	if (into < 0)
		into += PACE_DAY_MS;
	*midnight = now - into;
	return into;
}

int64_t pace_quiet_until(int32_t start_min, int32_t end_min, int32_t offset_min, int64_t now)
{
	int64_t midnight, into, start, end;

	if (start_min < 0 || end_min < 0 || start_min == end_min)
		return 0;
	into = pace_local_day(offset_min, now, &midnight);
	start = start_min * PACE_MINUTE_MS;
	end = end_min * PACE_MINUTE_MS;
	if (start < end)
		return into >= start && into < end ? midnight + end : 0;
	/* Past midnight: quiet from start to the end of the day, and up to end. */
	if (into >= start)
		return midnight + PACE_DAY_MS + end;
	if (into < end)
		return midnight + end;
	return 0;
}

int64_t pace_digest_next(int64_t period_ms, int32_t offset_min, int64_t now)
{
	int64_t off = (int64_t)pace_utc_offset(offset_min, now) * PACE_MINUTE_MS;
	int64_t local = now + off, n;

	if (period_ms <= 0)
		return now;
	n = local / period_ms;
	if (local < 0 && local % period_ms != 0)
		n--;
	return (n + 1) * period_ms - off;
}

int pace_parse_clock(const char *s, size_t len)
{
	int h, m;

	if (len != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int pace_parse_offset(const char *s, int32_t *out)
{
	int clock;

	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0 || strcmp(s, "UTC") == 0) {
		*out = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || (clock = pace_parse_clock(s + 1, strlen(s + 1))) < 0 ||
	    clock > 18 * 60)
		return -1;
	*out = s[0] == '-' ? -clock : clock;
	return 0;
}

double pace_random(uint64_t *rng)
{
	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return (double)((*rng * 2685821657736338717ULL) >> 11) / (double)(1ULL << 53);
}

int64_t pace_backoff(int64_t min_ms, int64_t max_ms, int64_t attempts, uint64_t *rng)
{
	double base = (double)min_ms, lo, hi;

	for (int64_t i = 1; i < attempts && base < (double)max_ms; i++)
		base *= 2;
	if (base > (double)max_ms)
		base = (double)max_ms;
	/*
	 * Up to 25% either way, so that receivers back after an outage are
	 * not hit all at once; but the interval is cut to [min, max] rather
	 * than the draw clamped, so the bounds the config promises hold and
	 * no wait piles up on a bound. Both ends grow with base: for the
	 * same draw a later wait is never shorter.
	 */
	lo = base * 0.75 < (double)min_ms ? (double)min_ms : base * 0.75;
	hi = base * 1.25 > (double)max_ms ? (double)max_ms : base * 1.25;
	/* Truncation keeps an integer bound: lo >= min_ms gives >= min_ms. */
	return (int64_t)(lo + (hi - lo) * pace_random(rng));
}
