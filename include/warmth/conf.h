/*
 * conf.h - the YAML configuration (libyaml) parsed into a struct conf.
 *
 * conf_load() parses into a fresh struct, fills every default, validates
 * everything and collects *all* problems as "FILE:LINE:COLUMN: message"
 * (positions from libyaml's marks, 1-based), so that a reload can keep the
 * old config when the new one is bad. No libuv, no SQLite.
 *
 * Keys are described by tables in conf.c; unknown keys are errors with a
 * "did you mean" suggestion. conf/warmthd.yaml documents every key.
 */
#ifndef WARMTH_CONF_H
#define WARMTH_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "warmth/note.h"
#include "warmth/ratio.h"
#include "warmth/rules.h"
#include "warmth/score.h"
#include "warmth/util.h"

#define CONF_DEFAULT_PATH "/etc/warmthd/warmthd.yaml"

enum conf_time_source { CONF_TIME_WALL, CONF_TIME_EVENT };
enum conf_start_at { CONF_START_BEGINNING, CONF_START_END };
enum conf_watch { CONF_WATCH_AUTO, CONF_WATCH_POLL };
enum conf_notify_type { CONF_NOTIFY_FILE, CONF_NOTIFY_WEBHOOK, CONF_NOTIFY_EXEC,
                        CONF_NOTIFY_JOURNAL, CONF_NOTIFY_STDOUT };

struct conf_input {
	char *path;                    /* a glob */
	enum conf_start_at start_at;   /* where files first seen start; default beginning */
};

struct conf_notify {
	enum conf_notify_type type;
	char **kinds;      /* every type: the kinds it receives, NULL-terminated; NULL: every kind */
	size_t nkinds;
	char *path;        /* file */
	int fsync;         /* file: fsync after each line, default true */
	char *url;         /* webhook */
	char **headers;    /* webhook: "Name: value" lines, NULL-terminated; NULL: none */
	size_t nheaders;
	char *secret;      /* webhook: the HMAC-SHA256 key (secret_file, secret_credential); NULL: unsigned */
	size_t secret_len; /* its bytes (any bytes: not NUL-terminated text) */
	char *secret_source; /* the file it was read from, for messages (never the secret) */
	int64_t timeout_ms;/* webhook, exec: default 10s */
	char **command;    /* exec: NULL-terminated argv */
	size_t ncommand;
	char *socket;      /* journal: default /run/systemd/journal/socket */
	char *syslog_socket; /* journal, without journald: default /dev/log */
	/* every type, for the outbox: */
	int64_t retry_min_ms; /* first retry delay, doubling with jitter; default 1s */
	int64_t retry_max_ms; /* the longest retry delay; default 5m */
	int64_t max_age_ms;   /* after this since the first attempt: failed; default 24h */
	/* pacing (pace.h), every type: */
	uint32_t rate_count;  /* rate: N/PERIOD, N deliveries per period; 0: no limit (default) */
	int64_t rate_period_ms;
	uint32_t burst;       /* the bucket's size; 0 (default): rate's N */
	int32_t quiet_start_min, quiet_end_min; /* quiet_hours "HH:MM-HH:MM"; -1: none (default) */
	int32_t utc_offset_min; /* utc_offset: minutes east of UTC; PACE_LOCAL_OFFSET: local (default) */
	int64_t digest_ms;    /* digest: one "digest" record per period instead of "ready" ones; 0: off */
};

struct conf {
	char *file;                    /* the path it was loaded from */

	/* state: */
	char *database;                /* default /var/lib/warmthd/state.db */
	int synchronous_full;          /* state.synchronous: normal (0, default) | full (1) */
	int64_t dedup_retention_ms;    /* state.dedup_retention, default 30d */
	int64_t id_retention_ms;       /* state.id_retention, default 3650d; 0 forever */
	uint32_t evidence_per_contact; /* state.evidence_per_contact, default 5 */
	uint32_t contact_cache;        /* state.contact_cache: contacts kept in memory, default 250000 */

	/* control: */
	char *socket;                  /* default /run/warmthd/control.sock */
	uint32_t *allow_uids;          /* control.allow_users, resolved; default none */
	size_t nallow_uids;            /* besides root and the daemon's own user */
	uint32_t control_max_clients;  /* control.max_clients: connected at once, default 64 */
	uint64_t control_max_buffered; /* control.max_buffered: requests and replies held, default 16MiB */
	int64_t control_request_timeout_ms; /* control.request_timeout: a request's whole time, default 10s */

