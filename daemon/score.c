/*
 * score.c - per-contact engagement score: decayed sums per (type, origin)
 * bucket, anti-inflation (one reaction per post, diminishing repeats),
 * breadth statistics, rescoring from history, and the blobs (see score.h
 * for the model and where order matters).
 *
 * Everything is plain arithmetic on a flat struct. The decay uses exp2()
 * of a non-positive exponent only, so a factor is always in [0, 1]: very
 * old events underflow harmlessly to 0 and nothing can overflow.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/score.h"

#include "blob.h"

#define SCORE_BLOB_VERSION 3 /* 2: no sides, no bursts; 1: nor the history */
#define SCORE_HISTORY_VERSION 1
#define SCORE_DAY_MS INT64_C(86400000)

static const char *const score_type_names[SCORE_TYPE_COUNT] = {
	[SCORE_LIKE] = "like",       [SCORE_COMMENT] = "comment", [SCORE_REPLY] = "reply",
	[SCORE_SHARE] = "share",     [SCORE_MENTION] = "mention", [SCORE_MESSAGE] = "message",
	[SCORE_PROFILE_VIEW] = "profile_view",
};

int score_type_of(enum event_type type)
{
	if (type < EVENT_LIKE || type > EVENT_PROFILE_VIEW)
		return -1;
	return (int)type - EVENT_LIKE;
}

const char *score_type_name(enum score_type type)
{
	if ((unsigned)type >= SCORE_TYPE_COUNT)
		return NULL;
	return score_type_names[type];
}

int score_type_from_name(const char *name)
{
	for (int i = 0; i < SCORE_TYPE_COUNT; i++)
		if (strcmp(score_type_names[i], name) == 0)
			return i;
	return -1;
}

int64_t score_half_life(const struct score_params *p, enum score_type type)
{
	int64_t h = p->half_life_type_ms[type];

	return h > 0 ? h : p->half_life_ms;
}

int score_params_need_rescore(const struct score_params *a, const struct score_params *b)
{
	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		if (score_half_life(a, t) != score_half_life(b, t))
			return 1;
	if (a->deep_mask != b->deep_mask || a->reaction_per_post != b->reaction_per_post)
		return 1;
	if (a->repeat_window_ms != b->repeat_window_ms)
		return 1;
	if (a->burst_per_hour != b->burst_per_hour || a->burst_per_day != b->burst_per_day ||
	    a->day_offset_ms != b->day_offset_ms)
		return 1;
	/* Without a window the factor is never used. */
	return a->repeat_window_ms > 0 && a->repeat_factor != b->repeat_factor;
}

uint32_t score_post_hash(const char *post, size_t len, int dir_out)
{
	struct hash128 h = hash128_seeded(post, len, dir_out ? 2 : 1);
	uint32_t v = (uint32_t)h.lo;

	return v != 0 ? v : 1;
}

/* 2^-(age / h) for age >= 0; exactly 1 for age <= 0. */
static double score_decay(int64_t age_ms, int64_t half_life_ms)
{
	if (age_ms <= 0)
		return 1.0;
	return exp2(-(double)age_ms / (double)half_life_ms);
}

void score_init(struct score_state *s)
{
	memset(s, 0, sizeof(*s));
}

void score_free(struct score_state *s)
{
	if (s == NULL)
		return;
	score_history_free(&s->history);
	free(s);
}

/* -- anti-inflation ------------------------------------------------------- */

/* The post entry for hash, or NULL. */
static struct score_post *score_post_find(struct score_state *s, uint32_t hash)
{
	for (uint32_t i = 0; i < s->nposts; i++)
		if (s->posts[i].hash == hash)
			return &s->posts[i];
	return NULL;
}

/*
 * Records an engagement with a post and says whether a like of it still
 * counts (is_like: it is a like, which then marks the post). A full set
 * replaces its oldest post, unless the new one is older still: then it is
 * not kept, and a like of it counts (nothing says it is a second one).
 */
