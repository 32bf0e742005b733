/*
 * ctl_plan.c - warmthctl plan: the weekly plan of one account (plan.h).
 * With --db it is built here from the database, a contact at a time,
 * keeping only the actors the plan lists (the contacts are read again at
 * the end to write them); over the socket the daemon builds it from its
 * memory. Either way its JSON comes from view_plan_json(), and the text
 * is printed from that JSON, so the two give the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/json.h"
#include "warmth/util.h"
#include "ctl.h"

struct ctl_plan {
	const struct ctl *ctl;
	struct view v;
	struct view_account va;
	const struct rules_budget *budget;
	struct plan_builder b;
};

/* The contact goes away after the callback: the plan keeps a copy of the actor. */
static int ctl_plan_consider(void *ctx, const struct contact *c)
{
	struct ctl_plan *pl = ctx;
	struct plan_entry en;

	view_plan_entry(&pl->v, c, &pl->va, pl->budget, &en);
	if (en.kind == PLAN_NONE)
		return 0;
	/* Offered without an item when it would not be kept: it is counted. */
	if (plan_builder_wants(&pl->b, &en))
		en.item = xstrdup(c->actor);
	free(plan_builder_offer(&pl->b, &en));
	return 0;
}

/* Reads the contacts of the kept entries of l back; -1 on a read error. */
static int ctl_plan_load(const struct ctl *ctl, uint32_t account, struct plan_list *l,
                         struct contact *contacts, size_t *n)
{
	for (size_t i = 0; i < l->count; i++) {
		int rc = store_get_contact(ctl->store, account, l->items[i].item, &contacts[*n]);
		if (rc != 0) {
			ctl_error("%s: cannot read contact \"%s\"", ctl->db_path,
			          (const char *)l->items[i].item);
			return -1;
		}
		l->items[i].contact = &contacts[(*n)++];
	}
	return 0;
}

static void ctl_plan_free_list(struct plan_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].item);
}

int ctl_cmd_plan(struct ctl *ctl, int argc, char **argv)
{
	static const struct rules_budget empty_budget;
	const struct ctl_account *account;
	struct ctl_plan pl = { .ctl = ctl };
	struct plan_params pp = view_plan_params(ctl->conf);
	struct contact *contacts = NULL;
	struct plan_budget pb = { 0 };
	struct plan plan;
	struct buf out = { 0 };
	size_t ncontacts = 0;
	int rc, status = CTL_EXIT_OK;

	(void)argc;
	(void)argv;
	rc = ctl_resolve_account(ctl, &account);
	if (rc < 0)
		return CTL_EXIT_ERROR;
	pl.v = ctl_view(ctl);
	pl.va.name = ctl->account;
	pl.va.connections = -1;
	plan_builder_init(&pl.b, &pp);
	if (rc == 0) {
		pl.va = ctl_view_account(ctl, account->id);
		pl.budget = account->budget;
		if (store_foreach_contact(ctl->store, account->id, ctl_plan_consider, &pl) < 0) {
			ctl_error("%s: cannot read the contacts", ctl->db_path);
			status = CTL_EXIT_ERROR;
			goto done;
		}
	}
	contacts = xcalloc(pl.b.ready.count + pl.b.engage.count + pl.b.withdraw.count + 1,
	                   sizeof(*contacts));
	if (rc == 0 && (ctl_plan_load(ctl, account->id, &pl.b.ready, contacts, &ncontacts) < 0 ||
	                ctl_plan_load(ctl, account->id, &pl.b.engage, contacts, &ncontacts) < 0 ||
	                ctl_plan_load(ctl, account->id, &pl.b.withdraw, contacts, &ncontacts) < 0)) {
		status = CTL_EXIT_ERROR;
		goto done;
	}
	plan_budget_of(pl.budget != NULL ? pl.budget : &empty_budget, pl.v.now_ms,
	               ctl->conf->readiness.invite_window_ms, rules_budget_hold_ms(&ctl->conf->readiness),
	               &pb);
	plan_finish(&pl.b, &pb, pl.v.now_ms, &plan);
	struct json *j = json_new(&out, 0);
	view_plan_json(j, &pl.v, &pl.va, &plan);
	json_free(j);
	status = ctl_print_plan(ctl, buf_cstr(&out));
done:
	for (size_t i = 0; i < ncontacts; i++)
		contact_free(&contacts[i]);
	free(contacts);
	ctl_plan_free_list(&pl.b.ready);
	ctl_plan_free_list(&pl.b.engage);
	ctl_plan_free_list(&pl.b.withdraw);
	plan_builder_free(&pl.b);
	plan_budget_free(&pb);
	buf_free(&out);
	return status;
}

/* --- the text --- */

/* "Name (actor)", or the actor alone when there is no name. */
static void ctl_plan_who(yajl_val e)
{
	const char *name = ctl_get_str(e, "name"), *actor = ctl_get_str(e, "actor");

	if (name != NULL && *name != '\0') {
		ctl_print_clean(stdout, name);
		printf(" (");
		ctl_print_clean(stdout, actor);
		printf(")");
	} else {
		ctl_print_clean(stdout, actor);
	}
}

