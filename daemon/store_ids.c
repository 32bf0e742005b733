/*
 * store_ids.c - the seen ids kept beyond the window (see store.h and the
 * old_ids note in store.c): moving the window's ids there as it moves on,
 * writing the ids of events that arrive older than the window, deleting
 * the ids past state.id_retention, and the lookups of the events that
 * arrive older than the window.
 *
 * The window's ids are written as one blob per batch (seen_ids), which is
 * cheap to write and to load at start but cannot be searched. The ids of
 * events before the window's floor live in old_ids instead, one row per
 * id keyed by its key's low 64 bits (the rowid), which costs a b-tree
 * insert per id but is found in one descent. An id goes there once: when
 * the floor passes its event time (seen_moved remembers how far a row has
 * gone), or at once when its event arrives older than the floor.
 * Both writes are sorted by key first, so that a batch of them walks the
 * b-tree's pages in order instead of at random.
 *
 * The floor is written in the transaction that moves the ids below it:
 * whatever a crash leaves, an id is either in the window's rows at or
 * above the floor (loaded into memory at start) or in old_ids below it.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "warmth/idset.h"
#include "warmth/log.h"
#include "warmth/store.h"
#include "blob.h"
#include "store_internal.h"

/*
 * Rows go in STORE_IDS_ROWS at a time: one step of a statement of 64 rows
 * costs far less than 64 steps of one (the statement's own work per step
 * was about half of a moved id's cost).
 */
#define STORE_IDS_ROWS 64
#define STORE_IDS_V1 "(?,?)"
#define STORE_IDS_V4 STORE_IDS_V1 "," STORE_IDS_V1 "," STORE_IDS_V1 "," STORE_IDS_V1
#define STORE_IDS_V16 STORE_IDS_V4 "," STORE_IDS_V4 "," STORE_IDS_V4 "," STORE_IDS_V4
#define STORE_IDS_V64 STORE_IDS_V16 "," STORE_IDS_V16 "," STORE_IDS_V16 "," STORE_IDS_V16
static const char store_sql_old_insert[] =
	"INSERT OR IGNORE INTO old_ids(k1, ts) VALUES" STORE_IDS_V1;
static const char store_sql_old_insert_many[] =
	"INSERT OR IGNORE INTO old_ids(k1, ts) VALUES" STORE_IDS_V64;
static const char store_sql_old_seen[] = "SELECT 1 FROM old_ids WHERE k1 = ?1";
static const char store_sql_old_count[] = "SELECT count(*) FROM old_ids";
static const char store_sql_old_prune[] = "DELETE FROM old_ids WHERE ts < ?1";
/* Only the columns before the blob: the listing reads no overflow page. */
static const char store_sql_move_rows[] =
	"SELECT s.id, s.max_ts, coalesce(m.moved, 0) FROM seen_ids s "
	"LEFT JOIN seen_moved m ON m.id = s.id "
	"WHERE s.min_ts < ?1 AND coalesce(m.moved, 0) < ?1";
static const char store_sql_move_row[] = "SELECT keys, width FROM seen_ids WHERE id = ?1";
static const char store_sql_move_delete[] = "DELETE FROM seen_ids WHERE id = ?1";
static const char store_sql_move_unmark[] = "DELETE FROM seen_moved WHERE id = ?1";
static const char store_sql_move_mark[] =
	"INSERT INTO seen_moved(id, moved) VALUES(?1, ?2) "
	"ON CONFLICT(id) DO UPDATE SET moved = excluded.moved";
static const char store_sql_ids_counter[] =
	"INSERT INTO counters(name, value) VALUES(?1, ?2) "
	"ON CONFLICT(name) DO UPDATE SET value = excluded.value";

/* A growable array of ids in the set's form (idset.h). */
struct store_ids {
	struct idset_slot *items;
	size_t count, cap;
};

static void store_ids_push(struct store_ids *ids, uint64_t k1, uint32_t k2, uint32_t ts_s)
{
	if (ids->count == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 1024;
		ids->items = xrealloc(ids->items, ids->cap * sizeof(*ids->items));
	}
	ids->items[ids->count++] = (struct idset_slot){ k1, k2, ts_s };
}

