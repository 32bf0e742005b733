/*
 * warmth-import.c - brings what the user already knows into warmthd: turns
 * LinkedIn's "Download your data" archive (the zip or the folder it unpacks
 * to), or a CRM list (a CSV file of profile URLs and tags), into event
 * lines of the v1 format, on stdout or atomically into a file (-o) that
 * warmthd tails like any other input.
 *
 *   warmth-import linkedin ARCHIVE [-o FILE] [-c CONFIG] [--account A]
 *                 [--tz ZONE] [--since DATE] [--message-text]
 *   warmth-import csv FILE --url-column C [--tags-column C] [--name-column C]
 *                 [--segment-column C | --segment S] [--delimiter D]
 *                 [--tag-separator CHARS] [--time T] [-o FILE] [-c CONFIG]
 *                 [--account A] [--tz ZONE]
 *
 * Every event carries an id derived from its row, so importing the same
 * archive or list again, or a newer archive holding the old rows, counts
 * nothing twice. Exit status: 0 done, 1 error (the output file is then
 * left untouched), 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "warmth/conf.h"
#include "warmth/rules.h"

static void import_usage(FILE *f)
{
	fputs("usage: warmth-import linkedin ARCHIVE [-o FILE] [-c CONFIG] [--account A]\n"
	      "                     [--tz ZONE] [--since DATE] [--message-text]\n"
	      "       warmth-import csv FILE --url-column C [--tags-column C] [--name-column C]\n"
	      "                     [--segment-column C | --segment S] [--delimiter D]\n"
	      "                     [--tag-separator CHARS] [--time T] [-o FILE] [-c CONFIG]\n"
	      "                     [--account A] [--tz ZONE]\n"
	      "  ARCHIVE          LinkedIn's data archive: the zip, or the folder it unpacks to\n"
	      "  FILE             a CRM list: CSV with a header row naming its columns\n"
	      "  -o, --output F   write the events to F atomically (default: stdout)\n"
	      "  -c, --config C   take the default --tz from C's time.zone, the segments from C's\n"
	      "  --account A      the account the events belong to (default: none given)\n"
	      "  --tz ZONE        zone of naive times: UTC, +01:00 or an IANA name such as\n"
	      "                   Europe/Paris (default: the config's, else UTC)\n"
	      "  --since DATE     only events at or after DATE (2024-12-16 or RFC 3339)\n"
	      "  --message-text   include message content (private; left out by default)\n"
	      "csv:\n"
	      "  --url-column C   the column of profile URLs (names are matched without case)\n"
	      "  --tags-column C  the column of tags, split at --tag-separator; an empty cell\n"
	      "                   clears the person's tags\n"
	      "  --name-column C  the column of names\n"
	      "  --segment-column C  a column naming a segment of the config: adds its tag\n"
	      "  --segment S      every row in segment S of the config: adds its tag\n"
	      "  --delimiter D    the CSV delimiter: , ; tab or t (default: the first of these\n"
	      "                   that finds the columns)\n"
	      "  --tag-separator CHARS  characters that split a tags cell (default: ,;)\n"
	      "  --time T         the time the list is true as of (RFC 3339, 2024-12-16 or now;\n"
	      "                   default: the file's modification time)\n", f);
}

/*
 * --tz's default: the config's time.zone (an offset), else UTC. Only that
 * key is read (with csv, the segments too): the daemon's secrets or a
 * typo elsewhere are not the importer's concern (conf_load_only).
 */
static int import_config_tz(const char *path, struct import_tz *tz)
{
	static const char *const keys[] = { "time.zone", NULL };
	struct conf_errors errs = { 0 };
	struct conf *conf = NULL;

	memset(tz, 0, sizeof(*tz));
	if (path == NULL)
		return 0;
	if (conf_load_only(path, keys, &conf, &errs) != 0) {
		conf_errors_print(&errs, stderr);
		conf_errors_free(&errs);
		return -1;
	}
	tz->kind = IMPORT_TZ_OFFSET;
	tz->offset_s = (int)(conf->scoring.day_offset_ms / 1000);
	conf_free(conf);
	conf_errors_free(&errs);
	return 0;
}

/* The segments that tags select: each one whose match names tags, by its first tag. */
static struct import_crm_segment *import_segments(const struct conf *conf, size_t *n)
{
	struct import_crm_segment *segs = xcalloc(conf->nsegments + 1, sizeof(*segs));

	*n = 0;
	for (size_t i = 0; i < conf->nsegments; i++)
		if (conf->segments[i].match.ntags > 0) {
			segs[*n].name = conf->segments[i].name;
			segs[*n].tag = conf->segments[i].match.tags[0];
			(*n)++;
		}
	return segs;
}

