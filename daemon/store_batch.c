/*
 * store_batch.c - batches of changes (see store.h); their commit is
 * store_commit.c's.
 *
 * The engine fills a batch on the main thread while the previous one
 * commits on a worker thread, so a batch is a self-contained copy: every
 * string and blob goes into one byte arena (struct buf) and rows refer to
 * it by offset, since the arena moves when it grows. That is one copy per
 * field and no malloc per row; store_batch_reset() keeps the memory, so a
 * daemon in steady state allocates nothing for its batches. Contacts are
 * encoded to their database blobs at copy time, on the main thread, where
 * the contact is known not to change under us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/idset.h"
#include "warmth/store.h"
#include "blob.h"
#include "store_internal.h"
#include "store_batch_internal.h"

void *store_rows_add(struct store_rows *rows, size_t size)
{
	if (rows->count == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 64;
		rows->items = xrealloc(rows->items, rows->cap * size);
	}
	return (char *)rows->items + rows->count++ * size;
}

/* Copies s[0..len) into the arena; NULL becomes a NULL span. */
static struct store_span store_batch_copy(struct store_batch *batch, const char *s, size_t len)
{
	struct store_span span = { batch->arena.len, STORE_SPAN_NULL };

	if (s == NULL)
		return span;
	buf_append(&batch->arena, s, len);
	span.len = len;
	return span;
}

/* Copies a NUL-terminated string (without the NUL), or NULL. */
static struct store_span store_batch_copy_str(struct store_batch *batch, const char *s)
{
	return store_batch_copy(batch, s, s ? strlen(s) : 0);
}

struct store_batch *store_batch_new(void)
{
	return xcalloc(1, sizeof(struct store_batch));
}

void store_batch_free(struct store_batch *batch)
{
	if (batch == NULL)
		return;
	buf_free(&batch->arena);
	free(batch->accounts.items);
	free(batch->contacts.items);
	free(batch->files.items);
	free(batch->file_deletes.items);
	free(batch->seen.items);
	free(batch->old.items);
	free(batch->rejects.items);
	free(batch->outbox.items);
	free(batch->days.items);
	free(batch->rowids.items);
	free(batch->order);
	free(batch);
}

void store_batch_reset(struct store_batch *batch)
{
	buf_reset(&batch->arena);
	batch->accounts.count = 0;
	batch->contacts.count = 0;
	batch->files.count = 0;
	batch->file_deletes.count = 0;
	batch->seen.count = 0;
	batch->old.count = 0;
	batch->ids_prune_before_ms = 0;
	batch->rejects.count = 0;
	batch->outbox.count = 0;
	batch->days.count = 0;
	batch->rowids.count = 0;
	batch->has_prune = 0;
	batch->has_counters = 0;
}

size_t store_batch_items(const struct store_batch *batch)
{
	return batch->accounts.count + batch->contacts.count + batch->files.count +
	       batch->file_deletes.count + batch->seen.count + batch->old.count +
	       batch->rejects.count + batch->outbox.count + batch->days.count;
}

void store_batch_network_day(struct store_batch *batch, uint32_t id,
                             const struct ratio_series_day *d)
{
	struct store_batch_day *row = store_rows_add(&batch->days, sizeof(*row));

	row->account = id;
	row->d = *d;
}

void store_batch_account(struct store_batch *batch, uint32_t id, const struct account *a)
{
	store_batch_account_ratio(batch, id, a, NULL);
}

