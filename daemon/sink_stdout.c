/*
 * sink_stdout.c - the stdout sink: one line per record for people, for the
 * demo and for warmthd in a terminal (see sink.h):
 *
 *   READY: Ada Lovelace (senior executive), warmth 41 — followed 18 days
 *   ago (wait 14), ... Suggested note: Hi Ada, ...
 *
 * (one line; sink_record_describe() words it). Scripts that want the JSON
 * use the file or exec sinks. The line is written from libuv's thread pool
 * (uv_queue_work), one at a time, so a terminal or pipe that is not read
 * never stalls the loop; a non-blocking stdout that is full makes a retry.
 * A line cut short that way (part of it written) is ended with a line
 * break before anything else is written, so that the retried line starts
 * a line of its own instead of running on from the fragment.
 * A record that is not a JSON object is printed as it came.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

struct sink_stdout {
	struct sink *sink;
	uv_work_t work;
	struct sink_delivery *current;
	struct buf line;
	int error;       /* errno of the write, 0 if written */
	int torn;        /* the last line was cut short: a line break is owed first */
	int closing;
	int close_queued;          /* the no-op work of close is queued: it frees */
};

/* Writes data[0..len) whole; returns how much was written, with s->error set if not all. */
static size_t sink_stdout_all(struct sink_stdout *s, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->error = errno;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

static void sink_stdout_write(uv_work_t *work)
{
	struct sink_stdout *s = work->data;
	size_t done;

	s->error = 0;
	if (s->torn && sink_stdout_all(s, "\n", 1) < 1)
		return;
	s->torn = 0;
	done = sink_stdout_all(s, s->line.data, s->line.len);
	s->torn = done > 0 && done < s->line.len;
}

static void sink_stdout_free(struct sink_stdout *s)
{
	struct sink *sink = s->sink;

	buf_free(&s->line);
	free(s);
	sink_closed(sink);
}

static void sink_stdout_written(uv_work_t *work, int status)
{
	struct sink_stdout *s = work->data;
	struct sink_delivery *d = s->current;

	(void)status; /* never cancelled */
	s->current = NULL;
	if (s->error == 0) {
		sink_complete(d, SINK_DELIVERED, NULL);
	} else {
		char reason[128];
		snprintf(reason, sizeof(reason), "stdout: %s", strerror(s->error));
		sink_complete(d, SINK_RETRY, reason);
	}
	/* The report may have closed the sink: then close's own work frees. */
	if (s->closing && !s->close_queued)
		sink_stdout_free(s);
}

static void sink_stdout_deliver(struct sink *sink, struct sink_delivery *d)
{
	struct sink_stdout *s = sink->state;
	struct sink_record r;

	s->current = d;
	buf_reset(&s->line);
	if (sink_record_parse(d->record, &r) == 0) {
		sink_record_describe(&r, &s->line);
		sink_record_free(&r);
	} else {
		buf_append(&s->line, d->record, d->len);
	}
	buf_append(&s->line, "\n", 1);
	s->work.data = s;
	if (uv_queue_work(sink->loop, &s->work, sink_stdout_write, sink_stdout_written) < 0)
		fatalx("stdout: cannot queue work");
}

static int sink_stdout_create(struct sink *sink, const struct conf_notify *conf, struct buf *err)
{
	struct sink_stdout *s = xcalloc(1, sizeof(*s));

	(void)conf;
	(void)err;
	s->sink = sink;
	sink->state = s;
	return 0;
}

/* Nothing under way at close: a no-op on the pool brings us back to a loop callback. */
static void sink_stdout_nothing(uv_work_t *work)
{
	(void)work;
}

static void sink_stdout_close_done(uv_work_t *work, int status)
{
	(void)status;
	sink_stdout_free(work->data);
}

static void sink_stdout_close(struct sink *sink)
{
	struct sink_stdout *s = sink->state;

	s->closing = 1;
	if (s->current != NULL)
		return; /* sink_stdout_written frees */
	s->close_queued = 1;
	s->work.data = s;
	if (uv_queue_work(sink->loop, &s->work, sink_stdout_nothing, sink_stdout_close_done) < 0)
		fatalx("stdout: cannot queue work");
}

const struct sink_ops sink_stdout_ops = {
	.type = "stdout",
	.serial = 1,
	.create = sink_stdout_create,
	.deliver = sink_stdout_deliver,
	.close = sink_stdout_close,
	.last_id = NULL,
};
