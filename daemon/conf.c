/*
 * conf.c - warmthd's configuration: the table of every key (name, kind,
 * field, default, bounds), conf_load() and conf_free() (see conf.h).
 * No libuv, no SQLite.
 *
 * The tables below are the whole schema; conf_walk.c does the work of
 * walking a YAML file against them (see conf_internal.h for how the parts
 * fit). To add a key, add a row, a field in struct conf, and a paragraph in
 * conf/warmthd.yaml; the reference config test checks that the paragraph
 * shows the real default. A section is a table of its own, referred to by
 * a CONF_KIND_SECTION row of conf_top_keys. The notify: list's tables,
 * one per notifier type, are in conf_notify.c; readiness: and segments:
 * in conf_rules.c.
 *
 * scoring, readiness and network fill the parameter structs of score.h,
 * rules.h and ratio.h that struct conf embeds, so those modules read the
 * config directly. Rules that span keys (cap_headroom below cap, a band's
 * min below its max, segments that can never match) are .check functions
 * run after their section or list was read without errors. Segments
 * without a readiness figure inherit readiness's (marked -1 while reading,
 * filled in by conf_load), and a config without segments gets DOMAIN.md's.
 */
#include <arpa/inet.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warmth/conf.h"
#include "warmth/log.h"
#include "warmth/pace.h"
#include "warmth/util.h"

#include "conf_internal.h"

/* -- the schema ----------------------------------------------------------- */

static conf_parse_fn conf_deep_types;
static conf_release_fn conf_deep_types_release;
static conf_parse_fn conf_allow_users;
static conf_release_fn conf_allow_users_release;
static conf_check_fn conf_band_check;
static conf_check_fn conf_metrics_check;
static conf_check_fn conf_http_check;
static conf_check_fn conf_state_check;

static const struct conf_enum conf_synchronous_values[] = {
	{ "normal", 0, NULL }, { "full", 1, NULL }, { NULL, 0, NULL },
};

static const struct conf_key conf_state_keys[] = {
	{ .name = "database", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, database),
	  .def = "/var/lib/warmthd/state.db" },
	{ .name = "synchronous", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, synchronous_full),
	  .def = "normal", .values = conf_synchronous_values },
	{ .name = "dedup_retention", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, dedup_retention_ms), .def = "30d" },
	/* 0 keeps them for ever (conf_state_check; engine_dedup.c). */
	{ .name = "id_retention", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, id_retention_ms), .def = "3650d" },
	{ .name = "evidence_per_contact", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, evidence_per_contact), .def = "5", .min = "0", .max = "100" },
	{ .name = "contact_cache", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, contact_cache), .def = "250000", .min = "100",
	  .max = "100000000" },
	{ .name = NULL },
};

static const struct conf_key conf_control_keys[] = {
	{ .name = "socket", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, socket),
	  .def = "/run/warmthd/control.sock" },
	{ .name = "allow_users", .kind = CONF_KIND_CUSTOM, .parse = conf_allow_users,
	  .release = conf_allow_users_release },
	{ .name = "max_clients", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, control_max_clients), .def = "64", .min = "1", .max = "10000" },
	{ .name = "max_buffered", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, control_max_buffered),
	  .def = "16MiB", .min = "1MiB", .max = "1GiB" },
	{ .name = "request_timeout", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, control_request_timeout_ms), .def = "10s", .min = "100ms",
	  .max = "10m" },
	{ .name = NULL },
};

static const struct conf_enum conf_start_at_values[] = {
	{ "beginning", CONF_START_BEGINNING, NULL }, { "end", CONF_START_END, NULL }, { NULL, 0, NULL },
};

static const struct conf_enum conf_watch_values[] = {
	{ "auto", CONF_WATCH_AUTO, NULL }, { "poll", CONF_WATCH_POLL, NULL }, { NULL, 0, NULL },
};

static const struct conf_key conf_input_keys[] = {
	{ .name = "path", .kind = CONF_KIND_GLOB, CONF_FIELD(struct conf_input, path), .required = 1 },
	{ .name = "start_at", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf_input, start_at),
	  .def = "beginning", .values = conf_start_at_values },
	{ .name = NULL },
};

static const struct conf_list conf_inputs_list = {
	.entry_size = sizeof(struct conf_input),
	.count_offset = offsetof(struct conf, ninputs),
	.noun = "input",
	.keys = conf_input_keys,
};

