/*
 * import_linkedin.c - Connections.csv and Invitations.csv of LinkedIn's
 * archive as connect and invitation events, and the summary on stderr.
 *
 * A person is the actor id of their profile URL (import_url.c). Files
 * without URLs (the 2018 layout) name people only by name: such a person
 * is matched by name against the connections when exactly one connection
 * has that name, and otherwise becomes "linkedin:name:<First Last>", the
 * same id the 2018 Connections.csv gives them, so the two files still
 * agree. An outgoing invitation whose invitee is among the connections was
 * accepted: an invite_accepted follows, at the connection's date when that
 * is not earlier than the invitation.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "import_linkedin.h"

void import_skip(struct import_stats *s, const char *reason)
{
	int i;

	for (i = 0; i < IMPORT_MAX_REASONS && s->reason[i] != NULL; i++)
		if (strcmp(s->reason[i], reason) == 0)
			break;
	if (i == IMPORT_MAX_REASONS)
		i = IMPORT_MAX_REASONS - 1;
	s->reason[i] = reason;
	s->skipped[i]++;
}

static int conn_cmp(const void *a, const void *b)
{
	return strcmp(((const struct li_conn *)a)->actor, ((const struct li_conn *)b)->actor);
}

static int conn_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct li_conn *)elem)->actor);
}

const struct li_conn *li_conn_find(const struct li_ctx *c, const char *actor)
{
	if (c->nconns == 0)  /* conns may be NULL: no Connections.csv */
		return NULL;
	return bsearch(actor, c->conns, c->nconns, sizeof(*c->conns), conn_key_cmp);
}

const struct li_conn *li_conn_by_name(const struct li_ctx *c, const char *name, size_t *n)
{
	const struct li_conn *hit = NULL;
	size_t i;

	*n = 0;
	if (name[0] == '\0')
		return NULL;
	for (i = 0; i < c->nconns; i++)
		if (strcmp(c->conns[i].name, name) == 0) {
			(*n)++;
			hit = &c->conns[i];
		}
	return *n == 1 ? hit : NULL;
}

void li_actor(const struct li_ctx *c, const char *url, const char *name, struct buf *out)
{
	const struct li_conn *hit;
	size_t n;

	if (import_url_actor(url, strlen(url), out) == 0)
		return;
	buf_reset(out);
	if (strncmp(url, "urn:li:", 7) == 0 && strlen(url) <= 200) {
		buf_append_str(out, url);
		buf_cstr(out);
		return;
	}
	hit = li_conn_by_name(c, name, &n);
	if (hit != NULL) {
		buf_append_str(out, hit->actor);
	} else if (name[0] != '\0') {
		buf_append_str(out, "linkedin:name:");
		buf_append_str(out, name);
	}
	buf_cstr(out);
}

/* The daemon's rule for actor ids: 1-256 bytes of UTF-8, no control characters. */
static int li_actor_valid(const char *actor)
{
	size_t i, len = strlen(actor);
	int valid;

	if (len == 0 || len > 256)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)actor[i] < 0x20 || actor[i] == 0x7f)
			return 0;
	utf8_valid_prefix(actor, len, &valid);
	return valid;
}

int li_emit(struct li_ctx *c, struct import_stats *s, const struct import_event *ev)
{
	/* A name-made id (a 2018 row) may break it: skipped here, not rejected there. */
	if (!li_actor_valid(ev->actor)) {
		import_skip(s, "unusable actor id");
		return 0;
	}
	if (c->opt->since_ms != 0 && ev->ts_ms < c->opt->since_ms) {
		import_skip(s, "before --since");
		return 0;
	}
	if (import_out_event(c->out, ev) != 0)
		return -1;
	s->events++;
	return 0;
}

/* Reads and parses one file: 0, 1 when absent, -1 when unreadable or malformed (said on stderr). */
int li_table(struct li_ctx *c, struct import_stats *s, const char *const *required,
             const char *const *wanted, struct import_table *t)
{
	struct buf data = { 0 }, err = { 0 };
	int rc = import_archive_read(c->archive, s->file, &data, &err);

	if (rc == 0 && import_table_parse(t, data.data ? data.data : "", data.len, required, wanted,
	                                  &err) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "warmth-import: %s: %s\n", s->file, buf_cstr(&err));
	buf_free(&data);
	buf_free(&err);
	s->present = rc == 0;
	return rc;
}

