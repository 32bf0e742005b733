/*
 * test_view.c - unit tests for daemon/view.c: the two list orders, the
 * heap that keeps the first N of a walk in any order, cursors (a round
 * trip, and malformed or foreign ones refused), and a contact's JSON with
 * its parts and shares (the shares add up to 100).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "warmth/json.h"
#include "warmth/view.h"

#define DAY (86400LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

static void test_orders(void **state)
{
	struct view_rank a = { 5.0, 1, 0, "b", NULL }, b = { 4.0, 9, 0, "a", NULL };
	struct view_rank c = { 5.0, 2, 0, "z", NULL }, d = { 5.0, 2, 1, "a", NULL };

	(void)state;
	assert_true(view_before(VIEW_BY_RANK, &a, &b));  /* warmer first */
	assert_true(view_before(VIEW_BY_RANK, &c, &a));  /* then more engagements */
	assert_true(view_before(VIEW_BY_RANK, &d, &c));  /* then by actor */
	assert_false(view_before(VIEW_BY_RANK, &a, &a));
	assert_true(view_before(VIEW_BY_KEY, &b, &a));   /* by actor in one account */
	assert_true(view_before(VIEW_BY_KEY, &c, &d));   /* account first */
}

/* The first 3 of 100 items offered in a scrambled order, both orders. */
static void test_heap(void **state)
{
	char names[100][8];
	struct view_heap h;

	(void)state;
	for (int order = VIEW_BY_RANK; order <= VIEW_BY_KEY; order++) {
		size_t pushed_out = 0;
		view_heap_init(&h, (enum view_order)order, 3);
		for (int k = 0; k < 100; k++) {
			int i = (k * 37) % 100;
			struct view_rank r = { (double)i, 0, 0, names[i], names[i] };
			snprintf(names[i], sizeof(names[i]), "a%03d", i);
			if (view_heap_offer(&h, &r) != NULL)
				pushed_out++;
		}
		assert_int_equal(h.count, 3);
		assert_int_equal(pushed_out, 97);
		view_heap_sort(&h);
		if (order == VIEW_BY_RANK) {
			assert_string_equal(h.items[0].actor, "a099");
			assert_string_equal(h.items[2].actor, "a097");
		} else {
			assert_string_equal(h.items[0].actor, "a000");
			assert_string_equal(h.items[2].actor, "a002");
		}
		view_heap_free(&h);
	}
	/* A limit of 0 keeps nothing; an empty heap sorts. */
	view_heap_init(&h, VIEW_BY_KEY, 0);
	struct view_rank r = { 0, 0, 0, "x", "x" };
	assert_ptr_equal(view_heap_offer(&h, &r), "x");
	view_heap_sort(&h);
	view_heap_free(&h);
}

static void test_cursors(void **state)
{
	struct view_rank r = { 1.0 / 3.0, 42, 7, "urn:li:person:x y", NULL }, back;
	char cursor[VIEW_CURSOR_MAX], *owned;

	(void)state;
	view_cursor_format(VIEW_BY_RANK, &r, cursor);
	assert_int_equal(view_cursor_parse(VIEW_BY_RANK, cursor, &back, &owned), 0);
	assert_true(back.warmth == r.warmth); /* exactly: %a */
	assert_int_equal(back.engagements, 42);
	assert_string_equal(back.actor, r.actor);
	free(owned);
	view_cursor_format(VIEW_BY_KEY, &r, cursor);
	assert_int_equal(view_cursor_parse(VIEW_BY_KEY, cursor, &back, &owned), 0);
	assert_int_equal(back.account, 7);
	assert_string_equal(back.actor, r.actor);
	free(owned);
	/* Another order's cursor, and garbage, are refused. */
	assert_int_equal(view_cursor_parse(VIEW_BY_RANK, cursor, &back, &owned), -1);
	assert_int_equal(view_cursor_parse(VIEW_BY_KEY, "", &back, &owned), -1);
	assert_int_equal(view_cursor_parse(VIEW_BY_KEY, "k\tx\ty", &back, &owned), -1);
	assert_int_equal(view_cursor_parse(VIEW_BY_RANK, "r\t1.0\t\tx", &back, &owned), -1);
	assert_null(owned);
}

static double test_number(yajl_val root, const char *a, const char *b)
{
	const char *path[] = { a, b, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);

	return v != NULL ? YAJL_GET_DOUBLE(v) : -1.0;
}

/* A contact with likes and comments: parts, shares adding up to 100. */
static void test_contact_json(void **state)
{
	struct conf *conf = conf_load_defaults();
	struct view v = { conf, T0 + 3 * DAY };
	struct view_account a = { "default", 500, 0, NULL };
	struct contact c;
	struct buf out = { 0 };
	struct json *j;
	yajl_val root;

	(void)state;
	contact_init(&c, 0, "ada", 3);
	c.score = calloc(1, sizeof(*c.score));
	for (int i = 0; i < 4; i++) {
		struct score_event ev = { T0 + i * DAY / 2, (uint32_t)(i + 1),
			                  i % 2 ? SCORE_COMMENT : SCORE_LIKE, SCORE_FROM_FOLLOWER };
		score_add(c.score, &conf->scoring, &ev);
	}
	j = json_new(&out, 0);
	view_contact_json(j, &v, &c, &a);
	json_free(j);
	root = yajl_tree_parse(buf_cstr(&out), NULL, 0);
	assert_non_null(root);
	assert_true(test_number(root, "warmth_parts", "comment") > test_number(root, "warmth_parts",
	                                                                       "like"));
	double sum = test_number(root, "share", "like") + test_number(root, "share", "comment");
	assert_true(sum > 99.85 && sum < 100.15);
	assert_true(test_number(root, "share", "share") < 0); /* no such part, no share */
	yajl_tree_free(root);
	buf_free(&out);
	contact_free(&c);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_cursors),
		cmocka_unit_test(test_contact_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
