/*
 * sink_journal.c - the journal sink: each record as a structured journald
 * entry, or a syslog(3) line where journald is absent (see sink.h).
 *
 * Design. journald's native protocol is one datagram per entry on
 * /run/systemd/journal/socket, made of "KEY=value\n" fields; a value with
 * a line break is sent in the binary form "KEY\n", its length as 64-bit
 * little-endian, the bytes, "\n". That is simple enough to write here
 * rather than link libsystemd. An entry carries MESSAGE (the line people
 * read, as the stdout sink prints it), PRIORITY (notice), SYSLOG_IDENTIFIER
 * (warmthd) and the record's WARMTH_KIND, WARMTH_ID, WARMTH_ACTOR,
 * WARMTH_SEGMENT and WARMTH_WARMTH, so that `journalctl WARMTH_SEGMENT=peer`
 * finds them. The entry is built on the loop and sent from libuv's thread
 * pool (uv_queue_work) on a non-blocking socket, one at a time (serial):
 * a journald that is busy makes a retry, never a stalled loop. When the
 * socket does not exist or nobody listens, the line goes to syslog(3)
 * instead (facility daemon), checked at each delivery so that a journald
 * started later is used. The socket path is a config key so that tests
 * (and containers) can point it elsewhere.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

#define SINK_JOURNAL_PRIORITY 5 /* notice: normal but significant, and shown by default */

struct sink_journal {
	struct sink *sink;
	struct sockaddr_un addr;
	socklen_t addr_len;
	int fd;
	uv_work_t work;
	struct sink_delivery *current;
	struct buf entry;          /* the native protocol datagram */
	struct buf line;           /* MESSAGE, also the syslog line */
	int error;                 /* errno of the send, 0 if sent */
	int to_syslog;             /* the journal was absent: syslog(3) took the line */
	int closing;
	int close_queued;          /* the no-op work of close is queued: it frees */
};

/* Appends one field in the native protocol's text or binary form. */
static void sink_journal_field(struct buf *out, const char *key, const char *value)
{
	size_t len = strlen(value);

	if (memchr(value, '\n', len) == NULL) {
		buf_printf(out, "%s=%s\n", key, value);
		return;
	}
	buf_printf(out, "%s\n", key);
	for (int i = 0; i < 8; i++) {
		unsigned char byte = (unsigned char)((uint64_t)len >> (8 * i));
		buf_append(out, &byte, 1);
	}
	buf_append(out, value, len);
	buf_append(out, "\n", 1);
}

static void sink_journal_send(uv_work_t *work)
{
	struct sink_journal *j = work->data;
	ssize_t n;

	j->error = 0;
	j->to_syslog = 0;
	do
		n = sendto(j->fd, j->entry.data, j->entry.len, MSG_NOSIGNAL, (struct sockaddr *)&j->addr,
		           j->addr_len);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return;
	if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR) {
		/* No journald: syslog(3) is thread-safe and keeps its own connection. */
		syslog(LOG_DAEMON | LOG_NOTICE, "%s", buf_cstr(&j->line));
		j->to_syslog = 1;
		return;
	}
	j->error = errno;
}

static void sink_journal_free(struct sink_journal *j)
{
	struct sink *sink = j->sink;

	close(j->fd);
	buf_free(&j->entry);
	buf_free(&j->line);
	free(j);
	sink_closed(sink);
}

static void sink_journal_sent(uv_work_t *work, int status)
{
	struct sink_journal *j = work->data;
	struct sink_delivery *d = j->current;
	char reason[160];

	(void)status; /* never cancelled: uv_cancel is not used */
	j->current = NULL;
	if (j->error == 0) {
		sink_complete(d, SINK_DELIVERED, NULL);
	} else {
		snprintf(reason, sizeof(reason), "%s: %s", j->addr.sun_path, strerror(j->error));
		/* Too large stays too large; anything else (EAGAIN: journald is behind) may pass. */
		sink_complete(d, j->error == EMSGSIZE ? SINK_FAILED : SINK_RETRY, reason);
	}
	/* The report may have closed the sink: then close's own work frees. */
	if (j->closing && !j->close_queued)
		sink_journal_free(j);
}

static void sink_journal_deliver(struct sink *sink, struct sink_delivery *d)
{
	struct sink_journal *j = sink->state;
	struct sink_record r;

	j->current = d;
	buf_reset(&j->entry);
	buf_reset(&j->line);
	if (sink_record_parse(d->record, &r) < 0) {
		/* Not an object: still worth a line, as it came. */
		memset(&r, 0, sizeof(r));
		buf_append(&j->line, d->record, d->len);
	} else {
		sink_record_describe(&r, &j->line);
	}
	sink_journal_field(&j->entry, "MESSAGE", buf_cstr(&j->line));
	buf_printf(&j->entry, "PRIORITY=%d\n", SINK_JOURNAL_PRIORITY);
	sink_journal_field(&j->entry, "SYSLOG_IDENTIFIER", "warmthd");
	if (r.kind != NULL)
		sink_journal_field(&j->entry, "WARMTH_KIND", r.kind);
	if (r.id != NULL)
		sink_journal_field(&j->entry, "WARMTH_ID", r.id);
	if (r.actor != NULL)
		sink_journal_field(&j->entry, "WARMTH_ACTOR", r.actor);
	if (r.segment != NULL)
		sink_journal_field(&j->entry, "WARMTH_SEGMENT", r.segment);
	if (r.warmth != NULL)
		sink_journal_field(&j->entry, "WARMTH_WARMTH", r.warmth);
	sink_record_free(&r);
	j->work.data = j;
	if (uv_queue_work(sink->loop, &j->work, sink_journal_send, sink_journal_sent) < 0)
		fatalx("journal: cannot queue work");
}

static int sink_journal_create(struct sink *sink, const struct conf_notify *conf, struct buf *err)
{
	struct sink_journal *j;

	if (strlen(conf->socket) >= sizeof(j->addr.sun_path)) {
		buf_printf(err, "%s: the journal socket's path is too long for a socket address", conf->socket);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->sink = sink;
	j->addr.sun_family = AF_UNIX;
	memcpy(j->addr.sun_path, conf->socket, strlen(conf->socket) + 1);
	j->addr_len = (socklen_t)sizeof(j->addr);
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (j->fd < 0) {
		buf_printf(err, "journal: cannot make a socket: %s", strerror(errno));
		free(j);
		return -1;
	}
	/* For the syslog(3) fallback; LOG_PID like journald's own _PID. */
	openlog("warmthd", LOG_PID, LOG_DAEMON);
	sink->state = j;
	return 0;
}

/* Nothing under way at close: a no-op on the pool brings us back to a loop callback. */
static void sink_journal_nothing(uv_work_t *work)
{
	(void)work;
}

static void sink_journal_close_done(uv_work_t *work, int status)
{
	(void)status;
	sink_journal_free(work->data);
}

static void sink_journal_close(struct sink *sink)
{
	struct sink_journal *j = sink->state;

	j->closing = 1;
	if (j->current != NULL)
		return; /* sink_journal_sent frees */
	j->close_queued = 1;
	j->work.data = j;
	if (uv_queue_work(sink->loop, &j->work, sink_journal_nothing, sink_journal_close_done) < 0)
		fatalx("journal: cannot queue work");
}

const struct sink_ops sink_journal_ops = {
	.type = "journal",
	.serial = 1,
	.create = sink_journal_create,
	.deliver = sink_journal_deliver,
	.close = sink_journal_close,
	.last_id = NULL,
};