void li_name(const char *first, const char *last, struct buf *out)
{
	buf_reset(out);
	buf_append_str(out, first);
	if (first[0] != '\0' && last[0] != '\0')
		buf_append(out, " ", 1);
	buf_append_str(out, last);
	buf_cstr(out);
}

enum { CN_FIRST, CN_LAST, CN_URL, CN_COMPANY, CN_POSITION, CN_ON };

static int li_connections(struct li_ctx *c, struct import_stats *s)
{
	static const char *const req[] = { "First Name", "Last Name", "Connected On", NULL };
	static const char *const want[] = { "First Name", "Last Name", "URL", "Company", "Position",
	                                    "Connected On", NULL };
	struct import_table t;
	struct buf name = { 0 }, actor = { 0 }, head = { 0 };
	size_t r;
	int rc = 0;

	s->file = "Connections.csv";
	rc = li_table(c, s, req, want, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	c->conns = xcalloc(t.nrows, sizeof(*c->conns));
	for (r = t.header + 1; r < t.nrows; r++) {
		const char *pos = import_field(&t, r, CN_POSITION), *co = import_field(&t, r, CN_COMPANY);
		int64_t ts;
		s->rows++;
		li_name(import_field(&t, r, CN_FIRST), import_field(&t, r, CN_LAST), &name);
		if (import_date_parse(import_field(&t, r, CN_ON), &c->opt->tz, &ts) != 0) {
			import_skip(s, "bad date");
			continue;
		}
		li_actor(c, import_field(&t, r, CN_URL), "", &actor);
		if (actor.len == 0 && name.len > 0 && t.cols[CN_URL] < 0) {
			/* The 2018 layout has no URL: the name is all there is. */
			buf_append_str(&actor, "linkedin:name:");
			buf_append_str(&actor, name.data);
		}
		if (actor.len == 0) {
			/* Rows blank but for the date: members who hid their profile. */
			import_skip(s, name.len == 0 ? "no name or profile" : "bad profile URL");
			continue;
		}
		buf_reset(&head);
		buf_append_str(&head, pos);
		if (pos[0] != '\0' && co[0] != '\0')
			buf_append_str(&head, " at ");
		buf_append_str(&head, co);
		c->conns[c->nconns].actor = xstrdup(buf_cstr(&actor));
		c->conns[c->nconns].name = xstrdup(buf_cstr(&name));
		c->conns[c->nconns].ts_ms = ts;
		c->nconns++;
		{
			struct import_event ev = {
				.ts_ms = ts, .type = "connect", .actor = actor.data, .dir_out = 0,
				.name = name.data, .headline = buf_cstr(&head),
				.id = import_id("connect", actor.data, NULL),
			};
			if (li_emit(c, s, &ev) != 0) {
				rc = -1;
				break;
			}
		}
	}
	if (c->nconns > 0)
		qsort(c->conns, c->nconns, sizeof(*c->conns), conn_cmp);
	import_table_free(&t);
	buf_free(&name);
	buf_free(&actor);
	buf_free(&head);
	return rc;
}

enum { IN_FROM, IN_TO, IN_AT, IN_MSG, IN_DIR, IN_FROM_URL, IN_TO_URL, IN_FROM_URN, IN_TO_URN };

static int li_invitations(struct li_ctx *c, struct import_stats *s)
{
	static const char *const req[] = { "From", "To", "Sent At", "Direction", NULL };
	static const char *const want[] = { "From", "To", "Sent At", "Message", "Direction",
	                                    "inviterProfileUrl", "inviteeProfileUrl",
	                                    "inviterProfileUrn", "inviteeProfileUrn", NULL };
	struct import_table t;
	struct buf actor = { 0 };
	size_t r;
	int rc = 0;

	s->file = "Invitations.csv";
	rc = li_table(c, s, req, want, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (r = t.header + 1; r < t.nrows && rc == 0; r++) {
		const char *dir = import_field(&t, r, IN_DIR), *at = import_field(&t, r, IN_AT);
		const struct li_conn *conn;
		const char *url, *name;
		char tb[IMPORT_ID_MS_LEN];
		int out;
		int64_t ts, id_ts;
		s->rows++;
		if (strcasecmp(dir, "OUTGOING") == 0)
			out = 1;
		else if (strcasecmp(dir, "INCOMING") == 0)
			out = 0;
		else {
			import_skip(s, "bad direction");
			continue;
		}
		if (import_date_parse(at, &c->opt->tz, &ts) != 0 || import_date_id_ms(at, &id_ts) != 0) {
			import_skip(s, "bad date");
			continue;
		}
		url = import_field(&t, r, out ? IN_TO_URL : IN_FROM_URL);
		if (url[0] == '\0')
			url = import_field(&t, r, out ? IN_TO_URN : IN_FROM_URN);
		name = import_field(&t, r, out ? IN_TO : IN_FROM);
		li_actor(c, url, name, &actor);
		if (actor.len == 0) {
			import_skip(s, "no name or profile");
			continue;
		}
		{
			struct import_event ev = {
				.ts_ms = ts, .type = "invite_sent", .actor = actor.data, .dir_out = out,
				.name = name, .text = out ? import_field(&t, r, IN_MSG) : NULL,
				.id = import_id("invite", out ? "out" : "in", actor.data,
				                import_id_ms(id_ts, tb), NULL),
			};
			if (li_emit(c, s, &ev) != 0) {
				rc = -1;
				break;
			}
		}
		conn = out ? li_conn_find(c, actor.data) : NULL;
		if (conn != NULL) {
			struct import_event ev = {
				.ts_ms = conn->ts_ms >= ts ? conn->ts_ms : ts, .type = "invite_accepted",
				.actor = actor.data, .dir_out = 0, .name = name,
				.id = import_id("invite_accepted", actor.data, import_id_ms(id_ts, tb), NULL),
			};
			if (li_emit(c, s, &ev) != 0)
				rc = -1;
		}
	}
	import_table_free(&t);
	buf_free(&actor);
	return rc;
}

static void li_summary(const struct import_stats *s)
{
	int i;

	if (s->file == NULL)  /* not reached: an earlier file failed */
		return;
	if (!s->present) {
		fprintf(stderr, "%-34s not in the archive\n", s->file);
		return;
	}
	fprintf(stderr, "%-34s %llu rows read, %llu events written", s->file,
	        (unsigned long long)s->rows, (unsigned long long)s->events);
	for (i = 0; i < IMPORT_MAX_REASONS && s->reason[i] != NULL; i++)
		fprintf(stderr, ", %llu skipped (%s)", (unsigned long long)s->skipped[i], s->reason[i]);
	fputc('\n', stderr);
}

int import_linkedin(struct import_archive *a, const struct import_options *opt,
                    struct import_out *o)
{
	static const char *const own[] = { "Reactions.csv", "Comments.csv", "Shares.csv" };
	struct li_ctx c = { .archive = a, .opt = opt, .out = o };
	struct import_stats st[5];
	struct buf data = { 0 }, err = { 0 };
	size_t i;
	int rc;

	memset(st, 0, sizeof(st));
	rc = li_connections(&c, &st[0]);
	if (rc == 0)
		rc = li_invitations(&c, &st[1]);
	if (rc == 0)
		rc = li_messages(&c, &st[2]);
	if (rc == 0)
		rc = li_endorsements(&c, &st[3]);
	if (rc == 0)
		rc = li_recommendations(&c, &st[4]);
	for (i = 0; i < ARRAY_SIZE(st); i++)
		li_summary(&st[i]);
	for (i = 0; i < ARRAY_SIZE(own); i++)
		if (import_archive_read(a, own[i], &data, &err) == 0)
			fprintf(stderr, "%-34s not attributed: the user's own actions, naming a post but "
			        "not its author\n", own[i]);
	fprintf(stderr, "%-34s %llu events written\n", "total", (unsigned long long)o->written);
	buf_free(&data);
	buf_free(&err);
	for (i = 0; i < c.nconns; i++) {
		free(c.conns[i].actor);
		free(c.conns[i].name);
	}
	free(c.conns);
	return rc;
}
