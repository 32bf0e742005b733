/*
 * engine_views.c - the read commands of the control socket answered from
 * the engine's memory: show, top, ready, export and metrics (engine.h,
 * docs/control-protocol.md), and the weekly plan (plan.h). The JSON is view.c's, the same as
 * warmthctl --db writes, but of the freshest state (what is not yet
 * committed too) and with warmth at the engine's "now".
 *
 * Lists come in pages. A request names where the previous page ended (an
 * opaque cursor) and how many it wants, at most ENGINE_VIEW_PAGE_MAX;
 * the answer is one page and the cursor of its end. Each page walks the
 * contacts once keeping the next limit of them in a heap (view.h), so it
 * costs the loop one pass and no memory beyond the page, and the next
 * page is made only when the client asks for it: a client that stops
 * reading holds one page of reply (the control server stops reading
 * one that pipelines more once its replies pass its share of
 * control.max_buffered, so the next pages are not made), never the loop,
 * ingestion or other clients. A walk over many pages is not a snapshot: each page
 * shows its contacts as they are when it is made; since contacts are
 * never deleted and the export order is by key, an export lists every
 * contact exactly once. Rank order (top, ready) moves with warmth, so a
 * contact whose warmth changes between pages may show twice or not at
 * all; top and ready are short lists, usually one page.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/view.h"
#include "warmth/view_outbox.h"
#include "warmth/view_search.h"
#include "control.h"
#include "engine.h"
#include "engine_internal.h"

/* About a MiB of JSON at most (a contact with its conditions and recent
   engagements is up to 2 KiB), well within the control server's queue. */
#define ENGINE_VIEW_PAGE_MAX 500

static struct view engine_view_of(const struct engine *e)
{
	struct view v = { e->conf, engine_rules_now(e) };
	return v;
}

static struct view_account engine_view_account(const struct engine *e,
                                               const struct engine_account *a, int64_t now)
{
	struct view_account va = { a->a.name, engine_rules_connections(a), 0, a->a.budget };

	if (a->a.budget != NULL)
		va.budget_used = rules_budget_used(a->a.budget, now,
		                                   e->conf->readiness.invite_window_ms,
		                                   rules_budget_hold_ms(&e->conf->readiness));
	return va;
}

/*
 * The account args.account names, or "default" when absent. Returns 0
 * with *out set, 1 when it is the implicit default account and there is
 * none yet (an empty answer, as warmthctl --db gives), or -1 with err.
 */
static int engine_view_find_account(struct engine *e, const struct control_request *req,
                                    struct engine_account **out, struct control_error *err)
{
	const char *name;
	struct buf names = { 0 };

	*out = NULL;
	if (control_arg_name(req, "account", &name, err) < 0)
		return -1;
	for (uint32_t i = 0; i < e->naccounts; i++)
		if (strcmp(e->accounts[i].a.name, name ? name : "default") == 0) {
			*out = &e->accounts[i];
			return 0;
		}
	if (name == NULL)
		return 1;
	for (uint32_t i = 0; i < e->naccounts; i++)
		buf_printf(&names, "%s\"%s\"", i ? ", " : "", e->accounts[i].a.name);
	control_fail(err, "not_found", "no account \"%s\" (accounts: %s)", name,
	             names.len ? buf_cstr(&names) : "none yet");
	buf_free(&names);
	return -1;
}

static int engine_view_show(struct engine *e, const struct control_request *req, struct json *out,
                            struct control_error *err)
{
	const char *actor;
	struct engine_account *a;
	struct engine_contact *ec = NULL;
	struct view v = engine_view_of(e);
	struct view_account va;
	int rc;

	if (control_arg_name(req, "actor", &actor, err) < 0)
		return -1;
	if (actor == NULL)
		return control_fail(err, "bad_argument", "\"actor\" (a string) is required");
	if ((rc = engine_view_find_account(e, req, &a, err)) < 0)
		return -1;
	if (rc == 0) {
		char rerr[256] = "";
		ec = engine_contact_lookup(e, (uint32_t)(a - e->accounts), actor, rerr, sizeof(rerr));
		if (ec == NULL && rerr[0] != '\0')
			return control_fail(err, "internal", "%s", rerr);
	}
	if (ec == NULL) {
		const char *account = control_arg_string(req, "account");
		return control_fail(err, "not_found", "no contact \"%s\" in account \"%s\"", actor,
		                    account ? account : "default");
	}
	va = engine_view_account(e, a, v.now_ms);
	view_contact_json(out, &v, &ec->c, &va);
	return 0;
}