static const struct conf_enum conf_time_source_values[] = {
	{ "wall", CONF_TIME_WALL, NULL }, { "event", CONF_TIME_EVENT, NULL }, { NULL, 0, NULL },
};

static conf_parse_fn conf_time_zone;
static conf_release_fn conf_nothing_release;
static int64_t conf_local_offset_ms(void);

static const struct conf_key conf_time_keys[] = {
	{ .name = "source", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, time_source),
	  .def = "wall", .values = conf_time_source_values },
	{ .name = "future_tolerance", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, future_tolerance_ms), .def = "1d", .min = "1m", .max = "3650d" },
	/* Default "local": conf_local_offset_ms() where the config is made. */
	{ .name = "zone", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf, scoring.day_offset_ms),
	  .parse = conf_time_zone, .release = conf_nothing_release },
	{ .name = NULL },
};

static const struct conf_key conf_ingest_keys[] = {
	{ .name = "max_line_bytes", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, max_line_bytes),
	  .def = "1MiB", .min = "1KiB", .max = "1GiB" },
	{ .name = "batch_events", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, batch_events),
	  .def = "4000000", .min = "1", .max = "10000000" },
	{ .name = "batch_interval", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, batch_interval_ms),
	  .def = "100ms", .min = "1ms", .max = "10s" },
	{ .name = "backlog_interval", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, backlog_interval_ms), .def = "5s", .min = "1ms", .max = "1m" },
	{ .name = "rescan_interval", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, rescan_interval_ms), .def = "10s", .min = "100ms", .max = "1h" },
	{ .name = "rotate_wait", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, rotate_wait_ms),
	  .def = "5s", .min = "0s", .max = "1h" },
	{ .name = "poll_interval", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, poll_interval_ms),
	  .def = "1s", .min = "10ms", .max = "1m" },
	{ .name = "watch", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, watch),
	  .def = "auto", .values = conf_watch_values },
	{ .name = "read_chunk", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, read_chunk_bytes),
	  .def = "1MiB", .min = "4KiB", .max = "64MiB" },
	{ .name = "max_open_files", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, max_open_files),
	  .def = "256", .min = "1", .max = "1000000" },
	{ .name = "max_buffered", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, max_buffered_bytes),
	  .def = "64MiB", .min = "64KiB", .max = "64GiB" },
	/*
	 * Unknown event fields are counted per name up to this many names: a
	 * collector sends a handful, and a hostile or broken one cannot grow
	 * the table (and status, and the metrics' series) without end.
	 */
	{ .name = "unknown_fields", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, unknown_fields_max),
	  .def = "64", .min = "0", .max = "10000" },
	{ .name = NULL },
};

static const struct conf_enum conf_log_level_values[] = {
	{ "err", LOG_LEVEL_ERR, NULL },   { "warning", LOG_LEVEL_WARNING, NULL },
	{ "notice", LOG_LEVEL_NOTICE, NULL }, { "info", LOG_LEVEL_INFO, NULL },
	{ "debug", LOG_LEVEL_DEBUG, NULL }, { NULL, 0, NULL },
};

static const struct conf_key conf_log_keys[] = {
	{ .name = "level", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, log_level),
	  .def = "info", .values = conf_log_level_values },
	{ .name = NULL },
};

/*
 * scoring: (score.h). Weights and origin factors are read-time; the rest
 * shapes stored sums, and changing it makes the engine rescore.
 */
#define CONF_HALF_LIFE_BOUNDS .min = "1h", .max = "3650d"
#define CONF_TYPE_HALF_LIFE(type, t) \
	{ .name = type, .kind = CONF_KIND_DURATION, \
	  CONF_FIELD(struct conf, scoring.half_life_type_ms[t]), CONF_HALF_LIFE_BOUNDS }
#define CONF_TYPE_WEIGHT(type, t, def_) \
	{ .name = type, .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, scoring.weight[t]), \
	  .def = def_, .min = "0", .max = "1000" }

static const struct conf_key conf_half_life_per_type_keys[] = {
	CONF_TYPE_HALF_LIFE("like", SCORE_LIKE),
	CONF_TYPE_HALF_LIFE("comment", SCORE_COMMENT),
	CONF_TYPE_HALF_LIFE("reply", SCORE_REPLY),
	CONF_TYPE_HALF_LIFE("share", SCORE_SHARE),
	CONF_TYPE_HALF_LIFE("mention", SCORE_MENTION),
	CONF_TYPE_HALF_LIFE("message", SCORE_MESSAGE),
	CONF_TYPE_HALF_LIFE("profile_view", SCORE_PROFILE_VIEW),
	{ .name = NULL },
};

