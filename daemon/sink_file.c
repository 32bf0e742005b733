/*
 * sink_file.c - the file sink: one record per line appended to a file,
 * fsync'd, exactly once (see sink.h).
 *
 * Design. The file is its own progress record, like the dead-letter file
 * (store_dead_letter.c): at open, a partial last line left by a crash is
 * cut away and the "id" of the last complete line is kept, so the outbox
 * can tell what the file already holds (sink_last_id) and write neither a
 * gap nor a duplicate. Deliveries come one at a time (serial) and run on
 * libuv's thread pool as uv_fs requests: write, then fsync, so a slow disk
 * never stalls the loop. A write or fsync that fails is undone by cutting
 * the file back to its size before the line, so a retry never leaves half
 * a line behind. Opening (and the tail scan) is synchronous: it happens at
 * start-up and reload, like the dead-letter file's.
 *
 * The file may be rotated under the daemon: renamed (or removed) and left
 * for the daemon to start a new one, or copied and truncated in place
 * (copytruncate). Before a delivery, and before the outbox compares the
 * next id with the last line (sink_refresh), the path is stat'ed and
 * compared with the open descriptor, at most once per pass of the loop:
 * when the path names another file or none, the file is reopened (made)
 * by path, and when the open file shrank below the end of its last line,
 * it is scanned again. Either way the last line of what is there now is
 * read again, so the "the last line tells what is there" rule holds for
 * the new file as for one found at start-up. A path that cannot be opened
 * fails the delivery (retried) instead of writing to a file that no one
 * will find.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "warmth/lines.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

#define SINK_FILE_LAST_LINE_MAX (1u << 20) /* a longer last line is not ours: its id is unknown */

struct sink_file {
	struct sink *sink;
	char *path;
	int fd;
	int fsync;
	off_t size;                 /* the end of the last complete line */
	char *last_id;              /* of the last line; NULL: none or unknown */
	uv_fs_t req;
	struct sink_delivery *current;
	struct buf line;            /* the record being written, with its '\n' */
	size_t written;
	char *current_id;           /* the id of the record being written */
	char error[160];            /* why the current delivery is being undone */
	uint64_t checked_at;        /* uv_now() of the last look at the path */
	int checked;                /* checked_at is set */
	int lost;                   /* the path could not be reopened: deliveries fail */
	char lost_why[160];
	int closing;
	int close_started;          /* the uv_fs_close is queued */
};

static void sink_file_write_more(struct sink_file *f);

/* The "id" of the JSON object in bytes [start, end) of fd, or NULL. */
static char *sink_file_line_id(int fd, off_t start, off_t end)
{
	const char *path[] = { "id", NULL };
	size_t len = (size_t)(end - start);
	char *text;
	yajl_val root, id;
	char *out = NULL;

	if (len > SINK_FILE_LAST_LINE_MAX)
		return NULL;
	text = xmalloc(len + 1);
	if (pread(fd, text, len, start) != (ssize_t)len) {
		free(text);
		return NULL;
	}
	text[len] = '\0';
	root = yajl_tree_parse(text, NULL, 0);
	id = root != NULL ? yajl_tree_get(root, path, yajl_t_string) : NULL;
	if (id != NULL)
		out = xstrdup(YAJL_GET_STRING(id));
	yajl_tree_free(root);
	free(text);
	return out;
}

/*
 * Cuts a partial last line away and reads the id of the last non-empty
 * line. Returns 0, or -1 with a message in err.
 */
