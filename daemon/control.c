/*
 * control.c - the control socket server (see control.h and
 * docs/control-protocol.md).
 *
 * Design. The server and each client are uv_pipe_t handles on the
 * daemon's one loop. A client's bytes accumulate in a buffer bounded by
 * CONTROL_MAX_REQUEST; each complete line is parsed and checked by
 * control_request.c (pure, so it is fuzzed without a socket), authorised from the peer's
 * SO_PEERCRED credentials, and dispatched to the handler of its command,
 * which writes the result into a buffer of its own. Changing commands are
 * for root, the daemon's own user and the uids of control.allow_users. The reply is then
 * framed and queued with uv_write, so a client that does not read never
 * blocks the loop; a few of one client's requests are handled per pass
 * of the loop (CONTROL_LINES_PER_PASS), so one that sends many at once
 * does not hold others up. One that sends an oversized line or stays
 * silent for CONTROL_IDLE_MS is disconnected. A client is freed only in
 * the close callback of its last handle (libuv's rule).
 *
 * Bounds (docs/reliability.md, "Hostile local user"). Anyone who can
 * connect could otherwise make the daemon hold memory without end, so:
 * at most control.max_clients are connected at once (one more is told
 * "busy" and closed); the bytes held for all clients together, their
 * input buffers and their replies not yet sent, are counted in
 * c->buffered against control.max_buffered. A client whose unsent
 * replies pass its share (max_buffered / max_clients) is held: its
 * further requests are not handled, and not read, until the replies
 * drain (backpressure: they wait in its socket, then in the client). So
 * a client that pipelines exports without reading holds one share and
 * one page, not an export. Past the total, a client that holds replies
 * waits likewise, and one that holds none is told "busy" and closed,
 * as is one whose request would grow its buffer past the total. A
 * request must arrive whole within control.request_timeout of its first
 * byte, however the bytes trickle in ("timeout", then closed): the idle
 * timer alone would let a byte a minute hold a buffer for ever. The
 * operators (those who may change state) and the others are counted
 * apart, each up to max_clients clients and max_buffered bytes, so the
 * others filling the socket never lock the operators out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "control.h"

/* The name the socket listens under before it is renamed into place. */

#define CONTROL_IDLE_MS 60000
/* Bytes read at a time into a client's buffer. */
#define CONTROL_READ_CHUNK 4096
/* An idle client's buffer larger than this is given back. */
#define CONTROL_KEEP_BUFFER (4 * CONTROL_READ_CHUNK)
/*
 * Clients being told "busy" at connect at once (each holds a descriptor
 * until its reply is written, which takes a pass of the loop): past this,
 * a burst of connections is closed unanswered.
 */
#define CONTROL_MAX_REFUSING 256
/*
 * Requests of one client handled in one pass of the loop. A page of a
 * list costs a walk over every contact: a client that sends a thousand
 * requests at once gets them answered a few at a time, with other clients
 * and ingestion served between, instead of holding the loop for all.
 */
#define CONTROL_LINES_PER_PASS 4

struct control_client {
	struct control *server;
	struct control_client *next;
	uv_pipe_t pipe;
	uv_timer_t idle;
	uv_timer_t resume;                 /* the next pass over lines already read */
	int resuming;                      /* resume is started and reading stopped */
	uv_timer_t deadline;               /* the request under way: control.request_timeout */
	int deadline_on;
	uv_shutdown_t shutdown;
	int open_handles;
	int closing;
	int finishing;                     /* a last reply, then closed: nothing more is read */
	int refused;                       /* told "busy" at connect: not counted in nclients */
	int operator;                      /* may change state (control_may_change): counted apart */
	int held;                          /* over its share (or the total): not read, not handled */
	size_t queued;                     /* reply bytes queued and not yet sent */
	size_t in_counted;                 /* in.cap as counted in server->buffered */
	struct buf in;
	struct ucred cred;
	struct control_deferred *deferred; /* a reply still to come: later lines wait */
	const struct buf *pending_id;      /* the id of the request being handled */
};

struct control_deferred {
	struct control_client *client; /* NULL once the client is gone */
	struct buf id;                 /* the request's id, re-encoded */
};

