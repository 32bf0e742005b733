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
 * Styles for a terminal (colour, the warmth bar) are decided once by
 * ctl_style_init() and only ever decorate text for people: JSON and CSV
 * never carry them, and a table pads by the width of the plain text, so
 * colour does not change the alignment.
 *
 * Segment, warmth and readiness are computed here, at read time, with
 * the same pure modules and figures as the daemon (score.h, rules.h, the
 * config of ctl->conf) at ctl->now_ms: the stored score holds decayed sums,
 * so a warmth read a week later has decayed by a week.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warmth/util.h"
#include "ctl.h"

/* --- Derived values. --- */

/* A contact before its first engagement has an empty score. */
static const struct score_state ctl_no_score;

static const struct score_state *ctl_score_of(const struct contact *c)
{
	return c->score != NULL ? c->score : &ctl_no_score;
}

/* One engagement type's part of the warmth, at the same "now". */
static double ctl_contact_warmth_part(const struct ctl *ctl, const struct contact *c,
                                      enum score_type type)
{
	return score_warmth_type(ctl_score_of(c), &ctl->conf->scoring, type, ctl->now_ms);
}

double ctl_contact_warmth(const struct ctl *ctl, const struct contact *c)
{
	return score_warmth(ctl_score_of(c), &ctl->conf->scoring, ctl->now_ms);
}

/* The profile hints segments match on. */
static struct rules_hints ctl_contact_hints(const struct contact *c)
{
	struct rules_hints h = { c->actor_connections, c->actor_followers, c->creator, c->tags,
		                 c->ntags };
	return h;
}

const char *ctl_contact_segment(const struct ctl *ctl, const struct contact *c)
{
	const struct conf *conf = ctl->conf;
	struct rules_hints h = ctl_contact_hints(c);

	return conf->segments[rules_segment_find(conf->segments, conf->nsegments, &h)].name;
}

void ctl_contact_verdict(const struct ctl *ctl, const struct contact *c, struct ctl_verdict *v)
{
	const struct conf *conf = ctl->conf;
	const struct ctl_account *account = ctl_account_by_id(ctl, c->account);
	struct rules_hints h = ctl_contact_hints(c);
	size_t seg = rules_segment_find(conf->segments, conf->nsegments, &h);
	struct rules_contact rc = {
		.follower = c->rel.follower.on,
		.target = c->rel.target.on,
		.connected = c->rel.connected.on,
		.pending = c->rel.pending.on,
		.followed_ms = c->rel.followed_ms,
		.withdrawn_ms = c->rel.withdrawn_ms,
		.score = ctl_score_of(c),
		.state = &c->rules,
	};
	struct rules_account ra = { account ? account->connections : -1,
		                    account ? account->budget_used : 0 };

	rules_evaluate(&conf->readiness, &conf->scoring, &conf->segments[seg], &rc, &ra, ctl->now_ms,
	               &v->result);
	v->segment = conf->segments[seg].name;
	v->warmth = v->result.warmth;
	v->ready = 1;
	for (int i = 0; i < RULES_CONDITION_COUNT; i++)
		if (i != RULES_BUDGET && i != RULES_NOT_NOTIFIED && !v->result.conditions[i].ok)
			v->ready = 0;
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

static void ctl_json_value(struct json *j, const char *key, const struct rules_value *v)
{
	json_key(j, key);
	if (v->is_number)
		json_double(j, v->number);
	else
		json_str(j, v->text);
}

void ctl_contact_json(struct json *j, const struct ctl *ctl, const struct contact *c,
                      const char *account)
{
	struct ctl_verdict v;

	ctl_contact_verdict(ctl, c, &v);
	json_object_open(j);
	json_key(j, "actor");
	json_strn(j, c->actor, c->actor_len);
	json_kv_str(j, "account", account);
	json_kv_str(j, "name", c->name);
	json_kv_str(j, "headline", c->headline);
	json_kv_str(j, "relationship", relationship_name(contact_relationship(c)));
	json_kv_str(j, "segment", v.segment);
	json_key(j, "warmth");
	json_double(j, (double)(int64_t)(v.warmth * 100.0 + 0.5) / 100.0);
	/* Its parts: each engagement type's share, weights applied (score.h). */
	json_key(j, "warmth_parts");
	json_object_open(j);
	for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
		double part = ctl_contact_warmth_part(ctl, c, (enum score_type)t);
		if (part < 0.005)
			continue;
		json_key(j, score_type_name((enum score_type)t));
		json_double(j, (double)(int64_t)(part * 100.0 + 0.5) / 100.0);
	}
	json_object_close(j);
	json_kv_bool(j, "ready", v.ready);
	/* When the daemon last sent a "ready" notification, null if never. */
	json_kv_time(j, "notified", c->rules.fired_ms);
	/* The explanation of readiness: every condition, in rules.h's order;
	   durations are in days. */
	json_key(j, "conditions");
	json_array_open(j);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		const struct rules_condition *cond = &v.result.conditions[i];
		json_object_open(j);
		json_kv_str(j, "name", rules_condition_name(cond->id));
		json_kv_bool(j, "ok", cond->ok);
		ctl_json_value(j, "value", &cond->value);
		ctl_json_value(j, "need", &cond->need);
		json_object_close(j);
	}
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
	for (uint32_t i = 0; i < c->nrecent; i++)
		contact_engagement_json(j, &c->recent[i]);
	json_array_close(j);
	json_object_close(j);
}

