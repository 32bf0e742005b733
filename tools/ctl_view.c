/*
 * ctl_view.c - what warmthctl prints for show, top, ready, export and
 * metrics, made from the JSON of the contacts and metrics (view.h), and
 * the socket side of those commands.
 *
 * Design. The JSON is the one truth of both ways to answer: with --db,
 * warmthctl makes it itself from the database (ctl_commands.c); over the
 * control socket (the default) the daemon makes it from memory with the
 * same function (view.c). JSON output prints that text as it is; text
 * output parses it and prints from the tree, by the same code either
 * way, so the two give byte-for-byte the same output on the same state.
 *
 * Over the socket, lists (top, ready, export) come in pages of at most
 * CTL_VIEW_PAGE contacts on one connection, each page printed before the
 * next is asked for (docs/control-protocol.md), so an export of a
 * million contacts costs warmthctl one page of memory (and the table of
 * top or ready, which must see every row to align its columns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "warmth/json.h"
#include "warmth/util.h"
#include "ctl.h"

#define CTL_VIEW_PAGE 500

/* --- Reading the tree (ctl.h). --- */

yajl_val ctl_get(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };

	return obj != NULL ? yajl_tree_get(obj, path, yajl_t_any) : NULL;
}

/* A string member, or NULL when absent, null or not a string. */
const char *ctl_get_str(yajl_val obj, const char *key)
{
	yajl_val v = ctl_get(obj, key);

	return v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

/* A number member, or dflt. */
double ctl_get_num(yajl_val obj, const char *key, double dflt)
{
	yajl_val v = ctl_get(obj, key);

	return v != NULL && YAJL_IS_NUMBER(v) ? YAJL_GET_DOUBLE(v) : dflt;
}

int ctl_get_bool(yajl_val obj, const char *key)
{
	yajl_val v = ctl_get(obj, key);

	return v != NULL && YAJL_IS_TRUE(v);
}

/* A time member as the text shows it: the RFC 3339 string, or "never". */
const char *ctl_get_time(yajl_val obj, const char *key)
{
	const char *s = ctl_get_str(obj, key);

	return s != NULL ? s : "never";
}

yajl_val ctl_parse(const char *text, const char *what)
{
	char errbuf[128];
	yajl_val v = yajl_tree_parse(text, errbuf, sizeof(errbuf));

	if (v == NULL)
		ctl_error("%s is not JSON: %s", what, errbuf);
	return v;
}

/* --- show --- */

/* The width of the key column of the contact block. */
#define CTL_CONTACT_KEY_WIDTH 14

static void ctl_print_optional_int(yajl_val c, const char *key, const char *label)
{
	yajl_val v = ctl_get(c, key);

	if (v == NULL || !YAJL_IS_NUMBER(v))
		ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, label, "unknown");
	else
		ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, label, "%s", v->u.number.r);
}

/* One engagement on one line: time, direction, type, post and excerpt. */
static void ctl_print_engagement(yajl_val e)
{
	const char *type = ctl_get_str(e, "type"), *dir = ctl_get_str(e, "dir");
	const char *post = ctl_get_str(e, "post"), *title = ctl_get_str(e, "title");
	const char *text = ctl_get_str(e, "text");

	printf("%s  %-3s  %s", ctl_get_time(e, "ts"), dir ? dir : "in", type ? type : "?");
	if (post != NULL) {
		/* Aligned after the longest type name, "profile_view". */
		for (size_t n = type ? strlen(type) : 1; n < 12; n++)
			putchar(' ');
		fputs("  on ", stdout);
		ctl_print_clean(stdout, post);
	}
	if (title != NULL) {
		fputs(" \"", stdout);
		ctl_print_clean(stdout, title);
		putchar('"');
	}
	if (text != NULL) {
		fputs(": ", stdout);
		ctl_print_clean(stdout, text);
	}
	putchar('\n');
}

/*
 * Whether show's text lists a condition: every one that fails, and of
 * those that hold the ones that say something about this person (the
 * engagement, the wait, the budget); "not snoozed", "never declined" and
 * the like only when they fail.
 */
