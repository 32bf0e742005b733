/*
 * tail_internal.h - what tail.c (reading, splitting, lifecycle) and
 * tail_scan.c (discovery, identity, watches, timers) share. Not part of
 * the tailer's interface: only those two files include it.
 */
#ifndef WARMTH_TAIL_INTERNAL_H
#define WARMTH_TAIL_INTERNAL_H

#include <stdint.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/store.h"
#include "tail.h"

#define TAIL_LONG_HEAD 1024 /* bytes of a skipped long line kept for the dead-letter file */

struct tail_file {
	struct tail *t;
	struct tail_file *next;
	int64_t id;
	char *path;
	uint64_t dev, ino;
	int fd;
	uint64_t consumed;     /* start of the first line not handed over */
	uint64_t read_pos;     /* file offset just past the buffered bytes */
	uint64_t size;         /* size at the last fstat */
	char *buf;             /* bytes [consumed, read_pos) unless skipping */
	size_t buf_len, buf_cap;
	int skipping;          /* inside a line longer than max_line_bytes */
	uint64_t skip_len;
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
};

/* A file record from the database not yet matched to an open file. */
struct tail_known {
	struct tail_known *next;
	struct store_file rec; /* rec.path owned */
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
	struct tail_known *known;
	struct tail_dir *dirs;
	struct tail_bad_path *bad;
	int64_t next_id;
	int paused;
	int scan_pending;
	int started;
	int initial_scan;
	int polling;           /* some directory is polled instead of watched */
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
void tail_known_free(struct tail_known *k);
void tail_scan(struct tail *t);
void tail_reap(struct tail *t);
void tail_watch_dirs(struct tail *t);
void tail_schedule_timer(struct tail *t);
uint64_t tail_hash_range(int fd, uint64_t start, uint32_t len, int *ok);

/* tail.c: (re)starts the reading pass if there is work. */
void tail_kick(struct tail *t);

#endif
