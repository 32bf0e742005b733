/*
 * store.c - the SQLite state database: the schema and its forward
 * migrations, the statement cache, loading at start-up and the queries that
 * warmthctl and the control socket make (see store.h). Opening, with its
 * checks and messages, is store_open.c; batches live in store_batch.c and
 * their commit in store_commit.c, the dead-letter file in
 * store_dead_letter.c; they share
 * one struct store through store_db() and store_statement().
 *
 * The database runs in WAL mode so that a reader (warmthctl --db) sees the
 * last committed state while the daemon writes, and a busy timeout makes a
 * writer or reader that meets a lock wait instead of failing. The schema
 * version is PRAGMA user_version; migration i (1-based) takes version i - 1
 * to i, and all pending migrations run in one transaction, so a database is
 * always at one version or the previous one, never in between.
 *
 * Numbers that are uint64_t in C (hashes, inode numbers, counters) are
 * stored as their int64_t bit pattern: SQLite integers are signed 64-bit,
 * and a cast both ways gives back the same bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "warmth/idset.h"
#include "warmth/log.h"
#include "warmth/store.h"
#include "blob.h"
#include "store_internal.h"

/*
 * The migrations, in order: entry i takes user_version i to i + 1. Never
 * edit a shipped entry (databases in the field already ran it); append a new
 * one and raise STORE_SCHEMA_VERSION.
 *
 * The layouts are chosen for batches of ~100k rows whose keys are random
 * (actor ids, event id hashes), measured rather than guessed:
 * - contacts is a rowid table with a unique index on (account, actor), not
 *   a WITHOUT ROWID table clustered on that key. New contacts then append
 *   to the table's last pages and only the small index takes random
 *   inserts; clustered, every batch rewrote most pages of the table (the
 *   commit of 100k new contacts slowed from 0.6 s to over 1 s as the table
 *   grew to 400k, and the file was 40% larger). Rows with evidence are
 *   also too long for a clustered b-tree's inline limit (~1 KiB).
 * - seen_ids holds one row per committed batch: a blob of its ids (k1 as a
 *   little-endian 64-bit integer, 32 bits of k2 and the event time in
 *   seconds as 32-bit ones: 16 bytes each, the row's width; 24 in rows of
 *   schema 4 and before, with all of k2 and the time in milliseconds) with
 *   the range of their event times in milliseconds. One row per batch
 *   instead of one per id made the commit of 2M ids take one insert per
 *   batch instead of most of the commit time (docs/performance.md). As
 *   the window moves on, a row's ids older than its floor move to old_ids
 *   (below), and the row is deleted once all have; loading filters ids by
 *   time. Uniqueness is the engine's business (it checks in memory, or in
 *   old_ids for an old event, before an id is added to a batch).
 * - old_ids holds the ids of events before the window, one row each
 *   keyed by the key's low 64 bits (its rowid) with the event time in
 *   seconds, for the lookups of events that arrive that old
 *   (store_ids.c): the window's rows move there as the window moves on,
 *   and ids that arrive older than the window go there directly.
 * - rejects uses AUTOINCREMENT so that a seq is never reused after the
 *   dead-letter flush empties the table: the file's last seq must keep
 *   meaning "everything up to here was written".
 */
