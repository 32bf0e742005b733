/*
 * test_import.c - the pure parts of warmth-import (tools/import_url.c,
 * tools/import_date.c): every way a LinkedIn profile URL is written must
 * reduce to one actor id, and every date format the archive used since
 * 2018 must parse to the right instant in the zone --tz names.
 *
 * Both are tables of (text, expected result); the expected instants were
 * computed independently (Python's datetime and zoneinfo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define BAD INT64_MIN

static void test_url_actor(void **state)
{
	static const struct {
		const char *url, *actor; /* actor NULL: must be rejected */
	} cases[] = {
		{ "https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "https://www.linkedin.com/in/ada-lovelace/", "https://www.linkedin.com/in/ada-lovelace" },
		{ "http://linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "HTTPS://WWW.LinkedIn.COM/in/Ada-Lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "https://uk.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "https://www.linkedin.com/in/ada-lovelace?trk=x#top",
		  "https://www.linkedin.com/in/ada-lovelace" },
		{ " https://www.linkedin.com/in/ada-lovelace/ ", "https://www.linkedin.com/in/ada-lovelace" },
		{ "https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller",
		  "https://www.linkedin.com/in/j\xC3\xB6rg-m\xC3\xBCller" },
		{ "www.linkedin.com/in/J\xC3\xB6rg-M\xC3\xBCller",
		  "https://www.linkedin.com/in/j\xC3\xB6rg-m\xC3\xBCller" },
		{ "https://www.linkedin.com/in/ada%2Dlovelace", "https://www.linkedin.com/in/ada-lovelace" },
		{ "https://www.linkedin.com/in/", NULL },
		{ "https://www.linkedin.com/company/acme", NULL },
		{ "https://example.com/in/ada", NULL },
		{ "https://www.linkedin.com/in/ada/details/skills", NULL },
		{ "https://www.linkedin.com/in/a%00b", NULL },
		/* Decoded separators, spaces, format characters and U+FFFD are no part of a slug. */
		{ "https://www.linkedin.com/in/foo%2Fbar", NULL },
		{ "https://www.linkedin.com/in/..%2F..%2Fx", NULL },
		{ "https://www.linkedin.com/in/foo%3Fx", NULL },
		{ "https://www.linkedin.com/in/a%20b", NULL },
		{ "https://www.linkedin.com/in/a b", NULL },
		{ "https://www.linkedin.com/in/%25", NULL },
		{ "https://www.linkedin.com/in/ab%C2%A0", NULL },
		{ "https://www.linkedin.com/in/%E2%80%AEevil", NULL },
		{ "https://www.linkedin.com/in/a\xEF\xBF\xBD" "b", NULL },
		{ "https://www.linkedin.com/in/%E5%BC%A0%E4%BC%9F", "https://www.linkedin.com/in/\xE5\xBC\xA0\xE4\xBC\x9F" },
		{ "https://www.linkedin.com/in/%C3", NULL },
		{ "urn:li:member:123", NULL },
		{ "", NULL },
	};
	struct buf out = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = import_url_actor(cases[i].url, strlen(cases[i].url), &out);
		if (cases[i].actor == NULL) {
			if (rc != -1)
				fail_msg("accepted %s as %s", cases[i].url, buf_cstr(&out));
		} else {
			if (rc != 0)
				fail_msg("rejected %s", cases[i].url);
			assert_string_equal(buf_cstr(&out), cases[i].actor);
		}
	}
	buf_free(&out);
}

static void test_date_parse(void **state)
{
	static const struct {
		const char *text, *tz;
		int64_t ms;
	} cases[] = {
		{ "16 Dec 2024", "UTC", INT64_C(1734307200000) },
		{ " 16 dec 2024 ", "UTC", INT64_C(1734307200000) },
		{ "1/8/18, 6:14 PM", "UTC", INT64_C(1515435240000) },
		{ "12/15/24, 7:47 AM", "UTC", INT64_C(1734248820000) },
		{ "12/15/24, 12:05 AM", "UTC", INT64_C(1734221100000) },
		{ "12/15/24, 12:05 PM", "UTC", INT64_C(1734264300000) },
		{ "12/15/24, 7:47 AM", "+01:00", INT64_C(1734245220000) },
		{ "12/15/24, 7:47 AM", "-0530", INT64_C(1734268620000) },
		{ "12/15/24, 7:47 AM", "Europe/Paris", INT64_C(1734245220000) },
		{ "7/15/24, 7:47 AM", "Europe/Paris", INT64_C(1721022420000) },
		{ "2024-12-16 18:24:37 UTC", "+01:00", INT64_C(1734373477000) },
		{ "2024/12/07 14:51:07 UTC", "Europe/Paris", INT64_C(1733583067000) },
		{ "2024-12-16", "UTC", INT64_C(1734307200000) },
		{ "2024-02-29", "UTC", INT64_C(1709164800000) },
		{ "2024-12-16T18:24:37Z", "+01:00", INT64_C(1734373477000) },
		{ "2023-02-29", "UTC", BAD },
		{ "31 Feb 2024", "UTC", BAD },
		{ "16 Foo 2024", "UTC", BAD },
		{ "12/15/24, 13:47 PM", "UTC", BAD },
		{ "12/15/24, 7:47", "UTC", BAD },
		{ "13/15/24, 7:47 AM", "UTC", BAD },
		{ "2024-12-16 18:24:37", "UTC", BAD },
		{ "2024-12-16 18:24:37 UTC trailing", "UTC", BAD },
		{ "", "UTC", BAD },
		{ "yesterday", "UTC", BAD },
	};
	struct import_tz tz;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t ms = 0;
		int rc;
		assert_int_equal(import_tz_parse(cases[i].tz, &tz), 0);
		rc = import_date_parse(cases[i].text, &tz, &ms);
		if (cases[i].ms == BAD) {
			if (rc != -1)
				fail_msg("accepted \"%s\" as %lld", cases[i].text, (long long)ms);
		} else {
			if (rc != 0)
				fail_msg("rejected \"%s\" (%s)", cases[i].text, cases[i].tz);
			if (ms != cases[i].ms)
				fail_msg("\"%s\" in %s: %lld, want %lld", cases[i].text, cases[i].tz,
				         (long long)ms, (long long)cases[i].ms);
		}
	}
}

static void test_tz_parse(void **state)
{
	static const char *const bad[] = { "", "+1:00", "+25:00", "+01:60", "01:00", "+01:00x",
	                                   "Nowhere/Atlantis", "../etc/passwd", "/etc/localtime",
	                                   "Europe/Paris;rm" };
	struct import_tz tz;
	size_t i;

	(void)state;
	assert_int_equal(import_tz_parse("+05:30", &tz), 0);
	assert_int_equal(tz.offset_s, 5 * 3600 + 1800);
	assert_int_equal(import_tz_parse("-0800", &tz), 0);
	assert_int_equal(tz.offset_s, -8 * 3600);
	assert_int_equal(import_tz_parse("utc", &tz), 0);
	assert_int_equal(tz.offset_s, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (import_tz_parse(bad[i], &tz) != -1)
			fail_msg("accepted zone \"%s\"", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_actor),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_tz_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