/* ratio NULL keeps the stored counters (the upsert's coalesce): they only grow. */
void store_batch_account_ratio(struct store_batch *batch, uint32_t id, const struct account *a,
                               const struct ratio_account *ratio)
{
	struct store_batch_account *row = store_rows_add(&batch->accounts, sizeof(*row));

	row->id = id;
	row->name = store_batch_copy_str(batch, a->name);
	row->followers = a->followers;
	row->connections = a->connections;
	row->snapshot_ms = a->snapshot_ms;
	row->budget = store_batch_copy(batch, NULL, 0);
	if (a->budget != NULL && a->budget->n > 0) {
		row->budget.len = 0;
		rules_budget_encode(a->budget, &batch->arena);
		row->budget.len = batch->arena.len - row->budget.off;
	}
	row->ratio = store_batch_copy(batch, NULL, 0);
	if (ratio != NULL) {
		row->ratio.len = 0;
		ratio_encode(ratio, &batch->arena);
		row->ratio.len = batch->arena.len - row->ratio.off;
	}
}

/* Encodes a blob straight into the arena and returns where it landed. */
static struct store_span store_batch_encode(struct store_batch *batch, const struct contact *c,
                                            void (*encode)(const struct contact *, struct buf *))
{
	struct store_span span = { batch->arena.len, 0 };

	encode(c, &batch->arena);
	span.len = batch->arena.len - span.off;
	return span;
}

void store_batch_contact(struct store_batch *batch, const struct contact *c)
{
	struct store_batch_contact *row = store_rows_add(&batch->contacts, sizeof(*row));

	row->account = c->account;
	row->actor = store_batch_copy(batch, c->actor, c->actor_len);
	row->name = store_batch_copy_str(batch, c->name);
	row->headline = store_batch_copy_str(batch, c->headline);
	row->counts = store_batch_encode(batch, c, contact_encode_counts);
	/*
	 * Without tags or evidence the column is NULL, which takes no space;
	 * an emptied tags list keeps its blob, which holds the register's time.
	 */
	if (c->ntags > 0 || c->tags_ms >= 0)
		row->tags = store_batch_encode(batch, c, contact_encode_tags);
	else
		row->tags = store_batch_copy(batch, NULL, 0);
	if (c->nrecent > 0 || c->best != NULL)
		row->recent = store_batch_encode(batch, c, contact_encode_recent);
	else
		row->recent = store_batch_copy(batch, NULL, 0);
	/* Likewise a score before the first engagement and an empty rules state. */
	row->score = store_batch_copy(batch, NULL, 0);
	if (c->score != NULL) {
		row->score.len = 0;
		score_encode(c->score, &batch->arena);
		row->score.len = batch->arena.len - row->score.off;
	}
	row->rules = store_batch_copy(batch, NULL, 0);
	if (c->rules.snoozed_until_ms != 0 || c->rules.dismissed_ms != 0 || c->rules.fired_ms != 0 ||
	    c->rules.fired != 0 || c->rules.incoming_ms != 0) {
		row->rules.len = 0;
		rules_state_encode(&c->rules, &batch->arena);
		row->rules.len = batch->arena.len - row->rules.off;
	}
	row->creator = c->creator;
	row->actor_connections = c->actor_connections;
	row->actor_followers = c->actor_followers;
	row->hints_ms = c->hints_ms;
	row->first_seen_ms = c->first_seen_ms;
	row->last_seen_ms = c->last_seen_ms;
	row->rel = c->rel;
	row->rowid = c->rowid;
}

void store_batch_each_rowid(const struct store_batch *batch,
                            void (*cb)(void *ctx, uint32_t account, const char *actor, size_t len,
                                       int64_t rowid),
                            void *ctx)
{
	const struct store_batch_rowid *ids = batch->rowids.items;
	const struct store_batch_contact *rows = batch->contacts.items;

	for (size_t i = 0; i < batch->rowids.count; i++) {
		const struct store_batch_contact *c = &rows[ids[i].row];
		cb(ctx, c->account, batch->arena.data + c->actor.off, c->actor.len, ids[i].rowid);
	}
}

void store_batch_file(struct store_batch *batch, const struct store_file *f)
{
	struct store_batch_file *row = store_rows_add(&batch->files, sizeof(*row));

	row->f = *f;
	row->f.path = NULL;
	row->path = store_batch_copy_str(batch, f->path ? f->path : "");
}