/* DOMAIN.md: a comment or share says more than a like; a profile view little. */
static const struct conf_key conf_weight_keys[] = {
	CONF_TYPE_WEIGHT("like", SCORE_LIKE, "1"),
	CONF_TYPE_WEIGHT("comment", SCORE_COMMENT, "3"),
	CONF_TYPE_WEIGHT("reply", SCORE_REPLY, "3"),
	CONF_TYPE_WEIGHT("share", SCORE_SHARE, "4"),
	CONF_TYPE_WEIGHT("mention", SCORE_MENTION, "3"),
	CONF_TYPE_WEIGHT("message", SCORE_MESSAGE, "4"),
	CONF_TYPE_WEIGHT("profile_view", SCORE_PROFILE_VIEW, "0.5"),
	{ .name = NULL },
};

/* Custom keys have no text default: this is applied before the file is read. */
#define CONF_DEEP_TYPES_DEFAULT \
	(1u << SCORE_COMMENT | 1u << SCORE_REPLY | 1u << SCORE_SHARE | 1u << SCORE_MENTION | 1u << SCORE_MESSAGE)

static const struct conf_key conf_scoring_keys[] = {
	{ .name = "half_life", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, scoring.half_life_ms),
	  .def = "14d", CONF_HALF_LIFE_BOUNDS },
	{ .name = "half_life_per_type", .kind = CONF_KIND_SECTION, .keys = conf_half_life_per_type_keys },
	{ .name = "weights", .kind = CONF_KIND_SECTION, .keys = conf_weight_keys },
	{ .name = "deep_types", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf, scoring.deep_mask),
	  .parse = conf_deep_types, .release = conf_deep_types_release },
	{ .name = "connection_multiplier", .kind = CONF_KIND_REAL,
	  CONF_FIELD(struct conf, scoring.connection_multiplier), .def = "1.5", .min = "0", .max = "100" },
	{ .name = "outbound_factor", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, scoring.outbound_factor),
	  .def = "1", .min = "0", .max = "100" },
	{ .name = "reaction_per_post", .kind = CONF_KIND_BOOL,
	  CONF_FIELD(struct conf, scoring.reaction_per_post), .def = "true" },
	{ .name = "repeat_window", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, scoring.repeat_window_ms),
	  .def = "1h", .min = "0s", .max = "7d" },
	{ .name = "repeat_factor", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, scoring.repeat_factor),
	  .def = "0.5", .min = "0.01", .max = "1" },
	{ .name = "history", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, score_history),
	  .def = "64", .min = "0", .max = "100000" },
	{ .name = "burst_per_hour", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, scoring.burst_per_hour),
	  .def = "10", .min = "0", .max = "32" },
	{ .name = "burst_per_day", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, scoring.burst_per_day),
	  .def = "30", .min = "0", .max = "100000" },
	{ .name = NULL },
};

/* plan: how much of each part warmthctl plan lists (plan.h). */
static const struct conf_key conf_plan_keys[] = {
	{ .name = "held", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, plan_held), .def = "100",
	  .min = "0", .max = "10000" },
	{ .name = "engage", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, plan_engage), .def = "20",
	  .min = "0", .max = "1000" },
	{ .name = "engage_above", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, plan_engage_above),
	  .def = "0.5", .min = "0", .max = "1" },
	{ .name = "withdraw", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, plan_withdraw),
	  .def = "100", .min = "0", .max = "10000" },
	{ .name = NULL },
};

/* network: the role's follower:connection band (DOMAIN.md), cap warnings, audits. */
#define CONF_BAND_KEYS(role, min_, max_) \
	static const struct conf_key conf_band_##role##_keys[] = { \
		{ .name = "min", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, network.bands[role].min), \
		  .def = min_, .min = "0", .max = "1000" }, \
		{ .name = "max", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, network.bands[role].max), \
		  .def = max_, .min = "0", .max = "1000" }, \
		{ .name = NULL }, \
	}

CONF_BAND_KEYS(RATIO_THOUGHT_LEADER, "3", "5");
CONF_BAND_KEYS(RATIO_CONSULTANT, "1.5", "2");
CONF_BAND_KEYS(RATIO_BUSINESS_DEVELOPER, "1", "1.5");
CONF_BAND_KEYS(RATIO_EARLY_CAREER, "0.8", "1");

