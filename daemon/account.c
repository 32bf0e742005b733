/*
 * account.c - an account's network counts (followers, connections) from
 * its snapshot events (contact.h). Pure.
 */
#include "warmth/contact.h"

/*
 * Same rule as profile hints: per field present, the newest snapshot wins,
 * and at the same time the larger value, so the order of arrival does not
 * matter.
 */
void account_apply_snapshot(struct account *a, const struct event *ev)
{
	int64_t ts = ev->ts_ms;
	int carried = ev->followers >= 0 || ev->connections >= 0;

	if (ev->type != EVENT_SNAPSHOT || !carried)
		return;
	if (ev->followers >= 0 &&
	    (a->followers < 0 || ts > a->snapshot_ms ||
	     (ts == a->snapshot_ms && ev->followers > a->followers)))
		a->followers = ev->followers;
	if (ev->connections >= 0 &&
	    (a->connections < 0 || ts > a->snapshot_ms ||
	     (ts == a->snapshot_ms && ev->connections > a->connections)))
		a->connections = ev->connections;
	if (ts > a->snapshot_ms)
		a->snapshot_ms = ts;
}
