/*
 * test_metrics.c - metrics_render() on a fixed snapshot, compared with the
 * exact text a Prometheus scraper gets (exposition format 0.0.4), and the
 * histogram's bucket boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/event.h"
#include "../../daemon/metrics.h"

/* metrics.h declares it for main.c; the test never calls it. */
void engine_metrics_snapshot(struct engine *e, struct metrics_snapshot *s)
{
	(void)e, (void)s;
}

static const char test_metrics_expected[] =
	"# HELP warmthd_events_total Events accepted, by type.\n"
	"# TYPE warmthd_events_total counter\n"
	"warmthd_events_total{type=\"follow\"} 1\n"
	"warmthd_events_total{type=\"unfollow\"} 0\n"
	"warmthd_events_total{type=\"connect\"} 0\n"
	"warmthd_events_total{type=\"disconnect\"} 0\n"
	"warmthd_events_total{type=\"invite_sent\"} 0\n"
	"warmthd_events_total{type=\"invite_accepted\"} 0\n"
	"warmthd_events_total{type=\"invite_declined\"} 0\n"
	"warmthd_events_total{type=\"invite_withdrawn\"} 0\n"
	"warmthd_events_total{type=\"like\"} 3\n"
	"warmthd_events_total{type=\"comment\"} 0\n"
	"warmthd_events_total{type=\"reply\"} 0\n"
	"warmthd_events_total{type=\"share\"} 0\n"
	"warmthd_events_total{type=\"mention\"} 0\n"
	"warmthd_events_total{type=\"message\"} 0\n"
	"warmthd_events_total{type=\"profile_view\"} 0\n"
	"warmthd_events_total{type=\"snapshot\"} 0\n"
	"warmthd_events_total{type=\"profile\"} 0\n"
	"# HELP warmthd_events_rejected_total Lines rejected (written to the dead-letter file), by reason.\n"
	"# TYPE warmthd_events_rejected_total counter\n"
	"warmthd_events_rejected_total{reason=\"not_json\"} 2\n"
	"warmthd_events_rejected_total{reason=\"not_object\"} 0\n"
	"warmthd_events_rejected_total{reason=\"invalid_utf8\"} 0\n"
	"warmthd_events_rejected_total{reason=\"missing_ts\"} 0\n"
	"warmthd_events_rejected_total{reason=\"invalid_ts\"} 0\n"
	"warmthd_events_rejected_total{reason=\"missing_type\"} 0\n"
	"warmthd_events_rejected_total{reason=\"unknown_type\"} 0\n"
	"warmthd_events_rejected_total{reason=\"missing_actor\"} 0\n"
	"warmthd_events_rejected_total{reason=\"invalid_actor\"} 0\n"
	"warmthd_events_rejected_total{reason=\"invalid_field\"} 0\n"
	"warmthd_events_rejected_total{reason=\"invalid_snapshot\"} 0\n"
	"warmthd_events_rejected_total{reason=\"line_too_long\"} 1\n"
	"warmthd_events_rejected_total{reason=\"future_ts\"} 0\n"
	"# HELP warmthd_unknown_fields_total Unknown top-level event fields seen (and ignored) since "
	"start, by name.\n"
	"# TYPE warmthd_unknown_fields_total counter\n"
	"warmthd_unknown_fields_total{field=\"other\"} 0\n"
	"# HELP warmthd_events_duplicate_total Events skipped because their id was already counted.\n"
	"# TYPE warmthd_events_duplicate_total counter\n"
	"warmthd_events_duplicate_total 4\n"
	"# HELP warmthd_contacts Contacts known, all accounts.\n"
	"# TYPE warmthd_contacts gauge\n"
	"warmthd_contacts 7\n"
	"# HELP warmthd_contacts_cached Contacts held in memory (state.contact_cache); the rest are "
	"read from the database when needed.\n"
	"# TYPE warmthd_contacts_cached gauge\n"
	"warmthd_contacts_cached 5\n"
	"# HELP warmthd_input_lag_bytes Bytes of an input file not yet read.\n"
	"# TYPE warmthd_input_lag_bytes gauge\n"
	"warmthd_input_lag_bytes{path=\"/var/log/a.jsonl\"} 0\n"
	"warmthd_input_lag_bytes{path=\"/tmp/we\\\"ird\\\\dir\\nname.jsonl\"} 1234\n"
	"# HELP warmthd_batch_commit_seconds Time to commit one batch to the database.\n"
	"# TYPE warmthd_batch_commit_seconds histogram\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.005\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.01\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.025\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.05\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.1\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.25\"} 2\n"
	"warmthd_batch_commit_seconds_bucket{le=\"0.5\"} 3\n"
	"warmthd_batch_commit_seconds_bucket{le=\"1\"} 3\n"
	"warmthd_batch_commit_seconds_bucket{le=\"2.5\"} 3\n"
	"warmthd_batch_commit_seconds_bucket{le=\"5\"} 3\n"
	"warmthd_batch_commit_seconds_bucket{le=\"+Inf\"} 4\n"
	"warmthd_batch_commit_seconds_sum 9.309\n"
	"warmthd_batch_commit_seconds_count 4\n"
	"# HELP warmthd_build_info The running version; always 1.\n"
	"# TYPE warmthd_build_info gauge\n"
	"warmthd_build_info{version=\"1.2.3\"} 1\n";

