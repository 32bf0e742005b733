/*
 * engine_cache.c - the contacts in memory: a cache of about
 * state.contact_cache of them over the contacts table, so that memory is
 * bounded by the cache and not by the network (a million followers, or a
 * flood of made-up actors).
 *
 * With no more contacts in the database than the cache holds, all of
 * them are loaded at start and memory is the whole truth, as it always
 * was. Beyond that the start loads none (READY does not wait for a
 * million rows), the cache is "cold" and a contact that is not in memory
 * is read from the database, through a read-only handle of the loop's
 * own, when an event, a command or a view needs it.
 *
 * Letting go: after each commit, a clock hand walks the contacts
 * (uthash's insertion-order list, account after account) and frees those
 * beyond the cache's size that nothing holds: not dirty, committed (the
 * batch they were last copied into is on disk, so a read gives them back
 * as they are), not on the readiness watch list and not counted ready.
 * A contact used since the hand last passed gets a second chance. While
 * a backlog is read between commits, a batch closes early once the
 * cache has outgrown its size by half, so that commits let contacts
 * go at the pace they come.
 *
 * What stays whatever the size: contacts on the watch list (those that
 * time alone can make ready, or that are ready or have fired), since a
 * sweep must find them. They are the few worth inviting, not the crowd.
 *
 * Readiness needs everyone looked at once at start and after a reload:
 * when cold, the rescan walks the database in rowid order, a chunk per
 * loop turn (an idle handle, on only while it runs), and puts the
 * contacts that may be ready (engine_rules_candidate) on the watch list;
 * the sweep after its end evaluates them. A reload that rebuilds scores
 * does so a chunk per commit (engine_rescore.c).
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "engine_internal.h"

/* Rows the rescan reads per loop turn: a few milliseconds of the loop. */
#define ENGINE_RESCAN_CHUNK 2048
/* The key filter's memory at most (some 100M keys); past it every miss reads. */
#define ENGINE_KEYS_MAX_BYTES ((size_t)128 << 20)

/* A contact's key for the filter: its actor, seeded with its account. */
static struct hash128 engine_cache_key(const struct engine *e, uint32_t account,
                                       const char *actor, size_t len)
{
	return hash128_seeded(actor, len, e->accounts[account].seed ^ UINT64_C(0x6b657973));
}

static void engine_cache_key_add(void *ctx, uint32_t account, const char *actor, size_t len)
{
	struct engine *e = ctx;

	if (account < e->naccounts)
		keyfilter_add(&e->keys, engine_cache_key(e, account, actor, len));
}

static size_t engine_cache_slack(const struct engine *e)
{
	return e->conf->contact_cache / 2 > 0 ? e->conf->contact_cache / 2 : 1;
}

/* A zeroed contact with room for a key of len bytes (and its NUL). */
static struct engine_contact *engine_contact_new(size_t len)
{
	return xcalloc(1, sizeof(struct engine_contact) + len + 1);
}

void engine_contact_free(struct engine_contact *ec)
{
	contact_free(&ec->c);
	free(ec);
}

struct engine_contact *engine_contact_detached(struct contact *c)
{
	struct engine_contact *ec = engine_contact_new(c->actor_len);

	ec->c = *c;
	memcpy(ec->key, c->actor, c->actor_len);
	ec->detached = 1;
	return ec;
}

struct engine_contact *engine_contact_in_memory(const struct engine *e, uint32_t account,
                                                const char *actor, size_t len, unsigned *hash)
{
	struct engine_contact *ec = NULL;

	HASH_VALUE(actor, len, *hash);
	if (account < e->naccounts)
		HASH_FIND_BYHASHVALUE(hh, e->accounts[account].contacts, actor, len, *hash, ec);
	return ec;
}