/* What one page asks for (top, ready, export). */
struct engine_view_page {
	enum view_order order;
	int ready_only;
	const char *segment;         /* only this segment; NULL: all */
	const struct view_search *search; /* contacts: only names or actors holding it; NULL: all */
	struct view_rank after;      /* the cursor; have_after */
	int have_after;
	size_t limit;
};

static int engine_view_page_args(struct engine *e, const struct control_request *req,
                                 struct engine_view_page *p, char **owned,
                                 struct control_error *err)
{
	const char *after = control_arg_string(req, "after");
	long long limit = ENGINE_VIEW_PAGE_MAX;

	p->segment = control_arg_string(req, "segment");
	if (p->segment != NULL) {
		size_t i;
		for (i = 0; i < e->conf->nsegments; i++)
			if (strcmp(e->conf->segments[i].name, p->segment) == 0)
				break;
		if (i == e->conf->nsegments) {
			struct buf names = { 0 };
			for (i = 0; i < e->conf->nsegments; i++)
				buf_printf(&names, "%s%s", i ? ", " : "", e->conf->segments[i].name);
			control_fail(err, "bad_argument",
			             "--segment: no segment \"%s\" in the configuration (segments: %s)",
			             p->segment, buf_cstr(&names));
			buf_free(&names);
			return -1;
		}
	}
	if (control_arg_has(req, "limit") && control_arg_int(req, "limit", &limit) < 0)
		return control_fail(err, "bad_argument", "\"limit\" must be a whole number");
	if (limit < 1 || limit > ENGINE_VIEW_PAGE_MAX)
		return control_fail(err, "bad_argument", "\"limit\" must be 1 to %d",
		                    ENGINE_VIEW_PAGE_MAX);
	p->limit = (size_t)limit;
	if (after == NULL && control_arg_has(req, "after"))
		return control_fail(err, "bad_argument", "\"after\" must be a cursor (a string)");
	if (after != NULL) {
		if (view_cursor_parse(p->order, after, &p->after, owned) < 0)
			return control_fail(err, "bad_argument",
			                    "\"after\" is not a cursor of this command");
		p->have_after = 1;
	}
	return 0;
}

/*
 * Offers ec to the heap if it passes the page's filters. A detached
 * contact (read from the database for this page, engine_cache.c) is
 * freed when it is not kept or is pushed out. Returns whether it passed.
 */
static int engine_view_offer(const struct view *v, const struct engine_view_page *p,
                             const struct view_account *va, struct engine_contact *ec,
                             struct view_heap *h)
{
	struct view_rank r = { 0.0, 0, ec->c.account, ec->c.actor, ec };
	struct engine_contact *out;

	if (p->segment != NULL && strcmp(view_segment(v, &ec->c), p->segment) != 0)
		goto drop;
	if (p->search != NULL &&
	    !view_search_match(p->search, ec->c.name, ec->c.name != NULL ? strlen(ec->c.name) : 0) &&
	    !view_search_match(p->search, ec->c.actor, ec->c.actor_len))
		goto drop;
	if (p->order == VIEW_BY_RANK) {
		r.engagements = view_engagements(&ec->c);
		if (p->ready_only) {
			struct view_verdict vd;
			view_verdict(v, &ec->c, va, &vd);
			if (!vd.eligible)
				goto drop;
			r.warmth = vd.warmth;
		} else {
			r.warmth = view_warmth(v, &ec->c);
		}
	}
	if (p->have_after && !view_before(p->order, &p->after, &r))
		goto drop;
	out = view_heap_offer(h, &r);
	if (out != NULL && out->detached)
		engine_contact_free(out);
	return 1;
drop:
	if (ec->detached)
		engine_contact_free(ec);
	return 0;
}

/* A walk over the database's contacts for a page (cold cache). */
struct engine_view_scan {
	const struct view *v;
	struct engine *e;
	const struct engine_view_page *p;
	const struct view_account *va;
	struct view_heap *h;
	int64_t account;                /* export: only this one; -1 any */
	size_t offered;                 /* export: rows offered that passed */
	int done;                       /* export: past the account */
	char last[EVENT_ACTOR_MAX + 1];   /* export: the key of the last row read */
	uint32_t last_account;
};