/* Every family, in order, with HELP and TYPE; every type and reason even at 0. */
static void test_render(void **state)
{
	struct metrics_snapshot s = { 0 };
	struct buf out = { 0 };

	(void)state;
	s.counters.accepted_by_type[EVENT_LIKE] = 3;
	s.counters.accepted_by_type[EVENT_FOLLOW] = 1;
	s.counters.rejected_by_reason[REJECT_NOT_JSON] = 2;
	s.counters.rejected_by_reason[REJECT_LINE_TOO_LONG] = 1;
	s.counters.duplicate = 4;
	s.contacts = 7;
	s.contacts_cached = 5;
	metrics_snapshot_add_input(&s, "/var/log/a.jsonl", 0);
	/* A path with every character the format escapes. */
	metrics_snapshot_add_input(&s, "/tmp/we\"ird\\dir\nname.jsonl", 1234);
	metrics_histogram_observe(&s.commit, 0.004);
	metrics_histogram_observe(&s.commit, 0.005);
	metrics_histogram_observe(&s.commit, 0.3);
	metrics_histogram_observe(&s.commit, 9);
	s.version = "1.2.3";
	metrics_render(&s, &out);
	assert_string_equal(buf_cstr(&out), test_metrics_expected);
	metrics_snapshot_free(&s);
	buf_free(&out);
}

/* A bucket's bound is inclusive ("le"); above the last bound is +Inf's. */
static void test_histogram(void **state)
{
	struct metrics_histogram h = { 0 };

	(void)state;
	metrics_histogram_observe(&h, 0);
	metrics_histogram_observe(&h, 0.005);
	metrics_histogram_observe(&h, 0.0051);
	metrics_histogram_observe(&h, 5);
	metrics_histogram_observe(&h, 5.5);
	assert_int_equal(h.buckets[0], 2);
	assert_int_equal(h.buckets[1], 1);
	assert_int_equal(h.buckets[METRICS_COMMIT_BUCKETS - 1], 1);
	assert_int_equal(h.buckets[METRICS_COMMIT_BUCKETS], 1);
	assert_int_equal(h.count, 5);
	assert_true(h.sum > 10.51 && h.sum < 10.52);
}