struct control {
	uv_loop_t *loop;
	char *path;
	const struct control_command *commands;
	void *ctx;
	uv_pipe_t server;
	int listening;
	int server_open;
	struct control_client *clients;
	size_t nclients;            /* not counting those refused at connect */
	size_t nclass[2];           /* of them, others [0] and operators [1]: each up to max_clients */
	size_t nrefused;            /* being told "busy" at connect */
	size_t nheld;
	size_t buffered[2];         /* input buffers and unsent replies of others [0], operators [1] */
	size_t max_clients;         /* control.max_clients */
	size_t max_buffered;        /* control.max_buffered */
	uint64_t request_timeout_ms; /* control.request_timeout */
	uint32_t *allowed;          /* control.allow_users, resolved */
	size_t nallowed;
	void (*done)(void *ctx);
	void *done_ctx;
	int closing;
};

struct control_write {
	uv_write_t req;
	struct control_client *client; /* alive: libuv calls back before the close callback */
	struct buf data;
};

/* A client's share of control.max_buffered for its unsent replies. */
static size_t control_share(const struct control *c)
{
	return c->max_buffered / (c->max_clients ? c->max_clients : 1);
}

/* Counts the client's input buffer as it is now in server->buffered. */
static void control_count_in(struct control_client *cl)
{
	struct control *c = cl->server;

	c->buffered[cl->operator] = c->buffered[cl->operator] - cl->in_counted + cl->in.cap;
	cl->in_counted = cl->in.cap;
}

static void control_maybe_done(struct control *c)
{
	if (c->closing && !c->server_open && c->clients == NULL && c->done != NULL) {
		void (*done)(void *) = c->done;
		c->done = NULL;
		done(c->done_ctx);
	}
}

static void control_client_closed(uv_handle_t *handle)
{
	struct control_client *cl = handle->data;
	struct control *c = cl->server;

	if (--cl->open_handles > 0)
		return;
	for (struct control_client **pp = &c->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	if (cl->refused) {
		c->nrefused--;
	} else {
		c->nclients--;
		c->nclass[cl->operator]--;
	}
	if (cl->held)
		c->nheld--;
	if (cl->deferred != NULL)
		cl->deferred->client = NULL;
	buf_free(&cl->in);
	control_count_in(cl);
	free(cl);
	control_maybe_done(c);
}

static void control_client_close(struct control_client *cl)
{
	if (cl->closing)
		return;
	cl->closing = 1;
	uv_close((uv_handle_t *)&cl->pipe, control_client_closed);
	uv_close((uv_handle_t *)&cl->idle, control_client_closed);
	uv_close((uv_handle_t *)&cl->resume, control_client_closed);
	uv_close((uv_handle_t *)&cl->deadline, control_client_closed);
}

static void control_wake(struct control_client *cl);

static void control_write_done(uv_write_t *req, int status)
{
	struct control_write *w = (struct control_write *)req;
	struct control_client *cl = w->client;
	struct control *c = cl->server;

	cl->queued -= w->data.cap;
	c->buffered[cl->operator] -= w->data.cap;
	buf_free(&w->data);
	free(w);
	/* A failed write means the client went away; its read fails too. */
	if (status != 0 || cl->closing)
		return;
	/* Reading its replies is activity too: a long export is not idleness. */
	if (!cl->finishing)
		uv_timer_again(&cl->idle);
	if (cl->held && cl->queued <= control_share(c) && c->buffered[cl->operator] <= c->max_buffered)
		control_wake(cl);
	/* Room again in the total: those held for it go on. */
	if (c->nheld > 0 && c->buffered[cl->operator] <= c->max_buffered)
		for (struct control_client *o = c->clients; o; o = o->next)
			if (o->held && o->operator == cl->operator && o->queued <= control_share(c))
				control_wake(o);
}

/* Queues one reply line (taking it over, freed whatever happens), counted in
   the client's and the server's held bytes until it is sent. */
static void control_send(struct control_client *cl, struct buf *line)
{
	struct control_write *w;
	uv_buf_t b;

	if (cl->closing) {
		buf_free(line);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->client = cl;
	w->data = *line;
	memset(line, 0, sizeof(*line));
	b = uv_buf_init(w->data.data, (unsigned)w->data.len);
	if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1, control_write_done) != 0) {
		buf_free(&w->data);
		free(w);
		control_client_close(cl);
		return;
	}
	/* Counted until its callback (which runs even when the client closes first). */
	cl->queued += w->data.cap;
	cl->server->buffered[cl->operator] += w->data.cap;
}

