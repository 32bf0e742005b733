/*
 * tail.c - follows input files by glob through rotation and restarts, and
 * splits them into lines for the engine.
 *
 * Design. A file is followed by its open descriptor, not by its name, so a
 * rename or delete never loses unread bytes: a file that is no longer at a
 * matching path is drained to its end and closed after ingest.rotate_wait
 * without growth. Its identity is device + inode + a hash of its first
 * bytes (head), and progress is checked against a hash of the bytes just
 * before the consumed offset (window): on start and on every wake-up, a file
 * shorter than the offset or whose window changed was truncated and is read
 * again from 0 (event ids absorb the re-read); a head that changed means the
 * inode was reused by another file.
 *
 * Wake-ups come from one uv_fs_event watch per input directory (inotify
 * reports changes to the files inside it too), a periodic reconcile scan
 * (ingest.rescan_interval) that catches anything missed, and a polling timer
 * when a directory cannot be watched (inotify exhausted or unavailable).
 * Reading happens from a uv_idle handle that is active only while some file
 * has unread data, so an idle daemon does not spin. Each pass reads at most
 * ingest.read_chunk bytes per file, so timers and signals keep running while
 * a large backlog is read.
 *
 * Memory per file is bounded by max_line_bytes + read_chunk: a line longer
 * than max_line_bytes is skipped to its newline and reported, never buffered.
 * Across files, descriptors (ingest.max_open_files) and buffered bytes
 * (ingest.max_buffered) have budgets of their own: see tail_fd.c.
 *
 * A file's record (identity and offset) outlives any failure to see or
 * open it: a scan that cannot read a directory or whose glob fails changes
 * nothing, and a record is dropped only once its file is provably gone
 * (see tail_scan.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "tail_internal.h"

/* Hands over complete lines in the buffer; stops when paused. */
static void tail_file_split(struct tail_file *f)
{
	struct tail *t = f->t;
	char *p = f->buf, *end = f->buf + f->buf_len;
	char *nl;
	int begun = 0;

	if (t->cb.run_begin != NULL && !t->paused && p < end) {
		t->cb.run_begin(t->ctx, p, (size_t)(end - p));
		begun = 1;
	}
	while (!t->paused && p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t len = (size_t)(nl - p);
		uint64_t offset = f->consumed;

		f->consumed += len + 1;
		t->cb.line(t->ctx, f, p, len, offset);
		p = nl + 1;
	}
	if (p != f->buf || begun)
		t->cb.lines_done(t->ctx);
	if (p != f->buf) {
		f->buf_len = (size_t)(end - p);
		memmove(f->buf, p, f->buf_len);
	}
}

/* Discards bytes of an over-long line up to its newline. */
static void tail_file_skip(struct tail_file *f)
{
	char *nl = memchr(f->buf, '\n', f->buf_len);
	struct tail *t = f->t;

	if (nl == NULL) {
		if (f->buf_len > 0)
			f->skip_cr = f->buf[f->buf_len - 1] == '\r';
		f->skip_len += f->buf_len;
		f->buf_len = 0;
		return;
	}
	size_t part = (size_t)(nl - f->buf);
	/* A CRLF's '\r' ends the line, it is not of it: the length reported is the content's. */
	int cr = part > 0 ? nl[-1] == '\r' : f->skip_cr;
	uint64_t total = f->skip_len + part - (uint64_t)cr;
	uint64_t offset = f->consumed;

	f->skipping = 0;
	f->consumed += total + 1;
	f->buf_len -= part + 1;
	memmove(f->buf, nl + 1, f->buf_len);
	t->cb.long_line(t->ctx, f, offset, f->skip_head, f->skip_head_len, total);
}

/*
 * Caught up. Over the buffer budget, give back what it holds beyond its
 * partial line; within it, keep the buffer for the next line (a live file
 * wakes up for every line: no allocation each time).
 */
static void tail_file_idle(struct tail_file *f)
{
	struct tail *t = f->t;

	if (f->buf_cap > f->buf_len && !t->paused && t->buffered > t->conf->max_buffered_bytes)
		tail_buffer_resize(f, f->buf_len);
}

/*
 * Reads up to read_chunk bytes of f and hands over its lines. Leaves
 * f->more set while unread bytes or undelivered lines remain.
 */