static int score_post_note(struct score_state *s, uint32_t hash, int64_t ts_ms, int is_like, int out)
{
	struct score_post *post = score_post_find(s, hash);

	if (post == NULL) {
		if (s->nposts < SCORE_POSTS_MAX) {
			post = &s->posts[s->nposts++];
		} else {
			struct score_post *oldest = &s->posts[0];
			for (uint32_t i = 1; i < s->nposts; i++)
				if (s->posts[i].ts_ms < oldest->ts_ms)
					oldest = &s->posts[i];
			if (ts_ms < oldest->ts_ms)
				return 1;
			post = oldest;
		}
		post->hash = hash;
		post->ts_ms = ts_ms;
		post->liked = 0;
		post->out = out ? 1 : 0;
	} else if (ts_ms > post->ts_ms) {
		post->ts_ms = ts_ms;
	}
	if (!is_like)
		return 1;
	if (post->liked)
		return 0;
	post->liked = 1;
	return 1;
}

/*
 * Counts one more event of bucket in the window of ts_ms and returns its
 * rank there (1 for the first). The table keeps the newest windows; an
 * event older than all of them when it is full is ranked first.
 */
static unsigned score_repeat_rank(struct score_state *s, uint8_t bucket, int64_t window)
{
	struct score_repeat *r = NULL;

	for (uint32_t i = 0; i < s->nrepeats; i++) {
		if (s->repeats[i].bucket == bucket && s->repeats[i].window == window) {
			r = &s->repeats[i];
			break;
		}
	}
	if (r != NULL) {
		if (r->count < UINT16_MAX)
			r->count++;
		return r->count;
	}
	if (s->nrepeats < SCORE_REPEATS_MAX) {
		r = &s->repeats[s->nrepeats++];
	} else {
		r = &s->repeats[0];
		for (uint32_t i = 1; i < s->nrepeats; i++)
			if (s->repeats[i].window < r->window)
				r = &s->repeats[i];
		if (window < r->window)
			return 1;
	}
	r->bucket = bucket;
	r->window = window;
	r->count = 1;
	return 1;
}

/* -- statistics ----------------------------------------------------------- */

int64_t score_day(const struct score_params *p, int64_t ts_ms)
{
	int64_t t = ts_ms + p->day_offset_ms;

	/* Floor division: a time before the epoch is on the day before it. */
	return t >= 0 ? t / SCORE_DAY_MS : -((-t + SCORE_DAY_MS - 1) / SCORE_DAY_MS);
}

static void score_day_note(uint64_t *days, int64_t *anchor, int64_t day)
{
	if (*days == 0) {
		*days = 1;
		*anchor = day;
	} else if (day > *anchor) {
		int64_t shift = day - *anchor;
		*days = shift >= SCORE_DAYS_BITS ? 0 : *days << shift;
		*days |= 1;
		*anchor = day;
	} else if (*anchor - day < SCORE_DAYS_BITS) {
		*days |= UINT64_C(1) << (*anchor - day);
	}
}

uint32_t score_distinct_posts(const struct score_state *s, int64_t since_ms, unsigned sides)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->nposts; i++)
		n += s->posts[i].ts_ms >= since_ms &&
		     (sides & (s->posts[i].out ? SCORE_SIDE_OUT : SCORE_SIDE_IN)) != 0;
	return n;
}

/* Bitmap b (anchored at anchor) as seen from the later anchor at. */
static uint64_t score_days_at(uint64_t b, int64_t anchor, int64_t at)
{
	if (b == 0 || at - anchor >= SCORE_DAYS_BITS)
		return 0;
	return b << (at - anchor);
}

uint32_t score_distinct_days(const struct score_state *s, const struct score_params *p,
                             int64_t since_ms, unsigned sides)
{
	int64_t since_day = score_day(p, since_ms), at = INT64_MIN;
	uint64_t days = 0;
	uint32_t n = 0;

	if ((sides & SCORE_SIDE_IN) && s->days != 0)
		at = s->days_anchor;
	if ((sides & SCORE_SIDE_OUT) && s->days_out != 0 && s->days_out_anchor > at)
		at = s->days_out_anchor;
	if (at == INT64_MIN)
		return 0;
	if (sides & SCORE_SIDE_IN)
		days |= score_days_at(s->days, s->days_anchor, at);
	if (sides & SCORE_SIDE_OUT)
		days |= score_days_at(s->days_out, s->days_out_anchor, at);
	for (int i = 0; i < SCORE_DAYS_BITS; i++)
		if ((days >> i & 1) && at - i >= since_day)
			n++;
	return n;
}

