/*
 * main.c - warmthd: options, start-up order, signals, reload, shutdown.
 *
 * Start-up: parse options, load and validate the config (or only check it
 * with -t), set up the loop and signals, start the engine, run the loop.
 * Signals are handled on the loop (uv_signal), so the handlers run as
 * ordinary callbacks: SIGTERM/SIGINT stop the engine, which commits what it
 * has read and closes its handles; SIGHUP reloads the config, keeping the
 * old one when the new one is invalid. At exit every handle is closed and
 * uv_loop_close() must succeed, which catches leaked handles.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "control.h"
#include "engine.h"
#include "http.h"
#include "http_api.h"
#include "http_events.h"
#include "http_metrics.h"
#include "http_static.h"
#include "metrics.h"
#include "outbox.h"
#include "owner.h"
#include "sdnotify.h"
#include "sink.h"

struct main_ctx {
	uv_loop_t *loop;
	struct engine *engine;
	struct control *control;
	struct metrics *metrics;      /* NULL until started, and again once closed */
	struct http *http;            /* metrics.listen's listener; NULL: none */
	struct http_events *events;   /* its POST /v1/events; freed after the listener */
	struct http_api *api;         /* its dashboard (http.dashboard); NULL: off */
	struct http_static *www;      /* the dashboard's page; NULL: off */
	const char *config_path;
	int allow_insecure_config;    /* --allow-insecure-config: warn about a writable config, not refuse */
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t watchdog;          /* WATCHDOG=1 pings, from the loop itself */
	int stopping;
	int engine_done, control_done, metrics_done;
	int control_failed;           /* start failed: closed at once, freed at exit */
	int64_t started_ms;           /* wall clock at start, for uptime */
	int64_t config_loaded_ms;     /* when the running config was loaded */
	struct conf *fixed;           /* what only a restart applies, as started (conf_fixed_new) */
};

static void main_usage(FILE *out)
{
	fprintf(out,
	        "usage: warmthd [-c FILE] [-t] [--once] [--allow-insecure-config]\n"
	        "  -c, --config FILE    configuration (default " CONF_DEFAULT_PATH ")\n"
	        "  -t, --check-config   validate the configuration and exit\n"
	        "      --once           read every input to its end, commit, exit\n"
	        "      --allow-insecure-config\n"
	        "                       accept a config others may write (warn instead of refusing)\n"
	        "      --version        print the version and exit\n"
	        "  -h, --help           this help\n"
	        "Runs in the foreground. SIGTERM/SIGINT: commit and exit. SIGHUP: reload.\n");
}

static void main_signal_closed(uv_handle_t *handle)
{
	(void)handle;
}

/* Signals are closed last, when the engine, the control server and the metrics are gone. */
static void main_maybe_close_signals(struct main_ctx *m)
{
	if (!m->engine_done || !m->control_done || !m->metrics_done)
		return;
	uv_close((uv_handle_t *)&m->sigterm, main_signal_closed);
	uv_close((uv_handle_t *)&m->sigint, main_signal_closed);
	uv_close((uv_handle_t *)&m->sighup, main_signal_closed);
	uv_close((uv_handle_t *)&m->watchdog, main_signal_closed);
}

/*
 * Pinged from a loop timer, so a loop that stalls (a blocked call, an
 * endless loop) stops the pings and systemd restarts the service.
 */
static void main_watchdog_cb(uv_timer_t *timer)
{
	struct main_ctx *m = timer->data;
	struct metrics_snapshot snap;
	uint64_t lag = 0;
	char msg[256];

	/* The ping carries a STATUS= line, so "systemctl status" shows live figures. */
	memset(&snap, 0, sizeof(snap));
	engine_metrics_snapshot(m->engine, &snap);
	for (size_t i = 0; i < snap.ninputs; i++)
		lag += snap.inputs[i].lag;
	snprintf(msg, sizeof(msg),
	         "WATCHDOG=1\nSTATUS=%llu events, %llu rejected, %llu duplicate; %lld contacts; "
	         "%zu inputs, %llu bytes behind",
	         (unsigned long long)snap.counters.accepted, (unsigned long long)snap.counters.rejected,
	         (unsigned long long)snap.counters.duplicate, (long long)snap.contacts, snap.ninputs,
	         (unsigned long long)lag);
	metrics_snapshot_free(&snap);
	sdnotify(msg);
}