	struct conf_input *inputs;     /* inputs: (at least one) */
	size_t ninputs;

	char *dead_letter;             /* default /var/lib/warmthd/rejected.jsonl */

	enum conf_time_source time_source; /* time.source, default wall */
	int64_t future_tolerance_ms;   /* time.future_tolerance: how far ahead of the wall clock
	                                  an event may be (else future_ts), default 1d */

	/* ingest: */
	uint64_t max_line_bytes;       /* ingest.max_line_bytes, default 1MiB */
	uint32_t batch_events;         /* ingest.batch_events, default 4000000 */
	int64_t batch_interval_ms;     /* ingest.batch_interval, default 100ms */
	int64_t backlog_interval_ms;   /* ingest.backlog_interval, default 5s */
	int64_t rescan_interval_ms;    /* ingest.rescan_interval, default 10s */
	int64_t rotate_wait_ms;        /* ingest.rotate_wait, default 5s */
	int64_t poll_interval_ms;      /* ingest.poll_interval (fallback without inotify), default 1s */
	int watch;                     /* ingest.watch: auto (inotify, polling fallback) | poll */
	uint64_t read_chunk_bytes;     /* ingest.read_chunk, default 1MiB */
	uint32_t max_open_files;       /* ingest.max_open_files: input descriptors, default 256 */
	uint64_t max_buffered_bytes;   /* ingest.max_buffered: line buffers of all files, default 64MiB */
	uint32_t unknown_fields_max;   /* ingest.unknown_fields: names of unknown event fields
	                                  counted by name (the rest as "other"), default 64 */

	/* log: */
	int log_level;                 /* log.level, default info (enum log_level) */

	struct conf_notify *notify;
	size_t nnotify;

	/* scoring: (see score.h) */
	struct score_params scoring;
	uint32_t score_history;        /* scoring.history: engagements kept per contact for rescoring */

	/* readiness: (see rules.h) */
	struct rules_params readiness;
	uint32_t watch_max;            /* readiness.watch_max: contacts watched for readiness that
	                                  time alone may change, default 50000 */

	/* plan: what warmthctl plan lists (plan.h) */
	int64_t plan_held;             /* plan.held: held contacts listed, default 100 */
	int64_t plan_engage;           /* plan.engage: contacts to engage with listed, default 20 */
	double plan_engage_above;      /* plan.engage_above: share of the threshold, default 0.5 */
	int64_t plan_withdraw;         /* plan.withdraw: pending invitations listed, default 100 */

	/*
	 * segments: in order, first match wins; the last one matches everyone.
	 * Every readiness figure is resolved (no -1 left). Without a
	 * "segments" key: senior_executive, influencer, potential_client, peer.
	 */
	struct rules_segment *segments;
	size_t nsegments;

	/* network: (see ratio.h) */
	struct ratio_params network;

	/* notes: (note.h) the suggested invitation note */
	uint32_t note_limit;           /* notes.limit, default 300 characters */
	uint32_t note_free_limit;      /* notes.free_limit, default 200 */
	int note_free;                 /* notes.plan: premium (0, default) | free (1): which limit */
	uint32_t note_comment_max;     /* notes.comment_max, default 100 */
	uint32_t note_quote_min_words; /* notes.quote_min_words, default 6 */
	uint32_t note_quote_min_chars; /* notes.quote_min_chars, default 30 */
	struct note_template *note_templates; /* notes.templates; NULL: the built-in ones */
	size_t nnote_templates;
	char **note_avoid_words;       /* notes.avoid_words; unset (note_avoid_set 0): the built-in list */
	size_t nnote_avoid_words;
	int note_avoid_set;

	/* metrics: (metrics.c) */
	char *metrics_textfile;        /* metrics.textfile: node_exporter textfile; NULL: none */
	int64_t metrics_interval_ms;   /* metrics.interval: how often it is written, default 15s */
	char *metrics_listen;          /* metrics.listen: "ADDRESS:PORT" as written; NULL: off */
	int metrics_allow_remote;      /* metrics.allow_remote: listen beyond loopback, default false */
	/* metrics.listen split by its check: an IPv4 or IPv6 literal without brackets, a port. */
	char metrics_host[64];
	uint16_t metrics_port;