/* Offers a row of the database unless memory holds that contact (newer). */
static void engine_view_scan_row(void *ctx, struct contact *c)
{
	struct engine_view_scan *sc = ctx;
	unsigned hash;

	sc->last_account = c->account;
	snprintf(sc->last, sizeof(sc->last), "%s", c->actor);
	if (sc->account >= 0 && c->account != (uint32_t)sc->account)
		sc->done = 1;
	if (sc->done ||
	    engine_contact_in_memory(sc->e, c->account, c->actor, c->actor_len, &hash) != NULL) {
		contact_free(c);
		return;
	}
	sc->offered += (size_t)engine_view_offer(sc->v, sc->p, sc->va, engine_contact_detached(c),
	                                         sc->h);
}

/*
 * A row of the rank scan (store_scan_ranks: no name, history or evidence)
 * for top with a cold cache: ranked as engine_view_offer would, and read
 * whole only when the heap would keep it, which few rows of a large
 * account are.
 */
static void engine_view_rank_row(void *ctx, const struct contact *c)
{
	struct engine_view_scan *sc = ctx;
	struct contact whole;
	unsigned hash;
	int rc;

	if (engine_contact_in_memory(sc->e, c->account, c->actor, c->actor_len, &hash) != NULL)
		return; /* memory is newer, and was offered */
	if (sc->p->segment != NULL && strcmp(view_segment(sc->v, c), sc->p->segment) != 0)
		return;
	struct view_rank r = { view_warmth(sc->v, c), view_engagements(c), c->account, c->actor,
		               NULL };
	if (sc->p->have_after && !view_before(sc->p->order, &sc->p->after, &r))
		return;
	if (!view_heap_wants(sc->h, &r))
		return;
	rc = store_find_contact(sc->e->reader, c->account, c->actor, c->actor_len, &whole);
	if (rc != 0) {
		log_warnx("%s: contact %s %s during a page of top", sc->e->conf->database, c->actor,
		          rc < 0 ? "could not be read" : "vanished");
		return;
	}
	engine_view_offer(sc->v, sc->p, sc->va, engine_contact_detached(&whole), sc->h);
}

/* Offers every contact of account a that passes to the heap. */
static void engine_view_walk(const struct view *v, struct engine *e, struct engine_account *a,
                             const struct engine_view_page *p, struct view_heap *h)
{
	struct view_account va = engine_view_account(e, a, v->now_ms);
	struct engine_contact *ec, *tmp;

	HASH_ITER(hh, a->contacts, ec, tmp) {
		engine_view_offer(v, p, &va, ec, h);
	}
	/*
	 * Cold: the rest are in the database. Not for ready once the rescan
	 * is over: a contact that may be ready is on the watch list, which
	 * stays in memory (engine_cache.c).
	 */
	if (e->cold && !(p->ready_only && !e->rescan_on)) {
		struct engine_view_scan sc = { v, e, p, &va, h, -1, 0, 0, "", 0 };
		uint32_t id = (uint32_t)(a - e->accounts);
		/* Ready needs every condition: those rows are read whole. */
		int rc = p->ready_only ? store_load_account_contacts(e->reader, id, engine_view_scan_row,
		                                                     &sc)
		                       : store_scan_ranks(e->reader, id, engine_view_rank_row, &sc);
		if (rc < 0)
			log_warnx("%s: a page of contacts lacks those not in memory", e->conf->database);
	}
}

/* (account, actor), the order of export and of its cursor (view_before). */
static int engine_view_key_cmp(const void *x, const void *y)
{
	const struct engine_contact *a = *(struct engine_contact *const *)x;
	const struct engine_contact *b = *(struct engine_contact *const *)y;

	if (a->c.account != b->c.account)
		return a->c.account < b->c.account ? -1 : 1;
	return strcmp(a->c.actor, b->c.actor);
}

/*
 * The key index, rebuilt when contacts were added since it was made: a
 * sort once per export instead of a walk over every contact per page,
 * which made a whole export quadratic in the contacts.
 */
