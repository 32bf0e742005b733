/*
 * ctl_commands.c - the read-only commands of warmthctl answered from a
 * state database opened read-only (warmthctl --db): status, show, top,
 * ready, export and notifications (metrics: ctl_metrics.c). show, top,
 * ready and export make the contacts' JSON with view.c, as the daemon
 * does, and hand it to ctl_view.c to print.
 *
 * Every command reads through the store's queries, each of which sees the
 * last transaction the daemon committed (WAL), so they are safe while the
 * daemon writes. Commands that walk all contacts (top, export) stream them
 * through store_foreach_contact() and keep only bounded state: export
 * prints each contact as it comes, top keeps a heap of the best N by key
 * and reads only those N contacts again at the end. So a million contacts
 * cost time, not memory.
 *
 * Accounts are few (one per network the user tracks) and are loaded into a
 * table once, to turn the ids stored with contacts into names, with the
 * invitation budget each has used at ctl->now_ms (readiness needs it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warmth/util.h"
#include "warmth/view_outbox.h"
#include "ctl.h"

/* --- Accounts. --- */

static void ctl_on_account(void *ctx, uint32_t id, const struct account *a)
{
	struct ctl *ctl = ctx;
	struct ctl_account *ca;

	ctl->accounts = xrealloc(ctl->accounts, (ctl->naccounts + 1) * sizeof(*ctl->accounts));
	ca = &ctl->accounts[ctl->naccounts++];
	ca->id = id;
	ca->name = xstrdup(a->name ? a->name : "");
	ca->followers = a->followers;
	ca->connections = a->connections;
	ca->snapshot_ms = a->snapshot_ms;
	ca->budget = NULL;
	if (a->budget != NULL) {
		ca->budget = xmalloc(sizeof(*ca->budget));
		*ca->budget = *a->budget;
	}
	ca->budget_used = a->budget != NULL
	                          ? rules_budget_used(a->budget, ctl->now_ms,
	                                              ctl->conf->readiness.invite_window_ms,
	                                              rules_budget_hold_ms(&ctl->conf->readiness))
	                          : 0;
	/* The readiness cap counts connections as the daemon does: with the
	   changes since the snapshot (another statement, same connection). */
	struct ratio_account ratio;
	int64_t followers_now;
	ca->connections_now = a->connections;
	if (store_account_ratio(ctl->store, id, &ratio) == 0)
		ratio_current(&ratio, a->snapshot_ms, a->followers, a->connections, &followers_now,
		              &ca->connections_now);
}

int ctl_load_accounts(struct ctl *ctl)
{
	if (store_load_accounts(ctl->store, ctl_on_account, ctl) < 0) {
		ctl_error("%s: cannot read the accounts", ctl->db_path);
		return -1;
	}
	return 0;
}

void ctl_free_accounts(struct ctl *ctl)
{
	for (size_t i = 0; i < ctl->naccounts; i++) {
		free(ctl->accounts[i].name);
		free(ctl->accounts[i].budget);
	}
	free(ctl->accounts);
	ctl->accounts = NULL;
	ctl->naccounts = 0;
}

const struct ctl_account *ctl_account_by_id(const struct ctl *ctl, uint32_t id)
{
	for (size_t i = 0; i < ctl->naccounts; i++)
		if (ctl->accounts[i].id == id)
			return &ctl->accounts[i];
	return NULL;
}

const struct ctl_account *ctl_account_by_name(const struct ctl *ctl, const char *name)
{
	for (size_t i = 0; i < ctl->naccounts; i++)
		if (strcmp(ctl->accounts[i].name, name) == 0)
			return &ctl->accounts[i];
	return NULL;
}

const char *ctl_account_name(const struct ctl *ctl, uint32_t id)
{
	for (size_t i = 0; i < ctl->naccounts; i++)
		if (ctl->accounts[i].id == id)
			return ctl->accounts[i].name;
	return "?";
}

