/*
 * sink_driver.c - runs one notify: entry of a config as a sink on a libuv
 * loop and reports every delivery, for tests/integration/test_sinks.py.
 *
 *   sink_driver CONFIG INDEX [--attempts N] [--concurrent] [--last-id]
 *               [--stdout-fd FD] < RECORDS
 *
 * RECORDS is one notification record per line. Each is delivered in turn
 * (or all at once with --concurrent); a "retry" is delivered again at once,
 * up to N attempts in all (the outbox's backoff is not this program's
 * business). A record whose kind the entry's "kinds" filters out is
 * reported "skipped". Every report is one JSON line on stdout:
 *
 *   {"record":0,"attempt":1,"result":"retry","reason":"HTTP 503"}
 *   {"event":"last_id","when":"open","id":"n-1"}      (--last-id)
 *
 * With --last-id the sink is opened once more after closing, and the id it
 * finds is reported with "when":"reopen". The loop must end with no handle
 * left (uv_loop_close() == 0), or the exit status is 3. Lines that are not
 * JSON on stdout are the stdout sink's own. With --stdout-fd the stdout
 * sink writes to FD instead (it becomes the standard output) and the
 * reports alone go to the driver's own standard output, so that a test can
 * give the sink a pipe of its choosing (a full, non-blocking one).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "../../daemon/sink.h"

struct driver_record {
	struct driver *driver;
	size_t index;
	char *text;
	char *kind;
	int attempt;
	int done;
};

struct driver {
	uv_loop_t loop;
	struct sink *sink;
	struct driver_record *records;
	size_t nrecords;
	size_t next;          /* the next record to start (sequential mode) */
	size_t finished;
	int attempts;
	int concurrent;
	int closed;
	FILE *report;         /* where the reports go: stdout, or a copy of it (--stdout-fd) */
};

static void driver_print(struct driver *drv, struct buf *line)
{
	buf_append_str(line, "\n");
	fwrite(line->data, 1, line->len, drv->report);
	fflush(drv->report);
	buf_free(line);
}

static void driver_report_last_id(struct driver *drv, const struct sink *sink, const char *when)
{
	struct buf line = { 0 };
	struct json *j = json_new(&line, 0);

	json_object_open(j);
	json_kv_str(j, "event", "last_id");
	json_kv_str(j, "when", when);
	json_kv_str(j, "id", sink_last_id(sink));
	json_object_close(j);
	json_free(j);
	driver_print(drv, &line);
}

static void driver_closed(void *arg)
{
	struct driver *drv = arg;

	drv->closed = 1;
}

static void driver_start(struct driver_record *rec);

static void driver_finish(struct driver *drv)
{
	if (++drv->finished < drv->nrecords) {
		if (!drv->concurrent && drv->next < drv->nrecords)
			driver_start(&drv->records[drv->next++]);
		return;
	}
	sink_close(drv->sink, driver_closed, drv);
}

static void driver_done(void *arg, enum sink_result result, const char *reason)
{
	struct driver_record *rec = arg;
	struct driver *drv = rec->driver;
	struct buf line = { 0 };
	struct json *j = json_new(&line, 0);

	json_object_open(j);
	json_kv_int(j, "record", (int64_t)rec->index);
	json_kv_int(j, "attempt", rec->attempt);
	json_kv_str(j, "result", sink_result_name(result));
	json_kv_str(j, "reason", reason);
	json_object_close(j);
	json_free(j);
	driver_print(drv, &line);
	if (result == SINK_RETRY && rec->attempt < drv->attempts) {
		driver_start(rec);
		return;
	}
	rec->done = 1;
	driver_finish(drv);
}

static void driver_start(struct driver_record *rec)
{
	struct driver *drv = rec->driver;

	if (rec->kind != NULL && !sink_wants(drv->sink, rec->kind)) {
		struct buf line = { 0 };
		buf_printf(&line, "{\"record\":%zu,\"attempt\":0,\"result\":\"skipped\"}", rec->index);
		driver_print(drv, &line);
		rec->done = 1;
		driver_finish(drv);
		return;
	}
	rec->attempt++;
	sink_deliver(drv->sink, rec->text, strlen(rec->text), driver_done, rec);
}