static void engine_view_key_index(struct engine *e)
{
	size_t n = 0;

	if (e->key_index_valid)
		return;
	e->key_index = xrealloc(e->key_index, (e->ncached + 1) * sizeof(*e->key_index));
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_contact *ec, *tmp;
		HASH_ITER(hh, e->accounts[i].contacts, ec, tmp)
			e->key_index[n++] = ec;
	}
	qsort(e->key_index, n, sizeof(*e->key_index), engine_view_key_cmp);
	e->key_index_n = n;
	e->key_index_valid = 1;
}

/*
 * The database's part of an export page (cold cache): its rows after the
 * cursor in key order, those memory does not hold, until limit of them
 * passed (no later row can be among the page's first limit then).
 */
static void engine_view_export_stored(const struct view *v, struct engine *e, int64_t want,
                                      const struct engine_view_page *p, struct view_heap *h)
{
	struct engine_view_scan sc = { v, e, p, NULL, h, want, 0, 0, "", 0 };
	int64_t account = -1;

	if (p->have_after) {
		account = p->after.account;
		snprintf(sc.last, sizeof(sc.last), "%s", p->after.actor);
	}
	if (want >= 0 && account < want) {
		account = want;
		sc.last[0] = '\0';
	}
	/* A search passes few rows: read the most a page may hold at a time, not the page's few. */
	size_t chunk = p->search != NULL ? ENGINE_VIEW_PAGE_MAX : p->limit;

	while (!sc.done && sc.offered < p->limit) {
		int n = store_load_contacts_after(e->reader, account, sc.last, chunk,
		                                  engine_view_scan_row, &sc);
		if (n < 0) {
			log_warnx("%s: an export page lacks contacts not in memory", e->conf->database);
			return;
		}
		if ((size_t)n < chunk)
			break;
		account = sc.last_account;
	}
}

/*
 * One export page from the key index: a binary search for the first
 * contact after the cursor (and in the account asked for), then the next
 * ones that pass, up to the limit. Fills h as the walk would.
 */
