/*
 * test_conf.c - the configuration loader (daemon/conf.c, conf_yaml.c).
 *
 * Most cases are golden files: tests/golden/conf/NAME.yaml is loaded as
 * "NAME.yaml" from inside that directory and what warmthd -t would print
 * (every error line, or "configuration OK") must equal NAME.expected
 * exactly. Adding a case is adding two files. The tests here cover what
 * output alone cannot show: the values and defaults that land in struct
 * conf, relative path resolution, I/O errors, and that the shipped
 * conf/warmthd.yaml loads and documents the true defaults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include "warmth/conf.h"
#include "warmth/pace.h"
#include "warmth/log.h"
#include "warmth/util.h"

/* The directory the golden cases are in; the tests run from tests/. */
static const char *test_golden_dir(char *out, size_t size)
{
	const char *src = getenv("WARMTH_SOURCE_DIR");

	if (src != NULL)
		snprintf(out, size, "%s/tests/golden/conf", src);
	else
		snprintf(out, size, "golden/conf");
	return out;
}

static char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	buf_cstr(&b);
	return b.data;
}

static void test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* What "warmthd -t -c path" prints. */
static char *test_check_output(const char *path)
{
	struct conf_errors errs = { 0 };
	struct conf *conf = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	if (conf_load(path, &conf, &errs) == 0) {
		assert_non_null(conf);
		assert_int_equal(errs.count, 0);
		fprintf(out, "configuration OK\n");
		conf_free(conf);
	} else {
		assert_null(conf);
		assert_true(errs.count > 0);
		conf_errors_print(&errs, out);
		conf_errors_free(&errs);
	}
	fclose(out);
	return text;
}

static int test_is_yaml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

static void test_golden(void **state)
{
	char dir[PATH_MAX], cwd[PATH_MAX];
	struct dirent **names;
	int n, failures = 0;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(test_golden_dir(dir, sizeof(dir))), 0);
	n = scandir(".", &names, test_is_yaml, alphasort);
	assert_true(n >= 15);
	for (int i = 0; i < n; i++) {
		const char *yaml = names[i]->d_name;
		char expected_path[PATH_MAX];
		char *expected, *actual;

		snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
		         (int)(strlen(yaml) - 5), yaml);
		expected = test_read_file(expected_path);
		actual = test_check_output(yaml);
		if (expected == NULL || strcmp(expected, actual) != 0) {
			print_message("golden case %s differs.\n--- expected (%s)\n%s--- actual\n%s",
			              yaml, expected_path, expected ? expected : "(missing)\n", actual);
			failures++;
		}
		free(expected);
		free(actual);
		free(names[i]);
	}
	free(names);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(failures, 0);
}

#define TEST_DAY_MS (86400LL * 1000)

