/*
 * idset.h - the set of seen event ids: 128-bit keys (already uniform
 * hashes) with the event time each was seen at.
 *
 * A flat open-addressing table (linear probing, backward-shift deletion):
 * one 16-byte slot per id and usually one cache miss per lookup. uthash,
 * used first, cost about 100 bytes and a malloc per id and was the largest
 * item of the ingest profile (docs/performance.md). Pure: no I/O.
 */
#ifndef WARMTH_IDSET_H
#define WARMTH_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/util.h"

/*
 * 16 bytes: the key's low 64 bits and 32 of its high ones (96 bits tell
 * tens of millions of ids apart with a chance of a false duplicate far
 * below a disk's error rate), and the event time in whole seconds since
 * the epoch (up to 2106; earlier times count as 1970).
 */
struct idset_slot {
	uint64_t k1;      /* k1 == 0 && k2 == 0 marks an empty slot */
	uint32_t k2;
	uint32_t ts_s;
};

struct idset {
	struct idset_slot *slots;
	size_t mask;      /* capacity - 1; capacity is a power of two */
	size_t count;
	int64_t oldest_ms; /* the smallest event time in the set, in whole seconds (x 1000;
	                      meaningless when empty) */
};

/* An event time as the set keeps it: whole seconds since the epoch, 0 for
   earlier times, at most UINT32_MAX (the store keeps the same, store.c). */
uint32_t idset_seconds(int64_t ts_ms);

void idset_init(struct idset *set);
void idset_free(struct idset *set);
/*
 * Adds key with its event time. Returns 1 if the key was already present
 * (its time is left unchanged), 0 if it was added.
 */
int idset_add(struct idset *set, struct hash128 key, int64_t ts_ms);
int idset_contains(const struct idset *set, struct hash128 key);
/*
 * Asks the CPU to bring key's slot into cache: a large set is read at
 * random, one cache miss per lookup, which a prefetch issued an event
 * ahead hides (engine.c). No effect on the set.
 */
void idset_prefetch(const struct idset *set, struct hash128 key);
/* Removes every key seen before before_ms (at the second: a key of the
   same second as before_ms stays); returns how many. Costs one pass over
   the table, or nothing when no key is that old. */
size_t idset_prune(struct idset *set, int64_t before_ms);

#endif
