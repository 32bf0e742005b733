/*
 * http_api.c - the dashboard's /api/ routes (see http_api.h).
 *
 * Each route names a control command. A GET's query parameters, or a
 * POST's JSON body, become the command's "args" object, checked as a
 * control request's are (control_args_parse: no NUL, no overlong string),
 * and the command's own handler answers: its JSON is the reply, its
 * error {"error":{"code","message"}} with a status for its code.
 *
 * Who may do what. The control socket knows its peer's uid; HTTP does
 * not, so the socket's rule (changing commands for root, the daemon's
 * user and control.allow_users) becomes possession of the dashboard
 * token, which only they can obtain (the file is the daemon user's,
 * mode 0600; warmthctl dashboard asks for it as a changing command).
 * Reading (GET) needs no token: what it shows is what the listener's
 * /metrics already tells anyone on this host in aggregate, and a web
 * page of another site cannot read a reply (no CORS headers, and the
 * Host check below stops DNS rebinding). Changing state takes:
 *  - POST only, never GET (a link or an <img> cannot change anything);
 *  - an Origin equal to the page's own origin (a browser always sends
 *    Origin with a POST from a page; a missing one is refused too);
 *  - the token in X-Warmth-Token, compared in constant time (a custom
 *    header also forces a CORS preflight, which is never granted);
 *  - Content-Type application/json (a form cannot send it).
 * Every dashboard response names this listener in its Host header or is
 * refused (421): a page of another origin whose name resolves to
 * 127.0.0.1 would otherwise be same-origin with the dashboard.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "http_api.h"

#define HTTP_API_TOKEN_HEADER "X-Warmth-Token"

/* One query parameter a GET route takes: its name, the argument it becomes, and its type. */
struct http_api_param {
	const char *query;
	const char *arg;
	int integer;
};

struct http_api_path {
	const char *path;           /* after /api */
	const char *cmd;
	int post;                   /* 1: POST with a JSON body, changing; 0: GET and HEAD */
	struct http_api_param params[6];
};

static const struct http_api_path http_api_paths[] = {
	{ "/api/status", "status", 0, { { NULL, NULL, 0 } } },
	{ "/api/plan", "plan", 0, { { "account", "account", 0 }, { NULL, NULL, 0 } } },
	{ "/api/contact", "show", 0,
	  { { "actor", "actor", 0 }, { "account", "account", 0 }, { NULL, NULL, 0 } } },
	{ "/api/metrics", "metrics", 0, { { "account", "account", 0 }, { NULL, NULL, 0 } } },
	{ "/api/contacts", "contacts", 0,
	  { { "q", "search", 0 }, { "after", "after", 0 }, { "limit", "limit", 1 },
	    { "segment", "segment", 0 }, { "account", "account", 0 }, { NULL, NULL, 0 } } },
	{ "/api/notifications", "notifications", 0, { { "state", "state", 0 }, { NULL, NULL, 0 } } },
	{ "/api/mark", "mark", 1, { { NULL, NULL, 0 } } },
	{ "/api/snooze", "snooze", 1, { { NULL, NULL, 0 } } },
	{ "/api/unsnooze", "unsnooze", 1, { { NULL, NULL, 0 } } },
	{ "/api/redeliver", "redeliver", 1, { { NULL, NULL, 0 } } },
};

struct http_api {
	const struct control_command *commands;
	void *ctx;
	char token[HTTP_API_TOKEN_MAX + 1];
	size_t token_len;
	char host[80];              /* the listen address as a Host names it: 127.0.0.1, [::1] */
	char port[8];
};

/* A POST being read. */
struct http_api_req {
	const struct http_api_path *path;
	struct buf body;
	int too_large;
};

/* --- the token --- */

static int http_api_token_create(const char *path, char *out, char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[HTTP_API_TOKEN_BYTES];
	char text[2 * HTTP_API_TOKEN_BYTES + 1];
	ssize_t n;
	int fd;

	n = getrandom(raw, sizeof(raw), 0);
	if (n != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "getrandom: %s", n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	text[sizeof(text) - 1] = '\n';
	explicit_bzero(raw, sizeof(raw));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, text, sizeof(text)) != (ssize_t)sizeof(text) || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	memcpy(out, text, sizeof(text) - 1);
	out[sizeof(text) - 1] = '\0';
	explicit_bzero(text, sizeof(text));
	log_notice("http: created the dashboard token %s", path);
	return 0;
}