void store_batch_file_delete(struct store_batch *batch, int64_t id)
{
	int64_t *row = store_rows_add(&batch->file_deletes, sizeof(*row));

	*row = id;
}

/*
 * Written at once in the blob's form (STORE_SEEN_BYTES, see store.c), so
 * that the commit binds the batch's array as it is: no second copy of
 * what may be millions of ids.
 */
void store_batch_dedup(struct store_batch *batch, struct hash128 key, int64_t ts_ms)
{
	unsigned char *p = store_rows_add(&batch->seen, STORE_SEEN_BYTES);

	blob_le_put(p, key.lo, 8);
	blob_le_put(p + 8, (uint32_t)key.hi, 4);
	blob_le_put(p + 12, idset_seconds(ts_ms), 4);
	if (batch->seen.count == 1 || ts_ms < batch->seen_min_ts)
		batch->seen_min_ts = ts_ms;
	if (batch->seen.count == 1 || ts_ms > batch->seen_max_ts)
		batch->seen_max_ts = ts_ms;
}

void store_batch_old_id(struct store_batch *batch, struct hash128 key, int64_t ts_ms)
{
	struct idset_slot *row = store_rows_add(&batch->old, sizeof(*row));

	row->k1 = key.lo;
	row->k2 = (uint32_t)key.hi;
	row->ts_s = idset_seconds(ts_ms);
}

void store_batch_ids_prune(struct store_batch *batch, int64_t before_ms)
{
	if (before_ms > batch->ids_prune_before_ms)
		batch->ids_prune_before_ms = before_ms;
}

void store_batch_dedup_prune(struct store_batch *batch, int64_t before_ms)
{
	/* At the second, as the set prunes: the move compares raw times with it. */
	before_ms = before_ms > 0 ? (int64_t)idset_seconds(before_ms) * 1000 : 0;
	/* Several prunes in one batch amount to the widest. */
	if (!batch->has_prune || before_ms > batch->prune_before_ms)
		batch->prune_before_ms = before_ms;
	batch->has_prune = 1;
}

void store_batch_reject(struct store_batch *batch, const struct store_reject *r)
{
	struct store_batch_reject *row = store_rows_add(&batch->rejects, sizeof(*row));
	size_t len = r->line ? r->line_len : 0;

	/* The caller should have cut the line already; if it did not, cut it
	   here without splitting a UTF-8 sequence (back off over at most three
	   continuation bytes, so invalid input cannot make us lose more). */
	if (len > STORE_REJECT_LINE_MAX) {
		len = STORE_REJECT_LINE_MAX;
		for (int i = 0; i < 3 && len > 0 && ((unsigned char)r->line[len] & 0xC0) == 0x80; i++)
			len--;
	}
	row->file = store_batch_copy_str(batch, r->file ? r->file : "");
	row->detail = store_batch_copy_str(batch, r->detail);
	row->line = store_batch_copy(batch, r->line ? r->line : "", len);
	row->offset = r->offset;
	row->reason = r->reason;
	row->wall_ms = r->wall_ms;
}

void store_batch_counters(struct store_batch *batch, const struct store_counters *c)
{
	batch->counters = *c;
	batch->has_counters = 1;
}

void store_batch_outbox(struct store_batch *batch, const struct store_outbox *o)
{
	struct store_batch_outbox *row = store_rows_add(&batch->outbox, sizeof(*row));

	row->id = store_batch_copy_str(batch, o->id);
	row->kind = store_batch_copy_str(batch, o->kind);
	row->account = store_batch_copy_str(batch, o->account ? o->account : "");
	row->actor = store_batch_copy_str(batch, o->actor);
	row->record = store_batch_copy(batch, o->record ? o->record : "{}",
	                               o->record ? o->record_len : 2);
	row->note = store_batch_copy_str(batch, o->note);
	row->created_ms = o->created_ms;
}