/* k1 as an unsigned number in the order of SQLite's signed rowid. */
static uint64_t store_ids_radix_key(const struct idset_slot *id)
{
	return id->k1 ^ ((uint64_t)1 << 63);
}

/*
 * Sorts ids into old_ids' key order (the rowid, k1 as a signed integer):
 * a least-significant-digit radix sort, eight passes of a byte through a
 * scratch copy, about a tenth of what qsort's comparisons cost (which
 * were a third of a moved id's cost).
 */
static void store_ids_sort(struct idset_slot *ids, size_t n)
{
	struct idset_slot *tmp, *from = ids, *to;
	size_t count[256];

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	to = tmp;
	for (unsigned shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(store_ids_radix_key(&from[i]) >> shift) & 0xff]++;
		for (size_t b = 0, sum = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[(store_ids_radix_key(&from[i]) >> shift) & 0xff]++] = from[i];
		struct idset_slot *swap = from;
		from = to;
		to = swap;
	}
	/* An even number of passes: the sorted ids are back in ids. */
	free(tmp);
}

/* Steps stmt to its end and resets it; 0 or -1. */
static int store_ids_step(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Inserts ids (sorted here, so that the inserts walk the b-tree's pages
 * in order) into old_ids, STORE_IDS_ROWS a statement; 0 or -1. An id's
 * row is its key's low 64 bits: see store_old_id_seen.
 */
static int store_ids_insert(struct store *store, struct idset_slot *ids, size_t n)
{
	sqlite3_stmt *many = NULL, *one = NULL;
	size_t i = 0;

	if (n == 0)
		return 0;
	store_ids_sort(ids, n);
	if (n >= STORE_IDS_ROWS && (many = store_statement(store, store_sql_old_insert_many)) == NULL)
		return -1;
	for (; i + STORE_IDS_ROWS <= n; i += STORE_IDS_ROWS) {
		for (int j = 0; j < STORE_IDS_ROWS; j++) {
			sqlite3_bind_int64(many, 2 * j + 1, (int64_t)ids[i + j].k1);
			sqlite3_bind_int64(many, 2 * j + 2, ids[i + j].ts_s);
		}
		if (store_ids_step(many) < 0)
			return -1;
	}
	if (i < n && (one = store_statement(store, store_sql_old_insert)) == NULL)
		return -1;
	for (; i < n; i++) {
		sqlite3_bind_int64(one, 1, (int64_t)ids[i].k1);
		sqlite3_bind_int64(one, 2, ids[i].ts_s);
		if (store_ids_step(one) < 0)
			return -1;
	}
	return 0;
}

/*
 * Appends the ids of seen_ids row id whose event time is in [from_s,
 * before_s) to out, at the second as the set keeps them; 0 or -1.
 */
static int store_ids_row(struct store *store, int64_t id, uint32_t from_s, uint32_t before_s,
                         struct store_ids *out)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_move_row);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(stmt, 0);
		size_t bytes = (size_t)sqlite3_column_bytes(stmt, 0);
		int64_t width = sqlite3_column_int64(stmt, 1);
		if (width != STORE_SEEN_BYTES && width != STORE_SEEN_BYTES_V4) {
			log_warnx("%s: a seen_ids row of width %lld, not %d or %d", store->path,
			          (long long)width, STORE_SEEN_BYTES, STORE_SEEN_BYTES_V4);
			sqlite3_reset(stmt);
			return -1;
		}
		for (size_t i = 0; i < bytes / (size_t)width; i++, p += width) {
			uint32_t ts_s = width == STORE_SEEN_BYTES
				? (uint32_t)blob_le_get(p + 12, 4)
				: idset_seconds((int64_t)blob_le_get(p + 16, 8));
			if (ts_s >= from_s && ts_s < before_s)
				store_ids_push(out, blob_le_get(p, 8), (uint32_t)blob_le_get(p + 8, 4),
				               ts_s);
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Runs a statement of one or two integer parameters to its end; 0 or -1. */
static int store_ids_exec(struct store *store, const char *sql, int64_t a, int nparams, int64_t b)
{
	sqlite3_stmt *stmt = store_statement(store, sql);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, a);
	if (nparams > 1)
		sqlite3_bind_int64(stmt, 2, b);
	return store_ids_step(stmt);
}

