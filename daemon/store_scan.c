/*
 * store_scan.c - the contacts table read a part at a time, for the
 * engine's contact cache (engine_cache.c): one contact by key, the
 * candidates for the readiness watch list in rowid order, an account's
 * contacts, and export pages in key order. Each loader hands over the
 * contacts it reads, as store_load_contacts() does.
 *
 * Every query here runs on the engine's read-only handle, beside the
 * writer on the thread pool: in WAL mode a reader sees the last commit
 * as of its statement's start, and the engine never asks for a contact
 * whose newer state is still in memory or in a batch not yet committed.
 */
#include <string.h>

#include "warmth/log.h"
#include "store_internal.h"

static const char store_sql_contact_find[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE account = ?1 AND actor = ?2";
/*
 * The rows engine_rules_candidate() may pass: a score, and either a rules
 * state (a fired or dismissed contact) or a follower or target neither
 * connected nor invited. The rest cannot be ready whatever time does, so
 * they are not even decoded.
 */
static const char store_sql_candidates[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE rowid > ?1"
	" AND score IS NOT NULL AND (rules IS NOT NULL OR"
	" ((follower_on OR target_on) AND NOT connected_on AND NOT pending_on))"
	" ORDER BY rowid LIMIT ?2";
static const char store_sql_account_contacts[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE account = ?1";
/* Every scored row up to a rowid, in rowid order (a rescore, engine_rescore.c). */
static const char store_sql_scored[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE rowid > ?1 AND rowid <= ?2"
	" AND score IS NOT NULL ORDER BY rowid LIMIT ?3";
static const char store_sql_max_rowid[] = "SELECT coalesce(max(rowid), 0) FROM contacts";
/* Every key, from the contacts_key index alone (it covers the query). */
static const char store_sql_keys[] = "SELECT account, actor FROM contacts";
/* What a rank needs: the key, the hints segments match on, counts, the score. */
static const char store_sql_ranks[] =
	"SELECT actor, actor_connections, actor_followers, creator, counts, tags, score"
	" FROM contacts WHERE account = ?1";
/* Row values use the contacts_key index (account, actor). */
static const char store_sql_contacts_after[] =
	"SELECT " STORE_CONTACT_COLUMNS " FROM contacts WHERE (account, actor) > (?1, ?2)"
	" ORDER BY account, actor LIMIT ?3";

int store_find_contact(struct store *store, uint32_t account, const char *actor, size_t len,
                       struct contact *out)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_contact_find);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "reading a contact");
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, actor, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		store_contact_from_row(store, stmt, out);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : store_query_failed(store, "reading a contact");
}

/* Steps stmt to its end, handing each row's contact to cb; rows read, or -1. */
static int store_scan_rows(struct store *store, sqlite3_stmt *stmt, int rowid_col,
                           int64_t *rowid, void (*cb)(void *ctx, struct contact *c), void *ctx,
                           const char *what)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct contact c;
		store_contact_from_row(store, stmt, &c);
		if (rowid != NULL)
			*rowid = sqlite3_column_int64(stmt, rowid_col);
		n++;
		cb(ctx, &c);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? n : store_query_failed(store, what);
}

int store_scan_candidates(struct store *store, int64_t *after_rowid, size_t limit,
                          void (*cb)(void *ctx, struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_candidates);

	if (stmt == NULL)
		return store_query_failed(store, "scanning contacts");
	sqlite3_bind_int64(stmt, 1, *after_rowid);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)limit);
	return store_scan_rows(store, stmt, STORE_CONTACT_ROWID, after_rowid, cb, ctx,
	                       "scanning contacts");
}

int store_load_account_contacts(struct store *store, uint32_t account,
                                void (*cb)(void *ctx, struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_account_contacts);

	if (stmt == NULL)
		return store_query_failed(store, "reading contacts");
	sqlite3_bind_int64(stmt, 1, account);
	return store_scan_rows(store, stmt, 0, NULL, cb, ctx, "reading contacts") < 0 ? -1 : 0;
}

int store_load_contacts_after(struct store *store, int64_t account, const char *actor,
                              size_t limit, void (*cb)(void *ctx, struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_contacts_after);

	if (stmt == NULL)
		return store_query_failed(store, "reading contacts");
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limit);
	return store_scan_rows(store, stmt, 0, NULL, cb, ctx, "reading contacts");
}

int store_scan_ranks(struct store *store, uint32_t account,
                     void (*cb)(void *ctx, const struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_ranks);
	struct score_state sums;
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "ranking contacts");
	sqlite3_bind_int64(stmt, 1, account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct contact c;
		const void *blob;
		int len;
		contact_init(&c, account, (const char *)sqlite3_column_text(stmt, 0),
		             (size_t)sqlite3_column_bytes(stmt, 0));
		c.actor_connections = sqlite3_column_int64(stmt, 1);
		c.actor_followers = sqlite3_column_int64(stmt, 2);
		c.creator = (int8_t)sqlite3_column_int(stmt, 3);
		/* Damage is logged when the contact is read whole; here it ranks as empty. */
		blob = sqlite3_column_blob(stmt, 4);
		len = sqlite3_column_bytes(stmt, 4);
		if (blob != NULL)
			(void)contact_decode_counts(&c, blob, (size_t)len);
		blob = sqlite3_column_blob(stmt, 5);
		len = sqlite3_column_bytes(stmt, 5);
		if (blob != NULL)
			(void)contact_decode_tags(&c, blob, (size_t)len);
		blob = sqlite3_column_blob(stmt, 6);
		len = sqlite3_column_bytes(stmt, 6);
		if (blob != NULL && score_decode_sums(&sums, blob, (size_t)len) == 0)
			c.score = &sums;
		cb(ctx, &c);
		c.score = NULL; /* on the stack, no history */
		contact_free(&c);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "ranking contacts");
}

int store_scan_scored(struct store *store, int64_t *after_rowid, int64_t up_to, size_t limit,
                      void (*cb)(void *ctx, struct contact *c), void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_scored);

	if (stmt == NULL)
		return store_query_failed(store, "scanning contacts");
	sqlite3_bind_int64(stmt, 1, *after_rowid);
	sqlite3_bind_int64(stmt, 2, up_to);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limit);
	return store_scan_rows(store, stmt, STORE_CONTACT_ROWID, after_rowid, cb, ctx,
	                       "scanning contacts");
}

int64_t store_max_contact_rowid(struct store *store)
{
	int64_t n;

	if (store_query_int(store->db, store_sql_max_rowid, &n) < 0)
		return store_query_failed(store, "reading the contacts' extent");
	return n;
}

int store_scan_keys(struct store *store,
                    void (*cb)(void *ctx, uint32_t account, const char *actor, size_t len),
                    void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_keys);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "reading the contacts' keys");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		cb(ctx, (uint32_t)sqlite3_column_int64(stmt, 0),
		   (const char *)sqlite3_column_text(stmt, 1), (size_t)sqlite3_column_bytes(stmt, 1));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "reading the contacts' keys");
}