	/* http: POST /v1/events on the metrics.listen listener (http_events.c) */
	int http_events;               /* http.events: accept pushed events, default false */
	char *http_token;              /* http.token_file / token_credential: the bearer token */
	size_t http_token_len;
	char *http_token_source;       /* where it was read, for messages */
	uint64_t http_max_body;        /* http.max_body: bytes of one request, default 1 MiB */
	uint32_t http_max_pending;     /* http.max_pending: requests waiting for a commit, default 16 */
	/* http: the dashboard, / and /api/ on the same listener (http_api.c, http_static.c) */
	int http_dashboard;            /* http.dashboard: serve it, default false */
	char *http_dashboard_token_file; /* http.dashboard_token_file: made at first start if missing */
	char *http_www_dir;            /* http.www_dir: the page's static files */
};

/* A list of error messages, each "FILE:LINE:COLUMN: message". */
struct conf_errors {
	char **msgs;
	size_t count;
};
void conf_errors_free(struct conf_errors *errs);
/* Prints every message of errs, one per line, to out (for warmthd -t). */
void conf_errors_print(const struct conf_errors *errs, FILE *out);

/*
 * Loads and validates path. On success returns 0 and *out owns a new
 * config (free with conf_free). On failure returns -1, *out is NULL and
 * errs holds at least one message (also for I/O errors: "FILE: cannot open:
 * No such file or directory").
 *
 * Messages are appended to errs (start with it zeroed), sorted by position,
 * FILE being path as given. Relative paths in the file (state.database,
 * control.socket, dead_letter, inputs[].path, a file notifier's path) are
 * returned absolute, resolved against the directory of path; in a glob
 * (inputs[].path) that directory's own *?[\ are backslash-escaped.
 */
int conf_load(const char *path, struct conf **out, struct conf_errors *errs);
/*
 * conf_load for warmthd -t, which may run outside the service: a
 * secret_credential or token_credential while $CREDENTIALS_DIRECTORY is
 * unset (systemd provides it at start), and a secret_file or token_file
 * that exists but that this user may not read (the service's user may),
 * are notes appended to notes, not errors; the secret is then not in the
 * result (its *_source names where it will be read). A secret file that
 * does not exist, or that others may read, is still an error.
 */
int conf_check(const char *path, struct conf **out, struct conf_errors *errs,
               struct conf_errors *notes);
/*
 * Loads only the parts of path that only names (NULL-terminated): a
 * top-level key ("scoring") or one key of a section ("control.socket").
 * Everything else in the file is skipped unread (an unknown or invalid
 * key, a secret this user cannot read) and left at its default; no key is
 * required. For the clients (warmthctl), which need a path or the scoring
 * figures, not the daemon's secrets. Errors as conf_load, about those
 * parts only (and the file's YAML syntax, which is read whole).
 */
int conf_load_only(const char *path, const char *const *only, struct conf **out,
                   struct conf_errors *errs);
/*
 * Checks that the config file at path can be trusted: not writable by its
 * group or others, owned by root or by the user warmthd runs as (whoever
 * can write it chooses the programs warmthd runs). Returns 0, or -1 with
 * "FILE: message" appended to err. A file that cannot be stat'ed passes:
 * conf_load reports it.
 */
int conf_file_trusted(const char *path, struct buf *err);
/*
 * The keys only a restart applies (state.database, state.synchronous,
 * control.socket, metrics.*, http.*; conf_restart.c lists them): a copy
 * of those of conf, as the daemon started with them, for
 * conf_fixed_changed (free with conf_fixed_free, not conf_free). The
 * names of those whose value in next differs are stored in names (at most
 * max, in the list's order); returns how many.
 */
#define CONF_FIXED_MAX 16
struct conf *conf_fixed_new(const struct conf *conf);
size_t conf_fixed_changed(const struct conf *fixed, const struct conf *next, const char **names,
                          size_t max);
void conf_fixed_free(struct conf *fixed);
/* A config with every key at its default and no inputs (for warmthctl
   without a config file). Never fails; free with conf_free. */
struct conf *conf_load_defaults(void);
void conf_free(struct conf *conf);

#endif