static const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE counters("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE accounts("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  followers INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL,"
	"  snapshot_ms INTEGER NOT NULL"
	");"
	"CREATE TABLE contacts("
	"  account INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  name TEXT,"
	"  headline TEXT,"
	"  actor_connections INTEGER NOT NULL,"
	"  actor_followers INTEGER NOT NULL,"
	"  creator INTEGER NOT NULL,"
	"  hints_ms INTEGER NOT NULL,"
	"  first_seen_ms INTEGER NOT NULL,"
	"  last_seen_ms INTEGER NOT NULL,"
	"  follower_ms INTEGER NOT NULL, follower_on INTEGER NOT NULL,"
	"  target_ms INTEGER NOT NULL, target_on INTEGER NOT NULL,"
	"  connected_ms INTEGER NOT NULL, connected_on INTEGER NOT NULL,"
	"  pending_ms INTEGER NOT NULL, pending_on INTEGER NOT NULL,"
	"  withdrawn_ms INTEGER NOT NULL,"
	"  declined_ms INTEGER NOT NULL,"
	"  followed_ms INTEGER NOT NULL,"
	"  counts BLOB NOT NULL,"
	"  tags BLOB,"
	"  recent BLOB"
	");"
	"CREATE UNIQUE INDEX contacts_key ON contacts(account, actor);"
	"CREATE TABLE files("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  dev INTEGER NOT NULL,"
	"  ino INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  head_len INTEGER NOT NULL,"
	"  head_hash INTEGER NOT NULL,"
	"  tail_len INTEGER NOT NULL,"
	"  tail_hash INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL"
	");"
	"CREATE TABLE seen_ids("
	"  id INTEGER PRIMARY KEY,"
	"  min_ts INTEGER NOT NULL,"
	"  max_ts INTEGER NOT NULL,"
	"  keys BLOB NOT NULL"
	");"
	"CREATE TABLE rejects("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  file TEXT NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  detail TEXT,"
	"  line BLOB NOT NULL,"
	"  wall_ms INTEGER NOT NULL"
	");",
	/*
	 * 1 -> 2: scoring and readiness. A contact's score (score_encode) and
	 * rules state (rules_state_encode) and an account's invitation budget
	 * (rules_budget_encode) are blobs, NULL while empty. The outbox holds
	 * notifications, each written in the transaction that decided it; seq
	 * orders delivery, id (the idempotency key) makes a re-insert a no-op.
	 */
	"ALTER TABLE contacts ADD COLUMN score BLOB;"
	"ALTER TABLE contacts ADD COLUMN rules BLOB;"
	"ALTER TABLE accounts ADD COLUMN budget BLOB;"
	"CREATE TABLE outbox("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  actor TEXT,"
	"  created_ms INTEGER NOT NULL,"
	"  record TEXT NOT NULL"
	");",
	/*
	 * 2 -> 3: delivery. Each row's note beside its record, the state of
	 * each (row, sink) pair once a sink has tried it, keyed by the sink's
	 * name, and where each sink started (a sink added later does not
	 * receive the history). A row and a sink with no deliveries entry are
	 * pending. IF NOT EXISTS: a database rolled back by hand to an older
	 * user_version (tests do) may still hold these tables.
	 */
	"ALTER TABLE outbox ADD COLUMN note TEXT;"
	"CREATE TABLE IF NOT EXISTS deliveries("
	"  seq INTEGER NOT NULL,"
	"  sink TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  first_ms INTEGER NOT NULL,"
	"  next_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  PRIMARY KEY(seq, sink)"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS sinks("
	"  name TEXT PRIMARY KEY,"
	"  since_seq INTEGER NOT NULL"
	");",
	/*
	 * 3 -> 4: network metrics. An account's counters of invitation
	 * outcomes, follows, conversions and engagement by origin, and when
	 * it was last told about its ratio and cap (ratio_encode), NULL while
	 * empty: kept in the daemon since the events are not.
	 */
	"ALTER TABLE accounts ADD COLUMN ratio BLOB;",
	/*
	 * 4 -> 5: seen ids in 16 bytes instead of 24 (STORE_SEEN_BYTES): a
	 * row says its width, so that the rows written before load as they are.
	 */
	"ALTER TABLE seen_ids ADD COLUMN width INTEGER NOT NULL DEFAULT 24;",
	/*
	 * 5 -> 6: ids kept beyond the window (store_ids.c). old_ids holds the
	 * ids of events before the window's floor, keyed for lookups;
	 * seen_moved says up to which event time a seen_ids row's ids are
	 * there already (a table of its own: an UPDATE of seen_ids rewrites
	 * the row's whole blob). A database of schema 5 has neither: its
	 * window's rows move as the window moves on.
	 */
	"CREATE TABLE IF NOT EXISTS seen_moved("
	"  id INTEGER PRIMARY KEY,"
	"  moved INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS old_ids("
	"  k1 INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL"
	");",
	/*
	 * 6 -> 7: the daily network series (ratio_series_day): one row per
	 * account and day of the user's time zone, rewritten by each commit
	 * that changes the account that day. Clustered on its key: rows come
	 * in day order, so they append. IF NOT EXISTS as for deliveries.
	 */
	"CREATE TABLE IF NOT EXISTS network_days("
	"  account INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  followers INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL,"
	"  invitations_sent INTEGER NOT NULL,"
	"  accepted INTEGER NOT NULL,"
	"  declined INTEGER NOT NULL,"
	"  new_followers INTEGER NOT NULL,"
	"  conversions INTEGER NOT NULL,"
	"  PRIMARY KEY(account, day)"
	") WITHOUT ROWID;",
};

_Static_assert(ARRAY_SIZE(store_migrations) == STORE_SCHEMA_VERSION,
               "one migration per schema version");

static const char store_sql_contacts_all[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts";
static const char store_sql_contacts_ordered[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts ORDER BY account, actor";
static const char store_sql_contacts_of_account[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE account = ?1 ORDER BY actor";
static const char store_sql_contacts_count[] = "SELECT count(*) FROM contacts";
static const char store_sql_newest_event[] = "SELECT coalesce(max(last_seen_ms), 0) FROM contacts WHERE last_seen_ms <= ?1";
static const char store_sql_accounts[] =
	"SELECT id, name, followers, connections, snapshot_ms, budget FROM accounts ORDER BY id";
static const char store_sql_account_ratio[] = "SELECT ratio FROM accounts WHERE id = ?1";
static const char store_sql_account_id[] = "SELECT id FROM accounts WHERE name = ?1";
static const char store_sql_account_name[] = "SELECT name FROM accounts WHERE id = ?1";
static const char store_sql_files[] =
	"SELECT id, path, dev, ino, offset, head_len, head_hash, tail_len, tail_hash, updated_ms "
	"FROM files ORDER BY id";
static const char store_sql_dedup[] = "SELECT keys, width FROM seen_ids WHERE max_ts >= ?1";
static const char store_sql_counters[] = "SELECT name, value FROM counters";
/* Runs a statement that returns one integer (a PRAGMA, a count) into *out. */
int store_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Brings the schema from its version to STORE_SCHEMA_VERSION in one
 * IMMEDIATE transaction. The version is read again inside the transaction:
 * another process may have migrated between our first look and the lock.
 */
int store_migrate(struct store *store, char *err, size_t errlen)
{
	int64_t version;
	char *msg = NULL;

	if (sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (store_query_int(store->db, "PRAGMA user_version", &version) < 0)
		goto fail;
	for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++) {
		char sql[64];
		if (sqlite3_exec(store->db, store_migrations[v], NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "%s: migrating to schema %lld: %s", store->path,
			         (long long)v + 1, msg ? msg : sqlite3_errmsg(store->db));
			sqlite3_free(msg);
			sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v + 1);
		if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		/* Step by step: the log says which migration ran (and which failed). */
		if (v == version && version == 0)
			log_info("%s: new database, schema %d", store->path, STORE_SCHEMA_VERSION);
		else if (version != 0)
			log_notice("%s: migrating schema %lld to %lld", store->path, (long long)v,
			           (long long)v + 1);
	}
	if (sqlite3_exec(store->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: setting up the schema: %s", store->path,
	         msg ? msg : sqlite3_errmsg(store->db));
	sqlite3_free(msg);
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* After each commit: how long the WAL is, for store_wal_pages(). */
static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	((struct store *)ctx)->wal_pages = pages;
	return SQLITE_OK;
}

int store_wal_pages(const struct store *store)
{
	return store->wal_pages;
}

int store_checkpoint(struct store *store, char *err, size_t errlen)
{
	int log_pages = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
	                                   &done);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		snprintf(err, errlen, "%s: checkpoint: %s", store->path, sqlite3_errmsg(store->db));
		return -1;
	}
	return 0;
}

/* Sets the pragmas of a read-write handle: WAL, durability, memory. */
int store_configure(struct store *store, int synchronous_full, char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	const unsigned char *mode = NULL;
	char *msg = NULL;
	int rc;

	/* journal_mode answers with the mode in effect, which is not WAL on
	   file systems that cannot share memory: refuse rather than run without it. */
	if (sqlite3_prepare_v2(store->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store->path, sqlite3_errmsg(store->db));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		mode = sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
		snprintf(err, errlen, "%s: cannot enable WAL mode: %s", store->path,
		         mode ? (const char *)mode : sqlite3_errmsg(store->db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	/* NORMAL in WAL mode loses at most the last commits on power loss,
	   never consistency; the log files replay them. FULL is for those who
	   prefer a slower commit to a replay. The cache is sized for upserts of
	   ~100k contacts per batch into a table of millions; journal_size_limit
	   keeps a big batch from leaving a big -wal file behind. The WAL is
	   checkpointed at 64 MiB instead of SQLite's 4 MiB while a backlog is
	   read (at 4 MiB once live, engine.c): a batch rewrites
	   tens of MiB of contact pages, and hot pages rewritten by several
	   batches then reach the database file once per checkpoint instead of
	   once per batch (docs/performance.md, "Ingest throughput"). The
	   engine checkpoints from a handle of its own on another thread when
	   the WAL reaches STORE_CHECKPOINT_PAGES (store.h), so that no commit
	   waits for one; SQLite's automatic checkpoint, inside a commit, is
	   only the backstop at four times that. */
	if (sqlite3_exec(store->db,
	                 synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
	                 NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(store->db, "PRAGMA cache_size = -131072", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(store->db, "PRAGMA wal_autocheckpoint = 65536", NULL, NULL, &msg) !=
	            SQLITE_OK ||
	    sqlite3_exec(store->db, "PRAGMA journal_size_limit = 67108864", NULL, NULL, &msg) !=
	            SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store->path, msg ? msg : sqlite3_errmsg(store->db));
		sqlite3_free(msg);
		return -1;
	}
	sqlite3_wal_hook(store->db, store_wal_hook, store);
	return 0;
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->nstatements; i++)
		sqlite3_finalize(store->statements[i].stmt);
	/* The last connection to close checkpoints the WAL into the main file
	   and removes it. close_v2 cannot fail for lack of finalisation. */
	if (store->db != NULL && sqlite3_close_v2(store->db) != SQLITE_OK)
		log_warnx("%s: close: %s", store->path, sqlite3_errmsg(store->db));
	free(store->path);
	free(store);
}

struct sqlite3 *store_db(struct store *store)
{
	return store->db;
}

struct sqlite3_stmt *store_statement(struct store *store, const char *sql)
{
	struct store_statement_slot *slot;

	for (size_t i = 0; i < store->nstatements; i++) {
		if (store->statements[i].sql == sql) {
			sqlite3_reset(store->statements[i].stmt);
			return store->statements[i].stmt;
		}
	}
	if (store->nstatements == STORE_STATEMENTS_MAX)
		fatalx("store: more than %d distinct statements", STORE_STATEMENTS_MAX);
	slot = &store->statements[store->nstatements];
	/* PERSISTENT: these live as long as the handle; it tells SQLite not to
	   take their memory from the lookaside pool meant for short-lived ones. */
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL) !=
	    SQLITE_OK)
		return NULL;
	slot->sql = sql;
	store->nstatements++;
	return slot->stmt;
}

/* Logs the failure of a query or loader and returns -1. */
int store_query_failed(struct store *store, const char *what)
{
	int code = sqlite3_errcode(store->db);

	/* Say what to do: the daemon leaves a damaged file exactly as it is. */
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		log_warnx("%s: %s: %s: the database is corrupt; it is left untouched (check it with "
		          "sqlite3 \"PRAGMA integrity_check\", restore a backup or move it away)",
		          store->path, what, sqlite3_errmsg(store->db));
	else
		log_warnx("%s: %s: %s", store->path, what, sqlite3_errmsg(store->db));
	return -1;
}

/* Copies a nullable text column into a new string (NULL for SQL NULL). */
char *store_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	if (text == NULL)
		return NULL;
	return xstrndup((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

/*
 * Fills c (which the caller then owns, to be freed with contact_free) from
 * the current row of a STORE_CONTACT_COLUMNS query. A blob that does not
 * decode is logged and what did decode is kept: one damaged contact should
 * not keep the daemon from starting.
 */
void store_contact_from_row(struct store *store, sqlite3_stmt *stmt, struct contact *c)
{
	const void *blob;
	int len;

	contact_init(c, (uint32_t)sqlite3_column_int64(stmt, 0),
	             (const char *)sqlite3_column_text(stmt, 1),
	             (size_t)sqlite3_column_bytes(stmt, 1));
	c->name = store_column_strdup(stmt, 2);
	c->headline = store_column_strdup(stmt, 3);
	c->actor_connections = sqlite3_column_int64(stmt, 4);
	c->actor_followers = sqlite3_column_int64(stmt, 5);
	c->creator = (int8_t)sqlite3_column_int(stmt, 6);
	c->hints_ms = sqlite3_column_int64(stmt, 7);
	c->first_seen_ms = sqlite3_column_int64(stmt, 8);
	c->last_seen_ms = sqlite3_column_int64(stmt, 9);
	c->rel.follower.ts_ms = sqlite3_column_int64(stmt, 10);
	c->rel.follower.on = (uint8_t)sqlite3_column_int(stmt, 11);
	c->rel.target.ts_ms = sqlite3_column_int64(stmt, 12);
	c->rel.target.on = (uint8_t)sqlite3_column_int(stmt, 13);
	c->rel.connected.ts_ms = sqlite3_column_int64(stmt, 14);
	c->rel.connected.on = (uint8_t)sqlite3_column_int(stmt, 15);
	c->rel.pending.ts_ms = sqlite3_column_int64(stmt, 16);
	c->rel.pending.on = (uint8_t)sqlite3_column_int(stmt, 17);
	c->rel.withdrawn_ms = sqlite3_column_int64(stmt, 18);
	c->rel.declined_ms = sqlite3_column_int64(stmt, 19);
	c->rel.followed_ms = sqlite3_column_int64(stmt, 20);
	/* sqlite3_column_blob() before _bytes(): the documented safe order. */
	blob = sqlite3_column_blob(stmt, 21);
	len = sqlite3_column_bytes(stmt, 21);
	if (blob != NULL && contact_decode_counts(c, blob, (size_t)len) < 0)
		log_warnx("%s: contact %s: damaged counts", store->path, c->actor);
	blob = sqlite3_column_blob(stmt, 22);
	len = sqlite3_column_bytes(stmt, 22);
	if (blob != NULL && contact_decode_tags(c, blob, (size_t)len) < 0)
		log_warnx("%s: contact %s: damaged tags", store->path, c->actor);
	blob = sqlite3_column_blob(stmt, 23);
	len = sqlite3_column_bytes(stmt, 23);
	if (blob != NULL && contact_decode_recent(c, blob, (size_t)len) < 0)
		log_warnx("%s: contact %s: damaged recent engagements", store->path, c->actor);
	/* A damaged score starts again from zero rather than keep a wrong one. */
	blob = sqlite3_column_blob(stmt, 24);
	len = sqlite3_column_bytes(stmt, 24);
	if (blob != NULL) {
		c->score = xmalloc(sizeof(*c->score));
		if (score_decode(c->score, blob, (size_t)len) < 0)
			log_warnx("%s: contact %s: damaged score; it starts again from zero", store->path,
			          c->actor);
	}
	blob = sqlite3_column_blob(stmt, 25);
	len = sqlite3_column_bytes(stmt, 25);
	if (blob != NULL && rules_state_decode(&c->rules, blob, (size_t)len) < 0)
		log_warnx("%s: contact %s: damaged rules state (snooze, notified)", store->path,
		          c->actor);
	c->rowid = sqlite3_column_int64(stmt, STORE_CONTACT_ROWID);
}

int store_load_accounts(struct store *store,
                        void (*cb)(void *ctx, uint32_t id, const struct account *a), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_accounts);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "loading accounts");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct account a;
		const void *blob;
		a.name = (char *)(uintptr_t)sqlite3_column_text(stmt, 1);
		a.followers = sqlite3_column_int64(stmt, 2);
		a.connections = sqlite3_column_int64(stmt, 3);
		a.snapshot_ms = sqlite3_column_int64(stmt, 4);
		a.budget = NULL;
		blob = sqlite3_column_blob(stmt, 5);
		if (blob != NULL) {
			a.budget = xmalloc(sizeof(*a.budget));
			if (rules_budget_decode(a.budget, blob, (size_t)sqlite3_column_bytes(stmt, 5)) < 0)
				log_warnx("%s: account %s: damaged invitation budget; it starts empty",
				          store->path, a.name);
		}
		cb(ctx, (uint32_t)sqlite3_column_int64(stmt, 0), &a);
		free(a.budget);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "loading accounts");
}

int store_load_contacts(struct store *store, void (*cb)(void *ctx, struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_contacts_all);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "loading contacts");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct contact c;
		store_contact_from_row(store, stmt, &c);
		cb(ctx, &c);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "loading contacts");
}

int store_load_files(struct store *store, void (*cb)(void *ctx, const struct store_file *f),
                     void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_files);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "loading files");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_file f;
		f.id = sqlite3_column_int64(stmt, 0);
		f.path = (char *)(uintptr_t)sqlite3_column_text(stmt, 1);
		f.dev = (uint64_t)sqlite3_column_int64(stmt, 2);
		f.ino = (uint64_t)sqlite3_column_int64(stmt, 3);
		f.offset = (uint64_t)sqlite3_column_int64(stmt, 4);
		f.head_len = (uint32_t)sqlite3_column_int64(stmt, 5);
		f.head_hash = (uint64_t)sqlite3_column_int64(stmt, 6);
		f.tail_len = (uint32_t)sqlite3_column_int64(stmt, 7);
		f.tail_hash = (uint64_t)sqlite3_column_int64(stmt, 8);
		f.updated_ms = sqlite3_column_int64(stmt, 9);
		cb(ctx, &f);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "loading files");
}

