/*
 * warmthctl.c - the control CLI of warmthd: options, finding the state,
 * and dispatching one command (see INTERFACE.md "warmthctl").
 *
 * Every command but notifications asks the running daemon over its
 * control socket (-s, or control.socket of the config, or the default);
 * the read-only ones read a state database instead when --db names one,
 * read-only: SQLite's WAL lets a reader see the last committed batch
 * while the daemon writes. notifications reads only the database (--db,
 * or state.database of the config). An unreachable daemon is exit code
 * 3 with the remedy (--db) in the message. show, top, ready, export and
 * metrics print the same bytes either way (ctl_view.c).
 *
 * Options are parsed in two passes with one table: global options up to
 * the command, then the command's arguments, where the global options are
 * accepted too (people type "show alice --json"), and so are the options
 * of single commands (-n and --segment of top, --format of export), which
 * are then checked against the command.
 * "--" ends options, for an actor id that starts with a dash.
 *
 * With --db, warmth, segments and readiness are computed at read time
 * with the figures of the config (-c, or the default config when it
 * exists) or, without one, the built-in defaults (conf_load_defaults);
 * the daemon uses its own figures and its own "now".
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "warmth/conf.h"
#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/store.h"
#include "ctl.h"

/*
 * What warmthctl reads of the daemon's config: the socket, and for --db
 * (or the database of the config) the figures its answers are computed
 * with. Nothing else: a typo elsewhere, or a secret this user may not
 * read, must not keep anyone from asking the daemon that runs fine on the
 * config it loaded (conf_load_only).
 */
static const char *const ctl_socket_keys[] = { "control.socket", NULL };
static const char *const ctl_state_keys[] = { "state.database", "time",  "scoring", "readiness",
	                                      "segments",       "plan",  "notes",   "network",
	                                      NULL };

/*
 * After a config that did not load: when this user may not read it (the
 * service's config is often root's and the warmthd group's), says what to
 * do about that, which "cannot open: Permission denied" alone does not.
 */
static void ctl_config_unreadable_hint(const char *config, const char *instead)
{
	if (access(config, R_OK) == 0 || errno != EACCES)
		return;
	ctl_error("%s: you may not read it: run warmthctl with sudo, join the group that may "
	          "(ls -l %s), or give %s",
	          config, config, instead);
}

/* The daemon's default control socket (conf.c's default for control.socket). */
#define CTL_DEFAULT_SOCKET "/run/warmthd/control.sock"
#define CTL_TOP_DEFAULT 10
/* A screenful of a search; the daemon pages at most 500. */
#define CTL_CONTACTS_DEFAULT 50

/* The options as given, before they are checked against the command. */
struct ctl_options {
	const char *socket;   /* -s */
	const char *db;       /* --db */
	const char *config;   /* -c */
	const char *top_n;    /* -n */
	const char *segment;  /* --segment */
	const char *format;   /* --format */
	const char *search;   /* contacts --search */
	const char *after;    /* contacts --after */
	int json;
	const char *account;
	int notify_state;     /* --pending, --failed: CTL_NOTIFY_* */
};

struct ctl_command {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv); /* NULL: not from the database */
	int min_args, max_args;                             /* operands after the name */
	const char *synopsis;
	int via;                                            /* CTL_VIA_* */
};

/* Where a command is answered: by the database only, by the daemon only,
   or by the daemon unless --db names a database. */
#define CTL_VIA_DB 0
#define CTL_VIA_SOCKET 1
#define CTL_VIA_EITHER 2

