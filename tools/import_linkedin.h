/*
 * import_linkedin.h - what the per-file conversions of LinkedIn's archive
 * share: the connections read first (to match names and accepted
 * invitations), the options and the output.
 */
#ifndef WARMTH_IMPORT_LINKEDIN_H
#define WARMTH_IMPORT_LINKEDIN_H

#include "import.h"

struct li_conn {
	char *actor, *name;
	int64_t ts_ms;
};

struct li_ctx {
	struct import_archive *archive;
	const struct import_options *opt;
	struct import_out *out;
	struct li_conn *conns;   /* sorted by actor once Connections.csv is read */
	size_t nconns;
};

const struct li_conn *li_conn_find(const struct li_ctx *c, const char *actor);
/* The actor id for a profile URL (or urn), else by name (see import_linkedin.c). */
void li_actor(const struct li_ctx *c, const char *url, const char *name, struct buf *out);
int li_emit(struct li_ctx *c, struct import_stats *s, const struct import_event *ev);
int li_table(struct li_ctx *c, struct import_stats *s, const char *const *required,
             const char *const *wanted, struct import_table *t);
int li_messages(struct li_ctx *c, struct import_stats *s);
int li_endorsements(struct li_ctx *c, struct import_stats *s);
int li_recommendations(struct li_ctx *c, struct import_stats *s);
/* The one connection called name, or NULL (*n: how many have that name). */
const struct li_conn *li_conn_by_name(const struct li_ctx *c, const char *name, size_t *n);
void li_name(const char *first, const char *last, struct buf *out);

#endif