static void engine_view_export_page(const struct view *v, struct engine *e,
                                    const struct engine_account *a,
                                    const struct engine_view_page *p, struct view_heap *h)
{
	int64_t want = a != NULL ? (int64_t)(a - e->accounts) : -1;
	size_t lo = 0, hi;

	engine_view_key_index(e);
	hi = e->key_index_n;
	/* Skipped: what is at or before the cursor, or in an account before the
	   one asked for; both are a prefix of the key order, so is either. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct engine_contact *ec = e->key_index[mid];
		struct view_rank r = { 0.0, 0, ec->c.account, ec->c.actor, NULL };
		int skipped = (p->have_after && !view_before(VIEW_BY_KEY, &p->after, &r)) ||
		              (int64_t)ec->c.account < want;
		if (skipped)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < e->key_index_n && h->count < p->limit; i++) {
		struct engine_contact *ec = e->key_index[i];
		if (want >= 0 && (int64_t)ec->c.account != want)
			break;
		engine_view_offer(v, p, NULL, ec, h);
	}
	if (e->cold)
		engine_view_export_stored(v, e, want, p, h);
}

/*
 * {"contacts":[...],"next":CURSOR}: next is null on the last page. A
 * full page may still be the last; the client learns it from an empty
 * next page (one more request, no more walks than pages).
 *
 * contacts is export's walk in key order with a search: args.search, a
 * case-insensitive substring of the name or the actor. A page walks from
 * the cursor until it holds limit matches, so a rare needle walks far,
 * but in one pass over memory and the database's rows in chunks of a
 * page, never holding more than one page.
 */
static int engine_view_list(struct engine *e, const struct control_request *req, struct json *out,
                            struct control_error *err)
{
	struct engine_view_page p = { 0 };
	struct engine_account *a = NULL;
	struct view v = engine_view_of(e);
	struct view_heap h;
	char *owned = NULL, cursor[VIEW_CURSOR_MAX];
	int contacts = strcmp(req->cmd, "contacts") == 0;
	int export = contacts || strcmp(req->cmd, "export") == 0, rc = 0;
	struct view_search search;
	const char *needle = contacts ? control_arg_string(req, "search") : NULL;

	if (contacts && needle == NULL && control_arg_has(req, "search"))
		return control_fail(err, "bad_argument", "\"search\" must be a string");
	if (needle != NULL && needle[0] != '\0') {
		if (view_search_init(&search, needle) < 0)
			return control_fail(err, "bad_argument",
			                    "\"search\" must be UTF-8 of at most %d bytes",
			                    VIEW_SEARCH_MAX);
		p.search = &search;
	}
	p.order = export ? VIEW_BY_KEY : VIEW_BY_RANK;
	p.ready_only = strcmp(req->cmd, "ready") == 0;
	if (engine_view_page_args(e, req, &p, &owned, err) < 0) {
		free(owned);
		return -1;
	}
	/* Export without an account is every account, as with --db. */
	if (!export || control_arg_has(req, "account"))
		rc = engine_view_find_account(e, req, &a, err);
	if (rc < 0) {
		free(owned);
		return -1;
	}
	view_heap_init(&h, p.order, p.limit);
	if (export)
		engine_view_export_page(&v, e, a, &p, &h);
	else if (a != NULL)
		engine_view_walk(&v, e, a, &p, &h);
	else if (rc == 0)
		for (uint32_t i = 0; i < e->naccounts; i++)
			engine_view_walk(&v, e, &e->accounts[i], &p, &h);
	view_heap_sort(&h);
	json_object_open(out);
	json_key(out, "contacts");
	json_array_open(out);
	/* Once per account, not per contact: the budget's count sorts its invitations. */
	struct view_account va = { 0 };
	uint32_t va_of = UINT32_MAX;
	for (size_t i = 0; i < h.count; i++) {
		struct engine_contact *ec = h.items[i].item;
		if (ec->c.account != va_of) {
			va_of = ec->c.account;
			va = engine_view_account(e, &e->accounts[va_of], v.now_ms);
		}
		view_contact_json(out, &v, &ec->c, &va);
	}
	json_array_close(out);
	json_key(out, "next");
	if (h.count == p.limit) {
		view_cursor_format(p.order, &h.items[h.count - 1], cursor);
		json_str(out, cursor);
	} else {
		json_null(out);
	}
	json_object_close(out);
	/* After the cursor, which points into the last contact's key. */
	for (size_t i = 0; i < h.count; i++) {
		struct engine_contact *ec = h.items[i].item;
		if (ec->detached)
			engine_contact_free(ec);
	}
	view_heap_free(&h);
	free(owned);
	return 0;
}

static int engine_view_metrics(struct engine *e, const struct control_request *req,
                               struct json *out, struct control_error *err)
{
	static const struct ratio_account none;
	const char *name = control_arg_string(req, "account");
	struct engine_account *a;
	struct view v = engine_view_of(e);
	int rc = engine_view_find_account(e, req, &a, err);

	if (rc < 0)
		return -1;
	struct ratio_series_day *series = NULL;
	size_t nseries = 0;

	if (a == NULL) {
		view_metrics_json(out, &v, name ? name : "default", -1, -1, 0, &none, NULL, 0);
		return 0;
	}
	/* The series as committed (the batch being built joins it at its commit). */
	if (store_network_series(e->reader, (uint32_t)(a - e->accounts), VIEW_SERIES_DAYS, &series,
	                         &nseries) < 0)
		log_warnx("%s: the metrics lack their daily series", e->conf->database);
	view_metrics_json(out, &v, a->a.name, a->a.followers, a->a.connections, a->a.snapshot_ms,
	                  a->ratio != NULL ? a->ratio : &none, series, nseries);
	free(series);
	return 0;
}

/* --- plan --- */

struct engine_view_plan {
	const struct view *v;
	struct engine *e;
	const struct view_account *va;
	const struct rules_budget *budget;
	struct plan_builder b;
};

/* Offers ec to the plan; a detached contact that is not kept is freed. */
static void engine_view_plan_offer(struct engine_view_plan *pl, struct engine_contact *ec)
{
	struct plan_entry en;
	struct engine_contact *dropped;

	view_plan_entry(pl->v, &ec->c, pl->va, pl->budget, &en);
	en.contact = &ec->c;
	en.item = ec;
	dropped = plan_builder_offer(&pl->b, &en);
	if (dropped != NULL && dropped->detached)
		engine_contact_free(dropped);
}

/* A row of the database (cold cache) unless memory holds that contact (newer). */
static void engine_view_plan_row(void *ctx, struct contact *c)
{
	struct engine_view_plan *pl = ctx;
	unsigned hash;

	if (engine_contact_in_memory(pl->e, c->account, c->actor, c->actor_len, &hash) != NULL) {
		contact_free(c);
		return;
	}
	engine_view_plan_offer(pl, engine_contact_detached(c));
}

static void engine_view_plan_free_list(struct plan_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		struct engine_contact *ec = l->items[i].item;
		if (ec->detached)
			engine_contact_free(ec);
	}
}

