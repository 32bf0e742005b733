/*
 * conf_internal.h - what the three parts of config loading share; not part
 * of the library's API (that is include/warmth/conf.h).
 *
 *   conf_yaml.c  a YAML file into a tree of nodes that know their position
 *   conf_walk.c  the engine: walks a tree against key tables, fills a
 *                struct, collects "FILE:LINE:COLUMN: message" errors
 *   conf.c       the key tables of warmthd's config, conf_load, conf_free
 *   conf_notify.c  the tables and custom keys of the notify: list
 *
 * A new key is a row in a table in conf.c; a new kind of value is a case in
 * conf_walk.c; a value no kind fits is a CONF_KIND_CUSTOM key with its own
 * parse and release functions beside the tables.
 */
#ifndef WARMTH_CONF_INTERNAL_H
#define WARMTH_CONF_INTERNAL_H

#include <stddef.h>

#include "warmth/conf.h"
#include "warmth/util.h"

/* -- the document tree (conf_yaml.c) -------------------------------------- */

enum conf_node_kind { CONF_NODE_SCALAR, CONF_NODE_MAPPING, CONF_NODE_SEQUENCE };

struct conf_pair;

struct conf_node {
	enum conf_node_kind kind;
	unsigned line, column;     /* where the node starts, 1-based */
	char *text;                /* scalar: the value, NUL-terminated (never has a NUL inside) */
	int is_null;               /* scalar: plain "", "~" or null, i.e. no value written */
	int refused;               /* stands in for a value already reported (an alias ...): skip it */
	struct conf_node **items;  /* sequence: the entries in file order */
	size_t nitems;
	struct conf_pair *pairs;   /* mapping: the entries in file order; keys are unique scalars */
	size_t npairs;
};

struct conf_pair {
	struct conf_node *key;
	struct conf_node *value;
};

/*
 * Receives one problem; msg is only valid during the call. line is 0 for
 * problems with the file as a whole (it cannot be opened or read).
 */
typedef void conf_yaml_error_fn(void *ctx, unsigned line, unsigned column, const char *msg);

/*
 * Reads the file at path and parses it (one YAML document) into a tree.
 * Problems that leave the rest of the document meaningful (aliases,
 * duplicate keys, keys that are not scalars, a second document) are
 * reported through error; a refused value becomes a null scalar marked
 * refused (so list indexes and present keys stay as written), a refused key
 * drops its entry, and a duplicate key keeps the first. The return is then
 * 0 and *out is the tree. A file that cannot be read, or a syntax error
 * (libyaml cannot continue past one), is reported likewise but returns -1
 * with *out NULL. An empty document yields an empty mapping at 1:1.
 * Free the tree with conf_yaml_free().
 */
int conf_yaml_load(const char *path, struct conf_node **out, conf_yaml_error_fn *error, void *ctx);
void conf_yaml_free(struct conf_node *node);

/* Appends how node reads in a message: "a list", "an empty value", "\"clock\"". */
void conf_yaml_describe(struct buf *b, const struct conf_node *node);

/* -- key tables (conf_walk.c walks them, conf.c writes them) -------------- */

enum conf_kind {
	CONF_KIND_STRING,
	CONF_KIND_PATH,     /* relative to the config file's directory */
	CONF_KIND_GLOB,     /* a path pattern, resolved like a path */
	CONF_KIND_URL,      /* http:// or https:// */
	CONF_KIND_BOOL,     /* true/false (yes/no, on/off), stored as an int 0/1 */
	CONF_KIND_ENUM,     /* one of .values, stored as its int value */
	CONF_KIND_INTEGER,  /* within .min/.max */
	CONF_KIND_REAL,     /* a decimal number in a double, within .min/.max */
	CONF_KIND_DURATION, /* milliseconds in an int64_t, within .min/.max */
	CONF_KIND_SIZE,     /* bytes in a uint64_t, within .min/.max */
	CONF_KIND_SECTION,  /* a mapping of .keys, stored in the same struct */
	CONF_KIND_LIST,     /* a list of mappings, described by .list */
	CONF_KIND_CUSTOM,   /* parsed by .parse, freed by .release */
};

