/*
 * ctl_socket.c - warmthctl's side of the control socket: one request line
 * out, one reply line back (docs/control-protocol.md).
 *
 * Blocking I/O is right here: the CLI does one thing and waits for it. A
 * reply that does not come within CTL_SOCKET_TIMEOUT_S means the daemon is
 * stuck, which is reported like an unreachable daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "warmth/util.h"
#include "ctl.h"

#define CTL_SOCKET_TIMEOUT_S 30

static int ctl_socket_timeout_s = CTL_SOCKET_TIMEOUT_S;

void ctl_socket_set_timeout(int seconds)
{
	ctl_socket_timeout_s = seconds;
}
#define CTL_SOCKET_MAX_REPLY (256u << 20)

static int ctl_socket_unreachable(const char *path, const char *what)
{
	ctl_error("cannot reach warmthd at %s (%s): is the service running? "
	          "Use --db STATE.db to read the state offline.",
	          path, what);
	return CTL_EXIT_UNREACHABLE;
}

/*
 * connect() failed with e: what it means for someone at a terminal and
 * what to do, by cause. The daemon removes its socket when it stops, so
 * "no such file" is a stopped daemon or a socket elsewhere; "refused" is a
 * socket left by a daemon that died; "permission denied" is a user outside
 * the socket's group.
 */
static int ctl_socket_connect_failed(const char *path, int e)
{
	struct stat st;

	switch (e) {
	case ENOENT:
		ctl_error("cannot reach warmthd at %s (no such socket): is the service running? "
		          "(systemctl status warmthd) If it runs with another config, give it with "
		          "-c CONFIG, or its socket with -s SOCKET. Use --db STATE.db to read the state "
		          "offline.",
		          path);
		break;
	case ECONNREFUSED:
		/* A path that is no socket at all refuses too: say what it is instead. */
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			ctl_error("cannot reach warmthd at %s: that is %s, not a socket: give the control "
			          "socket's path with -s SOCKET (control.socket of the daemon's config, "
			          "or -c CONFIG). Use --db STATE.db to read the state offline.",
			          path, S_ISDIR(st.st_mode) ? "a directory" :
			          S_ISREG(st.st_mode) ? "a regular file" : "another kind of file");
			break;
		}
		ctl_error("cannot reach warmthd at %s (connection refused: nothing listens on this "
		          "socket, left by a warmthd that stopped or crashed): is the service running? "
		          "(systemctl status warmthd; journalctl -u warmthd says why it stopped) Use "
		          "--db STATE.db to read the state offline.",
		          path);
		break;
	case EACCES:
	case EPERM:
		ctl_error("cannot reach warmthd at %s (permission denied): the control socket is for "
		          "root, the daemon's user and its group: run warmthctl with sudo, or join the "
		          "group (sudo usermod -aG warmthd $USER, then log in again). Use --db STATE.db "
		          "to read the state offline, if you may read the database.",
		          path);
		break;
	default:
		return ctl_socket_unreachable(path, strerror(e));
	}
	return CTL_EXIT_UNREACHABLE;
}

static int ctl_socket_connect(const char *path, int *fd_out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { ctl_socket_timeout_s, 0 };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return ctl_socket_unreachable(path, "path too long for a Unix socket");
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ctl_socket_unreachable(path, strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int rc = ctl_socket_connect_failed(path, errno);
		close(fd);
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fd_out = fd;
	return 0;
}

/*
 * send() with MSG_NOSIGNAL: a daemon that refuses the connection ("busy")
 * may have closed it before the request is written; its reply is still
 * there to read, where SIGPIPE would have killed us first.
 */
static int ctl_socket_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads up to the first newline into line (NUL-terminated, newline dropped). */
static int ctl_socket_read_line(int fd, struct buf *line)
{
	char chunk[4096];

	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		char *nl = memchr(chunk, '\n', (size_t)r);
		buf_append(line, chunk, nl ? (size_t)(nl - chunk) : (size_t)r);
		if (nl != NULL)
			break;
		if (line->len > CTL_SOCKET_MAX_REPLY)
			return -1;
	}
	buf_cstr(line);
	return 0;
}

