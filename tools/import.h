/*
 * import.h - the pieces of warmth-import, the program that turns data the
 * user already has (LinkedIn's "Download your data" archive) into event
 * lines of the v1 event format (docs/events.md).
 *
 * The pure parts (profile URL to actor id, the archive's date formats) are
 * separate files with unit tests; the archive reader (libzip or a folder),
 * the CSV table (libcsv), the event writer (json.h, atomic -o) and the
 * per-file conversions each have their own file.
 */
#ifndef WARMTH_IMPORT_H
#define WARMTH_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "warmth/util.h"

/* --- Profile URLs (import_url.c, pure). --- */

/*
 * Normalises a LinkedIn profile URL to the one actor id used for that
 * person: "https://www.linkedin.com/in/<slug>" with the slug
 * percent-decoded and its ASCII letters lower-cased, whatever the scheme
 * (or none), "www." or not, the host's case, a query, a fragment or a
 * trailing slash. Writes it to out (replacing its content). Returns 0, or
 * -1 when the text is not a linkedin.com/in/ URL or the slug is empty,
 * not UTF-8 or holds control characters.
 */
int import_url_actor(const char *url, size_t len, struct buf *out);

/* --- Dates (import_date.c, pure but for named zones). --- */

enum import_tz_kind { IMPORT_TZ_OFFSET, IMPORT_TZ_ZONE };
struct import_tz {
	enum import_tz_kind kind;
	int offset_s;      /* IMPORT_TZ_OFFSET: seconds east of UTC */
	char zone[128];    /* IMPORT_TZ_ZONE: an IANA name */
};

/*
 * Parses "UTC", "Z", "+01:00", "-0530" or an IANA zone name such as
 * "Europe/Paris" (which must exist under /usr/share/zoneinfo). A named zone
 * becomes the process's TZ, since the C library converts local times only
 * through it. Returns 0, or -1 if the text is none of these.
 */
int import_tz_parse(const char *s, struct import_tz *tz);

/*
 * Parses one of the archive's date formats into ms since the epoch:
 *   "16 Dec 2024"                naive date (midnight in tz)
 *   "1/8/18, 6:14 PM"            naive, month/day/two-digit year, in tz
 *   "2024-12-16 18:24:37 UTC"    explicit UTC
 *   "2024/12/07 14:51:07 UTC"    explicit UTC
 *   "2024-12-16"                 naive date (for --since)
 *   RFC 3339 with a zone
 * Surrounding spaces are ignored. Returns 0, or -1 when the text is none of
 * these or names an impossible date.
 */
int import_date_parse(const char *s, const struct import_tz *tz, int64_t *out_ms);
/*
 * The time of s as an event id's field: as written, whatever --tz says (a
 * naive time read as UTC, one with a zone its instant), so importing the
 * same archive again with another zone (or with -c after without) gives
 * the same ids and counts nothing twice. Returns 0 or -1 as above.
 */
int import_date_id_ms(const char *s, int64_t *out_ms);

/* --- The archive (import_archive.c): a zip or a folder. --- */

struct import_archive;
/* Returns NULL with a message in err when path is neither a zip nor a folder. */
struct import_archive *import_archive_open(const char *path, struct buf *err);
/*
 * Reads the file called name (compared without case, in any folder of the
 * archive) into out. Returns 0, 1 when there is no such file, or -1 with a
 * message in err.
 */
int import_archive_read(struct import_archive *a, const char *name, struct buf *out,
                        struct buf *err);
void import_archive_close(struct import_archive *a);

/* --- CSV tables (import_csv.c, libcsv). --- */

struct import_row {
	size_t nf;
	char **f;          /* NUL-terminated fields */
};
struct import_table {
	struct import_row *rows;
	size_t nrows, cap;
	size_t header;     /* index of the header row */
	int cols[16];      /* column of each wanted name, or -1 */
};

/*
 * Parses data (LF or CRLF, with or without a UTF-8 BOM) into rows, then
 * finds the header: the first row holding every name in required (without
 * case or surrounding spaces), so a preamble before it is skipped. Sets
 * cols[i] for each name in wanted (NULL-terminated, at most 16; -1 when
 * absent). Returns 0, or -1 with a message in err.
 */