/*
 * The account a per-account command is about. Returns 0 with *out set;
 * 1 when it is the implicit default account and the database has none yet
 * (a daemon that has read nothing: the command answers with an empty
 * result); -1 when --account names an account the database does not know,
 * which is a mistake worth an error (printed here).
 */
int ctl_resolve_account(const struct ctl *ctl, const struct ctl_account **out)
{
	*out = ctl_account_by_name(ctl, ctl->account);
	if (*out != NULL)
		return 0;
	if (!ctl->account_given)
		return 1;
	if (ctl->naccounts == 0) {
		ctl_error("no account \"%s\" in %s (it holds no account yet)", ctl->account,
		          ctl->db_path);
	} else {
		struct buf names = { 0 };
		for (size_t i = 0; i < ctl->naccounts; i++)
			buf_printf(&names, "%s\"%s\"", i ? ", " : "", ctl->accounts[i].name);
		ctl_error("no account \"%s\" in %s (accounts: %s)", ctl->account, ctl->db_path,
		          buf_cstr(&names));
		buf_free(&names);
	}
	return -1;
}

/* --- status --- */

struct ctl_input {
	char *path;
	uint64_t offset;
	uint64_t size;
	int missing;
};

struct ctl_inputs {
	struct ctl_input *list;
	size_t count;
};

/* Keeps a file record with the current size of its path. The size is of
   whatever is at the path now: after a rotation that is the new file,
   which is also what the daemon reads next. */
static void ctl_on_file(void *ctx, const struct store_file *f)
{
	struct ctl_inputs *inputs = ctx;
	struct ctl_input *in;
	struct stat st;

	inputs->list = xrealloc(inputs->list, (inputs->count + 1) * sizeof(*inputs->list));
	in = &inputs->list[inputs->count++];
	in->path = xstrdup(f->path ? f->path : "");
	in->offset = f->offset;
	in->missing = stat(in->path, &st) < 0;
	in->size = in->missing ? 0 : (uint64_t)st.st_size;
}

static void ctl_inputs_free(struct ctl_inputs *inputs)
{
	for (size_t i = 0; i < inputs->count; i++)
		free(inputs->list[i].path);
	free(inputs->list);
}

static void ctl_status_json(const struct ctl *ctl, const struct store_counters *counters,
                            int64_t contacts, const struct ctl_inputs *inputs, int64_t bytes,
                            struct buf *out)
{
	struct json *j = json_new(out, 0);

	json_object_open(j);
	json_kv_int(j, "events_accepted", (int64_t)counters->accepted);
	json_kv_int(j, "events_rejected", (int64_t)counters->rejected);
	json_kv_int(j, "events_duplicate", (int64_t)counters->duplicate);
	json_kv_int(j, "contacts", contacts);
	json_key(j, "inputs");
	json_array_open(j);
	for (size_t i = 0; i < inputs->count; i++) {
		json_object_open(j);
		json_kv_str(j, "path", inputs->list[i].path);
		json_kv_int(j, "offset", (int64_t)inputs->list[i].offset);
		json_kv_int(j, "size", (int64_t)inputs->list[i].size);
		if (inputs->list[i].missing)
			json_kv_bool(j, "missing", 1);
		json_object_close(j);
	}
	json_array_close(j);
	json_key(j, "rejected_by_reason");
	json_object_open(j);
	for (int r = 0; r < REJECT_REASON_COUNT; r++)
		if (counters->rejected_by_reason[r] != 0)
			json_kv_int(j, event_reject_name((enum event_reject)r),
			            (int64_t)counters->rejected_by_reason[r]);
	json_object_close(j);
	json_key(j, "accepted_by_type");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (counters->accepted_by_type[t] != 0)
			json_kv_int(j, event_type_name((enum event_type)t),
			            (int64_t)counters->accepted_by_type[t]);
	json_object_close(j);
	json_kv_str(j, "database", ctl->db_path);
	json_kv_int(j, "database_bytes", bytes);
	json_object_close(j);
	json_free(j);
}

