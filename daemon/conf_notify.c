/*
 * conf_notify.c - the schema of the notify: list (see conf.c for the rest
 * of the config and conf_internal.h for how the parts fit): one table of
 * the keys every notifier takes, one per type of the keys only that type
 * takes, and the custom keys whose values no plain kind fits (an argv, a
 * list of record kinds, a mapping of HTTP headers). The sinks (sink_*.c)
 * read what these tables fill, struct conf_notify of conf.h.
 *
 * No libuv, no SQLite: like the rest of the config, pure.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warmth/conf.h"
#include "warmth/pace.h"
#include "warmth/util.h"

#include "conf_internal.h"

static conf_parse_fn conf_notify_command;
static conf_release_fn conf_notify_command_release;
static conf_parse_fn conf_notify_kinds;
static conf_release_fn conf_notify_kinds_release;
static conf_parse_fn conf_notify_headers;
static conf_release_fn conf_notify_headers_release;
static conf_parse_fn conf_notify_rate;
static conf_parse_fn conf_notify_quiet_hours;
static conf_parse_fn conf_notify_utc_offset;
static conf_release_fn conf_notify_nothing;
static void conf_notify_init(void *entry);

/*
 * Keys by notifier type; keys every notifier takes go in conf_notify_keys.
 * A request or a hook that hangs must not hold its notification for long:
 * timeouts default to 10s, and the outbox retries.
 */
#define CONF_NOTIFY_TIMEOUT \
	{ .name = "timeout", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf_notify, timeout_ms), \
	  .def = "10s", .min = "10ms", .max = "10m" }

static const struct conf_key conf_notify_file_keys[] = {
	{ .name = "path", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf_notify, path), .required = 1 },
	{ .name = "fsync", .kind = CONF_KIND_BOOL, CONF_FIELD(struct conf_notify, fsync), .def = "true" },
	{ .name = NULL },
};

static const struct conf_key conf_notify_webhook_keys[] = {
	{ .name = "url", .kind = CONF_KIND_URL, CONF_FIELD(struct conf_notify, url), .required = 1 },
	{ .name = "headers", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, headers),
	  .parse = conf_notify_headers, .release = conf_notify_headers_release },
	/* The key of the X-Warmth-Signature header, from a file, never the config (conf_secure.c). */
	{ .name = "secret_file", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, secret),
	  .parse = conf_notify_secret_file, .release = conf_notify_secret_release },
	{ .name = "secret_credential", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, secret),
	  .parse = conf_notify_secret_credential, .release = conf_notify_secret_release },
	CONF_NOTIFY_TIMEOUT,
	{ .name = NULL },
};

static const struct conf_key conf_notify_exec_keys[] = {
	{ .name = "command", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, command),
	  .required = 1, .parse = conf_notify_command, .release = conf_notify_command_release },
	CONF_NOTIFY_TIMEOUT,
	{ .name = NULL },
};

static const struct conf_key conf_notify_journal_keys[] = {
	{ .name = "socket", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf_notify, socket),
	  .def = "/run/systemd/journal/socket" },
	/* Where the line goes without journald; a key so that tests and containers can move it. */
	{ .name = "syslog_socket", .kind = CONF_KIND_PATH, CONF_FIELD(struct conf_notify, syslog_socket),
	  .def = "/dev/log" },
	{ .name = NULL },
};

static const struct conf_enum conf_notify_types[] = {
	{ "file", CONF_NOTIFY_FILE, conf_notify_file_keys },
	{ "webhook", CONF_NOTIFY_WEBHOOK, conf_notify_webhook_keys },
	{ "exec", CONF_NOTIFY_EXEC, conf_notify_exec_keys },
	{ "journal", CONF_NOTIFY_JOURNAL, conf_notify_journal_keys },
	{ "stdout", CONF_NOTIFY_STDOUT, NULL },
	{ NULL, 0, NULL },
};

