/*
 * import_messages.c - messages.csv of LinkedIn's archive as message events.
 *
 * The archive does not say whose it is, but its owner takes part in every
 * conversation: the profile URL that occurs most often as sender or
 * recipient is the owner's. A message from the owner is a message out to
 * each other recipient; any other is a message in from its sender.
 * Sponsored mail (no sender URL) and drafts are skipped. Content is
 * private: it is written (stripped of HTML) only with --message-text.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_linkedin.h"

enum { MS_CONV, MS_FROM, MS_FROM_URL, MS_TO, MS_TO_URLS, MS_DATE, MS_CONTENT, MS_DRAFT };

static int ms_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn for each actor of a ';'- or ','-separated list of profile URLs. */
static void ms_each_url(const char *list, void (*fn)(const char *, void *), void *arg)
{
	struct buf actor = { 0 };
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ";,");
		if (import_url_actor(p, n, &actor) == 0)
			fn(actor.data, arg);
		p += n;
		if (*p != '\0')
			p++;
	}
	buf_free(&actor);
}

struct ms_tally {
	char **v;
	size_t n, cap;
};

static void ms_add(const char *actor, void *arg)
{
	struct ms_tally *t = arg;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = xstrdup(actor);
}

/*
 * Every occurrence is collected and sorted, then counted by runs: linear
 * in the rows whatever the number of correspondents (a search per
 * occurrence would be quadratic for a large network).
 */
static char *ms_owner(const struct import_table *t)
{
	struct ms_tally tally = { 0 };
	char *owner = NULL;
	size_t r, i, run, best = 0;

	for (r = t->header + 1; r < t->nrows; r++) {
		ms_each_url(import_field(t, r, MS_FROM_URL), ms_add, &tally);
		ms_each_url(import_field(t, r, MS_TO_URLS), ms_add, &tally);
	}
	if (tally.n > 0)
		qsort(tally.v, tally.n, sizeof(*tally.v), ms_cmp);
	/* Ties: the first by actor, so the result never depends on row order. */
	for (i = 0; i < tally.n; i += run) {
		for (run = 1; i + run < tally.n && strcmp(tally.v[i], tally.v[i + run]) == 0; run++)
			;
		if (run > best) {
			best = run;
			owner = tally.v[i];
		}
	}
	owner = owner ? xstrdup(owner) : NULL;
	for (i = 0; i < tally.n; i++)
		free(tally.v[i]);
	free(tally.v);
	return owner;
}

/* Text of HTML content: tags dropped, the common entities decoded, spaces folded. */
static void ms_strip_html(const char *s, struct buf *out)
{
	static const struct { const char *ent, *ch; } ents[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
		{ "&#39;", "'" }, { "&apos;", "'" }, { "&nbsp;", " " },
	};
	int space = 1;
	size_t i;

	buf_reset(out);
	while (*s != '\0') {
		const char *add = NULL;
		size_t skip = 1;
		if (*s == '<') {
			const char *gt = strchr(s, '>');
			skip = gt ? (size_t)(gt - s) + 1 : strlen(s);
			add = " ";
		} else if (*s == '&') {
			for (i = 0; i < ARRAY_SIZE(ents); i++)
				if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0) {
					add = ents[i].ch;
					skip = strlen(ents[i].ent);
					break;
				}
		}
		if (add == NULL && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			add = " ";
		if (add != NULL && strcmp(add, " ") == 0) {
			if (!space)
				buf_append(out, " ", 1);
			space = 1;
		} else {
			buf_append(out, add ? add : s, add ? strlen(add) : 1);
			space = 0;
		}
		s += skip;
	}
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->len--;
	buf_cstr(out);
}

struct ms_row {
	struct li_ctx *c;
	struct import_stats *s;
	const char *owner, *conv, *ts_id, *text, *from_actor;
	int64_t ts;
	int rc;
};

static void ms_out(const char *actor, void *arg)
{
	struct ms_row *m = arg;

	if (m->rc != 0 || strcmp(actor, m->owner) == 0)
		return;
	{
		struct import_event ev = {
			.ts_ms = m->ts, .type = "message", .actor = actor, .dir_out = 1,
			.text = m->text,
			.id = import_id("message", m->conv, m->from_actor, m->ts_id, actor, NULL),
		};
		m->rc = li_emit(m->c, m->s, &ev);
	}
}

int li_messages(struct li_ctx *c, struct import_stats *s)
{
	static const char *const req[] = { "CONVERSATION ID", "FROM", "SENDER PROFILE URL", "DATE",
	                                   NULL };
	static const char *const want[] = { "CONVERSATION ID", "FROM", "SENDER PROFILE URL", "TO",
	                                    "RECIPIENT PROFILE URLS", "DATE", "CONTENT",
	                                    "IS MESSAGE DRAFT", NULL };
	struct import_table t;
	struct buf from = { 0 }, text = { 0 };
	char *owner;
	size_t r;
	int rc = 0;

	s->file = "messages.csv";
	rc = li_table(c, s, req, want, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	owner = ms_owner(&t);
	for (r = t.header + 1; r < t.nrows && rc == 0; r++) {
		const char *draft = import_field(&t, r, MS_DRAFT), *date = import_field(&t, r, MS_DATE);
		const char *url = import_field(&t, r, MS_FROM_URL);
		char tb[IMPORT_ID_MS_LEN];
		int64_t ts, id_ts;
		s->rows++;
		if (url[0] == '\0') {
			import_skip(s, "sponsored (no sender)");
			continue;
		}
		if (strcasecmp(draft, "yes") == 0 || strcasecmp(draft, "true") == 0) {
			import_skip(s, "draft");
			continue;
		}
		if (import_date_parse(date, &c->opt->tz, &ts) != 0 || import_date_id_ms(date, &id_ts) != 0) {
			import_skip(s, "bad date");
			continue;
		}
		if (import_url_actor(url, strlen(url), &from) != 0 || owner == NULL) {
			import_skip(s, "bad profile URL");
			continue;
		}
		if (c->opt->message_text)
			ms_strip_html(import_field(&t, r, MS_CONTENT), &text);
		if (strcmp(from.data, owner) == 0) {
			struct ms_row m = {
				.c = c, .s = s, .owner = owner, .conv = import_field(&t, r, MS_CONV),
				.ts_id = import_id_ms(id_ts, tb), .text = c->opt->message_text ? text.data : NULL,
				.from_actor = from.data, .ts = ts,
			};
			ms_each_url(import_field(&t, r, MS_TO_URLS), ms_out, &m);
			rc = m.rc;
		} else {
			struct import_event ev = {
				.ts_ms = ts, .type = "message", .actor = from.data, .dir_out = 0,
				.name = import_field(&t, r, MS_FROM),
				.text = c->opt->message_text ? text.data : NULL,
				.id = import_id("message", import_field(&t, r, MS_CONV), from.data,
				                import_id_ms(id_ts, tb), owner, NULL),
			};
			rc = li_emit(c, s, &ev);
		}
	}
	free(owner);
	import_table_free(&t);
	buf_free(&from);
	buf_free(&text);
	return rc;
}