struct conf_key;
/* One collected problem; sorted into file order before it is handed out. */
struct conf_error {
	unsigned line, column; /* 0: the message has no position */
	size_t seq;
	char *msg;
};

struct conf_loader {
	const char *file;  /* as given, for messages */
	char *dir;         /* the config's directory, for relative paths */
	struct conf_error *errors;
	size_t nerrors;
	/*
	 * warmthd -t: what only the service can check (a credential systemd
	 * provides at start, a secret this user may not read) is a note, not
	 * an error. Notes go to notes ("FILE:LINE:COLUMN: message").
	 */
	int check_only;
	struct conf_errors *notes;
};

/* How conf_walk_file_opts reads a file (zero: as conf_walk_file). */
struct conf_walk_opts {
	/*
	 * NULL: the whole document. Else the only parts read, NULL-terminated:
	 * a top-level key ("scoring") or one key of a section
	 * ("control.socket"); everything else in the file is skipped unread,
	 * whatever it holds (a typo, a secret this user cannot read).
	 */
	const char *const *only;
	int check_only;              /* see struct conf_loader */
	struct conf_errors *notes;   /* with check_only */
};


/*
 * An enum's names and values. For the key that selects the type of a list
 * entry (notify's "type"), keys lists the further keys that type takes.
 */
struct conf_enum {
	const char *name;
	int value;
	const struct conf_key *keys;
};

struct conf_list {
	size_t entry_size;
	size_t count_offset;       /* of the size_t count, beside the array pointer */
	const char *noun;          /* for "at least one input is required" */
	const char *variant_key;   /* names the enum key in keys whose value selects more keys */
	const struct conf_key *keys;
	/*
	 * Optional: prepares a new zeroed entry before its defaults are
	 * applied, to mark keys that have no default as "not set" (-1).
	 */
	void (*init)(void *entry);
};

/*
 * A custom key's parser: checks node, reports problems with conf_report,
 * and stores into base, which is NULL when the value is only to be checked.
 * name is the key's full name for messages ("notify[2].command").
 */
typedef void conf_parse_fn(struct conf_loader *ld, const struct conf_key *key,
                           const struct conf_node *node, void *base, const char *name);
/* Frees what the parser stored in base and resets the fields. */
typedef void conf_release_fn(const struct conf_key *key, void *base);
/*
 * A check of a whole section or list after its values were stored (rules
 * that span keys: min below max, names unique). Same arguments as a custom
 * parser; base is NULL when nothing was stored, and then it checks nothing.
 */
typedef void conf_check_fn(struct conf_loader *ld, const struct conf_key *key,
                           const struct conf_node *node, void *base, const char *name);

/* One key. Tables end with a row whose name is NULL. */
struct conf_key {
	const char *name;
	enum conf_kind kind;
	size_t offset;                  /* of the field in the struct being filled */
	size_t size;                    /* of that field, for integers and enums */
	const char *def;                /* the default, as written in a file; NULL: none */
	const char *min, *max;          /* bounds as written in a file (and in messages) */
	int required;                   /* must be present (lists: and not empty) */
	const struct conf_enum *values; /* ENUM: ends with a NULL name */
	const struct conf_key *keys;    /* SECTION */
	const struct conf_list *list;   /* LIST: .offset is the array pointer's */
	conf_parse_fn *parse;           /* CUSTOM */
	conf_release_fn *release;       /* CUSTOM */
	conf_check_fn *check;           /* SECTION, LIST: optional, after the values are stored */
};

/* For a table row: where a field is and how big. */
#define CONF_FIELD(type, member) .offset = offsetof(type, member), .size = sizeof(((type *)0)->member)

/* -- the engine (conf_walk.c) --------------------------------------------- */

/*
 * Loads the YAML file at path into base, as described by keys: every
 * default first, then the file's values, relative paths taken from the
 * file's directory. Returns 0, or -1 with every problem appended to errs
 * in file order; base then holds a partial result for conf_walk_release().
 */