/* The scoring, readiness, segment and network defaults (DOMAIN.md figures). */
static void test_rule_defaults(const struct conf *c)
{
	const struct score_params *sp = &c->scoring;
	const struct rules_params *rp = &c->readiness;
	/* DOMAIN.md's table; a creator with 10k+ connections is an influencer, so that comes first. */
	static const char *const names[] = { "influencer", "senior_executive", "potential_client", "peer" };
	static const int64_t waits[] = { 28, 14, 21, 0 }, wait_max[] = { 42, 21, 28, 0 };

	assert_int_equal(sp->half_life_ms, 14 * TEST_DAY_MS);
	for (int t = 0; t < SCORE_TYPE_COUNT; t++)
		assert_int_equal(sp->half_life_type_ms[t], 0);
	assert_true(sp->weight[SCORE_LIKE] == 1 && sp->weight[SCORE_COMMENT] == 3 && sp->weight[SCORE_REPLY] == 3);
	assert_true(sp->weight[SCORE_SHARE] == 4 && sp->weight[SCORE_MENTION] == 3 && sp->weight[SCORE_MESSAGE] == 4);
	assert_true(sp->weight[SCORE_PROFILE_VIEW] == 0.5);
	assert_int_equal(sp->deep_mask, 1u << SCORE_COMMENT | 1u << SCORE_REPLY | 1u << SCORE_SHARE |
	                                1u << SCORE_MENTION | 1u << SCORE_MESSAGE);
	assert_true(sp->connection_multiplier == 1.5 && sp->outbound_factor == 1);
	assert_int_equal(sp->reaction_per_post, 1);
	assert_int_equal(sp->repeat_window_ms, 3600 * 1000);
	assert_true(sp->repeat_factor == 0.5);
	assert_int_equal(c->score_history, 64);

	assert_true(rp->defaults.inbound.threshold == 5);
	assert_int_equal(rp->defaults.wait_ms, 0);
	assert_int_equal(rp->defaults.inbound.min_posts, 2);
	assert_int_equal(rp->defaults.inbound.min_days, 2);
	assert_int_equal(rp->defaults.inbound.need_deep, 1);
	assert_int_equal(rp->defaults.active_within_ms, 14 * TEST_DAY_MS);
	assert_int_equal(rp->breadth_window_ms, 60 * TEST_DAY_MS);
	assert_int_equal(rp->cooldown_ms, 30 * TEST_DAY_MS);
	assert_true(rp->rearm_below == 0.5);
	assert_int_equal(rp->reinvite_block_ms, 21 * TEST_DAY_MS);
	assert_int_equal(rp->cap, 30000);
	assert_int_equal(rp->cap_headroom, 100);
	assert_int_equal(rp->weekly_invites, 100);
	assert_int_equal(rp->invite_window_ms, 7 * TEST_DAY_MS);

	assert_int_equal(c->nsegments, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct rules_segment *seg = &c->segments[i];
		assert_string_equal(seg->name, names[i]);
		int peer = i == 3;
		assert_int_equal(seg->readiness.wait_ms, waits[i] * TEST_DAY_MS);
		assert_int_equal(seg->readiness.wait_max_ms, wait_max[i] * TEST_DAY_MS);
		assert_int_equal(seg->readiness.wait_from, i == 2 ? RULES_WAIT_VALUE : RULES_WAIT_FOLLOW);
		/* A peer is ready on one genuine signal: one comment on one day. */
		assert_true(seg->readiness.inbound.threshold == (peer ? 1.5 : 5));
		assert_int_equal(seg->readiness.inbound.min_posts, peer ? 1 : 2);
		assert_int_equal(seg->readiness.inbound.min_days, peer ? 1 : 2);
		assert_int_equal(seg->readiness.inbound.need_deep, 1);
		assert_int_equal(seg->readiness.inbound.from, SCORE_SIDE_IN);
		assert_true(seg->readiness.outbound.threshold == (peer ? 1.5 : 3));
		assert_int_equal(seg->readiness.outbound.min_posts, peer ? 1 : 3);
		assert_int_equal(seg->readiness.outbound.min_days, peer ? 1 : 2);
		assert_int_equal(seg->readiness.outbound.from, SCORE_SIDE_OUT);
		assert_int_equal(seg->readiness.active_within_ms, 14 * TEST_DAY_MS);
	}
	assert_int_equal(rp->after_decline_ms, 180 * TEST_DAY_MS);
	assert_int_equal(rp->after_removal_ms, 180 * TEST_DAY_MS);
	assert_int_equal(rp->after_unfollow_ms, 90 * TEST_DAY_MS);
	assert_int_equal(rp->withdraw_after_ms, 21 * TEST_DAY_MS);
	assert_true(rp->max_burst_share == 0.5);
	assert_int_equal(sp->burst_per_hour, 10);
	assert_int_equal(sp->burst_per_day, 30);
	assert_int_equal(c->segments[1].match.min_connections, 10000);
	assert_int_equal(c->segments[0].match.creator, 1);
	assert_int_equal(c->segments[2].match.ntags, 1);
	assert_string_equal(c->segments[2].match.tags[0], "client");
	assert_true(rules_match_is_empty(&c->segments[3].match));

	assert_int_equal(c->network.role, RATIO_CONSULTANT);
	assert_true(c->network.bands[RATIO_THOUGHT_LEADER].min == 3 && c->network.bands[RATIO_THOUGHT_LEADER].max == 5);
	assert_true(c->network.bands[RATIO_CONSULTANT].min == 1.5 && c->network.bands[RATIO_CONSULTANT].max == 2);
	assert_true(c->network.bands[RATIO_BUSINESS_DEVELOPER].min == 1 &&
	            c->network.bands[RATIO_BUSINESS_DEVELOPER].max == 1.5);
	assert_true(c->network.bands[RATIO_EARLY_CAREER].min == 0.8 && c->network.bands[RATIO_EARLY_CAREER].max == 1);
	assert_true(c->network.cap_warning == 0.9);
	assert_int_equal(c->network.audit_period_ms, 30 * TEST_DAY_MS);
	assert_int_equal(c->network.first_hour_ms, 3600 * 1000);
	assert_int_equal(c->network.first_hour_posts, 20);
}

