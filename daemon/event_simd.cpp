/*
 * event_simd.cpp - the fast path of event_parse(): simdjson parses a line
 * and, when it is one JSON object, its DOM is walked to feed event.c the
 * same callbacks yajl does (event_simd.h).
 *
 * Why. yajl lexes byte by byte through a state machine and a callback per
 * token: about 4,600 instructions for a 147-byte event line, most of the
 * daemon's work per event (docs/performance.md, "Session 2"). simdjson
 * finds the structure of the line with SIMD instructions (chosen at run
 * time by libsimdjson for the CPU) and builds a compact tape of it.
 *
 * Exactness. The DOM parser validates the whole line (grammar, UTF-8,
 * escapes, numbers, nothing after the value): its On Demand front end was
 * tried first and accepted malformed lines that it was not asked about
 * (a differential fuzz run against yajl found one in seconds), so it is
 * not used. Keys and values reach the callbacks as yajl would give them:
 * strings decoded, integers as their decimal text, so the exact decimal
 * conversion of event.c still applies. A number with a fraction or an
 * exponent (whose text the DOM does not keep), a line that is not one
 * object, anything simdjson refuses: -1, and event.c parses the line
 * again with yajl, which gives the reason and the words. The fuzzer
 * (tests/fuzz/fuzz_event.c) checks that both paths agree on every line.
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
#include "event_simd_walk.inc"
} // namespace event_simd_impl

struct event_simd {
	simdjson::dom::parser parser;
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
	return event_simd_impl::event_simd_run(s->parser, s->buf, len, cb, ctx);
}
