/*
 * store_commit.c - writes a batch (store_batch.c) in one transaction (see
 * store.h).
 *
 * store_commit() writes a batch in one BEGIN IMMEDIATE transaction with
 * cached prepared statements, binding arena bytes with SQLITE_STATIC (the
 * batch does not change while it commits). Rows go in a fixed order:
 * accounts (contacts refer to their ids), contacts, files, file deletes,
 * seen ids, the old ids and the window's move (store_ids.c), rejects,
 * counters, outbox rows, the days of the network series. Contacts are
 * written in key order, and of two copies of one contact the one added
 * later is written later and wins. On failure everything is rolled back
 * and the batch is left as it was, ready to be committed again.
 *
 * The commit touches only the store handle, the batch and its err buffer:
 * nothing the main thread uses while a commit is in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "warmth/idset.h"
#include "warmth/store.h"
#include "blob.h"
#include "store_internal.h"
#include "store_batch_internal.h"

static const char store_sql_account[] =
	"INSERT INTO accounts(id, name, followers, connections, snapshot_ms, budget, ratio) "
	"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
	"followers = excluded.followers, connections = excluded.connections, "
	"snapshot_ms = excluded.snapshot_ms, budget = excluded.budget, "
	"ratio = coalesce(excluded.ratio, ratio)";
static const char store_sql_contact[] =
	"INSERT INTO contacts(account, actor, name, headline, actor_connections, actor_followers, "
	"creator, hints_ms, first_seen_ms, last_seen_ms, follower_ms, follower_on, target_ms, "
	"target_on, connected_ms, connected_on, pending_ms, pending_on, withdrawn_ms, declined_ms, "
	"followed_ms, counts, tags, recent, score, rules) "
	"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
	"?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26) "
	"ON CONFLICT(account, actor) DO UPDATE SET name = excluded.name, "
	"headline = excluded.headline, actor_connections = excluded.actor_connections, "
	"actor_followers = excluded.actor_followers, creator = excluded.creator, "
	"hints_ms = excluded.hints_ms, first_seen_ms = excluded.first_seen_ms, "
	"last_seen_ms = excluded.last_seen_ms, follower_ms = excluded.follower_ms, "
	"follower_on = excluded.follower_on, target_ms = excluded.target_ms, "
	"target_on = excluded.target_on, connected_ms = excluded.connected_ms, "
	"connected_on = excluded.connected_on, pending_ms = excluded.pending_ms, "
	"pending_on = excluded.pending_on, withdrawn_ms = excluded.withdrawn_ms, "
	"declined_ms = excluded.declined_ms, followed_ms = excluded.followed_ms, "
	"counts = excluded.counts, tags = excluded.tags, recent = excluded.recent, "
	"score = excluded.score, rules = excluded.rules";
/* A row whose rowid the contact knows: no index lookup. The key is
   checked too, so that a rowid gone stale (a VACUUM renumbers rows) writes
   nothing and the upsert above runs instead. */
static const char store_sql_contact_update[] =
	"UPDATE contacts SET name = ?3, headline = ?4, actor_connections = ?5, "
	"actor_followers = ?6, creator = ?7, hints_ms = ?8, first_seen_ms = ?9, "
	"last_seen_ms = ?10, follower_ms = ?11, follower_on = ?12, target_ms = ?13, "
	"target_on = ?14, connected_ms = ?15, connected_on = ?16, pending_ms = ?17, "
	"pending_on = ?18, withdrawn_ms = ?19, declined_ms = ?20, followed_ms = ?21, "
	"counts = ?22, tags = ?23, recent = ?24, score = ?25, rules = ?26 "
	"WHERE rowid = ?27 AND account = ?1 AND actor = ?2";
static const char store_sql_contact_rowid[] =
	"SELECT rowid FROM contacts WHERE account = ?1 AND actor = ?2";