/* Frames {"v":1,"id":ID,...}: id_json is the request's id re-encoded, or NULL. */
static void control_reply_error(struct control_client *cl, const char *id_json, const char *code,
                                const char *message)
{
	struct buf line = { 0 };
	struct json *j;

	buf_printf(&line, "{\"v\":%d,\"id\":%s,\"ok\":false,\"error\":", CONTROL_PROTOCOL_VERSION,
	           id_json ? id_json : "null");
	j = json_new(&line, 0);
	json_object_open(j);
	json_kv_str(j, "code", code);
	json_kv_str(j, "message", message);
	json_object_close(j);
	json_free(j);
	buf_append_str(&line, "}\n");
	control_send(cl, &line);
}

static void control_reply_ok(struct control_client *cl, const char *id_json, const struct buf *result)
{
	struct buf line = { 0 };

	buf_printf(&line, "{\"v\":%d,\"id\":%s,\"ok\":true,\"result\":", CONTROL_PROTOCOL_VERSION,
	           id_json ? id_json : "null");
	buf_append(&line, result->data, result->len);
	buf_append_str(&line, "}\n");
	control_send(cl, &line);
}

static const struct control_command *control_find(const struct control *c, const char *name)
{
	for (const struct control_command *cmd = c->commands; cmd->name; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

/* Changing commands: root, the daemon's own user and the allowed uids. */
static int control_may_change(const struct control_client *cl)
{
	const struct control *c = cl->server;

	if (cl->cred.uid == 0 || cl->cred.uid == geteuid())
		return 1;
	for (size_t i = 0; i < c->nallowed; i++)
		if ((uint32_t)cl->cred.uid == c->allowed[i])
			return 1;
	return 0;
}

/* The id to echo: the request's, re-encoded, or null when it had none. */
#define ID_JSON(b) ((b)->len > 0 ? buf_cstr(b) : NULL)

static void control_handle_line(struct control_client *cl, char *line, size_t len)
{
	struct control *c = cl->server;
	struct buf result = { 0 };
	struct control_request req = { 0 };
	struct control_error err = { 0 };
	struct control_parsed p;
	const struct control_command *cmd;
	struct json *j;
	int rc;

	rc = control_request_parse(line, len, &p, &err);
	if (rc > 0)
		goto out;
	if (rc < 0) {
		control_reply_error(cl, ID_JSON(&p.id), err.code, err.message);
		goto out;
	}
	cmd = control_find(c, p.cmd);
	if (cmd == NULL) {
		snprintf(err.message, sizeof(err.message), "unknown command \"%.64s\"", p.cmd);
		control_reply_error(cl, ID_JSON(&p.id), "unknown_command", err.message);
		goto out;
	}
	if (cmd->changing && !control_may_change(cl)) {
		/* The uid is the one the kernel gave the daemon, which is not the
		   client's own when the daemon runs in a user namespace that does
		   not map it (it is then the overflow uid, 65534): saying it shows
		   why an allowed user is refused. */
		snprintf(err.message, sizeof(err.message),
		         "%s changes the daemon's state: only root, the daemon's user and "
		         "control.allow_users may (the daemon sees this client as uid %ld: use sudo, or "
		         "add the user to control.allow_users and reload)",
		         cmd->name, (long)cl->cred.uid);
		control_reply_error(cl, ID_JSON(&p.id), "forbidden", err.message);
		goto out;
	}
	req.cmd = cmd->name;
	req.args = p.args;
	req.uid = cl->cred.uid;
	req.gid = cl->cred.gid;
	req.pid = cl->cred.pid;
	req.client = cl;
	cl->pending_id = &p.id;
	j = json_new(&result, 0);
	rc = cmd->handler(c->ctx, &req, j, &err);
	cl->pending_id = NULL;
	if (rc == CONTROL_DEFERRED) {
		json_free(j);
	} else if (rc == 0) {
		json_free(j);
		control_reply_ok(cl, ID_JSON(&p.id), &result);
	} else {
		json_free(j);
		control_reply_error(cl, ID_JSON(&p.id), err.code ? err.code : "internal", err.message);
	}
out:
	buf_free(&result);
	control_parsed_free(&p);
}

static void control_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *b);
static void control_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b);
static void control_process(struct control_client *cl);