static void tail_file_read(struct tail_file *f)
{
	struct tail *t = f->t;
	uint64_t max_line = t->conf->max_line_bytes;
	size_t chunk = (size_t)t->conf->read_chunk_bytes;
	ssize_t n;

	if (f->dormant || f->own) {
		f->more = 0;
		return;
	}
	if (f->fd < 0) {
		int wait;
		/* Opening verifies the identity: no separate wake-up check. */
		f->wake = 0;
		if (tail_file_open_fd(f, &wait) < 0) {
			f->more = wait;
			return;
		}
	}
	if (f->wake) {
		f->wake = 0;
		tail_file_verify(f);
	}
	f->more = 0;
	f->last_used = uv_now(t->loop);
	if (f->skipping)
		tail_file_skip(f);
	if (!f->skipping)
		tail_file_split(f);
	if (t->paused) {
		f->more = 1;
		return;
	}
	if (tail_fstat(f) < 0)
		return;
	if (f->size < f->read_pos) {
		tail_file_verify(f);
		f->more = 1;
		return;
	}
	/* Parked for the buffer budget: nothing to do until it grows. */
	if (f->size == f->read_pos || (f->parked && f->size == f->parked_size)) {
		tail_file_idle(f);
		return;
	}
	f->parked = 0;
	if (f->buf_cap < f->buf_len + chunk) {
		size_t cap = f->buf_len + chunk;
		if (cap > max_line + chunk)
			cap = (size_t)max_line + chunk;
		if (!tail_buffer_room(f, cap)) {
			f->more = 1;
			return;
		}
		tail_buffer_resize(f, cap);
	}
	size_t want = f->buf_cap - f->buf_len;
	if (want > f->size - f->read_pos)
		want = (size_t)(f->size - f->read_pos);
	n = pread(f->fd, f->buf + f->buf_len, want, (off_t)f->read_pos);
	if (n < 0) {
		log_warn("%s: read", f->path);
		return;
	}
	f->read_pos += (uint64_t)n;
	f->buf_len += (size_t)n;
	if (f->skipping)
		tail_file_skip(f);
	if (!f->skipping)
		tail_file_split(f);
	/*
	 * A partial line longer than the limit: keep its head, skip the rest.
	 * A '\r' at its end may be a CRLF's, which is no part of the line.
	 */
	if (!f->skipping && !t->paused && f->buf_len - (f->buf_len > 0 && f->buf[f->buf_len - 1] == '\r') > max_line) {
		f->skipping = 1;
		f->skip_head_len = f->buf_len < TAIL_LONG_HEAD ? f->buf_len : TAIL_LONG_HEAD;
		memcpy(f->skip_head, f->buf, f->skip_head_len);
		f->skip_len = f->buf_len;
		f->skip_cr = f->buf[f->buf_len - 1] == '\r';
		f->buf_len = 0;
	}
	if (f->read_pos < f->size || t->paused)
		f->more = 1;
	if (!f->skipping && memchr(f->buf, '\n', f->buf_len) != NULL)
		f->more = 1;
	if (!f->more)
		tail_file_idle(f);
}

static void tail_idle_cb(uv_idle_t *handle)
{
	struct tail *t = handle->data;
	int more = 0;

	if (t->scan_pending)
		tail_scan(t);
	for (struct tail_file *f = t->files; f && !t->paused; f = f->next) {
		if (f->more)
			tail_file_read(f);
		more |= f->more;
	}
	if (t->paused || (!more && !t->scan_pending)) {
		uv_idle_stop(&t->idle);
		if (!t->paused) {
			if (tail_reap(t)) {
				tail_kick(t);
				return;
			}
			tail_schedule_timer(t);
			t->cb.caught_up(t->ctx);
		}
	}
}

void tail_kick(struct tail *t)
{
	if (t->closing || t->paused)
		return;
	uv_idle_start(&t->idle, tail_idle_cb);
}

struct tail *tail_new(uv_loop_t *loop, const struct conf *conf, const struct tail_callbacks *cb,
                      void *ctx)
{
	struct tail *t = xcalloc(1, sizeof(*t));

	t->loop = loop;
	t->conf = conf;
	t->cb = *cb;
	t->ctx = ctx;
	t->next_id = 1;
	t->initial_scan = 1;
	tail_limits(t);
	uv_idle_init(loop, &t->idle);
	t->idle.data = t;
	uv_timer_init(loop, &t->rescan);
	t->rescan.data = t;
	t->open_handles = 2;
	return t;
}

/*
 * A record from the database becomes a closed file: the first scan finds
 * it at a matching path (and opens it when it needs reading), or looks for
 * it as rotated, or keeps it dormant when no input matches its path.
 */
