/*
 * control_request.h - one control-protocol request line, parsed and
 * checked (docs/control-protocol.md), with no socket and no libuv: the
 * part of the control server that sees untrusted bytes, kept pure so that
 * it is unit-tested and fuzzed directly (tests/fuzz/fuzz_control.c).
 */
#ifndef WARMTH_CONTROL_REQUEST_H
#define WARMTH_CONTROL_REQUEST_H

#include <stddef.h>
#include <sys/types.h>

#include "warmth/util.h"

#define CONTROL_PROTOCOL_VERSION 1
#define CONTROL_MAX_REQUEST (64 * 1024)
/* The longest string anywhere in a request (a cursor, a notification id). */
#define CONTROL_MAX_STRING 4096
/* An actor or an account: 1-256 bytes, no control characters, as in an event (INTERFACE.md). */
#define CONTROL_MAX_NAME 256

/* One request as a handler sees it. */
struct control_request {
	const char *cmd;
	void *args;         /* the "args" object as a yajl_val, or NULL */
	uid_t uid;          /* the peer's credentials (SO_PEERCRED) */
	gid_t gid;
	pid_t pid;
	void *client;       /* control.c's, for control_defer() */
	const char *via;    /* NULL: the control socket; "http": the dashboard (uid and pid unknown) */
};

/* A handler's failure: an error code of the protocol and a message. */
struct control_error {
	const char *code;   /* "bad_argument", "not_found", "internal", ... */
	char message[512];
};

/* A request line after control_request_parse(). */
struct control_parsed {
	void *root;         /* the yajl tree (owned), NULL when not JSON */
	const char *cmd;    /* into root; NULL on failure */
	void *args;         /* into root: the "args" object, or NULL */
	struct buf id;      /* the request's id re-encoded as JSON; empty: none */
};

/*
 * Parses line[0..len) (without its '\n'; a trailing '\r' is tolerated),
 * which must have room for a NUL at line[len] (it is written). Returns 1
 * for an empty line (nothing to answer), 0 when p->cmd names the command,
 * or -1 with err filled with a protocol error (code "bad_request"; a
 * request with a NUL in any string, or a string longer than
 * CONTROL_MAX_STRING, is one) to send
 * back with p->id. Free p with control_parsed_free() in every case.
 */
int control_request_parse(char *line, size_t len, struct control_parsed *p,
                          struct control_error *err);
void control_parsed_free(struct control_parsed *p);
/*
 * Parses text[0..len) (room for a NUL at text[len]) as a command's "args"
 * object alone, with the same checks as a request (no NUL, no overlong
 * string), for the HTTP API: p->args is the object, p->cmd stays NULL.
 * Returns 0, or -1 with err (code "bad_request").
 */
int control_args_parse(char *text, size_t len, struct control_parsed *p,
                       struct control_error *err);

/* Argument helpers for handlers: NULL / -1 when absent or of another type. */
const char *control_arg_string(const struct control_request *req, const char *name);
/*
 * An actor or account argument: *out is the string, or NULL when absent
 * (returns 0). Returns -1 with err (bad_argument, naming the argument)
 * when it is not a string, is empty or longer than CONTROL_MAX_NAME, or
 * holds a control character: such a name can match no contact, and
 * looking it up would answer about another.
 */
int control_arg_name(const struct control_request *req, const char *name, const char **out,
                     struct control_error *err);
int control_arg_int(const struct control_request *req, const char *name, long long *out);
/* Whether args has a member name, of any type (null too). */
int control_arg_has(const struct control_request *req, const char *name);

/* Fills err (printf-style message) and returns -1, for "return control_fail(...)". */
int control_fail(struct control_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