/* Reads again, unless something still holds the client back. */
static void control_read_on(struct control_client *cl)
{
	if (!cl->closing && !cl->finishing && cl->deferred == NULL && !cl->resuming && !cl->held)
		uv_read_start((uv_stream_t *)&cl->pipe, control_alloc, control_read);
}

static void control_resume_cb(uv_timer_t *timer)
{
	struct control_client *cl = timer->data;

	cl->resuming = 0;
	control_process(cl);
	control_read_on(cl);
}

/* A held client may go on: in a later pass of the loop, not inside a write callback. */
static void control_wake(struct control_client *cl)
{
	if (!cl->held)
		return;
	cl->held = 0;
	cl->server->nheld--;
	if (cl->resuming || cl->closing)
		return;
	cl->resuming = 1;
	uv_timer_start(&cl->resume, control_resume_cb, 0, 0);
}

static void control_shutdown_done(uv_shutdown_t *req, int status)
{
	(void)status;
	control_client_close(req->handle->data);
}

/*
 * A last error reply, then the connection is closed once it is written
 * (a shutdown waits for the queue); nothing more is read or handled.
 */
static void control_finish(struct control_client *cl, const char *id_json, const char *code,
                           const char *message)
{
	if (cl->closing || cl->finishing)
		return;
	control_reply_error(cl, id_json, code, message);
	cl->finishing = 1;
	uv_read_stop((uv_stream_t *)&cl->pipe);
	uv_timer_stop(&cl->deadline);
	cl->in.len = 0;
	if (uv_shutdown(&cl->shutdown, (uv_stream_t *)&cl->pipe, control_shutdown_done) != 0)
		control_client_close(cl);
}

static void control_busy(struct control_client *cl, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "the daemon is busy: %s; try again later", what);
	log_debug("control: client pid %d: busy (%s)", (int)cl->cred.pid, what);
	control_finish(cl, NULL, "busy", msg);
}

/*
 * Whether the client's next request may be handled now (see the top of
 * the file). When not, it is held or, with nothing of its own to wait
 * for, told "busy" and closed.
 */
static int control_may_handle(struct control_client *cl)
{
	struct control *c = cl->server;
	int over_total = c->buffered[cl->operator] > c->max_buffered;

	if (cl->queued <= control_share(c) && !over_total)
		return 1;
	if (cl->queued == 0) {
		char what[128];
		snprintf(what, sizeof(what), "%zu bytes held for control clients (control.max_buffered)",
		         c->buffered[cl->operator]);
		control_busy(cl, what);
		return 0;
	}
	if (!cl->held) {
		cl->held = 1;
		c->nheld++;
	}
	uv_read_stop((uv_stream_t *)&cl->pipe);
	return 0;
}

static void control_deadline_cb(uv_timer_t *timer)
{
	struct control_client *cl = timer->data;
	char msg[160];

	cl->deadline_on = 0;
	snprintf(msg, sizeof(msg), "the request did not arrive whole within %llu ms "
	         "(control.request_timeout)", (unsigned long long)cl->server->request_timeout_ms);
	log_warnx("control: client pid %d: %s; disconnecting", (int)cl->cred.pid, msg);
	control_finish(cl, NULL, "timeout", msg);
}

/*
 * A request is under way while the buffer holds bytes and no line break:
 * its clock starts with its first byte and is not restarted by more
 * bytes. Lines already whole wait for the daemon, not the client.
 */