uint32_t score_deep(const struct score_state *s, unsigned sides)
{
	uint32_t out = s->deep_out < s->deep ? s->deep_out : s->deep;

	return ((sides & SCORE_SIDE_IN) ? s->deep - out : 0) + ((sides & SCORE_SIDE_OUT) ? out : 0);
}

/* -- bursts --------------------------------------------------------------- */

/*
 * Whether an inbound engagement at ts_ms is beyond the caps, given what
 * arrived before it; either way it is remembered, so a burst keeps itself
 * cut for as long as it goes on.
 */
static int score_burst_cut(struct score_state *s, const struct score_params *p, int64_t ts_ms,
                           int64_t day)
{
	struct score_day_count *d = NULL;
	uint32_t in_hour = 0;
	int cut = 0;

	if (p->burst_per_hour > 0) {
		uint32_t oldest = 0;
		for (uint32_t i = 0; i < s->nburst; i++) {
			in_hour += s->burst_ring[i] > ts_ms - 3600000 && s->burst_ring[i] <= ts_ms;
			if (s->burst_ring[i] < s->burst_ring[oldest])
				oldest = i;
		}
		cut = in_hour >= p->burst_per_hour;
		if (s->nburst < (uint32_t)p->burst_per_hour && s->nburst < SCORE_BURST_MAX)
			s->burst_ring[s->nburst++] = ts_ms;
		else if (s->nburst > 0 && ts_ms > s->burst_ring[oldest])
			s->burst_ring[oldest] = ts_ms;
	}
	if (p->burst_per_day > 0) {
		for (uint32_t i = 0; i < s->nburst_days && d == NULL; i++)
			if (s->burst_days[i].day == day)
				d = &s->burst_days[i];
		if (d == NULL) {
			if (s->nburst_days < SCORE_BURST_DAYS) {
				d = &s->burst_days[s->nburst_days++];
			} else {
				d = &s->burst_days[0];
				for (uint32_t i = 1; i < s->nburst_days; i++)
					if (s->burst_days[i].day < d->day)
						d = &s->burst_days[i];
				if (day < d->day)
					d = NULL; /* older than every day remembered: nothing says it is a burst */
			}
			if (d != NULL) {
				d->day = day;
				d->count = 0;
			}
		}
		if (d != NULL) {
			cut |= d->count >= (uint64_t)p->burst_per_day;
			if (d->count < UINT32_MAX)
				d->count++;
		}
	}
	return cut;
}

/* -- sums ----------------------------------------------------------------- */

double score_add(struct score_state *s, const struct score_params *p, const struct score_event *ev)
{
	struct score_bucket *b = &s->buckets[ev->type][ev->origin];
	int64_t h = score_half_life(p, ev->type);
	int out = ev->origin == SCORE_OUTBOUND;
	int deep = p->deep_mask >> ev->type & 1;
	int64_t day = score_day(p, ev->ts_ms);
	double factor = 1.0;
	int counts = 1;

	s->engagements++;
	if (ev->ts_ms > s->last_ms)
		s->last_ms = ev->ts_ms;
	if (!out) {
		if ((p->burst_per_hour > 0 || p->burst_per_day > 0) && score_burst_cut(s, p, ev->ts_ms, day)) {
			if (s->burst_cut < UINT32_MAX)
				s->burst_cut++;
			return 0.0;
		}
		s->counted_in++;
	}
	if (deep) {
		s->deep++;
		s->deep_out += out;
		if (ev->ts_ms > s->last_deep_ms)
			s->last_deep_ms = ev->ts_ms;
		/* Giving value: my comment, reply, share or mention on their posts, not a private message. */
		if (out && ev->type != SCORE_MESSAGE && (s->first_value_ms == 0 || ev->ts_ms < s->first_value_ms))
			s->first_value_ms = ev->ts_ms;
	}
	if (out)
		score_day_note(&s->days_out, &s->days_out_anchor, day);
	else
		score_day_note(&s->days, &s->days_anchor, day);
	if (ev->post_hash != 0)
		counts = score_post_note(s, ev->post_hash, ev->ts_ms,
		                         ev->type == SCORE_LIKE && p->reaction_per_post, out);
	if (!counts)
		return 0.0;
	if (p->repeat_window_ms > 0) {
		uint8_t bucket = (uint8_t)(ev->type * SCORE_ORIGIN_COUNT + ev->origin);
		unsigned rank = score_repeat_rank(s, bucket, ev->ts_ms / p->repeat_window_ms);
		/* Most events are the first of their window: pow(f, 0) is 1 exactly. */
		factor = rank == 1 ? 1.0 : pow(p->repeat_factor, (double)(rank - 1));
	}
	if (ev->ts_ms >= b->ref_ms) {
		b->sum = b->sum * score_decay(ev->ts_ms - b->ref_ms, h) + factor;
		b->ref_ms = ev->ts_ms;
	} else {
		b->sum += factor * score_decay(b->ref_ms - ev->ts_ms, h);
	}
	return factor;
}