/* Two configs agree on every scoring, readiness, segment and network value. */
static void test_same_rules(const struct conf *a, const struct conf *b)
{
	assert_memory_equal(&a->scoring, &b->scoring, sizeof(a->scoring));
	assert_int_equal(a->score_history, b->score_history);
	assert_memory_equal(&a->readiness, &b->readiness, sizeof(a->readiness));
	assert_memory_equal(&a->network, &b->network, sizeof(a->network));
	assert_int_equal(a->nsegments, b->nsegments);
	for (size_t i = 0; i < a->nsegments; i++) {
		const struct rules_segment *x = &a->segments[i], *y = &b->segments[i];
		assert_string_equal(x->name, y->name);
		assert_memory_equal(&x->readiness, &y->readiness, sizeof(x->readiness));
		assert_int_equal(x->match.min_connections, y->match.min_connections);
		assert_int_equal(x->match.max_connections, y->match.max_connections);
		assert_int_equal(x->match.min_followers, y->match.min_followers);
		assert_int_equal(x->match.max_followers, y->match.max_followers);
		assert_int_equal(x->match.creator, y->match.creator);
		assert_int_equal(x->match.ntags, y->match.ntags);
		for (size_t t = 0; t < x->match.ntags; t++)
			assert_string_equal(x->match.tags[t], y->match.tags[t]);
	}
}

/* Every new key set (ok_rules.yaml): values land in the right fields, segments resolved. */
static void test_rules_values(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct conf_errors errs = { 0 };
	struct conf *c;
	const struct rules_segment *seg;

	(void)state;
	snprintf(path, sizeof(path), "%s/ok_rules.yaml", test_golden_dir(dir, sizeof(dir)));
	assert_int_equal(conf_load(path, &c, &errs), 0);
	assert_int_equal(c->scoring.half_life_ms, 7 * TEST_DAY_MS);
	assert_int_equal(score_half_life(&c->scoring, SCORE_MESSAGE), 30 * TEST_DAY_MS);
	assert_int_equal(score_half_life(&c->scoring, SCORE_PROFILE_VIEW), 2 * TEST_DAY_MS);
	assert_int_equal(score_half_life(&c->scoring, SCORE_LIKE), 7 * TEST_DAY_MS);
	assert_true(c->scoring.weight[SCORE_LIKE] == 0.5 && c->scoring.weight[SCORE_MESSAGE] == 8);
	assert_true(c->scoring.weight[SCORE_PROFILE_VIEW] == 0);
	assert_int_equal(c->scoring.deep_mask, 1u << SCORE_COMMENT | 1u << SCORE_MESSAGE);
	assert_true(c->scoring.connection_multiplier == 2 && c->scoring.outbound_factor == 0.25);
	assert_int_equal(c->scoring.reaction_per_post, 0);
	assert_int_equal(c->scoring.repeat_window_ms, 0);
	assert_true(c->scoring.repeat_factor == 1);
	assert_int_equal(c->score_history, 0);

	assert_true(c->readiness.defaults.inbound.threshold == 7.5);
	assert_int_equal(c->readiness.defaults.active_within_ms, 36 * 3600 * 1000);
	assert_int_equal(c->readiness.cap, 5000);
	assert_int_equal(c->readiness.weekly_invites, 200);
	assert_int_equal(c->readiness.invite_window_ms, TEST_DAY_MS);

	assert_int_equal(c->nsegments, 3);
	seg = &c->segments[0];
	assert_string_equal(seg->name, "client");
	assert_int_equal(seg->match.ntags, 2);
	assert_string_equal(seg->match.tags[1], "Customer");
	assert_int_equal(seg->match.max_followers, 100000);
	assert_int_equal(seg->match.min_connections, -1);
	assert_int_equal(seg->match.creator, -1);
	assert_true(seg->readiness.inbound.threshold == 3);
	assert_int_equal(seg->readiness.inbound.need_deep, 1);
	assert_int_equal(seg->readiness.wait_ms, TEST_DAY_MS);      /* from readiness */
	assert_int_equal(seg->readiness.inbound.min_posts, 3);
	seg = &c->segments[1];
	assert_int_equal(seg->match.min_connections, 500);
	assert_int_equal(seg->match.max_connections, 29999);
	assert_int_equal(seg->match.min_followers, 10);
	assert_int_equal(seg->match.creator, 0);
	assert_int_equal(seg->readiness.wait_ms, 14 * TEST_DAY_MS);
	assert_int_equal(seg->readiness.inbound.min_posts, 0);
	assert_int_equal(seg->readiness.inbound.min_days, 5);
	assert_int_equal(seg->readiness.active_within_ms, 90 * 60 * 1000);
	assert_true(seg->readiness.inbound.threshold == 7.5);
	assert_int_equal(seg->readiness.inbound.need_deep, 0);
	assert_true(rules_match_is_empty(&c->segments[2].match));

	assert_int_equal(c->network.role, RATIO_EARLY_CAREER);
	assert_true(c->network.bands[RATIO_THOUGHT_LEADER].min == 2 && c->network.bands[RATIO_THOUGHT_LEADER].max == 5);
	assert_true(c->network.bands[RATIO_EARLY_CAREER].min == 0.5 && c->network.bands[RATIO_EARLY_CAREER].max == 0.9);
	assert_true(c->network.cap_warning == 0.5);
	assert_int_equal(c->network.audit_period_ms, 7 * TEST_DAY_MS);
	assert_int_equal(c->network.first_hour_ms, 2 * 3600 * 1000);
	assert_int_equal(c->network.first_hour_posts, 10);
	conf_free(c);
}

