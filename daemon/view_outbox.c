/*
 * view_outbox.c - the outbox listing shared by warmthctl notifications
 * and the daemon's notifications command (see view_outbox.h), so that the
 * dashboard's Health page and the CLI show the same states.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/util.h"
#include "warmth/view_outbox.h"

const char *view_notification_state(const struct view_notification *n)
{
	int pending = n->nd == 0, failed = 0;

	for (size_t i = 0; i < n->nd; i++) {
		failed |= n->d[i].state == STORE_DELIVERY_FAILED;
		pending |= n->d[i].state == STORE_DELIVERY_PENDING;
	}
	return failed ? "failed" : pending ? "pending" : "delivered";
}

static void view_outbox_reset(struct view_notification *n)
{
	free(n->id);
	free(n->kind);
	free(n->account);
	free(n->actor);
	free(n->note);
	for (size_t i = 0; i < n->nd; i++) {
		free((void *)(uintptr_t)n->d[i].sink);
		free((void *)(uintptr_t)n->d[i].last_error);
	}
	n->nd = 0;
	n->seq = 0;
	n->id = n->kind = n->account = n->actor = n->note = NULL;
}

/* Hands the notification gathered on, if the filter lets it through. */
static void view_outbox_emit(struct view_outbox_walk *w)
{
	const char *state = view_notification_state(&w->n);

	if (w->n.seq == 0 ||
	    (w->filter == VIEW_OUTBOX_PENDING && strcmp(state, "pending") != 0) ||
	    (w->filter == VIEW_OUTBOX_FAILED && strcmp(state, "failed") != 0))
		return;
	w->emit(w->ctx, &w->n, state);
}

int view_outbox_row(void *walk, const struct store_outbox *o, const struct store_delivery *d)
{
	struct view_outbox_walk *w = walk;
	struct view_notification *n = &w->n;

	if (o->seq != n->seq) {
		view_outbox_emit(w);
		view_outbox_reset(n);
		n->seq = o->seq;
		n->id = xstrdup(o->id);
		n->kind = xstrdup(o->kind);
		n->account = xstrdup(o->account);
		n->actor = o->actor ? xstrdup(o->actor) : NULL;
		n->note = o->note ? xstrdup(o->note) : NULL;
		n->created_ms = o->created_ms;
	}
	if (d == NULL)
		return 0;
	if (n->nd == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 4;
		n->d = xrealloc(n->d, n->cap * sizeof(*n->d));
	}
	n->d[n->nd] = *d;
	n->d[n->nd].sink = xstrdup(d->sink);
	n->d[n->nd].last_error = d->last_error ? xstrdup(d->last_error) : NULL;
	n->nd++;
	return 0;
}

void view_outbox_finish(struct view_outbox_walk *w)
{
	view_outbox_emit(w);
	view_outbox_reset(&w->n);
	free(w->n.d);
	w->n.d = NULL;
	w->n.cap = 0;
}

void view_notification_json(struct json *j, const struct view_notification *n, const char *state)
{
	json_object_open(j);
	json_kv_int(j, "seq", n->seq);
	json_kv_str(j, "id", n->id);
	json_kv_str(j, "kind", n->kind);
	json_kv_str(j, "account", n->account);
	json_kv_str(j, "actor", n->actor);
	json_kv_time(j, "created", n->created_ms);
	json_kv_str(j, "state", state);
	json_kv_str(j, "note", n->note);
	json_key(j, "deliveries");
	json_array_open(j);
	for (size_t i = 0; i < n->nd; i++) {
		const struct store_delivery *d = &n->d[i];
		json_object_open(j);
		json_kv_str(j, "sink", d->sink);
		json_kv_str(j, "state", store_delivery_state_name(d->state));
		json_kv_int(j, "attempts", d->attempts);
		json_kv_time(j, "first_attempt", d->first_ms);
		json_kv_time(j, "next_attempt", d->state == STORE_DELIVERY_PENDING ? d->next_ms : 0);
		json_kv_time(j, "updated", d->updated_ms);
		json_kv_str(j, "last_error", d->last_error);
		json_object_close(j);
	}
	json_array_close(j);
	json_object_close(j);
}

int view_outbox_filter_parse(const char *s, enum view_outbox_filter *out)
{
	if (s == NULL)
		*out = VIEW_OUTBOX_ALL;
	else if (strcmp(s, "pending") == 0)
		*out = VIEW_OUTBOX_PENDING;
	else if (strcmp(s, "failed") == 0)
		*out = VIEW_OUTBOX_FAILED;
	else
		return -1;
	return 0;
}