static const char store_sql_file[] =
	"INSERT INTO files(id, path, dev, ino, offset, head_len, head_hash, tail_len, tail_hash, "
	"updated_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	"ON CONFLICT(id) DO UPDATE SET path = excluded.path, dev = excluded.dev, "
	"ino = excluded.ino, offset = excluded.offset, head_len = excluded.head_len, "
	"head_hash = excluded.head_hash, tail_len = excluded.tail_len, "
	"tail_hash = excluded.tail_hash, updated_ms = excluded.updated_ms";
static const char store_sql_file_delete[] = "DELETE FROM files WHERE id = ?1";
static const char store_sql_seen[] =
	"INSERT INTO seen_ids(min_ts, max_ts, keys, width) VALUES(?1, ?2, ?3, ?4)";
static const char store_sql_reject[] =
	"INSERT INTO rejects(file, offset, reason, detail, line, wall_ms) "
	"VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
/* OR IGNORE: an id already there is the same notification (see store.h). */
static const char store_sql_outbox[] =
	"INSERT OR IGNORE INTO outbox(id, kind, account, actor, created_ms, record, note) "
	"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char store_sql_network_day[] =
	"INSERT INTO network_days(account, day, followers, connections, invitations_sent, accepted, "
	"declined, new_followers, conversions) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	"ON CONFLICT(account, day) DO UPDATE SET followers = excluded.followers, "
	"connections = excluded.connections, invitations_sent = excluded.invitations_sent, "
	"accepted = excluded.accepted, declined = excluded.declined, "
	"new_followers = excluded.new_followers, conversions = excluded.conversions";
static const char store_sql_counter[] =
	"INSERT INTO counters(name, value) VALUES(?1, ?2) "
	"ON CONFLICT(name) DO UPDATE SET value = excluded.value";

/* The state of one commit: where it is, for the error message. */
struct store_commit {
	struct store *store;
	struct store_batch *batch;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	const char *step;
	int bind_rc; /* the first failed bind of the current row (too big, no memory) */
};

/* Fetches the cached statement for sql, naming step for a failure. */
static int store_commit_prepare(struct store_commit *cm, const char *sql, const char *step)
{
	cm->step = step;
	cm->stmt = store_statement(cm->store, sql);
	return cm->stmt != NULL ? 0 : -1;
}

/* Binds a span as text or blob, or NULL; SQLITE_STATIC since the arena
   does not move while the batch commits. */
static int store_bind_span(struct store_commit *cm, int col, struct store_span span, int blob)
{
	const char *p = cm->batch->arena.data + span.off;
	int rc;

	if (span.len == STORE_SPAN_NULL)
		rc = sqlite3_bind_null(cm->stmt, col);
	else if (blob)
		rc = sqlite3_bind_blob64(cm->stmt, col, p, span.len, SQLITE_STATIC);
	else
		rc = sqlite3_bind_text64(cm->stmt, col, p, span.len, SQLITE_STATIC, SQLITE_UTF8);
	if (rc != SQLITE_OK && cm->bind_rc == SQLITE_OK)
		cm->bind_rc = rc;
	return rc;
}

/*
 * Runs the bound statement to completion and resets it for the next row.
 * A failed bind fails the row: its parameter would otherwise keep the
 * previous row's value, since a reset does not clear bindings.
 */
