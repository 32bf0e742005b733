/*
 * idset.c - a flat hash set of 128-bit event-id keys (see idset.h).
 *
 * The keys are XXH3-128 hashes, so their low bits index the table directly.
 * The all-zero key marks an empty slot; a real all-zero hash is remapped
 * to another fixed value (a 2^-128 event that must still not corrupt the
 * table). The table doubles at 50% load, so probes stay short.
 *
 * A backfill of millions of ids makes the table large (16 bytes a slot,
 * twice the ids; 24 with the whole key and time, which a 5 GB backlog's
 * 17M ids made 1.5 GiB) and every lookup lands on a random slot. Large tables are
 * therefore mapped on their own and asked for transparent huge pages: one TLB
 * entry covers 2 MiB instead of 4 KiB, and the kernel faults the table in
 * 512 times fewer steps (the page faults of a growing 4 KiB-page table were
 * a tenth of the ingest profile, docs/performance.md "Ingest throughput").
 * Pruning deletes in place (backward shift) and returns at once when no
 * key is old enough, so it neither allocates nor rebuilds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mremap */
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "warmth/idset.h"
#include "warmth/log.h"

#define IDSET_MIN_CAPACITY 1024
#define IDSET_HUGE_PAGE ((size_t)2 << 20)

/* The key as a slot holds it: 96 bits, never all zero. */
static struct hash128 idset_norm(struct hash128 key)
{
	key.hi &= UINT32_MAX;
	if (key.lo == 0 && key.hi == 0)
		key.lo = 1;
	return key;
}

uint32_t idset_seconds(int64_t ts_ms)
{
	if (ts_ms <= 0)
		return 0;
	return ts_ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ts_ms / 1000);
}

static int idset_empty(const struct idset_slot *s)
{
	return s->k1 == 0 && s->k2 == 0;
}

static int idset_mapped(size_t cap)
{
	return cap * sizeof(struct idset_slot) >= IDSET_HUGE_PAGE;
}

/*
 * A zeroed table of cap slots. A big one is an anonymous mapping, which
 * the kernel hands out zeroed (no memset pass over it), with the huge page
 * hint; its size is a multiple of 2 MiB since cap is a power of two.
 */
static struct idset_slot *idset_alloc(size_t cap)
{
	size_t bytes = cap * sizeof(struct idset_slot);
	void *p;

