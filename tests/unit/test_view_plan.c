/*
 * test_view_plan.c - unit tests for daemon/view_plan.c: what a contact is
 * in the plan (view_plan_entry, through the readiness rules), and the
 * plan's JSON: this week's invitations with the note and its length, the
 * posts of theirs to engage with (those the user engaged with and those
 * that mentioned the user; never a private message, each post once), and
 * the invitations to withdraw.
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
#include "warmth/note.h"
#include "warmth/view.h"

#define DAY (86400LL * 1000)
#define T0 (1767225600LL * 1000) /* 2026-01-01T00:00:00Z */

/* Gives c these engagements as its evidence (newest first), post and title literals. */
static void test_evidence(struct contact *c, const struct contact_engagement *en, uint32_t n)
{
	c->recent = calloc(n, sizeof(*c->recent));
	memcpy(c->recent, en, n * sizeof(*en));
	c->nrecent = n;
}

/* Adds engagements to c's score, at T0 + days[i] on post i + 1. */
static void test_score(struct contact *c, const struct conf *conf, int type, int origin,
                       const int *days, int n)
{
	if (c->score == NULL)
		c->score = calloc(1, sizeof(*c->score));
	for (int i = 0; i < n; i++) {
		struct score_event ev = { T0 + days[i] * DAY, (uint32_t)(i + 1), (uint8_t)type,
			                  (uint8_t)origin };
		score_add(c->score, &conf->scoring, &ev);
	}
}

static yajl_val test_get(yajl_val v, const char *a, const char *b)
{
	const char *path[] = { a, b, NULL };
	return yajl_tree_get(v, path, yajl_t_any);
}

