/*
 * keyfilter.h - a scalable Bloom filter of 128-bit keys (already uniform
 * hashes): "certainly not added" or "maybe added". The contact cache
 * (engine_cache.c) asks it before reading a contact from the database,
 * so that an actor never seen costs no read.
 *
 * A chain of bit arrays, each twice the size of the one before (a
 * scalable Bloom filter, Almeida et al. 2007): keys go into the newest,
 * which holds 10 bits a key and 7 probes (a false positive about one
 * time in 120); a lookup asks every array. No false negatives, ever.
 * Memory stops at a limit: past it the filter says "full" and may no
 * longer answer "no" (its owner then reads every time). Pure: no I/O.
 *
 * Debian has no C library of this (its Bloom filters are Go and
 * Haskell); it is forty lines over XXH3 keys.
 */
#ifndef WARMTH_KEYFILTER_H
#define WARMTH_KEYFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/util.h"

#define KEYFILTER_LEVELS 40

struct keyfilter_level {
	uint64_t *bits;
	uint64_t mask;          /* bits - 1; a power of two */
	size_t count, capacity; /* keys added, and how many it is sized for */
};

struct keyfilter {
	struct keyfilter_level levels[KEYFILTER_LEVELS];
	size_t nlevels;
	size_t bytes, max_bytes;
	int full;               /* the limit was reached: "maybe" for every key */
};

/* An empty filter sized first for initial keys, using at most max_bytes. */
void keyfilter_init(struct keyfilter *f, size_t initial, size_t max_bytes);
void keyfilter_free(struct keyfilter *f);
void keyfilter_add(struct keyfilter *f, struct hash128 key);
/* 0: key was certainly never added; 1: it may have been. */
int keyfilter_may_have(const struct keyfilter *f, struct hash128 key);

#endif
