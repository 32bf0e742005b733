/*
 * http_static.h - the dashboard's page on the HTTP listener: GET / (the
 * www directory's index.html), the files under /static/ (its static/ directory) and
 * /vendor/chart.js (Debian's libjs-chart.js), behind the dashboard's Host
 * check.
 */
#ifndef WARMTH_HTTP_STATIC_H
#define WARMTH_HTTP_STATIC_H

#include "warmth/conf.h"
#include "http.h"
#include "http_api.h"

/* Chart.js as Debian's libjs-chart.js installs it (a Recommends of the package). */
#define HTTP_STATIC_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"

struct http_static;

/*
 * The files of conf's http.www_dir; when that is the default and does not
 * exist, the source tree's www/ (a build run from its tree). api is for
 * the Host check and must outlive the route. Returns NULL with why in err
 * when no directory can be opened.
 */
struct http_static *http_static_new(const struct conf *conf, const struct http_api *api, char *err,
                                    size_t errlen);
/* The directory served, for messages. */
const char *http_static_root(const struct http_static *st);
/* The routes to register with http_add_route(): / and /static/, and /vendor/. */
struct http_route http_static_route(struct http_static *st, const char *path, int prefix);
void http_static_free(struct http_static *st);

#endif