/*
 * The weekly plan of one account (plan.h): every contact in memory, and
 * with a cold cache every row of the account read one at a time (the
 * plan needs the pending and the close ones too, which the watch list
 * does not hold); only the entries the plan lists are kept.
 */
static int engine_view_plan(struct engine *e, const struct control_request *req, struct json *out,
                            struct control_error *err)
{
	static const struct rules_budget empty_budget;
	struct engine_account *a;
	struct view v = engine_view_of(e);
	struct plan_params pp = view_plan_params(e->conf);
	struct engine_view_plan pl = { .v = &v, .e = e };
	struct view_account va = { control_arg_string(req, "account"), -1, 0, NULL };
	struct plan_budget pb;
	struct plan plan;
	int rc = engine_view_find_account(e, req, &a, err);

	if (rc < 0)
		return -1;
	if (va.name == NULL)
		va.name = "default";
	plan_builder_init(&pl.b, &pp);
	if (a != NULL) {
		struct engine_contact *ec, *tmp;
		va = engine_view_account(e, a, v.now_ms);
		pl.budget = a->a.budget;
		pl.va = &va;
		HASH_ITER(hh, a->contacts, ec, tmp) {
			engine_view_plan_offer(&pl, ec);
		}
		if (e->cold && store_load_account_contacts(e->reader, (uint32_t)(a - e->accounts),
		                                           engine_view_plan_row, &pl) < 0)
			log_warnx("%s: the plan lacks contacts not in memory", e->conf->database);
	}
	plan_budget_of(pl.budget != NULL ? pl.budget : &empty_budget, v.now_ms,
	               e->conf->readiness.invite_window_ms, rules_budget_hold_ms(&e->conf->readiness),
	               &pb);
	plan_finish(&pl.b, &pb, v.now_ms, &plan);
	view_plan_json(out, &v, &va, &plan);
	engine_view_plan_free_list(&pl.b.ready);
	engine_view_plan_free_list(&pl.b.engage);
	engine_view_plan_free_list(&pl.b.withdraw);
	plan_budget_free(&pb);
	plan_builder_free(&pl.b);
	return 0;
}

static void engine_view_notification(void *ctx, const struct view_notification *n,
                                     const char *state)
{
	view_notification_json(ctx, n, state);
}

/*
 * The outbox as warmthctl --json notifications prints it (the same
 * code), from the database: what is committed. args.state: "pending" or
 * "failed" for only those.
 */
static int engine_view_notifications(struct engine *e, const struct control_request *req,
                                     struct json *out, struct control_error *err)
{
	struct view_outbox_walk w = { 0 };
	const char *state = control_arg_string(req, "state");
	int rc;

	if ((state == NULL && control_arg_has(req, "state")) ||
	    view_outbox_filter_parse(state, &w.filter) < 0)
		return control_fail(err, "bad_argument", "\"state\" must be \"pending\" or \"failed\"");
	w.emit = engine_view_notification;
	w.ctx = out;
	json_array_open(out);
	rc = store_foreach_delivery(e->reader, view_outbox_row, &w);
	view_outbox_finish(&w);
	json_array_close(out);
	if (rc < 0)
		return control_fail(err, "internal", "%s: cannot read the outbox", e->conf->database);
	return 0;
}

int engine_view(struct engine *e, const struct control_request *req, struct json *out,
                struct control_error *err)
{
	/* The line held back for prefetching is read: it belongs to the state. */
	engine_flush_pending(e);
	if (strcmp(req->cmd, "show") == 0)
		return engine_view_show(e, req, out, err);
	if (strcmp(req->cmd, "metrics") == 0)
		return engine_view_metrics(e, req, out, err);
	if (strcmp(req->cmd, "plan") == 0)
		return engine_view_plan(e, req, out, err);
	if (strcmp(req->cmd, "notifications") == 0)
		return engine_view_notifications(e, req, out, err);
	return engine_view_list(e, req, out, err);
}