/* "," ";" "tab" "\t" "t" as a delimiter character; 0 when none of them. */
static char import_delimiter(const char *s)
{
	if (strcmp(s, ",") == 0 || strcmp(s, ";") == 0 || strcmp(s, "|") == 0)
		return s[0];
	if (strcmp(s, "\t") == 0 || strcmp(s, "t") == 0 || strcmp(s, "tab") == 0)
		return '\t';
	return 0;
}

struct import_args {
	const char *output, *config, *tz, *since, *time, *segment, *delimiter;
	struct import_options opt;
	struct import_crm_options crm;
};

/* --time: "now", or a time in --tz (default: the config's zone when -c is given, else UTC). */
static int import_time(const struct import_args *args, const struct conf *conf, int64_t *ts_ms)
{
	struct import_tz tz = { 0 };

	if (strcmp(args->time, "now") == 0) {
		*ts_ms = time_now_ms();
		return 0;
	}
	if (args->tz != NULL && import_tz_parse(args->tz, &tz) != 0) {
		fprintf(stderr, "warmth-import: --tz %s: not UTC, an offset such as +01:00 or a known "
		        "IANA zone\n", args->tz);
		return -1;
	}
	if (args->tz == NULL && args->config != NULL)
		tz.offset_s = (int)(conf->scoring.day_offset_ms / 1000);
	if (import_date_parse(args->time, &tz, ts_ms) != 0 || *ts_ms <= 0) {
		fprintf(stderr, "warmth-import: --time %s: not now, a date such as 2024-12-16 or an "
		        "RFC 3339 time\n", args->time);
		return -1;
	}
	return 0;
}

