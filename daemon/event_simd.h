/*
 * event_simd.h - simdjson as a fast front end for event.c: parses a line
 * and, when it is one JSON object, calls yajl-style callbacks for every key
 * and value (event_simd.cpp explains the design).
 * Internal to event.c.
 */
#ifndef WARMTH_EVENT_SIMD_H
#define WARMTH_EVENT_SIMD_H

#include <stddef.h>

#include <yajl/yajl_parse.h>

struct event_simd;

/* NULL when out of memory. */
struct event_simd *event_simd_new(void);
void event_simd_free(struct event_simd *s);
/*
 * Copies line[0..len) into s's buffer with the padding simdjson needs
 * after it and returns the copy (valid until the next call), or NULL when
 * out of memory. event_simd_parse() then parses that copy.
 */
const char *event_simd_copy(struct event_simd *s, const char *line, size_t len);
/*
 * Walks the copied line, calling cb with ctx as yajl would (strings
 * decoded, integers as their text). Returns 0 when the line is one JSON object followed by
 * blanks and every callback returned 1; -1 otherwise, with the callbacks
 * called part way: parse the line again with yajl to know why.
 */
int event_simd_parse(struct event_simd *s, size_t len, const yajl_callbacks *cb, void *ctx);

#endif