static int ctl_condition_shown(const char *name, int ok)
{
	static const char *const always[] = { "relationship", "warmth",     "wait",   "distinct_posts",
		                              "distinct_days", "deep_engagement", "active", "invite_budget" };

	/* Whether the daemon has notified is the "notified" line, not a reason. */
	if (strcmp(name, "not_notified") == 0)
		return 0;
	if (!ok)
		return 1;
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(always[i], name) == 0)
			return 1;
	return 0;
}

/* "warmth  41.2 (comment 20.1 49%, like 10.0 24%)": each part and its share. */
static void ctl_print_warmth(yajl_val c)
{
	yajl_val parts = ctl_get(c, "warmth_parts"), share = ctl_get(c, "share");
	struct buf b = { 0 };

	for (size_t i = 0; parts != NULL && YAJL_IS_OBJECT(parts) && i < parts->u.object.len; i++) {
		double part = YAJL_GET_DOUBLE(parts->u.object.values[i]);
		const char *type = parts->u.object.keys[i];
		if (part < 0.05)
			continue;
		buf_printf(&b, "%s%s %.1f %.0f%%", b.len ? ", " : "", type, part,
		           ctl_get_num(share, type, 0.0));
	}
	ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, "warmth", "%.1f%s%s%s",
	             ctl_get_num(c, "warmth", 0.0), b.len ? " (" : "", b.len ? buf_cstr(&b) : "",
	             b.len ? ")" : "");
	buf_free(&b);
}

static void ctl_print_contact_text(yajl_val c)
{
	yajl_val tags = ctl_get(c, "tags"), counts = ctl_get(c, "counts");
	yajl_val recent = ctl_get(c, "recent"), conditions = ctl_get(c, "conditions");
	yajl_val creator = ctl_get(c, "creator");
	const char *status = ctl_get_str(c, "status"), *verdict = ctl_get_str(c, "verdict");
	const char *next = ctl_get_str(c, "next");
	int ready = ctl_get_bool(c, "ready");
	size_t n, shown = 0;

	/* The verdict first: what to do, in one line. */
	printf("%s", ctl_style(ready ? CTL_STYLE_GREEN : CTL_STYLE_RED));
	ctl_print_clean(stdout, verdict != NULL ? verdict : "?");
	printf("%s\n", ctl_style(CTL_STYLE_RESET));
	/* Then why, in people's words: what fails, and what matters that holds. */
	n = conditions != NULL && YAJL_IS_ARRAY(conditions) ? conditions->u.array.len : 0;
	for (size_t i = 0; i < n; i++) {
		yajl_val cond = conditions->u.array.values[i];
		const char *name = ctl_get_str(cond, "name"), *words = ctl_get_str(cond, "words");
		int ok = ctl_get_bool(cond, "ok");
		if (name == NULL || words == NULL || !ctl_condition_shown(name, ok))
			continue;
		printf("%-*s", CTL_CONTACT_KEY_WIDTH, shown++ == 0 ? "why" : "");
		printf("%s%s%s ", ctl_style(ok ? CTL_STYLE_GREEN : CTL_STYLE_RED), ok ? "yes" : "no ",
		       ctl_style(CTL_STYLE_RESET));
		ctl_print_clean(stdout, words);
		putchar('\n');
	}
	/* And the next step, with the date the verdict changes. */
	printf("%-*s", CTL_CONTACT_KEY_WIDTH, "next");
	ctl_print_clean(stdout, next != NULL ? next : "-");
	putchar('\n');
	if (ctl_get_str(c, "note") != NULL) {
		printf("%-*s", CTL_CONTACT_KEY_WIDTH, "note");
		ctl_print_clean(stdout, ctl_get_str(c, "note"));
		putchar('\n');
	}
	putchar('\n');

	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "actor", ctl_get_str(c, "actor"));
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "account", ctl_get_str(c, "account"));
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "name", ctl_get_str(c, "name"));
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "headline", ctl_get_str(c, "headline"));
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "relationship",
	                   ctl_get_str(c, "relationship"));
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "segment", ctl_get_str(c, "segment"));
	ctl_print_warmth(c);
	ctl_print_kv_clean(stdout, CTL_CONTACT_KEY_WIDTH, "status", status);
	ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, "notified", "%s", ctl_get_time(c, "notified"));
	ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, "first seen", "%s", ctl_get_time(c, "first_seen"));
	ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, "last seen", "%s", ctl_get_time(c, "last_seen"));
	ctl_print_optional_int(c, "actor_connections", "connections");
	ctl_print_optional_int(c, "actor_followers", "followers");
	ctl_print_kv(stdout, CTL_CONTACT_KEY_WIDTH, "creator", "%s",
	             creator == NULL || YAJL_IS_NULL(creator) ? "unknown" :
	             YAJL_IS_TRUE(creator) ? "yes" : "no");

	printf("%-*s", CTL_CONTACT_KEY_WIDTH, "tags");
	n = tags != NULL && YAJL_IS_ARRAY(tags) ? tags->u.array.len : 0;
	if (n == 0)
		putchar('-');
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", stdout);
		ctl_print_clean(stdout, YAJL_GET_STRING(tags->u.array.values[i]));
	}
	putchar('\n');

	printf("%-*s", CTL_CONTACT_KEY_WIDTH, "counts");
	n = counts != NULL && YAJL_IS_OBJECT(counts) ? counts->u.object.len : 0;
	for (size_t i = 0; i < n; i++)
		printf("%s%s %s", i ? ", " : "", counts->u.object.keys[i],
		       counts->u.object.values[i]->u.number.r);
	fputs(n ? "\n" : "-\n", stdout);

	printf("%-*s", CTL_CONTACT_KEY_WIDTH, "recent");
	n = recent != NULL && YAJL_IS_ARRAY(recent) ? recent->u.array.len : 0;
	if (n == 0)
		fputs("-\n", stdout);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			printf("%-*s", CTL_CONTACT_KEY_WIDTH, "");
		ctl_print_engagement(recent->u.array.values[i]);
	}

}

