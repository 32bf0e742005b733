/*
 * conf_rules.c - the readiness and segments part of the configuration's
 * schema: the rows of readiness: (the defaults of every segment, both
 * paths, the waits, the etiquette pauses, the budget) and of the segments:
 * list, their checks, DOMAIN.md's segments for a config without any, and
 * how a segment inherits what it leaves unset (see conf.c for the whole
 * schema, conf_internal.h for how the parts fit).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/conf.h"
#include "warmth/ratio.h"
#include "warmth/util.h"

#include "conf_internal.h"

static conf_parse_fn conf_match_tags;
static conf_release_fn conf_match_tags_release;
static void conf_segment_init(void *entry);

static const struct conf_enum conf_from_values[] = {
	{ "them", SCORE_SIDE_IN, NULL },
	{ "me", SCORE_SIDE_OUT, NULL },
	{ "both", SCORE_SIDE_IN | SCORE_SIDE_OUT, NULL },
	{ NULL, 0, NULL },
};

static const struct conf_enum conf_wait_from_values[] = {
	{ "follow", RULES_WAIT_FOLLOW, NULL }, { "value", RULES_WAIT_VALUE, NULL }, { NULL, 0, NULL },
};

/* A path's figures (struct rules_path). */
#define CONF_PATH_KEYS(type, field, threshold_, posts_, days_, deep_, from_) \
	{ .name = "threshold", .kind = CONF_KIND_REAL, CONF_FIELD(type, field.threshold), \
	  .def = threshold_, .min = "0", .max = "1000000" }, \
	{ .name = "min_posts", .kind = CONF_KIND_INTEGER, CONF_FIELD(type, field.min_posts), \
	  .def = posts_, .min = "0", .max = "32" }, \
	{ .name = "min_days", .kind = CONF_KIND_INTEGER, CONF_FIELD(type, field.min_days), \
	  .def = days_, .min = "0", .max = "64" }, \
	{ .name = "need_deep", .kind = CONF_KIND_BOOL, CONF_FIELD(type, field.need_deep), .def = deep_ }, \
	{ .name = "from", .kind = CONF_KIND_ENUM, CONF_FIELD(type, field.from), .def = from_, \
	  .values = conf_from_values }

/*
 * readiness: the defaults of every segment, and the account-wide figures.
 * The per-segment keys are the same rows over struct rules_readiness: the
 * inbound path's figures at the top (as before there were two paths), the
 * outbound path's in a section of their own.
 */
static const struct conf_key conf_outbound_keys[] = {
	CONF_PATH_KEYS(struct conf, readiness.defaults.outbound, "3", "3", "2", "true", "me"),
	{ .name = NULL },
};

static const struct conf_key conf_segment_outbound_keys[] = {
	CONF_PATH_KEYS(struct rules_segment, readiness.outbound, NULL, NULL, NULL, NULL, NULL),
	{ .name = NULL },
};

#define CONF_READINESS_KEYS(type, field, threshold_, posts_, days_, deep_, from_, outbound_, wait_, \
                            wait_max_, wait_from_, active_) \
	CONF_PATH_KEYS(type, field.inbound, threshold_, posts_, days_, deep_, from_), \
	{ .name = "outbound", .kind = CONF_KIND_SECTION, .keys = outbound_ }, \
	{ .name = "wait", .kind = CONF_KIND_DURATION, CONF_FIELD(type, field.wait_ms), \
	  .def = wait_, .min = "0s", .max = "3650d" }, \
	{ .name = "wait_max", .kind = CONF_KIND_DURATION, CONF_FIELD(type, field.wait_max_ms), \
	  .def = wait_max_, .min = "0s", .max = "3650d" }, \
	{ .name = "wait_from", .kind = CONF_KIND_ENUM, CONF_FIELD(type, field.wait_from), \
	  .def = wait_from_, .values = conf_wait_from_values }, \
	{ .name = "active_within", .kind = CONF_KIND_DURATION, CONF_FIELD(type, field.active_within_ms), \
	  .def = active_, .min = "1h", .max = "3650d" }