static const struct conf_key conf_band_keys[] = {
	{ .name = "thought_leader", .kind = CONF_KIND_SECTION, .keys = conf_band_RATIO_THOUGHT_LEADER_keys,
	  .check = conf_band_check },
	{ .name = "consultant", .kind = CONF_KIND_SECTION, .keys = conf_band_RATIO_CONSULTANT_keys,
	  .check = conf_band_check },
	{ .name = "business_developer", .kind = CONF_KIND_SECTION,
	  .keys = conf_band_RATIO_BUSINESS_DEVELOPER_keys, .check = conf_band_check },
	{ .name = "early_career", .kind = CONF_KIND_SECTION, .keys = conf_band_RATIO_EARLY_CAREER_keys,
	  .check = conf_band_check },
	{ .name = NULL },
};

static const struct conf_enum conf_role_values[] = {
	{ "thought_leader", RATIO_THOUGHT_LEADER, NULL },
	{ "consultant", RATIO_CONSULTANT, NULL },
	{ "business_developer", RATIO_BUSINESS_DEVELOPER, NULL },
	{ "early_career", RATIO_EARLY_CAREER, NULL },
	{ NULL, 0, NULL },
};

static const struct conf_key conf_network_keys[] = {
	{ .name = "role", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, network.role),
	  .def = "consultant", .values = conf_role_values },
	{ .name = "bands", .kind = CONF_KIND_SECTION, .keys = conf_band_keys },
	{ .name = "cap_warning", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, network.cap_warning),
	  .def = "0.9", .min = "0.01", .max = "1" },
	{ .name = "audit_period", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, network.audit_period_ms),
	  .def = "30d", .min = "1h", .max = "365d" },
	/* DOMAIN.md: connections see a post first, and its first hour decides its reach. */
	{ .name = "first_hour", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, network.first_hour_ms),
	  .def = "1h", .min = "1m", .max = "7d" },
	{ .name = "first_hour_posts", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, network.first_hour_posts), .def = "20", .min = "1",
	  .max = "64" }, /* RATIO_POSTS_MAX (asserted below) */
	/* The ratio advice's "at your current growth": four weeks smooth out a quiet or a busy one. */
	{ .name = "growth_window", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, network.growth_window_ms), .def = "28d", .min = "7d",
	  .max = "32d" }, /* RATIO_DAYS */
	/* Past ten years "at your current growth" is not a plan: it is said as "not at this pace". */
	{ .name = "advice_horizon", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, network.advice_horizon_ms), .def = "3650d", .min = "28d",
	  .max = "36500d" },
	{ .name = NULL },
};

_Static_assert(RATIO_POSTS_MAX == 64, "network.first_hour_posts's maximum is RATIO_POSTS_MAX");

/*
 * metrics: (metrics.c). listen is off by default and held to loopback by
 * conf_metrics_check, since the counters name input files and are served
 * without authentication.
 */
static const struct conf_key conf_metrics_keys[] = {
	{ .name = "textfile", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, metrics_textfile) },
	{ .name = "interval", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, metrics_interval_ms),
	  .def = "15s", .min = "1s", .max = "1h" },
	{ .name = "listen", .kind = CONF_KIND_STRING, CONF_FIELD(struct conf, metrics_listen) },
	{ .name = "allow_remote", .kind = CONF_KIND_BOOL, CONF_FIELD(struct conf, metrics_allow_remote),
	  .def = "false" },
	{ .name = NULL },
};

/*
 * http: (http_events.c, http_api.c). Pushing events is off by default;
 * on, it needs a bearer token, read from a file of its own or a systemd
 * credential like a webhook's secret, never written in the config. The
 * dashboard is off by default too; its token is a file the daemon makes.
 */
static const struct conf_key conf_http_keys[] = {
	{ .name = "events", .kind = CONF_KIND_BOOL, CONF_FIELD(struct conf, http_events),
	  .def = "false" },
	{ .name = "token_file", .kind = CONF_KIND_CUSTOM, .parse = conf_http_token_file,
	  .release = conf_http_token_release },
	{ .name = "token_credential", .kind = CONF_KIND_CUSTOM, .parse = conf_http_token_credential,
	  .release = conf_http_token_release },
	/* A collector's batch of a few thousand lines; more waits for the next request. */
	{ .name = "max_body", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, http_max_body),
	  .def = "1MiB", .min = "1KiB", .max = "64MiB" },
	{ .name = "max_pending", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, http_max_pending),
	  .def = "16", .min = "1", .max = "1024" },
	{ .name = "dashboard", .kind = CONF_KIND_BOOL, CONF_FIELD(struct conf, http_dashboard),
	  .def = "false" },
	{ .name = "dashboard_token_file", .kind = CONF_KIND_PATH,
	  CONF_FIELD(struct conf, http_dashboard_token_file), .def = "/var/lib/warmthd/dashboard.token" },
	{ .name = "www_dir", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, http_www_dir),
	  .def = "/usr/share/warmthd/www" },
	{ .name = NULL },
};