static int store_ids_counter(struct store *store, const char *name, int64_t value)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_ids_counter);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, value);
	return store_ids_step(stmt);
}

/*
 * Moves the ids of events before before_ms (a whole second) from the
 * window's rows to old_ids: the rows are listed first, then read, moved
 * and deleted (all moved) or marked (moved up to before_ms) one by one,
 * so that no statement changes the table another is walking.
 */
static int store_ids_move(struct store *store, int64_t before_ms)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_move_rows);
	struct { int64_t id, max_ts, moved; } *rows = NULL;
	size_t nrows = 0, cap = 0;
	struct store_ids ids = { 0 };
	uint32_t before_s = idset_seconds(before_ms);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, before_ms);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (nrows == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[nrows].id = sqlite3_column_int64(stmt, 0);
		rows[nrows].max_ts = sqlite3_column_int64(stmt, 1);
		rows[nrows++].moved = sqlite3_column_int64(stmt, 2);
	}
	sqlite3_reset(stmt);
	rc = rc == SQLITE_DONE ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nrows; i++) {
		ids.count = 0;
		if (store_ids_row(store, rows[i].id, idset_seconds(rows[i].moved), before_s, &ids) < 0 ||
		    store_ids_insert(store, ids.items, ids.count) < 0)
			rc = -1;
		else if (rows[i].max_ts < before_ms)
			rc = store_ids_exec(store, store_sql_move_delete, rows[i].id, 1, 0) < 0 ||
			     store_ids_exec(store, store_sql_move_unmark, rows[i].id, 1, 0) < 0 ? -1 : 0;
		else
			rc = store_ids_exec(store, store_sql_move_mark, rows[i].id, 2, before_ms);
	}
	free(ids.items);
	free(rows);
	return rc;
}

int store_ids_commit(struct store *store, struct idset_slot *old, size_t nold,
                     int64_t move_before_ms, int64_t keep_from_ms, const char **step)
{
	*step = "insert old ids";
	if (store_ids_insert(store, old, nold) < 0)
		return -1;
	if (move_before_ms > 0) {
		*step = "move seen ids out of the window";
		if (store_ids_move(store, move_before_ms) < 0 ||
		    store_ids_counter(store, "ids_floor_ms", move_before_ms) < 0)
			return -1;
	}
	if (keep_from_ms > 0) {
		*step = "prune kept ids";
		if (store_ids_exec(store, store_sql_old_prune, idset_seconds(keep_from_ms), 1, 0) < 0 ||
		    store_ids_counter(store, "ids_kept_from_ms", keep_from_ms) < 0)
			return -1;
	}
	return 0;
}

int store_old_id_seen(struct store *store, struct hash128 key)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_old_seen);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "looking up a kept id");
	/*
	 * The key's low 64 bits alone: an old event is taken for another's
	 * duplicate with a chance of n / 2^64 for n kept ids (5e-11 at a
	 * billion), and a row is 8 bytes of key instead of 12 and found by
	 * its rowid.
	 */
	sqlite3_bind_int64(stmt, 1, (int64_t)key.lo);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "looking up a kept id");
}

int store_read_begin(struct store *store)
{
	if (store->reading)
		return 0;
	if (sqlite3_exec(store->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_query_failed(store, "beginning a read");
	store->reading = 1;
	return 0;
}

void store_read_end(struct store *store)
{
	if (!store->reading)
		return;
	store->reading = 0;
	if (sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		store_query_failed(store, "ending a read");
}

int64_t store_old_id_count(struct store *store)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_old_count);
	int64_t n = -1;

	if (stmt == NULL)
		return store_query_failed(store, "counting kept ids");
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}