/*
 * show and metrics: the JSON as it is (--json), or parsed and printed as
 * text by print; what names it in an error.
 */
static int ctl_print_object(const struct ctl *ctl, const char *json_text, const char *what,
                            void (*print)(yajl_val))
{
	yajl_val v;

	if (ctl->json) {
		printf("%s\n", json_text);
		return CTL_EXIT_OK;
	}
	if ((v = ctl_parse(json_text, what)) == NULL)
		return CTL_EXIT_ERROR;
	print(v);
	yajl_tree_free(v);
	return CTL_EXIT_OK;
}

int ctl_print_contact(const struct ctl *ctl, const char *json_text)
{
	return ctl_print_object(ctl, json_text, "the contact", ctl_print_contact_text);
}

/* --- top, ready, export --- */

/* Accepted events of the engagement types in a contact's counts. */
static uint64_t ctl_engagements_of(yajl_val c, int engagement_only)
{
	yajl_val counts = ctl_get(c, "counts");
	uint64_t n = 0;

	for (size_t i = 0; counts != NULL && YAJL_IS_OBJECT(counts) && i < counts->u.object.len; i++) {
		const char *k = counts->u.object.keys[i];
		int t = event_type_from_name(k, strlen(k));
		if (t >= 0 && (!engagement_only || event_type_is_engagement((enum event_type)t)))
			n += (uint64_t)YAJL_GET_INTEGER(counts->u.object.values[i]);
	}
	return n;
}

/* top and ready tables: a ready contact stands out in green. */
static enum ctl_style ctl_list_cell_style(size_t col, const char *cell)
{
	return col == 8 && strcmp(cell, "yes") == 0 ? CTL_STYLE_GREEN : CTL_STYLE_RESET;
}

static const char *const ctl_list_headers[] = { "#", "ACTOR", "NAME", "RELATIONSHIP", "SEGMENT",
	                                        "WARMTH", "", "ENGAGEMENTS", "READY" };
static const int ctl_list_right[] = { 1, 0, 0, 0, 0, 1, 0, 1, 0 };

