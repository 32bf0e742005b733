/*
 * test_view_search.c - the contacts search's matcher: substrings without
 * regard to case in ASCII and in other scripts, the needle's limits, and
 * text that is not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/view_search.h"

static int matches(const char *needle, const char *text)
{
	struct view_search s;

	assert_int_equal(view_search_init(&s, needle), 0);
	return view_search_match(&s, text, strlen(text));
}

static void test_ascii(void **state)
{
	(void)state;
	assert_true(matches("ada", "Ada Lovelace"));
	assert_true(matches("LOVE", "Ada Lovelace"));
	assert_true(matches("e l", "Grace Lee"));
	assert_true(matches("urn:li", "urn:li:person:1"));
	assert_false(matches("adam", "Ada Lovelace"));
	assert_false(matches("Lovelaces", "Ada Lovelace"));
	assert_true(matches("x", "x"));
	assert_false(matches("xy", "x"));
}

static void test_other_scripts(void **state)
{
	(void)state;
	assert_true(matches("émile", "\xc3\x89mile Zola"));       /* É */
	assert_true(matches("\xc3\x89MILE", "\xc3\xa9mile"));     /* É in the needle */
	assert_true(matches("zola", "\xc3\x89mile Zola"));        /* ASCII needle, other text */
	assert_true(matches("σοφία", "ΣΟΦΊΑ Παπαδοπούλου"));
	assert_true(matches("ss", "Strasse"));
	/* ß folds to ss in the needle, so it finds the spelling with ss. */
	assert_true(matches("straße", "STRASSE"));
	assert_false(matches("é", "e"));
	/* The two characters that lower to ASCII: the dotted capital I and the Kelvin sign. */
	assert_true(matches("istanbul", "\xc4\xb0stanbul"));
	assert_true(matches("5 k", "5 \xe2\x84\xaa \xc3\xa9t\xc3\xa9"));
	assert_false(matches("zz", "\xc3\x89mile Zola"));
}

static void test_limits(void **state)
{
	struct view_search s;
	char longer[VIEW_SEARCH_MAX + 2];

	(void)state;
	assert_int_equal(view_search_init(&s, ""), -1);
	assert_int_equal(view_search_init(&s, NULL), -1);
	assert_int_equal(view_search_init(&s, "\xff\xfe"), -1);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(view_search_init(&s, longer), -1);
	longer[VIEW_SEARCH_MAX] = '\0';
	assert_int_equal(view_search_init(&s, longer), 0);
	/* Text that is not UTF-8: its ASCII bytes match an ASCII needle, nothing else
	   matches; a NULL name matches nothing. */
	assert_int_equal(view_search_init(&s, "ab"), 0);
	assert_true(view_search_match(&s, "AB\xff", 3));
	assert_false(view_search_match(&s, "a\xff" "b", 3));
	assert_false(view_search_match(&s, NULL, 0));
	assert_int_equal(view_search_init(&s, "\xc3\xa9"), 0);
	assert_false(view_search_match(&s, "\xc3\xa9\xff", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