const struct conf_key conf_readiness_keys[] = {
	CONF_READINESS_KEYS(struct conf, readiness.defaults, "5", "2", "2", "true", "them",
	                    conf_outbound_keys, "0s", "0s", "follow", "14d"),
	{ .name = "breadth_window", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.breadth_window_ms), .def = "60d", .min = "1d", .max = "64d" },
	{ .name = "cooldown", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, readiness.cooldown_ms),
	  .def = "30d", .min = "0s", .max = "3650d" },
	{ .name = "rearm_below", .kind = CONF_KIND_REAL, CONF_FIELD(struct conf, readiness.rearm_below),
	  .def = "0.5", .min = "0", .max = "1" },
	{ .name = "reinvite_block", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.reinvite_block_ms), .def = "21d", .min = "0s", .max = "365d" },
	{ .name = "after_decline", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.after_decline_ms), .def = "180d", .min = "0s", .max = "3650d" },
	{ .name = "after_removal", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.after_removal_ms), .def = "180d", .min = "0s", .max = "3650d" },
	{ .name = "after_unfollow", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.after_unfollow_ms), .def = "90d", .min = "0s", .max = "3650d" },
	{ .name = "watch_max", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, watch_max),
	  .def = "50000", .min = "100", .max = "100000000" },
	{ .name = "withdraw_after", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.withdraw_after_ms), .def = "21d", .min = "1d", .max = "365d" },
	{ .name = "max_burst_share", .kind = CONF_KIND_REAL,
	  CONF_FIELD(struct conf, readiness.max_burst_share), .def = "0.5", .min = "0", .max = "1" },
	{ .name = "cap", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, readiness.cap),
	  .def = "30000", .min = "1", .max = "100000000" },
	{ .name = "cap_headroom", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, readiness.cap_headroom),
	  .def = "100", .min = "0", .max = "100000000" },
	{ .name = "weekly_invites", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, readiness.weekly_invites), .def = "100", .min = "0", .max = "1000" },
	{ .name = "invite_window", .kind = CONF_KIND_DURATION,
	  CONF_FIELD(struct conf, readiness.invite_window_ms), .def = "7d", .min = "1h", .max = "90d" },
	{ .name = NULL },
};

/* segments: match conditions have no default; conf_segment_init marks them unset. */
static const struct conf_key conf_match_keys[] = {
	{ .name = "min_connections", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct rules_segment, match.min_connections), .min = "0", .max = "1000000000" },
	{ .name = "max_connections", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct rules_segment, match.max_connections), .min = "0", .max = "1000000000" },
	{ .name = "min_followers", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct rules_segment, match.min_followers), .min = "0", .max = "1000000000" },
	{ .name = "max_followers", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct rules_segment, match.max_followers), .min = "0", .max = "1000000000" },
	{ .name = "creator", .kind = CONF_KIND_BOOL, CONF_FIELD(struct rules_segment, match.creator) },
	{ .name = "tags", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct rules_segment, match.tags),
	  .parse = conf_match_tags, .release = conf_match_tags_release },
	{ .name = NULL },
};

static const struct conf_key conf_segment_keys[] = {
	{ .name = "name", .kind = CONF_KIND_STRING, CONF_FIELD(struct rules_segment, name), .required = 1 },
	{ .name = "match", .kind = CONF_KIND_SECTION, .keys = conf_match_keys },
	CONF_READINESS_KEYS(struct rules_segment, readiness, NULL, NULL, NULL, NULL, NULL,
	                    conf_segment_outbound_keys, NULL, NULL, NULL, NULL),
	{ .name = NULL },
};

const struct conf_list conf_segments_list = {
	.entry_size = sizeof(struct rules_segment),
	.count_offset = offsetof(struct conf, nsegments),
	.noun = "segment",
	.keys = conf_segment_keys,
	.init = conf_segment_init,
};


/* -- custom keys and checks ------------------------------------------------ */

/* segments[].match.tags: any of these tags (case-insensitive). */
static void conf_match_tags(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *node, void *base, const char *name)
{
	struct rules_segment *seg = base;

	if (conf_string_list(ld, node, name, "tag") < 0 || seg == NULL || node->kind != CONF_NODE_SEQUENCE)
		return;
	conf_match_tags_release(key, seg);
	seg->match.tags = xcalloc(node->nitems + 1, sizeof(*seg->match.tags));
	for (size_t i = 0; i < node->nitems; i++)
		seg->match.tags[i] = xstrdup(node->items[i]->text);
	seg->match.ntags = node->nitems;
}

static void conf_match_tags_release(const struct conf_key *key, void *base)
{
	(void)key;
	rules_match_free(&((struct rules_segment *)base)->match);
}

