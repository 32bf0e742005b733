/*
 * contact_blob.c - the blob formats a contact is stored in (contact.h):
 * counts, recent engagements and tags. Pure: no libuv, no SQLite, no I/O.
 * Decoders never trust a blob: every length is checked, a string must be
 * what contact.c could have kept, and a malformed blob is an error.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/contact.h"
#include "blob.h"
#include "contact_internal.h"

/*
 * Blob format versions: bump when a layout changes, keep decoding old ones.
 * Version 2 of counts and recent uses varints instead of fixed-width fields:
 * rows get smaller, and a batch rewrites most pages of the contacts table
 * (docs/performance.md "Ingest throughput"). Version 3 of recent adds the
 * best slots after the recent entries, in the same entry format.
 */
#define CONTACT_COUNTS_VERSION 2
#define CONTACT_RECENT_VERSION 3
/*
 * Version 2 of tags adds the register's own time (contact.h tags_ms) after
 * the version byte; a version 1 blob takes the contact's hints_ms, which
 * was the register's time when one time served every hint.
 */
#define CONTACT_TAGS_VERSION 2
/* The smallest recent entry: v1 ts, type, dir, 3 markers; v2 ts, type|dir, 3 markers. */
#define CONTACT_RECENT_ENTRY_MIN_V1 (8 + 1 + 1 + 3)
#define CONTACT_RECENT_ENTRY_MIN_V2 (1 + 1 + 3)
/* The longest LEB128 encoding of a 64-bit value. */
#define CONTACT_VARINT_MAX 10

/* --- Blobs. --- */

/*
 * Encoders size a blob first, reserve it in the output once and then
 * write through a cursor: a buf_append per field (a call and a memcpy for
 * each byte) was the largest part of copying a batch (docs/performance.md
 * "Ingest throughput").
 */
static unsigned char *contact_put_byte(unsigned char *p, unsigned v)
{
	*p = (unsigned char)v;
	return p + 1;
}

/* LEB128: seven bits a byte, low bits first, the top bit set on all but the last. */
static unsigned char *contact_put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Signed values (time deltas) map to unsigned ones with small magnitudes small. */
static uint64_t contact_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t contact_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Room for size more bytes at the end of out; contact_end() commits them. */
static unsigned char *contact_begin(struct buf *out, size_t size)
{
	buf_reserve(out, size);
	return (unsigned char *)out->data + out->len;
}

static void contact_end(struct buf *out, const unsigned char *p)
{
	out->len = (size_t)(p - (const unsigned char *)out->data);
}

/*
 * A bounds-checked reader over a blob. Every get returns -1 instead of
 * reading past the end, so a truncated or garbage blob can only fail.
 */
struct contact_reader {
	const unsigned char *p;
	size_t left;
};

