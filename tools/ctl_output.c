/*
 * ctl_output.c - the small text helpers warmthctl's commands share
 * (aligned key/value lines, tables, styles, error messages) and its view
 * of contacts (view.h at ctl->now_ms with the figures of ctl->conf).
 *
 * Text for people is plain and aligned; values taken from the logs
 * (names, headlines, comment excerpts) may hold tabs or newlines, so
 * every one of them is printed with control characters made spaces and
 * cannot break a line or a column. Nor can a contact's name drive the
 * terminal: C1 controls (U+0080-U+009F; U+009B is CSI, an escape sequence
 * on terminals that take them) are made spaces too, and bidirectional
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which
 * would show the rest of a row reversed (another contact's warmth read
 * as this one's), are dropped.
 *
 * Styles for a terminal (colour, the warmth bar) are decided once by
 * ctl_style_init() and only ever decorate text for people: JSON and CSV
 * never carry them, and a table pads by the width of the plain text, so
 * colour does not change the alignment.
 *
 * With --db, segment, warmth and readiness are computed at read time with
 * the same pure modules and figures as the daemon: the stored score holds
 * decayed sums, so a warmth read a week later has decayed by a week.
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

/* --- The view. --- */

struct view ctl_view(const struct ctl *ctl)
{
	struct view v = { ctl->conf, ctl->now_ms };
	return v;
}

struct view_account ctl_view_account(const struct ctl *ctl, uint32_t id)
{
	const struct ctl_account *a = ctl_account_by_id(ctl, id);
	struct view_account va = { a ? a->name : "?", a ? a->connections_now : -1,
		                   a ? a->budget_used : 0, a ? a->budget : NULL };
	return va;
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

/*
 * A CSV field, quoted as RFC 4180 says. A field that opens with = + - @
 * (or a tab or CR) is a formula to a spreadsheet: a name is whatever its
 * owner typed on their profile, so "=HYPERLINK(...)" or a DDE call would
 * run when the export is opened. Such a field gets a leading apostrophe
 * (OWASP's advice), which spreadsheets show as text and do not evaluate.
 */
void ctl_print_csv_field(FILE *out, const char *s)
{
	int formula;

	if (s == NULL)
		return;
	formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
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

/*
 * The bytes of the character at s to print instead of it: 0 to drop it,
 * else *len bytes from *from (a space for a control character). Returns
 * the bytes s's character takes.
 */
static size_t ctl_clean_char(const char *s, const char **from, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;

	*from = s;
	*len = 1;
	if (u[0] < 0x20 || u[0] == 0x7f) {
		*from = " ";
		return 1;
	}
	if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
		*from = " ";
		return 2;
	}
	if (u[0] == 0xe2 && u[1] != 0 && u[2] != 0 &&
	    ((u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) || (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9))) {
		*len = 0;
		return 3;
	}
	return 1;
}

/* s cleaned for a terminal (see the top of the file), newly allocated. */
static char *ctl_clean(const char *s)
{
	struct buf b = { 0 };

	while (*s != '\0') {
		const char *from;
		size_t len;
		s += ctl_clean_char(s, &from, &len);
		buf_append(&b, from, len);
	}
	buf_cstr(&b);
	return b.data != NULL ? b.data : xstrdup("");
}

void ctl_print_clean(FILE *out, const char *s)
{
	char *clean;

	if (s == NULL)
		return;
	clean = ctl_clean(s);
	fputs(clean, out);
	free(clean);
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
		t->cells[t->nrows * t->ncols + i] = ctl_clean(row[i] ? row[i] : "");
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
