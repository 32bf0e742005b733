/*
 * http_static.c - the dashboard's static files (see http_static.h).
 *
 * A URL is mapped to a file below the www directory one path component
 * at a time with openat(O_NOFOLLOW) from the directory's descriptor, so
 * no "..", no symbolic link (in or out of the tree) and no directory is
 * ever served: a component that is empty, "." or "..", or that names
 * a link or a directory where a file must be, is 404. There is no
 * directory listing. The file is handed to MHD by its descriptor (read
 * by MHD as it sends, no copy in memory). Only a few names are served
 * with a type a browser would run or render (text/html, text/css,
 * text/javascript); others are by their extension, or
 * application/octet-stream, always with nosniff.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/log.h"
#include "http_static.h"

#define HTTP_STATIC_DEFAULT_WWW "/usr/share/warmthd/www"
/* Path components below the root: / and /static/ need one or a few. */
#define HTTP_STATIC_MAX_DEPTH 8

struct http_static {
	const struct http_api *api;
	char *root;                 /* the www directory, as opened */
	int rootfd;
};

static const struct {
	const char *ext, *type;
} http_static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *http_static_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < ARRAY_SIZE(http_static_types); i++)
		if (strcasecmp(dot, http_static_types[i].ext) == 0)
			return http_static_types[i].type;
	return "application/octet-stream";
}

/*
 * Opens rel (components separated by '/') below dirfd, refusing links,
 * "." and ".." and empty components; a regular file only. Returns the
 * descriptor with *st filled, or -1.
 */
static int http_static_open(int dirfd, const char *rel, struct stat *st)
{
	char path[PATH_MAX], *save = NULL, *comp, *next;
	int fd = dirfd, depth = 0;

	if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path))
		return -1;
	comp = strtok_r(path, "/", &save);
	/* strtok_r skips empty components; "a//b" must not become "a/b" silently. */
	if (strstr(rel, "//") != NULL || rel[0] == '\0' || rel[strlen(rel) - 1] == '/')
		return -1;
	while (comp != NULL) {
		int nfd;
		next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0 || ++depth > HTTP_STATIC_MAX_DEPTH)
			goto fail;
		nfd = openat(fd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
		                       (next != NULL ? O_DIRECTORY : 0));
		if (fd != dirfd)
			close(fd);
		fd = nfd;
		if (fd < 0)
			return -1;
		comp = next;
	}
	if (fd == dirfd || fstat(fd, st) < 0 || !S_ISREG(st->st_mode))
		goto fail;
	return fd;
fail:
	if (fd != dirfd && fd >= 0)
		close(fd);
	return -1;
}

/* A file by its descriptor (MHD closes it), or NULL. */
static struct MHD_Response *http_static_file_response(int fd, const struct stat *st,
                                                      const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st->st_size, fd);

	if (resp == NULL) {
		close(fd);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* Asked again each time: a new version of the page must not meet old scripts. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	http_secure_headers(resp);
	return resp;
}

static enum MHD_Result http_static_text(struct MHD_Connection *conn, unsigned status,
                                        const char *text)
{
	return http_reply(conn, status, text, strlen(text), HTTP_TEXT_TYPE);
}

static enum MHD_Result http_static_request(void *ctx, struct MHD_Connection *conn,
                                           const char *url, const char *method,
                                           const char *upload_data, size_t *upload_data_size,
                                           void **data)
{
	struct http_static *st = ctx;
	struct stat sb;
	const char *rel;
	int fd;

	(void)upload_data, (void)data;
	*upload_data_size = 0;
	if (!http_api_host_ok(st->api, http_header(conn, MHD_HTTP_HEADER_HOST)))
		return http_static_text(conn, MHD_HTTP_MISDIRECTED_REQUEST,
		                        "the Host header must name this listener\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return http_static_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/vendor/chart.js") == 0) {
		fd = open(HTTP_STATIC_CHART_JS, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			if (fd >= 0)
				close(fd);
			return http_static_text(conn, MHD_HTTP_NOT_FOUND,
			                        "Chart.js is not installed (apt install libjs-chart.js)\n");
		}
		return http_queue(conn, MHD_HTTP_OK,
		                  http_static_file_response(fd, &sb, "text/javascript; charset=utf-8"));
	}
	rel = strcmp(url, "/") == 0 ? "index.html" : url + 1; /* "static/..." */
	fd = http_static_open(st->rootfd, rel, &sb);
	if (fd < 0)
		return http_static_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	return http_queue(conn, MHD_HTTP_OK, http_static_file_response(fd, &sb, http_static_type(rel)));
}

struct http_static *http_static_new(const struct conf *conf, const struct http_api *api, char *err,
                                    size_t errlen)
{
	const char *root = conf->http_www_dir != NULL ? conf->http_www_dir : HTTP_STATIC_DEFAULT_WWW;
	struct http_static *st;
	int fd;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#ifdef WARMTH_SOURCE_WWW
	/* Run from a build tree, where nothing is installed: the source tree's pages. */
	if (fd < 0 && errno == ENOENT && strcmp(root, HTTP_STATIC_DEFAULT_WWW) == 0) {
		root = WARMTH_SOURCE_WWW;
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
#endif
	if (fd < 0) {
		snprintf(err, errlen, "http.www_dir %s: %s", root, strerror(errno));
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->api = api;
	st->root = xstrdup(root);
	st->rootfd = fd;
	return st;
}

const char *http_static_root(const struct http_static *st)
{
	return st->root;
}

struct http_route http_static_route(struct http_static *st, const char *path, int prefix)
{
	struct http_route r = { path, prefix, http_static_request, NULL, st };

	return r;
}

void http_static_free(struct http_static *st)
{
	if (st == NULL)
		return;
	close(st->rootfd);
	free(st->root);
	free(st);
}
