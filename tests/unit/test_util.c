/*
 * test_util.c - the shared helpers (daemon/util.c): RFC 3339 times both
 * ways, durations and sizes as people write them in configs, the UTF-8
 * prefix check, and the growable buffer.
 *
 * Parsers are tested with tables of (text, expected result); the time
 * formatter with known values, clamping at the ends of the representable
 * years, and a round trip over many pseudo-random instants.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/util.h"
#include "../../daemon/blob.h"

#define BAD INT64_MIN /* "must be rejected" in the tables below */

static void test_time_parse(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} cases[] = {
		{ "2026-11-03T10:00:12.120Z", INT64_C(1793700012120) },
		{ "2026-11-03T10:00:12Z", INT64_C(1793700012000) },
		{ "2026-11-03T10:00:12.1Z", INT64_C(1793700012100) },
		{ "2026-11-03T10:00:12.12Z", INT64_C(1793700012120) },
		{ "2026-11-03T10:00:12.1239Z", INT64_C(1793700012123) },
		{ "2026-11-03T10:00:12.999999999Z", INT64_C(1793700012999) },
		{ "2026-11-03t10:00:12.120z", INT64_C(1793700012120) },
		{ "2026-11-03 10:00:12.120Z", INT64_C(1793700012120) },
		{ "2026-11-03T12:00:12.120+02:00", INT64_C(1793700012120) },
		{ "2026-11-03T04:30:12.120-05:30", INT64_C(1793700012120) },
		{ "2026-11-03T10:00:12.120+00:00", INT64_C(1793700012120) },
		{ "2026-11-03T10:00:12.120-00:00", INT64_C(1793700012120) },
		{ "2026-11-04T09:00:12.120+23:00", INT64_C(1793700012120) },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "2024-02-29T00:00:00Z", INT64_C(1709164800000) },
		{ "2000-02-29T00:00:00Z", INT64_C(951782400000) },
		{ "9999-12-31T23:59:59.999Z", INT64_C(253402300799999) },
		{ "0000-01-01T00:00:00Z", INT64_C(-62167219200000) },
		/* A leap second is the last millisecond of its minute. */
		{ "2016-12-31T23:59:60Z", INT64_C(1483228799999) },
		{ "", BAD },
		{ "2026-11-03", BAD },
		{ "2026-11-03T10:00:12", BAD },
		{ "2026-11-03T10:00Z", BAD },
		{ "2026-11-03T10:00:12.Z", BAD },
		{ "2026-11-03T10:00:12,120Z", BAD },
		{ "2026-11-03T10:00:12.120", BAD },
		{ "2026-11-03T10:00:12.120Zjunk", BAD },
		{ "2026-11-03T10:00:12.120 Z", BAD },
		{ "2026-11-03T10:00:12.120+0200", BAD },
		{ "2026-11-03T10:00:12.120+02", BAD },
		{ "2026-11-03T10:00:12.120+24:00", BAD },
		{ "2026-11-03T10:00:12.120+02:60", BAD },
		{ "2026-11-03X10:00:12Z", BAD },
		{ "2026-13-03T10:00:12Z", BAD },
		{ "2026-00-03T10:00:12Z", BAD },
		{ "2026-11-00T10:00:12Z", BAD },
		{ "2026-11-31T10:00:12Z", BAD },
		{ "2026-02-29T10:00:12Z", BAD },
		{ "1900-02-29T10:00:12Z", BAD },
		{ "2026-11-03T24:00:00Z", BAD },
		{ "2026-11-03T23:60:00Z", BAD },
		{ "2026-11-03T23:59:61Z", BAD },
		{ "2026-1a-03T10:00:12Z", BAD },
		{ "+026-11-03T10:00:12Z", BAD },
		{ "26-11-03T10:00:12Z", BAD },
		{ "20261103T100012Z", BAD },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t ms = 42;
		int rc = time_parse_rfc3339(cases[i].text, strlen(cases[i].text), &ms);
		if (cases[i].ms == BAD) {
			if (rc != -1)
				fail_msg("\"%s\" was accepted as %" PRId64, cases[i].text, ms);
		} else if (rc != 0 || ms != cases[i].ms) {
			fail_msg("\"%s\": rc %d, %" PRId64 " instead of %" PRId64, cases[i].text, rc, ms,
			         cases[i].ms);
		}
	}
}