static const struct conf_key conf_top_keys[] = {
	{ .name = "state", .kind = CONF_KIND_SECTION, .keys = conf_state_keys,
	  .check = conf_state_check },
	{ .name = "control", .kind = CONF_KIND_SECTION, .keys = conf_control_keys },
	{ .name = "inputs", .kind = CONF_KIND_LIST, CONF_FIELD(struct conf, inputs), .required = 1,
	  .list = &conf_inputs_list },
	{ .name = "dead_letter", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, dead_letter),
	  .def = "/var/lib/warmthd/rejected.jsonl" },
	{ .name = "time", .kind = CONF_KIND_SECTION, .keys = conf_time_keys },
	{ .name = "ingest", .kind = CONF_KIND_SECTION, .keys = conf_ingest_keys },
	{ .name = "log", .kind = CONF_KIND_SECTION, .keys = conf_log_keys },
	{ .name = "notify", .kind = CONF_KIND_LIST, CONF_FIELD(struct conf, notify), .list = &conf_notify_list,
	  .check = conf_notify_check },
	{ .name = "scoring", .kind = CONF_KIND_SECTION, .keys = conf_scoring_keys },
	{ .name = "readiness", .kind = CONF_KIND_SECTION, .keys = conf_readiness_keys,
	  .check = conf_readiness_check },
	{ .name = "segments", .kind = CONF_KIND_LIST, CONF_FIELD(struct conf, segments),
	  .list = &conf_segments_list, .check = conf_segments_check },
	{ .name = "plan", .kind = CONF_KIND_SECTION, .keys = conf_plan_keys },
	{ .name = "notes", .kind = CONF_KIND_SECTION, .keys = conf_notes_keys },
	{ .name = "network", .kind = CONF_KIND_SECTION, .keys = conf_network_keys },
	{ .name = "metrics", .kind = CONF_KIND_SECTION, .keys = conf_metrics_keys,
	  .check = conf_metrics_check },
	{ .name = "http", .kind = CONF_KIND_SECTION, .keys = conf_http_keys, .check = conf_http_check },
	{ .name = NULL },
};

/* -- custom keys ---------------------------------------------------------- */

/* See conf_internal.h. */
int conf_string_list(struct conf_loader *ld, const struct conf_node *node, const char *name,
                            const char *what)
{
	int ok = 1;

	if (node->kind == CONF_NODE_SCALAR && node->is_null)
		return 0;
	if (node->kind != CONF_NODE_SEQUENCE) {
		struct buf b = { 0 };
		conf_yaml_describe(&b, node);
		conf_report(ld, node, "%s: expected a list of %ss, got %s", name, what, buf_cstr(&b));
		buf_free(&b);
		return -1;
	}
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *item = node->items[i];
		if (item->refused) {
			ok = 0;
		} else if (item->kind != CONF_NODE_SCALAR || item->is_null || item->text[0] == '\0') {
			struct buf b = { 0 };
			conf_yaml_describe(&b, item);
			conf_report(ld, item, "%s[%zu]: expected %s %s, got %s", name, i,
			            strchr("aeiou", what[0]) != NULL ? "an" : "a", what, buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		}
	}
	return ok ? 0 : -1;
}

