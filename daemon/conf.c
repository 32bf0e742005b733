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
 * a CONF_KIND_SECTION row of conf_top_keys. Notifier types each have a
 * table of the keys only that type takes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "warmth/conf.h"
#include "warmth/log.h"
#include "warmth/util.h"

#include "conf_internal.h"

/* -- the schema ----------------------------------------------------------- */

static conf_parse_fn conf_notify_command;
static conf_release_fn conf_notify_command_release;

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
	{ .name = "evidence_per_contact", .kind = CONF_KIND_INTEGER,
	  CONF_FIELD(struct conf, evidence_per_contact), .def = "5", .min = "0", .max = "100" },
	{ .name = NULL },
};

static const struct conf_key conf_control_keys[] = {
	{ .name = "socket", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, socket),
	  .def = "/run/warmthd/control.sock" },
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

static const struct conf_key conf_time_keys[] = {
	{ .name = "source", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, time_source),
	  .def = "wall", .values = conf_time_source_values },
	{ .name = NULL },
};

static const struct conf_key conf_ingest_keys[] = {
	{ .name = "max_line_bytes", .kind = CONF_KIND_SIZE, CONF_FIELD(struct conf, max_line_bytes),
	  .def = "1MiB", .min = "1KiB", .max = "1GiB" },
	{ .name = "batch_events", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, batch_events),
	  .def = "100000", .min = "1", .max = "10000000" },
	{ .name = "batch_interval", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf, batch_interval_ms),
	  .def = "100ms", .min = "1ms", .max = "10s" },
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

/* Keys by notifier type; keys every notifier takes go in conf_notify_keys. */
static const struct conf_key conf_notify_file_keys[] = {
	{ .name = "path", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf_notify, path), .required = 1 },
	{ .name = NULL },
};

static const struct conf_key conf_notify_webhook_keys[] = {
	{ .name = "url", .kind = CONF_KIND_URL, CONF_FIELD(struct conf_notify, url), .required = 1 },
	{ .name = NULL },
};

static const struct conf_key conf_notify_exec_keys[] = {
	{ .name = "command", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, command),
	  .required = 1, .parse = conf_notify_command, .release = conf_notify_command_release },
	{ .name = NULL },
};

static const struct conf_enum conf_notify_types[] = {
	{ "file", CONF_NOTIFY_FILE, conf_notify_file_keys },
	{ "webhook", CONF_NOTIFY_WEBHOOK, conf_notify_webhook_keys },
	{ "exec", CONF_NOTIFY_EXEC, conf_notify_exec_keys },
	{ "journal", CONF_NOTIFY_JOURNAL, NULL },
	{ "stdout", CONF_NOTIFY_STDOUT, NULL },
	{ NULL, 0, NULL },
};

static const struct conf_key conf_notify_keys[] = {
	{ .name = "type", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf_notify, type),
	  .required = 1, .values = conf_notify_types },
	{ .name = NULL },
};

static const struct conf_list conf_notify_list = {
	.entry_size = sizeof(struct conf_notify),
	.count_offset = offsetof(struct conf, nnotify),
	.noun = "notifier",
	.variant_key = "type",
	.keys = conf_notify_keys,
};

static const struct conf_key conf_top_keys[] = {
	{ .name = "state", .kind = CONF_KIND_SECTION, .keys = conf_state_keys },
	{ .name = "control", .kind = CONF_KIND_SECTION, .keys = conf_control_keys },
	{ .name = "inputs", .kind = CONF_KIND_LIST, CONF_FIELD(struct conf, inputs), .required = 1,
	  .list = &conf_inputs_list },
	{ .name = "dead_letter", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf, dead_letter),
	  .def = "/var/lib/warmthd/rejected.jsonl" },
	{ .name = "time", .kind = CONF_KIND_SECTION, .keys = conf_time_keys },
	{ .name = "ingest", .kind = CONF_KIND_SECTION, .keys = conf_ingest_keys },
	{ .name = "log", .kind = CONF_KIND_SECTION, .keys = conf_log_keys },
	{ .name = "notify", .kind = CONF_KIND_LIST, CONF_FIELD(struct conf, notify), .list = &conf_notify_list },
	{ .name = NULL },
};

/* -- custom keys ---------------------------------------------------------- */

/* exec's command: an argv of one or more strings, run without a shell. */
static void conf_notify_command(struct conf_loader *ld, const struct conf_key *key,
                                const struct conf_node *node, void *base, const char *name)
{
	struct conf_notify *notify = base;
	int ok = 1;

	if (node->kind != CONF_NODE_SEQUENCE || node->nitems == 0) {
		struct buf b = { 0 };
		conf_yaml_describe(&b, node);
		conf_report(ld, node, "%s: expected a non-empty list of strings (the program and its "
		            "arguments, no shell), got %s", name, buf_cstr(&b));
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *arg = node->items[i];
		if (arg->refused) {
			ok = 0;
		} else if (arg->kind != CONF_NODE_SCALAR || arg->is_null || (i == 0 && arg->text[0] == '\0')) {
			struct buf b = { 0 };
			conf_yaml_describe(&b, arg);
			conf_report(ld, arg, "%s[%zu]: expected %s, got %s", name, i,
			            i == 0 ? "a program" : "a string", buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		}
	}
	if (!ok || notify == NULL)
		return;
	conf_notify_command_release(key, notify);
	notify->command = xcalloc(node->nitems + 1, sizeof(*notify->command));
	for (size_t i = 0; i < node->nitems; i++)
		notify->command[i] = xstrdup(node->items[i]->text);
	notify->ncommand = node->nitems;
}

static void conf_notify_command_release(const struct conf_key *key, void *base)
{
	struct conf_notify *notify = base;

	(void)key;
	for (size_t i = 0; i < notify->ncommand; i++)
		free(notify->command[i]);
	free(notify->command);
	notify->command = NULL;
	notify->ncommand = 0;
}

/* -- loading -------------------------------------------------------------- */

int conf_load(const char *path, struct conf **out, struct conf_errors *errs)
{
	struct conf *conf = xcalloc(1, sizeof(*conf));

	*out = NULL;
	conf->file = xstrdup(path);
	if (conf_walk_file(path, conf_top_keys, conf, errs) < 0) {
		conf_free(conf);
		return -1;
	}
	*out = conf;
	return 0;
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
