/*
 * ctl_output.c - how warmthctl shows a contact, and the small text helpers
 * its commands share (aligned key/value lines, tables, error messages).
 *
 * A contact has one JSON shape everywhere (show, top, export): the keys of
 * INTERFACE.md plus a few additions, always present so that scripts can rely
 * on them, with null for what is unknown. JSON goes through json.h, so
 * escaping and UTF-8 are yajl's. Text for people is plain and aligned;
 * values taken from the logs (names, headlines, comment excerpts) may hold
 * tabs or newlines, so every one of them is printed with control characters
 * made spaces and cannot break a line or a column.
 *
 * The segment, warmth and readiness shown here are stand-ins until the
 * rules and scoring engines exist; they live in the three small functions
 * at the top so that swapping them in touches nothing else.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/util.h"
#include "ctl.h"

/* --- Derived values. --- */

/*
 * The segment from the profile hints, first match wins, following the
 * defaults of DOMAIN.md. The rules engine (issue 3) replaces this with the
 * segments configured in warmthd.yaml and stores the result with the
 * contact; until then these fixed rules keep the "segment" key meaningful.
 */
const char *ctl_contact_segment(const struct contact *c)
{
	if (c->actor_connections >= 10000)
		return "senior_executive";
	if (c->creator == 1)
		return "influencer";
	for (uint32_t i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], "client") == 0)
			return "potential_client";
	return "peer";
}

/*
 * The decayed warmth score. The scoring engine (issue 2) computes it from
 * per-type decayed sums; until then it is 0.0 for everyone. The key is
 * printed all the same because scripts read it.
 */
double ctl_contact_warmth(const struct contact *c)
{
	(void)c;
	return 0.0;
}

/* Readiness comes with the rules engine (issue 3); until then nobody is. */
int ctl_contact_ready(const struct contact *c)
{
	(void)c;
	return 0;
}

uint64_t ctl_contact_events(const struct contact *c)
{
	uint64_t n = 0;

	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		n += c->counts[t];
	return n;
}

uint64_t ctl_contact_engagements(const struct contact *c)
{
	uint64_t n = 0;

	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (event_type_is_engagement((enum event_type)t))
			n += c->counts[t];
	return n;
}

/* --- JSON. --- */

void ctl_json_kv_optional_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

void ctl_contact_json(struct json *j, const struct contact *c, const char *account)
{
	json_object_open(j);
	json_key(j, "actor");
	json_strn(j, c->actor, c->actor_len);
	json_kv_str(j, "account", account);
	json_kv_str(j, "name", c->name);
	json_kv_str(j, "headline", c->headline);
	json_kv_str(j, "relationship", relationship_name(contact_relationship(c)));
	json_kv_str(j, "segment", ctl_contact_segment(c));
	json_key(j, "warmth");
	json_double(j, ctl_contact_warmth(c));
	json_kv_bool(j, "ready", ctl_contact_ready(c));
	/* The explanation of readiness, one entry per condition of the
	   segment; empty until the rules engine (issue 3) exists. */
	json_key(j, "conditions");
	json_array_open(j);
	json_array_close(j);
	/* Only non-zero counts: a script reads a missing type as 0, and most
	   contacts have two or three types out of sixteen. */
	json_key(j, "counts");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (c->counts[t] != 0)
			json_kv_int(j, event_type_name((enum event_type)t), c->counts[t]);
	json_object_close(j);
	json_kv_time(j, "first_seen", c->first_seen_ms);
	json_kv_time(j, "last_seen", c->last_seen_ms);
	ctl_json_kv_optional_int(j, "actor_connections", c->actor_connections);
	ctl_json_kv_optional_int(j, "actor_followers", c->actor_followers);
	json_key(j, "creator");
	if (c->creator < 0)
		json_null(j);
	else
		json_bool(j, c->creator);
	json_key(j, "tags");
	json_array_open(j);
	for (uint32_t i = 0; i < c->ntags; i++)
		json_str(j, c->tags[i]);
	json_array_close(j);
	json_key(j, "recent");
	json_array_open(j);
	for (uint32_t i = 0; i < c->nrecent; i++) {
		const struct contact_engagement *e = &c->recent[i];
		json_object_open(j);
		json_kv_str(j, "type", event_type_name((enum event_type)e->type));
		json_kv_time(j, "ts", e->ts_ms);
		json_kv_str(j, "dir", e->dir_out ? "out" : "in");
		json_kv_str(j, "post", e->post);
		json_kv_str(j, "title", e->title);
		json_kv_str(j, "text", e->text);
		json_object_close(j);
	}
	json_array_close(j);
	json_object_close(j);
}

void ctl_print_json_line(struct buf *b)
{
	fwrite(b->data, 1, b->len, stdout);
	putchar('\n');
	buf_reset(b);
}