static const struct ctl_command ctl_commands[] = {
	{ "status", ctl_cmd_status, 0, 0, "status", CTL_VIA_EITHER },
	{ "show", ctl_cmd_show, 1, 1, "show ACTOR", CTL_VIA_EITHER },
	{ "top", ctl_cmd_top, 0, 0, "top [-n N] [--segment S]", CTL_VIA_EITHER },
	{ "ready", ctl_cmd_ready, 0, 0, "ready [--segment S]", CTL_VIA_EITHER },
	{ "metrics", ctl_cmd_metrics, 0, 0, "metrics", CTL_VIA_EITHER },
	{ "plan", ctl_cmd_plan, 0, 0, "plan", CTL_VIA_EITHER },
	{ "export", ctl_cmd_export, 0, 0, "export [--format text|jsonl|csv]", CTL_VIA_EITHER },
	{ "notifications", ctl_cmd_notifications, 0, 0, "notifications [--pending|--failed]",
	  CTL_VIA_DB },
	{ "snooze", NULL, 2, 2, "snooze ACTOR DURATION", CTL_VIA_SOCKET },
	{ "unsnooze", NULL, 1, 1, "unsnooze ACTOR", CTL_VIA_SOCKET },
	{ "mark", NULL, 2, 2, "mark ACTOR invited|accepted|declined|withdrawn|dismissed",
	  CTL_VIA_SOCKET },
	{ "reload", NULL, 0, 0, "reload", CTL_VIA_SOCKET },
	{ "ping", NULL, 0, 0, "ping", CTL_VIA_SOCKET },
	{ "notify-test", NULL, 1, 1, "notify-test SINK", CTL_VIA_SOCKET },
	{ "redeliver", NULL, 1, 1, "redeliver ID", CTL_VIA_SOCKET },
	{ "dashboard", NULL, 0, 0, "dashboard", CTL_VIA_SOCKET },
	{ "contacts", NULL, 0, 0, "contacts [--search Q] [-n N] [--after CURSOR]", CTL_VIA_SOCKET },
};

/* Longer than the longest notifier timeout (10m) and exec's kill grace. */
#define CTL_NOTIFY_TEST_TIMEOUT_S 660

/* The states "mark" accepts, checked here so that a typo is a usage error
   whether or not the daemon can be reached. */
static const char *const ctl_mark_states[] = { "invited", "accepted", "declined", "withdrawn",
	                                       "dismissed" };

static const struct option ctl_long_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "db", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "account", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "pending", no_argument, NULL, 'P' },
	{ "failed", no_argument, NULL, 'F' },
	{ "segment", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'f' },
	{ "search", required_argument, NULL, 'Q' },
	{ "after", required_argument, NULL, 'A' },
	{ NULL, 0, NULL, 0 },
};

static void ctl_usage(FILE *out)
{
	fprintf(out,
	        "usage: warmthctl [-s SOCKET | --db STATE.db] [-c CONFIG] [--json] [--account NAME]\n"
	        "                 COMMAND [ARGS]\n"
	        "read-only commands (asking the running daemon, or reading --db STATE.db):\n"
	        "  status                 counters, contacts, inputs and their offsets\n"
	        "  show ACTOR             one contact\n"
	        "  top [-n N] [--segment S]\n"
	        "                         the warmest contacts (N default %d), of one segment\n"
	        "  ready [--segment S]    contacts ready for an invitation\n"
	        "  metrics                follower and connection counts, ratio\n"
	        "  plan                   this week: whom to invite (with notes), who waits for\n"
	        "                         the budget, whom to engage with, what to withdraw\n"
	        "  contacts [--search Q] [-n N] [--after CURSOR]\n"
	        "                         one page of contacts by name (N default %d), those\n"
	        "                         whose name or actor holds Q (any case); the page's\n"
	        "                         last line is the CURSOR of the next (daemon only)\n"
	        "  export [--format text|jsonl|csv]\n"
	        "                         every contact: tab-separated text, one JSON object\n"
	        "                         per line (the default with --json), or CSV\n"
	        "  notifications [--pending|--failed]\n"
	        "                         the outbox: each notification and its deliveries\n"
	        "                         (from the database: --db, or the config's)\n"
	        "commands for the running daemon only:\n"
	        "  ping                   whether it runs: its version and process id\n"
	        "  reload                 reload its configuration (names the keys that need a\n"
	        "                         restart)\n"
	        "  snooze ACTOR DURATION, unsnooze ACTOR,\n"
	        "  mark ACTOR invited|accepted|declined|withdrawn|dismissed\n"
	        "  notify-test SINK       send a sample record through one notifier (its name\n"
	        "                         as notifications shows it, or its type)\n"
	        "  redeliver ID           send a delivered or failed notification again\n"
	        "  dashboard              the dashboard's address with its token (http.dashboard)\n"
	        "options:\n"
	        "  -s, --socket SOCKET    the daemon's control socket (default: from the config)\n"
	        "      --db STATE.db      read a state database directly, read-only, instead\n"
	        "  -c, --config FILE      warmthd's config (default " CONF_DEFAULT_PATH ")\n"
	        "      --json             machine-readable JSON\n"
	        "      --account NAME     the account (default \"" CTL_DEFAULT_ACCOUNT "\")\n"
	        "  -h, --help             this help;  --version  the version\n"
	        "exit status: 0 ok, 1 error, 2 usage, 3 daemon not reachable\n",
	        CTL_TOP_DEFAULT, CTL_CONTACTS_DEFAULT);
}

