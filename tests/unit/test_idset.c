/*
 * test_idset.c - the seen-id set: membership, growth, pruning by event
 * time, and the all-zero key that doubles as the empty-slot marker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "warmth/idset.h"
#include "warmth/util.h"

static struct hash128 key_of(uint64_t n)
{
	return hash128(&n, sizeof(n));
}

static void test_add_and_contains(void **state)
{
	struct idset set;
	(void)state;

	idset_init(&set);
	for (uint64_t n = 0; n < 100000; n++)
		assert_int_equal(idset_add(&set, key_of(n), (int64_t)n), 0);
	assert_int_equal(set.count, 100000);
	for (uint64_t n = 0; n < 100000; n++) {
		assert_true(idset_contains(&set, key_of(n)));
		assert_int_equal(idset_add(&set, key_of(n), 0), 1);
	}
	for (uint64_t n = 100000; n < 101000; n++)
		assert_false(idset_contains(&set, key_of(n)));
	idset_free(&set);
}

static void test_zero_key(void **state)
{
	struct idset set;
	struct hash128 zero = { 0, 0 };
	(void)state;

	idset_init(&set);
	assert_false(idset_contains(&set, zero));
	assert_int_equal(idset_add(&set, zero, 5), 0);
	assert_int_equal(idset_add(&set, zero, 5), 1);
	assert_true(idset_contains(&set, zero));
	assert_int_equal(set.count, 1);
	idset_free(&set);
}

static void test_prune_keeps_recent(void **state)
{
	struct idset set;
	(void)state;

	idset_init(&set);
	for (uint64_t n = 0; n < 50000; n++)
		idset_add(&set, key_of(n), (int64_t)n);
	assert_int_equal(idset_prune(&set, 30000), 30000);
	assert_int_equal(set.count, 20000);
	for (uint64_t n = 0; n < 50000; n++)
		assert_int_equal(idset_contains(&set, key_of(n)), n >= 30000);
	/* Pruned keys can be added again and count as new. */
	assert_int_equal(idset_add(&set, key_of(1), 1), 0);
	assert_int_equal(idset_prune(&set, 0), 0);
	idset_free(&set);
	assert_int_equal(idset_prune(&set, 10), 0);
}

/*
 * In-place pruning with long probe runs that wrap around the end of the
 * table: keys whose low bits all point at the last few slots, old and new
 * interleaved, so that deletions shift keys back across the wrap. Every
 * kept key must still be found, and no pruned one.
 */
static void test_prune_in_place_wraps(void **state)
{
	struct idset set;
	const int n = 300; /* under half of the first table (1024 slots): no growth */
	(void)state;

	idset_init(&set);
	for (int i = 0; i < n; i++) {
		struct hash128 key = { 1020 + (uint64_t)(i % 4) + ((uint64_t)i << 32), (uint64_t)i };
		assert_int_equal(idset_add(&set, key, i % 3 == 0 ? 10000 : 100000), 0);
	}
	assert_int_equal(set.oldest_ms, 10000);
	assert_int_equal(idset_prune(&set, 50000), (n + 2) / 3);
	assert_int_equal(set.count, n - (n + 2) / 3);
	assert_int_equal(set.oldest_ms, 100000);
	for (int i = 0; i < n; i++) {
		struct hash128 key = { 1020 + (uint64_t)(i % 4) + ((uint64_t)i << 32), (uint64_t)i };
		assert_int_equal(idset_contains(&set, key), i % 3 != 0);
	}
	/* Nothing older than the oldest key: nothing to do. */
	assert_int_equal(idset_prune(&set, 100999), 0);
	assert_int_equal(idset_prune(&set, 101000), 200);
	assert_int_equal(set.count, 0);
	idset_free(&set);
}

/* A table big enough to be mapped with huge pages behaves the same. */
static void test_large_table(void **state)
{
	struct idset set;
	const uint64_t n = 200000;
	(void)state;

	idset_init(&set);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(idset_add(&set, key_of(i), (int64_t)i), 0);
	assert_true((set.mask + 1) * sizeof(struct idset_slot) >= ((size_t)2 << 20));
	assert_int_equal(idset_prune(&set, (int64_t)n / 2), n / 2);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(idset_contains(&set, key_of(i)), i >= n / 2);
	idset_free(&set);
}

/*
 * Growth of a mapped table, which is rehashed in place (idset.c): keys in
 * a long run that wraps around the end of the table into its first slots,
 * whose new homes alternate between the old end and the new one, with
 * spread keys around them, through two doublings. Every key must still be
 * found, none made up, and pruning (which walks the runs) must still work.
 */
static struct hash128 wrap_key(uint64_t i, size_t cap)
{
	/* Homes cap - 8 .. cap - 1; bit log2(cap) of the key alternates. */
	struct hash128 k = { (cap - 1 - (i % 8)) + (i << 17), (uint64_t)1 << 40 | i };
	return k;
}

static void test_grow_in_place_wraps(void **state)
{
	struct idset set;
	const size_t cap = 131072; /* the first table of 2 MiB: mapped */
	const uint64_t nwrap = 1500, nspread = 180000;
	(void)state;

	idset_init(&set);
	for (uint64_t i = 0; i < 60000; i++)
		assert_int_equal(idset_add(&set, key_of(i), (int64_t)i * 1000), 0);
	assert_int_equal(set.mask + 1, cap);
	for (uint64_t i = 0; i < nwrap; i++)
		assert_int_equal(idset_add(&set, wrap_key(i, cap), (int64_t)i * 1000), 0);
	assert_int_equal(set.mask + 1, cap); /* the run wraps: slot 0 is taken */
	assert_false(set.slots[0].k1 == 0 && set.slots[0].k2 == 0);
	for (uint64_t i = 60000; i < nspread; i++)
		assert_int_equal(idset_add(&set, key_of(i), (int64_t)i * 1000), 0);
	assert_int_equal(set.mask + 1, cap * 4); /* two doublings in place */
	assert_int_equal(set.count, nspread + nwrap);
	for (uint64_t i = 0; i < nspread; i++)
		assert_true(idset_contains(&set, key_of(i)));
	for (uint64_t i = 0; i < nwrap; i++) {
		assert_true(idset_contains(&set, wrap_key(i, cap)));
		assert_int_equal(idset_add(&set, wrap_key(i, cap), 0), 1);
	}
	for (uint64_t i = nspread; i < nspread + 1000; i++)
		assert_false(idset_contains(&set, key_of(i)));
	assert_false(idset_contains(&set, wrap_key(nwrap, cap)));
	/* Seconds before 750: ids 0..749 of both kinds. */
	assert_int_equal(idset_prune(&set, 750000), 750 + 750);
	for (uint64_t i = 0; i < nwrap; i++)
		assert_int_equal(idset_contains(&set, wrap_key(i, cap)), i >= 750);
	for (uint64_t i = 0; i < nspread; i++)
		assert_int_equal(idset_contains(&set, key_of(i)), i >= 750);
	idset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_contains),
		cmocka_unit_test(test_zero_key),
		cmocka_unit_test(test_prune_keeps_recent),
		cmocka_unit_test(test_prune_in_place_wraps),
		cmocka_unit_test(test_large_table),
		cmocka_unit_test(test_grow_in_place_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
