/*
 * ctl_status.c - status for people: one function prints the status JSON
 * as aligned text, whether the daemon made it (its live figures) or
 * warmthctl --db did (what the database holds), so both show the same
 * labels in the same order. A figure that only the running daemon knows
 * (uptime, the config it loaded, its rate) is "-" when read from a
 * database. A key this table does not know yet is still shown, under its
 * name with spaces, so a new status field is never hidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "warmth/util.h"
#include "ctl.h"

enum ctl_status_kind {
	CTL_STATUS_PLAIN,   /* a number or a string as it is */
	CTL_STATUS_BYTES,   /* "N bytes" */
	CTL_STATUS_SECONDS, /* "N s" */
	CTL_STATUS_BOOL,    /* yes / no */
	CTL_STATUS_COUNTS,  /* an object: "name N, name N" */
	CTL_STATUS_RATE,    /* events_per_s with its window */
	CTL_STATUS_HIDDEN,  /* shown with another key */
};

static const struct {
	const char *key, *label;
	enum ctl_status_kind kind;
} ctl_status_rows[] = {
	{ "database", "database", CTL_STATUS_PLAIN },
	{ "database_bytes", "database size", CTL_STATUS_BYTES },
	{ "config", "config", CTL_STATUS_PLAIN },
	{ "config_loaded", "config loaded", CTL_STATUS_PLAIN },
	{ "uptime_s", "uptime", CTL_STATUS_SECONDS },
	{ "contacts", "contacts", CTL_STATUS_PLAIN },
	{ "contacts_cached", "contacts in memory", CTL_STATUS_PLAIN },
	{ "watched", "watched for readiness", CTL_STATUS_PLAIN },
	{ "watch_dropped", "dropped from the watch", CTL_STATUS_PLAIN },
	{ "events_accepted", "events accepted", CTL_STATUS_PLAIN },
	{ "events_rejected", "events rejected", CTL_STATUS_PLAIN },
	{ "events_duplicate", "events duplicate", CTL_STATUS_PLAIN },
	{ "accepted_by_type", "accepted by type", CTL_STATUS_COUNTS },
	{ "rejected_by_reason", "rejected by reason", CTL_STATUS_COUNTS },
	{ "events_per_s", "events per second", CTL_STATUS_RATE },
	{ "events_per_s_window_s", NULL, CTL_STATUS_HIDDEN },
	{ "commit_failing", "commit failing", CTL_STATUS_BOOL },
	{ "control_clients", "control clients", CTL_STATUS_PLAIN },
	{ "unknown_fields", "unknown fields", CTL_STATUS_COUNTS },
	{ "inputs", NULL, CTL_STATUS_HIDDEN },
};

/* A scalar's text: a number as the JSON wrote it, a string cleaned, "-" for null. */
static void ctl_status_scalar(yajl_val v)
{
	if (YAJL_IS_STRING(v))
		ctl_print_clean(stdout, *v->u.string ? v->u.string : "-");
	else if (YAJL_IS_NUMBER(v))
		fputs(v->u.number.r, stdout);
	else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		fputs(YAJL_IS_TRUE(v) ? "yes" : "no", stdout);
	else
		fputs("-", stdout);
}

static void ctl_status_value(yajl_val root, yajl_val v, enum ctl_status_kind kind)
{
	yajl_val window;

	if (v == NULL || YAJL_IS_NULL(v)) {
		fputs("-", stdout);
		return;
	}
	switch (kind) {
	case CTL_STATUS_BYTES:
		ctl_status_scalar(v);
		fputs(" bytes", stdout);
		break;
	case CTL_STATUS_SECONDS:
		ctl_status_scalar(v);
		fputs(" s", stdout);
		break;
	case CTL_STATUS_RATE:
		ctl_status_scalar(v);
		window = ctl_get(root, "events_per_s_window_s");
		if (window != NULL && YAJL_IS_NUMBER(window))
			printf(" (over the last %s s)", window->u.number.r);
		break;
	case CTL_STATUS_COUNTS:
		if (!YAJL_IS_OBJECT(v) || v->u.object.len == 0) {
			fputs("-", stdout);
			break;
		}
		for (size_t i = 0; i < v->u.object.len; i++) {
			printf("%s", i ? ", " : "");
			ctl_print_clean(stdout, v->u.object.keys[i]);
			putchar(' ');
			ctl_status_scalar(v->u.object.values[i]);
		}
		break;
	default:
		if (YAJL_IS_OBJECT(v))
			ctl_status_value(root, v, CTL_STATUS_COUNTS);
		else
			ctl_status_scalar(v);
		break;
	}
}

