/*
 * engine_dedup.c - the seen event ids beyond the window: which ids the
 * engine keeps in memory, which it looks up on disk, and when the window
 * moves on (docs/ingest.md "Event ids").
 *
 * In memory (e->seen) are the ids of events at or after the floor
 * (e->ids_floor_ms), which follows the newest event at
 * state.dedup_retention: an event of that time is checked there alone, with
 * no I/O, as before. Once a batch decides to move the floor, the events
 * before the new one take the cold path already (e->cold_before_ms). Every id of an event before the floor is in the
 * database's kept ids (old_ids, store_ids.c), for state.id_retention. An
 * event that arrives older than the floor (a backfill, a re-imported
 * archive) is the cold path: it is looked up in memory, among the old ids
 * of the batches not committed yet, then in old_ids through the loop's
 * reader, the lookups of a run of lines sharing one read transaction.
 *
 * The floor moves only once the commit that moved the ids below it to
 * old_ids is done: until then those ids stay in memory, so an id is always
 * found, in memory or on disk, whichever batch or crash came between.
 * The old ids a batch accepts are kept in a set of their own
 * (old_building, then old_committing) until the batch is committed, as
 * the reader cannot see them before.
 */
#include <string.h>

#include "warmth/log.h"
#include "engine_internal.h"

/* A time at the second below it, as the set and the store keep times. */
static int64_t engine_dedup_second(int64_t ms)
{
	return ms > 0 ? (int64_t)idset_seconds(ms) * 1000 : 0;
}

static int64_t engine_dedup_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

void engine_dedup_start(struct engine *e, const struct store_counters *c)
{
	e->ids_floor_ms = c->ids_floor_ms;
	e->cold_before_ms = c->ids_floor_ms;
	e->ids_kept_from_ms = c->ids_kept_from_ms;
	idset_init(&e->old_building);
	idset_init(&e->old_committing);
}

void engine_dedup_prune(struct engine *e)
{
	int64_t before = engine_dedup_second(e->counters.newest_ms - e->conf->dedup_retention_ms);
	int64_t id_retention = e->conf->id_retention_ms;

	if (e->counters.newest_ms == 0 || before <= 0)
		return;
	/* The floor never goes back (a healed clock may): ids below it are on disk. */
	if (before > engine_dedup_max(e->ids_floor_ms,
	                              engine_dedup_max(e->floor_committing_ms, e->floor_building_ms))) {
		e->floor_building_ms = before;
		store_batch_dedup_prune(e->building, before);
		/*
		 * From now on, older events take the cold path, which looks in
		 * memory first: an id accepted hot below the floor after its
		 * move was decided would leave memory with the move's commit
		 * and reach the kept ids only with a later move.
		 */
		e->cold_before_ms = before;
	}
	if (id_retention <= 0)
		return;
	/*
	 * Deleting the kept ids past state.id_retention scans old_ids (it has
	 * no index by time, which would cost as much as the ids again): done
	 * when the cut has moved by an eighth of the retention.
	 */
	int64_t keep = engine_dedup_second(e->counters.newest_ms - id_retention);
	int64_t kept = engine_dedup_max(e->ids_kept_from_ms,
	                                engine_dedup_max(e->kept_committing_ms, e->kept_building_ms));
	if (keep > 0 && (kept == 0 || keep - kept > id_retention / 8)) {
		e->kept_building_ms = keep;
		store_batch_ids_prune(e->building, keep);
	}
}

int engine_dedup_old(struct engine *e, struct hash128 key, int64_t ts_ms)
{
	if (idset_contains(&e->seen, key) || idset_contains(&e->old_building, key) ||
	    idset_contains(&e->old_committing, key))
		return 1;
	if (!e->old_reading && store_read_begin(e->reader) == 0)
		e->old_reading = 1;
	/* Unreadable (-1, logged): the event counts, as it did before ids were kept. */
	if (store_old_id_seen(e->reader, key) > 0)
		return 1;
	idset_add(&e->old_building, key, ts_ms);
	store_batch_old_id(e->building, key, ts_ms);
	return 0;
}

void engine_dedup_release(struct engine *e)
{
	if (!e->old_reading)
		return;
	e->old_reading = 0;
	store_read_end(e->reader);
}

void engine_dedup_closing(struct engine *e)
{
	struct idset tmp = e->old_committing;

	/* The set of the batch before was emptied when it committed. */
	e->old_committing = e->old_building;
	e->old_building = tmp;
	e->floor_committing_ms = e->floor_building_ms;
	e->kept_committing_ms = e->kept_building_ms;
	e->floor_building_ms = e->kept_building_ms = 0;
}

void engine_dedup_committed(struct engine *e)
{
	/* The next lookups see what was just committed. */
	engine_dedup_release(e);
	idset_free(&e->old_committing);
	if (e->kept_committing_ms > e->ids_kept_from_ms)
		e->ids_kept_from_ms = e->kept_committing_ms;
	e->kept_committing_ms = 0;
	int64_t floor = e->floor_committing_ms;
	e->floor_committing_ms = 0;
	if (floor <= e->ids_floor_ms)
		return;
	e->ids_floor_ms = floor;
	size_t n = idset_prune(&e->seen, e->ids_floor_ms);
	if (n > 0)
		log_debug("%zu event ids moved out of memory to the kept ids", n);
}

void engine_dedup_free(struct engine *e)
{
	idset_free(&e->seen);
	idset_free(&e->old_building);
	idset_free(&e->old_committing);
}
