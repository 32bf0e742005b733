/*
 * event.c - one JSON Lines record of the engagement log (the event log
 * format, version 1: docs/events.md) into a struct event, or a reject reason
 * with a short detail. Pure: no I/O, no libuv, no SQLite.
 *
 * Design. Every line of every input goes through event_parse(), so it is
 * built for speed without writing any JSON by hand:
 *
 * - yajl's callback (SAX) API does the JSON work: lexing, unescaping.
 *   yajl_tree would build a tree per line only to walk it once.
 * - One yajl handle is reused from line to line. yajl 2.1 has no reset, but
 *   with yajl_allow_multiple_values a handle that finished one value starts
 *   the next, so a line costs no allocation at all. The callbacks count the
 *   top-level values and note where the object closed: a line that is one
 *   object and blanks is the fast path, and needs no yajl_complete_parse.
 *   Any other line is rejected; its handle may be in an error state or hold
 *   half a token, so it is freed, and a strict handle (no multiple values)
 *   parses the line again to tell not_json from not_object in yajl's words.
 *   Rejected lines are rare, so their extra cost does not matter.
 * - The whole line is checked for UTF-8 before yajl sees it (8 bytes at a
 *   time while it is ASCII). yajl 2.1 checks only the shape of multi-byte
 *   sequences and lets overlong forms, surrogates and code points above
 *   U+10FFFF through, so its own check is turned off and ours is the one
 *   that counts. Strings that had escapes are checked again after decoding,
 *   since yajl turns a lone "\udc00" into an invalid sequence.
 * - The callbacks only record, per known top-level field, the kind of the
 *   last value seen (so a duplicate key's last value wins) and the value
 *   itself; the rules of the format are applied afterwards, in a fixed order
 *   (ts, type, actor, then the optional fields), so the reason reported for a
 *   line with several problems does not depend on the order of its keys.
 *   Values nested below the top level are skipped by tracking the depth;
 *   only "tags" looks one level down.
 * - On simdjson's path the string values stay in its DOM's string buffer
 *   (decoded, NUL-terminated, until the next parse). On yajl's path they
 *   are copied into a scratch buffer owned by the parser,
 *   because yajl hands out escaped strings from its own decode buffer, which
 *   the next string overwrites. The buffer is sized before parsing to the
 *   line's length: a decoded string plus its NUL is never longer than the
 *   quoted text it came from, so it is never reallocated while earlier
 *   event_str pointers into it are live.
 * - Numbers reach us as their JSON text (the yajl_number callback) and are
 *   converted exactly in decimal: 1.005 s is 1005 ms, where a double gives
 *   1004.999..., and an integer beyond 64 bits is an invalid value of its
 *   field rather than a yajl "integer overflow" syntax error.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "warmth/event.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "event_simd.h"
#include "event_text.h"

/* The fields of format version 1; FIELD_UNKNOWN collects every other key. */
enum event_field {
	FIELD_TS,
	FIELD_TYPE,
	FIELD_ACTOR,
	FIELD_DIR,
	FIELD_ACCOUNT,
	FIELD_ID,
	FIELD_POST,
	FIELD_TITLE,
	FIELD_TEXT,
	FIELD_NAME,
	FIELD_HEADLINE,
	FIELD_REACTION,
	FIELD_ACTOR_CONNECTIONS,
	FIELD_ACTOR_FOLLOWERS,
	FIELD_FOLLOWERS,
	FIELD_CONNECTIONS,
	FIELD_CREATOR,
	FIELD_TAGS,
	FIELD_UNKNOWN,
	FIELD_COUNT
};

static const char *const event_field_names[FIELD_COUNT] = {
	"ts", "type", "actor", "dir", "account", "id", "post", "title", "text", "name",
	"headline", "reaction", "actor_connections", "actor_followers", "followers",
	"connections", "creator", "tags", "?",
};

/* The JSON kind of a field's last value; null counts as absent. */
enum event_kind {
	KIND_ABSENT,
	KIND_STRING,
	KIND_NUMBER,
	KIND_BOOL,
	KIND_OBJECT,
	KIND_ARRAY,
};