void ctl_print_json_line(struct buf *b)
{
	fwrite(b->data, 1, b->len, stdout);
	putchar('\n');
	buf_reset(b);
}

/* --- Styles. --- */

static int ctl_colour_on;
static int ctl_utf8_on;

void ctl_style_init(void)
{
	const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");
	const char *codeset;

	/* no-color.org: set to anything but the empty string means no colour. */
	ctl_colour_on = isatty(STDOUT_FILENO) && (no_colour == NULL || *no_colour == '\0') &&
	                (term == NULL || strcmp(term, "dumb") != 0);
	/* Only the character type: numbers keep the C locale's decimal point,
	   which scripts parsing the text rely on. */
	codeset = setlocale(LC_CTYPE, "") != NULL ? nl_langinfo(CODESET) : NULL;
	ctl_utf8_on = codeset != NULL && (strcmp(codeset, "UTF-8") == 0 ||
	                                  strcmp(codeset, "utf8") == 0);
}

const char *ctl_style(enum ctl_style style)
{
	static const char *const sgr[] = { "\033[1m", "\033[32m", "\033[31m", "\033[0m" };

	return ctl_colour_on ? sgr[style] : "";
}

void ctl_warmth_bar(double warmth, double max, char out[CTL_BAR_SIZE])
{
	const char *full = ctl_utf8_on ? "\xe2\x96\x88" : "#";   /* U+2588 FULL BLOCK */
	const char *empty = ctl_utf8_on ? "\xe2\x96\x91" : "."; /* U+2591 LIGHT SHADE */
	int filled = 0;

	if (max > 0.0 && warmth > 0.0)
		filled = (int)(warmth / max * CTL_BAR_CELLS + 0.5);
	if (filled > CTL_BAR_CELLS)
		filled = CTL_BAR_CELLS;
	out[0] = '\0';
	for (int i = 0; i < CTL_BAR_CELLS; i++)
		strcat(out, i < filled ? full : empty);
}

void ctl_print_csv_field(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
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

void ctl_contact_text(FILE *out, const struct ctl *ctl, const struct contact *c,
                      const char *account)
{
	char first[TIME_RFC3339_LEN], last[TIME_RFC3339_LEN], notified[TIME_RFC3339_LEN];
	const char *sep = "";
	struct ctl_verdict v;
	struct buf words = { 0 };

	ctl_contact_verdict(ctl, c, &v);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "actor", c->actor);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "account", account);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "name", c->name);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "headline", c->headline);
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "relationship", relationship_name(contact_relationship(c)));
	ctl_print_kv_clean(out, CTL_CONTACT_KEY_WIDTH, "segment", v.segment);
	{
		struct buf parts = { 0 };
		for (int t = 0; t < SCORE_TYPE_COUNT; t++) {
			double part = ctl_contact_warmth_part(ctl, c, (enum score_type)t);
			if (part >= 0.05)
				buf_printf(&parts, "%s%s %.1f", parts.len ? ", " : "",
				           score_type_name((enum score_type)t), part);
		}
		ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "warmth", "%.1f%s%s%s", v.warmth,
		             parts.len ? " (" : "", parts.len ? buf_cstr(&parts) : "", parts.len ? ")" : "");
		buf_free(&parts);
	}
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "ready", "%s%s%s",
	             ctl_style(v.ready ? CTL_STYLE_GREEN : CTL_STYLE_RED), v.ready ? "yes" : "no",
	             ctl_style(CTL_STYLE_RESET));
	ctl_format_time(c->rules.fired_ms, notified);
	ctl_print_kv(out, CTL_CONTACT_KEY_WIDTH, "notified", "%s", notified);
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

	/* Each condition in words, marked by whether it holds. */
	fputs("conditions", out);
	for (int i = 0; i < RULES_CONDITION_COUNT; i++) {
		const struct rules_condition *cond = &v.result.conditions[i];
		buf_reset(&words);
		rules_condition_words(cond, &words);
		ctl_print_padding(out, i == 0 ? 10 : 0, CTL_CONTACT_KEY_WIDTH);
		fprintf(out, "%s%s%s %s\n", ctl_style(cond->ok ? CTL_STYLE_GREEN : CTL_STYLE_RED),
		        cond->ok ? "yes" : "no ", ctl_style(CTL_STYLE_RESET), buf_cstr(&words));
	}
	buf_free(&words);
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
                                const size_t *width, int header)
{
	for (size_t i = 0; i < t->ncols; i++) {
		size_t w = ctl_text_width(row[i]);
		int last = i + 1 == t->ncols;
		enum ctl_style style = header ? CTL_STYLE_BOLD :
		                       t->cell_style ? t->cell_style(i, row[i]) : CTL_STYLE_RESET;
		if (t->right[i])
			ctl_print_padding(out, w, width[i]);
		if (style != CTL_STYLE_RESET && *ctl_style(style) != '\0')
			fprintf(out, "%s%s%s", ctl_style(style), row[i], ctl_style(CTL_STYLE_RESET));
		else
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
	ctl_table_print_row(t, out, t->headers, width, 1);
	for (size_t r = 0; r < t->nrows; r++)
		ctl_table_print_row(t, out, (const char *const *)&t->cells[r * t->ncols], width, 0);
	free(width);
}

void ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
