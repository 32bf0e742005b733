/*
 * ctl_metrics.c - warmthctl --db metrics: the network figures of one
 * account (followers, connections, the ratio against the configured
 * role's band, cap usage, acceptance and conversion, engagement by
 * origin), made by view_metrics_json() from the account's snapshot and
 * the counters the daemon stored for it (the accounts' ratio column), and
 * printed by ctl_view.c. Unknown figures are null in JSON and "unknown"
 * in text.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/util.h"
#include "ctl.h"

int ctl_cmd_metrics(struct ctl *ctl, int argc, char **argv)
{
	static const struct ratio_account none;
	const struct ctl_account *account;
	struct view v = ctl_view(ctl);
	struct ratio_account acc = none;
	struct ratio_series_day *series = NULL;
	size_t nseries = 0;
	struct buf out = { 0 };
	struct json *j;
	int rc;

	(void)argc;
	(void)argv;
	if (ctl_resolve_account(ctl, &account) < 0)
		return CTL_EXIT_ERROR;
	if (account != NULL && store_account_ratio(ctl->store, account->id, &acc) < 0) {
		ctl_error("%s: cannot read the network counters", ctl->db_path);
		return CTL_EXIT_ERROR;
	}
	if (account != NULL &&
	    store_network_series(ctl->store, account->id, VIEW_SERIES_DAYS, &series, &nseries) < 0) {
		ctl_error("%s: cannot read the network series", ctl->db_path);
		return CTL_EXIT_ERROR;
	}
	j = json_new(&out, 0);
	if (account != NULL)
		view_metrics_json(j, &v, ctl->account, account->followers, account->connections,
		                  account->snapshot_ms, &acc, series, nseries);
	else
		view_metrics_json(j, &v, ctl->account, -1, -1, 0, &none, NULL, 0);
	free(series);
	json_free(j);
	rc = ctl_print_metrics(ctl, buf_cstr(&out));
	buf_free(&out);
	return rc;
}
