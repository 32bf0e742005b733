/*
 * test_note.c - the suggested invitation note (note.h): which engagement
 * it refers to, which template wins when fields are missing, and that it
 * never exceeds its limit in code points nor cuts a character, a
 * combining sequence or a flag in two.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/conf.h"
#include "warmth/event.h"
#include "warmth/note.h"
#include "warmth/score.h"
#include "warmth/util.h"

#define DAY (86400 * INT64_C(1000))
#define NOW (INT64_C(1793700000) * 1000)

static const struct note_engagement test_comment = {
	.ts_ms = NOW - 2 * DAY, .type = EVENT_COMMENT, .post = "p1",
	.title = "Engines of thought", .text = "Great point on analytical engines and the patterns they weave.",
};

/* Builds a note with default params (limit as given) and returns it; *picked is the index. */
static char *test_build(uint32_t limit, const char *name, const char *segment, int64_t followed_ms,
                        const struct note_engagement *e, size_t n, int *picked)
{
	struct note_params p;
	struct note_input in = { .name = name, .segment = segment, .followed_ms = followed_ms,
	                         .now_ms = NOW, .engagements = e, .nengagements = n };
	struct buf out = { 0 };
	int valid, idx;

	note_params_default(&p);
	p.limit = limit;
	idx = note_build(&p, &in, &out);
	if (picked != NULL)
		*picked = idx;
	buf_cstr(&out);
	assert_true(note_count(out.data, out.len) <= limit);
	assert_int_equal(utf8_valid_prefix(out.data, out.len, &valid), out.len);
	assert_true(valid);
	return out.data != NULL ? out.data : xstrdup("");
}

static char *test_cut(const char *s, uint32_t limit)
{
	struct buf out = { 0 };
	size_t n = note_cut(s, strlen(s), limit, &out);

	buf_cstr(&out);
	assert_int_equal(n, note_count(out.data, out.len));
	assert_true(n <= limit);
	return out.data != NULL ? out.data : xstrdup("");
}

static void test_basic(void **state)
{
	int picked;
	char *note = test_build(300, "Ada Lovelace", "peer", 0, &test_comment, 1, &picked);

	(void)state;
	assert_string_equal(note, "Hi Ada, thank you for your thoughts on my post \"Engines of thought\": \"Great "
	                          "point on analytical engines and the patterns they weave\". I'd be glad to "
	                          "connect so we can learn from each other.");
	assert_int_equal(picked, 0);
	free(note);
}

/* What is worth quoting: prose of some substance, never an empty phrase or machine text. */
static void test_quotable(void **state)
{
	static const struct {
		const char *text;
		int quotable;
	} cases[] = {
		{ "Thanks!", 0 },
		{ "Great post", 0 },
		{ "Great post, thanks for sharing", 0 },
		/* Trivial sentences strung together say no more than one of them. */
		{ "Thanks! Saved for later. Congrats on the launch!", 0 },
		{ "Thanks! Great post. Saved for later. Sharing with my team. Congrats on the launch, all. Well done!", 0 },
		{ "+1", 0 },
		{ "Agreed", 0 },
		{ "\xf0\x9f\x91\x8f\xf0\x9f\x91\x8f\xf0\x9f\x94\xa5", 0 }, /* 👏👏🔥 */
		{ "C:\\Users\\ada\\Documents\\warm outreach notes final version.docx", 0 },
		{ "see C:\\Users\\ada\\notes.txt for the details on async teams and hiring", 0 },
		{ "https://example.com/posts/async-collaboration-is-the-future-of-work", 0 },
		{ "Worth reading: https://example.com/a and it explains the whole idea well", 0 },
		{ "for (int i = 0; i < n; i++) { total += counts[i]; }", 0 },
		{ "#remote #async #teams #hiring #growth #leadership #future", 0 },
		{ "2024: 12% 2025: 18% 2026: 25% 2027: 31% 2028: 40%", 0 },
		{ "/var/log/engagement/in.jsonl keeps growing every single day here", 0 },
		{ "The whole write-up is at example.com/posts/async and it is worth reading", 0 },
		{ "Write to me at ada@example.com and we can compare our onboarding notes", 0 },
		{ "Async and/or remote: we tried both, and written culture decided it.", 1 },
		{ "I love how you framed async collaboration as a habit, not a tool.", 1 },
		{ "Async beats meetings for deep work, in my team at least.", 1 },
		{ "\xe9\x9d\x9e\xe5\x90\x8c\xe6\x9c\x9f\xe3\x81\xae\xe5\x8d\x94\xe5\x83\x8d\xe3\x81\xaf\xe3\x83\x81"
		  "\xe3\x83\xbc\xe3\x83\xa0\xe3\x81\xae\xe7\xbf\x92\xe6\x85\xa3\xe3\x81\xa7\xe3\x81\x82\xe3\x82\x8a"
		  "\xe3\x80\x81\xe9\x81\x93\xe5\x85\xb7\xe3\x81\xa7\xe3\x81\xaf\xe3\x81\xaa\xe3\x81\x84\xe3\x81\xa8"
		  "\xe6\x80\x9d\xe3\x81\x84\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82", 1 }, /* Japanese, no spaces */
	};
	struct note_params p;

	(void)state;
	note_params_default(&p);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int quotable = note_text_quality(cases[i].text, strlen(cases[i].text)) > 0;
		struct note_engagement e = { .ts_ms = NOW, .type = EVENT_COMMENT, .text = cases[i].text };
		char *note = test_build(300, "Ada", "peer", 0, &e, 1, NULL);
		if ((strstr(note, "\"") != NULL) != cases[i].quotable)
			fail_msg("case %zu (%s): %s", i, cases[i].text, note);
		if (cases[i].quotable && !quotable)
			fail_msg("case %zu (%s): quality 0", i, cases[i].text);
		free(note);
	}
	/* A quotation left open as written is closed at the end. */
	{
		struct note_engagement open = { .ts_ms = NOW, .type = EVENT_COMMENT,
		                                 .text = "She said \"warm first, then connect, and never pitch" };
		char *note = test_build(300, "Ada", "peer", 0, &open, 1, NULL);
		assert_string_equal(note, "Hi Ada, thank you for your thoughts: \"She said \xe2\x80\x9cwarm first, then "
		                          "connect, and never pitch\xe2\x80\x9d\". I'd be glad to connect so we can "
		                          "learn from each other.");
		free(note);
	}
	/* Longer and wordier is more substantive; machine text has none. */
	assert_true(note_text_quality("Async beats meetings for deep work, in my team at least.", 56) >
	            note_text_quality("Async beats meetings.", 21));
	assert_int_equal(note_text_quality("C:\\Users\\ada", 12), 0);
}

