/* Unit tests of the scalable Bloom filter (keyfilter.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "warmth/keyfilter.h"

static struct hash128 key_of(uint64_t n)
{
	return hash128(&n, sizeof(n));
}

/* Every key added is found, through several levels; few others are. */
static void test_no_false_negatives(void **state)
{
	struct keyfilter f;
	const uint64_t n = 200000;
	uint64_t fp = 0;
	(void)state;

	keyfilter_init(&f, 1000, (size_t)64 << 20);
	for (uint64_t i = 0; i < n; i++)
		keyfilter_add(&f, key_of(i));
	assert_true(f.nlevels > 3);
	assert_false(f.full);
	for (uint64_t i = 0; i < n; i++)
		assert_true(keyfilter_may_have(&f, key_of(i)));
	for (uint64_t i = n; i < 2 * n; i++)
		fp += (uint64_t)keyfilter_may_have(&f, key_of(i));
	/* About 1% a level at most; a few levels: well under 5%. */
	assert_true(fp < n / 20);
	keyfilter_free(&f);
}

/* Past its limit the filter says "maybe" to everything, never "no" to a key it holds. */
static void test_full_answers_maybe(void **state)
{
	struct keyfilter f;
	(void)state;

	keyfilter_init(&f, 4096, 16384);
	for (uint64_t i = 0; i < 100000; i++)
		keyfilter_add(&f, key_of(i));
	assert_true(f.full);
	assert_true(f.bytes <= 16384);
	for (uint64_t i = 0; i < 200000; i += 7)
		assert_true(keyfilter_may_have(&f, key_of(i)));
	keyfilter_free(&f);
	/* A limit below the first level: full from the start. */
	keyfilter_init(&f, 1000000, 1024);
	assert_true(f.full);
	assert_true(keyfilter_may_have(&f, key_of(1)));
	keyfilter_free(&f);
}

static void test_empty_says_no(void **state)
{
	struct keyfilter f;
	(void)state;

	keyfilter_init(&f, 0, (size_t)1 << 20);
	assert_false(keyfilter_may_have(&f, key_of(42)));
	keyfilter_add(&f, key_of(42));
	assert_true(keyfilter_may_have(&f, key_of(42)));
	keyfilter_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_false_negatives),
		cmocka_unit_test(test_full_answers_maybe),
		cmocka_unit_test(test_empty_says_no),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
