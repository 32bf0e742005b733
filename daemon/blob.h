/*
 * blob.h - little-endian writers and a bounds-checked reader for the state
 * blobs of the pure modules (score.c, rules.c, ratio.c); internal, not part
 * of the library's API.
 *
 * Blobs are small fixed-layout records written with buf_append, so the
 * writers append to a struct buf directly. The reader never reads past its
 * end: every get returns -1 once the blob is exhausted and leaves the output
 * untouched, so a decoder can check the result of a whole group of gets at
 * once (a truncated blob fails at its first missing byte and stays failed).
 */
#ifndef WARMTH_BLOB_H
#define WARMTH_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "warmth/util.h"

/*
 * Little-endian loads and stores. On a little-endian host they are one
 * move (memcpy of the value); elsewhere, byte by byte. Byte loops are not
 * merged into a move by gcc -O2 (a loop over 8 bytes stayed a loop, six
 * instructions a byte, in the blob encoders and in the seen-id arrays of
 * a batch, which write millions of fields: docs/performance.md "Session 9").
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BLOB_LE_NATIVE 1
#else
#define BLOB_LE_NATIVE 0
#endif

/* The portable forms, n bytes; tested against the native ones (test_util). */
static inline void blob_le_store(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t blob_le_load(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Little-endian, n (up to 8) bytes: the native move or the portable form. */
static inline void blob_le_put(unsigned char *p, uint64_t v, size_t n)
{
	if (BLOB_LE_NATIVE)
		memcpy(p, &v, n); /* the value's low bytes come first */
	else
		blob_le_store(p, v, n);
}

static inline uint64_t blob_le_get(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	if (BLOB_LE_NATIVE)
		memcpy(&v, p, n);
	else
		v = blob_le_load(p, n);
	return v;
}

/*
 * Appends n bytes. Inline while the buffer has room (keeping the byte
 * buf_reserve keeps for a NUL): a blob is dozens of fields of a few bytes,
 * written for every changed contact of every batch, so a call per field
 * shows. An encoder that reserves its maximum size first never leaves the
 * fast path.
 */
static inline void blob_put_bytes(struct buf *b, const unsigned char *p, size_t n)
{
	if (b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	} else {
		buf_append(b, p, n);
	}
}

static inline void blob_put_u8(struct buf *b, uint8_t v)
{
	blob_put_bytes(b, &v, 1);
}

static inline void blob_put_u16(struct buf *b, uint16_t v)
{
	unsigned char p[2];

	blob_le_put(p, v, 2);
	blob_put_bytes(b, p, sizeof(p));
}

static inline void blob_put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4];

	blob_le_put(p, v, 4);
	blob_put_bytes(b, p, sizeof(p));
}

static inline void blob_put_u64(struct buf *b, uint64_t v)
{
	unsigned char p[8];

	blob_le_put(p, v, 8);
	blob_put_bytes(b, p, sizeof(p));
}

static inline void blob_put_i64(struct buf *b, int64_t v)
{
	blob_put_u64(b, (uint64_t)v);
}

/* A double as its IEEE 754 bits, so that it round-trips exactly. */
static inline void blob_put_f64(struct buf *b, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	blob_put_u64(b, bits);
}

struct blob_reader {
	const unsigned char *p;
	size_t left;
	int failed; /* a get ran past the end; every later get fails too */
};

static inline void blob_reader_init(struct blob_reader *r, const void *blob, size_t len)
{
	r->p = blob;
	r->left = blob != NULL ? len : 0;
	r->failed = blob == NULL;
}

static inline int blob_get(struct blob_reader *r, unsigned char *out, size_t n)
{
	if (r->failed || r->left < n) {
		r->failed = 1;
		return -1;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static inline int blob_get_u8(struct blob_reader *r, uint8_t *v)
{
	return blob_get(r, v, 1);
}

static inline int blob_get_u16(struct blob_reader *r, uint16_t *v)
{
	unsigned char p[2];

	if (blob_get(r, p, sizeof(p)) < 0)
		return -1;
	*v = (uint16_t)blob_le_get(p, 2);
	return 0;
}

static inline int blob_get_u32(struct blob_reader *r, uint32_t *v)
{
	unsigned char p[4];

	if (blob_get(r, p, sizeof(p)) < 0)
		return -1;
	*v = (uint32_t)blob_le_get(p, 4);
	return 0;
}

static inline int blob_get_u64(struct blob_reader *r, uint64_t *v)
{
	unsigned char p[8];

	if (blob_get(r, p, sizeof(p)) < 0)
		return -1;
	*v = blob_le_get(p, 8);
	return 0;
}

static inline int blob_get_i64(struct blob_reader *r, int64_t *v)
{
	uint64_t u;

	if (blob_get_u64(r, &u) < 0)
		return -1;
	*v = (int64_t)u;
	return 0;
}

static inline int blob_get_f64(struct blob_reader *r, double *v)
{
	uint64_t bits;

	if (blob_get_u64(r, &bits) < 0)
		return -1;
	memcpy(v, &bits, sizeof(*v));
	return 0;
}

/* Whether the whole blob was read, exactly: no failure, nothing left over. */
static inline int blob_done(const struct blob_reader *r)
{
	return !r->failed && r->left == 0;
}

#endif
