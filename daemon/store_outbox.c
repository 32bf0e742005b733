/*
 * store_outbox.c - the store's side of notifications: reading the outbox
 * rows the engine commits with its batches, and the per-notifier delivery
 * state the outbox (daemon/outbox.c) records as sinks report back.
 *
 * Each notifier is registered once with the outbox's last seq at that
 * moment, so a notifier added to the config later is only given what comes
 * after it (no storm of old notifications). Delivery rows are written in
 * their own small transactions from the loop thread's handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "store_internal.h"

static const char store_sql_outbox[] =
	"SELECT seq, id, kind, account, actor, created_ms, record, note FROM outbox ORDER BY seq";
static const char store_sql_deliveries_all[] =
	"SELECT o.seq, o.id, o.kind, o.account, o.actor, o.created_ms, o.record, o.note, "
	"d.sink, d.state, d.attempts, d.first_ms, d.next_ms, d.updated_ms, d.last_error "
	"FROM outbox o LEFT JOIN deliveries d ON d.seq = o.seq ORDER BY o.seq, d.sink";
static const char store_sql_deliveries_of[] =
	"SELECT o.seq, o.id, o.kind, o.account, o.actor, o.created_ms, o.record, o.note, "
	"d.sink, d.state, d.attempts, d.first_ms, d.next_ms, d.updated_ms, d.last_error "
	"FROM outbox o LEFT JOIN deliveries d ON d.seq = o.seq WHERE o.id = ?1 ORDER BY o.seq, d.sink";
static const char store_sql_undelivered[] =
	"SELECT o.seq, o.id, o.kind, o.account, o.actor, o.created_ms, o.record, o.note, "
	"?1, coalesce(d.state, 'pending'), coalesce(d.attempts, 0), coalesce(d.first_ms, 0), "
	"coalesce(d.next_ms, 0), coalesce(d.updated_ms, 0), d.last_error "
	"FROM outbox o LEFT JOIN deliveries d ON d.seq = o.seq AND d.sink = ?1 "
	"WHERE o.seq > ?2 AND o.seq <= ?3 AND (d.state IS NULL OR d.state = 'pending') "
	"ORDER BY o.seq";
static const char store_sql_outbox_last[] = "SELECT coalesce(max(seq), 0) FROM outbox";
static const char store_sql_sink_insert[] =
	"INSERT OR IGNORE INTO sinks(name, since_seq) "
	"VALUES(?1, (SELECT coalesce(max(seq), 0) FROM outbox))";
static const char store_sql_sink_since[] = "SELECT since_seq FROM sinks WHERE name = ?1";
static const char store_sql_delivered_since[] =
	"SELECT count(*) FROM deliveries WHERE sink = ?1 AND state = 'delivered' AND updated_ms >= ?2";
static const char store_sql_delivery_put[] =
	"INSERT OR REPLACE INTO deliveries(seq, sink, state, attempts, first_ms, next_ms, "
	"updated_ms, last_error) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int store_foreach_outbox(struct store *store, int (*cb)(void *ctx, const struct store_outbox *o),
                         void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_outbox);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "reading the outbox");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_outbox o;
		o.seq = sqlite3_column_int64(stmt, 0);
		o.id = (const char *)sqlite3_column_text(stmt, 1);
		o.kind = (const char *)sqlite3_column_text(stmt, 2);
		o.account = (const char *)sqlite3_column_text(stmt, 3);
		o.actor = (const char *)sqlite3_column_text(stmt, 4);
		o.created_ms = sqlite3_column_int64(stmt, 5);
		o.record = (const char *)sqlite3_column_text(stmt, 6);
		o.record_len = (size_t)sqlite3_column_bytes(stmt, 6);
		o.note = (const char *)sqlite3_column_text(stmt, 7);
		if (cb(ctx, &o)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "reading the outbox");
}

static const char *const store_delivery_state_names[] = { "pending", "delivered", "failed",
	                                                    "skipped" };

const char *store_delivery_state_name(enum store_delivery_state state)
{
	return store_delivery_state_names[state];
}

static enum store_delivery_state store_delivery_state_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(store_delivery_state_names); i++)
		if (s != NULL && strcmp(s, store_delivery_state_names[i]) == 0)
			return (enum store_delivery_state)i;
	return STORE_DELIVERY_PENDING;
}

/* An outbox row and its delivery state from columns 0-7 and 8-14 (d NULL when sink is). */
static const struct store_delivery *store_delivery_from_row(sqlite3_stmt *stmt,
                                                            struct store_outbox *o,
                                                            struct store_delivery *d)
{
	o->seq = sqlite3_column_int64(stmt, 0);
	o->id = (const char *)sqlite3_column_text(stmt, 1);
	o->kind = (const char *)sqlite3_column_text(stmt, 2);
	o->account = (const char *)sqlite3_column_text(stmt, 3);
	o->actor = (const char *)sqlite3_column_text(stmt, 4);
	o->created_ms = sqlite3_column_int64(stmt, 5);
	o->record = (const char *)sqlite3_column_text(stmt, 6);
	o->record_len = (size_t)sqlite3_column_bytes(stmt, 6);
	o->note = (const char *)sqlite3_column_text(stmt, 7);
	if (sqlite3_column_type(stmt, 8) == SQLITE_NULL)
		return NULL;
	d->seq = o->seq;
	d->sink = (const char *)sqlite3_column_text(stmt, 8);
	d->state = store_delivery_state_parse((const char *)sqlite3_column_text(stmt, 9));
	d->attempts = sqlite3_column_int64(stmt, 10);
	d->first_ms = sqlite3_column_int64(stmt, 11);
	d->next_ms = sqlite3_column_int64(stmt, 12);
	d->updated_ms = sqlite3_column_int64(stmt, 13);
	d->last_error = (const char *)sqlite3_column_text(stmt, 14);
	return d;
}

