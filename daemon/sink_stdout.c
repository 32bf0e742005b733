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
 * A line cut short that way (part of it written) is finished where it
 * stopped when the same line is tried again, and ended with a line break
 * before any other line is written, so that no line runs on from a
 * fragment and a retried line is not printed twice.
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
	struct buf cut;  /* a line cut short by a full stdout, as it was */
	size_t cut_at;   /* how much of it is out; 0: no line was cut */
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
	size_t from = 0, done;

	s->error = 0;
	if (s->cut_at > 0) {
		if (s->cut.len == s->line.len && memcmp(s->cut.data, s->line.data, s->line.len) == 0)
			from = s->cut_at; /* the same line again: the rest of it */
		else if (sink_stdout_all(s, "\n", 1) < 1)
			return;       /* another line: the fragment ends first */
	}
	done = from + sink_stdout_all(s, s->line.data + from, s->line.len - from);
	if (done == s->line.len || done == 0) {
		s->cut_at = 0;
	} else {
		if (from == 0) {
			buf_reset(&s->cut);
			buf_append(&s->cut, s->line.data, s->line.len);
		}
		s->cut_at = done;
	}
}

static void sink_stdout_free(struct sink_stdout *s)
{
	struct sink *sink = s->sink;

	buf_free(&s->line);
	buf_free(&s->cut);
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