static const struct conf_key conf_notify_keys[] = {
	{ .name = "type", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf_notify, type),
	  .required = 1, .values = conf_notify_types },
	{ .name = "kinds", .kind = CONF_KIND_CUSTOM, CONF_FIELD(struct conf_notify, kinds),
	  .parse = conf_notify_kinds, .release = conf_notify_kinds_release },
	/*
	 * The outbox's retries: 1s doubling to 5m rides out a restart of the
	 * receiver without hammering it; after a day a notification about
	 * readiness is stale, so it is marked failed (kept, visible).
	 */
	{ .name = "retry_min", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf_notify, retry_min_ms),
	  .def = "1s", .min = "10ms", .max = "1h" },
	{ .name = "retry_max", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf_notify, retry_max_ms),
	  .def = "5m", .min = "10ms", .max = "1d" },
	{ .name = "max_age", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf_notify, max_age_ms),
	  .def = "24h", .min = "1s", .max = "30d" },
	/*
	 * Pacing (pace.h): none by default, so that a config without these
	 * keys delivers as soon as it can. What pacing holds back stays
	 * pending in the outbox, however long.
	 */
	{ .name = "rate", .kind = CONF_KIND_CUSTOM, .parse = conf_notify_rate,
	  .release = conf_notify_nothing },
	{ .name = "burst", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf_notify, burst),
	  .min = "1", .max = "1000000" },
	{ .name = "quiet_hours", .kind = CONF_KIND_CUSTOM, .parse = conf_notify_quiet_hours,
	  .release = conf_notify_nothing },
	{ .name = "utc_offset", .kind = CONF_KIND_CUSTOM, .parse = conf_notify_utc_offset,
	  .release = conf_notify_nothing },
	{ .name = "digest", .kind = CONF_KIND_DURATION, CONF_FIELD(struct conf_notify, digest_ms),
	  .min = "1s", .max = "30d" },
	{ .name = NULL },
};

const struct conf_list conf_notify_list = {
	.entry_size = sizeof(struct conf_notify),
	.count_offset = offsetof(struct conf, nnotify),
	.noun = "notifier",
	.variant_key = "type",
	.keys = conf_notify_keys,
	.init = conf_notify_init,
};

/* Keys without a plain default: no quiet hours, the system's time zone. */
static void conf_notify_init(void *entry)
{
	struct conf_notify *n = entry;

	n->quiet_start_min = n->quiet_end_min = -1;
	n->utc_offset_min = PACE_LOCAL_OFFSET;
}

/* burst sizes the bucket of rate: alone it limits nothing, which is surely a mistake. */
/* What names a notifier's delivery records besides its type (sink.c): its target. */
static const char *conf_notify_target(const struct conf_notify *n)
{
	switch (n->type) {
	case CONF_NOTIFY_FILE:
		return n->path;
	case CONF_NOTIFY_WEBHOOK:
		return n->url;
	case CONF_NOTIFY_EXEC:
		return n->command != NULL ? n->command[0] : NULL;
	default:
		return NULL;
	}
}

static int conf_notify_same(const struct conf_notify *a, const struct conf_notify *b)
{
	const char *ta = conf_notify_target(a), *tb = conf_notify_target(b);

	if (a->type != b->type)
		return 0;
	return ta == NULL || tb == NULL ? ta == tb : strcmp(ta, tb) == 0;
}

