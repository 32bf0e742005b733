/*
 * tail_fd.c - the tailer's two budgets: descriptors and line buffers.
 *
 * Descriptors. An input file is followed by its identity (device, inode,
 * head fingerprint) and its consumed offset, not by holding it open: at
 * most ingest.max_open_files inputs have a descriptor (bounded further by
 * half the soft RLIMIT_NOFILE, so that the database, the control clients
 * and the notifiers always have room). When a file needs reading and no
 * slot is free, the least recently read idle file is closed; it keeps its
 * record and is opened again, by path, when a watch or a scan sees it
 * change, and only if the path still names the same device and inode (its
 * head and the bytes before its offset are checked again as on any
 * wake-up). A closed file that was renamed away is looked for in its
 * directory by inode (tail_scan.c). Files being drained after a rotation
 * (orphans) are never closed for room: they have no path to reopen by.
 *
 * Buffers. Between reads a file's buffer holds at most the unfinished
 * line at its end. The total capacity across files is bounded by
 * ingest.max_buffered: a file that would go over it first makes room by
 * taking back the spare capacity of files that are caught up, then by
 * dropping their partial lines (parking them: their consumed offset does
 * not move, so the bytes are read again once the file grows), and
 * otherwise waits its turn. One file may always go over the total alone,
 * up to max_line_bytes + read_chunk, so a long line always completes.
 * Within the budget a caught-up file keeps its buffer, so a live file
 * does not allocate on every line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/lines.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "tail_internal.h"

int tail_open_regular(const char *path, struct stat *st)
{
	return lines_open_regular(path, O_RDONLY, 0, st);
}

void tail_limits(struct tail *t)
{
	struct rlimit rl;
	size_t max = t->conf->max_open_files;

	/* Half the soft limit: the rest is for everything else the daemon opens. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < max) {
		size_t half = (size_t)(rl.rlim_cur / 2);
		max = half > 4 ? half : 4;
		if (max != t->max_open)
			log_notice("ingest.max_open_files %u is more than half the open-file limit (%llu): "
			           "at most %zu input files are open at once", t->conf->max_open_files,
			           (unsigned long long)rl.rlim_cur, max);
	}
	t->max_open = max;
}

void tail_file_adopt_fd(struct tail_file *f, int fd, const struct stat *st)
{
	f->fd = fd;
	f->t->nopen++;
	f->size = (uint64_t)st->st_size;
	f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	f->last_used = uv_now(f->t->loop);
}

void tail_buffer_resize(struct tail_file *f, size_t cap)
{
	struct tail *t = f->t;

	if (cap == f->buf_cap)
		return;
	t->buffered -= f->buf_cap;
	if (cap == 0) {
		free(f->buf);
		f->buf = NULL;
	} else {
		f->buf = xrealloc(f->buf, cap);
	}
	f->buf_cap = cap;
	t->buffered += cap;
}

void tail_file_park(struct tail_file *f)
{
	f->read_pos = f->consumed;
	f->buf_len = 0;
	f->skipping = 0;
	f->skip_len = 0;
	tail_buffer_resize(f, 0);
	f->parked = 1;
	f->parked_size = f->size;
}

void tail_file_close_fd(struct tail_file *f)
{
	struct store_file rec;

	if (f->fd < 0)
		return;
	/* The window at the consumed offset, while the bytes can still be read. */
	tail_file_snapshot(f, &rec);
	close(f->fd);
	f->fd = -1;
	f->t->nopen--;
	f->read_pos = f->consumed;
	f->buf_len = 0;
	f->skipping = 0;
	f->skip_len = 0;
	f->parked = 0;
	tail_buffer_resize(f, 0);
}

/*
 * Closes the least recently read file that is idle (nothing unread, not
 * draining after a rotation) other than except. Returns 0, or -1 when every
 * open file is busy or draining; *busy then says whether one is reading
 * (a slot frees up within this pass) rather than only draining.
 */
