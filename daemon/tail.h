/*
 * tail.h - follows the input files named by glob patterns and hands their
 * complete lines to the engine, through rotation, truncation and restarts.
 *
 * The tailer owns one struct tail_file per open input. Its progress is the
 * "consumed" offset: the start of the first line not yet handed over. The
 * engine snapshots that (with the file's identity fingerprints) into each
 * batch, so the offset committed with a batch always matches exactly the
 * lines that batch contains.
 */
#ifndef WARMTH_TAIL_H
#define WARMTH_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/store.h"

struct tail;
struct tail_file;

struct tail_callbacks {
	/* One complete line (without '\n') that starts at byte offset. */
	void (*line)(void *ctx, struct tail_file *f, const char *line, size_t len, uint64_t offset);
	/*
	 * The lines handed over in a row are done: the bytes they pointed
	 * into may move now. Lines are handed over in runs from one buffer,
	 * so that the engine can look one line ahead within a run.
	 */
	void (*lines_done)(void *ctx);
	/*
	 * Optional: a run is about to be handed over, from the len bytes at
	 * buf (complete lines and maybe a partial one at the end), which stay
	 * where they are until lines_done, always called after it.
	 */
	void (*run_begin)(void *ctx, const char *buf, size_t len);
	/* A line longer than max_line_bytes, now skipped: its first bytes. */
	void (*long_line)(void *ctx, struct tail_file *f, uint64_t offset, const char *head,
	                  size_t head_len, uint64_t total_len);
	/* The consumed offset of f changed without lines (reset, skip, new file). */
	void (*progress)(void *ctx, struct tail_file *f);
	/* A file record is gone for good (vanished, or drained and closed). */
	void (*forget)(void *ctx, int64_t file_id);
	/* Every open file has been read to its end (the --once condition). */
	void (*caught_up)(void *ctx);
};

/* Creates a tailer on loop for conf's inputs; does not start reading. */
struct tail *tail_new(uv_loop_t *loop, const struct conf *conf, const struct tail_callbacks *cb,
                      void *ctx);
/* Adds a file record from the database before tail_start (resume points). */
void tail_add_known(struct tail *t, const struct store_file *f);
/* First discovery pass, watches and timers. Returns 0 or a negative errno. */
int tail_start(struct tail *t);
/* Applies a new config's inputs and limits (reload); open files stay open. */
void tail_reconfigure(struct tail *t, const struct conf *conf);
/* Stops delivering lines after the current one until tail_resume. */
void tail_pause(struct tail *t);
void tail_resume(struct tail *t);
/* Closes every handle; close_cb runs when all are closed (then free with tail_free). */
void tail_close(struct tail *t, void (*close_cb)(void *ctx));
void tail_free(struct tail *t);

/* Fills rec with the file's identity and consumed offset (rec->path borrowed). */
void tail_file_snapshot(struct tail_file *f, struct store_file *rec);
const char *tail_file_path(const struct tail_file *f);
int64_t tail_file_id(const struct tail_file *f);

/* For status: calls cb for each open file (path, consumed offset, size). */
void tail_foreach(struct tail *t, void (*cb)(void *ctx, const char *path, uint64_t offset,
                                             uint64_t size), void *ctx);

#endif