/* Evidence in, exact note out: which engagement, in which frame, with which words. */
static void test_table(void **state)
{
	static const char good[] = "I love how you framed async collaboration as a habit, not a tool.";
	static const char secret[] = "Between us, I am leaving my job next month and looking for a new role.";
	static const struct {
		const char *what;
		const char *segment;
		struct note_engagement e[4];
		size_t n;
		int picked;
		const char *note;
	} cases[] = {
		{ "a thin reply after a good comment: the good comment", "peer",
		  { { NOW - 3 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams", good },
		    { NOW - 1 * DAY, EVENT_COMMENT, 0, "p2", "Hiring", "Thanks!" } }, 2, 0,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\": \"I love how you framed async "
		  "collaboration as a habit, not a tool\". I'd be glad to connect so we can learn from each other." },
		{ "the most substantive of two good ones, not the newest", "peer",
		  { { NOW - 3 * DAY, EVENT_REPLY, 0, "p1", "Remote teams", good },
		    { NOW - 1 * DAY, EVENT_COMMENT, 0, "p2", "Hiring", "Async beats meetings for deep work." } }, 2, 0,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\": \"I love how you framed async "
		  "collaboration as a habit, not a tool\". I'd be glad to connect so we can learn from each other." },
		{ "words worth quoting on a post with a title before more words on one without", "peer",
		  { { NOW - 3 * DAY, EVENT_COMMENT, 0, "p1", NULL, good },
		    { NOW - 1 * DAY, EVENT_COMMENT, 0, "p2", "Hiring", "Async beats meetings for deep work, in my team." } },
		  2, 1,
		  "Hi Ada, thank you for your thoughts on my post \"Hiring\": \"Async beats meetings for deep work, in my "
		  "team\". I'd be glad to connect so we can learn from each other." },
		{ "a private message is never quoted nor named", "peer",
		  { { NOW - 1 * DAY, EVENT_MESSAGE, 0, NULL, NULL, secret } }, 1, -1,
		  "Hi Ada, it has been good to cross paths here. I'd be glad to connect so we can learn from each other." },
		{ "a message beside a thin comment: the comment's post, not the message", "peer",
		  { { NOW - 1 * DAY, EVENT_MESSAGE, 0, NULL, NULL, secret },
		    { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams", "Thanks!" } }, 2, 1,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\". I'd be glad to connect so we can "
		  "learn from each other." },
		{ "a Windows path is not quoted", "peer",
		  { { NOW - 1 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams",
		      "C:\\Users\\ada\\Documents\\warm outreach notes final version.docx" } }, 1, 0,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\". I'd be glad to connect so we can "
		  "learn from each other." },
		{ "a title that is a link is not named", "peer",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "https://example.com/p/123", "Thanks!" },
		    { NOW - 5 * DAY, EVENT_COMMENT, 1, "t1", "C:\\Users\\me\\Downloads\\post.html", good } }, 2, -1,
		  "Hi Ada, it has been good to cross paths here. I'd be glad to connect so we can learn from each other." },
		{ "likes alone: a plain note, not \"engaging with my post\"", "peer",
		  { { NOW - 1 * DAY, EVENT_LIKE, 0, "p1", "Remote teams", NULL },
		    { NOW - 2 * DAY, EVENT_LIKE, 0, "p2", "Hiring", NULL } }, 2, -1,
		  "Hi Ada, it has been good to cross paths here. I'd be glad to connect so we can learn from each other." },
		{ "a mention is their post", "peer",
		  { { NOW - 1 * DAY, EVENT_MENTION, 0, "t1", "Five people who taught me async", "Thanks @me" } }, 1, 0,
		  "Hi Ada, thank you for mentioning me in your post \"Five people who taught me async\". I'd be glad to "
		  "connect so we can learn from each other." },
		{ "a mention without a title: its words", "peer",
		  { { NOW - 1 * DAY, EVENT_MENTION, 0, "t1", NULL, good } }, 1, 0,
		  "Hi Ada, thank you for mentioning me in your post: \"I love how you framed async collaboration as a "
		  "habit, not a tool\". I'd be glad to connect so we can learn from each other." },
		{ "my comment on their post: their post, never my words", "peer",
		  { { NOW - 5 * DAY, EVENT_COMMENT, 1, "t1", "Remote team dynamics", good },
		    { NOW - 1 * DAY, EVENT_LIKE, 1, "t2", "Monday notes", NULL } }, 2, 0,
		  "Hi Ada, I really appreciated your post \"Remote team dynamics\". I'd love to connect so we can learn "
		  "from each other." },
		{ "the outbound recipe for an executive", "senior_executive",
		  { { NOW - 9 * DAY, EVENT_SHARE, 1, "t1", "Scaling support teams", NULL },
		    { NOW - 4 * DAY, EVENT_COMMENT, 1, "t2", "Remote team dynamics", "Agreed" } }, 2, 1,
		  "Hello Ada, I really appreciated your post \"Remote team dynamics\". I would value connecting and "
		  "learning from your experience." },
		{ "an influencer's post I liked", "influencer",
		  { { NOW - 4 * DAY, EVENT_LIKE, 1, "t2", "Remote team dynamics", NULL } }, 1, 0,
		  "Hi Ada, I really appreciated your post \"Remote team dynamics\". I'd love to connect and follow your "
		  "future insights." },
		{ "a peer's question is thanked for as a question", "peer",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams",
		      "Curious: does this hold for enterprise buyers too?" } }, 1, 0,
		  "Hi Ada, thank you for your question on my post \"Remote teams\": \"Curious: does this hold for "
		  "enterprise buyers too?\". I'd be glad to connect so we can learn from each other." },
		{ "an executive's question, without a title", "senior_executive",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", NULL,
		      "How did you measure the effect on retention over a whole year?" } }, 1, 0,
		  "Hello Ada, thank you for your question: \"How did you measure the effect on retention over a whole "
		  "year?\". I would value connecting and learning from your experience." },
		{ "a client who asked: help with the question comes first", "potential_client",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "Onboarding in a week",
		      "How do you keep new hires from leaving in their first month?" } }, 1, 0,
		  "Hi Ada, happy to help with your question on my post \"Onboarding in a week\": \"How do you keep new "
		  "hires from leaving in their first month?\". I'd be glad to connect and share what has worked for "
		  "others." },
		{ "a client who asked nothing is thanked, then offered help", "potential_client",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "Onboarding in a week",
		      "I couldn't agree more, this is exactly what we saw last quarter." } }, 1, 0,
		  "Hi Ada, thank you for your comment on my post \"Onboarding in a week\": \"I couldn't agree more, "
		  "this is exactly what we saw last quarter\". If I can help with what you are working on, I'd be glad "
		  "to connect." },
		{ "only the quoted sentence counts as asking", "potential_client",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", NULL,
		      "Really? We rolled the same onboarding plan out across four offices and lost nobody this year." } },
		  1, 0,
		  "Hi Ada, thank you for your comment: \"We rolled the same onboarding plan out across four offices and "
		  "lost nobody this year\". If I can help with what you are working on, I'd be glad to connect." },
		{ "around the sentence that says something, nothing is quoted", "peer",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", NULL,
		      "Love this \xf0\x9f\x91\x8f \xe3\x81\x99\xe3\x81\x94\xe3\x81\x84\xe3\x80\x82 +1 We tried "
		      "a three-week warm-up and acceptance went from 28% to 41%. Well said, Zo\xc3\xab!" } }, 1, 0,
		  "Hi Ada, thank you for your thoughts: \"We tried a three-week warm-up and acceptance went from 28% to "
		  "41%\". I'd be glad to connect so we can learn from each other." },
		{ "hostile words are neither quoted nor thanked for", "peer",
		  { { NOW - 2 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams",
		      "This is complete nonsense written by someone who never managed anyone." },
		    { NOW - 9 * DAY, EVENT_LIKE, 1, "t1", "Hiring in 2026", NULL } }, 2, 1,
		  "Hi Ada, I really appreciated your post \"Hiring in 2026\". I'd love to connect so we can learn from "
		  "each other." },
		{ "a hostile comment leaves the kind one before it", "peer",
		  { { NOW - 1 * DAY, EVENT_COMMENT, 0, "p2", "Hiring", "Pure CLICKBAIT, like everything else you post here." },
		    { NOW - 5 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams",
		      "Async standups saved our team hours every single week." } }, 2, 1,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\": \"Async standups saved our team "
		  "hours every single week\". I'd be glad to connect so we can learn from each other." },
		{ "a hostile mention is not thanked for", "peer",
		  { { NOW - 1 * DAY, EVENT_MENTION, 0, "m1", "Why I unfollowed",
		      "Unfollowed: another grifter selling warm outreach." } }, 1, -1,
		  "Hi Ada, it has been good to cross paths here. I'd be glad to connect so we can learn from each "
		  "other." },
		{ "one phrase repeated is not a sentence", "peer",
		  { { NOW - 1 * DAY, EVENT_COMMENT, 0, "p1", "Remote teams",
		      "Great post great post great post great post great post great post" } }, 1, 0,
		  "Hi Ada, thank you for your thoughts on my post \"Remote teams\". I'd be glad to connect so we can "
		  "learn from each other." },
		{ "quotation marks inside the quote become typographic", "peer",
		  { { NOW - 1 * DAY, EVENT_COMMENT, 0, "p1", "The \"warm\" intro",
		      "\"Warm outreach\" beats cold pitches every time, in my experience." } }, 1, 0,
		  "Hi Ada, thank you for your thoughts on my post \"The \xe2\x80\x9cwarm\xe2\x80\x9d intro\": "
		  "\"\xe2\x80\x9cWarm outreach\xe2\x80\x9d beats cold pitches every time, in my experience\". I'd be glad "
		  "to connect so we can learn from each other." },
		{ "typographic ones inside stay typographic", "peer",
		  { { NOW - 1 * DAY, EVENT_COMMENT, 0, "p1", NULL,
		      "\xe2\x80\x9cWarm outreach\xe2\x80\x9d beats cold pitches every time, in my experience." } }, 1, 0,
		  "Hi Ada, thank you for your thoughts: \"\xe2\x80\x9cWarm outreach\xe2\x80\x9d beats cold pitches every "
		  "time, in my experience\". I'd be glad to connect so we can learn from each other." },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int picked;
		char *note = test_build(300, "Ada Lovelace", cases[i].segment, 0, cases[i].e, cases[i].n, &picked);
		if (strcmp(note, cases[i].note) != 0 || picked != cases[i].picked)
			fail_msg("%s:\n got  %s (picked %d)\n want %s (picked %d)", cases[i].what, note, picked,
			         cases[i].note, cases[i].picked);
		free(note);
	}
}

