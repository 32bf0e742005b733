/*
 * import_crm.c - a CRM list (a CSV file with a profile URL and tags, or a
 * segment, per person) as profile events: the tags a person has in the
 * user's own records, so that a segment such as potential_client can be
 * matched on them.
 *
 * Tags from a list are state, not engagement: each row becomes one
 * "profile" event, which the daemon keeps as profile hints only (no
 * warmth, no evidence, no relationship), and whose tags replace the ones
 * the contact had when the event is the newest that carries tags. The
 * event's time is the time the list is true as of (the file's
 * modification time unless told), and its id is a hash of that time and
 * the row's content. So importing the same file again counts nothing
 * (same ids), while a newer export of the list, even one that puts a tag
 * back as it was two exports ago, has a newer time and new ids, and wins.
 *
 * A person is the actor id of the profile URL (import_url.c), the one a
 * LinkedIn import or a collector gives them. A person on two rows takes
 * the last one, as a list that was appended to would mean. The CSV is
 * parsed by libcsv (import_csv.c) with a comma, semicolon or tab as
 * delimiter, the first that finds the named columns unless told.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "import.h"
#include "warmth/event.h"

enum { CRM_URL, CRM_TAGS, CRM_NAME, CRM_SEGMENT };

/* A list larger than this is no CRM export (the archive's files have the same limit). */
#define CRM_MAX_FILE (1024u * 1024u * 1024u)

/* One person's row: its index in the table and its actor id (owned). */
struct crm_person {
	char *actor;
	size_t row;
};

static int crm_person_cmp(const void *a, const void *b)
{
	const struct crm_person *x = a, *y = b;
	int r = strcmp(x->actor, y->actor);

	if (r != 0)
		return r;
	return (x->row > y->row) - (x->row < y->row);
}

static int crm_row_cmp(const void *a, const void *b)
{
	const struct crm_person *x = a, *y = b;

	return (x->row > y->row) - (x->row < y->row);
}

/* Whether s is valid UTF-8 (a cell of a file saved in a legacy code page is not). */
static int crm_utf8(const char *s)
{
	int valid;

	utf8_valid_prefix(s, strlen(s), &valid);
	return valid;
}

/*
 * Splits a tags cell at any of the separator characters into tags[] (at
 * most EVENT_MAX_TAGS, pointing into the copy held by cell_copy), without
 * surrounding spaces, empty parts or repeats. Returns the number of tags
 * there were, which may exceed what was kept.
 */
static size_t crm_split_tags(const char *cell, const char *seps, struct buf *cell_copy,
                             const char **tags, size_t *ntags)
{
	size_t total = 0;
	char *p, *end;

	*ntags = 0;
	buf_reset(cell_copy);
	buf_append_str(cell_copy, cell);
	buf_append(cell_copy, "", 1);  /* the NUL, in the buffer's own bytes */
	p = cell_copy->data;
	while (*p != '\0') {
		size_t n = strcspn(p, seps), i;
		char *tag = p;

		end = p + n;
		p = *end != '\0' ? end + 1 : end;
		*end = '\0';
		while (*tag == ' ' || *tag == '\t')
			tag++;
		while (end > tag && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tag == '\0')
			continue;
		for (i = 0; i < *ntags; i++)
			if (strcmp(tags[i], tag) == 0)
				break;
		if (i < *ntags)
			continue;
		total++;
		if (*ntags < EVENT_MAX_TAGS)
			tags[(*ntags)++] = tag;
	}
	return total;
}

const char *import_crm_segment_tag(const struct import_crm_segment *segments, size_t n,
                                   const char *cell)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = segments[i].name, *b = cell;
		while (*b == ' ')
			b++;
		for (; *a != '\0' && *b != '\0'; a++, b++) {
			int x = *a == '_' ? ' ' : tolower((unsigned char)*a);
			int y = *b == '_' ? ' ' : tolower((unsigned char)*b);
			if (x != y)
				break;
		}
		while (*b == ' ')
			b++;
		if (*a == '\0' && *b == '\0')
			return segments[i].tag;
	}
	return NULL;
}

/* Parses the file with the delimiter asked for, or the first of , ; tab that finds the columns. */
static int crm_table(const struct import_crm_options *opt, const struct buf *data,
                     struct import_table *t, struct buf *err)
{
	static const char delims[] = { ',', ';', '\t' };
	const char *required[5], *wanted[5];
	size_t n = 0;