void conf_readiness_check(struct conf_loader *ld, const struct conf_key *key,
                                 const struct conf_node *node, void *base, const char *name)
{
	const struct conf *conf = base;
	const struct rules_readiness *d;

	(void)key;
	if (conf == NULL)
		return;
	d = &conf->readiness.defaults;
	if (d->wait_max_ms > 0 && d->wait_max_ms < d->wait_ms)
		conf_report(ld, conf_node_get(node, "wait_max") ? conf_node_get(node, "wait_max") : node,
		            "%s.wait_max: the latest point is before wait, the earliest", name);
	if (conf->readiness.cap_headroom < conf->readiness.cap)
		return;
	conf_report(ld, conf_node_get(node, "cap_headroom") ? conf_node_get(node, "cap_headroom") : node,
	            "%s.cap_headroom: must be below cap (%lld), or no contact is ever ready", name,
	            (long long)conf->readiness.cap);
}

/*
 * First match wins, so a segment is dead when an earlier one matches
 * everything it would (a catch-all before it, or looser conditions), and
 * the last one must be the catch-all that gives every contact a segment.
 */
void conf_segments_check(struct conf_loader *ld, const struct conf_key *key,
                                const struct conf_node *node, void *base, const char *name)
{
	const struct conf *conf = base;
	const struct conf_node **items;
	size_t *index, n = 0;
	int catch_all = 0;

	(void)key;
	if (conf == NULL || conf->nsegments == 0)
		return;
	/* The network counters keep acceptance per segment in a bounded table. */
	if (conf->nsegments > RATIO_SEGMENTS_MAX)
		conf_report(ld, node, "%s: %zu segments; at most %d are allowed", name, conf->nsegments,
		            RATIO_SEGMENTS_MAX);
	items = xcalloc(node->nitems, sizeof(*items));
	index = xcalloc(node->nitems, sizeof(*index));
	/* Entries were made for the mappings only; pair each with its node. */
	for (size_t i = 0; i < node->nitems; i++) {
		if (node->items[i]->refused || node->items[i]->kind != CONF_NODE_MAPPING)
			continue;
		items[n] = node->items[i];
		index[n++] = i;
	}
	/* Only called when every entry was fine: each has its name and node. */
	for (size_t j = 0; j < n && n == conf->nsegments; j++) {
		const struct rules_segment *seg = &conf->segments[j];
		const struct conf_node *name_node = conf_node_get(items[j], "name");

		if (strlen(seg->name) == 0 || strlen(seg->name) > RATIO_SEGMENT_NAME_MAX)
			conf_report(ld, name_node, "%s[%zu].name: a segment name takes 1 to %d bytes", name,
			            index[j], RATIO_SEGMENT_NAME_MAX);
		/* Both set here (an unset one, -1, comes from readiness, checked there). */
		if (seg->readiness.wait_max_ms > 0 && seg->readiness.wait_ms >= 0 &&
		    seg->readiness.wait_max_ms < seg->readiness.wait_ms)
			conf_report(ld, conf_node_get(items[j], "wait_max"),
			            "%s[%zu].wait_max: the latest point is before wait, the earliest", name,
			            index[j]);
		for (size_t k = 0; k < j; k++) {
			if (strcmp(conf->segments[k].name, seg->name) != 0)
				continue;
			conf_report(ld, name_node, "%s[%zu].name: duplicate segment name \"%s\" (first at line %u)",
			            name, index[j], seg->name, items[k]->line);
			break;
		}
		if (rules_match_is_contradictory(&seg->match)) {
			conf_report(ld, conf_node_get(items[j], "match"), "%s[%zu].match: can never match: a "
			            "minimum is above its maximum", name, index[j]);
			continue;
		}
		for (size_t k = 0; k < j; k++) {
			const struct rules_segment *first = &conf->segments[k];
			if (rules_match_is_contradictory(&first->match) || !rules_match_covers(&first->match, &seg->match))
				continue;
			if (rules_match_is_empty(&first->match))
				conf_report(ld, items[j], "%s[%zu] (%s): can never match: %s[%zu] (%s) before it "
				            "matches every contact", name, index[j], seg->name, name, index[k],
				            first->name);
			else
				conf_report(ld, items[j], "%s[%zu] (%s): can never match: every contact it matches "
				            "is matched first by %s[%zu] (%s)", name, index[j], seg->name, name,
				            index[k], first->name);
			break;
		}
		if (j + 1 < n && rules_match_is_empty(&seg->match))
			catch_all = 1;
	}
	if (n == conf->nsegments && !catch_all && !rules_match_is_empty(&conf->segments[n - 1].match))
		conf_report(ld, items[n - 1], "%s[%zu] (%s): the last segment must match every contact (leave "
		            "out its match, or add a last segment without one)", name, index[n - 1],
		            conf->segments[n - 1].name);
	free(items);
	free(index);
}

/*
 * metrics.listen: "ADDRESS:PORT" with a numeric IPv4 address or a
 * bracketed IPv6 one ("[::1]:9464"), so no name is resolved at load time;
 * split into metrics_host and metrics_port for metrics.c.
 */
