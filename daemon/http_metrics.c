/*
 * http_metrics.c - GET /metrics (see http_metrics.h): one rendering of a
 * snapshot of now per scrape, on the loop. HEAD is answered as GET (MHD
 * leaves the body out); any other method is refused with 405.
 */
#include <string.h>

#include "http_metrics.h"

#define HTTP_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static enum MHD_Result http_metrics_request(void *ctx, struct MHD_Connection *conn,
                                            const char *url, const char *method,
                                            const char *upload_data, size_t *upload_data_size,
                                            void **data)
{
	static const char not_allowed[] = "only GET and HEAD\n";
	struct buf text = { 0 };
	enum MHD_Result rc;

	(void)url, (void)upload_data, (void)data;
	/* A body is not expected; whatever comes is read and dropped. */
	*upload_data_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
		                  sizeof(not_allowed) - 1, HTTP_TEXT_TYPE);
	metrics_render_now(ctx, &text);
	rc = http_reply(conn, MHD_HTTP_OK, text.data, text.len, HTTP_METRICS_TYPE);
	buf_free(&text);
	return rc;
}

struct http_route http_metrics_route(struct metrics *m)
{
	struct http_route r = { "/metrics", 0, http_metrics_request, NULL, m };

	return r;
}