int store_load_dedup(struct store *store, int64_t since_ms,
                     void (*cb)(void *ctx, struct hash128 key, int64_t ts_ms), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_dedup);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "loading seen ids");
	/* At the second, as the set prunes: an id of since_ms's second stays. */
	uint32_t since_s = idset_seconds(since_ms);
	sqlite3_bind_int64(stmt, 1, since_ms > 0 ? (int64_t)since_s * 1000 : since_ms);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(stmt, 0);
		size_t bytes = (size_t)sqlite3_column_bytes(stmt, 0);
		int64_t width = sqlite3_column_int64(stmt, 1);

		if (width == STORE_SEEN_BYTES) {
			for (size_t i = 0; i < bytes / STORE_SEEN_BYTES; i++, p += STORE_SEEN_BYTES) {
				struct hash128 key = { blob_le_get(p, 8), (uint32_t)blob_le_get(p + 8, 4) };
				uint32_t ts_s = (uint32_t)blob_le_get(p + 12, 4);
				if (since_ms <= 0 || ts_s >= since_s)
					cb(ctx, key, (int64_t)ts_s * 1000);
			}
		} else if (width == STORE_SEEN_BYTES_V4) {
			for (size_t i = 0; i < bytes / STORE_SEEN_BYTES_V4; i++, p += STORE_SEEN_BYTES_V4) {
				struct hash128 key = { blob_le_get(p, 8), blob_le_get(p + 8, 8) };
				int64_t ts = (int64_t)blob_le_get(p + 16, 8);
				if (since_ms <= 0 || idset_seconds(ts) >= since_s)
					cb(ctx, key, ts);
			}
		} else {
			sqlite3_reset(stmt);
			log_warnx("%s: a seen_ids row of width %lld, not %d or %d", store->path,
			          (long long)width, STORE_SEEN_BYTES, STORE_SEEN_BYTES_V4);
			return -1;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "loading seen ids");
}