/* "segments: []" or an empty "segments:" means the default list. */
static void test_segments_empty(void **state)
{
	char dir[] = "/tmp/warmth-conf-XXXXXX", path[PATH_MAX];
	static const char *const texts[] = { "segments: []\n", "segments:\n" };
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/warmthd.yaml", dir);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		char text[256];
		snprintf(text, sizeof(text), "inputs:\n  - path: /x/*.jsonl\n%s", texts[i]);
		test_write_file(path, text);
		assert_int_equal(conf_load(path, &c, &errs), 0);
		test_rule_defaults(c);
		conf_free(c);
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A config with nothing but one input: everything else is a default. */
static void test_defaults(void **state)
{
	char dir[] = "/tmp/warmth-conf-XXXXXX", path[PATH_MAX];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/warmthd.yaml", dir);
	test_write_file(path, "inputs:\n  - path: /var/log/engagement/*.jsonl\n");
	assert_int_equal(conf_load(path, &c, &errs), 0);

	assert_string_equal(c->file, path);
	assert_string_equal(c->database, "/var/lib/warmthd/state.db");
	assert_int_equal(c->synchronous_full, 0);
	assert_int_equal(c->dedup_retention_ms, 30LL * 86400 * 1000);
	assert_int_equal(c->id_retention_ms, 3650LL * 86400 * 1000);
	assert_int_equal(c->evidence_per_contact, 5);
	assert_string_equal(c->socket, "/run/warmthd/control.sock");
	assert_int_equal(c->ninputs, 1);
	assert_string_equal(c->inputs[0].path, "/var/log/engagement/*.jsonl");
	assert_int_equal(c->inputs[0].start_at, CONF_START_BEGINNING);
	assert_string_equal(c->dead_letter, "/var/lib/warmthd/rejected.jsonl");
	assert_int_equal(c->time_source, CONF_TIME_WALL);
	assert_int_equal(c->max_line_bytes, 1024 * 1024);
	assert_int_equal(c->batch_events, 4000000);
	assert_int_equal(c->batch_interval_ms, 100);
	assert_int_equal(c->backlog_interval_ms, 5000);
	assert_int_equal(c->rescan_interval_ms, 10000);
	assert_int_equal(c->rotate_wait_ms, 5000);
	assert_int_equal(c->poll_interval_ms, 1000);
	assert_int_equal(c->read_chunk_bytes, 1024 * 1024);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	assert_int_equal(c->nnotify, 0);
	assert_null(c->notify);
	test_rule_defaults(c);

	conf_free(c);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The INTERFACE.md minimal config, field by field. */
static void test_minimal(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	snprintf(path, sizeof(path), "%s/ok_minimal.yaml", test_golden_dir(dir, sizeof(dir)));
	assert_int_equal(conf_load(path, &c, &errs), 0);
	assert_string_equal(c->database, "/var/lib/warmthd/state.db");
	assert_int_equal(c->ninputs, 1);
	assert_string_equal(c->inputs[0].path, "/var/log/engagement/*.jsonl");
	assert_int_equal(c->nnotify, 1);
	assert_int_equal(c->notify[0].type, CONF_NOTIFY_FILE);
	assert_string_equal(c->notify[0].path, "/var/lib/warmthd/notifications.jsonl");
	assert_null(c->notify[0].url);
	assert_null(c->notify[0].command);
	/* The defaults of the keys a file notifier takes, and of those every one takes. */
	assert_int_equal(c->notify[0].fsync, 1);
	assert_null(c->notify[0].kinds);
	assert_null(c->notify[0].headers);
	conf_free(c);
}

/* Every key set: the values land in the right fields, relative paths resolved. */
static void test_full(void **state)
{
	char dir[PATH_MAX], real[PATH_MAX], path[PATH_MAX + 32], want[PATH_MAX * 2];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(realpath(test_golden_dir(dir, sizeof(dir)), real));
	snprintf(path, sizeof(path), "%s/ok_full.yaml", dir);
	assert_int_equal(conf_load(path, &c, &errs), 0);

	snprintf(want, sizeof(want), "%s/state/warmth.db", real);
	assert_string_equal(c->database, want);
	assert_int_equal(c->synchronous_full, 1);
	assert_int_equal(c->dedup_retention_ms, 14LL * 86400 * 1000);
	assert_int_equal(c->id_retention_ms, 0); /* for ever */
	assert_int_equal(c->evidence_per_contact, 0);
	assert_string_equal(c->socket, "/tmp/warmthd test/control.sock");
	assert_int_equal(c->ninputs, 2);
	if (strpbrk(real, "*?[\\") == NULL) {
		snprintf(want, sizeof(want), "%s/logs/*.jsonl", real);
		assert_string_equal(c->inputs[0].path, want);
	}
	assert_int_equal(c->inputs[0].start_at, CONF_START_END);
	assert_string_equal(c->inputs[1].path, "/srv/other/[ab]*.jsonl");
	assert_int_equal(c->inputs[1].start_at, CONF_START_BEGINNING);
	snprintf(want, sizeof(want), "%s/rejected.jsonl", real);
	assert_string_equal(c->dead_letter, want);
	assert_int_equal(c->time_source, CONF_TIME_EVENT);
	assert_int_equal(c->max_line_bytes, 1024ULL * 1024 * 1024);
	assert_int_equal(c->batch_events, 10000000);
	assert_int_equal(c->batch_interval_ms, 1);
	assert_int_equal(c->rescan_interval_ms, 3600 * 1000);
	assert_int_equal(c->rotate_wait_ms, 0);
	assert_int_equal(c->poll_interval_ms, 10);
	assert_int_equal(c->read_chunk_bytes, 4096);
	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);

	assert_int_equal(c->nnotify, 5);
	assert_int_equal(c->notify[0].type, CONF_NOTIFY_FILE);
	snprintf(want, sizeof(want), "%s/notifications.jsonl", real);
	assert_string_equal(c->notify[0].path, want);
	assert_int_equal(c->notify[1].type, CONF_NOTIFY_WEBHOOK);
	assert_string_equal(c->notify[1].url, "https://example.invalid/hook?x=1");
	assert_null(c->notify[1].path);
	assert_int_equal(c->notify[2].type, CONF_NOTIFY_EXEC);
	assert_int_equal(c->notify[2].ncommand, 3);
	assert_string_equal(c->notify[2].command[0], "/usr/local/bin/on-ready");
	assert_string_equal(c->notify[2].command[1], "--from");
	assert_string_equal(c->notify[2].command[2], "warmthd");
	assert_null(c->notify[2].command[3]);
	assert_int_equal(c->notify[3].type, CONF_NOTIFY_JOURNAL);
	assert_int_equal(c->notify[4].type, CONF_NOTIFY_STDOUT);

	/* Pacing on the webhook; none on the others. */
	assert_int_equal(c->notify[1].rate_count, 10);
	assert_int_equal(c->notify[1].rate_period_ms, 3600 * 1000);
	assert_int_equal(c->notify[1].burst, 3);
	assert_int_equal(c->notify[1].quiet_start_min, 22 * 60 + 30);
	assert_int_equal(c->notify[1].quiet_end_min, 7 * 60 + 15);
	assert_int_equal(c->notify[1].utc_offset_min, -330);
	assert_int_equal(c->notify[1].digest_ms, 12 * 3600 * 1000);
	assert_int_equal(c->notify[0].rate_count, 0);
	assert_int_equal(c->notify[0].quiet_start_min, -1);
	assert_int_equal(c->notify[0].utc_offset_min, PACE_LOCAL_OFFSET);
	assert_int_equal(c->notify[0].digest_ms, 0);
	assert_int_equal(c->note_limit, 280);
	assert_int_equal(c->note_free_limit, 150);
	assert_int_equal(c->note_free, 1);
	assert_int_equal(c->note_comment_max, 60);
	assert_int_equal(c->nnote_templates, 1);
	assert_string_equal(c->note_templates[0].segment, "peer");
	assert_string_equal(c->note_templates[0].alternatives[0], "Hi {first_name}");

	assert_int_equal(c->notify[0].fsync, 0);
	assert_int_equal(c->notify[0].nkinds, 2);
	assert_string_equal(c->notify[0].kinds[0], "ready");
	assert_string_equal(c->notify[0].kinds[1], "cap");
	assert_null(c->notify[0].kinds[2]);
	assert_int_equal(c->notify[1].nheaders, 2);
	assert_string_equal(c->notify[1].headers[0], "Authorization: Bearer abc");
	assert_string_equal(c->notify[1].headers[1], "X-Empty: ");
	assert_null(c->notify[1].headers[2]);
	assert_int_equal(c->notify[1].timeout_ms, 250);
	assert_null(c->notify[1].kinds);
	assert_int_equal(c->notify[2].timeout_ms, 60000);
	assert_int_equal(c->notify[2].nkinds, 1);
	assert_string_equal(c->notify[2].kinds[0], "ratio");
	snprintf(want, sizeof(want), "%s/journal.sock", real);
	assert_string_equal(c->notify[3].socket, want);
	/* An empty list of kinds is the same as none: every kind. */
	assert_null(c->notify[4].kinds);
	assert_int_equal(c->notify[4].nkinds, 0);
	conf_free(c);
}

/*
 * Relative paths follow the config's directory, also when the config is
 * named by a relative path, and glob characters in that directory are
 * escaped so that only the pattern written in the config is a pattern.
 */
static void test_relative_paths(void **state)
{
	char tmp[] = "/tmp/warmth-conf-XXXXXX", real[PATH_MAX], cwd[PATH_MAX];
	char sub[64], path[128], want[PATH_MAX * 2];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(tmp));
	assert_non_null(realpath(tmp, real));
	snprintf(sub, sizeof(sub), "%s/a[1]", tmp);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/warmthd.yaml", sub);
	test_write_file(path,
	                "state:\n  database: state.db\n"
	                "control:\n  socket: ./run/../ctl.sock\n"
	                "inputs:\n  - path: logs/*.jsonl\n  - path: /abs/x.jsonl\n"
	                "dead_letter: .//rejected.jsonl\n"
	                "notify:\n  - type: file\n    path: out/n.jsonl\n");

	assert_int_equal(chdir(tmp), 0);
	assert_int_equal(conf_load("a[1]/warmthd.yaml", &c, &errs), 0);
	assert_int_equal(chdir(cwd), 0);

	assert_string_equal(c->file, "a[1]/warmthd.yaml");
	snprintf(want, sizeof(want), "%s/a[1]/state.db", real);
	assert_string_equal(c->database, want);
	snprintf(want, sizeof(want), "%s/a[1]/run/../ctl.sock", real);
	assert_string_equal(c->socket, want);
	snprintf(want, sizeof(want), "%s/a\\[1]/logs/*.jsonl", real);
	assert_string_equal(c->inputs[0].path, want);
	assert_string_equal(c->inputs[1].path, "/abs/x.jsonl");
	snprintf(want, sizeof(want), "%s/a[1]/rejected.jsonl", real);
	assert_string_equal(c->dead_letter, want);
	snprintf(want, sizeof(want), "%s/a[1]/out/n.jsonl", real);
	assert_string_equal(c->notify[0].path, want);
	conf_free(c);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(tmp), 0);
}

