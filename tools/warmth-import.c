/*
 * warmth-import.c - brings what the user already knows into warmthd: turns
 * LinkedIn's "Download your data" archive (the zip or the folder it unpacks
 * to) into event lines of the v1 format, on stdout or atomically into a
 * file (-o) that warmthd tails like any other input.
 *
 *   warmth-import linkedin ARCHIVE [-o FILE] [-c CONFIG] [--account A]
 *                 [--tz ZONE] [--since DATE] [--message-text]
 *
 * Every event carries an id derived from its row, so importing the same
 * archive again, or a newer one holding the old rows, counts nothing twice.
 * Exit status: 0 done, 1 error (the output file is then left untouched),
 * 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "warmth/conf.h"

static void import_usage(FILE *f)
{
	fputs("usage: warmth-import linkedin ARCHIVE [-o FILE] [-c CONFIG] [--account A]\n"
	      "                     [--tz ZONE] [--since DATE] [--message-text]\n"
	      "  ARCHIVE          LinkedIn's data archive: the zip, or the folder it unpacks to\n"
	      "  -o, --output F   write the events to F atomically (default: stdout)\n"
	      "  -c, --config C   take the default --tz from C's time.zone\n"
	      "  --account A      the account the events belong to (default: none given)\n"
	      "  --tz ZONE        zone of the archive's naive times: UTC, +01:00 or an IANA\n"
	      "                   name such as Europe/Paris (default: the config's, else UTC)\n"
	      "  --since DATE     only events at or after DATE (2024-12-16 or RFC 3339)\n"
	      "  --message-text   include message content (private; left out by default)\n", f);
}

/*
 * --tz's default: the config's time.zone (an offset), else UTC. Only that
 * key is read: the daemon's secrets or a typo elsewhere are not the
 * importer's concern (conf_load_only).
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

int main(int argc, char **argv)
{
	enum { OPT_ACCOUNT = 256, OPT_TZ, OPT_SINCE, OPT_TEXT };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "message-text", no_argument, NULL, OPT_TEXT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_options opt = { 0 };
	const char *output = NULL, *config = NULL, *tz = NULL, *since = NULL;
	struct import_archive *a;
	struct import_out out;
	struct buf err = { 0 };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "o:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': output = optarg; break;
		case 'c': config = optarg; break;
		case OPT_ACCOUNT: opt.account = optarg; break;
		case OPT_TZ: tz = optarg; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_TEXT: opt.message_text = 1; break;
		case 'h': import_usage(stdout); return 0;
		case 'V': printf("warmth-import %s\n", WARMTH_VERSION); return 0;
		default: import_usage(stderr); return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "linkedin") != 0) {
		import_usage(stderr);
		return 2;
	}
	if (opt.account != NULL && (opt.account[0] == '\0' || strlen(opt.account) > 256)) {
		fprintf(stderr, "warmth-import: --account: must be 1 to 256 bytes\n");
		return 2;
	}
	if (tz != NULL) {
		if (import_tz_parse(tz, &opt.tz) != 0) {
			fprintf(stderr, "warmth-import: --tz %s: not UTC, an offset such as +01:00 "
			        "or a known IANA zone\n", tz);
			return 2;
		}
	} else if (import_config_tz(config, &opt.tz) != 0) {
		return 1;
	}
	if (since != NULL && import_date_parse(since, &opt.tz, &opt.since_ms) != 0) {
		fprintf(stderr, "warmth-import: --since %s: not a date such as 2024-12-16\n", since);
		return 2;
	}
	a = import_archive_open(argv[optind + 1], &err);
	if (a == NULL) {
		fprintf(stderr, "warmth-import: %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	if (import_out_open(&out, output, opt.account) != 0) {
		import_archive_close(a);
		return 1;
	}
	rc = import_linkedin(a, &opt, &out);
	if (rc == 0)
		rc = import_out_commit(&out);
	else
		import_out_abort(&out);
	import_archive_close(a);
	buf_free(&err);
	return rc == 0 ? 0 : 1;
}
