/*
 * util.h - small helpers shared by every module: checked allocation, a
 * growable byte buffer, hashing, and parsing of the units people write in
 * configs (durations, sizes) and of RFC 3339 times.
 *
 * Everything here is pure: no I/O, no libuv, no SQLite.
 */
#ifndef WARMTH_UTIL_H
#define WARMTH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: on out-of-memory they call fatalx(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer. buf_reset keeps the allocation. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* NUL-terminates the content (not counted in len) and returns data. */
const char *buf_cstr(struct buf *b);

/* 64-bit and 128-bit non-cryptographic hashes (XXH3). */
uint64_t hash64(const void *data, size_t len);
struct hash128 { uint64_t lo, hi; };
struct hash128 hash128(const void *data, size_t len);
struct hash128 hash128_seeded(const void *data, size_t len, uint64_t seed);

/*
 * Parses "90m", "36h", "14d", "100ms", "30s", "2w" or a bare number of
 * seconds into milliseconds. Returns 0, or -1 on bad syntax/overflow.
 */
int parse_duration_ms(const char *s, int64_t *out_ms);
/* Parses "1MiB", "64KiB", "512k", "2M", "1G" or a number of bytes. */
int parse_size(const char *s, uint64_t *out);

/*
 * Parses an RFC 3339 date-time ("2026-11-03T10:00:12.120Z", offsets and
 * lower-case 't'/'z' or a space separator allowed) into milliseconds since
 * the Unix epoch (fractions beyond milliseconds are truncated).
 * Returns 0, or -1 if the text is not such a time.
 */
int time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms);
/* Formats ms since the epoch as "2026-11-03T10:00:12.120Z" (25 bytes + NUL). */
#define TIME_RFC3339_LEN 32
void time_format_rfc3339(int64_t ms, char out[TIME_RFC3339_LEN]);
/* Wall clock in milliseconds since the epoch. */
int64_t time_now_ms(void);

/*
 * Returns the length of the longest prefix of s[0..len) that is valid UTF-8
 * (so a cut never splits a sequence), and sets *all_valid when it is all of it.
 */
size_t utf8_valid_prefix(const char *s, size_t len, int *all_valid);

#endif
