/*
 * http_api.h - the dashboard's JSON under /api/ on the HTTP listener
 * (http.dashboard): each route is a control command, run by the same
 * handler the control socket runs, so the page, warmthctl and the socket
 * can never disagree. Also the checks every dashboard route shares (the
 * Host header) and the dashboard token.
 */
#ifndef WARMTH_HTTP_API_H
#define WARMTH_HTTP_API_H

#include <stddef.h>

#include "warmth/conf.h"
#include "control.h"
#include "http.h"

/* The token: 256 bits in hex. */
#define HTTP_API_TOKEN_BYTES 32
#define HTTP_API_TOKEN_MAX 256

struct http_api;

/*
 * Reads the dashboard token from path, or creates the file when it is
 * missing (O_EXCL, mode 0600, 256 bits from getrandom() in hex). An
 * existing file must be a regular file of this user that nobody else may
 * read or write, holding 32-256 visible ASCII characters (a final line
 * break is ignored). Writes the token, NUL-terminated, into out
 * (HTTP_API_TOKEN_MAX + 1 bytes). Returns 0, or -1 with why in err.
 */
int http_api_token_load(const char *path, char *out, char *err, size_t errlen);

/*
 * The API for conf's listener, running commands (the control socket's
 * table, ctx its handlers' context) with token as the dashboard token.
 */
struct http_api *http_api_new(const struct conf *conf, const struct control_command *commands,
                              void *ctx, const char *token);
/* The route to register with http_add_route(). */
struct http_route http_api_route(struct http_api *api);
/*
 * The page's address with the token in its fragment
 * ("http://127.0.0.1:PORT/#token=HEX": a fragment is never sent to a
 * server nor logged), into out.
 */
void http_api_url(const struct http_api *api, struct buf *out);
/*
 * Whether a Host header names this listener: its address, localhost,
 * 127.0.0.1 or [::1], with its port. Anything else is a name that some
 * DNS resolved to 127.0.0.1 for a page of another site (DNS rebinding).
 */
int http_api_host_ok(const struct http_api *api, const char *host);
void http_api_free(struct http_api *api);

#endif