static void main_control_closed(void *arg)
{
	struct main_ctx *m = arg;

	m->control_done = 1;
	main_maybe_close_signals(m);
}

static void main_metrics_closed(void *arg)
{
	struct main_ctx *m = arg;

	m->metrics_done = 1;
	main_maybe_close_signals(m);
}

/* The listener is gone, and with it every request: its routes' state may go, then the textfile. */
static void main_http_closed(void *arg)
{
	struct main_ctx *m = arg;

	http_events_free(m->events);
	m->events = NULL;
	http_static_free(m->www);
	m->www = NULL;
	http_api_free(m->api);
	m->api = NULL;
	metrics_close(m->metrics, main_metrics_closed, m);
	m->metrics = NULL;
}

/* The listener first (its /metrics renders through m->metrics), then the textfile. */
static void main_close_metrics(struct main_ctx *m)
{
	if (m->http != NULL) {
		http_close(m->http, main_http_closed, m);
		m->http = NULL;
	} else if (m->metrics != NULL) {
		metrics_close(m->metrics, main_metrics_closed, m);
		m->metrics = NULL;
	}
}

static void main_engine_stopped(void *arg)
{
	struct main_ctx *m = arg;

	m->engine_done = 1;
	main_close_metrics(m);
	if (m->control != NULL && !m->control_failed)
		control_close(m->control, main_control_closed, m);
	else
		m->control_done = 1;
	main_maybe_close_signals(m);
}

static void main_on_stop_signal(uv_signal_t *handle, int signum)
{
	struct main_ctx *m = handle->data;

	if (m->stopping) {
		log_notice("signal %d again while stopping; still committing", signum);
		return;
	}
	m->stopping = 1;
	log_info("signal %d: committing and stopping", signum);
	sdnotify("STOPPING=1");
	engine_stop(m->engine);
}

/*
 * Refuses a config file that others could write (conf_file_trusted), or
 * only warns with --allow-insecure-config. Returns 0 to go on, or -1 with
 * the message in err.
 */
static int main_config_trusted(const struct main_ctx *m, struct buf *err)
{
	if (conf_file_trusted(m->config_path, err) == 0)
		return 0;
	if (m->allow_insecure_config) {
		log_warnx("%s (allowed by --allow-insecure-config)", buf_cstr(err));
		buf_reset(err);
		return 0;
	}
	return -1;
}

/*
 * Loads the config file again and hands it to the engine; an invalid file
 * keeps the running config. On failure, err gets the first problem. The
 * keys whose change only a restart applies are stored in restart (up to
 * CONF_FIXED_MAX), their number in *nrestart, and logged.
 */