/* Prints the short usage hint that follows every usage error; returns 2. */
static int ctl_usage_error(void)
{
	fputs("usage: warmthctl [-s SOCKET | --db STATE.db] [-c CONFIG] [--json] [--account NAME] "
	      "COMMAND [ARGS]\n(warmthctl --help lists the commands)\n",
	      stderr);
	return CTL_EXIT_USAGE;
}

/*
 * Runs getopt_long over argv from optind's current meaning. Returns 0,
 * 1 when the process is done (help or version printed), or -1 on a usage
 * error (getopt has printed why).
 */
static int ctl_getopt(int argc, char **argv, const char *optstring, struct ctl_options *o)
{
	int ch;

	/* Our own messages: getopt's would name the program by its full path. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstring, ctl_long_options, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->socket = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'a':
			if (*optarg == '\0') {
				ctl_error("--account: the name is empty");
				return -1;
			}
			o->account = optarg;
			break;
		case 'n':
			o->top_n = optarg;
			break;
		case 'S':
			o->segment = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'Q':
			o->search = optarg;
			break;
		case 'A':
			o->after = optarg;
			break;
		case 'P':
		case 'F':
			if (o->notify_state != CTL_NOTIFY_ALL) {
				ctl_error("--pending and --failed exclude each other");
				return -1;
			}
			o->notify_state = ch == 'P' ? CTL_NOTIFY_PENDING : CTL_NOTIFY_FAILED;
			break;
		case 'h':
			ctl_usage(stdout);
			return 1;
		case 'V':
			printf("warmthctl %s\n", WARMTH_VERSION);
			return 1;
		case ':':
			ctl_error("option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			/* optopt names a bad short option even inside "-jx"; an
			   unknown long option leaves it 0 and is the last word. */
			if (optopt != 0)
				ctl_error("unknown option -%c", optopt);
			else
				ctl_error("unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static const struct ctl_command *ctl_find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctl_commands); i++)
		if (strcmp(ctl_commands[i].name, name) == 0)
			return &ctl_commands[i];
	return NULL;
}

/* Checks a command's operands: their number, and the values that can be
   checked without the daemon. Returns 0 or -1 (message printed). */
static int ctl_check_operands(const struct ctl_command *cmd, int nargs, char **args)
{
	int64_t ms;

	if (nargs < cmd->min_args) {
		ctl_error("%s: missing arguments (usage: warmthctl %s)", cmd->name, cmd->synopsis);
		return -1;
	}
	if (nargs > cmd->max_args) {
		ctl_error("%s: unexpected argument \"%s\" (usage: warmthctl %s)", cmd->name,
		          args[cmd->max_args], cmd->synopsis);
		return -1;
	}
	if (strcmp(cmd->name, "snooze") == 0 && parse_duration_ms(args[1], &ms) < 0) {
		ctl_error("snooze: \"%s\" is not a duration (examples: 90m, 36h, 14d, 2w)", args[1]);
		return -1;
	}
	if (strcmp(cmd->name, "mark") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(ctl_mark_states); i++)
			if (strcmp(args[1], ctl_mark_states[i]) == 0)
				return 0;
		ctl_error("mark: \"%s\" is not one of invited, accepted, declined, withdrawn, "
		          "dismissed",
		          args[1]);
		return -1;
	}
	return 0;
}