/* The date of an RFC 3339 time: its first 10 characters. */
/* The date of key in the user's time zone (key_day), else the UTC date of the time. */
static void ctl_plan_date(yajl_val e, const char *key)
{
	char day_key[32];
	const char *t, *day;

	snprintf(day_key, sizeof(day_key), "%s_day", key);
	t = ctl_get_str(e, key);
	day = ctl_get_str(e, day_key);
	if (t == NULL)
		printf("never");
	else if (day != NULL)
		ctl_print_clean(stdout, day);
	else
		printf("%.10s", t);
}

static size_t ctl_plan_len(yajl_val a)
{
	return a != NULL && YAJL_IS_ARRAY(a) ? a->u.array.len : 0;
}

static void ctl_plan_invite(yajl_val plan)
{
	yajl_val list = ctl_get(plan, "invite");
	size_t n = ctl_plan_len(list);

	printf("\ninvite this week (%zu)\n", n);
	for (size_t i = 0; i < n; i++) {
		yajl_val e = list->u.array.values[i];
		printf("  %3zu. ", i + 1);
		ctl_plan_who(e);
		printf("  ");
		ctl_print_clean(stdout, ctl_get_str(e, "segment"));
		printf("  warmth %.1f%s\n", ctl_get_num(e, "warmth", 0),
		       ctl_get_bool(e, "notified") ? "  (notified)" : "");
		printf("       note (%.0f of %.0f characters): ", ctl_get_num(e, "note_chars", 0),
		       ctl_get_num(e, "note_limit", 0));
		ctl_print_clean(stdout, ctl_get_str(e, "note"));
		printf("\n");
	}
}

static void ctl_plan_held(yajl_val plan)
{
	yajl_val list = ctl_get(plan, "held");
	size_t n = ctl_plan_len(list);
	double total = ctl_get_num(plan, "held_total", (double)n);

	printf("\nheld by the budget (%.0f)\n", total);
	for (size_t i = 0; i < n; i++) {
		yajl_val e = list->u.array.values[i];
		printf("  ");
		ctl_plan_who(e);
		printf("  warmth %.1f  budget frees ", ctl_get_num(e, "warmth", 0));
		ctl_plan_date(e, "frees");
		printf("\n");
	}
	if (total > (double)n)
		printf("  and %.0f more\n", total - (double)n);
}

static void ctl_plan_engage(yajl_val plan)
{
	yajl_val list = ctl_get(plan, "engage");
	size_t n = ctl_plan_len(list);

	printf("\nengage with first (%.0f)\n", ctl_get_num(plan, "engage_total", (double)n));
	for (size_t i = 0; i < n; i++) {
		yajl_val e = list->u.array.values[i];
		yajl_val needs = ctl_get(e, "needs"), posts = ctl_get(e, "posts");
		printf("  ");
		ctl_plan_who(e);
		printf("  warmth %.1f (ready from %.1f)\n", ctl_get_num(e, "warmth", 0),
		       ctl_get_num(e, "threshold", 0));
		for (size_t k = 0; k < ctl_plan_len(needs); k++) {
			printf("       not yet: ");
			ctl_print_clean(stdout, YAJL_GET_STRING(needs->u.array.values[k]));
			printf("\n");
		}
		if (ctl_plan_len(posts) == 0)
			printf("       no post of theirs seen yet: engage with their next one\n");
		for (size_t k = 0; k < ctl_plan_len(posts); k++) {
			yajl_val p = posts->u.array.values[k];
			const char *title = ctl_get_str(p, "title");
			printf("       on their post ");
			if (title != NULL) {
				printf("\"");
				ctl_print_clean(stdout, title);
				printf("\" ");
			}
			printf("(");
			ctl_print_clean(stdout, ctl_get_str(p, "post"));
			printf(")\n");
		}
	}
}

static void ctl_plan_withdraw(yajl_val plan)
{
	yajl_val list = ctl_get(plan, "withdraw");
	size_t n = ctl_plan_len(list);

	printf("\nwithdraw (%.0f; %.0f more pending for less than that)\n",
	       ctl_get_num(plan, "withdraw_total", (double)n), ctl_get_num(plan, "pending", 0));
	for (size_t i = 0; i < n; i++) {
		yajl_val e = list->u.array.values[i];
		printf("  ");
		ctl_plan_who(e);
		printf("  pending since ");
		ctl_plan_date(e, "pending_since");
		printf(" (%.0f days)\n", ctl_get_num(e, "pending_days", 0));
	}
}

int ctl_print_plan(const struct ctl *ctl, const char *json_text)
{
	yajl_val plan, budget;

	if (ctl->json) {
		printf("%s\n", json_text);
		return CTL_EXIT_OK;
	}
	if ((plan = ctl_parse(json_text, "the plan")) == NULL)
		return CTL_EXIT_ERROR;
	budget = ctl_get(plan, "budget");
	printf("plan of account ");
	ctl_print_clean(stdout, ctl_get_str(plan, "account"));
	printf(" at %s\n", ctl_get_time(plan, "now"));
	printf("budget: %.0f invitations per %.0f days, %.0f used, %.0f left\n",
	       ctl_get_num(budget, "limit", 0), ctl_get_num(budget, "window_days", 0),
	       ctl_get_num(budget, "used", 0), ctl_get_num(budget, "remaining", 0));
	ctl_plan_invite(plan);
	ctl_plan_held(plan);
	ctl_plan_engage(plan);
	ctl_plan_withdraw(plan);
	yajl_tree_free(plan);
	return CTL_EXIT_OK;
}
