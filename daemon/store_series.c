/*
 * store_series.c - reads an account's daily network series (the
 * network_days table, schema 6) for the metrics view. Its rows are written
 * by the commit (store_commit.c) from what the engine already counts, one
 * upsert per account changed per commit, so keeping the series costs no
 * work per event.
 */
#include <stdlib.h>

#include "warmth/store.h"
#include "store_internal.h"

/* The newest max_days rows, read newest first, then turned around. */
static const char store_sql_series[] =
	"SELECT day, followers, connections, invitations_sent, accepted, declined, new_followers, "
	"conversions FROM network_days WHERE account = ?1 ORDER BY day DESC LIMIT ?2";

int store_network_series(struct store *store, uint32_t id, size_t max_days,
                         struct ratio_series_day **out, size_t *n)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_series);
	struct ratio_series_day *rows = NULL;
	size_t count = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (stmt == NULL)
		return store_query_failed(store, "reading the network series");
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max_days);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ratio_series_day *d;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		d = &rows[count++];
		d->day = sqlite3_column_int64(stmt, 0);
		d->followers = sqlite3_column_int64(stmt, 1);
		d->connections = sqlite3_column_int64(stmt, 2);
		d->invitations_sent = sqlite3_column_int64(stmt, 3);
		d->accepted = sqlite3_column_int64(stmt, 4);
		d->declined = sqlite3_column_int64(stmt, 5);
		d->new_followers = sqlite3_column_int64(stmt, 6);
		d->conversions = sqlite3_column_int64(stmt, 7);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		free(rows);
		return store_query_failed(store, "reading the network series");
	}
	for (size_t i = 0; i < count / 2; i++) {
		struct ratio_series_day t = rows[i];
		rows[i] = rows[count - 1 - i];
		rows[count - 1 - i] = t;
	}
	*out = rows;
	*n = count;
	return 0;
}
