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

#define CONTROL_PROTOCOL_VERSION 1
#define CONTROL_MAX_REQUEST (64 * 1024)

struct control;

/* One request as a handler sees it. */
struct control_request {
	const char *cmd;
	void *args;         /* the "args" object as a yajl_val, or NULL */
	uid_t uid;          /* the peer's credentials (SO_PEERCRED) */
	gid_t gid;
	pid_t pid;
	void *client;       /* control.c's, for control_defer() */
};

/* A handler's failure: an error code of the protocol and a message. */
struct control_error {
	const char *code;   /* "bad_argument", "not_found", "internal", ... */
	char message[512];
};

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
 * The uids besides root and the daemon's own user that may run changing
 * commands (control.allow_users); the list is copied, and replaces the
 * previous one (at a reload).
 */
void control_set_allowed(struct control *c, const uint32_t *uids, size_t n);
/* Closes the server and every client; done(ctx) runs when all are closed. */
void control_close(struct control *c, void (*done)(void *ctx), void *ctx);
void control_free(struct control *c);
/* Number of connected clients (status). */
size_t control_clients(const struct control *c);

/* Argument helpers for handlers: NULL / -1 when absent or of another type. */
const char *control_arg_string(const struct control_request *req, const char *name);
int control_arg_int(const struct control_request *req, const char *name, long long *out);
/* Whether args has a member name, of any type (null too). */
int control_arg_has(const struct control_request *req, const char *name);

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

/* Fills err (printf-style message) and returns -1, for "return control_fail(...)". */
int control_fail(struct control_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
