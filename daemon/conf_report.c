/*
 * conf_report.c - the config loader's messages: collecting problems with
 * their line and column, sorting them into file order, describing what a
 * key expects, and "did you mean" suggestions (Damerau-Levenshtein
 * distance at most 2). Used by conf_walk.c and the key tables' checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warmth/log.h"
#include "warmth/util.h"

#include "conf_internal.h"

/* -- errors --------------------------------------------------------------- */

void conf_report_at(struct conf_loader *ld, unsigned line, unsigned column, const char *msg)
{
	struct conf_error *e;

	ld->errors = xrealloc(ld->errors, (ld->nerrors + 1) * sizeof(*ld->errors));
	e = &ld->errors[ld->nerrors];
	e->line = line;
	e->column = column;
	e->seq = ld->nerrors++;
	e->msg = xstrdup(msg);
}

void conf_report(struct conf_loader *ld, const struct conf_node *at, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory formatting a config error");
	va_end(ap);
	conf_report_at(ld, at != NULL ? at->line : 0, at != NULL ? at->column : 0, msg);
	free(msg);
}

void conf_note(struct conf_loader *ld, const struct conf_node *at, const char *fmt, ...)
{
	va_list ap;
	char *msg, *line;
	int n;

	if (ld->notes == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory formatting a config note");
	va_end(ap);
	if (at != NULL)
		n = asprintf(&line, "%s:%u:%u: %s", ld->file, at->line, at->column, msg);
	else
		n = asprintf(&line, "%s: %s", ld->file, msg);
	if (n < 0)
		fatalx("out of memory formatting a config note");
	free(msg);
	ld->notes->msgs = xrealloc(ld->notes->msgs, (ld->notes->count + 1) * sizeof(char *));
	ld->notes->msgs[ld->notes->count++] = line;
}

void conf_on_yaml_error(void *ctx, unsigned line, unsigned column, const char *msg)
{
	conf_report_at(ctx, line, column, msg);
}

int conf_error_cmp(const void *a, const void *b)
{
	const struct conf_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves the collected problems, in file order, into errs. */
void conf_errors_take(struct conf_loader *ld, struct conf_errors *errs)
{
	qsort(ld->errors, ld->nerrors, sizeof(*ld->errors), conf_error_cmp);
	errs->msgs = xrealloc(errs->msgs, (errs->count + ld->nerrors) * sizeof(*errs->msgs));
	for (size_t i = 0; i < ld->nerrors; i++) {
		const struct conf_error *e = &ld->errors[i];
		char *msg;
		int n;

		if (e->line > 0)
			n = asprintf(&msg, "%s:%u:%u: %s", ld->file, e->line, e->column, e->msg);
		else
			n = asprintf(&msg, "%s: %s", ld->file, e->msg);
		if (n < 0)
			fatalx("out of memory formatting a config error");
		errs->msgs[errs->count++] = msg;
		free(e->msg);
	}
	free(ld->errors);
	ld->errors = NULL;
	ld->nerrors = 0;
}

/* -- messages ------------------------------------------------------------- */

void conf_describe_values(struct buf *b, const struct conf_enum *values)
{
	buf_append_str(b, "one of ");
	for (size_t i = 0; values[i].name != NULL; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", values[i].name);
}

void conf_describe_kind(struct buf *b, const struct conf_key *key)
{
	static const char *const expected[] = {
		[CONF_KIND_STRING] = "a string",
		[CONF_KIND_PATH] = "a path",
		[CONF_KIND_GLOB] = "a path or glob pattern",
		[CONF_KIND_URL] = "an http:// or https:// URL",
		[CONF_KIND_BOOL] = "true or false",
		[CONF_KIND_INTEGER] = "an integer",
		[CONF_KIND_REAL] = "a number",
		[CONF_KIND_DURATION] = "a duration like 90m, 36h or 14d",
		[CONF_KIND_SIZE] = "a size like 64KiB, 1MiB or 1GiB",
		[CONF_KIND_SECTION] = "a mapping",
		[CONF_KIND_LIST] = "a list",
	};

	if (key->kind == CONF_KIND_ENUM)
		conf_describe_values(b, key->values);
	else if ((size_t)key->kind < ARRAY_SIZE(expected) && expected[key->kind] != NULL)
		buf_append_str(b, expected[key->kind]);
	else
		buf_append_str(b, "something else");
}

/* "NAME: expected WHAT, got VALUE", then an optional hint. */
void conf_report_expected(struct conf_loader *ld, const struct conf_node *node, const char *name,
                          const char *what)
{
	struct buf b = { 0 };

	conf_yaml_describe(&b, node);
	conf_report(ld, node, "%s: expected %s, got %s", name, what, buf_cstr(&b));
	buf_free(&b);
}

void conf_type_error(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *node, const char *name, const char *hint)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s: expected ", name);
	conf_describe_kind(&b, key);
	buf_append_str(&b, ", got ");
	conf_yaml_describe(&b, node);
	if (hint != NULL)
		buf_printf(&b, " (did you mean \"%s\"?)", hint);
	conf_report(ld, node, "%s", buf_cstr(&b));
	buf_free(&b);
}

/*
 * Optimal string alignment distance (Levenshtein plus transpositions of
 * neighbours), which catches the usual typos: a letter missing, extra,
 * wrong or swapped. Returns a large value for names too long to matter.
 */
size_t conf_distance(const char *a, const char *b)
{
	enum { MAX = 64 };
	size_t la = strlen(a), lb = strlen(b);
	size_t prev2[MAX + 1], prev[MAX + 1], cur[MAX + 1];

	if (la > MAX || lb > MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		memcpy(prev2, prev, sizeof(prev));
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[lb];
}

/* Keeps in *best the closest candidate worth suggesting for word. */
void conf_suggest(const char *word, const char *candidate, const char **best, size_t *best_distance)
{
	size_t d = conf_distance(word, candidate);

	/* Two edits on a two-letter word could turn it into anything. */
	if (d <= 2 && d < strlen(word) && d < *best_distance) {
		*best = candidate;
		*best_distance = d;
	}
}

const char *conf_closest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t d = SIZE_MAX;

	for (; *names != NULL; names++)
		conf_suggest(word, *names, &best, &d);
	return best;
}

void conf_suggest_keys(const char *word, const struct conf_key *keys, const char **best, size_t *d)
{
	for (; keys != NULL && keys->name != NULL; keys++)
		conf_suggest(word, keys->name, best, d);
}

