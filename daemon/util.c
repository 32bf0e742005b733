/*
 * util.c - checked allocation, growable buffers, hashing, and parsing of
 * durations, sizes and RFC 3339 times (see util.h). Pure.
 *
 * Times are converted with a civil-calendar formula rather than timegm(),
 * so that parsing never depends on the process's time zone or locale.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "warmth/log.h"
#include "warmth/util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatalx("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

void buf_append_str(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

uint64_t hash64(const void *data, size_t len)
{
	return XXH3_64bits(data, len);
}

struct hash128 hash128(const void *data, size_t len)
{
	XXH128_hash_t h = XXH3_128bits(data, len);
	struct hash128 r = { h.low64, h.high64 };
	return r;
}

struct hash128 hash128_seeded(const void *data, size_t len, uint64_t seed)
{
	XXH128_hash_t h = XXH3_128bits_withSeed(data, len, seed);
	struct hash128 r = { h.low64, h.high64 };
	return r;
}

/* Parses a non-negative decimal number with an optional fraction. */
static int parse_number_prefix(const char *s, double *out, const char **end)
{
	const char *p = s;
	int dots = 0;
	char *e;
	double v;

	/* Digits and at most one '.': strtod alone also takes "1e3" and "0x10". */
	while (isdigit((unsigned char)*p) || (*p == '.' && dots++ == 0))
		p++;
	if (p == s || (p == s + 1 && *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &e);
	if (e != p || errno != 0 || v < 0)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

int parse_duration_ms(const char *s, int64_t *out_ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 }, { "", 1000 },
	};
	const char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_number_prefix(s, &v, &end) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t ul = strlen(units[i].unit);
		const char *rest = end + ul;
		if (strncmp(end, units[i].unit, ul) != 0)
			continue;
		while (isspace((unsigned char)*rest))
			rest++;
		if (*rest != '\0')
			continue;
		v *= units[i].ms;
		if (v > 9.2e18)
			return -1;
		*out_ms = (int64_t)v;
		return 0;
	}
	return -1;
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
		{ "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		{ "kB", 1000.0 }, { "MB", 1e6 }, { "GB", 1e9 },
		{ "k", 1024.0 }, { "K", 1024.0 }, { "M", 1048576.0 }, { "G", 1073741824.0 },
		{ "B", 1 }, { "", 1 },
	};
	const char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_number_prefix(s, &v, &end) < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		v *= units[i].mult;
		if (v > 1.8e19)
			return -1;
		*out = (uint64_t)v;
		return 0;
	}
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(unsigned y, unsigned m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

int time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms)
{
	unsigned y, mo, d, h, mi, sec, frac_ms = 0;
	size_t i = 19;
	int64_t offset_min = 0;

	/* 2026-11-03T10:00:12 is the fixed-width part. */
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || (int)d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	if (s[i] == '.') {
		size_t start = ++i;
		unsigned scale = 100;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			frac_ms += (unsigned)(s[i] - '0') * scale;
			scale /= 10;
			i++;
		}
		if (i == start)
			return -1;
	}
	if (i >= len)
		return -1;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		offset_min = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
		unsigned oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset_min = (int64_t)(oh * 60 + om);
		if (s[i] == '-')
			offset_min = -offset_min;
	} else {
		return -1;
	}
	if (sec == 60) /* a leap second is folded into the next one */
		sec = 59, frac_ms = 999;
	int64_t days = days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
	*out_ms = secs * 1000 + frac_ms;
	return 0;
}

void time_format_rfc3339(int64_t ms, char out[TIME_RFC3339_LEN])
{
	/* Clamped before year 0 here already, so that -ms below cannot overflow. */
	if (ms < INT64_C(-62167219200000))
		ms = INT64_C(-62167219200000);
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t rem_ms = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	/* Years outside 0..9999 cannot be written in RFC 3339: clamp. */
	if (y < 0 || y > 9999) {
		snprintf(out, TIME_RFC3339_LEN, "%s", y < 0 ? "0000-01-01T00:00:00.000Z"
		                                            : "9999-12-31T23:59:59.999Z");
		return;
	}
	/* Written digit by digit: exports format millions of these. */
	static const char fmt[] = "0000-00-00T00:00:00.000Z";
	unsigned v[] = { (unsigned)y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
	                 (unsigned)(sod % 60), (unsigned)rem_ms };
	static const unsigned char pos[] = { 0, 5, 8, 11, 14, 17, 20 };
	static const unsigned char width[] = { 4, 2, 2, 2, 2, 2, 3 };

	memcpy(out, fmt, sizeof(fmt));
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		unsigned x = v[i];
		for (int k = width[i] - 1; k >= 0; k--) {
			out[pos[i] + k] = (char)('0' + x % 10);
			x /= 10;
		}
	}
}

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t utf8_valid_prefix(const char *s, size_t len, int *all_valid)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned min;
		if (c < 0x80) {
			uint64_t w;
			/* Eight ASCII bytes at a time: most text is ASCII. */
			while (i + 8 <= len && (memcpy(&w, p + i, sizeof(w)),
			                        (w & UINT64_C(0x8080808080808080)) == 0))
				i += 8;
			if (i < len && p[i] < 0x80)
				i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 2, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 3, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 4, min = 0x10000;
		} else {
			break;
		}
		if (i + n > len)
			break;
		unsigned cp = c & (0xFF >> (n + 1));
		size_t k;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				break;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (k < n || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			break;
		i += n;
	}
	if (all_valid)
		*all_valid = i == len;
	return i;
}