/* Only len bytes are read: the text need not be NUL-terminated. */
static void test_time_parse_length(void **state)
{
	const char *text = "2026-11-03T10:00:12.120Z trailing";
	int64_t ms;

	(void)state;
	assert_int_equal(time_parse_rfc3339(text, 24, &ms), 0);
	assert_int_equal(ms, INT64_C(1793700012120));
	assert_int_equal(time_parse_rfc3339(text, 23, &ms), -1);
	assert_int_equal(time_parse_rfc3339(text, 0, &ms), -1);
}

static void test_time_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -1000, "1969-12-31T23:59:59.000Z" },
		{ -1001, "1969-12-31T23:59:58.999Z" },
		{ -86400000, "1969-12-31T00:00:00.000Z" },
		{ INT64_C(1793700012120), "2026-11-03T10:00:12.120Z" },
		{ INT64_C(1709164800000), "2024-02-29T00:00:00.000Z" },
		{ INT64_C(253402300799999), "9999-12-31T23:59:59.999Z" },
		{ INT64_C(-62167219200000), "0000-01-01T00:00:00.000Z" },
		/* Beyond 0000..9999 the text is clamped to the nearest end. */
		{ INT64_C(253402300800000), "9999-12-31T23:59:59.999Z" },
		{ INT64_C(-62167219200001), "0000-01-01T00:00:00.000Z" },
		{ INT64_MAX, "9999-12-31T23:59:59.999Z" },
		{ INT64_MIN, "0000-01-01T00:00:00.000Z" },
		{ INT64_MIN + 1, "0000-01-01T00:00:00.000Z" },
	};
	char out[TIME_RFC3339_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(out, 'X', sizeof(out));
		time_format_rfc3339(cases[i].ms, out);
		if (strcmp(out, cases[i].text) != 0)
			fail_msg("%" PRId64 ": \"%s\" instead of \"%s\"", cases[i].ms, out, cases[i].text);
	}
}

static void test_time_round_trip(void **state)
{
	uint64_t x = 88172645463325252u;
	const int64_t span = INT64_C(253402300800000) + INT64_C(62167219200000);

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char out[TIME_RFC3339_LEN];
		int64_t ms, back = 0;

		/* xorshift64: every run tries the same instants from year 0 to 9999. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = (int64_t)(x % (uint64_t)span) - INT64_C(62167219200000);
		if (i < 1000)
			ms = INT64_C(1793700012120) + (i - 500) * INT64_C(43200007);
		time_format_rfc3339(ms, out);
		assert_int_equal(strlen(out), 24);
		if (time_parse_rfc3339(out, strlen(out), &back) != 0 || back != ms)
			fail_msg("%" PRId64 " -> \"%s\" -> %" PRId64, ms, out, back);
	}
}

static void test_time_now(void **state)
{
	(void)state;
	/* After 2020 and before 2200: the clock is read in milliseconds. */
	assert_true(time_now_ms() > INT64_C(1577836800000));
	assert_true(time_now_ms() < INT64_C(7258118400000));
}