/* Puts ec (its key set) into its account's table. */
static void engine_cache_add(struct engine *e, struct engine_contact *ec, unsigned hash)
{
	struct engine_account *a = &e->accounts[ec->c.account];

	HASH_ADD_KEYPTR_BYHASHVALUE(hh, a->contacts, ec->key, ec->c.actor_len, hash, ec);
	/*
	 * uthash doubles its buckets only when one chain reaches 10 entries
	 * (HASH_BKT_CAPACITY_THRESH: its header sets it, whatever was defined
	 * before, and lower values double the table at every chain of a few),
	 * which leaves about 1.5 contacts a bucket: a lookup then walks 1.8
	 * entries, a cache miss each. Doubling when the table passes half a
	 * contact a bucket keeps a lookup near 1.2 entries, for 16 bytes a bucket.
	 */
	UT_hash_table *tbl = a->contacts->hh.tbl;
	if (tbl->num_items > tbl->num_buckets / 2 && !tbl->noexpand) {
		int oomed = 0;
		(void)oomed;
		HASH_EXPAND_BUCKETS(hh, tbl, oomed);
	}
	ec->ref = 1;
	e->ncached++;
	e->key_index_valid = 0;
	if (e->ncached > e->cache_trigger)
		e->cache_over = 1;
}

struct engine_contact *engine_contact_adopt(struct engine *e, struct contact *c, unsigned hash)
{
	struct engine_contact *ec = engine_contact_detached(c);

	ec->detached = 0;
	engine_cache_add(e, ec, hash);
	return ec;
}

/*
 * A contact not in memory, from the database into the cache: the contact,
 * or NULL with *rc 1 when it was never stored (the key filter may know
 * without a read) or -1 when it could not be read.
 */
static struct engine_contact *engine_cache_fetch(struct engine *e, uint32_t account,
                                                 const char *actor, size_t len, unsigned hash,
                                                 int *rc)
{
	struct contact c;

	*rc = 1;
	if (!e->cold || !keyfilter_may_have(&e->keys, engine_cache_key(e, account, actor, len)))
		return NULL;
	*rc = store_find_contact(e->reader, account, actor, len, &c);
	return *rc == 0 ? engine_contact_adopt(e, &c, hash) : NULL;
}

struct engine_contact *engine_contact_get(struct engine *e, uint32_t account, const char *actor,
                                          size_t len, unsigned hash)
{
	struct engine_account *a = &e->accounts[account];
	struct engine_contact *ec;
	int rc;

	HASH_FIND_BYHASHVALUE(hh, a->contacts, actor, len, hash, ec);
	if (ec != NULL) {
		ec->ref = 1;
		return ec;
	}
	if ((ec = engine_cache_fetch(e, account, actor, len, hash, &rc)) != NULL)
		return ec;
	/*
	 * Going on would make a new contact over the stored one, and the
	 * next commit would write it: the stored counts would be lost. An
	 * exit loses nothing: the lines since the last commit are read again.
	 */
	if (rc < 0)
		fatalx("%s: cannot read contact %.*s of the cache's database; exiting, the lines "
		       "since the last commit are read again at the next start",
		       e->conf->database, (int)len, actor);
	engine_cache_key_add(e, account, actor, len);
	ec = engine_contact_new(len);
	contact_init(&ec->c, account, actor, len);
	memcpy(ec->key, actor, len);
	engine_cache_add(e, ec, hash);
	e->ncontacts++;
	e->new_building++;
	return ec;
}

struct engine_contact *engine_contact_lookup(struct engine *e, uint32_t account,
                                             const char *actor, char *err, size_t errlen)
{
	size_t len = strlen(actor);
	unsigned hash;
	int rc;
	struct engine_contact *ec = engine_contact_in_memory(e, account, actor, len, &hash);

	if (ec != NULL)
		return ec;
	ec = engine_cache_fetch(e, account, actor, len, hash, &rc);
	if (rc < 0)
		snprintf(err, errlen, "cannot read contact \"%s\" from %s", actor, e->conf->database);
	return ec;
}

/* The contact under the hand, moving it on; NULL when the cache is empty. */
static struct engine_contact *engine_cache_hand_next(struct engine *e)
{
	for (uint32_t tries = 0; tries <= e->naccounts; tries++) {
		struct engine_contact *ec = e->hand;
		if (ec == NULL) {
			if (e->hand_account >= e->naccounts)
				e->hand_account = 0;
			ec = e->accounts[e->hand_account].contacts;
			if (ec == NULL) {
				e->hand_account++;
				continue;
			}
		}
		e->hand = ec->hh.next;
		if (e->hand == NULL)
			e->hand_account++;
		return ec;
	}
	return NULL;
}

/* Whether nothing holds ec but the cache (see the top of the file). */
static int engine_cache_free_to_go(const struct engine *e, const struct engine_contact *ec)
{
	return !ec->dirty && !ec->watched && ec->ready == ENGINE_READY_NO &&
	       ec->seq <= e->committed_seq;
}

