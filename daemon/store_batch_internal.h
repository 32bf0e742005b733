/*
 * store_batch_internal.h - the rows of a batch, shared by store_batch.c,
 * which fills a batch on the main thread, and store_commit.c, which writes
 * it on a worker thread. Every string and blob is an offset into the
 * batch's arena (a span), since the arena moves when it grows.
 */
#ifndef WARMTH_STORE_BATCH_INTERNAL_H
#define WARMTH_STORE_BATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/idset.h"
#include "warmth/ratio.h"
#include "warmth/store.h"
#include "warmth/util.h"

/* Marks an absent (SQL NULL) string in a span. */
#define STORE_SPAN_NULL SIZE_MAX

/* Bytes [off, off + len) of the batch's arena; len STORE_SPAN_NULL for NULL. */
struct store_span {
	size_t off;
	size_t len;
};

struct store_batch_account {
	uint32_t id;
	struct store_span name, budget, ratio;
	int64_t followers;
	int64_t connections;
	int64_t snapshot_ms;
};

struct store_batch_day {
	uint32_t account;
	struct ratio_series_day d;
};

struct store_batch_contact {
	uint32_t account;
	int8_t creator;
	struct store_span actor, name, headline, counts, tags, recent, score, rules;
	int64_t actor_connections;
	int64_t actor_followers;
	int64_t hints_ms;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	struct contact_relationship rel;
	int64_t rowid;              /* the contact's row, 0 if not known */
};

/* A contact row's rowid, learnt by the commit (store_batch_each_rowid). */
struct store_batch_rowid {
	size_t row;
	int64_t rowid;
};

struct store_batch_file {
	struct store_file f; /* f.path unused: see path */
	struct store_span path;
};

struct store_batch_reject {
	struct store_span file, detail, line;
	uint64_t offset;
	enum event_reject reason;
	int64_t wall_ms;
};

struct store_batch_outbox {
	struct store_span id, kind, account, actor, record, note;
	int64_t created_ms;
};

/* A growable array of fixed-size rows. */
struct store_rows {
	void *items;
	size_t count;
	size_t cap;
};

struct store_batch {
	struct buf arena;
	struct store_rows accounts;     /* struct store_batch_account */
	struct store_rows contacts;     /* struct store_batch_contact */
	struct store_rows files;        /* struct store_batch_file */
	struct store_rows file_deletes; /* int64_t */
	/* The seen ids as the seen_ids row's blob holds them, STORE_SEEN_BYTES
	   each (store_batch_dedup), and the range of their event times. */
	struct store_rows seen;
	int64_t seen_min_ts, seen_max_ts;
	struct store_rows rejects;      /* struct store_batch_reject */
	struct store_rows outbox;       /* struct store_batch_outbox */
	struct store_rows days;         /* struct store_batch_day */
	struct store_rows rowids;       /* struct store_batch_rowid, filled by the commit */
	/* Ids older than the window's floor, for old_ids (store_ids.c). */
	struct store_rows old;          /* struct idset_slot */
	int has_prune;
	int64_t prune_before_ms;
	int64_t ids_prune_before_ms;    /* 0: none */
	int has_counters;
	struct store_counters counters;
	/* Commit scratch: contact row numbers in key order (see store_commit_contacts). */
	uint32_t *order;
	size_t order_cap;
};

/* Returns a pointer to a new row at the end of rows, growing it by doubling. */
void *store_rows_add(struct store_rows *rows, size_t size);

#endif
