/*
 * http_metrics.h - GET /metrics on the HTTP listener: the Prometheus text
 * of a fresh snapshot, rendered by metrics.c.
 */
#ifndef WARMTH_HTTP_METRICS_H
#define WARMTH_HTTP_METRICS_H

#include "http.h"
#include "metrics.h"

/* The route to register with http_add_route(); m must outlive the listener. */
struct http_route http_metrics_route(struct metrics *m);

#endif