/* scoring.deep_types: engagement type names, stored as a bit mask. */
static void conf_deep_types(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *node, void *base, const char *name)
{
	const char *names[SCORE_TYPE_COUNT + 1];
	uint32_t mask = 0;
	int ok;

	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		names[t] = score_type_name(t);
	names[SCORE_TYPE_COUNT] = NULL;
	ok = conf_string_list(ld, node, name, "engagement type") == 0;
	for (size_t i = 0; node->kind == CONF_NODE_SEQUENCE && i < node->nitems; i++) {
		const struct conf_node *item = node->items[i];
		int t;

		/* Entries that are not strings were reported above. */
		if (item->kind != CONF_NODE_SCALAR || item->is_null || item->text[0] == '\0')
			continue;
		t = score_type_from_name(item->text);
		if (t < 0) {
			const char *best = conf_closest(item->text, names);
			struct buf b = { 0 };
			buf_printf(&b, "%s[%zu]: expected one of like, comment, reply, share, mention, message, "
			           "profile_view, got ", name, i);
			conf_yaml_describe(&b, item);
			if (best != NULL)
				buf_printf(&b, " (did you mean \"%s\"?)", best);
			conf_report(ld, item, "%s", buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		}
		mask |= t >= 0 ? 1u << t : 0;
	}
	if (ok && base != NULL)
		memcpy((char *)base + key->offset, &mask, sizeof(mask));
}

static void conf_deep_types_release(const struct conf_key *key, void *base)
{
	/* A mask owns nothing. */
	(void)key;
	(void)base;
}

/*
 * control.allow_users: user names or numeric uids, resolved to uids here
 * (getpwnam) so that a name that does not exist is a config error with its
 * line, not a silent refusal later; a user renamed afterwards keeps its
 * uid until the next reload.
 */
static void conf_allow_users(struct conf_loader *ld, const struct conf_key *key,
                             const struct conf_node *node, void *base, const char *name)
{
	struct conf *conf = base;
	uint32_t *uids;
	int ok;

	ok = conf_string_list(ld, node, name, "login name") == 0;
	if (node->kind != CONF_NODE_SEQUENCE)
		return;
	uids = xcalloc(node->nitems + 1, sizeof(*uids));
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *item = node->items[i];
		const struct passwd *pw;
		char *end;
		unsigned long uid;

		/* Entries that are not strings were reported above. */
		if (item->kind != CONF_NODE_SCALAR || item->is_null || item->text[0] == '\0')
			continue;
		uid = strtoul(item->text, &end, 10);
		if (*end == '\0' && item->text[0] >= '0' && item->text[0] <= '9' && uid < UINT32_MAX) {
			uids[i] = (uint32_t)uid;
		} else if ((pw = getpwnam(item->text)) != NULL) {
			uids[i] = (uint32_t)pw->pw_uid;
		} else {
			conf_report(ld, item, "%s[%zu]: no user \"%s\" on this system (a user name or a "
			            "numeric uid)", name, i, item->text);
			ok = 0;
		}
	}
	if (ok && conf != NULL) {
		conf_allow_users_release(key, conf);
		conf->allow_uids = uids;
		conf->nallow_uids = node->nitems;
	} else {
		free(uids);
	}
}

static void conf_allow_users_release(const struct conf_key *key, void *base)
{
	struct conf *conf = base;

	(void)key;
	free(conf->allow_uids);
	conf->allow_uids = NULL;
	conf->nallow_uids = 0;
}

/* -- checks across keys --------------------------------------------------- */

static void conf_band_check(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *node, void *base, const char *name)
{
	double min, max;

	if (base == NULL)
		return;
	memcpy(&min, (const char *)base + key->keys[0].offset, sizeof(min));
	memcpy(&max, (const char *)base + key->keys[1].offset, sizeof(max));
	if (min > max)
		conf_report(ld, node, "%s: min (%g) is above max (%g)", name, min, max);
}

static void conf_metrics_check(struct conf_loader *ld, const struct conf_key *key,
                               const struct conf_node *node, void *base, const char *name)
{
	struct conf *conf = base;
	const struct conf_node *at = conf_node_get(node, "listen");
	const char *text, *colon, *host = NULL;
	size_t host_len = 0;
	unsigned char addr[16];
	char *end = NULL;
	long port;
	int family, loopback;

	(void)key;
	if (conf == NULL || conf->metrics_listen == NULL)
		return;
	text = conf->metrics_listen;
	colon = strrchr(text, ':');
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close != NULL && close[1] == ':') {
			host = text + 1;
			host_len = (size_t)(close - host);
			colon = close + 1;
		}
	} else if (colon != NULL && memchr(text, ':', (size_t)(colon - text)) == NULL) {
		host = text;
		host_len = (size_t)(colon - text);
	}
	port = host != NULL && colon[1] != '\0' ? strtol(colon + 1, &end, 10) : -1;
	if (host == NULL || host_len == 0 || host_len >= sizeof(conf->metrics_host) || port < 1 ||
	    port > 65535 || *end != '\0') {
		conf_report(ld, at, "%s.listen: expected ADDRESS:PORT with a numeric address, like "
		            "127.0.0.1:9464 or [::1]:9464, got \"%s\"", name, text);
		return;
	}
	memcpy(conf->metrics_host, host, host_len);
	conf->metrics_host[host_len] = '\0';
	family = text[0] == '[' ? AF_INET6 : AF_INET;
	if (inet_pton(family, conf->metrics_host, addr) != 1) {
		conf_report(ld, at, "%s.listen: \"%s\" is not a numeric %s address", name,
		            conf->metrics_host, family == AF_INET6 ? "IPv6" : "IPv4");
		return;
	}
	loopback = family == AF_INET ? addr[0] == 127
	                             : memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	if (!loopback && !conf->metrics_allow_remote) {
		conf_report(ld, at, "%s.listen: %s is not a loopback address; the metrics are served "
		            "without authentication (set %s.allow_remote: true to allow it)", name,
		            conf->metrics_host, name);
		return;
	}
	conf->metrics_port = (uint16_t)port;
}