/* Year 10000 starts at this many seconds after the epoch. */
#define EVENT_TS_LIMIT_MS INT64_C(253402300800000)

struct event_parser {
	struct event_simd *simd; /* the fast path (event_simd.cpp) */
	int no_fast;        /* event_parser_set_fast(p, 0): yajl only */
	/*
	 * The line has no backslash, so every string is a copy of valid
	 * bytes of the line: none needs its UTF-8 checked again, wherever the
	 * parser keeps its decoded copy (simdjson's lie outside the line).
	 */
	int no_escapes;
	/*
	 * The strings come from simdjson's DOM: they sit NUL-terminated in
	 * the parser's string buffer until its next parse, as long as ours
	 * would in the scratch buffer, so they are used where they are.
	 */
	int in_place;
	yajl_handle handle; /* reused across lines; NULL after a rejected line */
	yajl_handle active; /* the handle feeding the callbacks right now */

	char *scratch;      /* copies of the string values of the current line */
	size_t scratch_cap;
	size_t scratch_used;

	/* The line being parsed, to tell yajl's decoded strings from ours. */
	const char *line;
	size_t line_len;

	/* Per-line state written by the callbacks. */
	int depth;               /* open containers */
	enum event_field field;  /* the field of the current top-level key */
	int top_values;          /* top-level JSON values on the line */
	int top_is_object;
	size_t top_end;          /* offset just after the last top-level value, or 0 */
	int completing;          /* inside yajl_complete_parse */
	int in_tags;             /* inside the "tags" array (depth 2) */
	int tags_bad;            /* a tag that is not a string */
	enum event_field bad_utf8_field; /* FIELD_UNKNOWN, or a string that decoded to invalid UTF-8 */
	unsigned char kind[FIELD_COUNT];
	unsigned char number_ok[FIELD_COUNT]; /* the number fitted the field's rule */
	struct event_str str[FIELD_COUNT];
	int64_t number[FIELD_COUNT];
	int boolean;             /* creator */
	struct event *ev;        /* tags are collected straight into it */
	/*
	 * The unknown top-level keys of the line, NUL after each (for
	 * ev->unknown). It grows only on a line with more of them than any
	 * before, so a steady stream costs no allocation.
	 */
	struct buf unknown;

	const char *error;       /* detail of the last rejection */
	char error_buf[160];
};

/* A switch on the length and one memcmp: this runs for every key of every line. */
static enum event_field event_field_from_key(const unsigned char *key, size_t len)
{
#define KEY_IS(name) (memcmp(key, name, sizeof(name) - 1) == 0)
	switch (len) {
	case 2:
		return KEY_IS("ts") ? FIELD_TS : KEY_IS("id") ? FIELD_ID : FIELD_UNKNOWN;
	case 3:
		return KEY_IS("dir") ? FIELD_DIR : FIELD_UNKNOWN;
	case 4:
		if (KEY_IS("type"))
			return FIELD_TYPE;
		if (KEY_IS("post"))
			return FIELD_POST;
		if (KEY_IS("text"))
			return FIELD_TEXT;
		if (KEY_IS("name"))
			return FIELD_NAME;
		return KEY_IS("tags") ? FIELD_TAGS : FIELD_UNKNOWN;
	case 5:
		return KEY_IS("actor") ? FIELD_ACTOR : KEY_IS("title") ? FIELD_TITLE : FIELD_UNKNOWN;
	case 7:
		return KEY_IS("account") ? FIELD_ACCOUNT
		     : KEY_IS("creator") ? FIELD_CREATOR : FIELD_UNKNOWN;
	case 8:
		return KEY_IS("headline") ? FIELD_HEADLINE
		     : KEY_IS("reaction") ? FIELD_REACTION : FIELD_UNKNOWN;
	case 9:
		return KEY_IS("followers") ? FIELD_FOLLOWERS : FIELD_UNKNOWN;
	case 11:
		return KEY_IS("connections") ? FIELD_CONNECTIONS : FIELD_UNKNOWN;
	case 15:
		return KEY_IS("actor_followers") ? FIELD_ACTOR_FOLLOWERS : FIELD_UNKNOWN;
	case 17:
		return KEY_IS("actor_connections") ? FIELD_ACTOR_CONNECTIONS : FIELD_UNKNOWN;
	default:
		return FIELD_UNKNOWN;
	}
#undef KEY_IS
}