static void test_parse_duration(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} cases[] = {
		{ "100ms", 100 },
		{ "30s", 30000 },
		{ "90m", 5400000 },
		{ "36h", INT64_C(129600000) },
		{ "14d", INT64_C(1209600000) },
		{ "2w", INT64_C(1209600000) },
		{ "5", 5000 },
		{ "0", 0 },
		{ "0s", 0 },
		{ "1.5h", 5400000 },
		{ ".5s", 500 },
		{ "  30s  ", 30000 },
		{ "1000000000w", INT64_C(604800000000000000) },
		{ "", BAD },
		{ "s", BAD },
		{ "-5s", BAD },
		{ "+5s", BAD },
		{ "5 s", BAD },
		{ "5x", BAD },
		{ "5S", BAD },
		{ "5ss", BAD },
		{ "5s5", BAD },
		{ "1e3s", BAD },
		{ "0x10s", BAD },
		{ "1.2.3s", BAD },
		{ ".", BAD },
		{ "inf", BAD },
		{ "nan", BAD },
		{ "100000000000w", BAD },
		{ "99999999999999999999", BAD },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t ms = 42;
		int rc = parse_duration_ms(cases[i].text, &ms);
		if (cases[i].ms == BAD) {
			if (rc != -1)
				fail_msg("\"%s\" was accepted as %" PRId64 " ms", cases[i].text, ms);
		} else if (rc != 0 || ms != cases[i].ms) {
			fail_msg("\"%s\": rc %d, %" PRId64 " instead of %" PRId64, cases[i].text, rc, ms,
			         cases[i].ms);
		}
	}
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *text;
		int ok;
		uint64_t bytes;
	} cases[] = {
		{ "1MiB", 1, 1048576 },
		{ "64KiB", 1, 65536 },
		{ "512k", 1, 524288 },
		{ "512K", 1, 524288 },
		{ "2M", 1, 2097152 },
		{ "1G", 1, 1073741824 },
		{ "1GiB", 1, 1073741824 },
		{ "3kB", 1, 3000 },
		{ "3MB", 1, 3000000 },
		{ "3GB", 1, 3000000000u },
		{ "100", 1, 100 },
		{ "100B", 1, 100 },
		{ "0", 1, 0 },
		{ "1.5k", 1, 1536 },
		{ " 10 MiB", 1, 10485760 },
		{ "16000000000G", 1, UINT64_C(17179869184000000000) },
		{ "", 0, 0 },
		{ "k", 0, 0 },
		{ "-1k", 0, 0 },
		{ "1kib", 0, 0 },
		{ "1KB", 0, 0 },
		{ "1T", 0, 0 },
		{ "1 k b", 0, 0 },
		{ "1e3", 0, 0 },
		{ "0x10", 0, 0 },
		{ "20000000000G", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t bytes = 42;
		int rc = parse_size(cases[i].text, &bytes);
		if (!cases[i].ok) {
			if (rc != -1)
				fail_msg("\"%s\" was accepted as %" PRIu64, cases[i].text, bytes);
		} else if (rc != 0 || bytes != cases[i].bytes) {
			fail_msg("\"%s\": rc %d, %" PRIu64 " instead of %" PRIu64, cases[i].text, rc, bytes,
			         cases[i].bytes);
		}
	}
}