void ctl_list_begin(struct ctl_list *l, const struct ctl *ctl, int kind)
{
	memset(l, 0, sizeof(*l));
	l->ctl = ctl;
	l->kind = kind;
	if (kind == CTL_LIST_EXPORT) {
		if (ctl->export_format == CTL_FORMAT_TEXT)
			puts("actor\tname\trelationship\tsegment\twarmth\tevents\taccount\tready");
		else if (ctl->export_format == CTL_FORMAT_CSV)
			fputs("actor,name,relationship,segment,warmth,events,account,ready\r\n", stdout);
	} else if (ctl->json) {
		buf_append_str(&l->json, "[");
	} else {
		ctl_table_init(&l->table, ARRAY_SIZE(ctl_list_headers), ctl_list_headers,
		               ctl_list_right);
		l->table.cell_style = ctl_list_cell_style;
	}
}

/*
 * One exported contact: in JSON Lines one object per line (the shape of
 * show), in text tab-separated under a header line. The text columns are
 * the ones of the brief plus the account and readiness last, so that
 * scripts that cut the first six keep working. CSV (RFC 4180: CRLF line
 * ends, fields quoted when they must be) has the same columns and header,
 * with the warmth rounded as in the JSON and readiness as true/false.
 */
static void ctl_export_row(const struct ctl *ctl, yajl_val c)
{
	const char *name = ctl_get_str(c, "name"), *segment = ctl_get_str(c, "segment");
	const char *rel = ctl_get_str(c, "relationship"), *account = ctl_get_str(c, "account");
	double warmth = ctl_get_num(c, "warmth", 0.0);
	unsigned long long events = (unsigned long long)ctl_engagements_of(c, 0);
	int ready = ctl_get_bool(c, "ready");

	if (ctl->export_format == CTL_FORMAT_CSV) {
		ctl_print_csv_field(stdout, ctl_get_str(c, "actor"));
		putchar(',');
		ctl_print_csv_field(stdout, name);
		printf(",%s,", rel ? rel : "");
		ctl_print_csv_field(stdout, segment);
		printf(",%.2f,%llu,", warmth, events);
		ctl_print_csv_field(stdout, account);
		printf(",%s\r\n", ready ? "true" : "false");
	} else {
		ctl_print_clean(stdout, ctl_get_str(c, "actor"));
		putchar('\t');
		ctl_print_clean(stdout, name);
		printf("\t%s\t%s\t%.1f\t%llu\t", rel ? rel : "", segment ? segment : "", warmth, events);
		ctl_print_clean(stdout, account);
		printf("\t%s\n", ready ? "yes" : "no");
	}
}

static void ctl_list_add(struct ctl_list *l, yajl_val c)
{
	char number[24], warmth[32], engagements[24], bar[CTL_BAR_SIZE];
	const char *name = ctl_get_str(c, "name");
	double w = ctl_get_num(c, "warmth", 0.0);

	l->count++;
	if (l->kind == CTL_LIST_EXPORT) {
		ctl_export_row(l->ctl, c);
		return;
	}
	/* The warmest shown fills the whole bar: the first row. */
	if (l->count == 1)
		l->max_warmth = w;
	const char *row[9] = { number, ctl_get_str(c, "actor"), name ? name : "-",
		               ctl_get_str(c, "relationship"), ctl_get_str(c, "segment"), warmth, bar,
		               engagements, ctl_get_bool(c, "ready") ? "yes" : "no" };
	ctl_warmth_bar(w, l->max_warmth, bar);
	snprintf(number, sizeof(number), "%zu", l->count);
	snprintf(warmth, sizeof(warmth), "%.1f", w);
	snprintf(engagements, sizeof(engagements), "%llu",
	         (unsigned long long)ctl_engagements_of(c, 1));
	ctl_table_add(&l->table, row);
}