static int sink_file_scan(struct sink_file *f, struct buf *err)
{
	struct stat st;
	off_t nl, end, prev;
	int found;

	if (fstat(f->fd, &st) < 0 || (found = lines_rfind_newline(f->fd, st.st_size, &nl)) < 0) {
		buf_printf(err, "%s: cannot read: %s", f->path, strerror(errno));
		return -1;
	}
	f->size = found ? nl + 1 : 0;
	if (f->size < st.st_size) {
		log_warnx("%s: removing a partial last line (%lld bytes) left by an interrupted write",
		          f->path, (long long)(st.st_size - f->size));
		if (ftruncate(f->fd, f->size) < 0 || fsync(f->fd) < 0) {
			buf_printf(err, "%s: cannot cut the partial last line: %s", f->path, strerror(errno));
			return -1;
		}
	}
	/* Skip empty lines back to the last one with content. */
	for (end = found ? nl : 0; end > 0; end = prev) {
		found = lines_rfind_newline(f->fd, end, &prev);
		if (found < 0) {
			buf_printf(err, "%s: cannot read: %s", f->path, strerror(errno));
			return -1;
		}
		if (found == 0)
			prev = -1;
		if (prev + 1 < end) {
			f->last_id = sink_file_line_id(f->fd, prev + 1, end);
			if (f->last_id == NULL)
				log_warnx("%s: the last line has no \"id\"; the outbox cannot tell what this file "
				          "already holds", f->path);
			break;
		}
	}
	return 0;
}

/*
 * Opens the file at path for appending, made if missing (a new file's
 * directory entry is made durable too). Never through a symbolic link,
 * and only a regular file, opened without blocking on a FIFO: the file is cut back to its last complete line
 * when opened (sink_file_scan), so a link planted at the path (after a
 * rotation renamed the file away, by anyone who can write its directory)
 * would have the daemon cut and append to any file it may write, its own
 * database among them.
 */
static int sink_file_open(const char *path, struct buf *err)
{
	int fd = lines_open_regular(path, O_RDWR | O_APPEND | O_NOFOLLOW, 0, NULL);
	char *dir;
	int dfd;

	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0 && errno == ELOOP)
			buf_printf(err, "%s: is a symbolic link: refused (name the file itself)", path);
		else if (fd < 0 && errno == EINVAL)
			buf_printf(err, "%s: not a regular file: refused", path);
		else if (fd < 0)
			buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return fd;
	}
	fd = lines_open_regular(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW, 0640, NULL);
	if (fd < 0) {
		buf_printf(err, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	dir = xstrdup(path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd); /* best effort: the first line's fsync covers the data */
		close(dfd);
	}
	free(dir);
	return fd;
}

static int sink_file_create(struct sink *sink, const struct conf_notify *conf, struct buf *err)
{
	struct sink_file *f = xcalloc(1, sizeof(*f));

	f->sink = sink;
	f->path = xstrdup(conf->path);
	f->fsync = conf->fsync;
	f->fd = sink_file_open(f->path, err);
	if (f->fd < 0 || sink_file_scan(f, err) < 0) {
		if (f->fd >= 0)
			close(f->fd);
		free(f->last_id);
		free(f->path);
		free(f);
		return -1;
	}
	sink->state = f;
	return 0;
}

/*
 * The path names the open file no longer (it was renamed, removed or
 * replaced): opens what is there now, made if missing, and reads its last
 * line. On failure the old file stays open and unchanged.
 */
static int sink_file_reopen(struct sink_file *f, struct buf *err)
{
	int old_fd = f->fd;
	off_t old_size = f->size;
	char *old_last = f->last_id;

	f->fd = sink_file_open(f->path, err);
	if (f->fd < 0) {
		f->fd = old_fd;
		return -1;
	}
	f->last_id = NULL;
	if (sink_file_scan(f, err) < 0) {
		close(f->fd);
		free(f->last_id);
		f->fd = old_fd;
		f->size = old_size;
		f->last_id = old_last;
		return -1;
	}
	close(old_fd);
	free(old_last);
	log_notice("%s: the path no longer named the file being written (rotated or removed); "
	           "reopened it (%lld bytes)",
	           f->path, (long long)f->size);
	return 0;
}

/*
 * Whether the path still names the open file and the file still holds
 * what was written (see the top of the file); reopens or rescans when not.
 * At most once per pass of the loop, and never while a line is written.
 */
