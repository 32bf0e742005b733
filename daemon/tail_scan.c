/*
 * tail_scan.c - the tailer's discovery and identity: matching the input
 * globs, opening new files, recognising known ones by device, inode and
 * fingerprints (and noticing truncation, copytruncate and inode reuse),
 * finding files rotated while the daemon was stopped, the directory
 * watches with their polling fallback, and the one tail timer.
 *
 * See tail.c for the design as a whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "tail_internal.h"

uint64_t tail_hash_range(int fd, uint64_t start, uint32_t len, int *ok)
{
	char tmp[STORE_FINGERPRINT_BYTES];
	ssize_t n;

	*ok = 0;
	if (len == 0) {
		*ok = 1;
		return 0;
	}
	n = pread(fd, tmp, len, (off_t)start);
	if (n != (ssize_t)len)
		return 0;
	*ok = 1;
	return hash64(tmp, len);
}

void tail_file_reset(struct tail_file *f, uint64_t offset)
{
	f->consumed = f->read_pos = offset;
	f->buf_len = 0;
	f->skipping = 0;
	f->skip_len = 0;
	f->win_len = 0;
	f->win_end = offset;
	f->more = 1;
}

/* Computes the head fingerprint over what the file has, up to the maximum. */
void tail_file_rehead(struct tail_file *f)
{
	uint32_t len = f->size < STORE_FINGERPRINT_BYTES ? (uint32_t)f->size : STORE_FINGERPRINT_BYTES;
	int ok;
	uint64_t h = tail_hash_range(f->fd, 0, len, &ok);

	if (ok) {
		f->head_len = len;
		f->head_hash = h;
	}
}

int tail_fstat(struct tail_file *f)
{
	struct stat st;

	if (fstat(f->fd, &st) < 0) {
		log_warn("%s: fstat", f->path);
		return -1;
	}
	if ((uint64_t)st.st_size > f->size)
		f->last_growth = uv_now(f->t->loop);
	f->size = (uint64_t)st.st_size;
	if (st.st_nlink == 0 && !f->orphan) {
		f->orphan = 1;
		f->last_growth = uv_now(f->t->loop);
		log_info("%s: deleted; reading what is left before closing it", f->path);
	}
	return 0;
}

/*
 * Checks a file's identity against what we know of it: called on wake-ups
 * and when a database record is matched at start. Restarts at 0 on
 * truncation (size below the consumed offset, or the bytes before it
 * changed) and on inode reuse (head changed).
 */
void tail_file_verify(struct tail_file *f)
{
	int ok;
	uint64_t h;

	if (tail_fstat(f) < 0)
		return;
	if (f->head_len > 0) {
		h = tail_hash_range(f->fd, 0, f->head_len, &ok);
		if (f->size < f->head_len || !ok || h != f->head_hash) {
			if (f->size < f->read_pos || f->size < f->head_len)
				log_notice("%s: truncated (size %llu, was at %llu); reading from the start",
				           f->path, (unsigned long long)f->size,
				           (unsigned long long)f->consumed);
			else
				log_notice("%s: content replaced (new file on a reused inode or rewritten); "
				           "reading from the start", f->path);
			tail_file_reset(f, 0);
			tail_file_rehead(f);
			f->t->cb.progress(f->t->ctx, f);
			return;
		}
	}
	if (f->size < f->read_pos) {
		log_notice("%s: truncated (size %llu, was at %llu); reading from the start", f->path,
		           (unsigned long long)f->size, (unsigned long long)f->read_pos);
		tail_file_reset(f, 0);
		tail_file_rehead(f);
		f->t->cb.progress(f->t->ctx, f);
		return;
	}
	if (f->win_len > 0 && f->win_end == f->consumed) {
		h = tail_hash_range(f->fd, f->win_end - f->win_len, f->win_len, &ok);
		if (!ok || h != f->win_hash) {
			log_notice("%s: rewritten before offset %llu (copytruncate?); reading from the start",
			           f->path, (unsigned long long)f->consumed);
			tail_file_reset(f, 0);
			tail_file_rehead(f);
			f->t->cb.progress(f->t->ctx, f);
		}
	}
}

