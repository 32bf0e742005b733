/*
 * store_internal.h - what the files of the store share: the handle's
 * layout and a few query helpers. Only store*.c include it (and through it
 * sqlite3.h); everyone else sees the opaque struct store of store.h.
 */
#ifndef WARMTH_STORE_INTERNAL_H
#define WARMTH_STORE_INTERNAL_H

#include <sqlite3.h>

#include "warmth/store.h"

/* Distinct SQL strings one handle prepares; a broken invariant if exceeded. */
#define STORE_STATEMENTS_MAX 64

struct store_statement_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	struct store_statement_slot statements[STORE_STATEMENTS_MAX];
	size_t nstatements;
	int wal_pages;      /* pages in the WAL after this handle's last commit (wal hook) */
	int reading;        /* in a read transaction of store_read_begin */
};

/* Logs the failure of a query or loader (naming what) and returns -1. */
int store_query_failed(struct store *store, const char *what);
/* Runs a statement that returns one integer into *out; 0 or -1. */
int store_query_int(sqlite3 *db, const char *sql, int64_t *out);
/* Copies a nullable text column into a new string (NULL for SQL NULL). */
char *store_column_strdup(sqlite3_stmt *stmt, int col);

/* The columns every contact query selects, in store_contact_from_row() order. */
#define STORE_CONTACT_COLUMNS                                                             \
	"account, actor, name, headline, actor_connections, actor_followers, creator, "   \
	"hints_ms, first_seen_ms, last_seen_ms, follower_ms, follower_on, target_ms, "    \
	"target_on, connected_ms, connected_on, pending_ms, pending_on, withdrawn_ms, "   \
	"declined_ms, followed_ms, counts, tags, recent, score, rules, rowid"
/* The index of rowid, the last of them (a scan in rowid order resumes from it). */
#define STORE_CONTACT_ROWID 26

/*
 * Fills c (which the caller then owns, to be freed with contact_free) from
 * the current row of a STORE_CONTACT_COLUMNS query (store.c).
 */
void store_contact_from_row(struct store *store, sqlite3_stmt *stmt, struct contact *c);

/*
 * store_ids.c, for the commit (store_commit.c): inserts the old ids (sorted
 * in place), moves the window's ids before move_before_ms (0: none) to the
 * kept ids and deletes the kept ids before keep_from_ms (0: none), each
 * with its counter. 0, or -1 with *step naming what failed.
 */
struct idset_slot;
int store_ids_commit(struct store *store, struct idset_slot *old, size_t nold,
                     int64_t move_before_ms, int64_t keep_from_ms, const char **step);

/* store.c, for store_open.c: the pragmas of a writer, then its migrations;
   each returns 0, or -1 with err set. */
int store_configure(struct store *store, int synchronous_full, char *err, size_t errlen);
int store_migrate(struct store *store, char *err, size_t errlen);

/*
 * Installs the fault-injecting VFS (store_fault.c) as SQLite's default when
 * WARMTH_TEST_FAULTS is set, once; a no-op otherwise. Returns 0, or -1 if
 * it could not be installed.
 */
int store_fault_init(void);

#endif