	required[n] = wanted[CRM_URL] = opt->url_column;
	n++;
	wanted[CRM_TAGS] = opt->tags_column ? opt->tags_column : "";
	wanted[CRM_NAME] = opt->name_column ? opt->name_column : "";
	wanted[CRM_SEGMENT] = opt->segment_column ? opt->segment_column : "";
	wanted[4] = NULL;
	if (opt->tags_column != NULL)
		required[n++] = opt->tags_column;
	if (opt->name_column != NULL)
		required[n++] = opt->name_column;
	if (opt->segment_column != NULL)
		required[n++] = opt->segment_column;
	required[n] = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(delims); i++) {
		char d = opt->delimiter != 0 ? opt->delimiter : delims[i];
		buf_reset(err);
		if (import_table_parse_delim(t, data->data ? data->data : "", data->len, d, required,
		                             wanted, err) == 0)
			return 0;
		if (opt->delimiter != 0)
			break;
	}
	buf_reset(err);
	buf_printf(err, "no header row with the column%s", n > 1 ? "s" : "");
	for (size_t i = 0; i < n; i++)
		buf_printf(err, "%s \"%s\"", i == 0 ? "" : ",", required[i]);
	if (opt->delimiter != 0)
		buf_printf(err, " (delimiter %s)", opt->delimiter == '\t' ? "tab" :
		           opt->delimiter == ';' ? ";" : opt->delimiter == '|' ? "|" : ",");
	else
		buf_printf(err, " (comma, semicolon and tab tried as the delimiter)");
	return -1;
}

static void crm_summary(const char *path, const struct import_stats *s, uint64_t cut)
{
	fprintf(stderr, "%s: %llu rows read, %llu events written", path, (unsigned long long)s->rows,
	        (unsigned long long)s->events);
	for (int i = 0; i < IMPORT_MAX_REASONS && s->reason[i] != NULL; i++)
		fprintf(stderr, ", %llu skipped (%s)", (unsigned long long)s->skipped[i], s->reason[i]);
	if (cut > 0)
		fprintf(stderr, ", %llu with more than %d tags (the first %d kept)",
		        (unsigned long long)cut, EVENT_MAX_TAGS, EVENT_MAX_TAGS);
	fputc('\n', stderr);
}

/*
 * Judges one row: its actor id into actor, or the reason it is skipped.
 * Rows without a single non-blank field are blank lines, not people.
 */
static const char *crm_check_row(const struct import_crm_options *opt, const struct import_table *t,
                                 size_t r, struct buf *actor)
{
	const char *url = import_field(t, r, CRM_URL);
	int blank = 1;

	for (size_t i = 0; i < t->rows[r].nf && blank; i++)
		blank = strspn(t->rows[r].f[i], " \t") == strlen(t->rows[r].f[i]);
	if (blank)
		return "blank row";
	if (url[strspn(url, " \t")] == '\0')
		return "no URL";
	if (import_url_actor(url, strlen(url), actor) != 0)
		return "bad URL";
	if (!crm_utf8(import_field(t, r, CRM_TAGS)) || !crm_utf8(import_field(t, r, CRM_NAME)))
		return "not UTF-8 (save the list as CSV UTF-8)";
	if (opt->segment_column != NULL) {
		const char *seg = import_field(t, r, CRM_SEGMENT);
		if (seg[strspn(seg, " ")] != '\0' &&
		    import_crm_segment_tag(opt->segments, opt->nsegments, seg) == NULL)
			return "not a segment that tags select";
	}
	return NULL;
}

/* Writes the profile event of row r; *cut is set when tags were left out. */
static int crm_emit(const struct import_crm_options *opt, const struct import_table *t, size_t r,
                    const char *actor, struct import_out *o, int *cut)
{
	const char *tags[EVENT_MAX_TAGS];
	struct buf copy = { 0 }, idtext = { 0 };
	size_t ntags = 0, total = 0;
	char tb[IMPORT_ID_MS_LEN];
	const char *seg = NULL;
	int rc;

	if (opt->tags_column != NULL)
		total = crm_split_tags(import_field(t, r, CRM_TAGS), opt->tag_separators, &copy, tags,
		                       &ntags);
	if (opt->segment_column != NULL && import_field(t, r, CRM_SEGMENT)[0] != '\0')
		seg = import_crm_segment_tag(opt->segments, opt->nsegments,
		                             import_field(t, r, CRM_SEGMENT));
	else if (opt->segment_tag != NULL)
		seg = opt->segment_tag;
	if (seg != NULL) {
		size_t i;
		for (i = 0; i < ntags && strcasecmp(tags[i], seg) != 0; i++)
			;
		if (i == ntags) {
			total++;
			/* The segment's tag first: it is what the row is for. */
			if (ntags == EVENT_MAX_TAGS)
				ntags--;
			memmove(&tags[1], &tags[0], ntags * sizeof(*tags));
			tags[0] = seg;
			ntags++;
		}
	}
	*cut = total > ntags;
	/* The id: the list's time and everything the row says, so a changed row is a new event. */
	for (size_t i = 0; i < ntags; i++) {
		buf_append_str(&idtext, tags[i]);
		buf_append(&idtext, "\x1e", 1);
	}
	{
		struct import_event ev = {
			.ts_ms = opt->ts_ms, .type = "profile", .actor = actor, .dir_out = 0,
			.name = import_field(t, r, CRM_NAME), .tags = tags, .ntags = ntags, .has_tags = 1,
			.id = import_id("crm-profile", actor, import_id_ms(opt->ts_ms, tb),
			                import_field(t, r, CRM_NAME), buf_cstr(&idtext), NULL),
		};
		rc = import_out_event(o, &ev);
	}
	buf_free(&copy);
	buf_free(&idtext);
	return rc;
}