/* A quote cut to fit ends at a word with an ellipsis and closes the quotation it opened. */
static void test_quote_cut(void **state)
{
	struct note_engagement e = { .ts_ms = NOW, .type = EVENT_COMMENT, .title = "Remote teams",
	                             .text = "I keep coming back to \"warm outreach beats cold pitches every single "
	                                     "time, and the data from three years of our campaigns agrees\" as a "
	                                     "rule for the whole team." };
	struct note_params p;
	struct note_input in = { .name = "Ada", .segment = "peer", .now_ms = NOW, .engagements = &e,
	                         .nengagements = 1 };
	struct buf out = { 0 };

	(void)state;
	note_params_default(&p);
	p.comment_max = 60;
	note_build(&p, &in, &out);
	assert_string_equal(buf_cstr(&out), "Hi Ada, thank you for your thoughts on my post \"Remote teams\": \"I keep "
	                                    "coming back to \xe2\x80\x9cwarm outreach beats cold pitches\xe2\x80\xa6"
	                                    "\xe2\x80\x9d\". I'd be glad to connect so we can learn from each other.");
	buf_free(&out);
}

/* On a free account (200): a long title and a long quote shrink together, the closing words stay. */
static void test_free_limit(void **state)
{
	struct note_engagement e = {
		.ts_ms = NOW, .type = EVENT_COMMENT,
		.title = "Why \"warm\" outreach beats cold pitching, and what three years of campaigns taught us",
		.text = "We tried this with a three-week warm-up across our whole sales team and acceptance went "
		        "from 28% to 41%, with \"reply rates\" up too.",
	};
	char *note = test_build(NOTE_LIMIT_FREE, "Ada Lovelace", "peer", 0, &e, 1, NULL);

	(void)state;
	assert_string_equal(note, "Hi Ada, thank you for your thoughts on my post \"Why \xe2\x80\x9cwarm\xe2\x80\x9d "
	                          "outreach beats cold pitching, and\xe2\x80\xa6\": \"We tried this with a "
	                          "three-week warm-up\xe2\x80\xa6\". I'd be glad to connect so we can learn from "
	                          "each other.");
	free(note);
}