int ctl_list_add_text(struct ctl_list *l, const char *json_text)
{
	yajl_val c;

	/* JSON out as it came in: the tree would write back the same bytes. */
	if (l->kind == CTL_LIST_EXPORT && l->ctl->export_format == CTL_FORMAT_JSONL) {
		l->count++;
		printf("%s\n", json_text);
		return ferror(stdout) != 0 ? -1 : 0;
	}
	if (l->kind != CTL_LIST_EXPORT && l->ctl->json) {
		buf_append_str(&l->json, l->count++ ? "," : "");
		buf_append_str(&l->json, json_text);
		return 0;
	}
	c = ctl_parse(json_text, "a contact");

	if (c == NULL)
		return -1;
	ctl_list_add(l, c);
	yajl_tree_free(c);
	return ferror(stdout) != 0 ? -1 : 0;
}

void ctl_list_end(struct ctl_list *l, int ok)
{
	const struct ctl *ctl = l->ctl;

	if (l->kind == CTL_LIST_EXPORT)
		return;
	if (ctl->json) {
		buf_append_str(&l->json, "]");
		if (ok)
			ctl_print_json_line(&l->json);
		buf_free(&l->json);
		return;
	}
	if (ok && l->count == 0) {
		if (l->kind == CTL_LIST_READY)
			printf("no contact is ready%s%s\n", ctl->segment ? " in segment " : "",
			       ctl->segment ? ctl->segment : "");
		else if (ctl->segment != NULL)
			printf("no contact of segment %s in account \"%s\"\n", ctl->segment, ctl->account);
		else
			printf("no contact in account \"%s\" yet\n", ctl->account);
	} else if (ok) {
		ctl_table_print(&l->table, stdout);
	}
	ctl_table_free(&l->table);
}

/* --- metrics --- */

static void ctl_metrics_engagement(yajl_val m, const char *key, const char *label)
{
	yajl_val e = ctl_get(m, key);
	double conn = ctl_get_num(e, "connections", -1), fol = ctl_get_num(e, "followers", -1);
	char c[32], f[32];

	if (conn >= 0)
		snprintf(c, sizeof(c), "%.2f", conn);
	else
		snprintf(c, sizeof(c), "unknown");
	if (fol >= 0)
		snprintf(f, sizeof(f), "%.3f", fol);
	else
		snprintf(f, sizeof(f), "unknown");
	ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, label, "%s per connection, %s per follower", c, f);
}

/* A rate as a whole percentage, or "unknown", into out. */
static void ctl_metrics_percent(double v, char out[32])
{
	if (v >= 0)
		snprintf(out, 32, "%.0f%%", v * 100.0);
	else
		snprintf(out, 32, "unknown");
}

/* " (+3 since the snapshot)", or "" without a change. */
static void ctl_metrics_delta(yajl_val m, const char *key, char out[48])
{
	yajl_val d = ctl_get(m, key);

	if (d == NULL || !YAJL_IS_NUMBER(d) || YAJL_GET_DOUBLE(d) == 0)
		out[0] = '\0';
	else
		snprintf(out, 48, " (%+.0f since the snapshot)", YAJL_GET_DOUBLE(d));
}

/* One line per segment of acceptance_by_segment, in the JSON's order. */
static void ctl_metrics_segments_text(yajl_val m)
{
	yajl_val segs = ctl_get(m, "acceptance_by_segment");

	if (segs == NULL || !YAJL_IS_OBJECT(segs))
		return;
	for (size_t i = 0; i < segs->u.object.len; i++) {
		yajl_val inv = segs->u.object.values[i];
		struct buf key = { 0 };
		char rate[32];
		buf_printf(&key, "  %s", segs->u.object.keys[i]);
		ctl_metrics_percent(ctl_get_num(inv, "acceptance_rate", -1), rate);
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, buf_cstr(&key), "%s of %.0f invitations",
		             rate, ctl_get_num(inv, "invitations_sent", 0));
		buf_free(&key);
	}
}

