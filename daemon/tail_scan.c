/*
 * tail_scan.c - the tailer's discovery and identity: matching the input
 * globs, recognising files by device, inode and fingerprints (and noticing
 * truncation, copytruncate and inode reuse), finding files rotated while
 * they were closed or the daemon stopped, deciding when a file is gone,
 * the directory watches with their polling fallback, and the one timer.
 *
 * A scan only takes a file as removed when it saw every input: each glob
 * succeeded (GLOB_ERR: a directory it could not read aborts it) and each
 * path it returned could be stat'ed. A failed scan (EMFILE, a directory
 * made unreadable for a while) changes nothing. A file no longer at a
 * matching path after a complete scan is drained if open, or looked for
 * by inode in its directory if closed, and its record is dropped after
 * rotate_wait once it is found nowhere.
 *
 * Records of files whose path no input matches any more (an input dropped
 * by a reload) are kept, closed, with their offsets ("dormant"), so that
 * restoring the input resumes them where they stopped; such a record is
 * dropped only once its path names nothing, or another file.
 *
 * See tail.c for the design as a whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/lines.h"
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
	f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
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

	if (f->fd < 0 || tail_fstat(f) < 0)
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

/*
 * The first open of a file never seen before: from its start, or (start_at:
 * end, files there at start-up) after its last complete line, so that an
 * unfinished line is read whole once it is finished.
 */
void tail_file_start(struct tail_file *f)
{
	struct tail *t = f->t;
	uint64_t at = 0;

	if (f->fresh == TAIL_FRESH_END) {
		off_t nl;
		int rc = lines_rfind_newline(f->fd, (off_t)f->size, &nl);
		if (rc > 0)
			at = (uint64_t)nl + 1;
		else if (rc < 0)
			log_warn("%s: looking for its last line; reading it from the start", f->path);
		log_info("%s: new input, starting after its last complete line at %llu (start_at: end)",
		         f->path, (unsigned long long)at);
	} else {
		log_info("%s: new input", f->path);
	}
	f->fresh = 0;
	tail_file_reset(f, at);
	tail_file_rehead(f);
	t->cb.progress(t->ctx, f);
}

/* A file found at a matching path, not yet opened (opened when read). */
static struct tail_file *tail_file_new(struct tail *t, const char *path, const struct stat *st,
                                       int fresh)
{
	struct tail_file *f = xcalloc(1, sizeof(*f));

	f->t = t;
	f->fd = -1;
	f->id = t->next_id++;
	f->path = xstrdup(path);
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->size = (uint64_t)st->st_size;
	f->mtime_ns = -1;
	f->last_growth = uv_now(t->loop);
	f->fresh = fresh;
	f->seen = 1;
	f->more = 1;
	f->next = t->files;
	t->files = f;
	return f;
}

static struct tail_file *tail_find(struct tail *t, uint64_t dev, uint64_t ino)
{
	for (struct tail_file *f = t->files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

/* The input whose glob matches path (as glob() would), or NULL. */
static const struct conf_input *tail_input_for(const struct tail *t, const char *path)
{
	for (size_t i = 0; i < t->conf->ninputs; i++)
		if (fnmatch(t->conf->inputs[i].path, path, FNM_PATHNAME | FNM_PERIOD) == 0)
			return &t->conf->inputs[i];
	return NULL;
}

static void tail_own_add(struct tail *t, const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) < 0)
		return;
	if (t->nown == t->own_cap) {
		t->own_cap = t->own_cap ? t->own_cap * 2 : 8;
		t->own = xrealloc(t->own, t->own_cap * sizeof(*t->own));
	}
	t->own[t->nown].dev = (uint64_t)st.st_dev;
	t->own[t->nown].ino = (uint64_t)st.st_ino;
	t->nown++;
}

/*
 * The files the daemon writes, by identity: a symlink or a glob can name
 * one under another path, and reading it would feed it (a bad line in the
 * dead-letter file adds a line about it, and so on for ever).
 */