/*
 * Counter rows are named as store_batch.c writes them: events_accepted,
 * events_rejected, events_duplicate, accepted.<type>, rejected.<reason>.
 * Names this build does not know (a type added later, then a downgrade)
 * are ignored.
 */
int store_load_counters(struct store *store, struct store_counters *out)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_counters);
	int rc;

	memset(out, 0, sizeof(*out));
	if (stmt == NULL)
		return store_query_failed(store, "loading counters");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		uint64_t value = (uint64_t)sqlite3_column_int64(stmt, 1);
		if (name == NULL)
			continue;
		if (strcmp(name, "events_accepted") == 0) {
			out->accepted = value;
		} else if (strcmp(name, "events_rejected") == 0) {
			out->rejected = value;
		} else if (strcmp(name, "events_duplicate") == 0) {
			out->duplicate = value;
		} else if (strcmp(name, "newest_event_ms") == 0) {
			out->newest_ms = (int64_t)value;
		} else if (strcmp(name, "time_source") == 0) {
			out->time_source = value == 1 || value == 2 ? (int)value : 0;
		} else if (strcmp(name, "ids_floor_ms") == 0) {
			out->ids_floor_ms = (int64_t)value;
		} else if (strcmp(name, "ids_kept_from_ms") == 0) {
			out->ids_kept_from_ms = (int64_t)value;
		} else if (strncmp(name, "accepted.", 9) == 0) {
			for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
				const char *tn = event_type_name((enum event_type)t);
				if (tn != NULL && strcmp(name + 9, tn) == 0)
					out->accepted_by_type[t] = value;
			}
		} else if (strncmp(name, "rejected.", 9) == 0) {
			for (int r = 0; r < REJECT_REASON_COUNT; r++) {
				const char *rn = event_reject_name((enum event_reject)r);
				if (rn != NULL && strcmp(name + 9, rn) == 0)
					out->rejected_by_reason[r] = value;
			}
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "loading counters");
}

