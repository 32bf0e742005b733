/*
 * ctl.h - what the files of warmthctl share: the invocation (struct ctl),
 * the commands (ctl_commands.c) and the output helpers (ctl_output.c).
 *
 * warmthctl.c parses options and dispatches one command, to the daemon's
 * control socket or, with --db, to the commands here that read the store
 * through a read-only handle. Either way the output is compact JSON (one
 * line per object, the keys of INTERFACE.md) or aligned text for people,
 * printed by ctl_view.c from the same JSON. A command returns the
 * process exit code (CTL_EXIT_*), having printed its own error message.
 */
#ifndef WARMTH_CTL_H
#define WARMTH_CTL_H

#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_tree.h>

#include "warmth/conf.h"
#include "warmth/contact.h"
#include "warmth/json.h"
#include "warmth/rules.h"
#include "warmth/store.h"
#include "warmth/view.h"

/* The exit codes of INTERFACE.md. */
#define CTL_EXIT_OK 0
#define CTL_EXIT_ERROR 1
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_UNREACHABLE 3

/* Which notifications "notifications" lists. */
#define CTL_NOTIFY_ALL 0
#define CTL_NOTIFY_PENDING 1
#define CTL_NOTIFY_FAILED 2

/* export --format. */
#define CTL_FORMAT_TEXT 0
#define CTL_FORMAT_JSONL 1
#define CTL_FORMAT_CSV 2

/* The account commands use when --account is not given. */
#define CTL_DEFAULT_ACCOUNT "default"

/* One account of the store, loaded once at start (there are few). */
struct ctl_account {
	uint32_t id;
	char *name;            /* owned */
	int64_t followers;     /* -1 unknown */
	int64_t connections;   /* -1 unknown */
	int64_t snapshot_ms;   /* 0: no snapshot yet */
	int64_t budget_used;   /* invitations in the budget window at ctl->now_ms */
	struct rules_budget *budget; /* a copy of the account's (owned), NULL if none */
	int64_t connections_now; /* the snapshot's plus the changes since (ratio_current) */
};

/* One invocation of warmthctl. */
struct ctl {
	struct store *store;
	const char *db_path;          /* as given, or the config's state.database */
	int json;                     /* --json */
	const char *account;          /* --account NAME, or CTL_DEFAULT_ACCOUNT */
	int account_given;            /* --account was on the command line */
	long top_n;                   /* top -n N */
	const char *segment;          /* top, ready --segment S: only that segment; NULL all */
	const char *search;           /* contacts --search Q; NULL: all */
	const char *after;            /* contacts --after CURSOR: the page after it; NULL: the first */
	int export_format;            /* export --format: CTL_FORMAT_* */
	int notify_state;             /* notifications --pending / --failed: CTL_NOTIFY_* */
	struct ctl_account *accounts; /* in id order */
	size_t naccounts;
	/*
	 * The scoring, segment and readiness figures: the config's (-c, or the
	 * default config when it exists), else the built-in defaults.
	 */
	const struct conf *conf;
	int conf_builtin;             /* no config file was read: the built-in figures */
	/*
	 * "now" for warmth and readiness: the clock, or with time.source:
	 * event the daemon's event clock as it committed it (the newest
	 * accepted event of any kind, snapshots too: store_event_clock_ms),
	 * so that both answer at the same moment.
	 */
	int64_t now_ms;
};

/*
 * --- ctl_commands.c ---
 * Each command returns a CTL_EXIT_* code, having printed any error. argv[0]
 * is the command and argv[1..argc) its operands, whose number warmthctl.c
 * has already checked against its command table.
 */