/* Pushed events come from whoever holds the token: there is no default one. */
/*
 * The ids past the window are kept on disk for state.id_retention: a
 * shorter keep than the window would delete ids as they leave memory, so
 * that every event older than the window would count again.
 */
static void conf_state_check(struct conf_loader *ld, const struct conf_key *key,
                             const struct conf_node *node, void *base, const char *name)
{
	struct conf *conf = base;

	(void)key;
	if (conf == NULL || conf->id_retention_ms == 0 ||
	    conf->id_retention_ms >= conf->dedup_retention_ms)
		return;
	conf_report(ld, conf_node_get(node, "id_retention"),
	            "%s.id_retention must be 0 (for ever) or at least %s.dedup_retention", name,
	            name);
}

static void conf_http_check(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *node, void *base, const char *name)
{
	struct conf *conf = base;

	(void)key;
	/* A token source without a token: a credential warmthd -t cannot read. */
	if (conf == NULL || !conf->http_events || conf->http_token != NULL ||
	    conf->http_token_source != NULL)
		return;
	conf_report(ld, conf_node_get(node, "events"), "%s.events: true needs a bearer token: give "
	            "%s.token_file or %s.token_credential", name, name, name);
}

/*
 * A note template for a segment that no segment is named so would never be
 * used: most likely a typo, so it is an error with a suggestion.
 */
static void conf_document_check(struct conf_loader *ld, const struct conf_node *root, void *base)
{
	struct conf *conf = base;
	const struct conf_node *notes = conf_node_get(root, "notes");
	const struct conf_node *templates = notes ? conf_node_get(notes, "templates") : NULL;

	conf_paths_check(ld, root, conf);
	/* Across sections (in either order in the file): pushed events need the listener. */
	if (conf->http_events && conf->metrics_listen == NULL)
		conf_report(ld, conf_node_get(conf_node_get(root, "http"), "events"),
		            "http.events: true needs a listener: set metrics.listen (ADDRESS:PORT)");
	if (conf->http_dashboard && conf->metrics_listen == NULL)
		conf_report(ld, conf_node_get(conf_node_get(root, "http"), "dashboard"),
		            "http.dashboard: true needs a listener: set metrics.listen (ADDRESS:PORT)");
	if (templates == NULL || templates->kind != CONF_NODE_MAPPING)
		return;
	/* The segments in force: the file's, or DOMAIN.md's when it has none. */
	if (conf->nsegments == 0)
		conf_default_segments(conf);
	for (size_t i = 0; i < templates->npairs; i++) {
		const struct conf_node *key = templates->pairs[i].key;
		const char *best = NULL;
		size_t d = SIZE_MAX, k;

		if (strcmp(key->text, "*") == 0)
			continue;
		for (k = 0; k < conf->nsegments; k++) {
			if (strcmp(conf->segments[k].name, key->text) == 0)
				break;
			conf_suggest(key->text, conf->segments[k].name, &best, &d);
		}
		if (k < conf->nsegments)
			continue;
		if (best != NULL)
			conf_report(ld, key, "notes.templates.%s: no segment has this name (did you mean "
			            "\"%s\"?); the template would never be used", key->text, best);
		else
			conf_report(ld, key, "notes.templates.%s: no segment has this name; the template "
			            "would never be used", key->text);
	}
}

/* -- loading -------------------------------------------------------------- */

/* conf_load and its variants: opts says what is read and how. */
static int conf_load_opts(const char *path, const struct conf_walk_opts *opts, struct conf **out,
                          struct conf_errors *errs)
{
	struct conf_key keys[ARRAY_SIZE(conf_top_keys)];
	struct conf *conf = xcalloc(1, sizeof(*conf));