static void test_utf8_valid_prefix(void **state)
{
	static const struct {
		const char *bytes;
		size_t prefix;  /* expected valid prefix */
		int all;
	} cases[] = {
		{ "", 0, 1 },
		{ "plain ascii", 11, 1 },
		{ "caf\xc3\xa9", 5, 1 },
		{ "\xe2\x82\xac euro", 8, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 },
		{ "\xf4\x8f\xbf\xbf", 4, 1 },           /* U+10FFFF, the last code point */
		{ "\xef\xbb\xbf", 3, 1 },               /* a BOM is a valid character */
		{ "ab\xc3", 2, 0 },                     /* cut inside a sequence */
		{ "ab\xe2\x82", 2, 0 },
		{ "ab\xf0\x9f\x98", 2, 0 },
		{ "a\x80", 1, 0 },                      /* lone continuation byte */
		{ "a\xc3\x28", 1, 0 },                  /* lead without continuation */
		{ "a\xc0\xaf", 1, 0 },                  /* overlong '/' */
		{ "a\xc1\xbf", 1, 0 },
		{ "a\xe0\x80\xaf", 1, 0 },              /* overlong, 3 bytes */
		{ "a\xf0\x80\x80\xaf", 1, 0 },          /* overlong, 4 bytes */
		{ "a\xed\xa0\x80", 1, 0 },              /* UTF-16 surrogate U+D800 */
		{ "a\xed\xbf\xbf", 1, 0 },              /* U+DFFF */
		{ "a\xed\x9f\xbf", 4, 1 },              /* U+D7FF is fine */
		{ "a\xf4\x90\x80\x80", 1, 0 },          /* above U+10FFFF */
		{ "a\xf5\x80\x80\x80", 1, 0 },
		{ "a\xf8\x88\x80\x80\x80", 1, 0 },      /* 5-byte forms are gone */
		{ "a\xfe", 1, 0 },
		{ "a\xff", 1, 0 },
		{ "ok\xc3\xa9\xff\xc3\xa9", 4, 0 },     /* stops at the first bad byte */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = strlen(cases[i].bytes);
		int all = -1;
		size_t prefix = utf8_valid_prefix(cases[i].bytes, len, &all);
		if (prefix != cases[i].prefix || all != cases[i].all)
			fail_msg("case %zu: prefix %zu all %d instead of %zu %d", i, prefix, all,
			         cases[i].prefix, cases[i].all);
	}
	/* A NUL byte is a valid character; all_valid may be NULL. */
	assert_int_equal(utf8_valid_prefix("a\0b", 3, NULL), 3);

	/*
	 * ASCII is checked eight bytes at a time: each case again behind 0 to
	 * 17 ASCII bytes and before 9 more, so that its bytes fall at every
	 * offset of a word and the word loop stops before each kind of byte.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (size_t lead = 0; lead <= 17; lead++) {
			char line[64];
			size_t len = strlen(cases[i].bytes), total;
			int all = -1;
			memset(line, 'x', lead);
			memcpy(line + lead, cases[i].bytes, len);
			memcpy(line + lead + len, "123456789", 9);
			total = lead + len + 9;
			size_t prefix = utf8_valid_prefix(line, total, &all);
			size_t want = cases[i].all ? total : lead + cases[i].prefix;
			if (prefix != want || all != cases[i].all)
				fail_msg("case %zu behind %zu bytes: prefix %zu all %d instead of %zu %d",
				         i, lead, prefix, all, want, cases[i].all);
		}
	}
}

static void test_buf(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	buf_append(&b, "abc", 3);
	buf_append_str(&b, "def");
	buf_printf(&b, "-%d-%s", 42, "x");
	assert_int_equal(b.len, 11);
	assert_string_equal(buf_cstr(&b), "abcdef-42-x");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 4 * 9999, "9999", 4);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
}

static void test_hash(void **state)
{
	struct hash128 a, b;

	(void)state;
	assert_true(hash64("abc", 3) == hash64("abc", 3));
	assert_true(hash64("abc", 3) != hash64("abd", 3));
	assert_true(hash64("abc", 2) == hash64("abX", 2));
	a = hash128("account\0id", 10);
	b = hash128("account\0ie", 10);
	assert_true(a.lo != b.lo || a.hi != b.hi);
}

static void test_strdup(void **state)
{
	char *s = xstrndup("abcdef", 3);
	char *t = xstrdup("xyz");

	(void)state;
	assert_string_equal(s, "abc");
	assert_string_equal(t, "xyz");
	free(s);
	free(t);
}

/* The blob fields' byte order: native moves against the portable byte forms. */
static void test_blob_le(void **state)
{
	(void)state;
	const uint64_t values[] = { 0, 1, 0xff, 0x100, 0x0123456789abcdefULL, UINT64_MAX,
		                    0x8000000000000000ULL };
	unsigned char a[8], b[8];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint64_t v = values[i];
		blob_le_put(a, v, 8);
		blob_le_store(b, v, 8);
		assert_memory_equal(a, b, 8);
		assert_int_equal(a[0], v & 0xff); /* low byte first */
		assert_true(blob_le_get(a, 8) == v);
		assert_true(blob_le_load(a, 8) == v);
		blob_le_put(a, (uint32_t)v, 4);
		blob_le_store(b, (uint32_t)v, 4);
		assert_memory_equal(a, b, 4);
		assert_true((uint32_t)blob_le_get(a, 4) == (uint32_t)v);
		blob_le_put(a, (uint16_t)v, 2);
		blob_le_store(b, (uint16_t)v, 2);
		assert_memory_equal(a, b, 2);
		assert_true((uint16_t)blob_le_get(a, 2) == (uint16_t)v);
	}
	/* A buffer's fields, read back with the reader at odd offsets. */
	struct buf out = { 0 };
	struct blob_reader r;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	blob_put_u8(&out, 7);
	blob_put_u16(&out, 0xbeef);
	blob_put_u32(&out, 0xdeadbeef);
	blob_put_u64(&out, 0x0123456789abcdefULL);
	assert_int_equal(out.len, 15);
	assert_int_equal((unsigned char)out.data[1], 0xef);
	blob_reader_init(&r, out.data, out.len);
	assert_int_equal(blob_get_u8(&r, &u8), 0);
	assert_int_equal(blob_get_u16(&r, &u16), 0);
	assert_int_equal(blob_get_u32(&r, &u32), 0);
	assert_int_equal(blob_get_u64(&r, &u64), 0);
	assert_true(u8 == 7 && u16 == 0xbeef && u32 == 0xdeadbeef && u64 == 0x0123456789abcdefULL);
	assert_true(blob_done(&r));
	assert_int_equal(blob_get_u8(&r, &u8), -1);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_parse_length),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_time_now),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_utf8_valid_prefix),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_blob_le),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