static void ctl_metrics_first_hour_text(yajl_val m)
{
	yajl_val fh = ctl_get(m, "first_hour_connection_share");
	double posts = ctl_get_num(fh, "posts", 0);

	if (posts > 0) {
		char median[32], mean[32];
		ctl_metrics_percent(ctl_get_num(fh, "median", -1), median);
		ctl_metrics_percent(ctl_get_num(fh, "mean", -1), mean);
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "first hour",
		             "%s from connections (median of %.0f posts; mean %s)", median, posts,
		             mean);
	} else {
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "first hour", "unknown");
	}
}

static void ctl_print_metrics_text(yajl_val m)
{
	char delta[48];
	double followers = ctl_get_num(m, "followers", -1), connections = ctl_get_num(m, "connections", -1);
	double ratio = ctl_get_num(m, "ratio", -1), accept = ctl_get_num(m, "acceptance_rate", -1);
	double conversion = ctl_get_num(m, "conversion_rate", -1);
	double days = ctl_get_num(m, "median_convert_days", -1);
	double tmin = ctl_get_num(m, "target_min", 0), tmax = ctl_get_num(m, "target_max", 0);
	const char *role = ctl_get_str(m, "role"), *position = ctl_get_str(m, "position");

	ctl_print_kv_clean(stdout, CTL_STATUS_KEY_WIDTH, "account", ctl_get_str(m, "account"));
	ctl_metrics_delta(m, "followers_since_snapshot", delta);
	if (followers < 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "followers", "unknown");
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "followers", "%.0f%s", followers, delta);
	ctl_metrics_delta(m, "connections_since_snapshot", delta);
	if (connections < 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "connections", "unknown");
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "connections", "%.0f of %.0f (%.0f%%)%s",
		             connections, ctl_get_num(m, "cap", 0),
		             ctl_get_num(m, "cap_usage", 0) * 100.0, delta);
	if (ratio >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "ratio",
		             "%.2f, %s the target %.1f to %.1f for %s", ratio,
		             position && strcmp(position, "in_band") == 0 ? "within" :
		             position && strcmp(position, "below") == 0 ? "below" : "above",
		             tmin, tmax, role);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "ratio", "unknown (target %.1f to %.1f for %s)",
		             tmin, tmax, role);
	if (ctl_get_str(m, "advice") != NULL)
		ctl_print_kv_clean(stdout, CTL_STATUS_KEY_WIDTH, "advice", ctl_get_str(m, "advice"));
	if (accept >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "acceptance rate", "%.0f%% of %.0f invitations",
		             accept * 100.0, ctl_get_num(m, "invitations_sent", 0));
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "acceptance rate", "unknown");
	ctl_metrics_segments_text(m);
	if (conversion >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "conversion rate",
		             "%.0f%% of %.0f new followers connected", conversion * 100.0,
		             ctl_get_num(m, "followers_gained", 0));
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "conversion rate", "unknown");
	if (days >= 0)
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "days to convert", "%.1f (median)", days);
	else
		ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "days to convert", "unknown");
	ctl_metrics_engagement(m, "engagement_7d", "engagement 7d");
	ctl_metrics_engagement(m, "engagement_30d", "engagement 30d");
	ctl_metrics_first_hour_text(m);
	ctl_print_kv(stdout, CTL_STATUS_KEY_WIDTH, "snapshot", "%s", ctl_get_time(m, "snapshot"));
}

int ctl_print_metrics(const struct ctl *ctl, const char *json_text)
{
	return ctl_print_object(ctl, json_text, "the metrics", ctl_print_metrics_text);
}

/* --- Over the socket. --- */

/* The request's args: the account when given, the segment, a page's cursor. */
static void ctl_view_args(const struct ctl *ctl, const char *actor, const char *after,
                          size_t limit, struct buf *out)
{
	struct json *j = json_new(out, 0);

	json_object_open(j);
	if (ctl->account_given)
		json_kv_str(j, "account", ctl->account);
	if (actor != NULL)
		json_kv_str(j, "actor", actor);
	if (ctl->segment != NULL)
		json_kv_str(j, "segment", ctl->segment);
	if (limit > 0)
		json_kv_int(j, "limit", (int64_t)limit);
	if (after != NULL)
		json_kv_str(j, "after", after);
	json_object_close(j);
	json_free(j);
}