static double score_origin_factor(const struct score_params *p, int origin)
{
	switch (origin) {
	case SCORE_FROM_CONNECTION:
		return p->connection_multiplier;
	case SCORE_OUTBOUND:
		return p->outbound_factor;
	default:
		return 1.0;
	}
}

double score_warmth_type(const struct score_state *s, const struct score_params *p,
                         enum score_type type, int64_t now_ms)
{
	int64_t h = score_half_life(p, type);
	double w = 0.0;

	for (int o = 0; o < SCORE_ORIGIN_COUNT; o++) {
		const struct score_bucket *b = &s->buckets[type][o];
		if (b->sum > 0.0)
			w += score_origin_factor(p, o) * b->sum * score_decay(now_ms - b->ref_ms, h);
	}
	return p->weight[type] * w;
}

void score_warmth_sides(const struct score_state *s, const struct score_params *p, int64_t now_ms,
                        double *in, double *out)
{
	*in = *out = 0.0;
	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		int64_t h = score_half_life(p, t);
		for (int o = 0; o < SCORE_ORIGIN_COUNT; o++) {
			const struct score_bucket *b = &s->buckets[t][o];
			double v;
			if (b->sum <= 0.0)
				continue;
			v = p->weight[t] * score_origin_factor(p, o) * b->sum * score_decay(now_ms - b->ref_ms, h);
			*(o == SCORE_OUTBOUND ? out : in) += v;
		}
	}
}

double score_warmth_side(const struct score_state *s, const struct score_params *p,
                         unsigned sides, int64_t now_ms)
{
	double in, out;

	score_warmth_sides(s, p, now_ms, &in, &out);
	return ((sides & SCORE_SIDE_IN) ? in : 0.0) + ((sides & SCORE_SIDE_OUT) ? out : 0.0);
}

double score_warmth(const struct score_state *s, const struct score_params *p, int64_t now_ms)
{
	double w = 0.0;

	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		w += score_warmth_type(s, p, t, now_ms);
	return w;
}

/* -- rescoring ------------------------------------------------------------ */

static int score_event_cmp(const void *a, const void *b)
{
	const struct score_event *x = a, *y = b;

	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	return x->post_hash < y->post_hash ? -1 : x->post_hash > y->post_hash;
}

void score_rescore(struct score_state *s, const struct score_params *p,
                   const struct score_event *events, size_t n)
{
	struct score_event *sorted = NULL;

	score_init(s);
	if (n > 0) {
		sorted = xmalloc(n * sizeof(*sorted));
		memcpy(sorted, events, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), score_event_cmp);
	}
	for (size_t i = 0; i < n; i++)
		if (sorted[i].type < SCORE_TYPE_COUNT && sorted[i].origin < SCORE_ORIGIN_COUNT)
			score_add(s, p, &sorted[i]);
	free(sorted);
}

/*
 * Adds amount, a sum as of at_ms, into bucket b whose events decay with
 * half-life h: the same rebasing as score_add() with a weight.
 */
static void score_bucket_merge(struct score_bucket *b, double amount, int64_t at_ms, int64_t h)
{
	if (amount <= 0.0)
		return;
	if (b->sum <= 0.0 || at_ms >= b->ref_ms) {
		b->sum = b->sum > 0.0 ? b->sum * score_decay(at_ms - b->ref_ms, h) + amount : amount;
		b->ref_ms = at_ms;
	} else {
		b->sum += amount * score_decay(b->ref_ms - at_ms, h);
	}
}

