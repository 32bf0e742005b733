/*
 * import_csv.c - the archive's CSV files as tables of rows, through libcsv
 * (RFC 4180: quoted fields with commas, doubled quotes and line breaks,
 * LF or CRLF).
 *
 * The delimiter is a comma unless the caller says otherwise (a CRM list
 * saved by Excel in many locales uses semicolons).
 *
 * The only thing done by hand is dropping a UTF-8 byte order mark, which
 * libcsv would otherwise take as part of the first column's name. The
 * header is found by name rather than position because Connections.csv
 * may open with a preamble ("Notes:", a quoted sentence, a blank line) and
 * the columns moved between the 2018 and 2024 layouts.
 */
#include <ctype.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import.h"

struct csv_ctx {
	struct import_table *t;
	struct import_row cur;
	size_t cap;
};

/*
 * A field as a C string. A NUL byte (a damaged file) would end it early
 * and make "linkedin.com/in/al<NUL>ice" the profile of someone else,
 * "al": each NUL becomes U+FFFD instead, which no profile URL holds
 * (import_url.c refuses it) and which shows in a name where the damage is.
 */
static char *csv_field_copy(const char *s, size_t len)
{
	struct buf b = { 0 };
	const char *p = s, *end = s + len, *nul;

	if (memchr(s, '\0', len) == NULL)
		return xstrndup(s, len);
	while ((nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		buf_append(&b, p, (size_t)(nul - p));
		buf_append_str(&b, "\xef\xbf\xbd");
		p = nul + 1;
	}
	buf_append(&b, p, (size_t)(end - p));
	buf_cstr(&b);
	return b.data;
}

static void csv_field(void *s, size_t len, void *data)
{
	struct csv_ctx *c = data;

	if (c->cur.nf == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->cur.f = xrealloc(c->cur.f, c->cap * sizeof(*c->cur.f));
	}
	c->cur.f[c->cur.nf++] = s != NULL ? csv_field_copy(s, len) : xstrdup("");
}

static void csv_row(int term, void *data)
{
	struct csv_ctx *c = data;
	struct import_table *t = c->t;

	(void)term;
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	t->rows[t->nrows++] = c->cur;
	c->cur.nf = 0;
	c->cur.f = NULL;
	c->cap = 0;
}

/* Compares a column name without case or surrounding spaces. */
static int csv_name_is(const char *field, const char *name)
{
	size_t n;

	while (isspace((unsigned char)*field))
		field++;
	n = strlen(name);
	if (strncasecmp(field, name, n) != 0)
		return 0;
	for (field += n; *field != '\0'; field++)
		if (!isspace((unsigned char)*field))
			return 0;
	return 1;
}

static int csv_column(const struct import_row *row, const char *name)
{
	size_t i;

	for (i = 0; i < row->nf; i++)
		if (csv_name_is(row->f[i], name))
			return (int)i;
	return -1;
}

int import_table_parse(struct import_table *t, const char *data, size_t len,
                       const char *const *required, const char *const *wanted,
                       struct buf *err)
{
	return import_table_parse_delim(t, data, len, ',', required, wanted, err);
}

int import_table_parse_delim(struct import_table *t, const char *data, size_t len, char delim,
                             const char *const *required, const char *const *wanted,
                             struct buf *err)
{
	struct csv_parser p;
	struct csv_ctx c = { .t = t };
	size_t r, i;

	memset(t, 0, sizeof(*t));
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (csv_init(&p, 0) != 0) {
		buf_printf(err, "cannot start the CSV parser");
		return -1;
	}
	csv_set_delim(&p, (unsigned char)delim);
	/*
	 * libcsv grows a field's buffer by this much at a time (128 bytes by
	 * default): a cell of megabytes would be copied thousands of times.
	 */
	csv_set_blk_size(&p, 64 * 1024);
	if (csv_parse(&p, data, len, csv_field, csv_row, &c) != len ||
	    csv_fini(&p, csv_field, csv_row, &c) != 0) {
		buf_printf(err, "malformed CSV near row %zu: %s", t->nrows + 1,
		           csv_strerror(csv_error(&p)));
		csv_free(&p);
		for (i = 0; i < c.cur.nf; i++)
			free(c.cur.f[i]);
		free(c.cur.f);
		import_table_free(t);
		return -1;
	}
	csv_free(&p);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; required[i] != NULL; i++)
			if (csv_column(&t->rows[r], required[i]) < 0)
				break;
		if (required[i] == NULL)
			break;
	}
	if (r == t->nrows) {
		buf_printf(err, "no header row with the column \"%s\"", required[0]);
		import_table_free(t);
		return -1;
	}
	t->header = r;
	for (i = 0; i < ARRAY_SIZE(t->cols); i++)
		t->cols[i] = -1;
	for (i = 0; wanted[i] != NULL && i < ARRAY_SIZE(t->cols); i++)
		t->cols[i] = csv_column(&t->rows[r], wanted[i]);
	return 0;
}

const char *import_field(const struct import_table *t, size_t r, int i)
{
	int c = t->cols[i];

	if (c < 0 || (size_t)c >= t->rows[r].nf)
		return "";
	return t->rows[r].f[c];
}

void import_table_free(struct import_table *t)
{
	size_t r, i;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->rows[r].nf; i++)
			free(t->rows[r].f[i]);
		free(t->rows[r].f);
	}
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