/* ---- yajl callbacks ----------------------------------------------------- */

static int event_top_value(struct event_parser *p, int is_object)
{
	if (++p->top_values == 1)
		p->top_is_object = is_object;
	return 1;
}

/*
 * A top-level string, number, true, false or null. Its end is noted like a
 * container's; a value that yajl only completes in yajl_complete_parse (a
 * number) was cut by the end of the line, so it ends there.
 */
static int event_top_scalar(struct event_parser *p)
{
	p->top_end = p->completing || p->active == NULL ? p->line_len
	                                                : yajl_get_bytes_consumed(p->active);
	return event_top_value(p, 0);
}

static struct event_str event_copy(struct event_parser *p, enum event_field field,
                                   const unsigned char *s, size_t len)
{
	struct event_str out = { (const char *)s, len };
	uintptr_t at = (uintptr_t)s;

	/*
	 * Decoded from escapes, so the line's UTF-8 check did not see it: on
	 * simdjson's path every string of a line with a backslash may be, on
	 * yajl's those outside the line are.
	 */
	if (!p->no_escapes && p->bad_utf8_field == FIELD_UNKNOWN &&
	    (p->in_place || at < (uintptr_t)p->line || at >= (uintptr_t)p->line + p->line_len)) {
		int valid;
		utf8_valid_prefix(out.ptr, len, &valid);
		if (!valid)
			p->bad_utf8_field = field;
	}
	if (p->in_place)
		return out;
	/* The sizing argument in the file comment guarantees the room. */
	char *dst = p->scratch + p->scratch_used;
	assert(p->scratch_used + len + 1 <= p->scratch_cap);
	memcpy(dst, s, len);
	dst[len] = '\0';
	p->scratch_used += len + 1;
	out.ptr = dst;
	return out;
}

static int event_on_null(void *ctx)
{
	struct event_parser *p = ctx;

	if (p->depth == 1)
		p->kind[p->field] = KIND_ABSENT;
	else if (p->depth == 0)
		return event_top_scalar(p);
	else if (p->in_tags && p->depth == 2)
		p->tags_bad = 1;
	return 1;
}

static int event_on_boolean(void *ctx, int value)
{
	struct event_parser *p = ctx;

	if (p->depth == 1) {
		p->kind[p->field] = KIND_BOOL;
		p->boolean = value;
	} else if (p->depth == 0) {
		return event_top_scalar(p);
	} else if (p->in_tags && p->depth == 2) {
		p->tags_bad = 1;
	}
	return 1;
}

static int event_on_number(void *ctx, const char *s, size_t len)
{
	struct event_parser *p = ctx;
	enum event_field f = p->field;
	int exact;

	if (p->depth == 1) {
		p->kind[f] = KIND_NUMBER;
		if (f == FIELD_TS) {
			p->number_ok[f] = event_number_scaled(s, len, 3, EVENT_TS_LIMIT_MS - 1,
			                                      &p->number[f], &exact) == 0;
		} else if (f >= FIELD_ACTOR_CONNECTIONS && f <= FIELD_CONNECTIONS) {
			p->number_ok[f] = event_number_scaled(s, len, 0, EVENT_COUNT_MAX, &p->number[f],
			                                      &exact) == 0 && exact;
		}
	} else if (p->depth == 0) {
		return event_top_scalar(p);
	} else if (p->in_tags && p->depth == 2) {
		p->tags_bad = 1;
	}
	return 1;
}

static int event_on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct event_parser *p = ctx;

	if (p->depth == 1) {
		if (p->field != FIELD_UNKNOWN) {
			p->kind[p->field] = KIND_STRING;
			p->str[p->field] = event_copy(p, p->field, s, len);
		}
	} else if (p->depth == 0) {
		return event_top_scalar(p);
	} else if (p->in_tags && p->depth == 2) {
		struct event *ev = p->ev;
		if (ev->ntags < EVENT_MAX_TAGS)
			ev->tags[ev->ntags++] = event_copy(p, FIELD_TAGS, s, len);
	}
	return 1;
}

