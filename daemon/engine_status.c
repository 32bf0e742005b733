/*
 * engine_status.c - the engine's live figures for the control socket's
 * "status" command: the same keys as `warmthctl --db status --json`
 * (INTERFACE.md), taken from memory instead of the database, plus what
 * only the running daemon knows (the lag of each input in bytes).
 *
 * Counters in memory run ahead of the database by at most the batch being
 * built and the one committing; that is the point of asking the daemon.
 */
#include <sys/stat.h>

#include "warmth/json.h"
#include "engine.h"
#include "engine_internal.h"

static void engine_status_input(void *ctx, const char *path, uint64_t offset, uint64_t size)
{
	struct json *j = ctx;

	json_object_open(j);
	json_kv_str(j, "path", path);
	json_kv_int(j, "offset", (int64_t)offset);
	json_kv_int(j, "size", (int64_t)size);
	json_kv_int(j, "lag", size > offset ? (int64_t)(size - offset) : 0);
	json_object_close(j);
}

/* The database file and its WAL, by stat(): the store handle belongs to the commit thread. */
static int64_t engine_status_db_bytes(const char *path)
{
	struct buf wal = { 0 };
	struct stat st;
	int64_t total = 0;

	if (stat(path, &st) == 0)
		total += (int64_t)st.st_size;
	buf_printf(&wal, "%s-wal", path);
	if (stat(buf_cstr(&wal), &st) == 0)
		total += (int64_t)st.st_size;
	buf_free(&wal);
	return total;
}

void engine_status_fields(struct engine *e, struct json *j)
{
	const struct store_counters *c = &e->counters;

	json_kv_int(j, "events_accepted", (int64_t)c->accepted);
	json_kv_int(j, "events_rejected", (int64_t)c->rejected);
	json_kv_int(j, "events_duplicate", (int64_t)c->duplicate);
	json_kv_int(j, "contacts", e->ncontacts);
	json_key(j, "inputs");
	json_array_open(j);
	tail_foreach(e->tail, engine_status_input, j);
	json_array_close(j);
	json_key(j, "rejected_by_reason");
	json_object_open(j);
	for (int r = 1; r < REJECT_REASON_COUNT; r++)
		if (c->rejected_by_reason[r] > 0)
			json_kv_int(j, event_reject_name((enum event_reject)r),
			            (int64_t)c->rejected_by_reason[r]);
	json_object_close(j);
	json_key(j, "accepted_by_type");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (c->accepted_by_type[t] > 0)
			json_kv_int(j, event_type_name((enum event_type)t), (int64_t)c->accepted_by_type[t]);
	json_object_close(j);
	json_kv_str(j, "database", e->conf->database);
	json_kv_int(j, "database_bytes", engine_status_db_bytes(e->conf->database));
	json_kv_bool(j, "commit_failing", e->failing);
}