static int store_commit_step(struct store_commit *cm)
{
	int rc;

	if (cm->bind_rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(cm->stmt);
	sqlite3_reset(cm->stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The store_commit_* steps write one kind of row each, inside the
 * transaction. Each returns 0, or -1 with cm->step naming what failed and
 * the reason in sqlite3_errmsg(); the caller rolls back.
 */
static int store_commit_accounts(struct store_commit *cm)
{
	const struct store_batch_account *rows = cm->batch->accounts.items;

	if (cm->batch->accounts.count == 0)
		return 0;
	if (store_commit_prepare(cm, store_sql_account, "upsert account") < 0)
		return -1;
	for (size_t i = 0; i < cm->batch->accounts.count; i++) {
		const struct store_batch_account *a = &rows[i];
		sqlite3_bind_int64(cm->stmt, 1, a->id);
		store_bind_span(cm, 2, a->name, 0);
		sqlite3_bind_int64(cm->stmt, 3, a->followers);
		sqlite3_bind_int64(cm->stmt, 4, a->connections);
		sqlite3_bind_int64(cm->stmt, 5, a->snapshot_ms);
		store_bind_span(cm, 6, a->budget, 1);
		store_bind_span(cm, 7, a->ratio, 1);
		if (store_commit_step(cm) < 0)
			return -1;
	}
	return 0;
}

/* Orders contact row numbers by (account, actor), then by row number, so
   that of two copies of one contact the later is written last and wins. */
static int store_contact_order(const void *a, const void *b, void *arg)
{
	const struct store_batch *batch = arg;
	const struct store_batch_contact *rows = batch->contacts.items;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	const struct store_batch_contact *ca = &rows[ia], *cb = &rows[ib];
	size_t n;
	int cmp;

	if (ca->account != cb->account)
		return ca->account < cb->account ? -1 : 1;
	n = ca->actor.len < cb->actor.len ? ca->actor.len : cb->actor.len;
	cmp = memcmp(batch->arena.data + ca->actor.off, batch->arena.data + cb->actor.off, n);
	if (cmp == 0 && ca->actor.len != cb->actor.len)
		cmp = ca->actor.len < cb->actor.len ? -1 : 1;
	if (cmp == 0)
		cmp = ia < ib ? -1 : ia > ib;
	return cmp;
}

/* Binds a contact row's columns 1-26 (the upsert's and the update's). */
static void store_bind_contact(struct store_commit *cm, const struct store_batch_contact *c)
{
	sqlite3_stmt *stmt = cm->stmt;

	sqlite3_bind_int64(stmt, 1, c->account);
	store_bind_span(cm, 2, c->actor, 0);
	store_bind_span(cm, 3, c->name, 0);
	store_bind_span(cm, 4, c->headline, 0);
	sqlite3_bind_int64(stmt, 5, c->actor_connections);
	sqlite3_bind_int64(stmt, 6, c->actor_followers);
	sqlite3_bind_int(stmt, 7, c->creator);
	sqlite3_bind_int64(stmt, 8, c->hints_ms);
	sqlite3_bind_int64(stmt, 9, c->first_seen_ms);
	sqlite3_bind_int64(stmt, 10, c->last_seen_ms);
	sqlite3_bind_int64(stmt, 11, c->rel.follower.ts_ms);
	sqlite3_bind_int(stmt, 12, c->rel.follower.on);
	sqlite3_bind_int64(stmt, 13, c->rel.target.ts_ms);
	sqlite3_bind_int(stmt, 14, c->rel.target.on);
	sqlite3_bind_int64(stmt, 15, c->rel.connected.ts_ms);
	sqlite3_bind_int(stmt, 16, c->rel.connected.on);
	sqlite3_bind_int64(stmt, 17, c->rel.pending.ts_ms);
	sqlite3_bind_int(stmt, 18, c->rel.pending.on);
	sqlite3_bind_int64(stmt, 19, c->rel.withdrawn_ms);
	sqlite3_bind_int64(stmt, 20, c->rel.declined_ms);
	sqlite3_bind_int64(stmt, 21, c->rel.followed_ms);
	store_bind_span(cm, 22, c->counts, 1);
	store_bind_span(cm, 23, c->tags, 1);
	store_bind_span(cm, 24, c->recent, 1);
	store_bind_span(cm, 25, c->score, 1);
	store_bind_span(cm, 26, c->rules, 1);
}

/* The rowid of c's row, which its stale one was not (rare: after a VACUUM). */
static int store_commit_rowid_of(struct store_commit *cm, const struct store_batch_contact *c,
                                 int64_t *rowid)
{
	sqlite3_stmt *stmt = store_statement(cm->store, store_sql_contact_rowid);
	int rc;

	cm->step = "find contact";
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, c->account);
	sqlite3_bind_text64(stmt, 2, cm->batch->arena.data + c->actor.off, c->actor.len,
	                    SQLITE_STATIC, SQLITE_UTF8);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*rowid = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Writes contact row i: by its rowid when the contact knew it (no lookup
 * in the key's index, no conflict), else, or when that row is not the
 * contact's, by the upsert; the rowid of a row it inserts is kept for the
 * engine (RETURNING would tell an updated row's too, but doubled the
 * upsert's cost).
 */
static int store_commit_contact(struct store_commit *cm, sqlite3_stmt *update,
                                sqlite3_stmt *upsert, size_t i)
{
	const struct store_batch_contact *c = &((const struct store_batch_contact *)
	                                                cm->batch->contacts.items)[i];

	if (c->rowid > 0) {
		cm->step = "update contact";
		cm->stmt = update;
		store_bind_contact(cm, c);
		sqlite3_bind_int64(update, 27, c->rowid);
		if (store_commit_step(cm) < 0)
			return -1;
		if (sqlite3_changes(cm->db) == 1)
			return 0;
	}
	cm->step = "insert contact";
	cm->stmt = upsert;
	store_bind_contact(cm, c);
	/* A new row sets the last insert rowid; an upsert that updated leaves
	   it at 0 (then a stale rowid is looked up, for the engine to mend). */
	sqlite3_set_last_insert_rowid(cm->db, 0);
	if (store_commit_step(cm) < 0)
		return -1;
	int64_t rowid = sqlite3_last_insert_rowid(cm->db);
	if (rowid == 0 && c->rowid > 0 && store_commit_rowid_of(cm, c, &rowid) < 0)
		return -1;
	if (rowid != 0 && rowid != c->rowid) {
		struct store_batch_rowid *r = store_rows_add(&cm->batch->rowids, sizeof(*r));
		r->row = i;
		r->rowid = rowid;
	}
	return 0;
}

/*
 * Contacts are written in (account, actor) order, the order of the
 * contacts_key index (SQLite's BINARY collation: memcmp, then length). The
 * engine hands them over in hash order, and random keys visit the index's
 * pages at random, while sorted ones walk it once. The order lives in
 * scratch memory, so the batch itself does not change.
 */
static int store_commit_contacts(struct store_commit *cm)
{
	struct store_batch *batch = cm->batch;
	size_t count = batch->contacts.count;
	sqlite3_stmt *update, *upsert;

	if (count == 0)
		return 0;
	if (store_commit_prepare(cm, store_sql_contact_update, "update contact") < 0)
		return -1;
	update = cm->stmt;
	if (store_commit_prepare(cm, store_sql_contact, "insert contact") < 0)
		return -1;
	upsert = cm->stmt;
	cm->batch->rowids.count = 0; /* a commit retried after a failure starts over */
	if (batch->order_cap < count) {
		batch->order_cap = batch->contacts.cap;
		batch->order = xrealloc(batch->order, batch->order_cap * sizeof(*batch->order));
	}
	for (size_t i = 0; i < count; i++)
		batch->order[i] = (uint32_t)i;
	qsort_r(batch->order, count, sizeof(*batch->order), store_contact_order, batch);
	for (size_t i = 0; i < count; i++)
		if (store_commit_contact(cm, update, upsert, batch->order[i]) < 0)
			return -1;
	return 0;
}

static int store_commit_files(struct store_commit *cm)
{
	const struct store_batch_file *rows = cm->batch->files.items;
	const int64_t *deletes = cm->batch->file_deletes.items;

	if (cm->batch->files.count > 0) {
		if (store_commit_prepare(cm, store_sql_file, "upsert file") < 0)
			return -1;
		for (size_t i = 0; i < cm->batch->files.count; i++) {
			const struct store_file *f = &rows[i].f;
			sqlite3_bind_int64(cm->stmt, 1, f->id);
			store_bind_span(cm, 2, rows[i].path, 0);
			sqlite3_bind_int64(cm->stmt, 3, (int64_t)f->dev);
			sqlite3_bind_int64(cm->stmt, 4, (int64_t)f->ino);
			sqlite3_bind_int64(cm->stmt, 5, (int64_t)f->offset);
			sqlite3_bind_int64(cm->stmt, 6, f->head_len);
			sqlite3_bind_int64(cm->stmt, 7, (int64_t)f->head_hash);
			sqlite3_bind_int64(cm->stmt, 8, f->tail_len);
			sqlite3_bind_int64(cm->stmt, 9, (int64_t)f->tail_hash);
			sqlite3_bind_int64(cm->stmt, 10, f->updated_ms);
			if (store_commit_step(cm) < 0)
				return -1;
		}
	}
	if (cm->batch->file_deletes.count > 0) {
		if (store_commit_prepare(cm, store_sql_file_delete, "delete file") < 0)
			return -1;
		for (size_t i = 0; i < cm->batch->file_deletes.count; i++) {
			sqlite3_bind_int64(cm->stmt, 1, deletes[i]);
			if (store_commit_step(cm) < 0)
				return -1;
		}
	}
	return 0;
}

/* All ids of the batch go into one row: see the seen_ids note in store.c. */
static int store_commit_seen(struct store_commit *cm)
{
	struct store_batch *b = cm->batch;

	if (b->seen.count > 0) {
		if (store_commit_prepare(cm, store_sql_seen, "insert seen ids") < 0)
			return -1;
		sqlite3_bind_int64(cm->stmt, 1, b->seen_min_ts);
		sqlite3_bind_int64(cm->stmt, 2, b->seen_max_ts);
		/* Not copied (4M ids are a 64 MB blob): the step is done with it
		   before the batch is reset, and the next use binds anew. */
		sqlite3_bind_blob64(cm->stmt, 3, b->seen.items, b->seen.count * STORE_SEEN_BYTES,
		                    SQLITE_STATIC);
		sqlite3_bind_int(cm->stmt, 4, STORE_SEEN_BYTES);
		if (store_commit_step(cm) < 0)
			return -1;
	}
	/* The window's floor and the kept ids: store_ids.c. */
	return store_ids_commit(cm->store, b->old.items, b->old.count,
	                        b->has_prune ? b->prune_before_ms : 0, b->ids_prune_before_ms,
	                        &cm->step);
}

static int store_commit_rejects(struct store_commit *cm)
{
	const struct store_batch_reject *rows = cm->batch->rejects.items;

	if (cm->batch->rejects.count == 0)
		return 0;
	if (store_commit_prepare(cm, store_sql_reject, "insert reject") < 0)
		return -1;
	for (size_t i = 0; i < cm->batch->rejects.count; i++) {
		const struct store_batch_reject *r = &rows[i];
		const char *reason = event_reject_name(r->reason);
		store_bind_span(cm, 1, r->file, 0);
		sqlite3_bind_int64(cm->stmt, 2, (int64_t)r->offset);
		sqlite3_bind_text(cm->stmt, 3, reason ? reason : "unknown", -1, SQLITE_STATIC);
		store_bind_span(cm, 4, r->detail, 0);
		store_bind_span(cm, 5, r->line, 1);
		sqlite3_bind_int64(cm->stmt, 6, r->wall_ms);
		if (store_commit_step(cm) < 0)
			return -1;
	}
	return 0;
}

/* Upserts one counter row; name is copied by SQLite (SQLITE_TRANSIENT). */
static int store_commit_counter(struct store_commit *cm, const char *name, uint64_t value)
{
	sqlite3_bind_text(cm->stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(cm->stmt, 2, (int64_t)value);
	return store_commit_step(cm);
}

/* The names here are the ones store_load_counters() reads back. */
static int store_commit_counters(struct store_commit *cm)
{
	const struct store_counters *c = &cm->batch->counters;
	char name[64];

	if (!cm->batch->has_counters)
		return 0;
	if (store_commit_prepare(cm, store_sql_counter, "update counters") < 0)
		return -1;
	if (store_commit_counter(cm, "events_accepted", c->accepted) < 0 ||
	    store_commit_counter(cm, "events_rejected", c->rejected) < 0 ||
	    store_commit_counter(cm, "events_duplicate", c->duplicate) < 0 ||
	    store_commit_counter(cm, "newest_event_ms", (uint64_t)c->newest_ms) < 0 ||
	    (c->time_source != 0 && store_commit_counter(cm, "time_source", (uint64_t)c->time_source) < 0))
		return -1;
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		snprintf(name, sizeof(name), "accepted.%s", event_type_name((enum event_type)t));
		if (store_commit_counter(cm, name, c->accepted_by_type[t]) < 0)
			return -1;
	}
	/* REJECT_NONE is not a reason anything was rejected for. */
	for (int r = REJECT_NONE + 1; r < REJECT_REASON_COUNT; r++) {
		snprintf(name, sizeof(name), "rejected.%s", event_reject_name((enum event_reject)r));
		if (store_commit_counter(cm, name, c->rejected_by_reason[r]) < 0)
			return -1;
	}
	return 0;
}

static int store_commit_outbox(struct store_commit *cm)
{
	const struct store_batch_outbox *rows = cm->batch->outbox.items;

	if (cm->batch->outbox.count == 0)
		return 0;
	if (store_commit_prepare(cm, store_sql_outbox, "insert outbox row") < 0)
		return -1;
	for (size_t i = 0; i < cm->batch->outbox.count; i++) {
		const struct store_batch_outbox *o = &rows[i];
		store_bind_span(cm, 1, o->id, 0);
		store_bind_span(cm, 2, o->kind, 0);
		store_bind_span(cm, 3, o->account, 0);
		store_bind_span(cm, 4, o->actor, 0);
		sqlite3_bind_int64(cm->stmt, 5, o->created_ms);
		store_bind_span(cm, 6, o->record, 0);
		store_bind_span(cm, 7, o->note, 0);
		if (store_commit_step(cm) < 0)
			return -1;
	}
	return 0;
}

static int store_commit_days(struct store_commit *cm)
{
	const struct store_batch_day *rows = cm->batch->days.items;

	if (cm->batch->days.count == 0)
		return 0;
	if (store_commit_prepare(cm, store_sql_network_day, "upsert network day") < 0)
		return -1;
	for (size_t i = 0; i < cm->batch->days.count; i++) {
		const struct ratio_series_day *d = &rows[i].d;
		sqlite3_bind_int64(cm->stmt, 1, rows[i].account);
		sqlite3_bind_int64(cm->stmt, 2, d->day);
		sqlite3_bind_int64(cm->stmt, 3, d->followers);
		sqlite3_bind_int64(cm->stmt, 4, d->connections);
		sqlite3_bind_int64(cm->stmt, 5, d->invitations_sent);
		sqlite3_bind_int64(cm->stmt, 6, d->accepted);
		sqlite3_bind_int64(cm->stmt, 7, d->declined);
		sqlite3_bind_int64(cm->stmt, 8, d->new_followers);
		sqlite3_bind_int64(cm->stmt, 9, d->conversions);
		if (store_commit_step(cm) < 0)
			return -1;
	}
	return 0;
}

int store_commit(struct store *store, struct store_batch *batch, char *err, size_t errlen)
{
	struct store_commit cm = { store, batch, store_db(store), NULL, "begin transaction",
		                   SQLITE_OK };

	/* IMMEDIATE takes the write lock now (waiting up to the busy timeout),
	   so the transaction cannot fail later for want of it. */
	if (sqlite3_exec(cm.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (store_commit_accounts(&cm) < 0 || store_commit_contacts(&cm) < 0 ||
	    store_commit_files(&cm) < 0 || store_commit_seen(&cm) < 0 ||
	    store_commit_rejects(&cm) < 0 || store_commit_counters(&cm) < 0 ||
	    store_commit_outbox(&cm) < 0 || store_commit_days(&cm) < 0)
		goto fail;
	cm.step = "end transaction";
	if (sqlite3_exec(cm.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "commit: %s: %s", cm.step, sqlite3_errmsg(cm.db));
	/* Some errors (disk full, I/O) roll back by themselves; a ROLLBACK
	   outside a transaction would only replace the message. */
	if (!sqlite3_get_autocommit(cm.db))
		sqlite3_exec(cm.db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