int http_api_token_load(const char *path, char *out, char *err, size_t errlen)
{
	char text[HTTP_API_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return http_api_token_create(path, out, err, errlen);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s must belong to uid %u with mode 0600 (it is uid %u, mode %04o): "
		         "chown and chmod it, or remove it to have a new one made",
		         path, (unsigned)geteuid(), (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	len = (size_t)n;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len < 32 || len > HTTP_API_TOKEN_MAX) {
		snprintf(err, errlen, "%s: a token is 32-%d characters", path, HTTP_API_TOKEN_MAX);
		explicit_bzero(text, sizeof(text));
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] <= ' ' || text[i] > '~') {
			snprintf(err, errlen, "%s: the token holds a character that is not visible ASCII "
			         "(byte %zu)", path, i);
			explicit_bzero(text, sizeof(text));
			return -1;
		}
	}
	memcpy(out, text, len);
	out[len] = '\0';
	explicit_bzero(text, sizeof(text));
	return 0;
}

/* --- replies --- */

/* A reply of the API: JSON, never cached (it is live state, and may be personal). */
static enum MHD_Result http_api_reply(struct MHD_Connection *conn, unsigned status,
                                      const struct buf *body, const char *allow)
{
	struct MHD_Response *resp = http_response(body->data, body->len, HTTP_JSON_TYPE);

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	return http_queue(conn, status, resp);
}

__attribute__((format(printf, 5, 6)))
static enum MHD_Result http_api_error(struct MHD_Connection *conn, unsigned status,
                                      const char *allow, const char *code, const char *fmt, ...)
{
	struct buf body = { 0 };
	struct json *j = json_new(&body, 0);
	char message[600];
	enum MHD_Result rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_object_open(j);
	json_key(j, "error");
	json_object_open(j);
	json_kv_str(j, "code", code);
	json_kv_str(j, "message", message);
	json_object_close(j);
	json_object_close(j);
	json_free(j);
	buf_append(&body, "\n", 1);
	rc = http_api_reply(conn, status, &body, allow);
	buf_free(&body);
	return rc;
}