/* warmth-import csv FILE ...: the list's options checked, then converted. */
static int import_csv_main(struct import_args *args, const char *path)
{
	struct import_crm_options *crm = &args->crm;
	struct import_crm_segment *segs = NULL;
	struct conf_errors errs = { 0 };
	struct conf *conf = NULL;
	struct import_out out;
	int rc;

	if (crm->url_column == NULL || (crm->tags_column == NULL && crm->segment_column == NULL &&
	                                args->segment == NULL)) {
		fprintf(stderr, "warmth-import: csv needs --url-column and at least one of "
		        "--tags-column, --segment-column, --segment\n");
		return 2;
	}
	if (crm->segment_column != NULL && args->segment != NULL) {
		fprintf(stderr, "warmth-import: --segment and --segment-column exclude each other\n");
		return 2;
	}
	if (args->since != NULL || args->opt.message_text) {
		fprintf(stderr, "warmth-import: --since and --message-text are for linkedin\n");
		return 2;
	}
	if (args->delimiter != NULL && (crm->delimiter = import_delimiter(args->delimiter)) == 0) {
		fprintf(stderr, "warmth-import: --delimiter %s: not , ; | or tab\n", args->delimiter);
		return 2;
	}
	if (crm->tag_separators == NULL)
		crm->tag_separators = ",;";
	else if (crm->tag_separators[0] == '\0') {
		fprintf(stderr, "warmth-import: --tag-separator: give at least one character\n");
		return 2;
	}
	if (args->config != NULL) {
		/* The segments (and the zone, for --tz): the daemon's secrets are not the importer's concern. */
		static const char *const keys[] = { "time.zone", "time.future_tolerance", "segments", NULL };
		if (conf_load_only(args->config, keys, &conf, &errs) != 0) {
			conf_errors_print(&errs, stderr);
			conf_errors_free(&errs);
			return 1;
		}
		conf_errors_free(&errs);
	} else {
		conf = conf_load_defaults();
	}
	segs = import_segments(conf, &crm->nsegments);
	crm->segments = segs;
	rc = 0;
	if (args->segment != NULL) {
		crm->segment_tag = import_crm_segment_tag(segs, crm->nsegments, args->segment);
		if (crm->segment_tag == NULL) {
			fprintf(stderr, "warmth-import: --segment %s: no segment of %s of that name is "
			        "matched by tags\n", args->segment,
			        args->config ? args->config : "the default config");
			rc = 2;
		}
	}
	crm->future_ms = conf->future_tolerance_ms;
	if (rc == 0 && args->time != NULL && import_time(args, conf, &crm->ts_ms) != 0)
		rc = 2;
	if (rc == 0 && import_out_open(&out, args->output, args->opt.account) != 0)
		rc = 1;
	if (rc == 0) {
		out.id_prefix = "crm";
		rc = import_crm(path, crm, &out) == 0 ? 0 : 1;
		if (rc == 0)
			rc = import_out_commit(&out) == 0 ? 0 : 1;
		else
			import_out_abort(&out);
	}
	free(segs);
	conf_free(conf);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_ACCOUNT = 256, OPT_TZ, OPT_SINCE, OPT_TEXT, OPT_URL, OPT_TAGS, OPT_NAME,
	       OPT_SEGMENT_COLUMN, OPT_SEGMENT, OPT_DELIMITER, OPT_TAG_SEPARATOR, OPT_TIME };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "message-text", no_argument, NULL, OPT_TEXT },
		{ "url-column", required_argument, NULL, OPT_URL },
		{ "tags-column", required_argument, NULL, OPT_TAGS },
		{ "name-column", required_argument, NULL, OPT_NAME },
		{ "segment-column", required_argument, NULL, OPT_SEGMENT_COLUMN },
		{ "segment", required_argument, NULL, OPT_SEGMENT },
		{ "delimiter", required_argument, NULL, OPT_DELIMITER },
		{ "tag-separator", required_argument, NULL, OPT_TAG_SEPARATOR },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_args args;
	struct import_options *opt = &args.opt;
	struct import_archive *a;
	struct import_out out;
	struct buf err = { 0 };
	int ch, rc, csv;

	memset(&args, 0, sizeof(args));
	while ((ch = getopt_long(argc, argv, "o:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': args.output = optarg; break;
		case 'c': args.config = optarg; break;
		case OPT_ACCOUNT: opt->account = optarg; break;
		case OPT_TZ: args.tz = optarg; break;
		case OPT_SINCE: args.since = optarg; break;
		case OPT_TEXT: opt->message_text = 1; break;
		case OPT_URL: args.crm.url_column = optarg; break;
		case OPT_TAGS: args.crm.tags_column = optarg; break;
		case OPT_NAME: args.crm.name_column = optarg; break;
		case OPT_SEGMENT_COLUMN: args.crm.segment_column = optarg; break;
		case OPT_SEGMENT: args.segment = optarg; break;
		case OPT_DELIMITER: args.delimiter = optarg; break;
		case OPT_TAG_SEPARATOR: args.crm.tag_separators = optarg; break;
		case OPT_TIME: args.time = optarg; break;
		case 'h': import_usage(stdout); return 0;
		case 'V': printf("warmth-import %s\n", WARMTH_VERSION); return 0;
		default: import_usage(stderr); return 2;
		}
	}
	csv = argc - optind == 2 && strcmp(argv[optind], "csv") == 0;
	if (argc - optind != 2 || (!csv && strcmp(argv[optind], "linkedin") != 0)) {
		import_usage(stderr);
		return 2;
	}
	if (opt->account != NULL && (opt->account[0] == '\0' || strlen(opt->account) > 256)) {
		fprintf(stderr, "warmth-import: --account: must be 1 to 256 bytes\n");
		return 2;
	}
	if (csv)
		return import_csv_main(&args, argv[optind + 1]);
	if (args.crm.url_column != NULL || args.crm.tags_column != NULL ||
	    args.crm.name_column != NULL || args.crm.segment_column != NULL || args.segment != NULL ||
	    args.delimiter != NULL || args.crm.tag_separators != NULL || args.time != NULL) {
		fprintf(stderr, "warmth-import: the column, segment, delimiter, separator and time "
		        "options are for csv\n");
		return 2;
	}
	if (args.tz != NULL) {
		if (import_tz_parse(args.tz, &opt->tz) != 0) {
			fprintf(stderr, "warmth-import: --tz %s: not UTC, an offset such as +01:00 "
			        "or a known IANA zone\n", args.tz);
			return 2;
		}
	} else if (import_config_tz(args.config, &opt->tz) != 0) {
		return 1;
	}
	if (args.since != NULL && import_date_parse(args.since, &opt->tz, &opt->since_ms) != 0) {
		fprintf(stderr, "warmth-import: --since %s: not a date such as 2024-12-16\n", args.since);
		return 2;
	}
	a = import_archive_open(argv[optind + 1], &err);
	if (a == NULL) {
		fprintf(stderr, "warmth-import: %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	if (import_out_open(&out, args.output, opt->account) != 0) {
		import_archive_close(a);
		return 1;
	}
	rc = import_linkedin(a, opt, &out);
	if (rc == 0)
		rc = import_out_commit(&out);
	else
		import_out_abort(&out);
	import_archive_close(a);
	buf_free(&err);
	return rc == 0 ? 0 : 1;
}