/*
 * Notes an unknown top-level key. Off the hot path: a line of known
 * fields never comes here. The key is copied, since yajl decodes keys
 * into a buffer that the next string overwrites.
 */
static __attribute__((noinline, cold)) void event_note_unknown(struct event_parser *p,
                                                               const unsigned char *key,
                                                               size_t len)
{
	struct event *ev = p->ev;

	buf_append(&p->unknown, key, len);
	buf_append(&p->unknown, "", 1);
	ev->unknown = p->unknown.data;
	ev->unknown_len = p->unknown.len;
	ev->nunknown++;
}

static int event_on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct event_parser *p = ctx;

	if (p->depth == 1) {
		p->field = event_field_from_key(key, len);
		if (p->field == FIELD_UNKNOWN)
			event_note_unknown(p, key, len);
	}
	return 1;
}

static int event_on_start_map(void *ctx)
{
	struct event_parser *p = ctx;

	if (p->depth == 1)
		p->kind[p->field] = KIND_OBJECT;
	else if (p->depth == 0)
		event_top_value(p, 1);
	else if (p->in_tags && p->depth == 2)
		p->tags_bad = 1;
	p->depth++;
	return 1;
}

static int event_on_start_array(void *ctx)
{
	struct event_parser *p = ctx;

	if (p->depth == 1) {
		p->kind[p->field] = KIND_ARRAY;
		if (p->field == FIELD_TAGS) {
			/* A repeated "tags" key replaces the earlier list. */
			p->in_tags = 1;
			p->tags_bad = 0;
			p->ev->ntags = 0;
		}
	} else if (p->depth == 0) {
		event_top_value(p, 0);
	} else if (p->in_tags && p->depth == 2) {
		p->tags_bad = 1;
	}
	p->depth++;
	return 1;
}

static int event_on_end_container(void *ctx)
{
	struct event_parser *p = ctx;

	if (--p->depth == 1)
		p->in_tags = 0;
	else if (p->depth == 0)
		p->top_end = p->active != NULL ? yajl_get_bytes_consumed(p->active) : p->line_len;
	return 1;
}

static const yajl_callbacks event_callbacks = {
	.yajl_null = event_on_null,
	.yajl_boolean = event_on_boolean,
	.yajl_number = event_on_number,
	.yajl_string = event_on_string,
	.yajl_start_map = event_on_start_map,
	.yajl_map_key = event_on_map_key,
	.yajl_end_map = event_on_end_container,
	.yajl_start_array = event_on_start_array,
	.yajl_end_array = event_on_end_container,
};

/* ---- the parser --------------------------------------------------------- */

/*
 * A handle for our callbacks. The reused one accepts several values in a
 * row (how it survives from one line to the next); a strict one, made only
 * to explain a rejected line, reports trailing data and unfinished values
 * as the syntax errors they are.
 */
static yajl_handle event_handle_new(struct event_parser *p, int reusable)
{
	yajl_handle h = yajl_alloc(&event_callbacks, NULL, p);

	if (h == NULL)
		fatalx("yajl_alloc: out of memory");
	if (reusable)
		yajl_config(h, yajl_allow_multiple_values, 1);
	/* The whole line was checked by event_parse, more strictly than yajl would. */
	yajl_config(h, yajl_dont_validate_strings, 1);
	return h;
}

struct event_parser *event_parser_new(void)
{
	struct event_parser *p = xcalloc(1, sizeof(*p));

	p->scratch_cap = 4096;
	p->scratch = xmalloc(p->scratch_cap);
	p->error = "";
	p->simd = event_simd_new();
	if (p->simd == NULL)
		fatalx("event_simd_new: out of memory");
	return p;
}

void event_parser_set_fast(struct event_parser *parser, int on)
{
	parser->no_fast = !on;
}

void event_parser_free(struct event_parser *parser)
{
	if (parser == NULL)
		return;
	if (parser->handle != NULL)
		yajl_free(parser->handle);
	event_simd_free(parser->simd);
	free(parser->scratch);
	buf_free(&parser->unknown);
	free(parser);
}