/* The default of one of the keys every entry takes, as written in the table. */
static const char *conf_notify_default(const char *key)
{
	for (const struct conf_key *k = conf_notify_keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return k->def;
	return "?";
}

void conf_notify_check(struct conf_loader *ld, const struct conf_key *key,
                       const struct conf_node *node, void *base, const char *name)
{
	const struct conf *conf = base;

	(void)key;
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->nnotify && i < node->nitems; i++) {
		const struct conf_node *burst = conf_node_get(node->items[i], "burst");
		if (burst != NULL && conf->notify[i].rate_count == 0)
			conf_report(ld, burst, "%s[%zu].burst: needs rate (for example rate: 10/1h)",
			            name, i);
		/* A floor above the ceiling would leave no wait that keeps both. */
		if (conf->notify[i].retry_min_ms > conf->notify[i].retry_max_ms) {
			const struct conf_node *lo = conf_node_get(node->items[i], "retry_min");
			const struct conf_node *hi = conf_node_get(node->items[i], "retry_max");
			/* Both parsed as durations, so both are scalars; an absent one is its default. */
			conf_report(ld, lo != NULL ? lo : node->items[i],
			            "%s[%zu].retry_min: %s is above retry_max (%s); raise retry_max or lower "
			            "retry_min", name, i, lo != NULL ? lo->text : conf_notify_default("retry_min"),
			            hi != NULL ? hi->text : conf_notify_default("retry_max"));
		}
		/*
		 * Delivery state is kept per notifier, named by its type and
		 * target: two alike would share it, and one would never be sent
		 * what the other took.
		 */
		for (size_t j = 0; j < i; j++) {
			if (conf_notify_same(&conf->notify[j], &conf->notify[i])) {
				conf_report(ld, node->items[i],
				            "%s[%zu]: the same notifier as %s[%zu] (same type and target); "
				            "give one entry the kinds of both", name, i, name, j);
				break;
			}
		}
	}
}

/* -- custom keys ---------------------------------------------------------- */

/* The kinds of notification records (INTERFACE.md), for notify[].kinds. */
static const char *const conf_notify_kind_names[] = { "ready", "ratio", "cap", "digest", NULL };