static void test_plan_json(void **state)
{
	struct conf *conf = conf_load_defaults();
	struct view v = { conf, T0 + 3 * DAY };
	struct view_account a = { "default", 500, 0, NULL };
	struct plan_params pp = view_plan_params(conf);
	struct contact ada, tom, zed;
	struct plan_builder b;
	struct plan_budget pb = { 0 };
	struct plan plan;
	struct plan_entry e;
	struct buf out = { 0 };
	struct json *j;
	yajl_val root, list, posts;
	static const int two_days[] = { 1, 2 }, one_day[] = { 1, 1 };
	const struct contact_engagement ada_en[] = {
		{ .ts_ms = T0 + 2 * DAY, .type = EVENT_COMMENT, .post = "p2", .title = "Hiring",
		  .text = "We saw the same thing when we hired our first engineers" },
	};
	const struct contact_engagement tom_en[] = {
		{ .ts_ms = T0 + 2 * DAY, .type = EVENT_MESSAGE, .post = "dm", .text = "private" },
		{ .ts_ms = T0 + 2 * DAY - 1, .type = EVENT_LIKE, .dir_out = 1, .post = "t1" },
		{ .ts_ms = T0 + DAY + 5, .type = EVENT_MENTION, .post = "t2", .title = "Thanks all" },
		{ .ts_ms = T0 + DAY, .type = EVENT_COMMENT, .dir_out = 1, .post = "t1",
		  .title = "Remote team dynamics", .text = "Async first worked for us too" },
	};

	(void)state;
	/* ada: a follower with comments on two posts on two days: ready. */
	contact_init(&ada, 0, "ada", 3);
	ada.name = strdup("Ada Lovelace");
	ada.rel.follower = (struct lww_flag){ T0, 1 };
	ada.rel.followed_ms = T0;
	test_score(&ada, conf, SCORE_COMMENT, SCORE_FROM_FOLLOWER, two_days, 2);
	test_evidence(&ada, ada_en, 1);
	/* tom: a senior executive (10k+ connections) I follow and commented on
	   once, three days ago: close, but within the segment's 2-3 weeks (a
	   peer would be ready at once). */
	contact_init(&tom, 0, "tom", 3);
	tom.actor_connections = 12000;
	tom.rel.target = (struct lww_flag){ T0, 1 };
	tom.rel.followed_ms = T0;
	test_score(&tom, conf, SCORE_COMMENT, SCORE_OUTBOUND, one_day, 1);
	test_evidence(&tom, tom_en, 4);
	/* zed: invited 22 days ago, no answer. */
	contact_init(&zed, 0, "zed", 3);
	zed.rel.pending = (struct lww_flag){ T0 + 3 * DAY - 22 * DAY, 1 };

	conf->plan_engage_above = 0; /* whatever the outbound weight: tom is listed */
	pp.engage_above = 0;
	plan_builder_init(&b, &pp);
	view_plan_entry(&v, &ada, &a, NULL, &e);
	assert_int_equal(e.kind, PLAN_READY);
	e.contact = &ada;
	plan_builder_offer(&b, &e);
	view_plan_entry(&v, &tom, &a, NULL, &e);
	assert_int_equal(e.kind, PLAN_ENGAGE);
	e.contact = &tom;
	plan_builder_offer(&b, &e);
	view_plan_entry(&v, &zed, &a, NULL, &e);
	assert_int_equal(e.kind, PLAN_WITHDRAW);
	e.contact = &zed;
	plan_builder_offer(&b, &e);
	plan_finish(&b, &pb, v.now_ms, &plan);

	j = json_new(&out, 0);
	view_plan_json(j, &v, &a, &plan);
	json_free(j);
	root = yajl_tree_parse(buf_cstr(&out), NULL, 0);
	assert_non_null(root);
	assert_int_equal(YAJL_GET_INTEGER(test_get(root, "budget", "remaining")), 100);

	list = test_get(root, "invite", NULL);
	assert_int_equal(list->u.array.len, 1);
	yajl_val inv = list->u.array.values[0];
	const char *note = YAJL_GET_STRING(test_get(inv, "note", NULL));
	assert_string_equal(YAJL_GET_STRING(test_get(inv, "name", NULL)), "Ada Lovelace");
	assert_non_null(strstr(note, "We saw the same thing"));
	assert_int_equal(YAJL_GET_INTEGER(test_get(inv, "note_chars", NULL)),
	                 (long long)note_count(note, strlen(note)));
	assert_int_equal(YAJL_GET_INTEGER(test_get(inv, "note_limit", NULL)), 300);
	assert_false(YAJL_IS_TRUE(test_get(inv, "notified", NULL)));

	list = test_get(root, "engage", NULL);
	assert_int_equal(list->u.array.len, 1);
	posts = test_get(list->u.array.values[0], "posts", NULL);
	/* Newest first, t1 once (its title from the comment is not needed), never the message. */
	assert_int_equal(posts->u.array.len, 2);
	assert_string_equal(YAJL_GET_STRING(test_get(posts->u.array.values[0], "post", NULL)), "t1");
	assert_string_equal(YAJL_GET_STRING(test_get(posts->u.array.values[1], "post", NULL)), "t2");
	assert_string_equal(YAJL_GET_STRING(test_get(posts->u.array.values[1], "title", NULL)),
	                    "Thanks all");
	yajl_val needs = test_get(list->u.array.values[0], "needs", NULL);
	assert_true(needs->u.array.len >= 1);

	list = test_get(root, "withdraw", NULL);
	assert_int_equal(list->u.array.len, 1);
	assert_int_equal(YAJL_GET_INTEGER(test_get(list->u.array.values[0], "pending_days", NULL)), 22);
	assert_int_equal(YAJL_GET_INTEGER(test_get(root, "pending", NULL)), 0);

	yajl_tree_free(root);
	buf_free(&out);
	plan_builder_free(&b);
	/* The evidence's strings are literals: not the contact's to free. */
	ada.nrecent = tom.nrecent = 0;
	contact_free(&ada);
	contact_free(&tom);
	contact_free(&zed);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