static int ctl_status_known(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctl_status_rows); i++)
		if (strcmp(ctl_status_rows[i].key, key) == 0)
			return 1;
	return 0;
}

/* One "label  value" line, the label padded to width. */
static void ctl_status_label(const char *label, size_t width)
{
	fputs(label, stdout);
	for (size_t n = strlen(label); n < width; n++)
		putchar(' ');
}

/* The inputs: a table of path, offset, size and lag (missing files say so). */
static void ctl_status_inputs(yajl_val inputs)
{
	static const char *const headers[] = { "INPUT", "OFFSET", "SIZE", "LAG" };
	static const int right[] = { 0, 1, 1, 1 };
	struct ctl_table table;

	putchar('\n');
	if (inputs == NULL || !YAJL_IS_ARRAY(inputs) || inputs->u.array.len == 0) {
		puts("no input file read yet");
		return;
	}
	ctl_table_init(&table, 4, headers, right);
	for (size_t i = 0; i < inputs->u.array.len; i++) {
		yajl_val in = inputs->u.array.values[i];
		double offset = ctl_get_num(in, "offset", 0), size = ctl_get_num(in, "size", 0);
		char o[32], s[32], l[32];
		const char *path = ctl_get_str(in, "path");
		const char *row[4] = { path ? path : "-", o, s, l };

		snprintf(o, sizeof(o), "%.0f", offset);
		if (ctl_get_bool(in, "missing")) {
			snprintf(s, sizeof(s), "missing");
			snprintf(l, sizeof(l), "-");
		} else {
			snprintf(s, sizeof(s), "%.0f", size);
			snprintf(l, sizeof(l), "%.0f", size > offset ? size - offset : 0);
		}
		ctl_table_add(&table, row);
	}
	ctl_table_print(&table, stdout);
	ctl_table_free(&table);
}

int ctl_print_status_text(const char *json_text)
{
	yajl_val root = yajl_tree_parse(json_text, NULL, 0);
	size_t width = 0;

	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		ctl_error("the status is not a JSON object");
		yajl_tree_free(root);
		return CTL_EXIT_ERROR;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ctl_status_rows); i++)
		if (ctl_status_rows[i].label != NULL && strlen(ctl_status_rows[i].label) > width)
			width = strlen(ctl_status_rows[i].label);
	width += 2;
	for (size_t i = 0; i < ARRAY_SIZE(ctl_status_rows); i++) {
		if (ctl_status_rows[i].kind == CTL_STATUS_HIDDEN)
			continue;
		ctl_status_label(ctl_status_rows[i].label, width);
		ctl_status_value(root, ctl_get(root, ctl_status_rows[i].key), ctl_status_rows[i].kind);
		putchar('\n');
	}
	/* Keys this table does not know yet, lists apart: under their own name. */
	for (size_t i = 0; i < root->u.object.len; i++) {
		const char *key = root->u.object.keys[i];
		yajl_val v = root->u.object.values[i];
		char *label;

		if (ctl_status_known(key) || YAJL_IS_ARRAY(v))
			continue;
		label = xstrdup(key);
		for (char *p = label; *p; p++)
			if (*p == '_')
				*p = ' ';
		ctl_status_label(label, width);
		ctl_status_value(root, v, CTL_STATUS_PLAIN);
		putchar('\n');
		free(label);
	}
	ctl_status_inputs(ctl_get(root, "inputs"));
	yajl_tree_free(root);
	return CTL_EXIT_OK;
}