static void driver_read_records(struct driver *drv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		struct driver_record *rec;
		struct sink_record r;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		drv->records = xrealloc(drv->records, (drv->nrecords + 1) * sizeof(*drv->records));
		rec = &drv->records[drv->nrecords];
		memset(rec, 0, sizeof(*rec));
		rec->driver = drv;
		rec->index = drv->nrecords++;
		rec->text = xstrdup(line);
		if (sink_record_parse(line, &r) == 0) {
			rec->kind = r.kind;
			r.kind = NULL;
			sink_record_free(&r);
		}
	}
	free(line);
}

/* Opens the sink again and reports what it finds at the end of its file. */
static int driver_reopen(struct driver *drv, const struct conf_notify *entry)
{
	struct buf err = { 0 };

	drv->sink = sink_create(&drv->loop, entry, &err);
	if (drv->sink == NULL) {
		fprintf(stderr, "sink_driver: %s\n", buf_cstr(&err));
		buf_free(&err);
		return -1;
	}
	driver_report_last_id(drv, drv->sink, "reopen");
	drv->closed = 0;
	sink_close(drv->sink, driver_closed, drv);
	uv_run(&drv->loop, UV_RUN_DEFAULT);
	assert(drv->closed);
	return 0;
}

int main(int argc, char **argv)
{
	struct driver drv = { .attempts = 1, .report = stdout };
	struct conf_errors errs = { 0 };
	struct buf err = { 0 };
	struct conf *conf;
	const struct conf_notify *entry;
	int last_id = 0, rc = 0, stdout_fd = -1;
	size_t index;

	if (argc < 3) {
		fprintf(stderr, "usage: sink_driver CONFIG INDEX [--attempts N] [--concurrent] [--last-id]\n"
		                "                   [--stdout-fd FD]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--attempts") == 0 && i + 1 < argc)
			drv.attempts = atoi(argv[++i]);
		else if (strcmp(argv[i], "--concurrent") == 0)
			drv.concurrent = 1;
		else if (strcmp(argv[i], "--last-id") == 0)
			last_id = 1;
		else if (strcmp(argv[i], "--stdout-fd") == 0 && i + 1 < argc)
			stdout_fd = atoi(argv[++i]);
		else
			return 2;
	}
	if (stdout_fd >= 0) {
		int copy = dup(STDOUT_FILENO);
		if (copy < 0 || (drv.report = fdopen(copy, "w")) == NULL ||
		    dup2(stdout_fd, STDOUT_FILENO) < 0) {
			perror("sink_driver: --stdout-fd");
			return 1;
		}
	}
	if (conf_load(argv[1], &conf, &errs) < 0) {
		conf_errors_print(&errs, stderr);
		conf_errors_free(&errs);
		return 1;
	}
	index = (size_t)strtoul(argv[2], NULL, 10);
	if (index >= conf->nnotify) {
		fprintf(stderr, "sink_driver: no notify[%zu]\n", index);
		conf_free(conf);
		return 2;
	}
	entry = &conf->notify[index];
	driver_read_records(&drv);
	uv_loop_init(&drv.loop);

	drv.sink = sink_create(&drv.loop, entry, &err);
	if (drv.sink == NULL) {
		fprintf(stderr, "sink_driver: %s\n", buf_cstr(&err));
		rc = 1;
		goto out;
	}
	if (last_id)
		driver_report_last_id(&drv, drv.sink, "open");
	if (drv.nrecords == 0) {
		sink_close(drv.sink, driver_closed, &drv);
	} else if (drv.concurrent) {
		drv.next = drv.nrecords;
		for (size_t i = 0; i < drv.nrecords; i++)
			driver_start(&drv.records[i]);
	} else {
		drv.next = 1;
		driver_start(&drv.records[0]);
	}
	uv_run(&drv.loop, UV_RUN_DEFAULT);
	if (!drv.closed) {
		fprintf(stderr, "sink_driver: the loop ended before the sink closed\n");
		rc = 1;
	}
	if (rc == 0 && last_id && driver_reopen(&drv, entry) < 0)
		rc = 1;
out:
	if (uv_loop_close(&drv.loop) != 0) {
		fprintf(stderr, "sink_driver: handles left open on the loop\n");
		uv_print_all_handles(&drv.loop, stderr);
		rc = 3;
	}
	for (size_t i = 0; i < drv.nrecords; i++) {
		free(drv.records[i].text);
		free(drv.records[i].kind);
	}
	free(drv.records);
	buf_free(&err);
	conf_free(conf);
	if (drv.report != stdout)
		fclose(drv.report);
	return rc;
}