static int store_foreach_joined(struct store *store, sqlite3_stmt *stmt,
                                int (*cb)(void *ctx, const struct store_outbox *o,
                                          const struct store_delivery *d),
                                void *ctx)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_outbox o;
		struct store_delivery d;
		const struct store_delivery *dp = store_delivery_from_row(stmt, &o, &d);
		if (cb(ctx, &o, dp)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_query_failed(store, "reading deliveries");
}

int store_foreach_delivery(struct store *store,
                           int (*cb)(void *ctx, const struct store_outbox *o,
                                     const struct store_delivery *d),
                           void *ctx)
{
	return store_foreach_delivery_of(store, NULL, cb, ctx);
}

int store_foreach_delivery_of(struct store *store, const char *id,
                              int (*cb)(void *ctx, const struct store_outbox *o,
                                        const struct store_delivery *d),
                              void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, id != NULL ? store_sql_deliveries_of
	                                                      : store_sql_deliveries_all);

	if (stmt == NULL)
		return store_query_failed(store, "reading deliveries");
	if (id != NULL)
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
	return store_foreach_joined(store, stmt, cb, ctx);
}

int store_foreach_undelivered(struct store *store, const char *sink, int64_t after_seq,
                              int64_t *upto,
                              int (*cb)(void *ctx, const struct store_outbox *o,
                                        const struct store_delivery *d),
                              void *ctx)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_outbox_last);
	int rc;

	/*
	 * The end first, then the rows up to it: a row committed in between
	 * is above *upto and is read the next time, never skipped.
	 */
	if (stmt == NULL)
		return store_query_failed(store, "reading the outbox");
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*upto = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return store_query_failed(store, "reading the outbox");
	stmt = store_statement(store, store_sql_undelivered);
	if (stmt == NULL)
		return store_query_failed(store, "reading the outbox");
	sqlite3_bind_text(stmt, 1, sink, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, after_seq);
	sqlite3_bind_int64(stmt, 3, *upto);
	return store_foreach_joined(store, stmt, cb, ctx);
}

int store_sink_register(struct store *store, const char *sink, int64_t *since,
                        char *err, size_t errlen)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_sink_insert);
	int rc;

	if (stmt == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, sink, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	stmt = store_statement(store, store_sql_sink_since);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, sink, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*since = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 0;
fail:
	snprintf(err, errlen, "%s: registering sink %s: %s", store->path, sink,
	         sqlite3_errmsg(store->db));
	return -1;
}

int store_count_delivered(struct store *store, const char *sink, int64_t since_ms, uint64_t *n)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_delivered_since);
	int rc;

	if (stmt == NULL)
		return store_query_failed(store, "counting deliveries");
	sqlite3_bind_text(stmt, 1, sink, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, since_ms);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : store_query_failed(store, "counting deliveries");
}

int store_put_deliveries(struct store *store, const struct store_delivery *d, size_t n,
                         char *err, size_t errlen)
{
	sqlite3_stmt *stmt;

	if (n == 0)
		return 0;
	/* One transaction: one fsync for every result that arrived meanwhile. */
	if (sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	stmt = store_statement(store, store_sql_delivery_put);
	if (stmt == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(stmt, 1, d[i].seq);
		sqlite3_bind_text(stmt, 2, d[i].sink, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, store_delivery_state_name(d[i].state), -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, d[i].attempts);
		sqlite3_bind_int64(stmt, 5, d[i].first_ms);
		sqlite3_bind_int64(stmt, 6, d[i].next_ms);
		sqlite3_bind_int64(stmt, 7, d[i].updated_ms);
		if (d[i].last_error != NULL)
			sqlite3_bind_text(stmt, 8, d[i].last_error, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, 8);
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			sqlite3_reset(stmt);
			goto fail;
		}
		sqlite3_reset(stmt);
	}
	if (sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: recording deliveries: %s", store->path, sqlite3_errmsg(store->db));
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