static struct tail_file *tail_file_open(struct tail *t, const char *path, int fd,
                                        const struct stat *st)
{
	struct tail_file *f = xcalloc(1, sizeof(*f));

	f->t = t;
	f->path = xstrdup(path);
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->fd = fd;
	f->size = (uint64_t)st->st_size;
	f->last_growth = uv_now(t->loop);
	f->seen = 1;
	f->more = 1;
	f->next = t->files;
	t->files = f;
	return f;
}

static void tail_file_close(struct tail_file *f)
{
	struct tail *t = f->t;
	struct tail_file **pp;

	for (pp = &t->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	close(f->fd);
	t->cb.forget(t->ctx, f->id);
	free(f->path);
	free(f->buf);
	free(f);
}

static struct tail_file *tail_find_open(struct tail *t, uint64_t dev, uint64_t ino)
{
	for (struct tail_file *f = t->files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

static struct tail_known *tail_take_known(struct tail *t, uint64_t dev, uint64_t ino)
{
	for (struct tail_known **pp = &t->known; *pp; pp = &(*pp)->next) {
		struct tail_known *k = *pp;
		if (k->rec.dev == dev && k->rec.ino == ino) {
			*pp = k->next;
			return k;
		}
	}
	return NULL;
}

void tail_known_free(struct tail_known *k)
{
	free(k->rec.path);
	free(k);
}

/* Resumes an open file from its database record, after checking identity. */
static void tail_file_resume(struct tail_file *f, const struct store_file *rec)
{
	f->id = rec->id;
	f->head_len = rec->head_len;
	f->head_hash = rec->head_hash;
	tail_file_reset(f, rec->offset);
	f->win_len = rec->tail_len;
	f->win_hash = rec->tail_hash;
	f->win_end = rec->offset;
	tail_file_verify(f);
	if (f->consumed == rec->offset && rec->offset > 0)
		log_info("%s: resuming at offset %llu", f->path, (unsigned long long)rec->offset);
}

static int tail_bad_path_note(struct tail *t, const char *path, int err)
{
	struct tail_bad_path *b;

	for (b = t->bad; b; b = b->next) {
		if (strcmp(b->path, path) == 0) {
			if (b->err == err)
				return 0;
			b->err = err;
			return 1;
		}
	}
	b = xcalloc(1, sizeof(*b));
	b->path = xstrdup(path);
	b->err = err;
	b->next = t->bad;
	t->bad = b;
	return 1;
}

static void tail_bad_path_clear(struct tail *t, const char *path)
{
	for (struct tail_bad_path **pp = &t->bad; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0) {
			struct tail_bad_path *b = *pp;
			*pp = b->next;
			free(b->path);
			free(b);
			return;
		}
	}
}

/* Handles one path that matched an input glob during a scan. */
static void tail_scan_path(struct tail *t, const struct conf_input *in, const char *path)
{
	struct stat st;
	struct tail_file *f;
	struct tail_known *k;
	int fd;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	f = tail_find_open(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	if (f != NULL) {
		f->seen = 1;
		if (f->orphan) {
			/* Renamed back under a matching name: follow it again. */
			f->orphan = 0;
		}
		if (strcmp(f->path, path) != 0) {
			free(f->path);
			f->path = xstrdup(path);
		}
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (tail_bad_path_note(t, path, errno))
			log_warn("%s: cannot open input (will retry)", path);
		return;
	}
	tail_bad_path_clear(t, path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	f = tail_file_open(t, path, fd, &st);
	k = tail_take_known(t, f->dev, f->ino);
	if (k != NULL) {
		tail_file_resume(f, &k->rec);
		tail_known_free(k);
	} else {
		f->id = t->next_id++;
		tail_file_reset(f, 0);
		if (t->initial_scan && in->start_at == CONF_START_END) {
			/* Start after the last complete line, as if we had read it. */
			tail_file_reset(f, f->size);
			log_info("%s: new input, starting at its end (start_at: end)", path);
		} else {
			log_info("%s: new input", path);
		}
		tail_file_rehead(f);
		t->cb.progress(t->ctx, f);
	}
}

/*
 * After the first scan: database records whose file is no longer at a
 * matching path were rotated or deleted while we were stopped. Look for the
 * inode in the directory it was last seen in and drain it from the saved
 * offset; otherwise the file is gone and its record is dropped.
 */
static void tail_find_rotated(struct tail *t)
{
	while (t->known != NULL) {
		struct tail_known *k = t->known;
		char *dir_copy = xstrdup(k->rec.path);
		const char *dir = dirname(dir_copy);
		DIR *d = opendir(dir);
		struct dirent *de;
		int found = 0;

		t->known = k->next;
		while (d != NULL && (de = readdir(d)) != NULL) {
			struct stat st;
			char *p;
			int fd;

			if (de->d_ino != (ino_t)k->rec.ino)
				continue;
			p = xmalloc(strlen(dir) + strlen(de->d_name) + 2);
			sprintf(p, "%s/%s", dir, de->d_name);
			fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
			if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_dev == k->rec.dev &&
			    (uint64_t)st.st_ino == k->rec.ino && S_ISREG(st.st_mode)) {
				struct tail_file *f = tail_file_open(t, p, fd, &st);
				f->orphan = 1;
				f->seen = 0;
				log_info("%s: rotated while stopped (was %s); draining it from offset %llu", p,
				         k->rec.path, (unsigned long long)k->rec.offset);
				tail_file_resume(f, &k->rec);
				found = 1;
			} else if (fd >= 0) {
				close(fd);
			}
			free(p);
			break;
		}
		if (d != NULL)
			closedir(d);
		if (!found) {
			log_notice("%s: gone since the last run (stopped at offset %llu); forgetting it",
			           k->rec.path, (unsigned long long)k->rec.offset);
			t->cb.forget(t->ctx, k->rec.id);
		}
		free(dir_copy);
		tail_known_free(k);
	}
}

/* Globs every input, opens new files and notices files no longer there. */
void tail_scan(struct tail *t)
{
	t->scan_pending = 0;
	for (struct tail_file *f = t->files; f; f = f->next)
		f->seen = 0;
	for (size_t i = 0; i < t->conf->ninputs; i++) {
		const struct conf_input *in = &t->conf->inputs[i];
		glob_t g;
		int rc = glob(in->path, GLOB_NOSORT, NULL, &g);

		if (rc == 0) {
			for (size_t j = 0; j < g.gl_pathc; j++)
				tail_scan_path(t, in, g.gl_pathv[j]);
		}
		if (rc != GLOB_NOMATCH || g.gl_pathc > 0)
			globfree(&g);
	}
	if (t->initial_scan) {
		tail_find_rotated(t);
		t->initial_scan = 0;
	}
	for (struct tail_file *f = t->files; f; f = f->next) {
		if (!f->seen && !f->orphan) {
			f->orphan = 1;
			f->last_growth = uv_now(t->loop);
			log_info("%s: renamed or removed; reading what is left before closing it", f->path);
		}
		/* A scan is also a wake-up for every file: catch missed events. */
		tail_file_verify(f);
		f->more = 1;
	}
}

/* Closes orphans that are drained and have not grown for rotate_wait. */
void tail_reap(struct tail *t)
{
	uint64_t now = uv_now(t->loop);
	struct tail_file *f = t->files, *next;

	for (; f; f = next) {
		next = f->next;
		if (!f->orphan || f->more || f->read_pos < f->size)
			continue;
		if (now - f->last_growth < (uint64_t)t->conf->rotate_wait_ms)
			continue;
		if (f->buf_len > 0)
			log_warnx("%s: closing with %zu bytes of an unterminated last line (offset %llu)",
			          f->path, f->buf_len, (unsigned long long)f->consumed);
		log_info("%s: drained and closed", f->path);
		tail_file_close(f);
	}
}

static void tail_dir_cb(uv_fs_event_t *handle, const char *filename, int events, int status)
{
	struct tail_dir *d = handle->data;
	struct tail *t = d->t;

	if (status < 0) {
		log_warnx("%s: watch failed: %s; polling instead", d->path, uv_strerror(status));
		uv_fs_event_stop(handle);
		d->watching = 0;
		t->polling = 1;
		tail_schedule_timer(t);
		return;
	}
	if ((events & UV_RENAME) || filename == NULL) {
		t->scan_pending = 1;
		/* Maybe the directory itself went: then its watch is dead. */
		tail_watch_dirs(t);
	} else {
		size_t dl = strlen(d->path);
		int known = 0;
		for (struct tail_file *f = t->files; f; f = f->next) {
			if (strncmp(f->path, d->path, dl) == 0 && f->path[dl] == '/' &&
			    strcmp(f->path + dl + 1, filename) == 0) {
				f->more = 1;
				f->wake = 1;
				known = 1;
			}
		}
		/* A change to a file we do not have open may be a new file. */
		if (!known)
			t->scan_pending = 1;
	}
	tail_kick(t);
}

static int tail_has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Adds a watch for the directory of each input whose directory is literal. */
void tail_watch_dirs(struct tail *t)
{
	for (size_t i = 0; i < t->conf->ninputs; i++) {
		char *copy = xstrdup(t->conf->inputs[i].path);
		char *dir = dirname(copy);
		struct tail_dir *d;

		if (tail_has_glob(dir)) {
			/* Wildcards in directories: only the reconcile scan finds files. */
			free(copy);
			continue;
		}
		for (d = t->dirs; d; d = d->next)
			if (strcmp(d->path, dir) == 0)
				break;
		if (d == NULL) {
			d = xcalloc(1, sizeof(*d));
			d->t = t;
			d->path = xstrdup(dir);
			d->next = t->dirs;
			t->dirs = d;
			uv_fs_event_init(t->loop, &d->watch);
			d->watch.data = d;
			t->open_handles++;
		}
		free(copy);
	}
	if (t->conf->watch == CONF_WATCH_POLL) {
		t->polling = 1;
		return;
	}
	for (struct tail_dir *d = t->dirs; d; d = d->next) {
		struct stat st;
		int rc;
		/* Deleted (and maybe made again): inotify dropped the watch with it. */
		if (d->watching && (stat(d->path, &st) < 0 || st.st_dev != d->dev ||
		                    st.st_ino != d->ino)) {
			uv_fs_event_stop(&d->watch);
			d->watching = 0;
			log_info("%s: the input directory was replaced or removed; watching it anew",
			         d->path);
		}
		if (d->watching)
			continue;
		rc = uv_fs_event_start(&d->watch, tail_dir_cb, d->path, 0);
		if (rc == 0) {
			d->watching = 1;
			if (stat(d->path, &st) == 0) {
				d->dev = st.st_dev;
				d->ino = st.st_ino;
			}
			if (d->warned)
				log_info("%s: watching again", d->path);
			d->warned = 0;
			continue;
		}
		if (!d->warned) {
			if (rc == UV_ENOENT)
				log_warnx("%s: input directory does not exist; looking again every %lld ms",
				          d->path, (long long)t->conf->rescan_interval_ms);
			else
				log_warnx("%s: cannot watch (%s); polling every %lld ms", d->path,
				          uv_strerror(rc), (long long)t->conf->poll_interval_ms);
			d->warned = 1;
		}
		if (rc != UV_ENOENT)
			t->polling = 1;
	}
}

static void tail_timer_cb(uv_timer_t *handle)
{
	struct tail *t = handle->data;

	tail_watch_dirs(t);
	t->scan_pending = 1;
	tail_kick(t);
	tail_schedule_timer(t);
}

/*
 * The one tail timer: the reconcile scan, or sooner when polling or when an
 * orphan's rotate_wait will expire. It never fires more than once a
 * second unless configured so (poll_interval), so an idle daemon sleeps.
 */
void tail_schedule_timer(struct tail *t)
{
	uint64_t due = (uint64_t)t->conf->rescan_interval_ms;
	uint64_t now = uv_now(t->loop);

	if (t->closing)
		return;
	if (t->polling && (uint64_t)t->conf->poll_interval_ms < due)
		due = (uint64_t)t->conf->poll_interval_ms;
	for (struct tail_file *f = t->files; f; f = f->next) {
		if (!f->orphan)
			continue;
		uint64_t at = f->last_growth + (uint64_t)t->conf->rotate_wait_ms;
		/*
		 * Never 0: libuv runs a timer restarted at 0 again within the same
		 * pass, which would starve the reading this timer waits for.
		 */
		uint64_t in = at > now + 10 ? at - now : 10;
		if (in < due)
			due = in;
	}
	uv_timer_start(&t->rescan, tail_timer_cb, due, 0);
}