static int main_reload(struct main_ctx *m, char *err, size_t errlen, const char **restart,
                       size_t *nrestart)
{
	struct conf *conf;
	struct conf_errors errs = { 0 };
	struct buf trust = { 0 };
	struct buf owner = { 0 };

	sdnotify_reloading();
	if (main_config_trusted(m, &trust) < 0) {
		sdnotify("READY=1\nSTATUS=reload refused: the configuration file is writable by others");
		log_err("reload: %s; keeping the running configuration", buf_cstr(&trust));
		snprintf(err, errlen, "%s; the running configuration is kept", buf_cstr(&trust));
		buf_free(&trust);
		return -1;
	}
	buf_free(&trust);
	if (conf_load(m->config_path, &conf, &errs) < 0) {
		sdnotify("READY=1\nSTATUS=reload failed: invalid configuration, the running one is kept");
		log_err("reload: %s is invalid; keeping the running configuration", m->config_path);
		for (size_t i = 0; i < errs.count; i++)
			log_err("%s", errs.msgs[i]);
		snprintf(err, errlen, "%s (and %zu more); the running configuration is kept",
		         errs.count > 0 ? errs.msgs[0] : "invalid configuration",
		         errs.count > 0 ? errs.count - 1 : 0);
		conf_errors_free(&errs);
		return -1;
	}
	if (owner_check_state(conf, m->config_path, geteuid(), &owner) < 0) {
		sdnotify("READY=1\nSTATUS=reload refused: a state file's directory belongs to another user");
		log_err("reload: %s; keeping the running configuration", buf_cstr(&owner));
		snprintf(err, errlen, "%s; the running configuration is kept", buf_cstr(&owner));
		buf_free(&owner);
		conf_free(conf);
		return -1;
	}
	*nrestart = conf_fixed_changed(m->fixed, conf, restart, CONF_FIXED_MAX);
	if (*nrestart > 0) {
		struct buf names = { 0 };
		for (size_t i = 0; i < *nrestart; i++)
			buf_printf(&names, "%s%s", i ? ", " : "", restart[i]);
		log_warnx("reload: %s changed: %s effect at a restart (systemctl restart warmthd); "
		          "until then the value warmthd started with stays in use",
		          buf_cstr(&names), *nrestart > 1 ? "they take" : "it takes");
		buf_free(&names);
	}
	/* Before the engine takes conf over: who may change things is the new
	   config's say from the next request on. */
	if (m->control != NULL) {
		control_set_allowed(m->control, conf->allow_uids, conf->nallow_uids);
		control_set_limits(m->control, conf->control_max_clients,
		                   (size_t)conf->control_max_buffered,
		                   (uint64_t)conf->control_request_timeout_ms);
	}
	engine_reload(m->engine, conf);
	m->config_loaded_ms = time_now_ms();
	sdnotify(*nrestart > 0 ? "READY=1\nSTATUS=configuration reloaded; a changed key needs a restart"
	                       : "READY=1\nSTATUS=configuration reloaded");
	return 0;
}

static void main_on_hup(uv_signal_t *handle, int signum)
{
	const char *restart[CONF_FIXED_MAX];
	size_t nrestart;
	char err[1024];

	(void)signum;
	main_reload(handle->data, err, sizeof(err), restart, &nrestart);
}

static int main_cmd_ping(void *ctx, const struct control_request *req, struct json *out,
                         struct control_error *err)
{
	(void)ctx, (void)req, (void)err;
	json_object_open(out);
	json_kv_str(out, "version", WARMTH_VERSION);
	json_kv_int(out, "pid", (int64_t)getpid());
	json_object_close(out);
	return 0;
}

static int main_cmd_reload(void *ctx, const struct control_request *req, struct json *out,
                           struct control_error *err)
{
	struct main_ctx *m = ctx;
	const char *restart[CONF_FIXED_MAX];
	size_t nrestart = 0;
	char msg[1024];

	log_info("reload requested by uid %d (pid %d)", (int)req->uid, (int)req->pid);
	if (main_reload(m, msg, sizeof(msg), restart, &nrestart) < 0)
		return control_fail(err, "bad_config", "%s", msg);
	json_object_open(out);
	json_kv_bool(out, "reloaded", 1);
	/* The keys changed that keep their old value until a restart. */
	json_key(out, "restart_needed");
	json_array_open(out);
	for (size_t i = 0; i < nrestart; i++)
		json_str(out, restart[i]);
	json_array_close(out);
	json_object_close(out);
	return 0;
}

static int main_cmd_status(void *ctx, const struct control_request *req, struct json *out,
                           struct control_error *err)
{
	struct main_ctx *m = ctx;