/*
 * What the events missing from the history left in s (built under old):
 * merged into fresh (built from the history under p), with their counts.
 * kept_old is the history replayed under old, which tells the two apart.
 */
static void score_carry_dropped(struct score_state *fresh, const struct score_state *s,
                                const struct score_state *kept_old, const struct score_params *old,
                                const struct score_params *p)
{
	uint32_t dropped_deep = s->deep > kept_old->deep ? s->deep - kept_old->deep : 0;

	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		for (int o = 0; o < SCORE_ORIGIN_COUNT; o++) {
			const struct score_bucket *was = &s->buckets[t][o], *k = &kept_old->buckets[t][o];
			double rest = was->sum;
			if (rest <= 0.0)
				continue;
			if (k->sum > 0.0)
				rest -= k->sum * score_decay(was->ref_ms - k->ref_ms, score_half_life(old, t));
			/* Rounding leaves crumbs when nothing was dropped from this bucket. */
			if (rest > 1e-9 * was->sum)
				score_bucket_merge(&fresh->buckets[t][o], rest, was->ref_ms,
				                   score_half_life(p, t));
		}
	}
	/*
	 * Days and last times: s has them all, the dropped events' among them.
	 * Its days are in the time zone and under the caps s was built with:
	 * merged, not replaced, so a change of either applies in full to the
	 * kept events and leaves the dropped ones as they were.
	 */
	for (int i = 0; i < SCORE_DAYS_BITS; i++) {
		if (s->days >> i & 1)
			score_day_note(&fresh->days, &fresh->days_anchor, s->days_anchor - i);
		if (s->days_out >> i & 1)
			score_day_note(&fresh->days_out, &fresh->days_out_anchor, s->days_out_anchor - i);
	}
	if (s->last_ms > fresh->last_ms)
		fresh->last_ms = s->last_ms;
	fresh->engagements += s->engagements - (uint32_t)s->history.n;
	fresh->deep += dropped_deep;
	fresh->deep_out += s->deep_out > kept_old->deep_out ? s->deep_out - kept_old->deep_out : 0;
	fresh->counted_in += s->counted_in > kept_old->counted_in ? s->counted_in - kept_old->counted_in : 0;
	fresh->burst_cut += s->burst_cut > kept_old->burst_cut ? s->burst_cut - kept_old->burst_cut : 0;
	if (s->first_value_ms > 0 && (fresh->first_value_ms == 0 || s->first_value_ms < fresh->first_value_ms))
		fresh->first_value_ms = s->first_value_ms;
	if (dropped_deep > 0 && fresh->last_deep_ms == 0)
		fresh->last_deep_ms = s->last_deep_ms;
	/* Posts engaged with only by dropped events still count for breadth. */
	for (uint32_t i = 0; i < s->nposts && fresh->nposts < SCORE_POSTS_MAX; i++)
		if (score_post_find(fresh, s->posts[i].hash) == NULL)
			fresh->posts[fresh->nposts++] = s->posts[i];
}

int score_rebuild(struct score_state *s, const struct score_params *old,
                  const struct score_params *p)
{
	struct score_state fresh = { 0 };
	int complete = s->history.n >= s->engagements;

	score_rescore(&fresh, p, s->history.events, s->history.n);
	if (!complete) {
		struct score_state kept_old = { 0 };
		score_rescore(&kept_old, old, s->history.events, s->history.n);
		score_carry_dropped(&fresh, s, &kept_old, old, p);
	}
	fresh.history = s->history;
	*s = fresh;
	return complete;
}

/* -- blobs ---------------------------------------------------------------- */

/* The longest blob: every bucket, post and repeat window used. */
#define SCORE_BLOB_MAX                                                              \
	(1 + 1 + SCORE_TYPE_COUNT * SCORE_ORIGIN_COUNT * 17 + 1 + SCORE_POSTS_MAX * 13 + \
	 1 + SCORE_REPEATS_MAX * 11 + 48 + 16 + 20 + 1 + SCORE_BURST_MAX * 8 + 1 + SCORE_BURST_DAYS * 12)

