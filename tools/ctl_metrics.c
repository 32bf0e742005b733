/*
 * ctl_metrics.c - warmthctl metrics: the network figures of one account
 * (followers, connections, the ratio against the configured role's band,
 * cap usage, acceptance overall and per segment, conversion, engagement by
 * origin, the first-hour share of connections), computed by
 * ratio_compute() from the account's snapshot, the deltas since it and
 * its stored counters.
 */
#include <string.h>

#include "warmth/util.h"
#include "ctl.h"

/*
 * The network metrics of one account, from its newest snapshot, the
 * counters the daemon keeps for it (invitation outcomes, followers gained
 * and converted, engagement by origin per day: the accounts' ratio
 * column) and the configuration's network section (role, target band) and
 * readiness.cap, through ratio_compute(). Unknown figures are null in
 * JSON and "unknown" in text.
 */
static void ctl_metrics_json_rate(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (v >= 0)
		json_double(j, v);
	else
		json_null(j);
}

static void ctl_metrics_print_engagement(const char *key, double conn, double fol)
{
	char c[32], f[32];

	if (conn >= 0)
		snprintf(c, sizeof(c), "%.2f", conn);
	else
		snprintf(c, sizeof(c), "unknown");
	if (fol >= 0)
		snprintf(f, sizeof(f), "%.3f", fol);
	else
		snprintf(f, sizeof(f), "unknown");
	ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, key, "%s per connection, %s per follower", c, f);
}

/* A rate as a whole percentage, or "unknown", into out. */
static void ctl_metrics_percent(double v, char out[32])
{
	if (v >= 0)
		snprintf(out, 32, "%.0f%%", v * 100.0);
	else
		snprintf(out, 32, "unknown");
}

/*
 * Calls fn for each segment with outcomes to show: the configured ones in
 * their order (with zeros when none were counted), then names counted
 * under an earlier configuration.
 */
static void ctl_metrics_segments(const struct conf *conf, const struct ratio_account *acc,
                                 void (*fn)(void *ctx, const char *name,
                                            const struct ratio_invites *inv),
                                 void *ctx)
{
	static const struct ratio_invites none;

	for (size_t i = 0; i < conf->nsegments; i++) {
		const struct ratio_invites *inv = ratio_segment_invites(acc, conf->segments[i].name);
		fn(ctx, conf->segments[i].name, inv != NULL ? inv : &none);
	}
	for (uint32_t i = 0; i < acc->nsegments; i++) {
		size_t k = 0;
		while (k < conf->nsegments && strcmp(conf->segments[k].name, acc->segments[i].name) != 0)
			k++;
		if (k == conf->nsegments)
			fn(ctx, acc->segments[i].name, &acc->segments[i].invites);
	}
}

static void ctl_metrics_segment_json(void *ctx, const char *name, const struct ratio_invites *inv)
{
	struct json *j = ctx;

	json_key(j, name);
	json_object_open(j);
	json_kv_int(j, "invitations_sent", inv->sent);
	json_kv_int(j, "accepted", inv->accepted);
	json_kv_int(j, "declined", inv->declined);
	json_kv_int(j, "withdrawn", inv->withdrawn);
	ctl_metrics_json_rate(j, "acceptance_rate", ratio_acceptance_rate(inv));
	json_object_close(j);
}

static void ctl_metrics_segment_text(void *ctx, const char *name, const struct ratio_invites *inv)
{
	struct buf key = { 0 };
	char rate[32];

	(void)ctx;
	buf_printf(&key, "  %s", name);
	ctl_metrics_percent(ratio_acceptance_rate(inv), rate);
	ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, buf_cstr(&key), "%s of %u invitations", rate,
	             inv->sent);
	buf_free(&key);
}

/* now - snap, which may be negative; null when the snapshot has no count. */
static void ctl_metrics_json_delta(struct json *j, const char *key, int64_t now, int64_t snap)
{
	if (snap >= 0) {
		json_kv_int(j, key, now - snap);
	} else {
		json_key(j, key);
		json_null(j);
	}
}

/* " (+3 since the snapshot)", or "" without a change. */
static void ctl_metrics_delta(int64_t now, int64_t snap, char out[48])
{
	if (now == snap || snap < 0)
		out[0] = '\0';
	else
		snprintf(out, 48, " (%+lld since the snapshot)", (long long)(now - snap));
}