	(void)req, (void)err;
	json_object_open(out);
	engine_status_fields(m->engine, out);
	json_kv_int(out, "uptime_s", (time_now_ms() - m->started_ms) / 1000);
	json_kv_str(out, "config", m->config_path);
	json_kv_time(out, "config_loaded", m->config_loaded_ms);
	json_kv_int(out, "control_clients", (int64_t)control_clients(m->control));
	json_object_close(out);
	return 0;
}

/* The contact a changing command names: args.actor and args.account (default "default"). */
static int main_contact_args(const struct control_request *req, const char **account,
                             const char **actor, struct control_error *err)
{
	if (control_arg_name(req, "actor", actor, err) < 0 ||
	    control_arg_name(req, "account", account, err) < 0)
		return -1;
	if (*account == NULL)
		*account = "default";
	if (*actor == NULL)
		return control_fail(err, "bad_argument", "\"actor\" (a string) is required");
	return 0;
}

static int main_contact_result(struct json *out, const char *account, const char *actor,
                               const char *what)
{
	json_object_open(out);
	json_kv_str(out, "account", account);
	json_kv_str(out, "actor", actor);
	json_kv_str(out, "done", what);
	json_object_close(out);
	return 0;
}

static int main_cmd_snooze(void *ctx, const struct control_request *req, struct json *out,
                           struct control_error *err)
{
	struct main_ctx *m = ctx;
	const char *account, *actor, *duration = control_arg_string(req, "duration");
	int64_t ms = 0;
	char msg[512];

	if (main_contact_args(req, &account, &actor, err) < 0)
		return -1;
	if (strcmp(req->cmd, "snooze") == 0 &&
	    (duration == NULL || parse_duration_ms(duration, &ms) < 0 || ms <= 0))
		return control_fail(err, "bad_argument",
		                    "\"duration\" must be a duration like 90m, 36h or 14d");
	/* Not err->message itself: control_fail formats into it, and a buffer
	   printed into itself (its own "%s") comes out empty. */
	if (engine_snooze(m->engine, account, actor, ms, msg, sizeof(msg)) < 0)
		return control_fail(err, "not_found", "%s", msg);
	return main_contact_result(out, account, actor, ms > 0 ? "snoozed" : "unsnoozed");
}

static int main_cmd_mark(void *ctx, const struct control_request *req, struct json *out,
                         struct control_error *err)
{
	struct main_ctx *m = ctx;
	const char *account, *actor, *state = control_arg_string(req, "state");
	char msg[512];

	if (main_contact_args(req, &account, &actor, err) < 0)
		return -1;
	if (state == NULL)
		return control_fail(err, "bad_argument", "\"state\" (a string) is required");
	if (engine_mark(m->engine, account, actor, state, msg, sizeof(msg)) < 0)
		return control_fail(err, strncmp(msg, "no contact", 10) == 0 ? "not_found" : "bad_argument",
		                    "%s", msg);
	return main_contact_result(out, account, actor, state);
}

/* A notify-test waiting for its notifier's answer. */
struct main_test {
	struct control_deferred *reply;
};

static void main_test_done(void *arg, const char *sink, int result, const char *reason)
{
	struct main_test *t = arg;
	struct control_error err = { .code = "delivery_failed" };
	struct buf out = { 0 };
	struct json *j;

	if (result == SINK_DELIVERED) {
		j = json_new(&out, 0);
		json_object_open(j);
		json_kv_str(j, "sink", sink);
		json_kv_str(j, "result", "delivered");
		json_object_close(j);
		json_free(j);
		control_answer(t->reply, buf_cstr(&out), NULL);
	} else {
		/* The outbox would retry a "retry"; a test says so and stops. */
		snprintf(err.message, sizeof(err.message), "%s: %s (%s)", sink,
		         reason != NULL ? reason : "not delivered",
		         result == SINK_RETRY ? "a notification would be retried" : "failed for good");
		control_answer(t->reply, NULL, &err);
	}
	buf_free(&out);
	free(t);
}