/*
 * The shipped reference config loads, and every value it shows is the
 * real default: it is compared with a config that sets nothing but the
 * same input.
 */
static void test_reference_config(void **state)
{
	const char *src = getenv("WARMTH_SOURCE_DIR");
	char path[PATH_MAX], dir[] = "/tmp/warmth-conf-XXXXXX", bare_path[PATH_MAX];
	struct conf_errors errs = { 0 };
	struct conf *ref, *bare;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/warmthd.yaml", src != NULL ? src : "..");
	if (conf_load(path, &ref, &errs) != 0) {
		conf_errors_print(&errs, stderr);
		conf_errors_free(&errs);
		fail_msg("%s does not load", path);
	}
	assert_non_null(mkdtemp(dir));
	snprintf(bare_path, sizeof(bare_path), "%s/warmthd.yaml", dir);
	test_write_file(bare_path, "inputs:\n  - path: /var/log/engagement/*.jsonl\n");
	assert_int_equal(conf_load(bare_path, &bare, &errs), 0);

	assert_string_equal(ref->database, bare->database);
	assert_int_equal(ref->synchronous_full, bare->synchronous_full);
	assert_int_equal(ref->dedup_retention_ms, bare->dedup_retention_ms);
	assert_int_equal(ref->evidence_per_contact, bare->evidence_per_contact);
	assert_string_equal(ref->socket, bare->socket);
	assert_int_equal(ref->ninputs, 1);
	assert_string_equal(ref->inputs[0].path, bare->inputs[0].path);
	assert_int_equal(ref->inputs[0].start_at, bare->inputs[0].start_at);
	assert_string_equal(ref->dead_letter, bare->dead_letter);
	assert_int_equal(ref->time_source, bare->time_source);
	assert_int_equal(ref->max_line_bytes, bare->max_line_bytes);
	assert_int_equal(ref->batch_events, bare->batch_events);
	assert_int_equal(ref->batch_interval_ms, bare->batch_interval_ms);
	assert_int_equal(ref->rescan_interval_ms, bare->rescan_interval_ms);
	assert_int_equal(ref->rotate_wait_ms, bare->rotate_wait_ms);
	assert_int_equal(ref->poll_interval_ms, bare->poll_interval_ms);
	assert_int_equal(ref->read_chunk_bytes, bare->read_chunk_bytes);
	assert_int_equal(ref->log_level, bare->log_level);
	/* The one active notifier is the file sink of INTERFACE.md. */
	assert_int_equal(ref->nnotify, 1);
	assert_int_equal(ref->notify[0].type, CONF_NOTIFY_FILE);
	assert_string_equal(ref->notify[0].path, "/var/lib/warmthd/notifications.jsonl");
	assert_int_equal(ref->notify[0].fsync, 1);
	assert_null(ref->notify[0].kinds);
	/* The outbox's retry keys, documented in the entry's comments. */
	assert_int_equal(ref->notify[0].retry_min_ms, 1000);
	assert_int_equal(ref->notify[0].retry_max_ms, 300000);
	assert_int_equal(ref->notify[0].max_age_ms, 86400000);
	/* No pacing unless asked for; the notes of DOMAIN.md. */
	assert_int_equal(ref->notify[0].rate_count, 0);
	assert_int_equal(ref->notify[0].burst, 0);
	assert_int_equal(ref->notify[0].quiet_start_min, -1);
	assert_int_equal(ref->notify[0].utc_offset_min, PACE_LOCAL_OFFSET);
	assert_int_equal(ref->notify[0].digest_ms, 0);
	assert_int_equal(ref->note_limit, 300);
	assert_int_equal(ref->note_free_limit, 200);
	assert_int_equal(ref->note_free, bare->note_free);
	assert_int_equal(ref->note_comment_max, bare->note_comment_max);
	assert_null(ref->note_templates);
	test_same_rules(ref, bare);

	conf_free(ref);
	conf_free(bare);
	assert_int_equal(unlink(bare_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_cannot_open(void **state)
{
	struct conf_errors errs = { 0 };
	struct conf *c = (struct conf *)&errs;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/warmthd.yaml", &c, &errs), -1);
	assert_null(c);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.msgs[0], "/nonexistent/warmthd.yaml: cannot open: No such file or directory");
	conf_errors_free(&errs);
	assert_int_equal(errs.count, 0);
	assert_null(errs.msgs);

	assert_int_equal(conf_load("/", &c, &errs), -1);
	assert_int_equal(errs.count, 1);
	assert_string_equal(errs.msgs[0], "/: cannot read: Is a directory");
	conf_errors_free(&errs);

	/* A FIFO is refused at once: opening it to read would wait for a writer. */
	{
		char dir[] = "/tmp/warmth-conf-XXXXXX", fifo[PATH_MAX], want[PATH_MAX + 64];

		assert_non_null(mkdtemp(dir));
		snprintf(fifo, sizeof(fifo), "%s/warmthd.yaml", dir);
		assert_int_equal(mkfifo(fifo, 0644), 0);
		assert_int_equal(conf_load(fifo, &c, &errs), -1);
		assert_int_equal(errs.count, 1);
		snprintf(want, sizeof(want), "%s: cannot open: not a regular file", fifo);
		assert_string_equal(errs.msgs[0], want);
		conf_errors_free(&errs);
		unlink(fifo);
		rmdir(dir);
	}
}

/* libyaml's reader reports bad UTF-8 by byte offset; it is turned into line:column. */
static void test_bad_utf8(void **state)
{
	char dir[] = "/tmp/warmth-conf-XXXXXX", path[PATH_MAX], want[PATH_MAX + 64];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/warmthd.yaml", dir);
	test_write_file(path, "inputs:\n  - path: /var/log/\xff.jsonl\n");
	assert_int_equal(conf_load(path, &c, &errs), -1);
	assert_int_equal(errs.count, 1);
	snprintf(want, sizeof(want), "%s:2:20: YAML syntax error: invalid leading UTF-8 octet", path);
	assert_string_equal(errs.msgs[0], want);
	conf_errors_free(&errs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* A failed load appends to errs rather than replacing what is there. */
static void test_errors_append(void **state)
{
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/a.yaml", &c, &errs), -1);
	assert_int_equal(conf_load("/nonexistent/b.yaml", &c, &errs), -1);
	assert_int_equal(errs.count, 2);
	assert_non_null(strstr(errs.msgs[1], "/nonexistent/b.yaml: "));
	conf_errors_free(&errs);
	conf_free(NULL);
}

/*
 * conf_load_only reads the parts named and nothing else: errors elsewhere
 * (an unknown section, a bad value, a missing required list, an unreadable
 * secret) are not its concern; the part itself is checked as ever.
 */
static void test_load_only(void **state)
{
	static const char *const socket_only[] = { "control.socket", NULL };
	static const char *const figures[] = { "state.database", "scoring", NULL };
	char dir[] = "/tmp/warmth-conf-XXXXXX", path[PATH_MAX], want[PATH_MAX + 64];
	struct conf_errors errs = { 0 };
	struct conf *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/warmthd.yaml", dir);
	test_write_file(path, "control:\n  socket: ./ctl.sock\n  max_clients: many\n"
	                      "scorring: {}\nstate:\n  database: db.sqlite\n  synchronous: x\n"
	                      "notify:\n  - type: webhook\n    url: http://127.0.0.1/\n"
	                      "    secret_file: /nonexistent/key\n"
	                      "scoring:\n  half_life: 5d\n");
	assert_int_equal(conf_load(path, &c, &errs), -1);
	conf_errors_free(&errs);
	assert_int_equal(conf_load_only(path, socket_only, &c, &errs), 0);
	snprintf(want, sizeof(want), "%s/ctl.sock", dir);
	assert_string_equal(c->socket, want);
	assert_string_equal(c->database, "/var/lib/warmthd/state.db"); /* not read: the default */
	assert_int_equal(c->control_max_clients, 64);
	conf_free(c);
	assert_int_equal(conf_load_only(path, figures, &c, &errs), 0);
	snprintf(want, sizeof(want), "%s/db.sqlite", dir);
	assert_string_equal(c->database, want);
	assert_int_equal(c->scoring.half_life_ms, 5 * 86400000LL);
	assert_null(c->notify);
	conf_free(c);

	/* The part itself broken: said where. */
	test_write_file(path, "scorring: {}\ncontrol:\n  socket: [a, b]\n");
	assert_int_equal(conf_load_only(path, socket_only, &c, &errs), -1);
	assert_null(c);
	assert_int_equal(errs.count, 1);
	snprintf(want, sizeof(want), "%s:3:11: ", path);
	assert_memory_equal(errs.msgs[0], want, strlen(want));
	assert_non_null(strstr(errs.msgs[0], "control.socket"));
	conf_errors_free(&errs);
	test_write_file(path, "control: /run/x.sock\n");
	assert_int_equal(conf_load_only(path, socket_only, &c, &errs), -1);
	assert_int_equal(errs.count, 1);
	conf_errors_free(&errs);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * conf_fixed_changed names each key only a restart applies that differs
 * from the values the daemon started with, and nothing else.
 */
static void test_fixed_changed(void **state)
{
	char dir[] = "/tmp/warmth-conf-XXXXXX", path[PATH_MAX];
	struct conf_errors errs = { 0 };
	struct conf *started, *next, *fixed;
	const char *names[CONF_FIXED_MAX];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/warmthd.yaml", dir);
	test_write_file(path, "inputs:\n  - path: /x/*.jsonl\nlog:\n  level: info\n");
	assert_int_equal(conf_load(path, &started, &errs), 0);
	fixed = conf_fixed_new(started);
	conf_free(started); /* the copy owns what it keeps */
	test_write_file(path, "inputs:\n  - path: /y/*.jsonl\nlog:\n  level: debug\n"
	                      "scoring:\n  half_life: 5d\n");
	assert_int_equal(conf_load(path, &next, &errs), 0);
	assert_int_equal(conf_fixed_changed(fixed, next, names, CONF_FIXED_MAX), 0);
	conf_free(next);
	test_write_file(path, "inputs:\n  - path: /x/*.jsonl\nstate:\n  database: /z/s.db\n"
	                      "  synchronous: full\ncontrol:\n  socket: /z/c.sock\n"
	                      "metrics:\n  listen: 127.0.0.1:9464\n  interval: 1m\n"
	                      "  textfile: /z/w.prom\n");
	assert_int_equal(conf_load(path, &next, &errs), 0);
	assert_int_equal(conf_fixed_changed(fixed, next, names, CONF_FIXED_MAX), 6);
	assert_string_equal(names[0], "state.database");
	assert_string_equal(names[1], "state.synchronous");
	assert_string_equal(names[2], "control.socket");
	assert_string_equal(names[3], "metrics.textfile");
	assert_string_equal(names[4], "metrics.interval");
	assert_string_equal(names[5], "metrics.listen");
	/* No more than max are stored (and returned). */
	assert_int_equal(conf_fixed_changed(fixed, next, names, 2), 2);
	conf_free(next);
	conf_fixed_free(fixed);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_rules_values),
		cmocka_unit_test(test_segments_empty),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_reference_config),
		cmocka_unit_test(test_cannot_open),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_errors_append),
		cmocka_unit_test(test_load_only),
		cmocka_unit_test(test_fixed_changed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