static void control_deadline_update(struct control_client *cl)
{
	int partial = cl->in.len > 0 && memchr(cl->in.data, '\n', cl->in.len) == NULL;

	if (cl->closing || cl->finishing)
		return;
	if (partial && !cl->deadline_on) {
		cl->deadline_on = 1;
		uv_timer_start(&cl->deadline, control_deadline_cb, cl->server->request_timeout_ms, 0);
	} else if (!partial && cl->deadline_on) {
		cl->deadline_on = 0;
		uv_timer_stop(&cl->deadline);
	}
}

/*
 * Handles the complete lines buffered, CONTROL_LINES_PER_PASS at most: with
 * more, reading pauses and a zero timer takes up the rest in a later pass
 * of the loop. A deferred reply stops it: the rest waits (and reading
 * pauses) until control_answer(). So does a client held for its replies.
 */
static void control_process(struct control_client *cl)
{
	char *nl, *start = cl->in.data;
	int handled = 0;

	while (!cl->closing && !cl->finishing && cl->deferred == NULL &&
	       handled < CONTROL_LINES_PER_PASS &&
	       (nl = memchr(start, '\n', cl->in.len - (size_t)(start - cl->in.data)))) {
		if (!control_may_handle(cl))
			break;
		control_handle_line(cl, start, (size_t)(nl - start));
		start = nl + 1;
		handled++;
	}
	if (cl->closing || cl->finishing)
		return;
	cl->in.len -= (size_t)(start - cl->in.data);
	memmove(cl->in.data, start, cl->in.len);
	/* A large request's buffer is not kept by a client that then idles. */
	if (cl->in.len == 0 && cl->in.cap > CONTROL_KEEP_BUFFER) {
		buf_free(&cl->in);
		control_count_in(cl);
	}
	control_deadline_update(cl);
	if (cl->deferred != NULL) {
		uv_read_stop((uv_stream_t *)&cl->pipe);
		uv_timer_stop(&cl->idle);
	} else if (!cl->held && handled == CONTROL_LINES_PER_PASS &&
	           memchr(cl->in.data, '\n', cl->in.len)) {
		uv_read_stop((uv_stream_t *)&cl->pipe);
		cl->resuming = 1;
		uv_timer_start(&cl->resume, control_resume_cb, 0, 0);
	}
}

struct control_deferred *control_defer(const struct control_request *req)
{
	struct control_client *cl = req->client;
	struct control_deferred *d = xcalloc(1, sizeof(*d));

	d->client = cl;
	if (cl->pending_id != NULL)
		buf_append(&d->id, cl->pending_id->data, cl->pending_id->len);
	cl->deferred = d;
	return d;
}

static void control_idle_cb(uv_timer_t *timer);

void control_answer(struct control_deferred *d, const char *result, const struct control_error *err)
{
	struct control_client *cl = d->client;

	if (cl != NULL) {
		if (err == NULL) {
			struct buf r = { 0 };
			buf_append_str(&r, result);
			control_reply_ok(cl, ID_JSON(&d->id), &r);
			buf_free(&r);
		} else {
			control_reply_error(cl, ID_JSON(&d->id), err->code ? err->code : "internal",
			                    err->message);
		}
		cl->deferred = NULL;
		/* Answered from within its own handler: the line loop there goes on. */
		if (!cl->closing && !cl->finishing && cl->pending_id == NULL) {
			uv_timer_start(&cl->idle, control_idle_cb, CONTROL_IDLE_MS, CONTROL_IDLE_MS);
			control_process(cl);
			control_read_on(cl);
		}
	}
	buf_free(&d->id);
	free(d);
}

/* What buf_reserve(b, extra) makes b's capacity. */
static size_t control_grown_cap(const struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;

	if (need <= b->cap)
		return b->cap;
	for (cap = b->cap ? b->cap : 64; cap < need; cap *= 2)
		;
	return cap;
}