void score_encode(const struct score_state *s, struct buf *out)
{
	uint8_t nbuckets = 0;

	/* One check, then blob.h's inline path. */
	buf_reserve(out, SCORE_BLOB_MAX + 4 + s->history.n * 14);
	blob_put_u8(out, SCORE_BLOB_VERSION);
	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		for (int o = 0; o < SCORE_ORIGIN_COUNT; o++)
			nbuckets += s->buckets[t][o].sum > 0.0;
	blob_put_u8(out, nbuckets);
	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		for (int o = 0; o < SCORE_ORIGIN_COUNT; o++) {
			const struct score_bucket *b = &s->buckets[t][o];
			if (b->sum <= 0.0)
				continue;
			blob_put_u8(out, (uint8_t)(t * SCORE_ORIGIN_COUNT + o));
			blob_put_f64(out, b->sum);
			blob_put_i64(out, b->ref_ms);
		}
	}
	blob_put_u8(out, (uint8_t)s->nposts);
	for (uint32_t i = 0; i < s->nposts; i++) {
		blob_put_u32(out, s->posts[i].hash);
		blob_put_u8(out, (uint8_t)(s->posts[i].liked | s->posts[i].out << 1));
		blob_put_i64(out, s->posts[i].ts_ms);
	}
	blob_put_u8(out, (uint8_t)s->nrepeats);
	for (uint32_t i = 0; i < s->nrepeats; i++) {
		blob_put_u8(out, s->repeats[i].bucket);
		blob_put_u16(out, s->repeats[i].count);
		blob_put_i64(out, s->repeats[i].window);
	}
	blob_put_u64(out, s->days);
	blob_put_i64(out, s->days_anchor);
	blob_put_u32(out, s->engagements);
	blob_put_u32(out, s->deep);
	blob_put_i64(out, s->last_ms);
	blob_put_i64(out, s->last_deep_ms);
	/* Version 3: my side's days, counts and the burst bookkeeping. */
	blob_put_u64(out, s->days_out);
	blob_put_i64(out, s->days_out_anchor);
	blob_put_u32(out, s->deep_out);
	blob_put_u32(out, s->counted_in);
	blob_put_u32(out, s->burst_cut);
	blob_put_i64(out, s->first_value_ms);
	blob_put_u8(out, (uint8_t)s->nburst);
	for (uint32_t i = 0; i < s->nburst; i++)
		blob_put_i64(out, s->burst_ring[i]);
	blob_put_u8(out, (uint8_t)s->nburst_days);
	for (uint32_t i = 0; i < s->nburst_days; i++) {
		blob_put_i64(out, s->burst_days[i].day);
		blob_put_u32(out, s->burst_days[i].count);
	}
	blob_put_u32(out, (uint32_t)s->history.n);
	for (size_t i = 0; i < s->history.n; i++) {
		const struct score_event *ev = &s->history.events[i];
		blob_put_i64(out, ev->ts_ms);
		blob_put_u32(out, ev->post_hash);
		blob_put_u8(out, ev->type);
		blob_put_u8(out, ev->origin);
	}
}

/* The history part of a version 2 blob: a count, then events in time order. */
static int score_decode_history(struct score_history *h, struct blob_reader *r)
{
	uint32_t n;

	if (blob_get_u32(r, &n) < 0 || n > r->left / 14)
		return -1;
	if (n > 0) {
		h->base = h->events = xmalloc(n * sizeof(*h->events));
		h->cap = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct score_event *ev = &h->events[i];
		memset(ev, 0, sizeof(*ev));
		blob_get_i64(r, &ev->ts_ms);
		blob_get_u32(r, &ev->post_hash);
		blob_get_u8(r, &ev->type);
		blob_get_u8(r, &ev->origin);
		if (ev->type >= SCORE_TYPE_COUNT || ev->origin >= SCORE_ORIGIN_COUNT ||
		    (i > 0 && ev->ts_ms < h->events[i - 1].ts_ms))
			return -1;
		h->n = i + 1;
	}
	return 0;
}

/* The version (into *version) and the decayed sums, the blob's first part. */
static int score_decode_buckets(struct score_state *s, struct blob_reader *r, uint8_t *version)
{
	uint8_t n, index;

	if (blob_get_u8(r, version) < 0 || *version < 1 || *version > SCORE_BLOB_VERSION ||
	    blob_get_u8(r, &n) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct score_bucket b;
		if (blob_get_u8(r, &index) < 0 || blob_get_f64(r, &b.sum) < 0 ||
		    blob_get_i64(r, &b.ref_ms) < 0)
			return -1;
		/* A NaN or negative sum would poison every warmth read from it. */
		if (index >= SCORE_TYPE_COUNT * SCORE_ORIGIN_COUNT || !isfinite(b.sum) || b.sum <= 0.0)
			return -1;
		s->buckets[index / SCORE_ORIGIN_COUNT][index % SCORE_ORIGIN_COUNT] = b;
	}
	return 0;
}