/* Parses top's -n: a positive whole number. */
static int ctl_parse_top_n(const char *s, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1) {
		ctl_error("-n needs a positive whole number, not \"%s\"", s);
		return -1;
	}
	*out = n;
	return 0;
}

/* Parses export's --format; -1 for a name it does not know (message printed). */
static int ctl_parse_format(const char *s, int *out)
{
	static const struct {
		const char *name;
		int format;
	} formats[] = { { "text", CTL_FORMAT_TEXT }, { "jsonl", CTL_FORMAT_JSONL },
		        { "csv", CTL_FORMAT_CSV } };

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	ctl_error("export: --format is text, jsonl or csv, not \"%s\"", s);
	return -1;
}

/*
 * Finds the state database: --db, else the config's state.database when
 * a config is named with -c or the default one exists. Returns 0 with
 * *path set (owned by *conf when it came from the config), or an exit code:
 * CTL_EXIT_UNREACHABLE when only a socket could answer, CTL_EXIT_ERROR for
 * a config that does not load (its errors printed).
 */
static int ctl_find_database(const struct ctl_options *o, struct conf **conf, const char **path)
{
	struct conf_errors errs = { 0 };
	const char *config = o->config;

	*conf = NULL;
	if (o->db != NULL) {
		*path = o->db;
		return 0;
	}
	if (o->socket == NULL && config == NULL && access(CONF_DEFAULT_PATH, F_OK) == 0)
		config = CONF_DEFAULT_PATH;
	if (o->socket != NULL) {
		ctl_error("this command reads the state database, not the control socket: use "
		          "--db STATE.db or -c CONFIG");
		return ctl_usage_error();
	}
	if (config == NULL) {
		ctl_error("cannot reach warmthd's state: give --db STATE.db or -c CONFIG (there is no "
		          "%s)", CONF_DEFAULT_PATH);
		return CTL_EXIT_UNREACHABLE;
	}
	if (conf_load_only(config, ctl_state_keys, conf, &errs) < 0) {
		for (size_t i = 0; i < errs.count; i++)
			ctl_error("%s", errs.msgs[i]);
		conf_errors_free(&errs);
		ctl_config_unreadable_hint(config, "the database with --db STATE.db");
		ctl_error("%s: cannot use this config to find the state database; use --db "
		          "STATE.db",
		          config);
		return CTL_EXIT_ERROR;
	}
	*path = (*conf)->database;
	return 0;
}

/*
 * Runs a command on the daemon: the socket is -s, else control.socket of
 * the config (-c, or the default one when it exists), else the default.
 */
/* The request's "args": the contact and what to do, for the changing commands. */
static void ctl_socket_args(const struct ctl_options *o, const struct ctl_command *cmd, char **argv,
                            struct buf *args)
{
	struct json *j;

	if (strcmp(cmd->name, "notify-test") == 0 || strcmp(cmd->name, "redeliver") == 0) {
		j = json_new(args, 0);
		json_object_open(j);
		json_kv_str(j, cmd->name[0] == 'n' ? "sink" : "id", argv[1]);
		json_object_close(j);
		json_free(j);
		return;
	}
	if (strcmp(cmd->name, "snooze") != 0 && strcmp(cmd->name, "unsnooze") != 0 &&
	    strcmp(cmd->name, "mark") != 0)
		return;
	j = json_new(args, 0);
	json_object_open(j);
	json_kv_str(j, "actor", argv[1]);
	json_kv_str(j, "account", o->account ? o->account : CTL_DEFAULT_ACCOUNT);
	if (strcmp(cmd->name, "snooze") == 0)
		json_kv_str(j, "duration", argv[2]);
	else if (strcmp(cmd->name, "mark") == 0)
		json_kv_str(j, "state", argv[2]);
	json_object_close(j);
	json_free(j);
}

