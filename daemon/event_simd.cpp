/*
 * event_simd.cpp - the fast path of event_parse(): simdjson's On Demand
 * parser walks a line that is one JSON object and feeds event.c the same
 * callbacks yajl does (event_simd.h).
 *
 * Why. yajl lexes byte by byte through a state machine and a callback per
 * token: about 4,600 instructions for a 147-byte event line, most of the
 * daemon's work per event (docs/performance.md, "JSON parsing: simdjson
 * for the fast path"). simdjson finds the structure of the line with SIMD
 * instructions and decodes values only when asked.
 *
 * Exactness. The walk (event_simd_walk.inc) visits every value of the line, nested or not, and
 * asks simdjson to decode each (strings unescaped, numbers parsed, literals
 * checked), so a line it accepts is valid JSON: On Demand does not check
 * what it is not asked about. Keys and values reach the callbacks as yajl
 * would give them: strings decoded, numbers as their JSON text, so the
 * exact decimal conversion of event.c still applies. A string without
 * escapes is passed as its bytes in the line (no copy, and no second UTF-8
 * check in event.c: the line was checked whole). Anything else - a syntax
 * error, a number beyond 64 bits, a lone surrogate escape, a line that is
 * not one object, a nesting deeper than the limit - returns -1 and event.c
 * parses the line again with yajl, which gives the reason and the words:
 * rejected lines are rare, and their messages stay what they were.
 *
 * Built without exceptions: simdjson reports errors as codes.
 */
#include <cstring>
#include <new>

#include <simdjson.h>

extern "C" {
#include "event_simd.h"
}

/* Deeper nesting than this goes to yajl (which has its own limit). */
#define EVENT_SIMD_MAX_DEPTH 64

struct event_simd_walk {
	const yajl_callbacks *cb;
	void *ctx;
};

namespace event_simd_impl {
using namespace simdjson;
namespace od = simdjson::ondemand;
#include "event_simd_walk.inc"
} // namespace event_simd_impl

struct event_simd {
	simdjson::ondemand::parser parser;
	char *buf;      /* the line, copied with simdjson's padding after it */
	size_t buf_cap;
};

extern "C" struct event_simd *event_simd_new(void)
{
	struct event_simd *s = new (std::nothrow) event_simd();

	if (s == nullptr)
		return nullptr;
	s->buf = nullptr;
	s->buf_cap = 0;
	return s;
}

extern "C" void event_simd_free(struct event_simd *s)
{
	if (s == nullptr)
		return;
	delete[] s->buf;
	delete s;
}

extern "C" const char *event_simd_copy(struct event_simd *s, const char *line, size_t len)
{
	if (s->buf_cap < len + simdjson::SIMDJSON_PADDING) {
		size_t cap = (len + simdjson::SIMDJSON_PADDING) * 2;
		char *buf = new (std::nothrow) char[cap];
		if (buf == nullptr)
			return nullptr;
		delete[] s->buf;
		s->buf = buf;
		s->buf_cap = cap;
	}
	std::memcpy(s->buf, line, len);
	/* simdjson reads up to simdjson::SIMDJSON_PADDING bytes past the end; make them blanks. */
	std::memset(s->buf + len, ' ', simdjson::SIMDJSON_PADDING);
	return s->buf;
}

extern "C" int event_simd_parse(struct event_simd *s, size_t len, const yajl_callbacks *cb,
                                void *ctx)
{
	return event_simd_impl::event_simd_run(s->parser, s->buf, len, s->buf_cap, cb, ctx);
}
