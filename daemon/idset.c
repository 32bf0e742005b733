/*
 * idset.c - a flat hash set of 128-bit event-id keys (see idset.h).
 *
 * The keys are XXH3-128 hashes, so their low bits index the table directly.
 * The all-zero key marks an empty slot; a real all-zero hash is remapped
 * to another fixed value (a 2^-128 event that must still not corrupt the
 * table). The table doubles at 50% load, so probes stay short.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/idset.h"

#define IDSET_MIN_CAPACITY 1024

static struct hash128 idset_norm(struct hash128 key)
{
	if (key.lo == 0 && key.hi == 0)
		key.lo = 1;
	return key;
}

static int idset_empty(const struct idset_slot *s)
{
	return s->k1 == 0 && s->k2 == 0;
}

void idset_init(struct idset *set)
{
	memset(set, 0, sizeof(*set));
}

void idset_free(struct idset *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

static void idset_insert_slot(struct idset_slot *slots, size_t mask, const struct idset_slot *in)
{
	size_t i = (size_t)in->k1 & mask;

	while (!idset_empty(&slots[i]))
		i = (i + 1) & mask;
	slots[i] = *in;
}

static void idset_grow(struct idset *set)
{
	size_t cap = set->slots ? (set->mask + 1) * 2 : IDSET_MIN_CAPACITY;
	struct idset_slot *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; set->slots && i <= set->mask; i++)
		if (!idset_empty(&set->slots[i]))
			idset_insert_slot(slots, cap - 1, &set->slots[i]);
	free(set->slots);
	set->slots = slots;
	set->mask = cap - 1;
}

int idset_add(struct idset *set, struct hash128 key, int64_t ts_ms)
{
	size_t i;

	key = idset_norm(key);
	if (set->slots == NULL || (set->count + 1) * 2 > set->mask + 1)
		idset_grow(set);
	for (i = (size_t)key.lo & set->mask; !idset_empty(&set->slots[i]); i = (i + 1) & set->mask)
		if (set->slots[i].k1 == key.lo && set->slots[i].k2 == key.hi)
			return 1;
	set->slots[i].k1 = key.lo;
	set->slots[i].k2 = key.hi;
	set->slots[i].ts_ms = ts_ms;
	set->count++;
	return 0;
}

int idset_contains(const struct idset *set, struct hash128 key)
{
	key = idset_norm(key);
	if (set->slots == NULL)
		return 0;
	for (size_t i = (size_t)key.lo & set->mask; !idset_empty(&set->slots[i]);
	     i = (i + 1) & set->mask)
		if (set->slots[i].k1 == key.lo && set->slots[i].k2 == key.hi)
			return 1;
	return 0;
}

size_t idset_prune(struct idset *set, int64_t before_ms)
{
	size_t kept = 0, removed;
	struct idset_slot *slots;

	if (set->slots == NULL)
		return 0;
	/*
	 * Rebuilding is simpler than deleting in place (no tombstones, no
	 * backward shifts) and costs one pass; pruning runs once a minute.
	 */
	slots = xcalloc(set->mask + 1, sizeof(*slots));
	for (size_t i = 0; i <= set->mask; i++) {
		if (idset_empty(&set->slots[i]) || set->slots[i].ts_ms < before_ms)
			continue;
		idset_insert_slot(slots, set->mask, &set->slots[i]);
		kept++;
	}
	removed = set->count - kept;
	free(set->slots);
	set->slots = slots;
	set->count = kept;
	return removed;
}