/* An empty snapshot still names every family, and no input means no lag line. */
static void test_render_empty(void **state)
{
	struct metrics_snapshot s = { 0 };
	struct buf out = { 0 };
	const char *text;

	(void)state;
	metrics_render(&s, &out);
	text = buf_cstr(&out);
	assert_non_null(strstr(text, "# TYPE warmthd_input_lag_bytes gauge\n# HELP warmthd_batch_commit"));
	assert_non_null(strstr(text, "warmthd_batch_commit_seconds_bucket{le=\"+Inf\"} 0\n"));
	assert_non_null(strstr(text, "warmthd_build_info{version=\"\"} 1\n"));
	buf_free(&out);
}

/* Notifier counts: one line per result, the name escaped like any label. */
static void test_render_sinks(void **state)
{
	struct metrics_snapshot s = { 0 };
	struct buf out = { 0 };
	const char *text;

	(void)state;
	metrics_render(&s, &out);
	assert_null(strstr(buf_cstr(&out), "warmthd_notifications_total"));
	buf_reset(&out);
	metrics_snapshot_add_sink(&s, "file /var/lib/warmthd/n.jsonl", 3, 1, 0);
	metrics_snapshot_add_sink(&s, "webhook \"x\"", 0, 2, 1);
	metrics_render(&s, &out);
	text = buf_cstr(&out);
	assert_non_null(strstr(text, "# TYPE warmthd_notifications_total counter\n"));
	assert_non_null(strstr(text, "warmthd_notifications_total{sink=\"file /var/lib/warmthd/n.jsonl\","
	                             "result=\"delivered\"} 3\n"));
	assert_non_null(strstr(text, "warmthd_notifications_total{sink=\"webhook \\\"x\\\"\","
	                             "result=\"failed\"} 1\n"));
	metrics_snapshot_free(&s);
	buf_free(&out);
}

/* Unknown fields: one series per name, escaped, and "other" always. */
static void test_render_unknown_fields(void **state)
{
	struct metrics_snapshot s = { 0 };
	struct buf out = { 0 };
	const char *text;

	(void)state;
	metrics_render(&s, &out);
	assert_non_null(strstr(buf_cstr(&out), "# TYPE warmthd_unknown_fields_total counter\n"
	                                       "warmthd_unknown_fields_total{field=\"other\"} 0\n"));
	buf_reset(&out);
	metrics_snapshot_add_unknown_field(&s, "post_title", 3);
	metrics_snapshot_add_unknown_field(&s, "a\"b\\c", 1);
	s.unknown_fields_other = 7;
	metrics_render(&s, &out);
	text = buf_cstr(&out);
	assert_non_null(strstr(text, "warmthd_unknown_fields_total{field=\"post_title\"} 3\n"
	                             "warmthd_unknown_fields_total{field=\"a\\\"b\\\\c\"} 1\n"
	                             "warmthd_unknown_fields_total{field=\"other\"} 7\n"));
	metrics_snapshot_free(&s);
	buf_free(&out);
}

/* The ready queue: two gauges per account, only once there is an account. */
static void test_render_ready_queue(void **state)
{
	struct metrics_snapshot s = { 0 };
	struct buf out = { 0 };
	const char *text;

	(void)state;
	metrics_render(&s, &out);
	assert_null(strstr(buf_cstr(&out), "warmthd_ready_"));
	buf_reset(&out);
	metrics_snapshot_add_account(&s, "default", 3, 2);
	metrics_snapshot_add_account(&s, "w\"ork", 0, 0);
	metrics_render(&s, &out);
	text = buf_cstr(&out);
	assert_non_null(strstr(text, "# TYPE warmthd_ready_contacts gauge\n"
	                             "warmthd_ready_contacts{account=\"default\"} 3\n"
	                             "warmthd_ready_contacts{account=\"w\\\"ork\"} 0\n"));
	assert_non_null(strstr(text, "warmthd_ready_queued{account=\"default\"} 2\n"));
	metrics_snapshot_free(&s);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_render_sinks),
		cmocka_unit_test(test_render_unknown_fields),
		cmocka_unit_test(test_render_ready_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
