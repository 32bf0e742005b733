/*
 * sink_journal.c - the journal sink: each record as a structured journald
 * entry, or a syslog line where journald is absent (see sink.h).
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
 * a journald that is busy makes a retry, never a stalled loop.
 *
 * When the journal's socket does not exist or nobody listens, the line
 * goes to the syslog socket (/dev/log) as an RFC 3164 message, facility
 * daemon, sent here rather than through syslog(3): syslog(3) reports
 * nothing, so a machine with neither would count every notification as
 * delivered that nobody received. With neither, the delivery is retried
 * (and its reason names both sockets). Which one is there is checked at
 * each delivery, so that a journald started later is used. Both paths are
 * config keys so that tests (and containers) can point them elsewhere.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

#define SINK_JOURNAL_PRIORITY 5 /* notice: normal but significant, and shown by default */
#define SINK_JOURNAL_FACILITY 3 /* daemon, for the syslog line's <PRI> */

struct sink_journal {
	struct sink *sink;
	struct sockaddr_un addr;
	socklen_t addr_len;
	struct sockaddr_un syslog_addr;
	int fd;
	uv_work_t work;
	struct sink_delivery *current;
	struct buf entry;          /* the native protocol datagram */
	struct buf line;           /* MESSAGE, also the syslog line's text */
	struct buf syslog_line;    /* "<29>Dec  7 23:30:00 warmthd[PID]: line" */
	int error;                 /* errno of the journal's send, 0 if sent */
	int syslog_error;          /* the journal was absent: errno of the syslog send, 0 if sent */
	int to_syslog;             /* the journal was absent: the syslog socket was tried */
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

/*
 * Sends the syslog line to the syslog socket: a datagram, or on a stream
 * socket (EPROTOTYPE: some syslog daemons listen so) the line ended by a
 * NUL, as syslog(3) frames it. Non-blocking, as the journal's: a syslog
 * daemon that is behind makes a retry (EAGAIN), never a stuck thread.
 * Returns 0, or an errno. On the pool thread.
 */
static int sink_journal_syslog(struct sink_journal *j)
{
	const char *data = j->syslog_line.data;
	size_t len = j->syslog_line.len, done = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int error = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&j->syslog_addr, sizeof(j->syslog_addr)) < 0) {
		error = errno;
		close(fd);
		if (error != EPROTOTYPE)
			return error;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return errno;
		if (connect(fd, (struct sockaddr *)&j->syslog_addr, sizeof(j->syslog_addr)) < 0) {
			error = errno;
			close(fd);
			return error;
		}
		error = 0;
		len++; /* the NUL after the line ends the frame */
	}
	/* A datagram goes whole or not at all; a stream may take a part at a time. */
	while (done < len) {
		ssize_t n = send(fd, data + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = errno;
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	return error;
}

static void sink_journal_send(uv_work_t *work)
{
	struct sink_journal *j = work->data;
	ssize_t n;

	j->error = 0;
	j->syslog_error = 0;
	j->to_syslog = 0;
	do
		n = sendto(j->fd, j->entry.data, j->entry.len, MSG_NOSIGNAL, (struct sockaddr *)&j->addr,
		           j->addr_len);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return;
	j->error = errno;
	if (j->error == ENOENT || j->error == ECONNREFUSED || j->error == ENOTDIR) {
		/* No journald here: the syslog socket, whose answer decides. */
		j->to_syslog = 1;
		j->syslog_error = sink_journal_syslog(j);
	}
}

static void sink_journal_free(struct sink_journal *j)
{
	struct sink *sink = j->sink;

	close(j->fd);
	buf_free(&j->entry);
	buf_free(&j->line);
	buf_free(&j->syslog_line);
	free(j);
	sink_closed(sink);
}

static void sink_journal_sent(uv_work_t *work, int status)
{
	struct sink_journal *j = work->data;
	struct sink_delivery *d = j->current;
	char reason[2 * sizeof(j->addr.sun_path) + 160];

	(void)status; /* never cancelled: uv_cancel is not used */
	j->current = NULL;
	if (j->error == 0 || (j->to_syslog && j->syslog_error == 0)) {
		sink_complete(d, SINK_DELIVERED, NULL);
	} else if (j->to_syslog) {
		/* Neither is there: nobody received it, so it is tried again (one may start). */
		snprintf(reason, sizeof(reason), "journal at %s: %s; syslog at %s: %s",
		         j->addr.sun_path, strerror(j->error), j->syslog_addr.sun_path,
		         strerror(j->syslog_error));
		sink_complete(d, SINK_RETRY, reason);
	} else {
		snprintf(reason, sizeof(reason), "%s: %s", j->addr.sun_path, strerror(j->error));
		/* Too large stays too large; anything else (EAGAIN: journald is behind) may pass. */
		sink_complete(d, j->error == EMSGSIZE ? SINK_FAILED : SINK_RETRY, reason);
	}
	/* The report may have closed the sink: then close's own work frees. */
	if (j->closing && !j->close_queued)
		sink_journal_free(j);
}

/*
 * The syslog line, built with the entry in case journald is absent: RFC
 * 3164's "<PRI>Mmm dd hh:mm:ss TAG[PID]: text" in local time, as
 * syslog(3) writes it.
 */
static void sink_journal_syslog_line(struct sink_journal *j)
{
	char stamp[32] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	buf_reset(&j->syslog_line);
	buf_printf(&j->syslog_line, "<%d>%s warmthd[%ld]: ",
	           SINK_JOURNAL_FACILITY * 8 + SINK_JOURNAL_PRIORITY, stamp, (long)getpid());
	buf_append(&j->syslog_line, j->line.data, j->line.len);
	(void)buf_cstr(&j->syslog_line); /* the NUL a stream's frame ends with */
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
	sink_journal_syslog_line(j);
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
	if (strlen(conf->syslog_socket) >= sizeof(j->syslog_addr.sun_path)) {
		buf_printf(err, "%s: the syslog socket's path is too long for a socket address",
		           conf->syslog_socket);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->sink = sink;
	j->addr.sun_family = AF_UNIX;
	memcpy(j->addr.sun_path, conf->socket, strlen(conf->socket) + 1);
	j->syslog_addr.sun_family = AF_UNIX;
	memcpy(j->syslog_addr.sun_path, conf->syslog_socket, strlen(conf->syslog_socket) + 1);
	j->addr_len = (socklen_t)sizeof(j->addr);
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (j->fd < 0) {
		buf_printf(err, "journal: cannot make a socket: %s", strerror(errno));
		free(j);
		return -1;
	}
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