static int main_cmd_notify_test(void *ctx, const struct control_request *req, struct json *out,
                                struct control_error *err)
{
	struct main_ctx *m = ctx;
	const char *sink = control_arg_string(req, "sink");
	struct outbox *ob = engine_outbox(m->engine);
	struct main_test *t;

	(void)out;
	if (sink == NULL || *sink == '\0')
		return control_fail(err, "bad_argument", "\"sink\" (a notifier's name or type) is required");
	if (ob == NULL)
		return control_fail(err, "internal", "the outbox is not running");
	t = xcalloc(1, sizeof(*t));
	if (outbox_test(ob, sink, main_test_done, t, err->message, sizeof(err->message)) < 0) {
		free(t);
		err->code = strncmp(err->message, "no notifier", 11) == 0 ? "not_found" : "bad_argument";
		return -1;
	}
	log_info("notify-test of %s requested by uid %d (pid %d)", sink, (int)req->uid, (int)req->pid);
	t->reply = control_defer(req);
	return CONTROL_DEFERRED;
}

static int main_cmd_redeliver(void *ctx, const struct control_request *req, struct json *out,
                              struct control_error *err)
{
	struct main_ctx *m = ctx;
	const char *id = control_arg_string(req, "id");
	struct outbox *ob = engine_outbox(m->engine);
	int not_found;

	if (id == NULL || *id == '\0')
		return control_fail(err, "bad_argument", "\"id\" (a notification id) is required");
	if (ob == NULL)
		return control_fail(err, "internal", "the outbox is not running");
	if (outbox_redeliver(ob, id, out, &not_found, err->message, sizeof(err->message)) < 0) {
		err->code = not_found ? "not_found" : "bad_argument";
		return -1;
	}
	if (req->via != NULL)
		log_info("redelivery of %s requested over %s", id, req->via);
	else
		log_info("redelivery of %s requested by uid %d (pid %d)", id, (int)req->uid,
		         (int)req->pid);
	return 0;
}

/* show, top, ready, export, contacts, metrics, plan: the engine answers from memory. */
static int main_cmd_view(void *ctx, const struct control_request *req, struct json *out,
                         struct control_error *err)
{
	struct main_ctx *m = ctx;

	return engine_view(m->engine, req, out, err);
}

/*
 * The dashboard's address with its token: a changing command, since the
 * token lets its holder change state (as mark and snooze do here).
 */
static int main_cmd_dashboard(void *ctx, const struct control_request *req, struct json *out,
                              struct control_error *err)
{
	struct main_ctx *m = ctx;
	struct buf url = { 0 };

	(void)req;
	if (m->api == NULL)
		return control_fail(err, "not_found", "the dashboard is off (http.dashboard: true and "
		                    "metrics.listen turn it on, at a restart)");
	http_api_url(m->api, &url);
	json_object_open(out);
	json_kv_str(out, "url", buf_cstr(&url));
	json_object_close(out);
	explicit_bzero(url.data, url.len);
	buf_free(&url);
	return 0;
}

static const struct control_command main_commands[] = {
	/* Both reach outside (a webhook, a program): for those who may change things. */
	{ "notify-test", 1, main_cmd_notify_test },
	{ "redeliver", 1, main_cmd_redeliver },
	{ "snooze", 1, main_cmd_snooze },
	{ "unsnooze", 1, main_cmd_snooze },
	{ "mark", 1, main_cmd_mark },
	{ "ping", 0, main_cmd_ping },
	{ "status", 0, main_cmd_status },
	{ "show", 0, main_cmd_view },
	{ "top", 0, main_cmd_view },
	{ "ready", 0, main_cmd_view },
	{ "export", 0, main_cmd_view },
	{ "metrics", 0, main_cmd_view },
	{ "plan", 0, main_cmd_view },
	{ "contacts", 0, main_cmd_view },
	{ "notifications", 0, main_cmd_view },
	{ "reload", 1, main_cmd_reload },
	{ "dashboard", 1, main_cmd_dashboard },
	{ NULL, 0, NULL },
};