/* Each missing field moves to the next alternative. */
static void test_missing_fields(void **state)
{
	struct note_engagement empty = { .ts_ms = NOW, .type = EVENT_COMMENT, .title = "", .text = "" };
	int picked;
	char *note;

	(void)state;
	note = test_build(300, "Ada", "peer", NOW - 18 * DAY - 5, &empty, 1, &picked);
	assert_string_equal(note, "Hi Ada, it has been good to cross paths here. I'd be glad to connect so we can "
	                          "learn from each other.");
	assert_int_equal(picked, -1); /* it names no engagement */
	free(note);

	/* No name, nothing to refer to: the sentence that needs nothing (with
	   words to quote, the greeting goes without the name: test_no_name). */
	note = test_build(300, "  \t ", NULL, 0, NULL, 0, NULL);
	assert_string_equal(note, "Hi, it has been good to cross paths here. I'd be glad to connect so we can "
	                          "learn from each other.");
	free(note);
}

/* A segment's own alternatives, down to its own plain sentence. */
static void test_segments(void **state)
{
	struct note_engagement like = { .ts_ms = NOW, .type = EVENT_LIKE, .text = "" };
	char *note;

	(void)state;
	note = test_build(300, "Ada Lovelace", "senior_executive", 0, &test_comment, 1, NULL);
	assert_true(strncmp(note, "Hello Ada, thank you for your perspective on my post \"Engines of thought\"",
	                    73) == 0);
	free(note);
	note = test_build(300, "Ada Lovelace", "senior_executive", 0, &like, 1, NULL);
	assert_string_equal(note, "Hello Ada, I would value connecting and learning from your experience.");
	free(note);
	note = test_build(300, "Ada Lovelace", "influencer", 0, &like, 1, NULL);
	assert_string_equal(note, "Hi Ada, I've been following your work with interest and would be glad to connect.");
	free(note);
	note = test_build(300, "Ada Lovelace", "potential_client", 0, &like, 1, NULL);
	assert_string_equal(note, "Hi Ada, if I can help with what you are working on, I'd be glad to. Happy to "
	                          "connect.");
	free(note);
}

/* No name from any event: the greeting goes without it, the note still names what they wrote. */
static void test_no_name(void **state)
{
	char *note;

	(void)state;
	note = test_build(300, NULL, "senior_executive", 0, &test_comment, 1, NULL);
	assert_true(strncmp(note, "Hello, thank you for your perspective on my post \"Engines of thought\"",
	                    69) == 0);
	free(note);
	note = test_build(300, "", "peer", 0, &test_comment, 1, NULL);
	assert_true(strncmp(note, "Hi, thank you for your thoughts on my post \"Engines of thought\"", 63) == 0);
	free(note);
}

/* A config's templates: every variable, braces, and a template per segment. */
static void test_custom_templates(void **state)
{
	static const char *const mine[] = { "{post_title} / {comment}", "{{{name}}} {followed_days} {segment}" };
	static const char *const every[] = { "Hello {first_name}" };
	const struct note_template templates[] = { { "potential_client", mine, 2 }, { NULL, every, 1 } };
	struct note_params p;
	struct note_input in = { .name = "Lovelace, Ada", .segment = "potential_client",
	                         .followed_ms = NOW - 3 * DAY, .now_ms = NOW };
	struct buf out = { 0 };

	(void)state;
	note_params_default(&p);
	p.templates = templates;
	p.ntemplates = ARRAY_SIZE(templates);
	assert_int_equal(note_build(&p, &in, &out), -1);
	assert_string_equal(buf_cstr(&out), "{Lovelace, Ada} 3 potential client");
	buf_reset(&out);
	in.segment = "peer";
	note_build(&p, &in, &out);
	assert_string_equal(buf_cstr(&out), "Hello Ada"); /* "Last, First": the word after the comma */
	buf_free(&out);
}