/*
 * A check across sections, after the whole document was stored without
 * an error (the segments a note template names, say): root is the
 * document's top-level mapping, for the positions of messages.
 */
typedef void conf_document_check_fn(struct conf_loader *ld, const struct conf_node *root,
                                    void *base);
int conf_walk_file(const char *path, const struct conf_key *keys, conf_document_check_fn *check,
                   void *base, struct conf_errors *errs);
int conf_walk_file_opts(const char *path, const struct conf_key *keys,
                        conf_document_check_fn *check, const struct conf_walk_opts *opts,
                        void *base, struct conf_errors *errs);

/* Frees what keys stored in base and resets those fields to NULL/0. */
void conf_walk_release(const struct conf_key *keys, void *base);

/* The value of key name in mapping map, or NULL. */
const struct conf_node *conf_node_get(const struct conf_node *map, const char *name);

/* The name in the NULL-terminated names worth suggesting for a misspelt word, or NULL. */
const char *conf_closest(const char *word, const char *const *names);

/*
 * A list of non-empty strings (conf.c, conf_notify.c). Reports a non-list
 * and each entry that is not a non-empty string (what names an entry in
 * messages: "tag"); returns 0 when every entry is one, or for a null value.
 */
int conf_string_list(struct conf_loader *ld, const struct conf_node *node, const char *name,
                     const char *what);

/* That no input glob matches a file the daemon writes (conf_paths.c). */
void conf_paths_check(struct conf_loader *ld, const struct conf_node *root,
                      const struct conf *conf);

/* A webhook's secret_file and secret_credential (conf_secure.c). */
conf_parse_fn conf_notify_secret_file;
conf_parse_fn conf_notify_secret_credential;
conf_release_fn conf_notify_secret_release;
/* http.token_file and http.token_credential (conf_secure.c). */
conf_parse_fn conf_http_token_file;
conf_parse_fn conf_http_token_credential;
conf_release_fn conf_http_token_release;

/* The notify: list's description and its top-level row (conf_notify.c). */
extern const struct conf_list conf_notify_list;
conf_check_fn conf_notify_check;
/* The notes: section's keys (conf_notes.c). */
extern const struct conf_key conf_notes_keys[];

/* readiness: and segments: (conf_rules.c). */
extern const struct conf_key conf_readiness_keys[];
extern const struct conf_list conf_segments_list;
conf_check_fn conf_readiness_check;
conf_check_fn conf_segments_check;
/* DOMAIN.md's segments, for a config without "segments". */
void conf_default_segments(struct conf *conf);
/* Fills what each segment leaves unset from readiness's defaults. */
void conf_resolve_segments(struct conf *conf);

/* Adds a note (warmthd -t) at node to ld->notes, when it keeps notes. */
void conf_note(struct conf_loader *ld, const struct conf_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports a problem at node (NULL: the file as a whole). */
void conf_report(struct conf_loader *ld, const struct conf_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* conf_report.c: collecting and describing problems (see there). */
void conf_report_at(struct conf_loader *ld, unsigned line, unsigned column, const char *msg);
void conf_on_yaml_error(void *ctx, unsigned line, unsigned column, const char *msg);
int conf_error_cmp(const void *a, const void *b);
void conf_errors_take(struct conf_loader *ld, struct conf_errors *errs);
void conf_describe_values(struct buf *b, const struct conf_enum *values);
void conf_describe_kind(struct buf *b, const struct conf_key *key);
/* Reports "NAME: expected WHAT, got <how node reads>" at node (custom keys). */
void conf_report_expected(struct conf_loader *ld, const struct conf_node *node, const char *name,
                          const char *what);
void conf_type_error(struct conf_loader *ld, const struct conf_key *key, const struct conf_node *node, const char *name, const char *hint);
size_t conf_distance(const char *a, const char *b);
void conf_suggest(const char *word, const char *candidate, const char **best, size_t *best_distance);
void conf_suggest_keys(const char *word, const struct conf_key *keys, const char **best, size_t *d);

#endif