static void control_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *b)
{
	struct control_client *cl = handle->data;
	struct control *c = cl->server;
	size_t cap = control_grown_cap(&cl->in, CONTROL_READ_CHUNK);

	(void)suggested;
	/* Growing past the total: no buffer (the read callback gets UV_ENOBUFS). */
	if (cap > cl->in.cap && c->buffered[cl->operator] + (cap - cl->in.cap) > c->max_buffered) {
		*b = uv_buf_init(NULL, 0);
		return;
	}
	buf_reserve(&cl->in, CONTROL_READ_CHUNK);
	control_count_in(cl);
	*b = uv_buf_init(cl->in.data + cl->in.len, (unsigned)(cl->in.cap - cl->in.len - 1));
}

static void control_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b)
{
	struct control_client *cl = stream->data;
	struct control *c = cl->server;

	(void)b;
	if (n == UV_ENOBUFS) {
		char what[128];
		snprintf(what, sizeof(what), "%zu bytes held for control clients (control.max_buffered)",
		         c->buffered[cl->operator]);
		control_busy(cl, what);
		return;
	}
	if (n < 0) {
		control_client_close(cl); /* EOF or error: the client is gone */
		return;
	}
	cl->in.len += (size_t)n;
	uv_timer_again(&cl->idle);
	control_process(cl);
	if (!cl->closing && !cl->finishing && cl->deferred == NULL && !cl->resuming && !cl->held &&
	    cl->in.len > CONTROL_MAX_REQUEST)
		control_finish(cl, NULL, "too_large", "request longer than 64 KiB");
}

static void control_idle_cb(uv_timer_t *timer)
{
	struct control_client *cl = timer->data;

	log_debug("control: closing an idle client (pid %d)", (int)cl->cred.pid);
	control_client_close(cl);
}

static void control_on_connection(uv_stream_t *server, int status)
{
	struct control *c = server->data;
	struct control_client *cl;
	socklen_t len = sizeof(cl->cred);
	uv_os_fd_t fd;
	char what[128];

	if (status < 0) {
		log_warnx("control: accept: %s", uv_strerror(status));
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->server = c;
	uv_pipe_init(c->loop, &cl->pipe, 0);
	uv_timer_init(c->loop, &cl->idle);
	uv_timer_init(c->loop, &cl->resume);
	uv_timer_init(c->loop, &cl->deadline);
	cl->pipe.data = cl->idle.data = cl->resume.data = cl->deadline.data = cl;
	cl->open_handles = 4;
	cl->next = c->clients;
	c->clients = cl;
	/* Counted as refused until its credentials say which cap it is under. */
	cl->refused = 1;
	c->nrefused++;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
		control_client_close(cl);
		return;
	}
	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cl->cred, &len) != 0) {
		log_warn("control: cannot read the peer's credentials; closing");
		control_client_close(cl);
		return;
	}
	/*
	 * The operators (who may change state) and the others are each
	 * capped at max_clients and max_buffered on their own: a user who may
	 * only read could otherwise take every place, reconnecting as it is
	 * dropped, and lock root and the daemon's user out of their daemon.
	 * Past the cap: told so and closed (a flood of them is closed unanswered).
	 */
	cl->operator = control_may_change(cl);
	if (c->nclass[cl->operator] < c->max_clients) {
		cl->refused = 0;
		c->nrefused--;
		c->nclients++;
		c->nclass[cl->operator]++;
	}
	if (cl->refused) {
		if (c->nrefused > CONTROL_MAX_REFUSING) {
			control_client_close(cl);
			return;
		}
		snprintf(what, sizeof(what), "%zu clients connected (control.max_clients)",
		         c->nclass[cl->operator]);
		if (c->nrefused == 1)
			log_warnx("control: %s; refusing more (\"busy\")", what);
		control_busy(cl, what);
		return;
	}
	uv_timer_start(&cl->idle, control_idle_cb, CONTROL_IDLE_MS, CONTROL_IDLE_MS);
	uv_read_start((uv_stream_t *)&cl->pipe, control_alloc, control_read);
}
struct control *control_new(uv_loop_t *loop, const char *path,
                            const struct control_command *commands, void *ctx)
{
	struct control *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->path = xstrdup(path);
	c->commands = commands;
	c->ctx = ctx;
	/* Until control_set_limits: the documented defaults. */
	control_set_limits(c, 64, 16u << 20, 10000);
	return c;
}