/*
 * A service that cannot be asked cannot be managed (no status, no reload
 * reply, no mark): a control socket that cannot be made stops the start,
 * before READY=1, with the cause. Only --once, a one-shot run beside or
 * instead of the service, goes on without one. Returns 0 or -1.
 */
static int main_start_control(struct main_ctx *m, const struct conf *conf, int once)
{
	char err[512];

	m->control = control_new(m->loop, conf->socket, main_commands, m);
	control_set_allowed(m->control, conf->allow_uids, conf->nallow_uids);
	control_set_limits(m->control, conf->control_max_clients, (size_t)conf->control_max_buffered,
	                   (uint64_t)conf->control_request_timeout_ms);
	if (control_start(m->control, err, sizeof(err)) < 0) {
		control_close(m->control, NULL, NULL);
		m->control_failed = 1;
		if (!once) {
			log_err("control socket: %s; not starting (warmthctl could not reach the daemon)",
			        err);
			return -1;
		}
		log_err("control socket disabled: %s", err);
		return 0;
	}
	log_info("control socket %s", conf->socket);
	return 0;
}

static void main_metrics_snapshot(void *ctx, struct metrics_snapshot *s)
{
	struct main_ctx *m = ctx;

	engine_metrics_snapshot(m->engine, s);
}

/* POST /v1/events (http.events): the engine applies and commits, http_events.c serves. */
static int main_push_busy(void *ctx)
{
	return engine_push_busy(((struct main_ctx *)ctx)->engine);
}

static uint64_t main_push(void *ctx, const char *source, const char *body, size_t len,
                          struct buf *reply)
{
	return engine_push(((struct main_ctx *)ctx)->engine, source, body, len, reply);
}

static uint64_t main_push_committed(void *ctx)
{
	return engine_committed_seq(((struct main_ctx *)ctx)->engine);
}

static void main_committed(void *ctx)
{
	struct main_ctx *m = ctx;

	if (m->events != NULL)
		http_events_committed(m->events);
}

/*
 * The dashboard's routes, when its token can be had; without it the
 * dashboard stays off (reported) and the rest of the listener serves on.
 */
static void main_start_dashboard(struct main_ctx *m, const struct conf *conf)
{
	char token[HTTP_API_TOKEN_MAX + 1], err[512];
	struct http_route route;

	if (http_api_token_load(conf->http_dashboard_token_file, token, err, sizeof(err)) < 0) {
		log_err("dashboard disabled: http.dashboard_token_file: %s", err);
		return;
	}
	m->api = http_api_new(conf, main_commands, m, token);
	explicit_bzero(token, sizeof(token));
	route = http_api_route(m->api);
	http_add_route(m->http, &route);
	m->www = http_static_new(conf, m->api, err, sizeof(err));
	if (m->www == NULL) {
		/* The API serves on: a page elsewhere, or curl, can still use it. */
		log_err("dashboard page disabled: %s", err);
	} else {
		route = http_static_route(m->www, "/", 0);
		http_add_route(m->http, &route);
		route = http_static_route(m->www, "/static/", 1);
		http_add_route(m->http, &route);
		route = http_static_route(m->www, "/vendor/chart.js", 0);
		http_add_route(m->http, &route);
		log_info("http: the dashboard's page from %s", http_static_root(m->www));
	}
	log_info("http: dashboard at http://%s/ (warmthctl dashboard prints its address with the "
	         "token)", conf->metrics_listen);
}

/*
 * Like the control socket, metrics are for watching, not for ingesting:
 * a listener that cannot start (the port is taken) is reported and the
 * daemon runs on without it. metrics.* and http.* take effect at a restart.
 */