int ctl_cmd_status(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct store_counters counters;
	struct ctl_inputs inputs = { 0 };
	struct buf out = { 0 };
	int64_t contacts, bytes;
	int rc = CTL_EXIT_OK;

	/* Each query sees the last commit when it runs; a batch committed in
	   between can make the counters a little newer than the offsets,
	   which a status display tolerates. */
	if (store_load_counters(ctl->store, &counters) < 0 ||
	    store_load_files(ctl->store, ctl_on_file, &inputs) < 0 ||
	    (contacts = store_count_contacts(ctl->store)) < 0) {
		ctl_error("%s: cannot read the status", ctl->db_path);
		ctl_inputs_free(&inputs);
		return CTL_EXIT_ERROR;
	}
	bytes = store_size_bytes(ctl->store);
	/* Text is printed from the JSON, as the daemon's status is: the same labels. */
	ctl_status_json(ctl, &counters, contacts, &inputs, bytes, &out);
	if (ctl->json)
		ctl_print_json_line(&out);
	else
		rc = ctl_print_status_text(buf_cstr(&out));
	buf_free(&out);
	ctl_inputs_free(&inputs);
	return rc;
}

/* --- show --- */

/* Appends the contact's JSON (view.h) to out. */
static void ctl_contact_json_text(const struct ctl *ctl, const struct contact *c,
                                  struct buf *out)
{
	struct view v = ctl_view(ctl);
	struct view_account va = ctl_view_account(ctl, c->account);
	struct json *j = json_new(out, 0);

	view_contact_json(j, &v, c, &va);
	json_free(j);
}

int ctl_cmd_show(struct ctl *ctl, int argc, char **argv)
{
	const struct ctl_account *account;
	struct buf out = { 0 };
	struct contact c;
	int rc;

	(void)argc;
	rc = ctl_resolve_account(ctl, &account);
	if (rc < 0)
		return CTL_EXIT_ERROR;
	if (rc == 0)
		rc = store_get_contact(ctl->store, account->id, argv[1], &c);
	if (rc < 0) {
		ctl_error("%s: cannot read contact \"%s\"", ctl->db_path, argv[1]);
		return CTL_EXIT_ERROR;
	}
	if (rc == 1) {
		ctl_error("no contact \"%s\" in account \"%s\"", argv[1], ctl->account);
		return CTL_EXIT_ERROR;
	}
	ctl_contact_json_text(ctl, &c, &out);
	contact_free(&c);
	rc = ctl_print_contact(ctl, buf_cstr(&out));
	buf_free(&out);
	return rc;
}

/* --- top, ready --- */

/* The walk of top and ready: the best N (view.h's rank order) in a heap. */
struct ctl_top {
	const struct ctl *ctl;
	int ready_only;        /* ready: only ready contacts, all of them */
	struct view_heap heap; /* items: the actors, owned */
};

static int ctl_top_consider(void *ctx, const struct contact *c)
{
	struct ctl_top *top = ctx;
	struct view v = ctl_view(top->ctl);
	struct view_rank r = { 0.0, view_engagements(c), c->account, c->actor, NULL };

	if (top->ctl->segment != NULL && strcmp(view_segment(&v, c), top->ctl->segment) != 0)
		return 0;
	if (top->ready_only) {
		struct view_account va = ctl_view_account(top->ctl, c->account);
		struct view_verdict vd;
		view_verdict(&v, c, &va, &vd);
		if (!vd.eligible)
			return 0;
		r.warmth = vd.warmth;
	} else {
		r.warmth = view_warmth(&v, c);
	}
	/* The contact goes away after the callback: the heap keeps a copy of the actor. */
	r.item = xstrdup(c->actor);
	r.actor = r.item;
	free(view_heap_offer(&top->heap, &r));
	return 0;
}