/*
 * The replies of notify-test ("test notification delivered to SINK") and
 * of redeliver ID ("ID: redelivering to SINK, SINK") for people.
 */
static int ctl_print_sinks(const char *id, const char *json_text)
{
	const char *path[] = { id != NULL ? "sinks" : "sink", NULL };
	yajl_val root = yajl_tree_parse(json_text, NULL, 0);
	yajl_val v = root != NULL ? yajl_tree_get(root, path, yajl_t_any) : NULL;

	if (v == NULL || (id != NULL ? !YAJL_IS_ARRAY(v) : !YAJL_IS_STRING(v))) {
		yajl_tree_free(root);
		ctl_error("unexpected reply from the daemon: %s", json_text);
		return CTL_EXIT_ERROR;
	}
	if (id == NULL) {
		printf("test notification delivered to ");
		ctl_print_clean(stdout, YAJL_GET_STRING(v));
	} else {
		ctl_print_clean(stdout, id);
		printf(": redelivering to ");
		for (size_t i = 0; i < v->u.array.len; i++) {
			printf("%s", i > 0 ? ", " : "");
			ctl_print_clean(stdout, YAJL_GET_STRING(v->u.array.values[i]));
		}
	}
	printf("\n");
	yajl_tree_free(root);
	return CTL_EXIT_OK;
}

/*
 * The daemon's socket: -s, else control.socket of the config (-c, or the
 * default one when it exists), else the default. Returns 0 with *path
 * (owned by *conf when it came from the config), or CTL_EXIT_ERROR for
 * a config that does not load (its errors printed).
 */
static int ctl_socket_path(const struct ctl_options *o, struct conf **conf, const char **path)
{
	struct conf_errors errs = { 0 };
	const char *config = o->config;

	*conf = NULL;
	*path = o->socket;
	if (*path == NULL && config == NULL && access(CONF_DEFAULT_PATH, F_OK) == 0)
		config = CONF_DEFAULT_PATH;
	if (*path == NULL && config != NULL) {
		if (conf_load_only(config, ctl_socket_keys, conf, &errs) < 0) {
			for (size_t i = 0; i < errs.count; i++)
				ctl_error("%s", errs.msgs[i]);
			conf_errors_free(&errs);
			ctl_config_unreadable_hint(config, "the socket with -s SOCKET");
			ctl_error("%s: cannot use this config to find the control socket; use -s SOCKET "
			          "(or --db STATE.db)",
			          config);
			return CTL_EXIT_ERROR;
		}
		*path = (*conf)->socket;
	}
	if (*path == NULL)
		*path = CTL_DEFAULT_SOCKET;
	return 0;
}

/*
 * dashboard's reply for people: the address alone, to open or paste. The
 * token is in its fragment, which a browser never sends to the server.
 */
static int ctl_print_dashboard(const char *json_text)
{
	const char *path[] = { "url", NULL };
	yajl_val root = yajl_tree_parse(json_text, NULL, 0);
	yajl_val v = root != NULL ? yajl_tree_get(root, path, yajl_t_string) : NULL;

	if (v == NULL) {
		yajl_tree_free(root);
		ctl_error("unexpected reply from the daemon: %s", json_text);
		return CTL_EXIT_ERROR;
	}
	ctl_print_clean(stdout, YAJL_GET_STRING(v));
	printf("\n");
	yajl_tree_free(root);
	return CTL_EXIT_OK;
}

/*
 * reload's reply for people: "configuration reloaded", and the keys that
 * changed but keep their old value until a restart.
 */
