/*
 * control.h - the control socket server: a Unix stream socket on the
 * daemon's loop speaking one JSON request and one JSON reply per line
 * (docs/control-protocol.md). It knows nothing of what the commands do:
 * the daemon registers a table of commands with their handlers.
 */
#ifndef WARMTH_CONTROL_H
#define WARMTH_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "warmth/json.h"
#include "control_request.h"

struct control;

/*
 * Writes the command's result, exactly one JSON value, to out and returns
 * 0; or fills err and returns -1 (whatever it wrote to out is discarded);
 * or returns CONTROL_DEFERRED having called control_defer(), and answers
 * later with control_answer().
 */
#define CONTROL_DEFERRED 1
typedef int (*control_handler)(void *ctx, const struct control_request *req, struct json *out,
                               struct control_error *err);

struct control_command {
	const char *name;
	int changing;       /* only root, the daemon's own user and the allowed uids may run it */
	control_handler handler;
};

/*
 * Creates a server for socket path; commands is a table ended by a NULL
 * name, used (not copied) for the server's lifetime.
 */
struct control *control_new(uv_loop_t *loop, const char *path,
                            const struct control_command *commands, void *ctx);
/*
 * Binds (replacing a stale socket file, refusing if another process is
 * listening there), sets mode 0660 and listens. Returns 0, or -1 with a
 * message in err.
 */
int control_start(struct control *c, char *err, size_t errlen);
/*
 * Whether a control socket can be made at path by this user: the path
 * fits a Unix socket, its directory exists and this user may create files
 * there, and nothing but a socket is in its place. Returns 0; 1 when the
 * directory is missing but is the one systemd creates at start
 * (RuntimeDirectory=warmthd of the unit: /run/warmthd), with a note in
 * err; -1 with the cause in err ("directory /x does not exist: create it
 * or change control.socket"). For warmthd -t, and before binding, which
 * would report a missing directory as "permission denied" (libuv maps
 * ENOENT to EACCES there).
 */
int control_check_path(const char *path, char *err, size_t errlen);
/*
 * Removes the socket file at path when nobody listens there (left by a
 * crash); fails, with why in err, when a daemon listens there or the
 * file is not a socket. Returns 0 or -1.
 */
int control_clear_stale(const char *path, char *err, size_t errlen);
/* The socket is bound as path + this and renamed into place (control_start). */
#define CONTROL_TMP_SUFFIX ".new"

/*
 * The uids besides root and the daemon's own user that may run changing
 * commands (control.allow_users); the list is copied, and replaces the
 * previous one (at a reload).
 */
void control_set_allowed(struct control *c, const uint32_t *uids, size_t n);
/*
 * control.max_clients, control.max_buffered (bytes) and
 * control.request_timeout (docs/reliability.md, "Hostile local user"); at
 * a reload, clients already connected stay.
 */
void control_set_limits(struct control *c, size_t max_clients, size_t max_buffered,
                        uint64_t request_timeout_ms);
/* Closes the server and every client; done(ctx) runs when all are closed. */
void control_close(struct control *c, void (*done)(void *ctx), void *ctx);
void control_free(struct control *c);
/* Number of connected clients (status). */
size_t control_clients(const struct control *c);

/*
 * A reply that comes later (notify-test waits for its notifier). Until it
 * is answered, the client's further requests wait (replies stay in
 * order) and it is not disconnected as idle. A client that goes away
 * first only makes the answer go nowhere.
 */
struct control_deferred;
struct control_deferred *control_defer(const struct control_request *req);
/* Answers: result (one JSON value) when err is NULL, else the error. Frees d. */
void control_answer(struct control_deferred *d, const char *result, const struct control_error *err);

#endif