/* Checks --segment against the config's segments; -1 with the list of them. */
static int ctl_check_segment(const struct ctl *ctl)
{
	struct buf names = { 0 };

	for (size_t i = 0; i < ctl->conf->nsegments; i++)
		if (strcmp(ctl->conf->segments[i].name, ctl->segment) == 0)
			return 0;
	for (size_t i = 0; i < ctl->conf->nsegments; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", ctl->conf->segments[i].name);
	ctl_error("--segment: no segment \"%s\" in the configuration (segments: %s)", ctl->segment,
	          buf_cstr(&names));
	buf_free(&names);
	return -1;
}

/*
 * top and ready: the contacts of one account that pass (all, or the ready
 * ones), warmest first, printed by ctl_view.c from their JSON. The walk
 * keeps only the best N actors; those N are read again at the end.
 */
static int ctl_ranked(struct ctl *ctl, int ready_only)
{
	const struct ctl_account *account;
	struct ctl_top top = { .ctl = ctl, .ready_only = ready_only };
	struct ctl_list list;
	struct buf out = { 0 };
	int rc, status = CTL_EXIT_OK;

	if (ctl->segment != NULL && ctl_check_segment(ctl) < 0)
		return CTL_EXIT_USAGE;
	rc = ctl_resolve_account(ctl, &account);
	if (rc < 0)
		return CTL_EXIT_ERROR;
	view_heap_init(&top.heap, VIEW_BY_RANK, ready_only ? SIZE_MAX : (size_t)ctl->top_n);
	if (rc == 0 && store_foreach_contact(ctl->store, account->id, ctl_top_consider, &top) < 0) {
		ctl_error("%s: cannot read the contacts", ctl->db_path);
		status = CTL_EXIT_ERROR;
		goto done;
	}
	view_heap_sort(&top.heap);
	ctl_list_begin(&list, ctl, ready_only ? CTL_LIST_READY : CTL_LIST_TOP);
	for (size_t i = 0; i < top.heap.count && status == CTL_EXIT_OK; i++) {
		struct contact c;
		rc = store_get_contact(ctl->store, account->id, top.heap.items[i].actor, &c);
		if (rc < 0) {
			ctl_error("%s: cannot read contact \"%s\"", ctl->db_path, top.heap.items[i].actor);
			status = CTL_EXIT_ERROR;
			break;
		}
		if (rc == 1)
			continue; /* contacts are never deleted; tolerate it anyway */
		buf_reset(&out);
		ctl_contact_json_text(ctl, &c, &out);
		contact_free(&c);
		if (ctl_list_add_text(&list, buf_cstr(&out)) < 0)
			status = CTL_EXIT_ERROR;
	}
	ctl_list_end(&list, status == CTL_EXIT_OK);
done:
	for (size_t i = 0; i < top.heap.count; i++)
		free(top.heap.items[i].item);
	view_heap_free(&top.heap);
	buf_free(&out);
	return status;
}

int ctl_cmd_top(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ctl_ranked(ctl, 0);
}

/*
 * Contacts ready for an invitation, warmest first: every readiness
 * condition holds but the two that only gate the daemon's notification
 * (view.h), so a contact stays listed after its notification until the
 * invitation is sent.
 */
int ctl_cmd_ready(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ctl_ranked(ctl, 1);
}

/* --- export --- */

struct ctl_export {
	const struct ctl *ctl;
	struct ctl_list list;
	struct buf out;
};

/* Prints one contact and forgets it. Stops the walk once stdout fails
   (a closed pipe with SIGPIPE ignored, a full disk): the rest would be
   lost as well. */
static int ctl_export_one(void *ctx, const struct contact *c)
{
	struct ctl_export *x = ctx;

	buf_reset(&x->out);
	ctl_contact_json_text(x->ctl, c, &x->out);
	return ctl_list_add_text(&x->list, buf_cstr(&x->out)) < 0;
}

/*
 * Every contact, ordered by account then actor (ctl_view.c prints them:
 * JSON Lines, tab-separated text or CSV, with their header lines).
 */
int ctl_cmd_export(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct ctl_export x = { .ctl = ctl };
	const struct ctl_account *account = NULL;
	int rc;

	/* Without --account, export means everything in the database. */
	if (ctl->account_given && ctl_resolve_account(ctl, &account) < 0)
		return CTL_EXIT_ERROR;
	ctl_list_begin(&x.list, ctl, CTL_LIST_EXPORT);
	rc = store_foreach_contact(ctl->store, account ? account->id : UINT32_MAX, ctl_export_one, &x);
	ctl_list_end(&x.list, rc == 0);
	buf_free(&x.out);
	if (rc < 0) {
		ctl_error("%s: cannot read the contacts", ctl->db_path);
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

/* --- notifications --- */

/* The rows of the text table, or the JSON array's elements (view_outbox.c gathers). */
struct ctl_notification {
	struct json *j;               /* --json */
	struct ctl_table *table;      /* text */
};

static void ctl_notification_emit(void *ctx, const struct view_notification *n, const char *state)
{
	struct ctl_notification *cn = ctx;

	if (cn->j != NULL) {
		view_notification_json(cn->j, n, state);
		return;
	}
	/* Text: one line per sink, the notification's own columns on the first. */
	for (size_t i = 0; i < (n->nd ? n->nd : 1); i++) {
		char seq[24], attempts[24];
		const struct store_delivery *d = n->nd ? &n->d[i] : NULL;
		snprintf(seq, sizeof(seq), "%lld", (long long)n->seq);
		snprintf(attempts, sizeof(attempts), "%lld", d ? (long long)d->attempts : 0LL);
		const char *row[] = { i == 0 ? seq : "", i == 0 ? n->id : "", i == 0 ? state : "",
			              d ? d->sink : "-", d ? store_delivery_state_name(d->state) : "pending",
			              attempts, d && d->last_error ? d->last_error : "" };
		ctl_table_add(cn->table, row);
	}
}

int ctl_cmd_notifications(struct ctl *ctl, int argc, char **argv)
{
	static const char *const headers[] = { "SEQ", "ID", "STATE", "SINK", "SINK STATE",
		                               "ATTEMPTS", "LAST ERROR" };
	static const int right[] = { 1, 0, 0, 0, 0, 1, 0 };
	struct ctl_notification n = { 0 };
	struct view_outbox_walk w = { 0 };
	struct ctl_table table;
	struct buf out = { 0 };
	int rc;

	(void)argc;
	(void)argv;
	ctl_table_init(&table, ARRAY_SIZE(headers), headers, right);
	if (ctl->json) {
		n.j = json_new(&out, 0);
		json_array_open(n.j);
	} else {
		n.table = &table;
	}
	w.filter = ctl->notify_state == CTL_NOTIFY_PENDING  ? VIEW_OUTBOX_PENDING
	           : ctl->notify_state == CTL_NOTIFY_FAILED ? VIEW_OUTBOX_FAILED
	                                                    : VIEW_OUTBOX_ALL;
	w.emit = ctl_notification_emit;
	w.ctx = &n;
	rc = store_foreach_delivery(ctl->store, view_outbox_row, &w);
	view_outbox_finish(&w);
	if (n.j != NULL) {
		json_array_close(n.j);
		json_free(n.j);
		if (rc == 0)
			ctl_print_json_line(&out);
	} else if (rc == 0 && table.nrows == 0) {
		puts("no notification");
	} else if (rc == 0) {
		ctl_table_print(&table, stdout);
	}
	buf_free(&out);
	ctl_table_free(&table);
	if (rc < 0) {
		ctl_error("%s: cannot read the outbox", ctl->db_path);
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}