/*
 * The socket is bound and listening under a temporary name and renamed into
 * place last: whoever sees control.socket's path can connect to it. Binding
 * there directly would leave a moment in which the file exists and refuses
 * connections, and a client started then (or one waiting for the file to
 * appear) would take the daemon for absent.
 */
int control_start(struct control *c, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	size_t n = strlen(c->path);
	char *tmp;
	int rc;

	/* The real cause before bind(): libuv reports a missing directory as EACCES. */
	if (control_check_path(c->path, err, errlen) != 0)
		return -1;
	if (control_clear_stale(c->path, err, errlen) < 0)
		return -1;
	if (n + sizeof(CONTROL_TMP_SUFFIX) > sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a Unix socket (at most %zu bytes)", c->path,
		         sizeof(sun.sun_path) - sizeof(CONTROL_TMP_SUFFIX));
		return -1;
	}
	tmp = xmalloc(n + sizeof(CONTROL_TMP_SUFFIX));
	memcpy(tmp, c->path, n);
	memcpy(tmp + n, CONTROL_TMP_SUFFIX, sizeof(CONTROL_TMP_SUFFIX));
	/* Left by a crash between bind and rename: nobody listens there. */
	if (unlink(tmp) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove: %s", tmp, strerror(errno));
		goto fail;
	}
	uv_pipe_init(c->loop, &c->server, 0);
	c->server.data = c;
	c->server_open = 1;
	if ((rc = uv_pipe_bind(&c->server, tmp)) != 0) {
		snprintf(err, errlen, "%s: cannot bind: %s", tmp, uv_strerror(rc));
		goto fail;
	}
	/* Group members may connect (read-only commands); others may not. */
	if (chmod(tmp, 0660) != 0) {
		snprintf(err, errlen, "%s: chmod: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	/* A Unix socket's full backlog fails connect() at once with EAGAIN (no
	   retry as with TCP): let a burst of clients queue while the loop is
	   busy with a batch, up to the kernel's limit (net.core.somaxconn). */
	if ((rc = uv_listen((uv_stream_t *)&c->server, SOMAXCONN, control_on_connection)) != 0) {
		snprintf(err, errlen, "%s: cannot listen: %s", tmp, uv_strerror(rc));
		goto fail_unlink;
	}
	if (rename(tmp, c->path) != 0) {
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, c->path, strerror(errno));
		goto fail_unlink;
	}
	free(tmp);
	c->listening = 1;
	return 0;
fail_unlink:
	unlink(tmp);
fail:
	free(tmp);
	return -1;
}

static void control_server_closed(uv_handle_t *handle)
{
	struct control *c = handle->data;

	c->server_open = 0;
	control_maybe_done(c);
}

void control_close(struct control *c, void (*done)(void *ctx), void *ctx)
{
	c->closing = 1;
	c->done = done;
	c->done_ctx = ctx;
	if (c->listening)
		unlink(c->path);
	for (struct control_client *cl = c->clients; cl; cl = cl->next)
		control_client_close(cl);
	if (c->server_open)
		uv_close((uv_handle_t *)&c->server, control_server_closed);
	else
		control_maybe_done(c);
}

void control_set_limits(struct control *c, size_t max_clients, size_t max_buffered,
                        uint64_t request_timeout_ms)
{
	c->max_clients = max_clients > 0 ? max_clients : 1;
	c->max_buffered = max_buffered;
	c->request_timeout_ms = request_timeout_ms;
}

void control_set_allowed(struct control *c, const uint32_t *uids, size_t n)
{
	free(c->allowed);
	c->allowed = n > 0 ? xcalloc(n, sizeof(*c->allowed)) : NULL;
	if (n > 0)
		memcpy(c->allowed, uids, n * sizeof(*uids));
	c->nallowed = n;
}

void control_free(struct control *c)
{
	if (c == NULL)
		return;
	free(c->allowed);
	free(c->path);
	free(c);
}

size_t control_clients(const struct control *c)
{
	return c->nclients;
}