int ctl_cmd_metrics(struct ctl *ctl, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct ctl_account *account;
	const struct conf *conf = ctl->conf;
	struct ratio_account acc;
	struct ratio_metrics m;
	int64_t followers = -1, connections = -1, snapshot_ms = 0;
	int64_t snap_followers, snap_connections;
	char when[TIME_RFC3339_LEN], delta[48];
	const char *role = ratio_role_name((enum ratio_role)conf->network.role);
	int have_ratio, have_acceptance;

	if (ctl_resolve_account(ctl, &account) < 0)
		return CTL_EXIT_ERROR;
	memset(&acc, 0, sizeof(acc));
	if (account != NULL) {
		followers = account->followers;
		connections = account->connections;
		snapshot_ms = account->snapshot_ms;
		if (store_account_ratio(ctl->store, account->id, &acc) < 0) {
			ctl_error("%s: cannot read the network counters", ctl->db_path);
			return CTL_EXIT_ERROR;
		}
	}
	/* Between snapshots, follows and connections since the newest one count. */
	snap_followers = followers;
	snap_connections = connections;
	ratio_current(&acc, snapshot_ms, snap_followers, snap_connections, &followers, &connections);
	ratio_compute(&conf->network, conf->readiness.cap, followers, connections, &acc, ctl->now_ms,
	              &m);
	have_ratio = followers >= 0 && connections > 0;
	have_acceptance = acc.invites.sent > 0;

	if (ctl->json) {
		struct buf out = { 0 };
		struct json *j = json_new(&out, 0);
		json_object_open(j);
		json_kv_str(j, "account", ctl->account);
		ctl_json_kv_optional_int(j, "followers", followers);
		ctl_json_kv_optional_int(j, "connections", connections);
		json_key(j, "ratio");
		if (have_ratio)
			json_double(j, m.ratio);
		else
			json_null(j);
		json_kv_str(j, "position", ratio_position_name(m.position));
		json_kv_str(j, "role", role);
		json_key(j, "target_min");
		json_double(j, m.target_min);
		json_key(j, "target_max");
		json_double(j, m.target_max);
		json_kv_int(j, "cap", m.cap);
		json_key(j, "cap_usage");
		if (connections >= 0)
			json_double(j, m.cap_usage);
		else
			json_null(j);
		ctl_metrics_json_rate(j, "acceptance_rate", have_acceptance ? m.acceptance_rate : -1);
		json_kv_int(j, "invitations_sent", acc.invites.sent);
		ctl_metrics_json_rate(j, "conversion_rate", m.conversion_rate);
		ctl_metrics_json_rate(j, "median_convert_days", m.median_convert_days);
		json_key(j, "engagement_7d");
		json_object_open(j);
		ctl_metrics_json_rate(j, "connections", m.engagement_rate_connections_7d);
		ctl_metrics_json_rate(j, "followers", m.engagement_rate_followers_7d);
		json_object_close(j);
		json_key(j, "engagement_30d");
		json_object_open(j);
		ctl_metrics_json_rate(j, "connections", m.engagement_rate_connections_30d);
		ctl_metrics_json_rate(j, "followers", m.engagement_rate_followers_30d);
		json_object_close(j);
		json_key(j, "acceptance_by_segment");
		json_object_open(j);
		ctl_metrics_segments(conf, &acc, ctl_metrics_segment_json, j);
		json_object_close(j);
		json_key(j, "first_hour_connection_share");
		json_object_open(j);
		json_kv_int(j, "posts", m.first_hour.posts);
		ctl_metrics_json_rate(j, "median", m.first_hour.median);
		ctl_metrics_json_rate(j, "mean", m.first_hour.mean);
		json_kv_int(j, "window_seconds", conf->network.first_hour_ms / 1000);
		json_object_close(j);
		json_kv_time(j, "snapshot", snapshot_ms);
		ctl_metrics_json_delta(j, "followers_since_snapshot", followers, snap_followers);
		ctl_metrics_json_delta(j, "connections_since_snapshot", connections, snap_connections);
		json_object_close(j);
		json_free(j);
		ctl_print_json_line(&out);
		buf_free(&out);
		return CTL_EXIT_OK;
	}

	ctl_format_time(snapshot_ms, when);
	ctl_print_kv_clean(stdout, CTL_STATUS_KEY_WIDTH, "account", ctl->account);
	ctl_metrics_delta(followers, snap_followers, delta);
	if (followers < 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "followers", "unknown");
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "followers", "%lld%s", (long long)followers,
		             delta);
	ctl_metrics_delta(connections, snap_connections, delta);
	if (connections < 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "connections", "unknown");
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "connections", "%lld of %lld (%.0f%%)%s",
		             (long long)connections, (long long)m.cap, m.cap_usage * 100.0, delta);
	if (have_ratio)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "ratio",
		             "%.2f, %s the target %.1f to %.1f for %s", m.ratio,
		             m.position == RATIO_IN_BAND ? "within" :
		             m.position == RATIO_BELOW  ? "below"  : "above",
		             m.target_min, m.target_max, role);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "ratio", "unknown (target %.1f to %.1f for %s)",
		             m.target_min, m.target_max, role);
	if (have_acceptance)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "acceptance rate", "%.0f%% of %u invitations",
		             m.acceptance_rate * 100.0, acc.invites.sent);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "acceptance rate", "unknown");
	ctl_metrics_segments(conf, &acc, ctl_metrics_segment_text, NULL);
	if (m.conversion_rate >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "conversion rate",
		             "%.0f%% of %u new followers connected", m.conversion_rate * 100.0,
		             acc.followers_gained);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "conversion rate", "unknown");
	if (m.median_convert_days >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "days to convert", "%.1f (median)",
		             m.median_convert_days);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "days to convert", "unknown");
	ctl_metrics_print_engagement("engagement 7d", m.engagement_rate_connections_7d,
	                             m.engagement_rate_followers_7d);
	ctl_metrics_print_engagement("engagement 30d", m.engagement_rate_connections_30d,
	                             m.engagement_rate_followers_30d);
	if (m.first_hour.posts > 0) {
		char median[32], mean[32];
		ctl_metrics_percent(m.first_hour.median, median);
		ctl_metrics_percent(m.first_hour.mean, mean);
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "first hour",
		             "%s from connections (median of %u posts; mean %s)", median,
		             m.first_hour.posts, mean);
	} else {
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "first hour", "unknown");
	}
	ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "snapshot", "%s", when);
	return CTL_EXIT_OK;
}