const char *event_field_name(size_t i)
{
	return i < FIELD_UNKNOWN ? event_field_names[i] : NULL;
}

const char *event_parser_error(const struct event_parser *parser)
{
	return parser->error;
}

static enum event_reject event_reject_with(struct event_parser *p, enum event_reject reason,
                                           const char *detail)
{
	p->error = detail;
	return reason;
}

static enum event_reject event_reject_fmt(struct event_parser *p, enum event_reject reason,
                                          const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum event_reject event_reject_fmt(struct event_parser *p, enum event_reject reason,
                                          const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error_buf, sizeof(p->error_buf), fmt, ap);
	va_end(ap);
	p->error = p->error_buf;
	return reason;
}

/*
 * Quotes at most 32 bytes of a value for an error detail, cut on a UTF-8
 * boundary and with control characters shown as '?', so the detail stays
 * one short printable line.
 */
static const char *event_quote(const struct event_str *s, char out[48])
{
	size_t n = s->len < 32 ? s->len : 32;
	size_t i;

	n = utf8_valid_prefix(s->ptr, n, NULL);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s->ptr[i];
		out[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
	}
	if (n < s->len)
		memcpy(out + i, "...", 3), i += 3;
	out[i] = '\0';
	return out;
}

/*
 * The rule for actor and account: 1 to EVENT_ACTOR_MAX bytes, no control
 * characters. Returns NULL, or what is wrong.
 */
static const char *event_check_id_string(const struct event_str *s)
{
	if (s->len == 0)
		return "empty";
	if (s->len > EVENT_ACTOR_MAX)
		return "longer than 256 bytes";
	if (event_has_control(s->ptr, s->len))
		return "contains a control character";
	return NULL;
}

static const char *event_kind_name(enum event_kind kind)
{
	switch (kind) {
	case KIND_STRING: return "a string";
	case KIND_NUMBER: return "a number";
	case KIND_BOOL: return "true/false";
	case KIND_OBJECT: return "an object";
	case KIND_ARRAY: return "a list";
	case KIND_ABSENT: break;
	}
	return "null";
}

/* Applies the format's rules to what the callbacks recorded, and fills *ev. */
static enum event_reject event_check(struct event_parser *p, struct event *ev)
{
	static const struct {
		enum event_field field;
		size_t offset;
	} optional_strings[] = {
		{ FIELD_ID, offsetof(struct event, id) },
		{ FIELD_POST, offsetof(struct event, post) },
		{ FIELD_TITLE, offsetof(struct event, title) },
		{ FIELD_TEXT, offsetof(struct event, text) },
		{ FIELD_NAME, offsetof(struct event, name) },
		{ FIELD_HEADLINE, offsetof(struct event, headline) },
		{ FIELD_REACTION, offsetof(struct event, reaction) },
	}, counts[] = {
		{ FIELD_ACTOR_CONNECTIONS, offsetof(struct event, actor_connections) },
		{ FIELD_ACTOR_FOLLOWERS, offsetof(struct event, actor_followers) },
		{ FIELD_FOLLOWERS, offsetof(struct event, followers) },
		{ FIELD_CONNECTIONS, offsetof(struct event, connections) },
	};
	struct event_str *str = p->str;
	const char *problem;
	char quoted[48];
	int type;

	if (p->bad_utf8_field != FIELD_UNKNOWN)
		return event_reject_fmt(p, REJECT_INVALID_UTF8, "%s: invalid UTF-8 after unescaping",
		                        event_field_names[p->bad_utf8_field]);