static void sink_file_check(struct sink_file *f)
{
	struct stat by_path, by_fd;
	struct buf err = { 0 };
	uint64_t now = uv_now(f->sink->loop);

	if (f->current != NULL || f->closing || (f->checked && f->checked_at == now))
		return;
	f->checked = 1;
	f->checked_at = now;
	if (fstat(f->fd, &by_fd) < 0) {
		snprintf(f->lost_why, sizeof(f->lost_why), "%s: fstat: %s", f->path, strerror(errno));
		f->lost = 1;
		return;
	}
	if (stat(f->path, &by_path) == 0 && by_path.st_dev == by_fd.st_dev &&
	    by_path.st_ino == by_fd.st_ino) {
		f->lost = 0;
		if (by_fd.st_size >= f->size)
			return;
		/* Truncated in place (copytruncate): what it holds now has another last line. */
		log_notice("%s: the file was truncated (%lld bytes, %lld written); reading it again",
		           f->path, (long long)by_fd.st_size, (long long)f->size);
		free(f->last_id);
		f->last_id = NULL;
		if (sink_file_scan(f, &err) < 0) {
			snprintf(f->lost_why, sizeof(f->lost_why), "%s", buf_cstr(&err));
			f->lost = 1;
		}
		buf_free(&err);
		return;
	}
	if (sink_file_reopen(f, &err) < 0) {
		if (!f->lost)
			log_warnx("%s (the file at that path was moved away; notifications wait)",
			          buf_cstr(&err));
		snprintf(f->lost_why, sizeof(f->lost_why), "%s", buf_cstr(&err));
		f->lost = 1;
	} else {
		f->lost = 0;
	}
	buf_free(&err);
}

static void sink_file_refresh(struct sink *sink)
{
	sink_file_check(sink->state);
}

static void sink_file_closed(uv_fs_t *req)
{
	struct sink_file *f = req->data;
	struct sink *sink = f->sink;

	if (req->result < 0)
		log_warnx("%s: close: %s", f->path, uv_strerror((int)req->result));
	uv_fs_req_cleanup(req);
	buf_free(&f->line);
	free(f->current_id);
	free(f->last_id);
	free(f->path);
	free(f);
	sink_closed(sink);
}

/* Closes the file once nothing is being written. */
static void sink_file_finish_close(struct sink_file *f)
{
	f->close_started = 1;
	f->req.data = f;
	if (uv_fs_close(f->sink->loop, &f->req, f->fd, sink_file_closed) < 0)
		fatalx("%s: cannot queue the close", f->path);
}

/* Reports the current delivery, then closes if asked to meanwhile. */
static void sink_file_end(struct sink_file *f, enum sink_result result, const char *reason)
{
	struct sink_delivery *d = f->current;

	f->current = NULL;
	if (result == SINK_DELIVERED) {
		f->size += (off_t)f->line.len;
		free(f->last_id);
		f->last_id = f->current_id;
		f->current_id = NULL;
	}
	free(f->current_id);
	f->current_id = NULL;
	/* The report may close the sink, which then closes the file at once. */
	sink_complete(d, result, reason);
	if (f->closing && !f->close_started)
		sink_file_finish_close(f);
}

static void sink_file_undone(uv_fs_t *req)
{
	struct sink_file *f = req->data;
	char reason[sizeof(f->error)];

	if (req->result < 0)
		log_warnx("%s: cannot cut back a failed line: %s; the next line may follow a partial one",
		          f->path, uv_strerror((int)req->result));
	uv_fs_req_cleanup(req);
	memcpy(reason, f->error, sizeof(reason));
	sink_file_end(f, SINK_RETRY, reason);
}

