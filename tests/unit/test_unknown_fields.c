/*
 * test_unknown_fields.c - the table of unknown event fields (bounded,
 * "other" for the rest and for names that cannot be shown) and the
 * near-miss test of unknown_fields.c, as tables of name and expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/event.h"
#include "warmth/unknown_fields.h"

static const struct {
	const char *name;
	const char *want; /* NULL: no suggestion */
} near_misses[] = {
	/* The case of the report, and its kin: a known name as a whole suffix or prefix. */
	{ "post_title", "title" },
	{ "postTitle", "title" },
	{ "comment_text", "text" },
	{ "post_id", "post" },
	{ "user_name", "name" },
	{ "actor_id", "actor" },
	{ "title_text", "title" },
	/* Case and separators only. */
	{ "Title", "title" },
	{ "TS", "ts" },
	{ "actorFollowers", "actor_followers" },
	{ "actor-connections", "actor_connections" },
	/* Within the edits allowed for the known name's length. */
	{ "tpye", "type" },
	{ "typ", "type" },
	{ "titel", "title" },
	{ "acter", "actor" },
	{ "headlien", "headline" },
	{ "head_line", "headline" },
	{ "reactions", "reaction" },
	{ "tag", "tags" },
	{ "follower", "followers" },
	{ "connection", "connections" },
	{ "acount", "account" },
	{ "creater", "creator" },
	{ "actor_follower", "actor_followers" },
	{ "actr_conections", "actor_connections" },
	/* Synonyms. */
	{ "timestamp", "ts" },
	{ "time", "ts" },
	{ "kind", "type" },
	{ "user", "actor" },
	{ "direction", "dir" },
	{ "content", "text" },
	/* No suggestion: too far, too short to tell, not plain ASCII, too long. */
	{ "xy", NULL },
	{ "tz", NULL },
	{ "foo", NULL },
	{ "source", NULL },
	{ "url", NULL },
	{ "tyep_of_event_and_more", NULL },
	{ "t\xc3\xadtle", NULL },
	{ "ti\ntle", NULL },
	{ "", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_title", NULL },
};

static void test_near_miss(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(near_misses) / sizeof(near_misses[0]); i++) {
		const char *got = unknown_fields_near_miss(near_misses[i].name, strlen(near_misses[i].name));
		const char *want = near_misses[i].want;
		if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
			fail_msg("near miss of \"%s\": got %s, want %s", near_misses[i].name,
			         got ? got : "none", want ? want : "none");
	}
	/* A known name is never its own near miss: the parser does not call it unknown. */
	for (size_t i = 0; event_field_name(i) != NULL; i++)
		assert_string_equal(unknown_fields_near_miss(event_field_name(i), strlen(event_field_name(i))),
		                    event_field_name(i));
}

static void test_count_bounded(void **state)
{
	struct unknown_fields t = { 0 };

	(void)state;
	assert_int_equal(unknown_fields_count(&t, "post_title", 10, 2), 1);
	assert_int_equal(unknown_fields_count(&t, "post_title", 10, 2), 0);
	assert_int_equal(unknown_fields_count(&t, "source", 6, 2), 1);
	/* Full: the rest are "other", however often they come. */
	assert_int_equal(unknown_fields_count(&t, "third", 5, 2), 0);
	assert_int_equal(unknown_fields_count(&t, "third", 5, 2), 0);
	/* Known names are still counted by name when the table is full. */
	assert_int_equal(unknown_fields_count(&t, "source", 6, 2), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.fields[0].name, "post_title");
	assert_int_equal(t.fields[0].count, 2);
	assert_string_equal(t.fields[1].name, "source");
	assert_int_equal(t.fields[1].count, 2);
	assert_int_equal(t.other, 2);
	unknown_fields_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.fields);
}

static void test_count_unshowable(void **state)
{
	struct unknown_fields t = { 0 };
	char long_name[EVENT_ACTOR_MAX + 2];

	(void)state;
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	/* Not UTF-8, a control character, empty, too long, and the name of the bucket itself. */
	assert_int_equal(unknown_fields_count(&t, "\xff\xfe", 2, 64), 0);
	assert_int_equal(unknown_fields_count(&t, "a\x1b[31m", 7, 64), 0);
	assert_int_equal(unknown_fields_count(&t, "", 0, 64), 0);
	assert_int_equal(unknown_fields_count(&t, long_name, EVENT_ACTOR_MAX + 1, 64), 0);
	assert_int_equal(unknown_fields_count(&t, "other", 5, 64), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.other, 5);
	/* The longest showable name, and one of UTF-8 beyond ASCII. */
	assert_int_equal(unknown_fields_count(&t, long_name, EVENT_ACTOR_MAX, 64), 1);
	assert_int_equal(unknown_fields_count(&t, "t\xc3\xadtulo", 7, 64), 1);
	/* Zero names kept: everything is other. */
	assert_int_equal(unknown_fields_count(&t, "x", 1, 0), 0);
	assert_int_equal(t.other, 6);
	unknown_fields_free(&t);
}

/* The parser lists the unknown top-level names of a line, on both of its paths. */
static void test_parser_lists_unknown(void **state)
{
	static const char line[] =
	    "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"post_title\":\"x\",\"meta\":{\"deep\":1},"
	    "\"tags\":[\"client\"],\"t\\u00edtle\":2}";
	static const char rejected[] = "{\"timestamp\":1,\"type\":\"like\",\"actor\":\"a\"}";
	static const char plain[] = "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\"}";

	(void)state;
	for (int fast = 0; fast <= 1; fast++) {
		struct event_parser *p = event_parser_new();
		struct event ev;
		event_parser_set_fast(p, fast);
		assert_int_equal(event_parse(p, line, strlen(line), &ev), REJECT_NONE);
		assert_int_equal(ev.nunknown, 3);
		assert_int_equal(ev.unknown_len, sizeof("post_title") + sizeof("meta") + sizeof("t\xc3\xadtle"));
		assert_memory_equal(ev.unknown, "post_title\0meta\0t\xc3\xadtle", ev.unknown_len);
		/* A rejected line still tells its unknown fields. */
		assert_int_equal(event_parse(p, rejected, strlen(rejected), &ev), REJECT_MISSING_TS);
		assert_int_equal(ev.nunknown, 1);
		assert_string_equal(ev.unknown, "timestamp");
		/* None: nothing left over from the line before. */
		assert_int_equal(event_parse(p, plain, strlen(plain), &ev), REJECT_NONE);
		assert_int_equal(ev.nunknown, 0);
		assert_null(ev.unknown);
		assert_int_equal(event_parse(p, "not json", 8, &ev), REJECT_NOT_JSON);
		assert_int_equal(ev.nunknown, 0);
		/* Broken after an unknown key: not an event, so no fields of one. */
		assert_int_equal(event_parse(p, "{\"post_title\":1,", 16, &ev), REJECT_NOT_JSON);
		assert_int_equal(ev.nunknown, 0);
		assert_int_equal(event_parse(p, "[{\"post_title\":1}]", 18, &ev), REJECT_NOT_OBJECT);
		assert_int_equal(ev.nunknown, 0);
		event_parser_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_miss),
		cmocka_unit_test(test_count_bounded),
		cmocka_unit_test(test_count_unshowable),
		cmocka_unit_test(test_parser_lists_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