void engine_cache_evict(struct engine *e)
{
	size_t cap = e->conf->contact_cache, dropped = 0;
	/* Two turns at most: the first may only clear second chances. */
	size_t budget = 2 * e->ncached;

	if (e->ncached > cap && e->ncached > e->evict_floor) {
		while (e->ncached > cap && budget-- > 0) {
			struct engine_contact *ec = engine_cache_hand_next(e);
			if (ec == NULL)
				break;
			if (!engine_cache_free_to_go(e, ec))
				continue;
			if (ec->ref) {
				ec->ref = 0;
				continue;
			}
			HASH_DELETE(hh, e->accounts[ec->c.account].contacts, ec);
			engine_contact_free(ec);
			e->ncached--;
			dropped++;
		}
		if (dropped > 0) {
			e->cold = 1;
			e->key_index_valid = 0;
		}
		/* What is left is held: wait for it to grow before walking again. */
		e->evict_floor = e->ncached > cap ? e->ncached + engine_cache_slack(e) / 8 : 0;
		log_debug("contact cache: %zu let go, %zu in memory", dropped, e->ncached);
	}
	e->cache_trigger = (e->ncached > cap ? e->ncached : cap) + engine_cache_slack(e);
}

static void engine_cache_load_one(void *ctx, struct contact *c)
{
	struct engine *e = ctx;
	unsigned hash;

	if (c->account >= e->naccounts) {
		log_warnx("contact %s refers to unknown account %u; skipped", c->actor, c->account);
		contact_free(c);
		return;
	}
	if (engine_contact_in_memory(e, c->account, c->actor, c->actor_len, &hash) != NULL) {
		contact_free(c); /* memory is newer */
		return;
	}
	engine_cache_key_add(e, c->account, c->actor, c->actor_len);
	engine_contact_adopt(e, c, hash);
	/* Not a time beyond time.future_tolerance an older version let in (engine_clock_heal). */
	if (c->last_seen_ms > e->counters.newest_ms && c->last_seen_ms <= e->ts_limit_ms)
		e->counters.newest_ms = c->last_seen_ms;
}

int engine_cache_load_all(struct engine *e)
{
	if (store_load_contacts(e->reader, engine_cache_load_one, e) < 0)
		return -1;
	e->cold = 0;
	e->evict_floor = 0;
	e->cache_over = 0;
	return 0;
}

int engine_cache_start(struct engine *e)
{
	/* The reader: its page cache is small, the writer's is for commits. */
	int64_t n = store_count_contacts(e->reader);

	e->batch_seq = 1;
	e->cache_trigger = e->conf->contact_cache + engine_cache_slack(e);
	if (n < 0)
		return -1;
	e->ncontacts = n;
	/* Room for the stored keys and as many again before it grows. */
	keyfilter_init(&e->keys, 2 * ((size_t)n > e->conf->contact_cache ? (size_t)n
	                                                                 : e->conf->contact_cache),
	               ENGINE_KEYS_MAX_BYTES);
	if ((uint64_t)n <= e->conf->contact_cache)
		return engine_cache_load_all(e);
	/* The keys alone, from their index: a fraction of reading the contacts. */
	if (store_scan_keys(e->reader, engine_cache_key_add, e) < 0)
		return -1;
	/* Too many to hold: none now, each when needed. The clock came with
	   the counters (engine_start); only a database written before they
	   kept it is scanned for it. */
	if (e->counters.newest_ms == 0) {
		int64_t newest = store_newest_event_ms(e->reader, INT64_MAX);
		if (newest < 0)
			return -1;
		e->counters.newest_ms = newest;
	}
	e->cold = 1;
	log_info("%lld contacts, more than state.contact_cache (%u): read from the database as "
	         "needed",
	         (long long)n, e->conf->contact_cache);
	return 0;
}