int import_table_parse(struct import_table *t, const char *data, size_t len,
                       const char *const *required, const char *const *wanted,
                       struct buf *err);
/* The same with another field delimiter than the comma (';', '\t'). */
int import_table_parse_delim(struct import_table *t, const char *data, size_t len, char delim,
                             const char *const *required, const char *const *wanted,
                             struct buf *err);
/* Field of wanted column i in row r, "" when absent or short. */
const char *import_field(const struct import_table *t, size_t r, int i);
void import_table_free(struct import_table *t);

/* --- Output (import_out.c). --- */

struct import_event {
	int64_t ts_ms;
	const char *type;
	const char *actor;
	int dir_out;
	const char *name, *headline, *text;
	const char *reaction;  /* like: its kind */
	/* profile: the tags, written (maybe as []) when has_tags */
	const char *const *tags;
	size_t ntags;
	int has_tags;
	struct hash128 id;  /* from import_id */
};

struct import_out {
	FILE *f;
	char *path, *tmp;  /* -o FILE and its temporary, or NULL for stdout */
	const char *account;
	const char *id_prefix;  /* of every event id: "li" (the default) or "crm" */
	struct buf line;
	uint64_t written;
};

/* Opens stdout (path NULL) or a temporary next to path. */
int import_out_open(struct import_out *o, const char *path, const char *account);
int import_out_event(struct import_out *o, const struct import_event *ev);
/* Flushes, fsyncs and renames the temporary over path. */
int import_out_commit(struct import_out *o);
/* Removes an uncommitted temporary. */
void import_out_abort(struct import_out *o);

/* An event id from its kind and the row's identifying fields (NULL-ended). */
struct hash128 import_id(const char *kind, ...) __attribute__((sentinel));
/*
 * A time as an identifying field: the instant, not its text, so that a
 * newer archive writing the same time in another format (or padding it
 * differently) gives the same id. Returns buf.
 */
#define IMPORT_ID_MS_LEN 24
const char *import_id_ms(int64_t ms, char buf[IMPORT_ID_MS_LEN]);

/* --- Per-file conversion and summary (import_linkedin*.c). --- */

#define IMPORT_MAX_REASONS 8
struct import_stats {
	const char *file;
	int present;
	uint64_t rows, events;
	const char *reason[IMPORT_MAX_REASONS];
	uint64_t skipped[IMPORT_MAX_REASONS];
};
void import_skip(struct import_stats *s, const char *reason);

struct import_options {
	const char *account;
	struct import_tz tz;
	int64_t since_ms;    /* 0: everything */
	int message_text;
};

/* Converts the archive's files; prints the summary on stderr. */
int import_linkedin(struct import_archive *a, const struct import_options *opt,
                    struct import_out *o);

/* --- A CRM list (import_crm.c). --- */

/* A segment of the config that tags can select: its name and the tag that does. */
struct import_crm_segment {
	const char *name;
	const char *tag;
};

/*
 * The tag that selects the segment text names: the segment's name as the
 * config writes it, or with spaces for underscores ("Potential client"),
 * without case. NULL when none of the n segments has that name.
 */
const char *import_crm_segment_tag(const struct import_crm_segment *segments, size_t n,
                                   const char *text);

struct import_crm_options {
	const char *url_column;      /* required */
	const char *tags_column;     /* NULL: none */
	const char *name_column;
	const char *segment_column;
	const char *segment_tag;     /* --segment S: S's tag, on every row */
	const struct import_crm_segment *segments;  /* for segment_column's values */
	size_t nsegments;
	char delimiter;              /* 0: the first of ',' ';' tab that finds the columns */
	const char *tag_separators;  /* characters that split a tags cell */
	int64_t ts_ms;               /* the time the list is true as of; 0: the file's mtime */
	int64_t future_ms;           /* the daemon's time.future_tolerance: a later time is refused */
};

/*
 * Turns the CSV file path into one profile event per person (the last row
 * of a person who occurs twice), writes them to o and a summary to stderr.
 * Returns 0, or -1 when the file cannot be read or has no header with the
 * columns (said on stderr).
 */
int import_crm(const char *path, const struct import_crm_options *opt, struct import_out *o);

#endif
