/*
 * engine_commit.c - committing the batches the engine closed: the commit
 * on libuv's thread pool, its result back on the loop (retry with backoff,
 * rowids learnt, the outbox kicked, the next batch closed if one waits),
 * and the WAL checkpoints from a second store handle beside the commits.
 */
#include "warmth/log.h"
#include "engine_internal.h"

static void engine_work(uv_work_t *req)
{
	struct engine *e = req->data;

	/* Runs on the thread pool: touches only the store and the committing batch. */
	uint64_t start = uv_hrtime();
	e->commit_items = store_batch_items(e->committing);
	e->commit_rc = store_commit(e->store, e->committing, e->commit_err, sizeof(e->commit_err));
	e->commit_ns = uv_hrtime() - start;
	if (e->commit_rc == 0)
		e->dead_letter_rc = store_flush_dead_letter(e->store, e->conf->dead_letter,
		                                            e->dead_letter_err,
		                                            sizeof(e->dead_letter_err));
}

/*
 * A checkpoint copies the WAL into the database and syncs it: tens of
 * milliseconds that SQLite's automatic checkpoint would spend inside a
 * commit, holding back every line that waits for it (the latency
 * benchmark's p99). Here it runs on the thread pool from a second handle
 * while the next commits go on (SQLite allows one checkpointer beside the
 * writer in WAL mode).
 */
static void engine_checkpoint_work(uv_work_t *req)
{
	struct engine *e = req->data;

	e->checkpoint_rc = store_checkpoint(e->checkpointer, e->checkpoint_err,
	                                    sizeof(e->checkpoint_err));
}

static void engine_checkpoint_done(uv_work_t *req, int status)
{
	struct engine *e = req->data;

	(void)status;
	e->checkpoint_in_flight = 0;
	if (e->checkpoint_rc != 0)
		log_warnx("%s (the next commit retries)", e->checkpoint_err);
	engine_maybe_finish(e);
}

/*
 * A backlog checkpoints at a long WAL: its batches rewrite most contact
 * pages, and each page then reaches the file once per checkpoint instead
 * of once per batch. Live commits are small, but each rewrites whole
 * pages (about 1.6 KB of WAL an event at 10,000 events/s), and the
 * checkpoint's sync of a 64 MiB WAL holds the disk for as long as it
 * takes to write it: a notifier's fsync waiting behind it was the
 * latency benchmark's p99. So once the inputs are read to their end the
 * WAL is checkpointed at a sixteenth of that, in short syncs.
 */
static void engine_checkpoint_maybe(struct engine *e)
{
	int limit = e->committing_live ? STORE_CHECKPOINT_PAGES_LIVE : STORE_CHECKPOINT_PAGES;

	if (e->checkpointer == NULL || e->checkpoint_in_flight || e->stopping ||
	    store_wal_pages(e->store) < limit)
		return;
	e->checkpoint_in_flight = 1;
	e->checkpoint_work.data = e;
	uv_queue_work(e->loop, &e->checkpoint_work, engine_checkpoint_work, engine_checkpoint_done);
}

static void engine_retry_cb(uv_timer_t *handle)
{
	engine_submit(handle->data);
}

/* A contact's row, learnt by the commit: its next commits update it by rowid. */
static void engine_learn_rowid(void *ctx, uint32_t account, const char *actor, size_t len,
                               int64_t rowid)
{
	unsigned hash;
	struct engine_contact *ec = engine_contact_in_memory(ctx, account, actor, len, &hash);

	if (ec != NULL)
		ec->c.rowid = rowid;
}

static void engine_work_done(uv_work_t *req, int status)
{
	struct engine *e = req->data;

	(void)status;
	e->in_flight = 0;
	metrics_histogram_observe(&e->commit_seconds, (double)e->commit_ns / 1e9);
	if (e->commit_rc != 0) {
		log_err("cannot commit to %s: %s; retrying in %lld ms (reading is paused)",
		        e->conf->database, e->commit_err, (long long)e->retry_ms);
		e->failing = 1;
		tail_pause(e->tail);
		uv_timer_start(&e->retry, engine_retry_cb, (uint64_t)e->retry_ms, 0);
		e->retry_ms = e->retry_ms * 2 > ENGINE_RETRY_MAX_MS ? ENGINE_RETRY_MAX_MS
		                                                    : e->retry_ms * 2;
		return;
	}
	log_debug("committed %zu items in %.1f ms", e->commit_items, (double)e->commit_ns / 1e6);
	if (e->failing)
		log_notice("commit to %s works again", e->conf->database);
	e->failing = 0;
	e->retry_ms = ENGINE_RETRY_MIN_MS;
	e->committed_seq = e->committing_seq;
	store_batch_each_rowid(e->committing, engine_learn_rowid, e);
	engine_cache_evict(e);
	if (e->dead_letter_rc != 0)
		log_warnx("dead-letter file %s: %s (rejected lines stay queued)", e->conf->dead_letter,
		          e->dead_letter_err);
	store_batch_reset(e->committing);
	engine_checkpoint_maybe(e);
	/* Before the next batch is submitted: the outbox writes while the writer is idle. */
	if (e->outbox != NULL)
		outbox_kick(e->outbox);
	if (e->want_close) {
		e->want_close = 0;
		engine_batch_close(e);
	}
	/* After the reset above: the step may close (and submit) a batch. */
	engine_rescore_step(e);
	/* A rescore keeps reading paused until it is done (engine_rescore.c). */
	if (!e->stopping && !e->rescore_on)
		tail_resume(e->tail);
	engine_maybe_finish(e);
}

void engine_submit(struct engine *e)
{
	e->in_flight = 1;
	e->work.data = e;
	uv_queue_work(e->loop, &e->work, engine_work, engine_work_done);
}