	/* A part of the file need not have what the whole must (inputs). */
	memcpy(keys, conf_top_keys, sizeof(keys));
	for (size_t i = 0; opts->only != NULL && i < ARRAY_SIZE(keys); i++)
		keys[i].required = 0;
	*out = NULL;
	conf->file = xstrdup(path);
	conf->scoring.deep_mask = CONF_DEEP_TYPES_DEFAULT;
	conf->scoring.day_offset_ms = conf_local_offset_ms();
	if (conf_walk_file_opts(path, keys, opts->only ? NULL : conf_document_check, opts, conf,
	                        errs) < 0) {
		conf_free(conf);
		return -1;
	}
	if (conf->nsegments == 0)
		conf_default_segments(conf);
	conf_resolve_segments(conf);
	*out = conf;
	return 0;
}

int conf_load(const char *path, struct conf **out, struct conf_errors *errs)
{
	static const struct conf_walk_opts all = { 0 };

	return conf_load_opts(path, &all, out, errs);
}

int conf_check(const char *path, struct conf **out, struct conf_errors *errs,
               struct conf_errors *notes)
{
	const struct conf_walk_opts opts = { .check_only = 1, .notes = notes };

	return conf_load_opts(path, &opts, out, errs);
}

int conf_load_only(const char *path, const char *const *only, struct conf **out,
                   struct conf_errors *errs)
{
	const struct conf_walk_opts opts = { .only = only };

	return conf_load_opts(path, &opts, out, errs);
}

/*
 * Every key at its default, for programs that need the scoring and rules
 * figures without a config file (warmthctl --db): the tables are walked
 * over an empty document, with the keys a file must have made optional.
 */
struct conf *conf_load_defaults(void)
{
	struct conf_key keys[ARRAY_SIZE(conf_top_keys)];
	struct conf_errors errs = { 0 };
	struct conf *conf = xcalloc(1, sizeof(*conf));

	memcpy(keys, conf_top_keys, sizeof(keys));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		keys[i].required = 0;
	conf->file = xstrdup("(defaults)");
	conf->scoring.deep_mask = CONF_DEEP_TYPES_DEFAULT;
	conf->scoring.day_offset_ms = conf_local_offset_ms();
	if (conf_walk_file("/dev/null", keys, NULL, conf, &errs) < 0)
		fatalx("conf: the defaults do not load: %s", errs.count ? errs.msgs[0] : "?");
	conf_default_segments(conf);
	conf_resolve_segments(conf);
	return conf;
}

void conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	conf_walk_release(conf_top_keys, conf);
	free(conf->file);
	free(conf);
}

/* -- errors --------------------------------------------------------------- */

void conf_errors_free(struct conf_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->count = 0;
}

void conf_errors_print(const struct conf_errors *errs, FILE *out)
{
	for (size_t i = 0; i < errs->count; i++)
		fprintf(out, "%s\n", errs->msgs[i]);
}

/* A number owns nothing. */
static void conf_nothing_release(const struct conf_key *key, void *base)
{
	(void)key;
	(void)base;
}

/* The system time zone's offset now (time.zone: local). */
static int64_t conf_local_offset_ms(void)
{
	time_t now = time(NULL);
	struct tm tm;

	return localtime_r(&now, &tm) != NULL ? (int64_t)tm.tm_gmtoff * 1000 : 0;
}

/*
 * time.zone: the user's time zone, in which days are counted (distinct
 * days, burst_per_day) and dates are shown: "UTC", an offset such as
 * "+01:00", or "local", the system's offset when the config is loaded
 * (read once here, on the loading thread: nothing reads the process's
 * time zone while scoring). Stored as an offset in milliseconds.
 */
static void conf_time_zone(struct conf_loader *ld, const struct conf_key *key,
                           const struct conf_node *node, void *base, const char *name)
{
	static const char what[] = "local, UTC or an offset such as \"+01:00\"";
	int32_t minutes = 0;
	int64_t ms;

	if (node->kind != CONF_NODE_SCALAR || node->is_null) {
		conf_report_expected(ld, node, name, what);
		return;
	}
	if (strcmp(node->text, "local") == 0) {
		ms = conf_local_offset_ms();
	} else if (pace_parse_offset(node->text, &minutes) == 0) {
		ms = (int64_t)minutes * 60000;
	} else {
		conf_report(ld, node, "%s: expected %s (at most 18 hours), got \"%s\"", name, what,
		            node->text);
		return;
	}
	if (base != NULL)
		memcpy((char *)base + key->offset, &ms, sizeof(ms));
}