void tail_add_known(struct tail *t, const struct store_file *rec)
{
	struct tail_file *f = xcalloc(1, sizeof(*f));

	f->t = t;
	f->fd = -1;
	f->id = rec->id;
	f->path = xstrdup(rec->path ? rec->path : "");
	f->dev = rec->dev;
	f->ino = rec->ino;
	f->consumed = f->read_pos = rec->offset;
	f->size = rec->offset;
	f->head_len = rec->head_len;
	f->head_hash = rec->head_hash;
	f->win_len = rec->tail_len;
	f->win_hash = rec->tail_hash;
	f->win_end = rec->offset;
	f->mtime_ns = -1;
	f->next = t->files;
	t->files = f;
	if (rec->id >= t->next_id)
		t->next_id = rec->id + 1;
}

int tail_start(struct tail *t)
{
	t->started = 1;
	tail_watch_dirs(t);
	tail_scan(t);
	tail_schedule_timer(t);
	tail_kick(t);
	return 0;
}

void tail_reconfigure(struct tail *t, const struct conf *conf)
{
	int busy;

	t->conf = conf;
	tail_limits(t);
	/* A lower max_open_files: idle files beyond it close now, busy ones when idle. */
	while (t->nopen > t->max_open && tail_close_idle(t, NULL, &busy) == 0)
		;
	tail_watch_dirs(t);
	t->scan_pending = 1;
	tail_schedule_timer(t);
	tail_kick(t);
}

void tail_pause(struct tail *t)
{
	t->paused = 1;
}

void tail_resume(struct tail *t)
{
	if (!t->paused)
		return;
	t->paused = 0;
	tail_kick(t);
}

static void tail_handle_closed(uv_handle_t *handle)
{
	struct tail *t = handle->data;

	if (handle->type == UV_FS_EVENT)
		t = ((struct tail_dir *)handle->data)->t;
	if (--t->open_handles == 0 && t->close_cb)
		t->close_cb(t->ctx);
}

void tail_close(struct tail *t, void (*close_cb)(void *ctx))
{
	t->closing = 1;
	t->close_cb = close_cb;
	uv_close((uv_handle_t *)&t->idle, tail_handle_closed);
	uv_close((uv_handle_t *)&t->rescan, tail_handle_closed);
	for (struct tail_dir *d = t->dirs; d; d = d->next)
		uv_close((uv_handle_t *)&d->watch, tail_handle_closed);
}

void tail_free(struct tail *t)
{
	while (t->files) {
		struct tail_file *f = t->files;
		t->files = f->next;
		if (f->fd >= 0)
			close(f->fd);
		free(f->path);
		free(f->moved_to);
		free(f->buf);
		free(f);
	}
	free(t->own);
	while (t->dirs) {
		struct tail_dir *d = t->dirs;
		t->dirs = d->next;
		free(d->path);
		free(d);
	}
	while (t->bad) {
		struct tail_bad_path *b = t->bad;
		t->bad = b->next;
		free(b->path);
		free(b);
	}
	free(t);
}

void tail_file_snapshot(struct tail_file *f, struct store_file *rec)
{
	int ok;

	if (f->fd >= 0 && f->head_len < STORE_FINGERPRINT_BYTES && f->size > f->head_len)
		tail_file_rehead(f);
	if (f->fd >= 0 && f->win_end != f->consumed) {
		uint32_t len = f->consumed < STORE_FINGERPRINT_BYTES ? (uint32_t)f->consumed
		                                                     : STORE_FINGERPRINT_BYTES;
		uint64_t h = tail_hash_range(f->fd, f->consumed - len, len, &ok);
		if (ok) {
			f->win_len = len;
			f->win_hash = h;
			f->win_end = f->consumed;
		}
	}
	memset(rec, 0, sizeof(*rec));
	rec->id = f->id;
	rec->path = f->path;
	rec->dev = f->dev;
	rec->ino = f->ino;
	rec->offset = f->consumed;
	rec->head_len = f->head_len;
	rec->head_hash = f->head_hash;
	if (f->win_end == f->consumed) {
		rec->tail_len = f->win_len;
		rec->tail_hash = f->win_hash;
	}
	rec->updated_ms = time_now_ms();
}

const char *tail_file_path(const struct tail_file *f)
{
	/* For messages and rejects: the name its bytes can be found under. */
	return f->moved_to != NULL ? f->moved_to : f->path;
}

int64_t tail_file_id(const struct tail_file *f)
{
	return f->id;
}

void tail_foreach(struct tail *t, void (*cb)(void *ctx, const char *path, uint64_t offset,
                                             uint64_t size), void *ctx)
{
	for (struct tail_file *f = t->files; f; f = f->next)
		if (!f->dormant && !f->own)
			cb(ctx, tail_file_path(f), f->consumed, f->size);
}