/* A "bad_argument" of these commands is a mistake on the command line. */
static int ctl_view_rc(int rc, const char *code)
{
	return rc == CTL_EXIT_ERROR && code != NULL && strcmp(code, "bad_argument") == 0 ?
	       CTL_EXIT_USAGE : rc;
}

/* Past the JSON object or array starting at p (no further than end), or NULL. */
static char *ctl_json_skip(char *p, const char *end)
{
	int depth = 0, in_string = 0;

	for (; p < end; p++) {
		if (in_string) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_string = 0;
		} else if (*p == '"') {
			in_string = 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/*
 * Adds the contacts of one page to l and returns its next cursor (owned,
 * NULL on the last page) in *next; 0, or -1 for a page it cannot read.
 * The daemon writes {"contacts":[...],"next":...}: each contact's text is
 * found by a scan and handed on as it is, so JSON output prints the
 * daemon's bytes and text output parses one small contact at a time,
 * never a tree of the whole page.
 */
static int ctl_view_page(struct ctl_list *l, struct buf *page, char **next)
{
	static const char head[] = "{\"contacts\":[";
	char *p = page->data, *end = page->data + page->len;
	struct buf tail = { 0 };
	yajl_val rest, cursor;

	*next = NULL;
	if (page->len < sizeof(head) || memcmp(p, head, sizeof(head) - 1) != 0)
		return -1;
	p += sizeof(head) - 1;
	while (p < end && *p != ']') {
		char *e = ctl_json_skip(p, end), saved;
		if (e == NULL || e >= end || (*e != ',' && *e != ']'))
			return -1;
		saved = *e;
		*e = '\0';
		if (ctl_list_add_text(l, p) < 0 && !ferror(stdout)) {
			*e = saved;
			return -1;
		}
		*e = saved;
		p = *e == ',' ? e + 1 : e;
	}
	if (p >= end)
		return -1;
	/* What follows the array: ,"next":CURSOR} */
	buf_append_str(&tail, "{");
	buf_append(&tail, p + 2, (size_t)(end - p - 2));
	rest = ctl_parse(buf_cstr(&tail), "the daemon's page");
	buf_free(&tail);
	if (rest == NULL)
		return -1;
	cursor = ctl_get(rest, "next");
	if (cursor != NULL && YAJL_IS_STRING(cursor))
		*next = xstrdup(YAJL_GET_STRING(cursor));
	yajl_tree_free(rest);
	return 0;
}

/*
 * The daemon's cursor separates its fields with tabs, which a person
 * cannot paste into a command line: printed for people they are spaces,
 * and a cursor given without a tab gets its first two spaces back as
 * tabs (the actor, which may hold spaces but no tab, comes last).
 */
static void ctl_cursor_for_people(char *cursor)
{
	for (char *p = cursor; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
}

static char *ctl_cursor_from_people(const char *given)
{
	char *cursor = xstrdup(given), *p = cursor;

	if (strchr(cursor, '\t') != NULL)
		return cursor; /* as --json printed it */
	for (int n = 0; n < 2 && (p = strchr(p, ' ')) != NULL; n++)
		*p++ = '\t';
	return cursor;
}

/*
 * contacts: one page of the search, as the daemon answered it (--json),
 * or its rows as export prints them and a last line "next: CURSOR" when
 * there is a next page (warmthctl contacts --after CURSOR asks for it).
 */
static int ctl_view_contacts(const struct ctl *ctl, int fd, const char *path)
{
	struct buf args = { 0 }, result = { 0 };
	struct json *j = json_new(&args, 0);
	struct ctl_list l;
	char *next = NULL;
	const char *code;
	int rc;

	json_object_open(j);
	if (ctl->account_given)
		json_kv_str(j, "account", ctl->account);
	if (ctl->search != NULL)
		json_kv_str(j, "search", ctl->search);
	if (ctl->segment != NULL)
		json_kv_str(j, "segment", ctl->segment);
	json_kv_int(j, "limit", (int64_t)ctl->top_n);
	if (ctl->after != NULL) {
		char *cursor = ctl_cursor_from_people(ctl->after);
		json_kv_str(j, "after", cursor);
		free(cursor);
	}
	json_object_close(j);
	json_free(j);
	rc = ctl_socket_request(fd, path, "contacts", buf_cstr(&args), &result, &code);
	rc = ctl_view_rc(rc, code);
	if (rc == CTL_EXIT_OK && ctl->json) {
		printf("%s\n", buf_cstr(&result));
	} else if (rc == CTL_EXIT_OK) {
		ctl_list_begin(&l, ctl, CTL_LIST_EXPORT);
		if (ctl_view_page(&l, &result, &next) < 0) {
			ctl_error("%s: a page of contacts that is not what was asked for", path);
			rc = CTL_EXIT_ERROR;
		}
		ctl_list_end(&l, rc == CTL_EXIT_OK);
		if (rc == CTL_EXIT_OK && next != NULL) {
			ctl_cursor_for_people(next);
			printf("next: ");
			ctl_print_clean(stdout, next);
			printf("\n");
		}
	}
	free(next);
	buf_free(&args);
	buf_free(&result);
	return rc;
}

/* top, ready, export: pages until the list (or top's -n) is complete. */
static int ctl_view_pages(const struct ctl *ctl, int fd, const char *path, const char *cmd)
{
	int kind = strcmp(cmd, "export") == 0 ? CTL_LIST_EXPORT :
	           strcmp(cmd, "ready") == 0 ? CTL_LIST_READY : CTL_LIST_TOP;
	size_t want = kind == CTL_LIST_TOP ? (size_t)ctl->top_n : SIZE_MAX;
	struct buf args = { 0 }, result = { 0 };
	char *after = NULL;
	struct ctl_list l;
	const char *code;
	int rc = CTL_EXIT_OK;

	ctl_list_begin(&l, ctl, kind);
	while (l.count < want) {
		size_t limit = want - l.count < CTL_VIEW_PAGE ? want - l.count : CTL_VIEW_PAGE;
		buf_reset(&args);
		buf_reset(&result);
		ctl_view_args(ctl, NULL, after, limit, &args);
		rc = ctl_socket_request(fd, path, cmd, buf_cstr(&args), &result, &code);
		rc = ctl_view_rc(rc, code);
		if (rc != CTL_EXIT_OK)
			break;
		free(after);
		if (ctl_view_page(&l, &result, &after) < 0) {
			ctl_error("%s: a page of %s that is not what was asked for", path, cmd);
			rc = CTL_EXIT_ERROR;
			break;
		}
		if (ferror(stdout)) {
			rc = CTL_EXIT_ERROR;
			break;
		}
		if (after == NULL)
			break;
	}
	ctl_list_end(&l, rc == CTL_EXIT_OK);
	free(after);
	buf_free(&args);
	buf_free(&result);
	return rc;
}

int ctl_view_over_socket(const struct ctl *ctl, const char *path, const char *cmd,
                         const char *actor)
{
	struct buf args = { 0 }, result = { 0 };
	const char *code;
	int fd, rc;

	if ((rc = ctl_socket_open(path, &fd)) != CTL_EXIT_OK)
		return rc;
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "metrics") == 0 || strcmp(cmd, "plan") == 0) {
		ctl_view_args(ctl, actor, NULL, 0, &args);
		rc = ctl_socket_request(fd, path, cmd, buf_cstr(&args), &result, &code);
		rc = ctl_view_rc(rc, code);
		if (rc == CTL_EXIT_OK)
			rc = cmd[0] == 's'   ? ctl_print_contact(ctl, buf_cstr(&result))
		     : cmd[0] == 'p' ? ctl_print_plan(ctl, buf_cstr(&result))
		                     : ctl_print_metrics(ctl, buf_cstr(&result));
	} else if (strcmp(cmd, "contacts") == 0) {
		rc = ctl_view_contacts(ctl, fd, path);
	} else {
		rc = ctl_view_pages(ctl, fd, path, cmd);
	}
	close(fd);
	buf_free(&args);
	buf_free(&result);
	return rc;
}