static int ctl_print_reload(const char *json_text)
{
	const char *path[] = { "restart_needed", NULL };
	yajl_val root = yajl_tree_parse(json_text, NULL, 0);
	yajl_val v = root != NULL ? yajl_tree_get(root, path, yajl_t_array) : NULL;

	if (root == NULL) {
		ctl_error("unexpected reply from the daemon: %s", json_text);
		return CTL_EXIT_ERROR;
	}
	printf("configuration reloaded\n");
	for (size_t i = 0; v != NULL && i < v->u.array.len; i++) {
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			continue;
		ctl_print_clean(stdout, YAJL_GET_STRING(v->u.array.values[i]));
		printf(" changed: it takes effect at a restart (systemctl restart warmthd); the "
		       "running daemon keeps the value it started with\n");
	}
	yajl_tree_free(root);
	return CTL_EXIT_OK;
}

static int ctl_over_socket(const struct ctl_options *o, const struct ctl_command *cmd, char **argv)
{
	struct buf args = { 0 };
	struct conf *conf = NULL;
	struct buf result = { 0 };
	const char *path;
	int rc;

	if (o->db != NULL) {
		ctl_error("%s talks to the running daemon: use -s SOCKET, not --db", cmd->name);
		return ctl_usage_error();
	}
	if ((rc = ctl_socket_path(o, &conf, &path)) != 0)
		return rc;
	ctl_socket_args(o, cmd, argv, &args);
	if (strcmp(cmd->name, "notify-test") == 0)
		ctl_socket_set_timeout(CTL_NOTIFY_TEST_TIMEOUT_S);
	rc = ctl_socket_call(path, cmd->name, args.len ? buf_cstr(&args) : NULL, &result);
	buf_free(&args);
	if (rc == CTL_EXIT_OK) {
		if (o->json)
			printf("%s\n", buf_cstr(&result));
		else if (strcmp(cmd->name, "reload") == 0)
			rc = ctl_print_reload(buf_cstr(&result));
		else if (strcmp(cmd->name, "dashboard") == 0)
			rc = ctl_print_dashboard(buf_cstr(&result));
		else if (strcmp(cmd->name, "status") == 0)
			rc = ctl_print_status_text(buf_cstr(&result));
		else if (strcmp(cmd->name, "mark") == 0)
			printf("%s: marked %s\n", argv[1], argv[2]);
		else if (strcmp(cmd->name, "notify-test") == 0)
			rc = ctl_print_sinks(NULL, buf_cstr(&result));
		else if (strcmp(cmd->name, "redeliver") == 0)
			rc = ctl_print_sinks(argv[1], buf_cstr(&result));
		else if (strcmp(cmd->name, "ping") != 0)
			printf("%s: %sd\n", argv[1], cmd->name); /* snoozed, unsnoozed */
		else
			printf("warmthd is running: %s\n", buf_cstr(&result));
	}
	buf_free(&result);
	if (conf != NULL)
		conf_free(conf);
	return rc;
}

/*
 * A command the daemon answers: show, top, ready, export and metrics
 * through ctl_view.c (pages, the same output as --db), the others
 * through ctl_over_socket.
 */
static int ctl_socket_command(const struct ctl_options *o, const struct ctl *ctl,
                              const struct ctl_command *cmd, char **argv)
{
	struct conf *conf = NULL;
	const char *path;
	int rc;

	if (strcmp(cmd->name, "contacts") == 0) {
		if (o->db != NULL) {
			ctl_error("contacts talks to the running daemon: use -s SOCKET, not --db");
			return ctl_usage_error();
		}
		if ((rc = ctl_socket_path(o, &conf, &path)) != 0)
			return rc;
		rc = ctl_view_over_socket(ctl, path, cmd->name, NULL);
		if (conf != NULL)
			conf_free(conf);
		return rc;
	}
	if (cmd->via == CTL_VIA_SOCKET || strcmp(cmd->name, "status") == 0)
		return ctl_over_socket(o, cmd, argv);
	if ((rc = ctl_socket_path(o, &conf, &path)) != 0)
		return rc;
	rc = ctl_view_over_socket(ctl, path, cmd->name, cmd->min_args > 0 ? argv[1] : NULL);
	if (conf != NULL)
		conf_free(conf);
	return rc;
}

/*
 * The config whose figures the commands use when the database was named
 * with --db: -c (which must load), else the default config if it exists
 * and loads (a broken one is reported and the defaults are used: the
 * database is what was asked for), else the defaults.
 */