/* exec's command: an argv of one or more strings, run without a shell. */
static void conf_notify_command(struct conf_loader *ld, const struct conf_key *key,
                                const struct conf_node *node, void *base, const char *name)
{
	struct conf_notify *notify = base;
	int ok = 1;

	if (node->kind != CONF_NODE_SEQUENCE || node->nitems == 0) {
		struct buf b = { 0 };
		conf_yaml_describe(&b, node);
		conf_report(ld, node, "%s: expected a non-empty list of strings (the program and its "
		            "arguments, no shell), got %s", name, buf_cstr(&b));
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *arg = node->items[i];
		if (arg->refused) {
			ok = 0;
		} else if (arg->kind != CONF_NODE_SCALAR || arg->is_null || (i == 0 && arg->text[0] == '\0')) {
			struct buf b = { 0 };
			conf_yaml_describe(&b, arg);
			conf_report(ld, arg, "%s[%zu]: expected %s, got %s", name, i,
			            i == 0 ? "a program" : "a string", buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		}
	}
	if (!ok || notify == NULL)
		return;
	conf_notify_command_release(key, notify);
	notify->command = xcalloc(node->nitems + 1, sizeof(*notify->command));
	for (size_t i = 0; i < node->nitems; i++)
		notify->command[i] = xstrdup(node->items[i]->text);
	notify->ncommand = node->nitems;
}

static void conf_notify_command_release(const struct conf_key *key, void *base)
{
	struct conf_notify *notify = base;

	(void)key;
	for (size_t i = 0; i < notify->ncommand; i++)
		free(notify->command[i]);
	free(notify->command);
	notify->command = NULL;
	notify->ncommand = 0;
}

/* notify[].kinds: the record kinds this notifier receives; absent or empty: every kind. */
static void conf_notify_kinds(struct conf_loader *ld, const struct conf_key *key,
                              const struct conf_node *node, void *base, const char *name)
{
	struct conf_notify *notify = base;
	int ok = conf_string_list(ld, node, name, "notification kind") == 0;

	for (size_t i = 0; node->kind == CONF_NODE_SEQUENCE && i < node->nitems; i++) {
		const struct conf_node *item = node->items[i];
		int known = 0;

		if (item->kind != CONF_NODE_SCALAR || item->is_null || item->text[0] == '\0')
			continue;
		for (size_t k = 0; conf_notify_kind_names[k] != NULL; k++)
			known |= strcmp(conf_notify_kind_names[k], item->text) == 0;
		if (!known) {
			const char *best = conf_closest(item->text, conf_notify_kind_names);
			struct buf b = { 0 };
			buf_printf(&b, "%s[%zu]: expected one of ready, ratio, cap, digest, got ", name, i);
			conf_yaml_describe(&b, item);
			if (best != NULL)
				buf_printf(&b, " (did you mean \"%s\"?)", best);
			conf_report(ld, item, "%s", buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		}
	}
	if (!ok || notify == NULL || node->kind != CONF_NODE_SEQUENCE || node->nitems == 0)
		return;
	conf_notify_kinds_release(key, notify);
	notify->kinds = xcalloc(node->nitems + 1, sizeof(*notify->kinds));
	for (size_t i = 0; i < node->nitems; i++)
		notify->kinds[i] = xstrdup(node->items[i]->text);
	notify->nkinds = node->nitems;
}

static void conf_notify_kinds_release(const struct conf_key *key, void *base)
{
	struct conf_notify *notify = base;

	(void)key;
	for (size_t i = 0; i < notify->nkinds; i++)
		free(notify->kinds[i]);
	free(notify->kinds);
	notify->kinds = NULL;
	notify->nkinds = 0;
}

/*
 * webhook headers: a mapping of header name to value, stored as "Name:
 * value" lines for libcurl. Names are HTTP tokens; values cannot hold line
 * breaks (they would smuggle in headers of their own). The body's length
 * and framing are libcurl's to set.
 */
static void conf_notify_headers(struct conf_loader *ld, const struct conf_key *key,
                                const struct conf_node *node, void *base, const char *name)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
	                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const char *const reserved[] = { "content-length", "transfer-encoding", "host", NULL };
	struct conf_notify *notify = base;
	int ok = 1;

	if (node->kind == CONF_NODE_SCALAR && node->is_null)
		return;
	if (node->kind != CONF_NODE_MAPPING) {
		struct buf b = { 0 };
		conf_yaml_describe(&b, node);
		conf_report(ld, node, "%s: expected a mapping of header names to values, got %s", name,
		            buf_cstr(&b));
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < node->npairs; i++) {
		const struct conf_node *k = node->pairs[i].key, *v = node->pairs[i].value;

		if (k->text[0] == '\0' || k->text[strspn(k->text, tchar)] != '\0') {
			conf_report(ld, k, "%s: \"%s\" is not a header name (letters, digits and !#$%%&'*+-.^_`|~)",
			            name, k->text);
			ok = 0;
			continue;
		}
		for (size_t r = 0; reserved[r] != NULL; r++) {
			if (strcasecmp(reserved[r], k->text) == 0) {
				conf_report(ld, k, "%s.%s: set by warmthd for each request; remove it", name, k->text);
				ok = 0;
			}
		}
		if (v->refused) {
			ok = 0;
		} else if (v->kind != CONF_NODE_SCALAR || v->is_null) {
			struct buf b = { 0 };
			conf_yaml_describe(&b, v);
			conf_report(ld, v, "%s.%s: expected a string, got %s", name, k->text, buf_cstr(&b));
			buf_free(&b);
			ok = 0;
		} else if (strpbrk(v->text, "\r\n") != NULL) {
			conf_report(ld, v, "%s.%s: a header value cannot contain a line break", name, k->text);
			ok = 0;
		}
	}
	if (!ok || notify == NULL || node->npairs == 0)
		return;
	conf_notify_headers_release(key, notify);
	notify->headers = xcalloc(node->npairs + 1, sizeof(*notify->headers));
	for (size_t i = 0; i < node->npairs; i++) {
		struct buf b = { 0 };
		buf_printf(&b, "%s: %s", node->pairs[i].key->text, node->pairs[i].value->text);
		notify->headers[i] = xstrdup(buf_cstr(&b));
		buf_free(&b);
	}
	notify->nheaders = node->npairs;
}

static void conf_notify_headers_release(const struct conf_key *key, void *base)
{
	struct conf_notify *notify = base;

	(void)key;
	for (size_t i = 0; i < notify->nheaders; i++)
		free(notify->headers[i]);
	free(notify->headers);
	notify->headers = NULL;
	notify->nheaders = 0;
}

/* -- pacing --------------------------------------------------------------- */

static void conf_notify_nothing(const struct conf_key *key, void *base)
{
	(void)key;
	(void)base;
}

/* A scalar with text, else reported as not what it should be. */
static const char *conf_notify_scalar(struct conf_loader *ld, const struct conf_node *node,
                                      const char *name, const char *what)
{
	if (node->kind == CONF_NODE_SCALAR && !node->is_null && node->text[0] != '\0')
		return node->text;
	conf_report_expected(ld, node, name, what);
	return NULL;
}

/* rate: "N/PERIOD", N deliveries (1 to 1000000) per PERIOD (a duration, 10ms to 30d). */
static void conf_notify_rate(struct conf_loader *ld, const struct conf_key *key,
                             const struct conf_node *node, void *base, const char *name)
{
	static const char what[] = "a rate such as 10/1h (deliveries per period)";
	struct conf_notify *notify = base;
	const char *text = conf_notify_scalar(ld, node, name, what), *slash;
	char *end;
	unsigned long count;
	int64_t period;

	(void)key;
	if (text == NULL)
		return;
	slash = strchr(text, '/');
	count = strtoul(text, &end, 10);
	if (slash == NULL || end != slash || slash == text || text[0] == '-' || text[0] == '+') {
		conf_report(ld, node, "%s: expected %s, got \"%s\"", name, what, text);
		return;
	}
	if (count < 1 || count > 1000000) {
		conf_report(ld, node, "%s: the number of deliveries must be 1 to 1000000, got %lu",
		            name, count);
		return;
	}
	if (parse_duration_ms(slash + 1, &period) < 0) {
		conf_report(ld, node, "%s: \"%s\" after the slash is not a duration (10ms, 30s, 1h, 1d)",
		            name, slash + 1);
		return;
	}
	if (period < 10 || period > 30 * 86400 * INT64_C(1000)) {
		conf_report(ld, node, "%s: the period must be 10ms to 30d, got %s", name, slash + 1);
		return;
	}
	if (notify == NULL)
		return;
	notify->rate_count = (uint32_t)count;
	notify->rate_period_ms = period;
}

/* quiet_hours: "HH:MM-HH:MM" in utc_offset's time; may wrap past midnight. */
static void conf_notify_quiet_hours(struct conf_loader *ld, const struct conf_key *key,
                                    const struct conf_node *node, void *base, const char *name)
{
	static const char what[] = "a time range such as \"22:00-07:00\"";
	struct conf_notify *notify = base;
	const char *text = conf_notify_scalar(ld, node, name, what), *dash;
	int start, end;

	(void)key;
	if (text == NULL)
		return;
	dash = strchr(text, '-');
	start = dash != NULL ? pace_parse_clock(text, (size_t)(dash - text)) : -1;
	end = dash != NULL ? pace_parse_clock(dash + 1, strlen(dash + 1)) : -1;
	if (start < 0 || end < 0) {
		conf_report(ld, node, "%s: expected %s (24-hour HH:MM-HH:MM), got \"%s\"", name, what,
		            text);
		return;
	}
	if (start == end) {
		conf_report(ld, node, "%s: the start and the end are the same (%s): nothing would "
		            "ever be delivered", name, text);
		return;
	}
	if (notify == NULL)
		return;
	notify->quiet_start_min = start;
	notify->quiet_end_min = end;
}

/* utc_offset: "local" (the system's time zone), or "+HH:MM" / "-HH:MM" / "UTC". */
static void conf_notify_utc_offset(struct conf_loader *ld, const struct conf_key *key,
                                   const struct conf_node *node, void *base, const char *name)
{
	static const char what[] = "local, UTC or an offset such as \"+01:00\"";
	struct conf_notify *notify = base;
	const char *text = conf_notify_scalar(ld, node, name, what);
	int32_t offset = PACE_LOCAL_OFFSET;

	(void)key;
	if (text == NULL)
		return;
	if (strcmp(text, "local") != 0 && pace_parse_offset(text, &offset) < 0) {
		conf_report(ld, node, "%s: expected %s (at most 18 hours), got \"%s\"", name, what, text);
		return;
	}
	if (notify != NULL)
		notify->utc_offset_min = offset;
}
