/*
 * event.h - one JSON Lines record of the engagement log, version 1
 * (docs/events.md, warmthd-events(5)), parsed into a struct event or
 * rejected with a reason.
 *
 * The parser is pure (no I/O). Strings in a parsed event point into the
 * parser's scratch memory and stay valid until the next event_parse() call
 * on the same parser; callers copy what they keep. Each is also followed by
 * a NUL (not counted in len), though a "\u0000" escape can put one inside.
 */
#ifndef WARMTH_EVENT_H
#define WARMTH_EVENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Event types. The numeric values are stored in the database (counts are
 * kept as arrays indexed by type): append new types at the end, never
 * reorder.
 */
enum event_type {
	EVENT_FOLLOW,
	EVENT_UNFOLLOW,
	EVENT_CONNECT,
	EVENT_DISCONNECT,
	EVENT_INVITE_SENT,
	EVENT_INVITE_ACCEPTED,
	EVENT_INVITE_DECLINED,
	EVENT_INVITE_WITHDRAWN,
	EVENT_LIKE,
	EVENT_COMMENT,
	EVENT_REPLY,
	EVENT_SHARE,
	EVENT_MENTION,
	EVENT_MESSAGE,
	EVENT_PROFILE_VIEW,
	EVENT_SNAPSHOT,
	/*
	 * Profile hints only (name, headline, tags, ...): state, not
	 * engagement, so no warmth, no evidence, no relationship. After
	 * snapshot so that the stored per-type counts keep their order.
	 */
	EVENT_PROFILE,
	EVENT_TYPE_COUNT
};

/* "follow", "invite_sent", ... ; NULL for an out-of-range value. */
const char *event_type_name(enum event_type type);
/* Returns the type, or -1 if name[0..len) is not a known type. */
int event_type_from_name(const char *name, size_t len);
/* True for like, comment, reply, share, mention, message, profile_view. */
int event_type_is_engagement(enum event_type type);

/*
 * Why a line was rejected. The names (event_reject_name) appear in the
 * dead-letter file, in status counters and in metrics: they are part of
 * the interface, so never rename one.
 */
enum event_reject {
	REJECT_NONE,
	REJECT_NOT_JSON,        /* "not_json": not parseable as JSON */
	REJECT_NOT_OBJECT,      /* "not_object": valid JSON but not an object */
	REJECT_INVALID_UTF8,    /* "invalid_utf8" */
	REJECT_MISSING_TS,      /* "missing_ts" */
	REJECT_INVALID_TS,      /* "invalid_ts": not RFC 3339 nor a number of seconds */
	REJECT_MISSING_TYPE,    /* "missing_type" */
	REJECT_UNKNOWN_TYPE,    /* "unknown_type" */
	REJECT_MISSING_ACTOR,   /* "missing_actor" (not needed for snapshot) */
	REJECT_INVALID_ACTOR,   /* "invalid_actor": empty, > 256 bytes, control chars, not a string */
	REJECT_INVALID_FIELD,   /* "invalid_field": an optional field of the wrong type or value */
	REJECT_INVALID_SNAPSHOT,/* "invalid_snapshot": snapshot without followers/connections */
	REJECT_LINE_TOO_LONG,   /* "line_too_long": set by the tailer, never by event_parse */
	REJECT_FUTURE_TS,       /* "future_ts": ts beyond the wall clock plus time.future_tolerance
	                           (set by the engine, never by event_parse) */
	REJECT_REASON_COUNT
};

const char *event_reject_name(enum event_reject reason);

#define EVENT_ACTOR_MAX 256
/*
 * The largest count the format accepts (followers, connections and their
 * actor_ forms): far above any real network, far below where sums and
 * differences of a few counts could overflow 64 bits.
 */
#define EVENT_COUNT_MAX INT64_C(1000000000000)
#define EVENT_MAX_TAGS 16

struct event_str {
	const char *ptr; /* NULL when absent */
	size_t len;
};

struct event {
	int64_t ts_ms;              /* milliseconds since the Unix epoch */
	enum event_type type;
	int dir_out;                /* 1 for "dir":"out" */
	struct event_str actor;     /* absent only for snapshot */
	struct event_str account;   /* "default" when absent */
	struct event_str id;
	struct event_str post;
	struct event_str title;
	struct event_str text;
	struct event_str name;
	struct event_str headline;
	struct event_str reaction;
	int64_t actor_connections;  /* -1 when absent */
	int64_t actor_followers;    /* -1 when absent */
	int creator;                /* -1 absent, 0 false, 1 true */
	struct event_str tags[EVENT_MAX_TAGS];
	size_t ntags;               /* tags beyond EVENT_MAX_TAGS are ignored */
	int has_tags;               /* the line had a "tags" array (maybe empty) */
	int64_t followers;          /* snapshot; -1 when absent */
	int64_t connections;        /* snapshot; -1 when absent */
	/*
	 * The names of the top-level fields the format does not know, as
	 * they came (decoded, not checked), each followed by a NUL: nunknown
	 * names in unknown[0..unknown_len). Set for every line that was read
	 * as JSON, accepted or rejected; NULL and 0 when there are none.
	 */
	const char *unknown;
	size_t unknown_len;
	uint32_t nunknown;
};

struct event_parser;

/* Returns a new parser (never NULL: allocation failure is fatal). */
struct event_parser *event_parser_new(void);
void event_parser_free(struct event_parser *parser);

/*
 * Parses line[0..len) (without its '\n'; a trailing '\r' is tolerated) into
 * *ev. Returns REJECT_NONE on success; otherwise the reason, *ev is
 * unspecified but for its unknown fields, and event_parser_error()
 * describes the problem in words ("ts: expected RFC 3339 time or Unix
 * seconds"). Unknown fields are ignored, and listed in ev->unknown.
 */
/*
 * The length of a line's content: without the '\r' of a CRLF end of line
 * (the '\n' is never part of line). ingest.max_line_bytes bounds this,
 * so a line is as long with either end of line.
 */
static inline size_t event_line_len(const char *line, size_t len)
{
	return len > 0 && line[len - 1] == '\r' ? len - 1 : len;
}

enum event_reject event_parse(struct event_parser *parser, const char *line, size_t len,
                              struct event *ev);
/*
 * The top-level field names of format version 1 ("ts", "type", ...), for
 * i from 0 until it returns NULL.
 */
const char *event_field_name(size_t i);

/* The detail of the last rejection (a static or parser-owned string). */
const char *event_parser_error(const struct event_parser *parser);
/*
 * Turns the simdjson fast path (event_simd.cpp) off or on (the default):
 * with it off, yajl parses every line. The two must agree on every line;
 * the fuzzer and the unit tests compare them.
 */
void event_parser_set_fast(struct event_parser *parser, int on);

#endif