static int ctl_figures(const struct ctl_options *o, struct conf **conf, int *builtin)
{
	struct conf_errors errs = { 0 };
	const char *config = o->config;

	if (config == NULL && access(CONF_DEFAULT_PATH, F_OK) == 0)
		config = CONF_DEFAULT_PATH;
	if (config != NULL && conf_load_only(config, ctl_state_keys, conf, &errs) < 0) {
		for (size_t i = 0; i < errs.count; i++)
			ctl_error("%s", errs.msgs[i]);
		conf_errors_free(&errs);
		if (o->config != NULL)
			return CTL_EXIT_ERROR;
		ctl_error("%s: using the built-in scoring and readiness defaults instead", config);
	}
	*builtin = *conf == NULL;
	if (*conf == NULL)
		*conf = conf_load_defaults();
	return CTL_EXIT_OK;
}

/*
 * Without a config, the database says which clock the daemon that wrote it
 * kept (time.source, stored with the counters): a database of event time
 * read on the wall clock would date every engagement months back, and
 * call everyone cold.
 */
static int ctl_db_clock_is_events(const struct ctl *ctl)
{
	struct store_counters counters;

	return store_load_counters(ctl->store, &counters) == 0 && counters.time_source == 2;
}

/* Opens the store, runs the command, closes the store. */
static int ctl_run(struct ctl *ctl, const struct ctl_command *cmd, int argc, char **argv)
{
	char err[512];
	int rc;

	if (store_open(ctl->db_path, 1, 0, &ctl->store, err, sizeof(err)) < 0) {
		ctl_error("%s", err);
		/* The service's database is its own (StateDirectoryMode=0750). */
		if (access(ctl->db_path, R_OK) != 0 && errno == EACCES)
			ctl_error("%s: you may not read it: run warmthctl with sudo, or ask the running "
			          "daemon instead (without --db)",
			          ctl->db_path);
		return CTL_EXIT_ERROR;
	}
	ctl->now_ms = time_now_ms();
	if (ctl->conf->time_source == CONF_TIME_EVENT || (ctl->conf_builtin && ctl_db_clock_is_events(ctl))) {
		/* The daemon's committed event clock, held to the wall clock plus
		   time.future_tolerance as the daemon holds it (a clock stored in
		   2099 by an older version must not be "now"). */
		ctl->now_ms = store_event_clock_ms(ctl->store,
		                                   time_now_ms() + ctl->conf->future_tolerance_ms);
		if (ctl->now_ms < 0) {
			ctl_error("%s: cannot read the newest event time", ctl->db_path);
			store_close(ctl->store);
			ctl->store = NULL;
			return CTL_EXIT_ERROR;
		}
	}
	rc = ctl_load_accounts(ctl) < 0 ? CTL_EXIT_ERROR : cmd->run(ctl, argc, argv);
	ctl_free_accounts(ctl);
	store_close(ctl->store);
	ctl->store = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct ctl_options o = { 0 };
	struct ctl ctl = { 0 };
	const struct ctl_command *cmd;
	struct conf *conf = NULL;
	char **args;
	int nargs, rc;

	/* Messages from the library are for a person at a terminal here, not
	   for journald: no "<N>" priority prefixes, and only warnings. */
	log_set_prefix(0);
	log_set_level(LOG_LEVEL_WARNING);
	ctl_style_init();

	/* Pass 1: "+" stops at the command, so its options stay its own. */
	rc = ctl_getopt(argc, argv, "+:s:c:hn:", &o);
	if (rc != 0)
		return rc > 0 ? CTL_EXIT_OK : ctl_usage_error();
	if (optind >= argc) {
		ctl_error("no command given");
		return ctl_usage_error();
	}
	cmd = ctl_find_command(argv[optind]);
	if (cmd == NULL) {
		ctl_error("unknown command \"%s\"", argv[optind]);
		return ctl_usage_error();
	}

	/* Pass 2 over the command and its arguments; optind = 0 makes glibc
	   start afresh, at index 1 of the new vector (the command is argv[0]). */
	args = argv + optind;
	nargs = argc - optind;
	optind = 0;
	rc = ctl_getopt(nargs, args, ":s:c:hn:", &o);
	if (rc != 0)
		return rc > 0 ? CTL_EXIT_OK : ctl_usage_error();
	/* The operands follow the command: move them to just after it. */
	for (int i = optind; i < nargs; i++)
		args[1 + i - optind] = args[i];
	nargs = 1 + nargs - optind;

	if (o.socket != NULL && o.db != NULL) {
		ctl_error("-s and --db exclude each other: talk to the daemon or read a database");
		return ctl_usage_error();
	}
	ctl.top_n = strcmp(cmd->name, "contacts") == 0 ? CTL_CONTACTS_DEFAULT : CTL_TOP_DEFAULT;
	if (o.top_n != NULL) {
		if (strcmp(cmd->name, "top") != 0 && strcmp(cmd->name, "contacts") != 0) {
			ctl_error("%s: -n is an option of top and contacts only", cmd->name);
			return ctl_usage_error();
		}
		if (ctl_parse_top_n(o.top_n, &ctl.top_n) < 0)
			return ctl_usage_error();
	}
	if (o.segment != NULL && strcmp(cmd->name, "top") != 0 && strcmp(cmd->name, "ready") != 0 &&
	    strcmp(cmd->name, "contacts") != 0) {
		ctl_error("%s: --segment is an option of top, ready and contacts only", cmd->name);
		return ctl_usage_error();
	}
	ctl.segment = o.segment;
	if ((o.search != NULL || o.after != NULL) && strcmp(cmd->name, "contacts") != 0) {
		ctl_error("%s: --search and --after are options of contacts only", cmd->name);
		return ctl_usage_error();
	}
	ctl.search = o.search;
	ctl.after = o.after;
	/* Without --format, --json keeps meaning what it always did: JSON Lines. */
	ctl.export_format = o.json ? CTL_FORMAT_JSONL : CTL_FORMAT_TEXT;
	if (o.format != NULL) {
		if (strcmp(cmd->name, "export") != 0) {
			ctl_error("%s: --format is an option of export only", cmd->name);
			return ctl_usage_error();
		}
		if (ctl_parse_format(o.format, &ctl.export_format) < 0)
			return ctl_usage_error();
	}
	if (o.notify_state != CTL_NOTIFY_ALL && strcmp(cmd->name, "notifications") != 0) {
		ctl_error("%s: --pending and --failed are options of notifications only", cmd->name);
		return ctl_usage_error();
	}
	ctl.notify_state = o.notify_state;
	if (ctl_check_operands(cmd, nargs - 1, args + 1) < 0)
		return ctl_usage_error();
	ctl.json = o.json;
	ctl.account = o.account ? o.account : CTL_DEFAULT_ACCOUNT;
	ctl.account_given = o.account != NULL;
	/* The read commands ask the running daemon unless --db names a database. */
	if (cmd->via == CTL_VIA_SOCKET || (cmd->via == CTL_VIA_EITHER && o.db == NULL)) {
		rc = ctl_socket_command(&o, &ctl, cmd, args);
		goto flush;
	}
	/* Every command either reads the database or goes to the socket. */
	assert(cmd->run != NULL);

	rc = ctl_find_database(&o, &conf, &ctl.db_path);
	if (rc != 0)
		return rc;
	if (conf == NULL && (rc = ctl_figures(&o, &conf, &ctl.conf_builtin)) != 0)
		return rc;
	ctl.conf = conf;
	rc = ctl_run(&ctl, cmd, nargs, args);
	if (conf != NULL)
		conf_free(conf);
flush:

	/* Output is buffered: a full disk or a closed pipe shows only now. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (rc == CTL_EXIT_OK)
			ctl_error("writing the output: %s", strerror(errno ? errno : EIO));
		return CTL_EXIT_ERROR;
	}
	return rc;
}