int ctl_cmd_status(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_show(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_top(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_ready(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_plan(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_metrics(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_export(struct ctl *ctl, int argc, char **argv);
int ctl_cmd_notifications(struct ctl *ctl, int argc, char **argv);

/* Loads the accounts table into ctl; 0 or -1 (message printed). */
int ctl_load_accounts(struct ctl *ctl);
void ctl_free_accounts(struct ctl *ctl);
/* The account with id, or NULL. */
const struct ctl_account *ctl_account_by_id(const struct ctl *ctl, uint32_t id);
/* The account named name, or NULL. */
const struct ctl_account *ctl_account_by_name(const struct ctl *ctl, const char *name);
/* The name of account id, or "?" for an id the table does not have. */
const char *ctl_account_name(const struct ctl *ctl, uint32_t id);

/* --- ctl_output.c: what a contact looks like to a user or a script. --- */

/* Prints "warmthctl: " and the message to stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Width of the key column of status and metrics text output. */
#define CTL_STATUS_KEY_WIDTH 20
/*
 * The account a per-account command is about (ctl_commands.c): 0 with
 * *out set; 1 for the implicit default account when the database has none
 * yet; -1 (message printed) when --account names an unknown account.
 */
struct ctl_account;
int ctl_resolve_account(const struct ctl *ctl, const struct ctl_account **out);

/*
 * ctl_socket.c: sends {"v":1,"cmd":cmd,"args":args_json} to the daemon at
 * path and appends the reply's result (JSON text) to result. Returns
 * CTL_EXIT_OK, CTL_EXIT_UNREACHABLE (message printed, with the remedy),
 * or CTL_EXIT_ERROR / CTL_EXIT_USAGE for an error reply (message printed).
 */
struct buf;
int ctl_socket_call(const char *path, const char *cmd, const char *args_json, struct buf *result);
/*
 * The same in steps, for commands that send several requests on one
 * connection (pages of export): open returns CTL_EXIT_OK with *fd or
 * CTL_EXIT_UNREACHABLE; request is ctl_socket_call on it, and on an
 * error reply sets *code (if not NULL) to the error's code, valid until
 * the next request.
 */
int ctl_socket_open(const char *path, int *fd);
int ctl_socket_request(int fd, const char *path, const char *cmd, const char *args_json,
                       struct buf *result, const char **code);
/*
 * How long ctl_socket_call waits for a reply (default 30 s): notify-test
 * waits for a notifier, whose own timeout may be up to 10 minutes.
 */
void ctl_socket_set_timeout(int seconds);
/* ctl_status.c: the status JSON (the daemon's or --db's) as aligned text, one set of labels. */
int ctl_print_status_text(const char *json_text);

/* A text table whose columns are as wide as their widest cell. */
struct ctl_table {
	size_t ncols;
	const char *const *headers;
	const int *right;      /* per column: right-aligned (numbers) */
	char **cells;          /* nrows * ncols owned strings */
	size_t nrows;
	/* The style of a cell (CTL_STYLE_RESET: none), or NULL for none at all;
	   headers are bold whenever colour is on. */
	enum ctl_style (*cell_style)(size_t col, const char *cell);
};
void ctl_table_init(struct ctl_table *t, size_t ncols, const char *const *headers,
                    const int *right);
/* Adds a row of t->ncols strings (copied, control characters made spaces). */
void ctl_table_add(struct ctl_table *t, const char *const *row);
void ctl_table_print(const struct ctl_table *t, FILE *out);
void ctl_table_free(struct ctl_table *t);

/*
 * The view of contacts (view.h) at ctl->now_ms with ctl->conf, and what
 * readiness needs of account id (its name, connections, budget used).
 */
struct view ctl_view(const struct ctl *ctl);
struct view_account ctl_view_account(const struct ctl *ctl, uint32_t id);

/*
 * --- ctl_view.c: the output of show, top, ready, export and metrics,
 * printed from their JSON whether it was made here (--db) or by the
 * daemon (the socket), so both give the same bytes. ---
 */
/* Members of a parsed reply (yajl's tree): the value, a string (NULL when
   absent or not one), a number (or dflt), true, a time ("never" when
   absent); and the parse itself (NULL, message printed, on bad JSON). */
yajl_val ctl_get(yajl_val obj, const char *key);
const char *ctl_get_str(yajl_val obj, const char *key);
double ctl_get_num(yajl_val obj, const char *key, double dflt);
int ctl_get_bool(yajl_val obj, const char *key);
const char *ctl_get_time(yajl_val obj, const char *key);
yajl_val ctl_parse(const char *text, const char *what);
/* show: the contact's JSON as it is (--json) or as a block of text. */
int ctl_print_contact(const struct ctl *ctl, const char *json_text);
/* plan: the same for the plan object (ctl_plan.c). */
int ctl_print_plan(const struct ctl *ctl, const char *json_text);
/* metrics: the same for the metrics object. */
int ctl_print_metrics(const struct ctl *ctl, const char *json_text);

/* A list being printed: top and ready (a table, or a JSON array), export. */
#define CTL_LIST_TOP 0
#define CTL_LIST_READY 1
#define CTL_LIST_EXPORT 2
struct ctl_list {
	const struct ctl *ctl;
	int kind;
	size_t count;
	double max_warmth;     /* the first row's: it fills the whole bar */
	struct buf json;       /* top/ready --json: the array so far */
	struct ctl_table table;
};
/* Begins (export prints its header line here). */
void ctl_list_begin(struct ctl_list *l, const struct ctl *ctl, int kind);
/* Adds one contact's JSON; -1 when it is not JSON or stdout failed. */
int ctl_list_add_text(struct ctl_list *l, const char *json_text);
/* Prints what was gathered (when ok) and frees it. */
void ctl_list_end(struct ctl_list *l, int ok);
/*
 * show, top, ready, export and metrics asked of the daemon at path:
 * lists page by page on one connection. Returns a CTL_EXIT_* code,
 * having printed the output or the error.
 */
int ctl_view_over_socket(const struct ctl *ctl, const char *path, const char *cmd,
                         const char *actor);

/* Writes buf's JSON and a newline to stdout, then empties buf. */
void ctl_print_json_line(struct buf *b);
/* Writes s to out with control characters (tabs, newlines, C1) made spaces and
   bidirectional overrides dropped, so one value never breaks a line or a
   tab-separated column nor drives the terminal. NULL prints "". */
void ctl_print_clean(FILE *out, const char *s);
/* "key" padded to width, then the value formatted, then a newline. */
void ctl_print_kv(FILE *out, int width, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "key" padded to width, then value cleaned as by ctl_print_clean, or "-"
   when it is NULL or empty. For values that came from the logs. */
void ctl_print_kv_clean(FILE *out, int width, const char *key, const char *value);
/* ms as RFC 3339, or "never" for 0, into out. */
void ctl_format_time(int64_t ms, char out[TIME_RFC3339_LEN]);

/*
 * Text for people on a terminal: colour only when stdout is a terminal,
 * NO_COLOR is unset or empty and TERM is not "dumb"; the warmth bar in
 * block characters only when the locale's character set is UTF-8, else
 * in ASCII. ctl_style_init() decides both once, before any output.
 */
enum ctl_style { CTL_STYLE_BOLD, CTL_STYLE_GREEN, CTL_STYLE_RED, CTL_STYLE_RESET };
void ctl_style_init(void);
/* The SGR sequence of style, or "" when colour is off. */
const char *ctl_style(enum ctl_style style);
/* The bar's cells: CTL_BAR_CELLS, each up to 3 bytes of UTF-8. */
#define CTL_BAR_CELLS 10
#define CTL_BAR_SIZE (CTL_BAR_CELLS * 3 + 1)
/* Writes a bar whose filled cells are warmth's share of max, rounded. */
void ctl_warmth_bar(double warmth, double max, char out[CTL_BAR_SIZE]);
/* Writes s as one CSV field (RFC 4180): quoted, with quotes doubled, when it
   holds a comma, a quote, CR or LF. NULL writes an empty field. */
void ctl_print_csv_field(FILE *out, const char *s);


#endif