int tail_close_idle(struct tail *t, const struct tail_file *except, int *busy)
{
	struct tail_file *best = NULL;

	*busy = 0;
	for (struct tail_file *f = t->files; f; f = f->next) {
		if (f->fd < 0 || f == except)
			continue;
		if (f->more || f->orphan) {
			*busy |= f->more;
			continue;
		}
		if (best == NULL || f->last_used < best->last_used)
			best = f;
	}
	if (best == NULL)
		return -1;
	log_debug("%s: closed while idle (%zu input files open, the most is %zu)", best->path,
	          t->nopen, t->max_open);
	tail_file_close_fd(best);
	return 0;
}

/* An open that failed is logged once per path and errno, not on every try. */
static void tail_open_failed(struct tail_file *f, int err)
{
	struct tail *t = f->t;
	struct tail_bad_path *b;

	for (b = t->bad; b; b = b->next) {
		if (strcmp(b->path, f->path) == 0) {
			if (b->err == err)
				return;
			break;
		}
	}
	if (b == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->path = xstrdup(f->path);
		b->next = t->bad;
		t->bad = b;
	}
	b->err = err;
	if (err == EINVAL)
		log_warnx("%s: not a regular file; not read", f->path);
	else
		log_warnx("%s: cannot open input: %s (its offset %llu is kept; will retry)", f->path,
		          strerror(err), (unsigned long long)f->consumed);
}

int tail_file_open_fd(struct tail_file *f, int *wait)
{
	struct tail *t = f->t;
	struct stat st;
	int fd, busy = 0;

	*wait = 0;
	if (f->fd >= 0)
		return 0;
	if (t->nopen >= t->max_open && tail_close_idle(t, f, &busy) < 0) {
		*wait = busy;
		return -1;
	}
	fd = tail_open_regular(f->path, &st);
	if (fd < 0) {
		tail_open_failed(f, errno);
		return -1;
	}
	if ((uint64_t)st.st_dev != f->dev || (uint64_t)st.st_ino != f->ino) {
		/* The path names another file now: the scan sorts out which is which. */
		close(fd);
		t->scan_pending = 1;
		return -1;
	}
	for (struct tail_bad_path **pp = &t->bad; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, f->path) == 0) {
			struct tail_bad_path *b = *pp;
			*pp = b->next;
			log_info("%s: can be opened again", f->path);
			free(b->path);
			free(b);
			break;
		}
	}
	tail_file_adopt_fd(f, fd, &st);
	if (f->fresh)
		tail_file_start(f);
	else
		tail_file_verify(f);
	return 0;
}

int tail_buffer_room(struct tail_file *f, size_t want)
{
	struct tail *t = f->t;
	uint64_t max = t->conf->max_buffered_bytes;

	if (want <= f->buf_cap || t->buffered - f->buf_cap + want <= max)
		return 1;
	/* Files caught up give back their spare capacity ... */
	for (struct tail_file *o = t->files; o; o = o->next) {
		if (o == f || o->buf_cap == o->buf_len || o->more || t->paused)
			continue;
		tail_buffer_resize(o, o->buf_len);
		if (t->buffered - f->buf_cap + want <= max)
			return 1;
	}
	/* ... then their partial lines, read again once they grow. */
	for (struct tail_file *o = t->files; o; o = o->next) {
		if (o == f || o->buf_cap == 0 || o->more || t->paused)
			continue;
		tail_file_park(o);
		if (t->buffered - f->buf_cap + want <= max)
			return 1;
	}
	/* Alone it may go over: a line up to max_line_bytes always completes. */
	if (t->buffered == f->buf_cap)
		return 1;
	/* Others are reading: give back what it holds and wait for them. */
	tail_file_park(f);
	f->parked = 0;
	return 0;
}

void tail_file_free(struct tail_file *f, int forget)
{
	struct tail *t = f->t;

	for (struct tail_file **pp = &t->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	if (forget)
		t->cb.forget(t->ctx, f->id);
	tail_buffer_resize(f, 0);
	free(f->path);
	free(f->moved_to);
	free(f);
}