static void engine_cache_rescan_one(void *ctx, struct contact *c)
{
	struct engine *e = ctx;
	int64_t now = engine_rules_now(e);
	size_t segment;
	unsigned hash;
	struct engine_contact *ec = engine_contact_in_memory(e, c->account, c->actor,
	                                                     c->actor_len, &hash);

	e->rescan_seen++;
	if (ec != NULL) {
		/* Memory is newer. Watched by engine_rules_watch_all or evaluated
		   since, unless a command or a view read it in meanwhile. */
		if (!ec->watched && engine_rules_candidate(e, &ec->c, now, &segment))
			engine_rules_watch(e, ec);
		contact_free(c);
		return;
	}
	if (c->account >= e->naccounts || !engine_rules_candidate(e, c, now, &segment)) {
		contact_free(c);
		return;
	}
	ec = engine_contact_adopt(e, c, hash);
	engine_rules_watch(e, ec);
	e->rescan_watched++;
}

static void engine_cache_rescan_cb(uv_idle_t *handle)
{
	struct engine *e = handle->data;
	int n = store_scan_candidates(e->reader, &e->rescan_after, ENGINE_RESCAN_CHUNK,
	                              engine_cache_rescan_one, e);

	/* A signal stops it; --once finishes it first, for what it fires. */
	if (n > 0 && !(e->stopping && !e->once))
		return;
	uv_idle_stop(&e->rescan);
	e->rescan_on = 0;
	if (n < 0) {
		log_warnx("rescan of %s for readiness stopped: some contacts are not watched until "
		          "their next event or the next reload",
		          e->conf->database);
		return;
	}
	log_info("rescan: %zu contacts of the database looked at, %zu watched for readiness",
	         e->rescan_seen, e->rescan_watched);
	/* The candidates are on the watch list: the next batch sweeps it. */
	e->sweep_due = 1;
	if (e->store != NULL && (!e->stopping || e->once))
		engine_batch_opened(e);
	engine_maybe_finish(e);
}

void engine_cache_rescan_start(struct engine *e)
{
	if (e->reader == NULL)
		return;
	e->rescan_after = 0;
	e->rescan_seen = e->rescan_watched = 0;
	if (e->rescan_on)
		return;
	e->rescan_on = 1;
	uv_idle_start(&e->rescan, engine_cache_rescan_cb);
}

/* What engine_cache_free() hands to a thread: every account's table. */
struct engine_cache_corpse {
	uv_thread_t thread;
	struct engine_contact **heads;
	uint32_t n;
};

static void engine_cache_bury(void *arg)
{
	struct engine_cache_corpse *cc = arg;

	for (uint32_t i = 0; i < cc->n; i++) {
		struct engine_contact *ec, *tmp, *head = cc->heads[i];
		UT_hash_table *tbl = head ? head->hh.tbl : NULL;
		/* Not HASH_DEL one by one: unlinking touches each neighbour (a
		   cache miss apiece), and the whole table goes anyway. HASH_CLEAR
		   would read the table through the head, freed by then. */
		HASH_ITER(hh, head, ec, tmp) {
			engine_contact_free(ec);
		}
		if (tbl != NULL) {
			free(tbl->buckets);
			free(tbl);
		}
	}
}

/*
 * Freeing a large cache is a million small frees (0.2 s at 100k busy
 * contacts), and at exit the database's last checkpoint (copying the WAL
 * into the file, 0.25-0.35 s) comes next: the contacts are freed on a
 * thread of their own meanwhile, and engine_cache_free_wait() joins it.
 * Nothing reads them any more: the accounts forget them here.
 */
void engine_cache_free(struct engine *e)
{
	struct engine_cache_corpse *cc = xcalloc(1, sizeof(*cc));

	cc->heads = xcalloc(e->naccounts ? e->naccounts : 1, sizeof(*cc->heads));
	cc->n = e->naccounts;
	for (uint32_t i = 0; i < e->naccounts; i++) {
		cc->heads[i] = e->accounts[i].contacts;
		e->accounts[i].contacts = NULL;
	}
	e->ncached = 0;
	if (uv_thread_create(&cc->thread, engine_cache_bury, cc) == 0) {
		e->cache_corpse = cc;
	} else {
		engine_cache_bury(cc); /* no thread: here, at once */
		free(cc->heads);
		free(cc);
	}
	keyfilter_free(&e->keys);
	if (e->reader != NULL)
		store_close(e->reader);
	e->reader = NULL;
}

void engine_cache_free_wait(struct engine *e)
{
	struct engine_cache_corpse *cc = e->cache_corpse;

	if (cc == NULL)
		return;
	uv_thread_join(&cc->thread);
	free(cc->heads);
	free(cc);
	e->cache_corpse = NULL;
}
