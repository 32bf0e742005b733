/*
 * keyfilter.c - a scalable Bloom filter of 128-bit keys (keyfilter.h).
 *
 * The k probes of a key are h1 + i * h2 (Kirsch and Mitzenmacher's double
 * hashing) from its two halves, which XXH3-128 makes independent enough.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/keyfilter.h"

#define KEYFILTER_BITS_PER_KEY 10
#define KEYFILTER_PROBES 7
#define KEYFILTER_MIN_KEYS 4096

/* Adds a level for capacity keys; 0, or -1 when it would pass the limit. */
static int keyfilter_grow(struct keyfilter *f, size_t capacity)
{
	uint64_t nbits = 64;
	struct keyfilter_level *l;

	while (nbits < (uint64_t)capacity * KEYFILTER_BITS_PER_KEY)
		nbits <<= 1;
	size_t bytes = (size_t)(nbits / 8);
	if (f->nlevels == KEYFILTER_LEVELS || f->bytes + bytes > f->max_bytes)
		return -1;
	l = &f->levels[f->nlevels++];
	l->bits = xcalloc(1, bytes);
	l->mask = nbits - 1;
	l->count = 0;
	l->capacity = capacity;
	f->bytes += bytes;
	return 0;
}

void keyfilter_init(struct keyfilter *f, size_t initial, size_t max_bytes)
{
	memset(f, 0, sizeof(*f));
	f->max_bytes = max_bytes;
	if (keyfilter_grow(f, initial > KEYFILTER_MIN_KEYS ? initial : KEYFILTER_MIN_KEYS) < 0)
		f->full = 1;
}

void keyfilter_free(struct keyfilter *f)
{
	for (size_t i = 0; i < f->nlevels; i++)
		free(f->levels[i].bits);
	memset(f, 0, sizeof(*f));
}

static int keyfilter_level_has(const struct keyfilter_level *l, struct hash128 key)
{
	uint64_t h = key.lo, step = key.hi | 1;

	for (int i = 0; i < KEYFILTER_PROBES; i++, h += step)
		if (!(l->bits[(h & l->mask) >> 6] >> (h & 63) & 1))
			return 0;
	return 1;
}

void keyfilter_add(struct keyfilter *f, struct hash128 key)
{
	struct keyfilter_level *l;

	if (f->full)
		return;
	l = &f->levels[f->nlevels - 1];
	if (l->count >= l->capacity) {
		if (keyfilter_grow(f, l->capacity * 2) < 0) {
			f->full = 1;
			return;
		}
		l = &f->levels[f->nlevels - 1];
	}
	uint64_t h = key.lo, step = key.hi | 1;
	for (int i = 0; i < KEYFILTER_PROBES; i++, h += step)
		l->bits[(h & l->mask) >> 6] |= UINT64_C(1) << (h & 63);
	l->count++;
}

int keyfilter_may_have(const struct keyfilter *f, struct hash128 key)
{
	if (f->full)
		return 1;
	for (size_t i = 0; i < f->nlevels; i++)
		if (keyfilter_level_has(&f->levels[i], key))
			return 1;
	return 0;
}