int store_account_id(struct store *store, const char *name, uint32_t *id)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_account_id);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "looking up an account");
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id = (uint32_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : store_query_failed(store, "looking up an account");
}

int store_account_ratio(struct store *store, uint32_t id, struct ratio_account *out)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_account_ratio);
	const void *blob;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (stmt == NULL)
		return store_query_failed(store, "reading network counters");
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		blob = sqlite3_column_blob(stmt, 0);
		if (blob != NULL) {
			found = ratio_decode(out, blob, (size_t)sqlite3_column_bytes(stmt, 0)) == 0;
			if (!found)
				log_warnx("%s: account %u: damaged network counters; they start empty",
				          store->path, id);
		}
		rc = SQLITE_DONE;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return store_query_failed(store, "reading network counters");
	return found ? 0 : 1;
}

int store_account_name(struct store *store, uint32_t id, char *out, size_t outlen)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_account_name);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "looking up an account");
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return -1;
	return store_query_failed(store, "looking up an account");
}

int store_get_contact(struct store *store, uint32_t account, const char *actor, struct contact *out)
{
	return store_find_contact(store, account, actor, strlen(actor), out);
}

int store_foreach_contact(struct store *store, uint32_t account,
                          int (*cb)(void *ctx, const struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_statement(store, account == UINT32_MAX ? store_sql_contacts_ordered
	                                                     : store_sql_contacts_of_account);
	if (stmt == NULL)
		return store_query_failed(store, "reading contacts");
	if (account != UINT32_MAX)
		sqlite3_bind_int64(stmt, 1, account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct contact c;
		int stop;
		store_contact_from_row(store, stmt, &c);
		stop = cb(ctx, &c);
		contact_free(&c);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "reading contacts");
}

int64_t store_count_contacts(struct store *store)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_contacts_count);
	int64_t n = -1;

	if (stmt == NULL)
		return store_query_failed(store, "counting contacts");
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		store_query_failed(store, "counting contacts");
	sqlite3_reset(stmt);
	return n;
}