/* A write or fsync failed: cut the file back to before the line, then retry later. */
static void sink_file_undo(struct sink_file *f, const char *what, ssize_t result)
{
	snprintf(f->error, sizeof(f->error), "%s: %s", what, uv_strerror((int)result));
	f->req.data = f;
	if (uv_fs_ftruncate(f->sink->loop, &f->req, f->fd, f->size, sink_file_undone) < 0)
		fatalx("%s: cannot queue a truncate", f->path);
}

static void sink_file_synced(uv_fs_t *req)
{
	struct sink_file *f = req->data;
	ssize_t result = req->result;

	uv_fs_req_cleanup(req);
	if (result < 0)
		sink_file_undo(f, "fsync", result);
	else
		sink_file_end(f, SINK_DELIVERED, NULL);
}

static void sink_file_wrote(uv_fs_t *req)
{
	struct sink_file *f = req->data;
	ssize_t result = req->result;

	uv_fs_req_cleanup(req);
	if (result < 0) {
		sink_file_undo(f, "write", result);
		return;
	}
	f->written += (size_t)result;
	if (f->written < f->line.len) {
		sink_file_write_more(f);
		return;
	}
	if (!f->fsync) {
		sink_file_end(f, SINK_DELIVERED, NULL);
		return;
	}
	f->req.data = f;
	if (uv_fs_fsync(f->sink->loop, &f->req, f->fd, sink_file_synced) < 0)
		fatalx("%s: cannot queue an fsync", f->path);
}

static void sink_file_write_more(struct sink_file *f)
{
	uv_buf_t b = uv_buf_init(f->line.data + f->written, (unsigned)(f->line.len - f->written));

	f->req.data = f;
	/* O_APPEND puts every write at the end; the offset -1 means "the current one". */
	if (uv_fs_write(f->sink->loop, &f->req, f->fd, &b, 1, -1, sink_file_wrote) < 0)
		fatalx("%s: cannot queue a write", f->path);
}

/* A delivery refused because the path could not be reopened: reported from a callback. */
static void sink_file_refused(uv_fs_t *req)
{
	struct sink_file *f = req->data;
	char reason[sizeof(f->lost_why)];

	uv_fs_req_cleanup(req);
	memcpy(reason, f->lost_why, sizeof(reason));
	sink_file_end(f, SINK_RETRY, reason);
}

static void sink_file_deliver(struct sink *sink, struct sink_delivery *d)
{
	struct sink_file *f = sink->state;
	struct sink_record r;

	sink_file_check(f);
	f->current = d;
	if (f->lost) {
		/* A no-op on the pool brings the report back to a loop callback. */
		f->req.data = f;
		if (uv_fs_fstat(f->sink->loop, &f->req, f->fd, sink_file_refused) < 0)
			fatalx("%s: cannot queue an fstat", f->path);
		return;
	}
	buf_reset(&f->line);
	buf_append(&f->line, d->record, d->len);
	/*
	 * A JSON text has line breaks only as whitespace between tokens, so
	 * making them spaces keeps the record one line and the same object.
	 */
	for (size_t i = 0; i < f->line.len; i++)
		if (f->line.data[i] == '\n' || f->line.data[i] == '\r')
			f->line.data[i] = ' ';
	buf_append(&f->line, "\n", 1);
	f->written = 0;
	if (sink_record_parse(d->record, &r) == 0) {
		f->current_id = r.id;
		r.id = NULL;
		sink_record_free(&r);
	}
	sink_file_write_more(f);
}

static void sink_file_close(struct sink *sink)
{
	struct sink_file *f = sink->state;

	f->closing = 1;
	if (f->current == NULL)
		sink_file_finish_close(f);
}

static const char *sink_file_last_id(const struct sink *sink)
{
	return ((const struct sink_file *)sink->state)->last_id;
}

const struct sink_ops sink_file_ops = {
	.type = "file",
	.serial = 1,
	.create = sink_file_create,
	.deliver = sink_file_deliver,
	.close = sink_file_close,
	.last_id = sink_file_last_id,
	.refresh = sink_file_refresh,
};