/*
 * A version 2 state did not tell their side from mine. Its history does
 * (each event's origin): the posts I engaged with are marked mine, and,
 * when the history holds every engagement, the days are split by side
 * (UTC days, as version 2 counted them; a change of time.zone rebuilds
 * them). What the history cannot tell without the config (which of my
 * engagements were deep) waits for the next rebuild or for new events.
 */
static void score_sides_from_history(struct score_state *s)
{
	const struct score_history *h = &s->history;

	for (size_t i = 0; i < h->n; i++) {
		struct score_post *post;
		if (h->events[i].origin != SCORE_OUTBOUND || h->events[i].post_hash == 0)
			continue;
		post = score_post_find(s, h->events[i].post_hash);
		if (post != NULL)
			post->out = 1;
	}
	if (h->n == 0 || h->n < s->engagements)
		return;
	s->days = s->days_out = 0;
	s->counted_in = 0;
	for (size_t i = 0; i < h->n; i++) {
		int64_t day = h->events[i].ts_ms / SCORE_DAY_MS;
		if (h->events[i].origin == SCORE_OUTBOUND) {
			score_day_note(&s->days_out, &s->days_out_anchor, day);
		} else {
			score_day_note(&s->days, &s->days_anchor, day);
			s->counted_in++;
		}
	}
}

/* Version 3's part after the stats: my side's days and counts, the burst bookkeeping. */
static int score_decode_sides(struct score_state *s, struct blob_reader *r)
{
	uint8_t n;

	blob_get_u64(r, &s->days_out);
	blob_get_i64(r, &s->days_out_anchor);
	blob_get_u32(r, &s->deep_out);
	blob_get_u32(r, &s->counted_in);
	blob_get_u32(r, &s->burst_cut);
	blob_get_i64(r, &s->first_value_ms);
	if (blob_get_u8(r, &n) < 0 || n > SCORE_BURST_MAX || s->deep_out > s->deep)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (blob_get_i64(r, &s->burst_ring[i]) < 0)
			return -1;
	s->nburst = n;
	if (blob_get_u8(r, &n) < 0 || n > SCORE_BURST_DAYS)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (blob_get_i64(r, &s->burst_days[i].day) < 0 || blob_get_u32(r, &s->burst_days[i].count) < 0)
			return -1;
	s->nburst_days = n;
	return 0;
}

static int score_decode_parts(struct score_state *s, struct blob_reader *r)
{
	uint8_t version, n, liked;

	if (score_decode_buckets(s, r, &version) < 0)
		return -1;
	if (blob_get_u8(r, &n) < 0 || n > SCORE_POSTS_MAX)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct score_post *post = &s->posts[i];
		if (blob_get_u32(r, &post->hash) < 0 || blob_get_u8(r, &liked) < 0 ||
		    blob_get_i64(r, &post->ts_ms) < 0 || post->hash == 0 || liked > (version >= 3 ? 3 : 1))
			return -1;
		post->liked = liked & 1;
		post->out = liked >> 1;
	}
	s->nposts = n;
	if (blob_get_u8(r, &n) < 0 || n > SCORE_REPEATS_MAX)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct score_repeat *rep = &s->repeats[i];
		if (blob_get_u8(r, &rep->bucket) < 0 || blob_get_u16(r, &rep->count) < 0 ||
		    blob_get_i64(r, &rep->window) < 0 || rep->bucket >= SCORE_TYPE_COUNT * SCORE_ORIGIN_COUNT)
			return -1;
	}
	s->nrepeats = n;
	blob_get_u64(r, &s->days);
	blob_get_i64(r, &s->days_anchor);
	blob_get_u32(r, &s->engagements);
	blob_get_u32(r, &s->deep);
	blob_get_i64(r, &s->last_ms);
	blob_get_i64(r, &s->last_deep_ms);
	if (version >= 3 && score_decode_sides(s, r) < 0)
		return -1;
	/* Older blobs: no deep engagement is known to be mine, and none was cut. */
	if (version < 3)
		s->counted_in = s->engagements;
	if (version >= 2 && score_decode_history(&s->history, r) < 0)
		return -1;
	if (version == 2)
		score_sides_from_history(s);
	return blob_done(r) ? 0 : -1;
}