static int contact_get(struct contact_reader *r, void *out, size_t n)
{
	if (r->left < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int contact_get_byte(struct contact_reader *r, uint8_t *v)
{
	return contact_get(r, v, 1);
}

static int contact_get_u16(struct contact_reader *r, uint16_t *v)
{
	unsigned char b[2];
	if (contact_get(r, b, sizeof(b)) < 0)
		return -1;
	*v = (uint16_t)blob_le_get(b, 2);
	return 0;
}

static int contact_get_u32(struct contact_reader *r, uint32_t *v)
{
	unsigned char b[4];
	if (contact_get(r, b, sizeof(b)) < 0)
		return -1;
	*v = (uint32_t)blob_le_get(b, 4);
	return 0;
}

static int contact_get_u64(struct contact_reader *r, uint64_t *v)
{
	unsigned char b[8];
	if (contact_get(r, b, sizeof(b)) < 0)
		return -1;
	*v = blob_le_get(b, 8);
	return 0;
}

static int contact_get_varint(struct contact_reader *r, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 7 * CONTACT_VARINT_MAX; shift += 7) {
		uint8_t b;
		if (contact_get_byte(r, &b) < 0)
			return -1;
		/* The tenth byte may only carry the top bit of 64. */
		if (shift == 63 && b > 1)
			return -1;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* A stored string must be what contact.c could have kept (cut to max, no NUL, valid UTF-8). */
static int contact_str_acceptable(const char *s, size_t len, size_t max)
{
	int valid;

	if (len > max || memchr(s, '\0', len) != NULL)
		return 0;
	utf8_valid_prefix(s, len, &valid);
	return valid;
}

void contact_encode_counts(const struct contact *c, struct buf *out)
{
	unsigned char *p = contact_begin(out, 1 + 5 * EVENT_TYPE_COUNT);

	p = contact_put_byte(p, CONTACT_COUNTS_VERSION);
	for (size_t i = 0; i < EVENT_TYPE_COUNT; i++)
		p = contact_put_varint(p, c->counts[i]);
	contact_end(out, p);
}

int contact_decode_counts(struct contact *c, const void *blob, size_t len)
{
	struct contact_reader r = { blob, len };
	uint8_t version;

	memset(c->counts, 0, sizeof(c->counts));
	if (blob == NULL || contact_get_byte(&r, &version) < 0 || (version != 1 && version != 2))
		return -1;
	/* A blob from a newer daemon may count types this one does not know: they are skipped. */
	for (size_t i = 0; version == 1 && r.left >= 4; i++) {
		uint32_t v;
		contact_get_u32(&r, &v);
		if (i < EVENT_TYPE_COUNT)
			c->counts[i] = v;
	}
	for (size_t i = 0; version == 2 && r.left > 0; i++) {
		uint64_t v;
		if (contact_get_varint(&r, &v) < 0 || v > UINT32_MAX)
			return -1;
		if (i < EVENT_TYPE_COUNT)
			c->counts[i] = (uint32_t)v;
	}
	return r.left == 0 ? 0 : -1;
}

/* Optional string, version 2: varint length + 1 (0 when absent), the bytes. */
static unsigned char *contact_put_str(unsigned char *p, const char *s, uint16_t len)
{
	if (s == NULL)
		return contact_put_byte(p, 0);
	p = contact_put_varint(p, (uint64_t)len + 1);
	memcpy(p, s, len);
	return p + len;
}

/*
 * Reads an optional string as a view into the blob (ptr NULL when absent).
 * Version 1: a presence byte, then a uint16 LE length; version 2: as
 * contact_put_str() writes it.
 */
static int contact_get_str(struct contact_reader *r, int version, size_t max,
                           struct event_str *out)
{
	uint64_t len;
	const char *s;

	out->ptr = NULL;
	out->len = 0;
	if (version == 1) {
		uint8_t present;
		uint16_t len16;
		if (contact_get_byte(r, &present) < 0 || present > 1)
			return -1;
		if (!present)
			return 0;
		if (contact_get_u16(r, &len16) < 0)
			return -1;
		len = len16;
	} else {
		if (contact_get_varint(r, &len) < 0)
			return -1;
		if (len-- == 0)
			return 0;
	}
	if (r->left < len)
		return -1;
	s = (const char *)r->p;
	if (!contact_str_acceptable(s, (size_t)len, max))
		return -1;
	out->ptr = s;
	out->len = len;
	r->p += len;
	r->left -= len;
	return 0;
}

/* Writes one entry; *prev is the time of the one before (the first: 0). */
static unsigned char *contact_put_engagement(unsigned char *p, const struct contact_engagement *e, int64_t *prev)
{
	/* Each time as the difference from the one before (newest first:
	   small and positive), in wrapping arithmetic so any value fits. */
	p = contact_put_varint(p, contact_zigzag((int64_t)((uint64_t)*prev - (uint64_t)e->ts_ms)));
	*prev = e->ts_ms;
	p = contact_put_byte(p, (unsigned)e->type << 1 | e->dir_out);
	p = contact_put_str(p, e->post, e->post_len);
	p = contact_put_str(p, e->title, e->title_len);
	return contact_put_str(p, e->text, e->text_len);
}

/* An upper bound of an entry's size: every varint at its longest. */
static size_t contact_engagement_size(const struct contact_engagement *e)
{
	return CONTACT_VARINT_MAX + 1 + 3 * 3 + (size_t)e->post_len + e->title_len + e->text_len;
}

/*
 * The best slot before k that holds the same engagement as slot k, plus 1;
 * 0 when there is none. Slots often share one (their best words on my post
 * usually have a title too): it is written once.
 */
static unsigned contact_best_ref(const struct contact *c, int k)
{
	for (int j = 0; j < k; j++)
		if (contact_best_filled(&c->best[j]) && contact_engagement_same(&c->best[j], &c->best[k]))
			return (unsigned)j + 1;
	return 0;
}

void contact_encode_recent(const struct contact *c, struct buf *out)
{
	size_t size = 1 + CONTACT_VARINT_MAX + 1;
	int64_t prev = 0;
	unsigned mask = 0;
	unsigned char *p;

	for (uint32_t i = 0; i < c->nrecent; i++)
		size += contact_engagement_size(&c->recent[i]);
	for (int k = 0; c->best != NULL && k < CONTACT_BEST_COUNT; k++) {
		if (contact_best_filled(&c->best[k])) {
			mask |= 1u << k;
			size += 1 + CONTACT_VARINT_MAX + contact_engagement_size(&c->best[k]);
		}
	}
	p = contact_begin(out, size);
	p = contact_put_byte(p, CONTACT_RECENT_VERSION);
	p = contact_put_varint(p, c->nrecent);
	for (uint32_t i = 0; i < c->nrecent; i++)
		p = contact_put_engagement(p, &c->recent[i], &prev);
	p = contact_put_byte(p, mask);
	prev = 0;
	for (int k = 0; k < CONTACT_BEST_COUNT; k++) {
		unsigned ref;
		if (!(mask & (1u << k)))
			continue;
		ref = contact_best_ref(c, k);
		p = contact_put_byte(p, ref);
		if (ref != 0)
			continue;
		/* Stored so that loading a contact never measures its texts again. */
		p = contact_put_varint(p, c->best[k].quality);
		p = contact_put_engagement(p, &c->best[k], &prev);
	}
	contact_end(out, p);
}

/* Decodes one entry; *prev_ts is the previous entry's time (version 2 deltas). */
static int contact_decode_engagement(struct contact_reader *r, int version, int64_t *prev_ts,
                                     struct contact_engagement *e)
{
	struct event_str post, title, text;
	uint64_t ts;
	uint8_t b;

	memset(e, 0, sizeof(*e));
	if (version == 1) {
		if (contact_get_u64(r, &ts) < 0 || contact_get_byte(r, &e->type) < 0 ||
		    contact_get_byte(r, &e->dir_out) < 0)
			return -1;
		e->ts_ms = (int64_t)ts;
	} else {
		if (contact_get_varint(r, &ts) < 0 || contact_get_byte(r, &b) < 0)
			return -1;
		e->ts_ms = (int64_t)((uint64_t)*prev_ts - (uint64_t)contact_unzigzag(ts));
		*prev_ts = e->ts_ms;
		e->type = b >> 1;
		e->dir_out = b & 1;
	}
	if (e->type >= EVENT_TYPE_COUNT || !event_type_is_engagement(e->type) || e->dir_out > 1)
		return -1;
	if (contact_get_str(r, version, CONTACT_POST_MAX, &post) < 0 ||
	    contact_get_str(r, version, CONTACT_TITLE_MAX, &title) < 0 ||
	    contact_get_str(r, version, CONTACT_TEXT_MAX, &text) < 0)
		return -1;
	contact_engagement_set_strings(e, NULL, 0, post, title, text);
	return 0;
}

/*
 * Decodes the best slots of a version 3 blob: a mask byte, then for each
 * filled slot in order a byte, 0 followed by the varint quality and the
 * entry, or j + 1 for the same engagement as slot j before it. An entry
 * in a slot not of its kind is an error.
 */
static int contact_decode_best(struct contact *c, struct contact_reader *r)
{
	uint8_t mask;
	int64_t prev_ts = 0;

	if (contact_get_byte(r, &mask) < 0 || mask >> CONTACT_BEST_COUNT != 0)
		return -1;
	if (mask == 0)
		return 0;
	c->best = xcalloc(CONTACT_BEST_COUNT, sizeof(*c->best));
	for (int k = 0; k < CONTACT_BEST_COUNT; k++) {
		struct contact_engagement *e = &c->best[k];
		struct contact_engagement_key key;
		uint64_t quality;
		uint8_t ref;

		if (!(mask & (1u << k)))
			continue;
		if (contact_get_byte(r, &ref) < 0 || ref > k)
			return -1;
		if (ref != 0) {
			const struct contact_engagement *same = &c->best[ref - 1];
			struct contact_engagement_key from;
			if (!contact_best_filled(same))
				return -1;
			from = contact_engagement_key_of(same);
			*e = *same;
			contact_engagement_set_strings(e, NULL, 0, from.post, from.title, from.text);
		} else {
			if (contact_get_varint(r, &quality) < 0 || quality > UINT16_MAX ||
			    contact_decode_engagement(r, 3, &prev_ts, e) < 0)
				return -1;
			e->quality = (uint16_t)quality;
		}
		key = contact_engagement_key_of(e);
		if (!contact_best_qualifies(k, &key)) {
			free(e->strings);
			memset(e, 0, sizeof(*e));
			return -1;
		}
		if (k == CONTACT_BEST_MENTION)
			e->quality = 0;
	}
	return 0;
}

int contact_decode_recent(struct contact *c, const void *blob, size_t len)
{
	struct contact_reader r = { blob, len };
	uint8_t version;
	uint64_t n;
	uint32_t n32;
	int64_t prev_ts = 0;
	int rc = 0;

	contact_recent_clear(c);
	if (blob == NULL || contact_get_byte(&r, &version) < 0 || version < 1 || version > 3)
		return -1;
	if (version == 1 ? contact_get_u32(&r, &n32) < 0 : contact_get_varint(&r, &n) < 0)
		return -1;
	if (version == 1)
		n = n32;
	/* The count is checked against the bytes left before anything is allocated for it. */
	if (n > r.left / (version == 1 ? CONTACT_RECENT_ENTRY_MIN_V1 : CONTACT_RECENT_ENTRY_MIN_V2))
		return -1;
	if (n > 0) {
		c->recent = xcalloc((size_t)n, sizeof(*c->recent));
		c->recent_cap = (uint32_t)n;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (contact_decode_engagement(&r, version, &prev_ts, &c->recent[i]) < 0) {
			rc = -1;
			break;
		}
		c->nrecent++;
	}
	if (rc == 0 && version >= 3 && contact_decode_best(c, &r) < 0)
		rc = -1;
	if (r.left != 0)
		rc = -1;
	if (c->nrecent == 0) {
		free(c->recent);
		c->recent = NULL;
		c->recent_cap = 0;
	}
	/* Restores the list's invariant even for a blob this code did not write. */
	if (c->nrecent > 1)
		qsort(c->recent, c->nrecent, sizeof(*c->recent), contact_engagement_qsort_compare);
	/* Written before there were best slots: the recent entries are the best known. */
	if (version < 3)
		contact_best_seed(c);
	return rc;
}

void contact_encode_tags(const struct contact *c, struct buf *out)
{
	unsigned char head[1 + CONTACT_VARINT_MAX], *p = head;

	p = contact_put_byte(p, CONTACT_TAGS_VERSION);
	p = contact_put_varint(p, contact_zigzag(c->tags_ms));
	buf_append(out, head, (size_t)(p - head));
	for (uint32_t i = 0; i < c->ntags; i++)
		buf_append(out, c->tags[i], strlen(c->tags[i]) + 1);
}

int contact_decode_tags(struct contact *c, const void *blob, size_t len)
{
	struct contact_reader r = { blob, len };
	uint8_t version;
	uint32_t cap = 0;

	contact_tags_clear(c);
	c->tags_ms = -1;
	if (blob == NULL || contact_get_byte(&r, &version) < 0 || version < 1 ||
	    version > CONTACT_TAGS_VERSION)
		return -1;
	if (version == 1) {
		c->tags_ms = c->hints_ms;
	} else {
		uint64_t ts;
		if (contact_get_varint(&r, &ts) < 0)
			return -1;
		c->tags_ms = contact_unzigzag(ts);
	}
	while (r.left > 0) {
		const char *s = (const char *)r.p;
		const char *nul = memchr(s, '\0', r.left);
		size_t n;

		if (nul == NULL)
			return -1;
		n = (size_t)(nul - s);
		if (!contact_str_acceptable(s, n, CONTACT_TAG_MAX))
			return -1;
		if (c->ntags == cap) {
			cap = cap ? cap * 2 : 4;
			c->tags = xrealloc(c->tags, cap * sizeof(*c->tags));
		}
		c->tags[c->ntags++] = xstrndup(s, n);
		r.p += n + 1;
		r.left -= n + 1;
	}
	return 0;
}