	switch (p->kind[FIELD_TS]) {
	case KIND_ABSENT:
		return event_reject_with(p, REJECT_MISSING_TS, "ts: missing");
	case KIND_STRING:
		if (time_parse_rfc3339(str[FIELD_TS].ptr, str[FIELD_TS].len, &ev->ts_ms) < 0)
			return event_reject_with(p, REJECT_INVALID_TS,
			                         "ts: expected RFC 3339 time or Unix seconds");
		/* Both after the offset: 9999-12-31T23:59:59-01:00 is year 10000 in UTC. */
		if (ev->ts_ms < 0)
			return event_reject_with(p, REJECT_INVALID_TS, "ts: before 1970");
		if (ev->ts_ms >= EVENT_TS_LIMIT_MS)
			return event_reject_with(p, REJECT_INVALID_TS, "ts: year 10000 or later (in UTC)");
		break;
	case KIND_NUMBER:
		if (!p->number_ok[FIELD_TS])
			return event_reject_with(p, REJECT_INVALID_TS,
			                         "ts: Unix seconds must be from 0 to before year 10000");
		ev->ts_ms = p->number[FIELD_TS];
		break;
	default:
		return event_reject_with(p, REJECT_INVALID_TS,
		                         "ts: expected RFC 3339 time or Unix seconds");
	}

	if (p->kind[FIELD_TYPE] == KIND_ABSENT)
		return event_reject_with(p, REJECT_MISSING_TYPE, "type: missing");
	if (p->kind[FIELD_TYPE] != KIND_STRING)
		return event_reject_fmt(p, REJECT_UNKNOWN_TYPE, "type: expected a string, got %s",
		                        event_kind_name(p->kind[FIELD_TYPE]));
	type = event_type_from_name(str[FIELD_TYPE].ptr, str[FIELD_TYPE].len);
	if (type < 0)
		return event_reject_fmt(p, REJECT_UNKNOWN_TYPE, "type: unknown type \"%s\"",
		                        event_quote(&str[FIELD_TYPE], quoted));
	ev->type = (enum event_type)type;

	/* A snapshot is about my own network: an actor is allowed but not needed. */
	switch (p->kind[FIELD_ACTOR]) {
	case KIND_ABSENT:
		if (ev->type != EVENT_SNAPSHOT)
			return event_reject_with(p, REJECT_MISSING_ACTOR, "actor: missing");
		ev->actor.ptr = NULL;
		ev->actor.len = 0;
		break;
	case KIND_STRING:
		if ((problem = event_check_id_string(&str[FIELD_ACTOR])) != NULL)
			return event_reject_fmt(p, REJECT_INVALID_ACTOR, "actor: %s", problem);
		ev->actor = str[FIELD_ACTOR];
		break;
	default:
		return event_reject_fmt(p, REJECT_INVALID_ACTOR, "actor: expected a string, got %s",
		                        event_kind_name(p->kind[FIELD_ACTOR]));
	}

	ev->dir_out = 0;
	if (p->kind[FIELD_DIR] != KIND_ABSENT) {
		/* Only a string's str[] is this line's: look at the kind first. */
		const struct event_str *dir = &str[FIELD_DIR];
		int is_string = p->kind[FIELD_DIR] == KIND_STRING;
		int is_in = is_string && dir->len == 2 && memcmp(dir->ptr, "in", 2) == 0;
		int is_out = is_string && dir->len == 3 && memcmp(dir->ptr, "out", 3) == 0;
		if (!(is_in || is_out))
			return event_reject_with(p, REJECT_INVALID_FIELD,
			                         "dir: expected \"in\" or \"out\"");
		ev->dir_out = is_out;
	}

	switch (p->kind[FIELD_ACCOUNT]) {
	case KIND_ABSENT:
		ev->account.ptr = "default";
		ev->account.len = 7;
		break;
	case KIND_STRING:
		if ((problem = event_check_id_string(&str[FIELD_ACCOUNT])) != NULL)
			return event_reject_fmt(p, REJECT_INVALID_FIELD, "account: %s", problem);
		ev->account = str[FIELD_ACCOUNT];
		break;
	default:
		return event_reject_fmt(p, REJECT_INVALID_FIELD, "account: expected a string, got %s",
		                        event_kind_name(p->kind[FIELD_ACCOUNT]));
	}