int64_t store_newest_event_ms(struct store *store, int64_t limit_ms)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_newest_event);
	int64_t ms = -1;

	if (stmt == NULL)
		return store_query_failed(store, "reading the newest event time");
	sqlite3_bind_int64(stmt, 1, limit_ms);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		ms = sqlite3_column_int64(stmt, 0);
	else
		store_query_failed(store, "reading the newest event time");
	sqlite3_reset(stmt);
	return ms;
}

int64_t store_event_clock_ms(struct store *store, int64_t limit_ms)
{
	struct store_counters counters;
	int64_t newest;

	if (store_load_counters(store, &counters) < 0)
		return -1;
	/* The daemon's start takes the larger of the two as well (engine_cache.c). */
	newest = store_newest_event_ms(store, limit_ms);
	if (newest < 0)
		return -1;
	/* A clock stored beyond the limit is the one the daemon heals at start
	   (engine_clock_heal_clock): it takes the newest contact within it. */
	if (counters.newest_ms > limit_ms)
		return newest;
	return counters.newest_ms > newest ? counters.newest_ms : newest;
}

int64_t store_size_bytes(struct store *store)
{
	struct buf wal = { 0 };
	struct stat st;
	int64_t size = 0;

	if (stat(store->path, &st) == 0)
		size += st.st_size;
	buf_printf(&wal, "%s-wal", store->path);
	if (stat(buf_cstr(&wal), &st) == 0)
		size += st.st_size;
	buf_free(&wal);
	return size;
}