static void main_start_metrics(struct main_ctx *m, const struct conf *conf)
{
	struct http_events_source source = { main_push_busy, main_push, main_push_committed, m };
	struct http_route route;
	char err[512];

	if (conf->metrics_textfile == NULL && conf->metrics_listen == NULL)
		return;
	m->metrics_done = 0;
	m->metrics = metrics_new(m->loop, conf, main_metrics_snapshot, m);
	metrics_start(m->metrics);
	if (conf->metrics_listen == NULL)
		return;
	m->http = http_new(m->loop, conf, conf->http_max_pending);
	m->events = http_events_new(m->http, conf, conf->http_events ? &source : NULL);
	route = http_metrics_route(m->metrics);
	http_add_route(m->http, &route);
	route = http_events_route(m->events);
	http_add_route(m->http, &route);
	if (conf->http_dashboard)
		main_start_dashboard(m, conf);
	if (http_start(m->http, err, sizeof(err)) < 0) {
		log_err("metrics disabled: %s", err);
		main_close_metrics(m);
		return;
	}
	log_info("metrics: serving http://%s/metrics", conf->metrics_listen);
	if (conf->http_events) {
		engine_on_commit(m->engine, main_committed, m);
		log_info("http: accepting events at http://%s/v1/events", conf->metrics_listen);
	}
}

/*
 * Raises the soft open-file limit to the hard one: the soft default (1024
 * under systemd) is a guard for select(), which warmthd does not use, and
 * the input files, control clients and notifiers all need descriptors.
 * The tailer keeps its inputs within half of what this leaves.
 */
static void main_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	if (rl.rlim_cur == rl.rlim_max) {
		log_info("open-file limit %llu", (unsigned long long)rl.rlim_cur);
		return;
	}
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("cannot raise the open-file limit from %llu to %llu", (unsigned long long)was,
		         (unsigned long long)rl.rlim_max);
		return;
	}
	log_info("open-file limit raised from %llu to %llu", (unsigned long long)was,
	         (unsigned long long)rl.rlim_cur);
}

/*
 * warmthd -t: the config as the daemon would load it, and what start needs
 * that the config alone does not say (the control socket's directory).
 * It may run outside the service (the README's "warmthd -t && systemctl
 * enable"), so what only the service has (its credentials, its user's
 * read access) is a note on stderr, not a failure. Returns the exit code.
 */