	/*
	 * Written straight into *ev: staging the values in the parser and
	 * copying them over afterwards stalled on store forwarding.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(optional_strings); i++) {
		enum event_field f = optional_strings[i].field;
		struct event_str *out = (struct event_str *)((char *)ev + optional_strings[i].offset);
		if (p->kind[f] == KIND_STRING) {
			*out = str[f];
		} else if (p->kind[f] == KIND_ABSENT) {
			out->ptr = NULL;
			out->len = 0;
		} else {
			return event_reject_fmt(p, REJECT_INVALID_FIELD, "%s: expected a string, got %s",
			                        event_field_names[f], event_kind_name(p->kind[f]));
		}
	}
	/* An empty id would make every such event a duplicate of the first. */
	if (ev->id.ptr != NULL && ev->id.len == 0)
		return event_reject_with(p, REJECT_INVALID_FIELD, "id: empty");

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		enum event_field f = counts[i].field;
		int64_t *out = (int64_t *)((char *)ev + counts[i].offset);
		if (p->kind[f] == KIND_ABSENT)
			*out = -1;
		else if (p->kind[f] == KIND_NUMBER && p->number_ok[f])
			*out = p->number[f];
		else
			return event_reject_fmt(p, REJECT_INVALID_FIELD,
			                        "%s: expected a non-negative integer up to 10^12",
			                        event_field_names[f]);
	}

	if (p->kind[FIELD_CREATOR] == KIND_ABSENT)
		ev->creator = -1;
	else if (p->kind[FIELD_CREATOR] == KIND_BOOL)
		ev->creator = p->boolean ? 1 : 0;
	else
		return event_reject_with(p, REJECT_INVALID_FIELD, "creator: expected true or false");

	ev->has_tags = p->kind[FIELD_TAGS] == KIND_ARRAY;
	if (p->kind[FIELD_TAGS] == KIND_ABSENT)
		ev->ntags = 0;
	else if (!ev->has_tags || p->tags_bad)
		return event_reject_with(p, REJECT_INVALID_FIELD, "tags: expected a list of strings");

	if (ev->type == EVENT_SNAPSHOT && ev->followers < 0 && ev->connections < 0)
		return event_reject_with(p, REJECT_INVALID_SNAPSHOT,
		                         "snapshot: needs followers or connections");

	p->error = "";
	return REJECT_NONE;
}

/* Describes a yajl syntax error of handle h ("not JSON: parse error: ..."). */
static enum event_reject event_reject_yajl(struct event_parser *p, yajl_handle h,
                                           const char *line, size_t len)
{
	unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)line, len);
	size_t n;

	if (msg == NULL)
		return event_reject_with(p, REJECT_NOT_JSON, "not JSON");
	n = strlen((const char *)msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
		n--;
	event_reject_fmt(p, REJECT_NOT_JSON, "not JSON: %.*s", (int)n, msg);
	yajl_free_error(h, msg);
	return REJECT_NOT_JSON;
}

/* A line that was not read as one JSON object lists no unknown fields. */
static void event_no_unknown(struct event *ev)
{
	ev->unknown = NULL;
	ev->unknown_len = 0;
	ev->nunknown = 0;
}

/* Resets what the callbacks record, before a line is fed to yajl. */
static void event_begin(struct event_parser *p, const char *line, size_t len, struct event *ev)
{
	p->scratch_used = 0;
	p->line = line;
	p->line_len = len;
	p->depth = 0;
	p->field = FIELD_UNKNOWN;
	p->top_values = 0;
	p->top_is_object = 0;
	p->top_end = 0;
	p->completing = 0;
	p->in_tags = 0;
	p->tags_bad = 0;
	p->bad_utf8_field = FIELD_UNKNOWN;
	memset(p->kind, KIND_ABSENT, sizeof(p->kind));
	p->ev = ev;
	ev->ntags = 0;
	buf_reset(&p->unknown);
	event_no_unknown(ev);
}

/*
 * The slow path for a line that is not one object followed by blanks: it
 * parses the line again with a strict handle, which tells not_json (with
 * yajl's words) from not_object exactly.
 */
static enum event_reject event_parse_strict(struct event_parser *p, const char *line, size_t len,
                                            struct event *ev)
{
	yajl_handle h = event_handle_new(p, 0);
	yajl_status status;
	enum event_reject reason;