int ctl_socket_open(const char *path, int *fd)
{
	return ctl_socket_connect(path, fd);
}

int ctl_socket_request(int fd, const char *path, const char *cmd, const char *args_json,
                       struct buf *result, const char **code_out)
{
	const char *okpath[] = { "ok", NULL }, *respath[] = { "result", NULL },
	           *codepath[] = { "error", "code", NULL }, *msgpath[] = { "error", "message", NULL };
	static const char ok_head[] = "{\"v\":1,\"id\":1,\"ok\":true,\"result\":";
	static char code_copy[64];
	struct buf req = { 0 }, line = { 0 };
	char errbuf[256];
	yajl_val root, ok, res, code, msg;
	int rc;

	if (code_out != NULL)
		*code_out = NULL;
	buf_printf(&req, "{\"v\":1,\"id\":1,\"cmd\":\"%s\"%s%s}\n", cmd, args_json ? ",\"args\":" : "",
	           args_json ? args_json : "");
	/* A failed write still reads: the daemon may have answered before it closed. */
	if ((ctl_socket_write_all(fd, req.data, req.len) < 0 && errno != EPIPE &&
	     errno != ECONNRESET) ||
	    ctl_socket_read_line(fd, &line) < 0) {
		rc = ctl_socket_unreachable(path, errno == EAGAIN ? "no reply in 30 s" : "connection lost");
		goto out;
	}
	/* The daemon's success reply starts so: a page of an export is taken
	   as it is, without a tree of the whole reply (the caller reads it). */
	if (line.len > sizeof(ok_head) && memcmp(line.data, ok_head, sizeof(ok_head) - 1) == 0 &&
	    line.data[line.len - 1] == '}') {
		buf_append(result, line.data + sizeof(ok_head) - 1, line.len - sizeof(ok_head));
		buf_cstr(result);
		rc = CTL_EXIT_OK;
		goto out;
	}
	root = yajl_tree_parse(line.data, errbuf, sizeof(errbuf));
	if (root == NULL) {
		ctl_error("%s: the daemon sent a reply that is not JSON", path);
		rc = CTL_EXIT_ERROR;
		goto out;
	}
	ok = yajl_tree_get(root, okpath, yajl_t_any);
	if (ok != NULL && YAJL_IS_TRUE(ok)) {
		/* The result's text is the reply's, between "result": and the final brace. */
		const char *start = strstr(line.data, "\"result\":");
		res = yajl_tree_get(root, respath, yajl_t_any);
		if (start != NULL && res != NULL) {
			start += strlen("\"result\":");
			buf_append(result, start, line.len - (size_t)(start - line.data) - 1);
			buf_cstr(result);
		}
		rc = CTL_EXIT_OK;
	} else {
		const char *c, *m;
		code = yajl_tree_get(root, codepath, yajl_t_string);
		msg = yajl_tree_get(root, msgpath, yajl_t_string);
		c = code ? YAJL_GET_STRING(code) : NULL;
		m = msg ? YAJL_GET_STRING(msg) : NULL;
		ctl_error("%s (%s)", m ? m : "the daemon refused the request", c ? c : "error");
		rc = c && strcmp(c, "bad_request") == 0 ? CTL_EXIT_USAGE : CTL_EXIT_ERROR;
		/* Nothing wrong with the request: the daemon cannot take it now (try again). */
		if (c && (strcmp(c, "busy") == 0 || strcmp(c, "timeout") == 0))
			rc = CTL_EXIT_UNREACHABLE;
		if (code_out != NULL && c != NULL) {
			snprintf(code_copy, sizeof(code_copy), "%s", c);
			*code_out = code_copy;
		}
	}
	yajl_tree_free(root);
out:
	buf_free(&req);
	buf_free(&line);
	return rc;
}

int ctl_socket_call(const char *path, const char *cmd, const char *args_json, struct buf *result)
{
	int fd, rc;

	if ((rc = ctl_socket_connect(path, &fd)) != 0)
		return rc;
	rc = ctl_socket_request(fd, path, cmd, args_json, result, NULL);
	close(fd);
	return rc;
}
