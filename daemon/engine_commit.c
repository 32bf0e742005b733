/*
 * engine_commit.c - committing the batches the engine closed: the commit
 * on libuv's thread pool, its result back on the loop (retry with backoff,
 * rowids learnt, the outbox kicked, the next batch closed if one waits),
 * and the WAL checkpoints from a second store handle beside the commits.
 */
#include <stdlib.h>

#include "warmth/log.h"
#include "engine_internal.h"

static void engine_work(uv_work_t *req)
{
	struct engine_commit_job *job = req->data;

	/* Runs on the thread pool: touches only the job (its store handle,
	   its batch and its own copy of the dead-letter path). */
	uint64_t start = uv_hrtime();
	job->items = store_batch_items(job->batch);
	job->rc = store_commit(job->store, job->batch, job->err, sizeof(job->err));
	job->ns = uv_hrtime() - start;
	job->dead_letter_rc = 0;
	if (job->rc == 0)
		job->dead_letter_rc = store_flush_dead_letter(job->store, job->dead_letter,
		                                              job->dead_letter_err,
		                                              sizeof(job->dead_letter_err));
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
	struct engine_checkpoint_job *job = req->data;

	job->rc = store_checkpoint(job->store, job->err, sizeof(job->err));
}

static void engine_checkpoint_done(uv_work_t *req, int status)
{
	struct engine *e = ((struct engine_checkpoint_job *)req->data)->engine;

	(void)status;
	e->checkpoint_in_flight = 0;
	if (e->checkpoint.rc != 0)
		log_warnx("%s (the next commit retries)", e->checkpoint.err);
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
	e->checkpoint.engine = e;
	e->checkpoint.store = e->checkpointer;
	e->checkpoint.req.data = &e->checkpoint;
	uv_queue_work(e->loop, &e->checkpoint.req, engine_checkpoint_work, engine_checkpoint_done);
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
	struct engine_commit_job *job = req->data;
	struct engine *e = job->engine;

	(void)status;
	e->in_flight = 0;
	/* Ends the lookups' read: the next see this commit, or it failed. */
	engine_dedup_release(e);
	metrics_histogram_observe(&e->commit_seconds, (double)job->ns / 1e9);
	if (job->dead_letter_rc != 0)
		log_warnx("dead-letter file %s: %s (rejected lines stay queued)", job->dead_letter,
		          job->dead_letter_err);
	free(job->dead_letter);
	job->dead_letter = NULL;
	if (job->rc != 0) {
		log_err("cannot commit to %s: %s; retrying in %lld ms (reading is paused)",
		        e->conf->database, job->err, (long long)e->retry_ms);
		e->failing = 1;
		tail_pause(e->tail);
		uv_timer_start(&e->retry, engine_retry_cb, (uint64_t)e->retry_ms, 0);
		e->retry_ms = e->retry_ms * 2 > ENGINE_RETRY_MAX_MS ? ENGINE_RETRY_MAX_MS
		                                                    : e->retry_ms * 2;
		return;
	}
	log_debug("committed %zu items in %.1f ms", job->items, (double)job->ns / 1e6);
	if (e->failing)
		log_notice("commit to %s works again", e->conf->database);
	e->failing = 0;
	e->retry_ms = ENGINE_RETRY_MIN_MS;
	e->committed_seq = e->committing_seq;
	/* The window's move is on disk: memory may let those ids go. */
	engine_dedup_committed(e);
	/* Pushed lines wait for their batch's commit (engine_push.c). */
	if (e->on_commit != NULL)
		e->on_commit(e->on_commit_ctx);
	store_batch_each_rowid(e->committing, engine_learn_rowid, e);
	engine_cache_evict(e);
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
	struct engine_commit_job *job = &e->commit;

	e->in_flight = 1;
	job->engine = e;
	job->store = e->store;
	job->batch = e->committing;
	/* The pool's own copy: a reload may free the config it comes from
	   while the commit runs (two reloads free the config of the first). */
	job->dead_letter = xstrdup(e->conf->dead_letter);
	job->req.data = job;
	uv_queue_work(e->loop, &job->req, engine_work, engine_work_done);
}