/* -- segments ------------------------------------------------------------- */

static void conf_path_unset(struct rules_path *p)
{
	p->threshold = -1;
	p->min_posts = p->min_days = p->need_deep = p->from = -1;
}

static void conf_segment_init(void *entry)
{
	struct rules_segment *seg = entry;

	seg->match.min_connections = seg->match.max_connections = -1;
	seg->match.min_followers = seg->match.max_followers = -1;
	seg->match.creator = -1;
	conf_path_unset(&seg->readiness.inbound);
	conf_path_unset(&seg->readiness.outbound);
	seg->readiness.wait_ms = seg->readiness.wait_max_ms = seg->readiness.wait_from = -1;
	seg->readiness.active_within_ms = -1;
}

/*
 * The segments of DOMAIN.md, used when the config has no "segments" key;
 * conf/warmthd.yaml shows them as a config would write them. The
 * influencer comes first: a creator with 10,000+ connections is one (the
 * approach for creators, 4-6 weeks, is the longer). A peer is ready on
 * any genuine signal: one comment or reply on one day, either path, while
 * it is warm (threshold 1.5: a comment of weight 3 after one half-life).
 */
void conf_default_segments(struct conf *conf)
{
	static const struct {
		const char *name;
		int64_t min_connections;
		int creator;
		const char *tag;
		int64_t wait_days, wait_max_days;
		int wait_from;
		int peer;
	} defaults[] = {
		{ "influencer", -1, 1, NULL, 28, 42, RULES_WAIT_FOLLOW, 0 },       /* creator mode: 4-6 weeks */
		{ "senior_executive", 10000, -1, NULL, 14, 21, RULES_WAIT_FOLLOW, 0 }, /* 2-3 weeks */
		{ "potential_client", -1, -1, "client", 21, 28, RULES_WAIT_VALUE, 0 }, /* 3-4 weeks after value */
		{ "peer", -1, -1, NULL, 0, 0, RULES_WAIT_FOLLOW, 1 },              /* connect directly */
	};

	conf->segments = xcalloc(ARRAY_SIZE(defaults), sizeof(*conf->segments));
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		struct rules_segment *seg = &conf->segments[i];
		conf_segment_init(seg);
		seg->name = xstrdup(defaults[i].name);
		seg->match.min_connections = defaults[i].min_connections;
		seg->match.creator = defaults[i].creator;
		if (defaults[i].tag != NULL) {
			seg->match.tags = xcalloc(2, sizeof(*seg->match.tags));
			seg->match.tags[0] = xstrdup(defaults[i].tag);
			seg->match.ntags = 1;
		}
		seg->readiness.wait_ms = defaults[i].wait_days * 86400 * 1000;
		seg->readiness.wait_max_ms = defaults[i].wait_max_days * 86400 * 1000;
		seg->readiness.wait_from = defaults[i].wait_from;
		if (defaults[i].peer) {
			struct rules_path *paths[] = { &seg->readiness.inbound, &seg->readiness.outbound };
			for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
				/* One comment (weight 3) still counts at the end of active_within (14d, one half-life). */
				paths[k]->threshold = 1.5;
				paths[k]->min_posts = paths[k]->min_days = 1;
			}
		}
	}
	conf->nsegments = ARRAY_SIZE(defaults);
}

static void conf_resolve_path(struct rules_path *r, const struct rules_path *d)
{
	if (r->threshold < 0)
		r->threshold = d->threshold;
	if (r->min_posts < 0)
		r->min_posts = d->min_posts;
	if (r->min_days < 0)
		r->min_days = d->min_days;
	if (r->need_deep < 0)
		r->need_deep = d->need_deep;
	if (r->from < 0)
		r->from = d->from;
}

/* Fills what each segment leaves unset from readiness's defaults. */
void conf_resolve_segments(struct conf *conf)
{
	const struct rules_readiness *d = &conf->readiness.defaults;

	for (size_t i = 0; i < conf->nsegments; i++) {
		struct rules_readiness *r = &conf->segments[i].readiness;
		conf_resolve_path(&r->inbound, &d->inbound);
		conf_resolve_path(&r->outbound, &d->outbound);
		if (r->wait_ms < 0)
			r->wait_ms = d->wait_ms;
		if (r->wait_max_ms < 0)
			r->wait_max_ms = d->wait_max_ms;
		if (r->wait_from < 0)
			r->wait_from = d->wait_from;
		if (r->active_within_ms < 0)
			r->active_within_ms = d->active_within_ms;
	}
}