	if (!idset_mapped(cap))
		return xcalloc(cap, sizeof(struct idset_slot));
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatalx("out of memory (%zu bytes for the seen-id set)", bytes);
#ifdef MADV_HUGEPAGE
	/* Only a hint: without huge pages the table works the same. */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

static void idset_release(struct idset_slot *slots, size_t cap)
{
	if (slots == NULL)
		return;
	if (idset_mapped(cap))
		munmap(slots, cap * sizeof(*slots));
	else
		free(slots);
}

void idset_init(struct idset *set)
{
	memset(set, 0, sizeof(*set));
}

void idset_free(struct idset *set)
{
	idset_release(set->slots, set->mask + 1);
	memset(set, 0, sizeof(*set));
}

static void idset_insert_slot(struct idset_slot *slots, size_t mask, const struct idset_slot *in)
{
	size_t i = (size_t)in->k1 & mask;

	while (!idset_empty(&slots[i]))
		i = (i + 1) & mask;
	slots[i] = *in;
}

/*
 * Rehashes a table of cap slots whose memory has just grown to 2 * cap
 * (the upper half zeroed) into the doubled table, in place. A key's new
 * home is its old one or that plus cap. Keys are taken in slot order and
 * inserted again under the new mask; a key at slot i whose home h is at
 * most i finds h..i-1 already done (or empty) and i empty, so its probe
 * stops at i at the latest and never passes a key not yet moved (whose
 * later removal would cut the probe run). The keys of a run that wraps
 * around the old table's end into its first slots have homes after their
 * slots: they are set aside first and inserted last.
 */
static void idset_double_in_place(struct idset_slot *slots, size_t cap)
{
	size_t mask = cap * 2 - 1, nwrapped = 0, run = 0;
	struct idset_slot *wrapped;

	while (run < cap && !idset_empty(&slots[run]))
		run++;
	wrapped = run > 0 ? xcalloc(run, sizeof(*wrapped)) : NULL;
	for (size_t i = 0; i < run; i++) {
		if (((size_t)slots[i].k1 & (cap - 1)) > i) {
			wrapped[nwrapped++] = slots[i];
			memset(&slots[i], 0, sizeof(slots[i]));
		}
	}
	for (size_t i = 0; i < cap; i++) {
		if (idset_empty(&slots[i]))
			continue;
		struct idset_slot in = slots[i];
		memset(&slots[i], 0, sizeof(slots[i]));
		idset_insert_slot(slots, mask, &in);
	}
	for (size_t i = 0; i < nwrapped; i++)
		idset_insert_slot(slots, mask, &wrapped[i]);
	free(wrapped);
}

/*
 * A mapped table grows where it is (mremap moves its pages, no copy) and
 * is rehashed in place: only the new half is fresh memory, instead of a
 * whole new table beside the old one (which the kernel must fault in and
 * zero: up to a tenth of the loop's time in a backfill, and the old and
 * new tables together at the peak of memory). Smaller tables, and the
 * step that first maps one, are copied into a new table.
 */
static void idset_grow(struct idset *set)
{
	size_t old = set->slots ? set->mask + 1 : 0;
	size_t cap = old ? old * 2 : IDSET_MIN_CAPACITY;
	struct idset_slot *slots;

#ifdef MREMAP_MAYMOVE
	if (old > 0 && idset_mapped(old)) {
		slots = mremap(set->slots, old * sizeof(*slots), cap * sizeof(*slots), MREMAP_MAYMOVE);
		if (slots == MAP_FAILED)
			fatalx("out of memory (%zu bytes for the seen-id set)", cap * sizeof(*slots));
#ifdef MADV_HUGEPAGE
		(void)madvise(slots, cap * sizeof(*slots), MADV_HUGEPAGE);
#endif
		idset_double_in_place(slots, old);
		set->slots = slots;
		set->mask = cap - 1;
		return;
	}
#endif
	slots = idset_alloc(cap);
	for (size_t i = 0; i < old; i++)
		if (!idset_empty(&set->slots[i]))
			idset_insert_slot(slots, cap - 1, &set->slots[i]);
	idset_release(set->slots, old);
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
	uint32_t ts_s = idset_seconds(ts_ms);
	set->slots[i].k1 = key.lo;
	set->slots[i].k2 = (uint32_t)key.hi;
	set->slots[i].ts_s = ts_s;
	if (set->count == 0 || (int64_t)ts_s * 1000 < set->oldest_ms)
		set->oldest_ms = (int64_t)ts_s * 1000;
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

void idset_prefetch(const struct idset *set, struct hash128 key)
{
	if (set->slots != NULL)
		__builtin_prefetch(&set->slots[(size_t)idset_norm(key).lo & set->mask]);
}

/*
 * Empties slot hole and closes the gap it leaves in its probe run: each
 * later key of the run whose home slot does not lie cyclically in
 * (hole, j] moves back into the hole, which then moves on to j.
 */
static void idset_delete_at(struct idset *set, size_t hole)
{
	size_t mask = set->mask;

	for (size_t j = (hole + 1) & mask; !idset_empty(&set->slots[j]); j = (j + 1) & mask) {
		size_t home = (size_t)set->slots[j].k1 & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			set->slots[hole] = set->slots[j];
			hole = j;
		}
	}
	memset(&set->slots[hole], 0, sizeof(set->slots[hole]));
}

size_t idset_prune(struct idset *set, int64_t before_ms)
{
	size_t removed = 0;
	/* Whole seconds before before_ms: never a key of a later time. */
	uint32_t before = idset_seconds(before_ms), oldest = UINT32_MAX;

	if (set->slots == NULL || set->count == 0 || (int64_t)before * 1000 <= set->oldest_ms)
		return 0;
	/*
	 * One pass in slot order. A deletion may pull a later key into slot
	 * i, so i is looked at again before moving on; keys that wrap around
	 * from the front of the table were already kept, so seeing them twice
	 * is harmless.
	 */
	for (size_t i = 0; i <= set->mask;) {
		struct idset_slot *s = &set->slots[i];
		if (!idset_empty(s) && s->ts_s < before) {
			idset_delete_at(set, i);
			removed++;
			continue;
		}
		if (!idset_empty(s) && s->ts_s < oldest)
			oldest = s->ts_s;
		i++;
	}
	set->count -= removed;
	set->oldest_ms = set->count > 0 ? (int64_t)oldest * 1000 : 0;
	return removed;
}
