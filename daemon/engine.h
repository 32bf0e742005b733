/*
 * engine.h - the wiring of warmthd: lines from the tailer become events,
 * events change contacts in memory, and batches of changes (with the file
 * offsets that produced them) are committed to the store on a worker
 * thread. It owns the libuv handles other than the tailer's and main's
 * signal handlers.
 */
#ifndef WARMTH_ENGINE_H
#define WARMTH_ENGINE_H

#include <uv.h>

#include "warmth/conf.h"

struct engine;

/*
 * Creates the engine on loop; takes ownership of conf. once: read every
 * input to its current end, commit, and stop (warmthd --once).
 */
struct engine *engine_new(uv_loop_t *loop, struct conf *conf, int once);
/* Opens the store, loads state, starts tailing. Returns 0 or -1 (logged). */
int engine_start(struct engine *e);
/*
 * Replaces the config (takes ownership of conf). Keeps all state. Settings
 * that need a restart (state.database) are reported and ignored.
 */
void engine_reload(struct engine *e, struct conf *conf);
/*
 * Stops reading, commits what was read, closes every handle and calls
 * done(ctx) once nothing of the engine is left on the loop. Also called by
 * the engine itself when --once is complete. Safe to call twice.
 */
void engine_stop(struct engine *e);
void engine_on_stopped(struct engine *e, void (*done)(void *ctx), void *ctx);
/*
 * Writes the live status keys (the ones of `warmthctl status --json`, plus
 * each input's lag) into the JSON object being built in j.
 */
struct json;
void engine_status_fields(struct engine *e, struct json *j);
/*
 * Changes asked through the control socket (engine_commands.c). Each
 * returns 0, or -1 with a message in err (an unknown contact or state);
 * a duration of 0 unsnoozes. The change is committed with the next batch.
 */
int engine_snooze(struct engine *e, const char *account, const char *actor, int64_t duration_ms,
                  char *err, size_t errlen);
int engine_mark(struct engine *e, const char *account, const char *actor, const char *state,
                char *err, size_t errlen);

/*
 * The read commands of the control socket from memory (engine_views.c):
 * show, top, ready, export and metrics, by req->cmd. Writes the result
 * into out and returns 0, or fills err and returns -1.
 */
struct control_request;
struct control_error;
int engine_view(struct engine *e, const struct control_request *req, struct json *out,
                struct control_error *err);

/* The engine's outbox (notify-test, redeliver), or NULL before it starts or after it closed. */
struct outbox;
struct outbox *engine_outbox(struct engine *e);
/*
 * Events pushed over HTTP (engine_push.c). engine_push applies each line
 * of body like a tailed line (dead-letter records name source and the
 * line's number), writes the per-line results as JSON into reply and
 * returns the number of the batch that holds the last of them: they are
 * on disk once engine_committed_seq() reaches it. engine_push_busy says
 * to refuse a push for now (a backlog is committed, commits fail, the
 * engine stops). fn is called after every successful commit.
 */
struct buf;
int engine_push_busy(const struct engine *e);
uint64_t engine_push(struct engine *e, const char *source, const char *body, size_t len,
                     struct buf *reply);
uint64_t engine_committed_seq(const struct engine *e);
void engine_on_commit(struct engine *e, void (*fn)(void *ctx), void *ctx);

/* 0 if every commit succeeded so far, -1 if the last one failed. */
int engine_status(const struct engine *e);
void engine_free(struct engine *e);

#endif