	event_begin(p, line, len, ev);
	p->active = h;
	status = yajl_parse(h, (const unsigned char *)line, len);
	if (status == yajl_status_ok) {
		p->completing = 1;
		status = yajl_complete_parse(h);
	}
	if (status != yajl_status_ok)
		reason = event_reject_yajl(p, h, line, len);
	else if (!event_is_blank(line + p->top_end, len - p->top_end))
		/* yajl 2.1 misses an unterminated string after the value ("{} \"ab"). */
		reason = event_reject_with(p, REJECT_NOT_JSON, "not JSON: trailing garbage");
	else if (!p->top_is_object)
		reason = event_reject_with(p, REJECT_NOT_OBJECT, "not a JSON object");
	else
		reason = event_check(p, ev);
	/* Not one object: what keys it had before it broke are no fields of an event. */
	if (reason == REJECT_NOT_JSON || reason == REJECT_NOT_OBJECT)
		event_no_unknown(ev);
	yajl_free(h);
	return reason;
}

enum event_reject event_parse(struct event_parser *p, const char *line, size_t len,
                              struct event *ev)
{
	size_t bad_at;
	int valid;

	/* yajl would take it as whitespace anyway; dropping it keeps details exact. */
	if (len > 0 && line[len - 1] == '\r')
		len--;

	if (event_is_blank(line, len)) {
		event_no_unknown(ev);
		return event_reject_with(p, REJECT_NOT_JSON, "empty line");
	}

	/* No live pointer into the scratch buffer survives this call. */
	if (p->scratch_cap < len + 1) {
		free(p->scratch);
		p->scratch_cap = len + 1;
		p->scratch = xmalloc(p->scratch_cap);
	}
	/*
	 * The fast path: simdjson walks a line that is one object (nearly
	 * all of them). Its DOM keeps every string value decoded and
	 * NUL-terminated in its own buffer, where the event's strings then
	 * point (in_place); when the line has a backslash, event_copy checks
	 * the UTF-8 of each (one may have been decoded). simdjson validates
	 * the UTF-8 of the whole line (completely: overlong forms, surrogates
	 * and code points beyond U+10FFFF are errors), so a line it takes
	 * needs no check of ours; one it refuses gets ours, and its words.
	 */
	if (!p->no_fast) {
		const char *copy = event_simd_copy(p->simd, line, len);
		if (copy == NULL)
			fatalx("event_simd_copy: out of memory");
		event_begin(p, copy, len, ev);
		p->active = NULL;
		p->no_escapes = memchr(line, '\\', len) == NULL;
		p->in_place = 1;
		int rc = event_simd_parse(p->simd, len, &event_callbacks, p);
		p->in_place = 0;
		if (rc == 0)
			return event_check(p, ev);
		p->no_escapes = 0;
	}

	/* Anything else goes to yajl, which says why exactly (and has the
	   last word on a line simdjson did not take whole). */
	bad_at = utf8_valid_prefix(line, len, &valid);
	if (!valid) {
		/* Not read as JSON (simdjson's walk may have begun it): no fields to tell of. */
		event_no_unknown(ev);
		return event_reject_fmt(p, REJECT_INVALID_UTF8, "invalid UTF-8 at byte %zu", bad_at);
	}
	event_begin(p, line, len, ev);
	if (p->handle == NULL)
		p->handle = event_handle_new(p, 1);
	p->active = p->handle;

	/*
	 * The fast path: one object, closed, then only blanks. yajl then holds
	 * nothing back, so yajl_complete_parse is not needed (it would only
	 * cost another pass through yajl's state machine) and the handle is
	 * ready for the next line. Anything else is rejected, and the handle
	 * may be in an error state or hold the start of an unfinished token
	 * ("{} \"abc"), which yajl_complete_parse does not report when several
	 * values are allowed: it is dropped, and a strict parse says why.
	 */
	if (yajl_parse(p->handle, (const unsigned char *)line, len) == yajl_status_ok &&
	    p->top_values == 1 && p->top_is_object && p->top_end > 0 &&
	    event_is_blank(line + p->top_end, len - p->top_end))
		return event_check(p, ev);
	yajl_free(p->handle);
	p->handle = NULL;
	return event_parse_strict(p, line, len, ev);
}
