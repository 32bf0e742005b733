/*
 * engine_rescore.c - rebuilding every score after a reload when the
 * contact cache is cold (engine_cache.c): the contacts not in memory are
 * rebuilt a chunk at a time, each chunk committed before the next is
 * read, so that memory stays that of the cache and not that of every
 * contact. (With every contact in memory, engine_rules_reloaded rebuilds
 * them in place at once.)
 *
 * Reading pauses for the while: no event changes a contact during the
 * pass, so each row is rebuilt exactly once, from the old figures to the
 * new. The pass starts once nothing is in flight or uncommitted (a
 * contact with no row yet would be missed), then walks the scored rows
 * up to the largest rowid of that moment in rowid order, a chunk per
 * commit (4,096 rows, or half the cache if that is less): a row in
 * memory is rebuilt there (once: a flag), one that is not is read in,
 * rebuilt and marked dirty; the commit writes them, and
 * the cache lets them go as usual. When the last chunk is committed,
 * reading resumes and readiness is looked at again (the sweep and, cold,
 * the rescan), under the new figures.
 *
 * Views during the pass may show the old warmth of contacts not yet
 * rebuilt. A stop during the pass ends it: the contacts not yet rebuilt
 * keep the old figures' sums (said in the log), as a stop before the
 * commit of an all-in-memory rebuild would.
 */
#include <string.h>

#include "warmth/log.h"
#include "warmth/score.h"
#include "engine_internal.h"

/* Rows rebuilt per commit: a few milliseconds of the loop, a small batch;
   at most half the cache, so that the pass stays within its bound. */
#define ENGINE_RESCORE_CHUNK 4096

static size_t engine_rescore_chunk(const struct engine *e)
{
	size_t half = e->conf->contact_cache / 2;

	return half < 1 ? 1 : half < ENGINE_RESCORE_CHUNK ? half : ENGINE_RESCORE_CHUNK;
}

static void engine_rescore_rebuild(struct engine *e, struct engine_contact *ec)
{
	if (ec->rescored || ec->c.score == NULL)
		return;
	if (!score_rebuild(ec->c.score, &e->rescore_from, &e->conf->scoring))
		e->rescore_partial++;
	ec->rescored = 1;
	e->rescore_rows++;
	engine_mark_dirty(e, ec);
}

static void engine_rescore_row(void *ctx, struct contact *c)
{
	struct engine *e = ctx;
	unsigned hash;
	struct engine_contact *ec;

	if (c->account >= e->naccounts) {
		contact_free(c);
		return;
	}
	ec = engine_contact_in_memory(e, c->account, c->actor, c->actor_len, &hash);
	if (ec != NULL)
		contact_free(c); /* memory is newer */
	else
		ec = engine_contact_adopt(e, c, hash);
	engine_rescore_rebuild(e, ec);
}

static void engine_rescore_finish(struct engine *e, const char *why)
{
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_contact *ec, *tmp;
		HASH_ITER(hh, e->accounts[i].contacts, ec, tmp) {
			ec->rescored = 0;
		}
	}
	e->rescore_on = 0;
	if (why != NULL) {
		log_warnx("reload: rebuilding the scores stopped (%s) after %zu contacts: those after "
		          "them keep sums of the old scoring settings",
		          why, e->rescore_rows);
		return;
	}
	log_notice("reload: %zu scores rebuilt from their engagement history, a chunk per commit",
	           e->rescore_rows);
	if (e->rescore_partial > 0)
		log_notice("reload: %zu of them had more engagements than their history keeps: the "
		           "older part was carried over as it was",
		           e->rescore_partial);
	/* Readiness under the new figures, now that every score has them. */
	e->sweep_due = 1;
	if (e->cold)
		engine_cache_rescan_start(e);
	if (!e->stopping)
		tail_resume(e->tail);
	engine_batch_opened(e);
	engine_maybe_finish(e);
}

void engine_rescore_start(struct engine *e, const struct score_params *from)
{
	e->rescore_from = *from;
	e->rescore_bound = -1; /* read by the first step, once nothing is uncommitted */
	e->rescore_after = 0;
	e->rescore_rows = e->rescore_partial = 0;
	e->rescore_on = 1;
	tail_pause(e->tail);
	log_notice("reload: the scoring settings changed; rebuilding every score, reading paused");
	/* The pass begins after the commit of what is in hand. */
	engine_batch_opened(e);
}

void engine_rescore_step(struct engine *e)
{
	if (!e->rescore_on || e->in_flight || e->failing)
		return;
	if (e->stopping && !e->once) {
		engine_rescore_finish(e, "the daemon stops");
		return;
	}
	/* Something not yet committed: its commit first (a new contact has no row). */
	if (e->new_building > 0 || e->batch_lines > 0) {
		engine_batch_opened(e);
		engine_batch_close(e);
		return;
	}
	/*
	 * Nothing in flight nor uncommitted, and reading paused: every
	 * contact has its row, and no row comes until the pass is done.
	 */
	if (e->rescore_bound < 0 && (e->rescore_bound = store_max_contact_rowid(e->reader)) < 0) {
		engine_rescore_finish(e, "the contacts could not be read");
		return;
	}
	int n = store_scan_scored(e->reader, &e->rescore_after, e->rescore_bound,
	                          engine_rescore_chunk(e), engine_rescore_row, e);
	if (n < 0) {
		engine_rescore_finish(e, "the contacts could not be read");
		return;
	}
	if (n == 0) {
		engine_rescore_finish(e, NULL);
		return;
	}
	engine_batch_opened(e);
	engine_batch_close(e);
}