static int main_check(const struct main_ctx *m)
{
	struct conf_errors errs = { 0 }, notes = { 0 };
	struct conf *conf;
	char err[512];
	int rc = 0;

	if (conf_check(m->config_path, &conf, &errs, &notes) < 0) {
		conf_errors_print(&errs, stderr);
		conf_errors_free(&errs);
		rc = 1;
	} else {
		int sock = control_check_path(conf->socket, err, sizeof(err));
		if (sock < 0) {
			fprintf(stderr, "%s: control.socket %s\n", m->config_path, err);
			rc = 1;
		} else if (sock > 0) {
			fprintf(stderr, "%s: note: control.socket %s\n", m->config_path, err);
		}
		conf_free(conf);
	}
	conf_errors_print(&notes, stderr);
	conf_errors_free(&notes);
	if (rc == 0)
		printf("configuration OK\n");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "once", no_argument, NULL, 'o' },
		{ "allow-insecure-config", no_argument, NULL, 'I' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct main_ctx m = { 0 };
	struct conf *conf;
	struct conf_errors errs = { 0 };
	int check = 0, once = 0, ch, rc;
	uv_loop_t loop;

	m.config_path = CONF_DEFAULT_PATH;
	m.metrics_done = 1;
	/* journald reads the "<N>" priorities; a terminal or a file gets plain lines. */
	log_set_prefix(log_stderr_is_journal());
	while ((ch = getopt_long(argc, argv, "c:th", options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			m.config_path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'o':
			once = 1;
			break;
		case 'I':
			m.allow_insecure_config = 1;
			break;
		case 'V':
			printf("warmthd %s\n", WARMTH_VERSION);
			return 0;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "warmthd: unexpected argument: %s\n", argv[optind]);
		main_usage(stderr);
		return 2;
	}

	{
		struct buf trust = { 0 };
		if (main_config_trusted(&m, &trust) < 0) {
			fprintf(stderr, "%s%s\n", check ? "" : "warmthd: ", buf_cstr(&trust));
			buf_free(&trust);
			return 1;
		}
		buf_free(&trust);
	}
	if (check)
		return main_check(&m);
	if (conf_load(m.config_path, &conf, &errs) < 0) {
		fprintf(stderr, "warmthd: invalid configuration:\n");
		conf_errors_print(&errs, stderr);
		conf_errors_free(&errs);
		return 1;
	}
	{
		struct buf owner = { 0 };
		if (owner_check_state(conf, m.config_path, geteuid(), &owner) < 0) {
			fprintf(stderr, "warmthd: %s\n", buf_cstr(&owner));
			buf_free(&owner);
			conf_free(conf);
			return 1;
		}
		buf_free(&owner);
	}
	log_set_level((enum log_level)conf->log_level);
	signal(SIGPIPE, SIG_IGN);
	main_raise_nofile();

	uv_loop_init(&loop);
	m.loop = &loop;
	m.started_ms = m.config_loaded_ms = time_now_ms();
	/* First: nothing else is started yet that a refusal would have to undo. */
	if (main_start_control(&m, conf, once) < 0) {
		uv_run(&loop, UV_RUN_DEFAULT);
		control_free(m.control);
		uv_loop_close(&loop);
		conf_free(conf);
		sdnotify_init();
		sdnotify("STATUS=the control socket cannot be created; see the log");
		sdnotify_close();
		return 1;
	}
	m.fixed = conf_fixed_new(conf);
	m.engine = engine_new(&loop, conf, once);
	engine_on_stopped(m.engine, main_engine_stopped, &m);
	sdnotify_init();
	uv_timer_init(&loop, &m.watchdog);
	m.watchdog.data = &m;
	uv_signal_init(&loop, &m.sigterm);
	uv_signal_init(&loop, &m.sigint);
	uv_signal_init(&loop, &m.sighup);
	m.sigterm.data = m.sigint.data = m.sighup.data = &m;
	uv_signal_start(&m.sigterm, main_on_stop_signal, SIGTERM);
	uv_signal_start(&m.sigint, main_on_stop_signal, SIGINT);
	uv_signal_start(&m.sighup, main_on_hup, SIGHUP);

	if (engine_start(m.engine) < 0) {
		log_err("cannot start; exiting");
		engine_stop(m.engine);
		uv_run(&loop, UV_RUN_DEFAULT);
		engine_free(m.engine);
		conf_fixed_free(m.fixed);
		control_free(m.control);
		uv_loop_close(&loop);
		return 1;
	}
	log_info("warmthd %s started (config %s)", WARMTH_VERSION, m.config_path);
	/* After engine_start: the snapshots read its state. */
	main_start_metrics(&m, conf);
	if (!once) {
		uint64_t usec = sdnotify_watchdog_usec();
		/* Inputs are open and the state is loaded: ready. */
		sdnotify("READY=1\nSTATUS=ingesting");
		if (usec > 0)
			uv_timer_start(&m.watchdog, main_watchdog_cb, usec / 2000 ? usec / 2000 : 1,
			               usec / 2000 ? usec / 2000 : 1);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = engine_status(m.engine) == 0 ? 0 : 1;
	engine_free(m.engine);
	conf_fixed_free(m.fixed);
	control_free(m.control);
	if (uv_loop_close(&loop) != 0) {
		log_err("internal error: handles left open at exit");
		rc = 1;
	}
	log_info("stopped");
	sdnotify_close();
	return rc;
}