/* The status of a control error code. */
static unsigned http_api_status(const char *code)
{
	if (code == NULL)
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (strcmp(code, "bad_argument") == 0 || strcmp(code, "bad_request") == 0)
		return MHD_HTTP_BAD_REQUEST;
	if (strcmp(code, "not_found") == 0)
		return MHD_HTTP_NOT_FOUND;
	if (strcmp(code, "forbidden") == 0)
		return MHD_HTTP_FORBIDDEN;
	if (strcmp(code, "conflict") == 0)
		return MHD_HTTP_CONFLICT;
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* --- checks --- */

int http_api_host_ok(const struct http_api *api, const char *host)
{
	static const char *const local[] = { "localhost", "127.0.0.1", "[::1]" };
	const char *colon;
	size_t namelen;

	if (host == NULL)
		return 0;
	colon = strrchr(host, ':');
	if (colon == NULL || strcmp(colon + 1, api->port) != 0)
		return 0;
	namelen = (size_t)(colon - host);
	if (namelen == strlen(api->host) && strncasecmp(host, api->host, namelen) == 0)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (namelen == strlen(local[i]) && strncasecmp(host, local[i], namelen) == 0)
			return 1;
	return 0;
}

/* Whether origin is "http://" and the (already checked) Host: the page's own origin. */
static int http_api_origin_ok(const char *origin, const char *host)
{
	static const char scheme[] = "http://";

	return origin != NULL && host != NULL && strncmp(origin, scheme, sizeof(scheme) - 1) == 0 &&
	       strcasecmp(origin + sizeof(scheme) - 1, host) == 0;
}

/* application/json, parameters (charset) allowed. */
static int http_api_json_type(const char *type)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	return type != NULL && strncasecmp(type, json, n) == 0 &&
	       (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* --- running a command --- */

static const struct control_command *http_api_command(const struct http_api *api, const char *name)
{
	for (const struct control_command *c = api->commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The command's answer to args (text[0..len), room for a NUL after) as the reply. */
static enum MHD_Result http_api_run(struct http_api *api, struct MHD_Connection *conn,
                                    const struct http_api_path *path, char *text, size_t len)
{
	const struct control_command *cmd = http_api_command(api, path->cmd);
	struct control_request req = { 0 };
	struct control_error err = { 0 };
	struct control_parsed p;
	struct buf out = { 0 };
	struct json *j;
	enum MHD_Result rc;
	int r;

	/* A GET route's command must be one that changes nothing: checked here, not assumed. */
	if (cmd == NULL || cmd->changing != path->post)
		return http_api_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "internal",
		                      "%s has no command %s of its kind", path->path, path->cmd);
	if (control_args_parse(text, len, &p, &err) < 0) {
		rc = http_api_error(conn, MHD_HTTP_BAD_REQUEST, NULL, err.code, "%s", err.message);
		control_parsed_free(&p);
		return rc;
	}
	req.cmd = cmd->name;
	req.args = p.args;
	/* No peer credentials over TCP: the token stood for them (see the top of the file). */
	req.uid = (uid_t)-1;
	req.gid = (gid_t)-1;
	req.pid = 0;
	req.via = "http";
	j = json_new(&out, 0);
	r = cmd->handler(api->ctx, &req, j, &err);
	json_free(j);
	if (r == 0) {
		buf_append(&out, "\n", 1);
		rc = http_api_reply(conn, MHD_HTTP_OK, &out, NULL);
	} else if (r == CONTROL_DEFERRED) {
		/* No route names a command that answers later; one that did could not be answered. */
		rc = http_api_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "internal",
		                    "%s answers later, which the API does not support", cmd->name);
	} else {
		rc = http_api_error(conn, http_api_status(err.code), NULL,
		                    err.code != NULL ? err.code : "internal", "%s", err.message);
	}
	buf_free(&out);
	control_parsed_free(&p);
	return rc;
}

/* Query parameters to an args object (json), refusing unknown and repeated ones. */
struct http_api_query {
	const struct http_api_path *path;
	struct json *j;
	unsigned seen;
	char bad[160];
};

static enum MHD_Result http_api_query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                         size_t key_size, const char *value, size_t value_size)
{
	struct http_api_query *q = cls;
	const struct http_api_param *prm = NULL;
	size_t i;

	(void)kind, (void)key_size;
	for (i = 0; q->path->params[i].query != NULL; i++) {
		if (strcmp(q->path->params[i].query, key) == 0) {
			prm = &q->path->params[i];
			break;
		}
	}
	if (prm == NULL) {
		snprintf(q->bad, sizeof(q->bad), "%s takes no parameter \"%.64s\"", q->path->path, key);
		return MHD_NO;
	}
	if (q->seen & (1u << i)) {
		snprintf(q->bad, sizeof(q->bad), "the parameter \"%s\" is given twice", key);
		return MHD_NO;
	}
	q->seen |= 1u << i;
	if (value == NULL)
		value = "", value_size = 0;
	json_key(q->j, prm->arg);
	if (prm->integer) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(value, &end, 10);
		if (value_size == 0 || *end != '\0' || errno != 0 || (size_t)(end - value) != value_size) {
			snprintf(q->bad, sizeof(q->bad), "\"%s\" must be an integer", key);
			return MHD_NO;
		}
		json_int(q->j, v);
	} else {
		/* With its length: a %00 in it is seen (and refused) by control_args_parse. */
		json_strn(q->j, value, value_size);
	}
	return MHD_YES;
}

static enum MHD_Result http_api_get(struct http_api *api, struct MHD_Connection *conn,
                                    const struct http_api_path *path)
{
	struct http_api_query q = { .path = path };
	struct buf args = { 0 };
	enum MHD_Result rc;

	q.j = json_new(&args, 0);
	json_object_open(q.j);
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, http_api_query_cb, &q);
	json_object_close(q.j);
	json_free(q.j);
	if (q.bad[0] != '\0')
		rc = http_api_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "bad_argument", "%s", q.bad);
	else {
		buf_append(&args, "", 1); /* room for the parser's NUL */
		rc = http_api_run(api, conn, path, args.data, args.len - 1);
	}
	buf_free(&args);
	return rc;
}

