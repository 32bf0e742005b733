/*
 * tail_internal.h - what tail.c (reading, splitting, lifecycle),
 * tail_scan.c (discovery, identity, watches, timers) and tail_fd.c (the
 * descriptor and buffer budgets: opening by identity, closing idle files)
 * share. Not part of the tailer's interface: only those files include it.
 */
#ifndef WARMTH_TAIL_INTERNAL_H
#define WARMTH_TAIL_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/store.h"
#include "tail.h"

#define TAIL_LONG_HEAD 1024 /* bytes of a skipped long line kept for the dead-letter file */

/* Where a file never opened starts: its first line, or its end (start_at: end). */
#define TAIL_FRESH_START 1
#define TAIL_FRESH_END 2

struct tail_file {
	struct tail *t;
	struct tail_file *next;
	int64_t id;
	char *path;            /* the matching path it was last seen at (its record's) */
	char *moved_to;        /* found rotated under this name: where its lines are */
	uint64_t dev, ino;
	int fd;                /* -1 while closed: idle, not yet opened, or dormant */
	int64_t mtime_ns;      /* st_mtim when last seen open: a closed file that
	                          changed is opened again */
	uint64_t consumed;     /* start of the first line not handed over */
	uint64_t read_pos;     /* file offset just past the buffered bytes */
	uint64_t size;         /* size at the last fstat */
	char *buf;             /* bytes [consumed, read_pos) unless skipping */
	size_t buf_len, buf_cap;
	int skipping;          /* inside a line longer than max_line_bytes */
	uint64_t skip_len;
	int skip_cr;         /* the last byte skipped was '\r' (of a CRLF, not the line's) */
	char skip_head[TAIL_LONG_HEAD];
	size_t skip_head_len;
	uint32_t head_len;
	uint64_t head_hash;
	uint32_t win_len;      /* window fingerprint: bytes before win_end */
	uint64_t win_hash;
	uint64_t win_end;
	int seen;              /* found at a matching path in the current scan */
	int orphan;            /* no longer at any matching path */
	uint64_t last_growth;  /* uv_now() when it last grew (or became orphan) */
	int more;              /* unread bytes or buffered lines remain */
	int wake;              /* a watch reported a change: verify identity first */
	int fresh;             /* never opened: TAIL_FRESH_* (where the first open starts) */
	int dormant;           /* its path matches no input: closed, kept, not read */
	int own;               /* a file warmthd writes (dead letter, notifier): never read */
	int parked;            /* its partial line was dropped for the buffer budget */
	uint64_t parked_size;  /* size then: read again once it grows */
	uint64_t last_used;    /* uv_now() of its last read, to close the least used */
};

struct tail_dir {
	struct tail_dir *next;
	struct tail *t;
	char *path;
	uv_fs_event_t watch;
	int watching;
	dev_t dev;             /* the directory the watch is on: one deleted and made */
	ino_t ino;             /* again is another, which the old watch never sees */
	int warned;            /* the "cannot watch" or "missing" message was logged */
};

/* The identity of a file the daemon writes, which it must never read. */
struct tail_own {
	uint64_t dev, ino;
};

/* A path we could not open, so its error is logged once, not every scan. */
struct tail_bad_path {
	struct tail_bad_path *next;
	char *path;
	int err;
};

struct tail {
	uv_loop_t *loop;
	const struct conf *conf;
	struct tail_callbacks cb;
	void *ctx;
	struct tail_file *files;
	struct tail_dir *dirs;
	struct tail_bad_path *bad;
	int64_t next_id;
	int paused;
	int scan_pending;
	int started;
	int initial_scan;
	int polling;           /* some directory is polled instead of watched */
	int scan_failed;       /* the last scan could not see every input (logged once) */
	size_t nopen;          /* files with a descriptor */
	size_t max_open;       /* ingest.max_open_files, bounded by RLIMIT_NOFILE */
	uint64_t buffered;     /* bytes allocated for line buffers across files */
	struct tail_own *own;  /* identities of the files warmthd writes (each scan) */
	size_t nown, own_cap;
	uv_idle_t idle;
	uv_timer_t rescan;
	int closing;
	int open_handles;
	void (*close_cb)(void *ctx);
};

/* tail_scan.c: identity, discovery, timers. */
void tail_file_reset(struct tail_file *f, uint64_t offset);
void tail_file_rehead(struct tail_file *f);
int tail_fstat(struct tail_file *f);
void tail_file_verify(struct tail_file *f);
void tail_file_start(struct tail_file *f);
void tail_scan(struct tail *t);
/* Closes drained orphans; 1 when a file rotated while closed was found (to read). */
int tail_reap(struct tail *t);
void tail_watch_dirs(struct tail *t);
void tail_schedule_timer(struct tail *t);
uint64_t tail_hash_range(int fd, uint64_t start, uint32_t len, int *ok);

/* tail.c: (re)starts the reading pass if there is work. */
void tail_kick(struct tail *t);

/* tail_fd.c: descriptors and buffers within their budgets. */
/* Opens path without blocking (a FIFO), and only a regular file; -1 + errno. */
int tail_open_regular(const char *path, struct stat *st);
/* Gives f a descriptor by its identity: 0, or -1 (*wait: when a slot may free up soon). */
int tail_file_open_fd(struct tail_file *f, int *wait);
/* Adopts fd (st its identity) for f, counting it against max_open_files. */
void tail_file_adopt_fd(struct tail_file *f, int fd, const struct stat *st);
/* Closes the least used idle file but except: 0, or -1 (*busy: some file is reading). */
int tail_close_idle(struct tail *t, const struct tail_file *except, int *busy);
/* Closes f's descriptor, keeping its identity and offset (read again from there). */
void tail_file_close_fd(struct tail_file *f);
/* Makes room for want more buffered bytes for f: 1 yes, 0 f waits. */
int tail_buffer_room(struct tail_file *f, size_t want);
/* Resizes f's buffer to cap bytes (0 frees it), keeping the total. */
void tail_buffer_resize(struct tail_file *f, size_t cap);
/* Drops f's partial line (it is read again from the consumed offset). */
void tail_file_park(struct tail_file *f);
/* The descriptor limit in force: ingest.max_open_files within RLIMIT_NOFILE. */
void tail_limits(struct tail *t);
/* Unlinks and frees f (after tail_file_close_fd); forget says the record goes too. */
void tail_file_free(struct tail_file *f, int forget);

#endif