/* --- Text. --- */

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("warmthctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ctl_print_clean(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

/* Columns a string takes on a terminal, counted as UTF-8 code points: right
   for the Latin, Cyrillic and Greek names that are most of them, and never
   more than a column off per wide character otherwise. */
static size_t ctl_text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void ctl_print_padding(FILE *out, size_t used, size_t width)
{
	for (; used < width; used++)
		fputc(' ', out);
}

void ctl_print_kv(FILE *out, int width, const char *key, const char *fmt, ...)
{
	va_list ap;

	fputs(key, out);
	ctl_print_padding(out, strlen(key), (size_t)width);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

void ctl_format_time(int64_t ms, char out[TIME_RFC3339_LEN])
{
	if (ms == 0)
		snprintf(out, TIME_RFC3339_LEN, "never");
	else
		time_format_rfc3339(ms, out);
}

/* The width of the key column of the contact block. */
#define CTL_CONTACT_KEY_WIDTH 14

void ctl_print_kv_clean(FILE *out, int width, const char *key, const char *value)
{
	fputs(key, out);
	ctl_print_padding(out, strlen(key), (size_t)width);
	if (value == NULL || *value == '\0')
		fputc('-', out);
	else
		ctl_print_clean(out, value);
	fputc('\n', out);
}

static void ctl_print_optional_int(FILE *out, const char *key, int64_t v)
{
	if (v < 0)
		ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, key, "unknown");
	else
		ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, key, "%lld", (long long)v);
}

/* One engagement on one line: time, direction, type, post and excerpt. */
static void ctl_print_engagement(FILE *out, const struct contact_engagement *e)
{
	char ts[TIME_RFC3339_LEN];
	const char *type = event_type_name((enum event_type)e->type);

	ctl_format_time(e->ts_ms, ts);
	fprintf(out, "%s  %-3s  %s", ts, e->dir_out ? "out" : "in", type ? type : "?");
	if (e->post != NULL) {
		/* Aligned after the longest type name, "profile_view". */
		ctl_print_padding(out, type ? strlen(type) : 1, 12);
		fputs("  on ", out);
		ctl_print_clean(out, e->post);
	}
	if (e->title != NULL) {
		fputs(" \"", out);
		ctl_print_clean(out, e->title);
		fputc('"', out);
	}
	if (e->text != NULL) {
		fputs(": ", out);
		ctl_print_clean(out, e->text);
	}
	fputc('\n', out);
}

void ctl_contact_text(FILE *out, const struct contact *c, const char *account)
{
	char first[TIME_RFC3339_LEN], last[TIME_RFC3339_LEN];
	const char *sep = "";

	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "actor", c->actor);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "account", account);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "name", c->name);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "headline", c->headline);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "relationship", relationship_name(contact_relationship(c)));
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "segment", ctl_contact_segment(c));
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "warmth", "%.1f", ctl_contact_warmth(c));
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "ready", "%s", ctl_contact_ready(c) ? "yes" : "no");
	ctl_format_time(c->first_seen_ms, first);
	ctl_format_time(c->last_seen_ms, last);
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "first seen", "%s", first);
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "last seen", "%s", last);
	ctl_print_optional_int(out, "connections", c->actor_connections);
	ctl_print_optional_int(out, "followers", c->actor_followers);
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "creator", "%s",
	             c->creator < 0 ? "unknown" : c->creator ? "yes" : "no");

	fputs("tags", out);
	ctl_print_padding(out, 4, CTL_CONTACT_KEY_WIDTH);
	if (c->ntags == 0)
		fputc('-', out);
	for (uint32_t i = 0; i < c->ntags; i++) {
		fputs(sep, out);
		ctl_print_clean(out, c->tags[i]);
		sep = ", ";
	}
	fputc('\n', out);

	fputs("counts", out);
	ctl_print_padding(out, 6, CTL_CONTACT_KEY_WIDTH);
	sep = "";
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		if (c->counts[t] == 0)
			continue;
		fprintf(out, "%s%s %u", sep, event_type_name((enum event_type)t), c->counts[t]);
		sep = ", ";
	}
	fputs(*sep ? "\n" : "-\n", out);

	fputs("recent", out);
	ctl_print_padding(out, 6, CTL_CONTACT_KEY_WIDTH);
	if (c->nrecent == 0)
		fputs("-\n", out);
	for (uint32_t i = 0; i < c->nrecent; i++) {
		if (i > 0)
			ctl_print_padding(out, 0, CTL_CONTACT_KEY_WIDTH);
		ctl_print_engagement(out, &c->recent[i]);
	}
}

/* --- Tables. --- */

void ctl_table_init(struct ctl_table *t, size_t ncols, const char *const *headers,
                    const int *right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	t->right = right;
}

void ctl_table_add(struct ctl_table *t, const char *const *row)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t i = 0; i < t->ncols; i++) {
		char *cell = xstrdup(row[i] ? row[i] : "");
		for (char *p = cell; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
		t->cells[t->nrows * t->ncols + i] = cell;
	}
	t->nrows++;
}

static void ctl_table_print_row(const struct ctl_table *t, FILE *out, const char *const *row,
                                const size_t *width)
{
	for (size_t i = 0; i < t->ncols; i++) {
		size_t w = ctl_text_width(row[i]);
		int last = i + 1 == t->ncols;
		if (t->right[i])
			ctl_print_padding(out, w, width[i]);
		fputs(row[i], out);
		/* No trailing blanks after the last column. */
		if (!t->right[i] && !last)
			ctl_print_padding(out, w, width[i]);
		fputs(last ? "\n" : "  ", out);
	}
}

void ctl_table_print(const struct ctl_table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));

	for (size_t i = 0; i < t->ncols; i++) {
		width[i] = ctl_text_width(t->headers[i]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = ctl_text_width(t->cells[r * t->ncols + i]);
			if (w > width[i])
				width[i] = w;
		}
	}
	ctl_table_print_row(t, out, t->headers, width);
	for (size_t r = 0; r < t->nrows; r++)
		ctl_table_print_row(t, out, (const char *const *)&t->cells[r * t->ncols], width);
	free(width);
}

void ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