/* The note's params as the daemon makes them from a config's notes: section. */
static void test_params_of(const struct conf *conf, struct note_params *p)
{
	note_params_default(p);
	p->limit = conf->note_free ? conf->note_free_limit : conf->note_limit;
	p->comment_max = conf->note_comment_max;
	p->templates = conf->note_templates;
	p->ntemplates = conf->nnote_templates;
}

/*
 * tests/golden/conf/ok_notes.yaml: the free plan's limit (200), templates
 * per segment and for every segment ("*"), with long titles, multi-byte
 * text and missing fields.
 */
static void test_config_templates(void **state)
{
	const char *src = getenv("WARMTH_SOURCE_DIR");
	char path[4096], title[4096] = "";
	struct conf_errors errs = { 0 };
	struct conf *conf = NULL;
	struct note_params p;
	struct note_engagement e = test_comment;
	struct note_input in = { .name = "\xc3\x89lodie Dupr\xc3\xa9", .segment = "senior_executive",
	                         .followed_ms = NOW - 9 * DAY, .now_ms = NOW, .engagements = &e,
	                         .nengagements = 1 };
	struct buf out = { 0 };
	int valid;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/golden/conf/ok_notes.yaml", src != NULL ? src : "..");
	assert_int_equal(conf_load(path, &conf, &errs), 0);
	assert_int_equal(conf->note_free, 1);
	assert_int_equal(conf->note_free_limit, 200);
	assert_int_equal(conf->note_limit, 300);
	assert_int_equal(conf->nnote_templates, 3);
	test_params_of(conf, &p);

	/* The segment's first alternative, every variable known. */
	note_build(&p, &in, &out);
	assert_string_equal(buf_cstr(&out), "Hello \xc3\x89lodie, your words on \"Engines of thought\" "
	                                    "(Great point on analytical engines and the patterns they weave) stayed with me.");

	/* A title of 1,100 characters (2,000 bytes) of two-byte letters: within 200, closing words kept. */
	for (int i = 0; i < 100; i++)
		strcat(title, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ");
	e.title = title;
	buf_reset(&out);
	note_build(&p, &in, &out);
	buf_cstr(&out);
	assert_true(note_count(out.data, out.len) <= 200);
	assert_int_equal(utf8_valid_prefix(out.data, out.len, &valid), out.len);
	assert_true(valid);
	assert_string_equal(out.data + out.len - strlen(") stayed with me."), ") stayed with me.");

	/* No engagement at all: the segment's second alternative needs none. */
	in.nengagements = 0;
	buf_reset(&out);
	assert_int_equal(note_build(&p, &in, &out), -1);
	assert_string_equal(buf_cstr(&out), "Hello \xc3\x89lodie, I'd value connecting.");

	/* Another segment without its own: "*", with {followed_days} and literal braces. */
	in.segment = "influencer";
	buf_reset(&out);
	note_build(&p, &in, &out);
	assert_string_equal(buf_cstr(&out), "Hi \xc3\x89lodie, glad to connect after 9 days of {exchanges}.");

	/* No name and no follow: no template has what it needs, so the fixed sentence. */
	in.name = NULL;
	in.followed_ms = 0;
	buf_reset(&out);
	note_build(&p, &in, &out);
	assert_true(out.len > 0 && note_count(out.data, out.len) <= 200);
	assert_null(strstr(buf_cstr(&out), "{"));

	/* peer's template needs {post_title}: without an engagement "*" comes next. */
	in.name = "Bo";
	in.segment = "peer";
	in.followed_ms = NOW - 2 * DAY;
	buf_reset(&out);
	note_build(&p, &in, &out);
	assert_string_equal(buf_cstr(&out), "Hi Bo, glad to connect after 2 days of {exchanges}.");
	buf_free(&out);
	conf_free(conf);
}

/* A long title shrinks, so the closing words survive; the limit holds for 300 and 200. */
static void test_long_title(void **state)
{
	char title[1200];
	struct note_engagement e = test_comment;
	char *note;
	const char *end = "I'd be glad to connect so we can learn from each other.";

	(void)state;
	memset(title, 0, sizeof(title));
	for (int i = 0; i < 100; i++)
		strcat(title, "Analytical ");
	e.title = title;
	note = test_build(300, "Ada Lovelace", "peer", 0, &e, 1, NULL);
	assert_true(note_count(note, strlen(note)) <= 300);
	assert_true(note_count(note, strlen(note)) >= 280); /* it uses the room */
	assert_string_equal(note + strlen(note) - strlen(end), end);
	assert_non_null(strstr(note, "\xe2\x80\xa6\": \"")); /* the title was cut, with an ellipsis */
	free(note);

	note = test_build(NOTE_LIMIT_FREE, "Ada Lovelace", "peer", 0, &e, 1, NULL);
	assert_true(note_count(note, strlen(note)) <= 200);
	assert_string_equal(note + strlen(note) - strlen(end), end);
	free(note);

	/* A limit so small that even shrunk excerpts do not fit: the note itself is cut. */
	note = test_build(NOTE_LIMIT_MIN, "Ada Lovelace", "peer", 0, &e, 1, NULL);
	assert_true(note_count(note, strlen(note)) <= NOTE_LIMIT_MIN);
	assert_string_equal(note + strlen(note) - 3, "\xe2\x80\xa6");
	free(note);
}

/* Emoji, CJK and combining marks: counted as code points, never cut apart. */
static void test_multibyte(void **state)
{
	struct buf text = { 0 };
	struct note_engagement e = test_comment;
	char *note;

	(void)state;
	for (int i = 0; i < 60; i++)
		buf_append_str(&text, "\xe6\xbc\xa2\xe5\xad\x97 "         /* 漢字 */
		                      "e\xcc\x81t\xc3\xa9 "                 /* été, the first é decomposed */
		                      "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb "); /* 👩‍💻 */
	e.text = buf_cstr(&text);
	e.title = "\xf0\x9f\x9a\x80 \xe6\x95\xb0\xe5\xad\xa6"; /* 🚀 数学 */
	for (uint32_t limit = NOTE_LIMIT_MIN; limit <= 300; limit += 7) {
		note = test_build(limit, "Zo\xc3\xab \xe6\x9d\x8e", "peer", 0, &e, 1, NULL);
		/* test_build checked the count and the UTF-8; no dangling combining mark or joiner: */
		for (const char *p = note; (p = strstr(p, "\xcc\x81")) != NULL; p++)
			assert_true(p > note && p[-1] == 'e');
		for (const char *p = note; (p = strstr(p, "\xe2\x80\x8d")) != NULL; p++)
			assert_true(strncmp(p + 3, "\xf0\x9f\x92\xbb", 4) == 0);
		assert_true(strncmp(note, "Hi Zo\xc3\xab,", 7) == 0);
		free(note);
	}
	buf_free(&text);
}

/* Text that is not UTF-8 ends at the bad byte; control characters read as spaces. */
static void test_normalise(void **state)
{
	struct note_engagement e = { .ts_ms = NOW, .type = EVENT_COMMENT, .title = "Line\none\r\n\ttwo",
	                             .text = "Several words make this a real sentence \xff\xfe broken" };
	char *note = test_build(300, "Ada", "peer", 0, &e, 1, NULL);

	(void)state;
	assert_non_null(strstr(note, "\"Line one two\": \"Several words make this a real sentence\""));
	free(note);
}

/* note_cut at and around the boundary. */
static void test_cut_boundaries(void **state)
{
	struct buf exact = { 0 };
	char *s;

	(void)state;
	/* Exactly the limit (in code points, 3 bytes each): untouched; one more: cut. */
	for (int i = 0; i < 300; i++)
		buf_append_str(&exact, "\xe5\xad\x97");
	s = test_cut(buf_cstr(&exact), 300);
	assert_string_equal(s, exact.data);
	free(s);
	buf_append_str(&exact, "\xe5\xad\x97");
	s = test_cut(buf_cstr(&exact), 300);
	assert_int_equal(note_count(s, strlen(s)), 300);
	assert_string_equal(s + strlen(s) - 3, "\xe2\x80\xa6");
	free(s);
	buf_free(&exact);

	s = test_cut("aaa bbb ccc", 11);
	assert_string_equal(s, "aaa bbb ccc");
	free(s);
	s = test_cut("aaa bbb ccc", 10);
	assert_string_equal(s, "aaa bbb\xe2\x80\xa6");
	free(s);
	s = test_cut("aaa bbb ccc", 8);
	assert_string_equal(s, "aaa bbb\xe2\x80\xa6");
	free(s);
	s = test_cut("aaa bbb ccc", 7);
	assert_string_equal(s, "aaa\xe2\x80\xa6");
	free(s);
	/* Spaces and punctuation before the ellipsis go. */
	s = test_cut("Hello, world and more", 8);
	assert_string_equal(s, "Hello\xe2\x80\xa6");
	free(s);
	/* One long word: cut inside it rather than keep nothing. */
	s = test_cut("Hi supercalifragilistic", 12);
	assert_string_equal(s, "Hi supercal\xe2\x80\xa6");
	free(s);
	/* CJK breaks between characters. */
	s = test_cut("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97", 4);
	assert_string_equal(s, "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe2\x80\xa6");
	free(s);
	/* Combining marks stay with their letter: "éééé" decomposed is 8 code points. */
	s = test_cut("e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 4);
	assert_string_equal(s, "e\xcc\x81\xe2\x80\xa6");
	free(s);
	/* A flag is two regional indicators: never half of one. */
	s = test_cut("\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5", 4);
	assert_string_equal(s, "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7\xe2\x80\xa6");
	free(s);
	/* A joined emoji (woman, ZWJ, laptop) stays whole or goes. */
	s = test_cut("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 5);
	assert_string_equal(s, "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\xe2\x80\xa6");
	free(s);
	/* Devanagari: a vowel sign (ि, U+093F) or a virama stays with its consonant: "किताब" is 5 code points, 3 characters. */
	s = test_cut("\xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe0\xa4\xac \xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe0\xa4\xac", 5);
	assert_string_equal(s, "\xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe2\x80\xa6");
	free(s);
	s = test_cut("\xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe0\xa4\xac \xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe0\xa4\xac", 4);
	assert_string_equal(s, "\xe0\xa4\x95\xe0\xa4\xbf\xe2\x80\xa6");
	free(s);
	s = test_cut("\xe0\xa4\x95\xe0\xa4\xbf\xe0\xa4\xa4\xe0\xa4\xbe\xe0\xa4\xac", 2);
	assert_string_equal(s, "\xe2\x80\xa6");
	free(s);
	/* Thai: tone marks above a consonant (ที่ is 3 code points, one character). */
	s = test_cut("\xe0\xb8\x97\xe0\xb8\xb5\xe0\xb9\x88\xe0\xb8\x99\xe0\xb8\xb5\xe0\xb9\x88", 3);
	assert_string_equal(s, "\xe2\x80\xa6");
	free(s);
	s = test_cut("\xe0\xb8\x97\xe0\xb8\xb5\xe0\xb9\x88\xe0\xb8\x99\xe0\xb8\xb5\xe0\xb9\x88", 5);
	assert_string_equal(s, "\xe0\xb8\x97\xe0\xb8\xb5\xe0\xb9\x88\xe2\x80\xa6");
	free(s);
	/* A thumb with a skin tone is one character. */
	s = test_cut("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 2);
	assert_string_equal(s, "\xe2\x80\xa6");
	free(s);
	/* Tiny limits. */
	s = test_cut("abc", 0);
	assert_string_equal(s, "");
	free(s);
	s = test_cut("abc", 1);
	assert_string_equal(s, "\xe2\x80\xa6");
	free(s);
}

static void test_template_check(void **state)
{
	struct buf err = { 0 };

	(void)state;
	assert_int_equal(note_template_check("Hi {first_name}, {{braces}} {followed_days}", &err), 0);
	assert_int_equal(note_template_check("Hi {frist_name}", &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "unknown variable {frist_name}"));
	buf_reset(&err);
	assert_int_equal(note_template_check("Hi {name", &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "without its '}'"));
	buf_reset(&err);
	assert_int_equal(note_template_check("Hi name}", &err), -1);
	buf_reset(&err);
	assert_int_equal(note_template_check("Hi \xff", &err), -1);
	buf_free(&err);
}

static void test_deep_types(void **state)
{
	struct note_params p;

	(void)state;
	note_params_default(&p);
	assert_int_equal(note_deep_types_from_score(1u << SCORE_COMMENT | 1u << SCORE_REPLY | 1u << SCORE_SHARE |
	                                            1u << SCORE_MENTION | 1u << SCORE_MESSAGE),
	                 p.deep_types);
	assert_int_equal(note_deep_types_from_score(1u << SCORE_LIKE), 1u << EVENT_LIKE);
}

/* Who the note greets: a word of the name, never a title, an initial or an emoji. */
static void test_first_name(void **state)
{
	static const struct {
		const char *name;
		const char *greeting; /* NULL: no template that greets by name */
	} cases[] = {
		{ "Ada Lovelace", "Hi Ada," },
		{ "Dr. Ada Lovelace", "Hi Ada," },
		{ "Prof. Dr. Ada Lovelace", "Hi Ada," },
		{ "\xf0\x9f\x9a\x80 Ada Lovelace", "Hi Ada," },     /* 🚀 Ada Lovelace */
		{ "Lovelace, Ada", "Hi Ada," },
		{ "Ada Lovelace, PhD", "Hi Ada," },
		{ "\xe7\x8e\x8b \xe4\xbc\x9f", "Hi \xe7\x8e\x8b," }, /* 王 伟: a CJK character is a name */
		{ "\xf0\x9f\x9a\x80 \xf0\x9f\x94\xa5", NULL },     /* only emoji */
		{ "J.", NULL },
		{ "<img src=x onerror=alert(1)> Eve", "Hi Eve," }, /* markup is not a name */
		{ "Jean-Luc O'Brien", "Hi Jean-Luc," },
		{ "ada@example.com", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *note = test_build(300, cases[i].name, "peer", 0, &test_comment, 1, NULL);
		if (cases[i].greeting != NULL ? strncmp(note, cases[i].greeting, strlen(cases[i].greeting)) != 0
		                              : strncmp(note, "Hi,", 3) != 0)
			fail_msg("case %zu (%s): %s", i, cases[i].name, note);
		free(note);
	}
}

/*
 * Bidirectional overrides and isolates, left open in a name, a title or a
 * quote, would show the template's own words after them reversed; they
 * and other invisible formatting characters never reach the note.
 */
static void test_invisible(void **state)
{
	static const char *const format[] = {
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", /* U+202A-202E */
		"\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",                 /* U+2066-2069 */
		"\xe2\x80\x8b", "\xe2\x81\xa0", "\xef\xbb\xbf",                                 /* ZWSP, WJ, BOM */
	};
	struct note_engagement e = { .ts_ms = NOW - DAY, .type = EVENT_COMMENT, .post = "p1",
	                             .title = "Async \xe2\x80\xae tsop ym",
	                             .text = "I love how you framed async \xe2\x80\xae\xe2\x81\xa7" "collaboration as a "
	                                     "habit, \xe2\x80\x8b" "not a tool." };
	char *note = test_build(300, "Ada\xe2\x80\xae Lovelace", "peer", 0, &e, 1, NULL);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(format); i++)
		if (strstr(note, format[i]) != NULL)
			fail_msg("format character %zu in: %s", i, note);
	assert_string_equal(note, "Hi Ada, thank you for your thoughts on my post \"Async tsop ym\": \"I love how you "
	                          "framed async collaboration as a habit, not a tool\". I'd be glad to connect so "
	                          "we can learn from each other.");
	free(note);
	/* Joiners stay: an emoji sequence and Persian need them. */
	e.text = "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85 I think written culture "
	         "decides async \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb";
	note = test_build(300, "Ada", "peer", 0, &e, 1, NULL);
	assert_non_null(strstr(note, "\xe2\x80\x8c"));
	assert_non_null(strstr(note, "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"));
	free(note);
}

/*
 * A text is as substantive as its best sentence: a string of trivial ones
 * loses to one real sentence, and a long comment is quoted by its best
 * sentence, not by a head cut short.
 */
static void test_best_sentence(void **state)
{
	const struct note_engagement trivia = {
		.ts_ms = NOW - DAY, .type = EVENT_COMMENT, .post = "p1", .title = "Remote teams",
		.text = "Thanks! Great post. Saved for later. Sharing with my team. Congrats on the launch, all. "
		        "Well done! Bookmarked for the weekend. So good.",
	};
	const struct note_engagement real = {
		.ts_ms = NOW - 3 * DAY, .type = EVENT_COMMENT, .post = "p2", .title = "Async",
		.text = "Async beats meetings for deep work, in my team at least.",
	};
	const struct note_engagement both[] = { trivia, real };
	struct note_engagement long_one = trivia;
	int picked;
	char *note;

	(void)state;
	assert_true(note_text_quality(trivia.text, strlen(trivia.text)) <
	            note_text_quality(real.text, strlen(real.text)));
	note = test_build(300, "Ada", "peer", 0, both, 2, &picked);
	assert_int_equal(picked, 1);
	assert_string_equal(note, "Hi Ada, thank you for your thoughts on my post \"Async\": \"Async beats meetings for "
	                          "deep work, in my team at least\". I'd be glad to connect so we can learn from "
	                          "each other.");
	free(note);
	long_one.text = "Thanks! Sharing with my team. Saved for later. Congrats on the launch! Would love to "
	                "hear more about how you measured the acceptance rates over those weeks. +1";
	note = test_build(300, "Ada", "peer", 0, &long_one, 1, NULL);
	assert_string_equal(note, "Hi Ada, thank you for your thoughts on my post \"Remote teams\": \"Would love to hear "
	                          "more about how you measured the acceptance rates over those weeks\". I'd be glad "
	                          "to connect so we can learn from each other.");
	free(note);
}

/* notes.avoid_words: a list of one's own replaces the built-in one; [] avoids nothing. */
static void test_avoid_words(void **state)
{
	static const char *const mine[] = { "meh*", "so-so" };
	struct note_params p;

	(void)state;
	note_params_default(&p);
	assert_true(note_text_avoided(&p, "This is NONSENSE."));
	assert_true(note_text_avoided(&p, "I disagreed with every point."));
	assert_false(note_text_avoided(&p, "Nonsensical? No: this is careful work."));
	assert_false(note_text_avoided(&p, NULL));
	p.avoid_words = mine;
	p.navoid_words = ARRAY_SIZE(mine);
	p.avoid_set = 1;
	assert_false(note_text_avoided(&p, "This is nonsense."));
	assert_true(note_text_avoided(&p, "Mehhh, seen it before."));
	assert_true(note_text_avoided(&p, "A so-so post, honestly."));
	assert_false(note_text_avoided(&p, "So, so good."));
	p.avoid_words = NULL;
	p.navoid_words = 0;
	assert_false(note_text_avoided(&p, "This is nonsense."));
}

/*
 * The built-in list catches the plain hostile words and the eye roll a
 * note must not thank anyone for; an emoji of one's own list matches with
 * or without its presentation selector; an entry that could never match
 * (a digit, a dot, two emoji) is refused, not kept silently.
 */
static void test_avoid_words_hostile_and_emoji(void **state)
{
	static const char *const mine[] = { "\xe2\x98\xb9\xef\xb8\x8f", "\xf0\x9f\xa4\xa8" };
	static const char *const refused[] = { "2cents", "lol.", "wrong-", "-ish", "\xf0\x9f\x99\x84\xf0\x9f\x99\x84",
	                                       "meh**", "a*b" };
	static const char *const accepted[] = { "so-so", "n'importe", "meh*", "quatsch", "\xf0\x9f\x99\x84",
	                                        "\xe2\x98\xb9\xef\xb8\x8f", "bl\xc3\xb6" "dsinn" };
	struct note_params p;
	struct buf err = { 0 };

	(void)state;
	note_params_default(&p);
	assert_true(note_text_avoided(&p, "This is the worst advice I have read on this platform all year."));
	assert_true(note_text_avoided(&p, "Completely wrong, cold outreach works far better than this."));
	assert_true(note_text_avoided(&p, "Terrible take, everyone knows warm outreach is dead."));
	assert_true(note_text_avoided(&p, "Oh sure, because that always works \xf0\x9f\x99\x84 groundbreaking stuff."));
	assert_true(note_text_avoided(&p, "What a waste of everyone's time, honestly."));
	assert_false(note_text_avoided(&p, "We tried this with a 3-week warm-up \xf0\x9f\x9a\x80 and it worked."));
	p.avoid_words = mine;
	p.navoid_words = ARRAY_SIZE(mine);
	p.avoid_set = 1;
	assert_true(note_text_avoided(&p, "Sure it works \xe2\x98\xb9 whatever you say."));
	assert_true(note_text_avoided(&p, "Sure it works \xe2\x98\xb9\xef\xb8\x8f whatever you say."));
	assert_true(note_text_avoided(&p, "Really\xf0\x9f\xa4\xa8"));
	assert_false(note_text_avoided(&p, "Sure it works \xf0\x9f\x99\x84 whatever you say."));
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		buf_reset(&err);
		if (note_avoid_word_check(refused[i], &err) != -1)
			fail_msg("avoid word \"%s\" accepted", refused[i]);
		assert_non_null(strstr(buf_cstr(&err), "would never match"));
	}
	for (size_t i = 0; i < ARRAY_SIZE(accepted); i++) {
		buf_reset(&err);
		if (note_avoid_word_check(accepted[i], &err) != 0)
			fail_msg("avoid word \"%s\" refused: %s", accepted[i], buf_cstr(&err));
	}
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quotable),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_avoid_words),
		cmocka_unit_test(test_avoid_words_hostile_and_emoji),
		cmocka_unit_test(test_quote_cut),
		cmocka_unit_test(test_free_limit),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_no_name),
		cmocka_unit_test(test_custom_templates),
		cmocka_unit_test(test_config_templates),
		cmocka_unit_test(test_long_title),
		cmocka_unit_test(test_multibyte),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_cut_boundaries),
		cmocka_unit_test(test_template_check),
		cmocka_unit_test(test_deep_types),
		cmocka_unit_test(test_first_name),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_best_sentence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