int score_decode(struct score_state *s, const void *blob, size_t len)
{
	struct blob_reader r;

	score_init(s);
	blob_reader_init(&r, blob, len);
	if (score_decode_parts(s, &r) == 0)
		return 0;
	score_history_free(&s->history);
	score_init(s);
	return -1;
}

int score_decode_sums(struct score_state *s, const void *blob, size_t len)
{
	struct blob_reader r;
	uint8_t version;

	score_init(s);
	blob_reader_init(&r, blob, len);
	if (score_decode_buckets(s, &r, &version) == 0)
		return 0;
	score_init(s);
	return -1;
}

/* -- history -------------------------------------------------------------- */

/* Makes room for one more event after h's n, moving them back or growing. */
static void score_history_reserve(struct score_history *h)
{
	if (h->base == NULL) {
		h->cap = 8;
		h->base = h->events = xmalloc(h->cap * sizeof(*h->events));
		return;
	}
	size_t off = (size_t)(h->events - h->base);
	if (off + h->n < h->cap)
		return;
	/* Moving back only when the room freed is at least half of what moves
	   keeps each event's share of the moves at two copies or less. */
	if (off > 0 && off >= h->n / 2) {
		memmove(h->base, h->events, h->n * sizeof(*h->events));
		h->events = h->base;
		return;
	}
	h->cap *= 2;
	h->base = xrealloc(h->base, h->cap * sizeof(*h->base));
	h->events = h->base + off;
}

void score_history_add(struct score_history *h, const struct score_event *ev, size_t max)
{
	size_t at;

	if (max == 0)
		return;
	if (h->n == max && ev->ts_ms < h->events[0].ts_ms)
		return; /* older than everything kept: it would be dropped at once */
	score_history_reserve(h);
	/* Usually the newest: search from the end. */
	at = h->n;
	while (at > 0 && h->events[at - 1].ts_ms > ev->ts_ms)
		at--;
	memmove(&h->events[at + 1], &h->events[at], (h->n - at) * sizeof(*h->events));
	h->events[at] = *ev;
	h->n++;
	if (h->n > max) {
		h->events += h->n - max;
		h->n = max;
	}
}

void score_history_free(struct score_history *h)
{
	free(h->base);
	h->events = h->base = NULL;
	h->n = h->cap = 0;
}

void score_history_encode(const struct score_history *h, struct buf *out)
{
	blob_put_u8(out, SCORE_HISTORY_VERSION);
	for (size_t i = 0; i < h->n; i++) {
		blob_put_i64(out, h->events[i].ts_ms);
		blob_put_u32(out, h->events[i].post_hash);
		blob_put_u8(out, h->events[i].type);
		blob_put_u8(out, h->events[i].origin);
	}
}

int score_history_decode(struct score_history *h, const void *blob, size_t len)
{
	struct blob_reader r;
	uint8_t version;

	h->n = 0;
	h->events = h->base;
	blob_reader_init(&r, blob, len);
	if (blob_get_u8(&r, &version) < 0 || version != SCORE_HISTORY_VERSION || r.left % 14 != 0)
		return -1;
	while (r.left > 0) {
		struct score_event ev;
		/* Padding too, and copied as memory: histories compare as memory. */
		memset(&ev, 0, sizeof(ev));
		blob_get_i64(&r, &ev.ts_ms);
		blob_get_u32(&r, &ev.post_hash);
		blob_get_u8(&r, &ev.type);
		blob_get_u8(&r, &ev.origin);
		if (ev.type >= SCORE_TYPE_COUNT || ev.origin >= SCORE_ORIGIN_COUNT ||
		    (h->n > 0 && ev.ts_ms < h->events[h->n - 1].ts_ms)) {
			h->n = 0;
			return -1;
		}
		score_history_reserve(h);
		memcpy(&h->events[h->n++], &ev, sizeof(ev));
	}
	return 0;
}