/* The headers of a POST: refuse now, or read its body. */
static enum MHD_Result http_api_post_begin(struct http_api *api, struct MHD_Connection *conn,
                                           const struct http_api_path *path, const char *host,
                                           void **data)
{
	const char *length = http_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct http_api_req *r;

	if (!http_api_origin_ok(http_header(conn, MHD_HTTP_HEADER_ORIGIN), host))
		return http_api_error(conn, MHD_HTTP_FORBIDDEN, NULL, "forbidden",
		                      "a change must come from the dashboard's own page (its Origin "
		                      "header must be http://%s)", host);
	if (!http_token_equal(http_header(conn, HTTP_API_TOKEN_HEADER), api->token, api->token_len))
		return http_api_error(conn, MHD_HTTP_FORBIDDEN, NULL, "forbidden",
		                      "a change needs the dashboard token in " HTTP_API_TOKEN_HEADER
		                      " (warmthctl dashboard prints the page's address with it)");
	if (!http_api_json_type(http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return http_api_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL, "bad_request",
		                      "Content-Type must be application/json");
	if (length != NULL && strtoull(length, NULL, 10) > CONTROL_MAX_REQUEST)
		return http_api_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "bad_request",
		                      "the body is larger than %d bytes", CONTROL_MAX_REQUEST);
	r = xcalloc(1, sizeof(*r));
	r->path = path;
	*data = r;
	return MHD_YES;
}

static enum MHD_Result http_api_request(void *ctx, struct MHD_Connection *conn, const char *url,
                                        const char *method, const char *upload_data,
                                        size_t *upload_data_size, void **data)
{
	struct http_api *api = ctx;
	struct http_api_req *r = *data;
	const struct http_api_path *path = NULL;
	const char *host;
	int get, post;
	enum MHD_Result rc;

	if (r != NULL) {
		if (*upload_data_size > 0) {
			if (r->body.len + *upload_data_size > CONTROL_MAX_REQUEST)
				r->too_large = 1;
			else
				buf_append(&r->body, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (r->too_large)
			return http_api_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "bad_request",
			                      "the body is larger than %d bytes", CONTROL_MAX_REQUEST);
		buf_append(&r->body, "", 1); /* room for the parser's NUL */
		return http_api_run(api, conn, r->path, r->body.data, r->body.len - 1);
	}
	/* Whatever a refused request sends is read and dropped. */
	*upload_data_size = 0;
	host = http_header(conn, MHD_HTTP_HEADER_HOST);
	if (!http_api_host_ok(api, host))
		return http_api_error(conn, MHD_HTTP_MISDIRECTED_REQUEST, NULL, "forbidden",
		                      "the Host header must name this listener (localhost:%s or "
		                      "127.0.0.1:%s)", api->port, api->port);
	for (size_t i = 0; i < ARRAY_SIZE(http_api_paths); i++)
		if (strcmp(url, http_api_paths[i].path) == 0)
			path = &http_api_paths[i];
	if (path == NULL)
		return http_api_error(conn, MHD_HTTP_NOT_FOUND, NULL, "not_found",
		                      "no API route %.100s (docs/dashboard.md lists them)", url);
	get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	if (path->post && !post)
		return http_api_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST", "bad_request",
		                      "%s changes state: only POST", path->path);
	if (!path->post && !get)
		return http_api_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET, HEAD", "bad_request",
		                      "%s only reads: GET or HEAD", path->path);
	if (get)
		return http_api_get(api, conn, path);
	rc = http_api_post_begin(api, conn, path, host, data);
	return rc;
}

static void http_api_completed(void *ctx, void *data)
{
	struct http_api_req *r = data;

	(void)ctx;
	buf_free(&r->body);
	free(r);
}

/* --- lifecycle --- */

struct http_api *http_api_new(const struct conf *conf, const struct control_command *commands,
                              void *ctx, const char *token)
{
	struct http_api *api = xcalloc(1, sizeof(*api));

	api->commands = commands;
	api->ctx = ctx;
	snprintf(api->token, sizeof(api->token), "%s", token);
	api->token_len = strlen(api->token);
	snprintf(api->host, sizeof(api->host), strchr(conf->metrics_host, ':') ? "[%s]" : "%s",
	         conf->metrics_host);
	snprintf(api->port, sizeof(api->port), "%u", (unsigned)conf->metrics_port);
	return api;
}

struct http_route http_api_route(struct http_api *api)
{
	struct http_route r = { "/api/", 1, http_api_request, http_api_completed, api };

	return r;
}

void http_api_url(const struct http_api *api, struct buf *out)
{
	/* A wildcard address is no place to browse to: the page is reached over loopback. */
	const char *host = strcmp(api->host, "0.0.0.0") == 0 ? "127.0.0.1"
	                   : strcmp(api->host, "[::]") == 0  ? "[::1]"
	                                                     : api->host;

	buf_printf(out, "http://%s:%s/#token=%s", host, api->port, api->token);
}

void http_api_free(struct http_api *api)
{
	if (api == NULL)
		return;
	explicit_bzero(api->token, sizeof(api->token));
	free(api);
}