static void tail_own_files(struct tail *t)
{
	static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };
	const struct conf *c = t->conf;
	char *p;

	t->nown = 0;
	tail_own_add(t, c->dead_letter);
	tail_own_add(t, c->metrics_textfile);
	for (size_t i = 0; i < c->nnotify; i++)
		if (c->notify[i].type == CONF_NOTIFY_FILE)
			tail_own_add(t, c->notify[i].path);
	for (size_t i = 0; c->database != NULL && i < ARRAY_SIZE(db_suffixes); i++) {
		p = xmalloc(strlen(c->database) + strlen(db_suffixes[i]) + 1);
		strcpy(p, c->database);
		strcat(p, db_suffixes[i]);
		tail_own_add(t, p);
		free(p);
	}
}

static int tail_is_own(const struct tail *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nown; i++)
		if (t->own[i].dev == (uint64_t)st->st_dev && t->own[i].ino == (uint64_t)st->st_ino)
			return 1;
	return 0;
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

/*
 * Handles one path that matched an input glob during a scan. Sets *failed
 * (to the errno) when the path could not be stat'ed for another reason
 * than being gone.
 */
static void tail_scan_path(struct tail *t, const struct conf_input *in, const char *path,
                           int *failed)
{
	struct stat st;
	struct tail_file *f;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			*failed = errno;
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	f = tail_find(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	if (tail_is_own(t, &st)) {
		if (tail_bad_path_note(t, path, -1))
			log_warnx("%s: matched by an input but written by warmthd itself (dead_letter, a "
			          "file notifier or the database); never read", path);
		if (f != NULL) {
			tail_file_close_fd(f);
			f->own = 1;
			f->seen = 1;
		}
		return;
	}
	if (f == NULL) {
		tail_file_new(t, path, &st, t->initial_scan && in->start_at == CONF_START_END
		                                 ? TAIL_FRESH_END : TAIL_FRESH_START);
		return;
	}
	f->seen = 1;
	f->own = 0;
	f->orphan = 0; /* renamed back under a matching name: follow it again */
	free(f->moved_to);
	f->moved_to = NULL;
	if (strcmp(f->path, path) != 0) {
		free(f->path);
		f->path = xstrdup(path);
	}
	if (f->dormant) {
		f->dormant = 0;
		f->more = 1;
		log_info("%s: matched by an input again; resuming at offset %llu", path,
		         (unsigned long long)f->consumed);
	}
	/* Closed: open it again only if it changed (or was never opened). */
	if (f->fd < 0 &&
	    (f->mtime_ns < 0 || (uint64_t)st.st_size != f->size ||
	     (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != f->mtime_ns))
		f->more = 1;
}

/*
 * When glob() found nothing or gave up, whether that is sure: the literal
 * directory part of the pattern (or the literal path) does not exist.
 * Anything else (EACCES, EMFILE, a directory that exists but could not be
 * read) leaves it unknown.
 */
static int tail_absence_sure(const char *pattern, int aborted)
{
	size_t n = strlen(pattern), cut = 0, o = 0;
	int magic = 0;
	char *lit = xmalloc(n + 1);
	struct stat st;
	int sure;

	/* The components before the first one with a wildcard, unescaped. */
	for (size_t i = 0; i < n && !magic; i++) {
		if (pattern[i] == '\\' && i + 1 < n) {
			lit[o++] = pattern[++i];
			continue;
		}
		if (strchr("*?[", pattern[i]) != NULL) {
			magic = 1;
			break;
		}
		if (pattern[i] == '/')
			cut = o;
		lit[o++] = pattern[i];
	}
	if (!magic) {
		lit[o] = '\0';
	} else {
		/* A glob that read every directory and matched nothing is sure. */
		if (!aborted) {
			free(lit);
			return 1;
		}
		lit[cut == 0 ? 1 : cut] = '\0';
	}
	sure = stat(lit, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
	free(lit);
	return sure;
}

/* Globs one input: 0 when it saw everything, else the errno that stopped it. */
static int tail_scan_input(struct tail *t, const struct conf_input *in)
{
	glob_t g;
	int failed = 0;
	/* GLOB_ERR: a directory it cannot read fails the scan, not "no files". */
	int rc = glob(in->path, GLOB_ERR | GLOB_NOSORT, NULL, &g);
	int err = rc == GLOB_NOSPACE ? ENOMEM : errno;

	if (rc == 0) {
		for (size_t j = 0; j < g.gl_pathc; j++)
			tail_scan_path(t, in, g.gl_pathv[j], &failed);
		globfree(&g);
		return failed;
	}
	if (rc != GLOB_NOMATCH || g.gl_pathc > 0)
		globfree(&g);
	if ((rc == GLOB_NOMATCH || rc == GLOB_ABORTED) &&
	    tail_absence_sure(in->path, rc == GLOB_ABORTED))
		return 0;
	return err != 0 ? err : EIO;
}

/*
 * Moves f to the head of the list, which each reading pass starts from:
 * a rotated file holds older lines than the file that replaced it, and
 * reading them first keeps event time moving forward (the de-duplication
 * window follows the newest event), as in the files' own order.
 */
static void tail_file_first(struct tail_file *f)
{
	struct tail *t = f->t;

	for (struct tail_file **pp = &t->files; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	f->next = t->files;
	t->files = f;
}

/*
 * Looks for a closed file by inode in the directory it was last seen in
 * (renamed while closed or while the daemon was stopped) and opens it there.
 * Only a regular file with the same device and inode whose head still
 * hashes the same is taken: a FIFO or another file reusing the inode is
 * not. Returns 1 found (f is open at its new path), 0 not there (the
 * directory was read to its end), -1 unknown.
 */
static int tail_find_moved(struct tail_file *f)
{
	struct tail *t = f->t;
	char *dir_copy = xstrdup(f->path);
	const char *dir = dirname(dir_copy);
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0, unsure = 0, busy;

	if (d == NULL) {
		free(dir_copy);
		return -1;
	}
	while (!found) {
		struct stat st;
		char *p;
		int fd, ok = 1;

		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				found = -1; /* not read to its end: not sure it is not there */
			break;
		}
		if (de->d_ino != (ino_t)f->ino)
			continue;
		p = xmalloc(strlen(dir) + strlen(de->d_name) + 2);
		sprintf(p, "%s/%s", dir, de->d_name);
		fd = tail_open_regular(p, &st);
		/* Unreadable (EACCES, EMFILE): it may be ours; not a FIFO nor gone. */
		if (fd < 0 && errno != EINVAL && errno != ENOENT)
			unsure = 1;
		if (fd >= 0 && ((uint64_t)st.st_dev != f->dev || (uint64_t)st.st_ino != f->ino))
			ok = 0;
		if (fd >= 0 && ok && f->head_len > 0) {
			uint64_t h = tail_hash_range(fd, 0, f->head_len, &ok);
			ok = ok && h == f->head_hash;
		}
		if (fd >= 0 && ok) {
			if (t->nopen >= t->max_open)
				(void)tail_close_idle(t, f, &busy);
			/*
			 * Its record keeps the matching path it had: a rotated name
			 * outside every glob would read as an input dropped from the
			 * config (dormant, not drained) after a restart.
			 */
			log_info("%s: rotated while closed (now %s); draining it from offset %llu",
			         f->path, p, (unsigned long long)f->consumed);
			free(f->moved_to);
			f->moved_to = p;
			p = NULL;
			tail_file_adopt_fd(f, fd, &st);
			if (f->fresh)
				tail_file_start(f);
			else
				tail_file_verify(f);
			f->more = 1;
			found = 1;
			tail_file_first(f);
		} else if (fd >= 0) {
			close(fd);
		}
		free(p);
	}
	closedir(d);
	if (found == 0 && unsure)
		found = -1;
	free(dir_copy);
	return found;
}

/* A dormant record is kept while its path still names its file. */
static int tail_dormant_gone(const struct tail_file *f)
{
	struct stat st;

	if (stat(f->path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR;
	return (uint64_t)st.st_dev != f->dev || (uint64_t)st.st_ino != f->ino;
}

/* A file not found by a scan: dormant, orphan, or (scan failed) as it was. */
static void tail_file_unseen(struct tail_file *f, int scan_ok)
{
	struct tail *t = f->t;

	if (f->own)
		return;
	if (tail_input_for(t, f->path) == NULL) {
		if (!f->dormant) {
			log_info("%s: no input matches it any more; closed, its offset %llu kept", f->path,
			         (unsigned long long)f->consumed);
			tail_file_close_fd(f);
			f->dormant = 1;
			f->orphan = 0;
			f->more = 0;
		}
		return;
	}
	if (!scan_ok || f->orphan)
		return;
	f->orphan = 1;
	f->last_growth = uv_now(t->loop);
	if (f->fd >= 0) {
		log_info("%s: renamed or removed; reading what is left before closing it", f->path);
		return;
	}
	if (tail_find_moved(f) < 0)
		f->orphan = 0; /* its directory cannot be read now: not sure it is gone */
}

/* Globs every input, finds new files and notices files no longer there. */
void tail_scan(struct tail *t)
{
	int scan_ok = 1, err = 0;
	const char *which = NULL;

	t->scan_pending = 0;
	tail_own_files(t);
	for (struct tail_file *f = t->files; f; f = f->next)
		f->seen = 0;
	for (size_t i = 0; i < t->conf->ninputs; i++) {
		int rc = tail_scan_input(t, &t->conf->inputs[i]);
		if (rc != 0 && scan_ok) {
			err = rc;
			which = t->conf->inputs[i].path;
		}
		scan_ok &= rc == 0;
	}
	if (!scan_ok && !t->scan_failed)
		log_warnx("%s: a scan could not read every input directory or file (%s); no file "
		          "is taken as removed until one can", which, strerror(err));
	else if (scan_ok && t->scan_failed)
		log_info("inputs: every input can be scanned again");
	t->scan_failed = !scan_ok;
	t->initial_scan = 0;
	for (struct tail_file *f = t->files, *next; f; f = next) {
		next = f->next;
		if (!f->seen)
			tail_file_unseen(f, scan_ok);
		if (f->dormant && scan_ok && tail_dormant_gone(f)) {
			log_notice("%s: gone (no input matched it; stopped at offset %llu); forgetting it",
			           f->path, (unsigned long long)f->consumed);
			tail_file_free(f, 1);
			continue;
		}
		if (f->fd >= 0) {
			/* A scan is also a wake-up for every open file: catch missed events. */
			tail_file_verify(f);
			f->more = 1;
		}
	}
}

/*
 * Closes orphans that are drained and have not grown for rotate_wait, and
 * drops the records of closed ones found nowhere by then.
 */
int tail_reap(struct tail *t)
{
	uint64_t now = uv_now(t->loop);
	struct tail_file *f = t->files, *next;
	int more = 0;

	for (; f; f = next) {
		next = f->next;
		if (!f->orphan || f->more)
			continue;
		if (f->fd >= 0 && f->read_pos < f->size && !f->parked)
			continue;
		if (now - f->last_growth < (uint64_t)t->conf->rotate_wait_ms)
			continue;
		if (f->fd < 0) {
			int r = tail_find_moved(f);
			if (r != 0) {
				if (r < 0)
					f->orphan = 0;
				more |= r > 0;
				continue;
			}
			log_notice("%s: gone (found at no matching path nor in its directory; stopped at "
			           "offset %llu); forgetting it", f->path, (unsigned long long)f->consumed);
			tail_file_free(f, 1);
			continue;
		}
		if (f->read_pos > f->consumed || f->parked)
			log_warnx("%s: closing with %llu bytes of an unterminated last line (offset %llu)",
			          f->path, (unsigned long long)(f->size - f->consumed),
			          (unsigned long long)f->consumed);
		log_info("%s: drained and closed", f->path);
		tail_file_close_fd(f);
		tail_file_free(f, 1);
	}
	return more;
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