/* Reads the whole file into out and its modification time into *mtime_ms. */
static int crm_read(const char *path, struct buf *out, int64_t *mtime_ms)
{
	char chunk[65536];
	struct stat st;
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return -1;
	}
	*mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	/* A pipe may feed the list (<(curl ...)); a device that never ends may not fill memory. */
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(out, chunk, n);
		if (out->len > CRM_MAX_FILE) {
			errno = EFBIG;
			rc = -1;
			break;
		}
	}
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

int import_crm(const char *path, const struct import_crm_options *options, struct import_out *o)
{
	struct import_crm_options opts = *options, *opt = &opts;
	int64_t mtime_ms = 0;
	struct import_stats s = { .file = path, .present = 1 };
	struct buf data = { 0 }, err = { 0 }, actor = { 0 };
	struct crm_person *people = NULL;
	struct import_table t;
	size_t npeople = 0, kept = 0;
	uint64_t cut = 0;
	int rc = 0;

	if (crm_read(path, &data, &mtime_ms) != 0) {
		fprintf(stderr, "warmth-import: %s: %s\n", path, strerror(errno));
		buf_free(&data);
		return -1;
	}
	/* The list is true as of when it was saved, unless told (--time). */
	if (opt->ts_ms == 0)
		opt->ts_ms = mtime_ms;
	/*
	 * The daemon rejects every event later than its clock plus
	 * time.future_tolerance (future_ts): a whole list would go to the
	 * dead-letter file, quietly. A file saved on a machine whose clock is
	 * ahead, or a --time typo, is said here instead.
	 */
	if (opt->ts_ms > time_now_ms() + opt->future_ms) {
		char when[TIME_RFC3339_LEN];
		time_format_rfc3339(opt->ts_ms, when);
		fprintf(stderr, "warmth-import: %s: the list's time %s (%s) is in the future: warmthd would "
		        "reject every row (future_ts); give --time now or the date the list was exported\n",
		        path, when, options->ts_ms != 0 ? "--time" : "the file's modification time");
		buf_free(&data);
		return -1;
	}
	/*
	 * A byte order mark of UTF-16, little or big endian (Excel's "Unicode
	 * text"), or UTF-16 without one: a header's first character is ASCII,
	 * and in UTF-16 one of its two bytes is NUL, which text never holds.
	 */
	if (data.len >= 2 && (memcmp(data.data, "\xFF\xFE", 2) == 0 ||
	                      memcmp(data.data, "\xFE\xFF", 2) == 0 ||
	                      data.data[0] == '\0' || data.data[1] == '\0')) {
		fprintf(stderr, "warmth-import: %s: UTF-16 text; save the list as CSV UTF-8\n", path);
		buf_free(&data);
		return -1;
	}
	if (crm_table(opt, &data, &t, &err) != 0) {
		fprintf(stderr, "warmth-import: %s: %s\n", path, buf_cstr(&err));
		buf_free(&data);
		buf_free(&err);
		return -1;
	}
	buf_free(&data);
	/* A column not asked for was looked up as "": never take an unnamed column for it. */
	if (opt->tags_column == NULL)
		t.cols[CRM_TAGS] = -1;
	if (opt->name_column == NULL)
		t.cols[CRM_NAME] = -1;
	if (opt->segment_column == NULL)
		t.cols[CRM_SEGMENT] = -1;
	people = xcalloc(t.nrows, sizeof(*people));
	for (size_t r = t.header + 1; r < t.nrows; r++) {
		const char *why = crm_check_row(opt, &t, r, &actor);
		if (why != NULL && strcmp(why, "blank row") == 0)
			continue;
		s.rows++;
		if (why != NULL) {
			import_skip(&s, why);
			continue;
		}
		people[npeople].actor = xstrdup(buf_cstr(&actor));
		people[npeople].row = r;
		npeople++;
	}
	/* A person on several rows: the last row wins, the earlier ones are skipped. */
	if (npeople > 0)
		qsort(people, npeople, sizeof(*people), crm_person_cmp);
	for (size_t i = 0; i < npeople; i++) {
		if (i + 1 < npeople && strcmp(people[i].actor, people[i + 1].actor) == 0) {
			import_skip(&s, "same URL on a later row, which wins");
			free(people[i].actor);
			continue;
		}
		people[kept++] = people[i];
	}
	if (kept > 0)
		qsort(people, kept, sizeof(*people), crm_row_cmp);
	for (size_t i = 0; i < kept; i++) {
		int was_cut = 0;
		if (rc == 0 && crm_emit(opt, &t, people[i].row, people[i].actor, o, &was_cut) != 0)
			rc = -1;
		else if (rc == 0)
			s.events++;
		cut += (uint64_t)was_cut;
		free(people[i].actor);
	}
	if (rc == 0)
		crm_summary(path, &s, cut);
	free(people);
	import_table_free(&t);
	buf_free(&actor);
	buf_free(&err);
	return rc;
}
