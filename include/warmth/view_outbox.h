/*
 * view_outbox.h - the outbox as warmthctl notifications and the daemon's
 * notifications command show it: the rows of store_foreach_delivery()
 * gathered into one notification at a time with its delivery state, and
 * its JSON. Pure (the store's types, not the store).
 */
#ifndef WARMTH_VIEW_OUTBOX_H
#define WARMTH_VIEW_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/json.h"
#include "warmth/store.h"

/* Which notifications a listing shows. */
enum view_outbox_filter { VIEW_OUTBOX_ALL, VIEW_OUTBOX_PENDING, VIEW_OUTBOX_FAILED };

/* One notification with its deliveries (every string owned). */
struct view_notification {
	int64_t seq;                  /* 0: none gathered */
	char *id, *kind, *account, *actor, *note;
	int64_t created_ms;
	struct store_delivery *d;
	size_t nd, cap;
};

/* Called for each notification the filter lets through, with its state. */
typedef void view_notification_fn(void *ctx, const struct view_notification *n,
                                  const char *state);

struct view_outbox_walk {
	enum view_outbox_filter filter;
	view_notification_fn *emit;
	void *ctx;
	struct view_notification n;   /* the one being gathered */
};

/*
 * "failed" when a notifier failed it, "pending" when one has yet to take
 * it (or none has tried yet), else "delivered".
 */
const char *view_notification_state(const struct view_notification *n);
/* The callback for store_foreach_delivery(walk, ...): rows ordered by seq then sink. */
int view_outbox_row(void *walk, const struct store_outbox *o, const struct store_delivery *d);
/* Emits the last notification gathered and frees what the walk holds. */
void view_outbox_finish(struct view_outbox_walk *w);
/* The notification as one JSON object (warmthctl --json notifications' elements). */
void view_notification_json(struct json *j, const struct view_notification *n, const char *state);
/* "pending" or "failed" to a filter (NULL: all); -1 for another word. */
int view_outbox_filter_parse(const char *s, enum view_outbox_filter *out);

#endif
