/*
 * sink_exec.c - the exec sink: runs a program for each record (see sink.h).
 *
 * Design. Each delivery is one run: uv_spawn of the configured argv (no
 * shell), the record and a newline on its stdin (a uv_pipe_t, closed after
 * the write so the program sees end of file), its stdout and stderr on the
 * daemon's stderr (journald keeps them beside our own messages), and a few
 * fields as environment variables (WARMTH_KIND, WARMTH_ID, WARMTH_ACTOR,
 * WARMTH_SEGMENT, WARMTH_WARMTH) so a one-line script need not parse JSON;
 * of the daemon's own environment only PATH, HOME, USER, LOGNAME, LANG,
 * LANGUAGE, LC_*, TZ and TMPDIR are passed on (sink_exec_env_allowed).
 * Exit status 0 is delivered; anything else is retried later. A program
 * that cannot be run at all (missing, not executable) is a permanent
 * failure: retrying cannot help until the config or the system changes.
 *
 * Every run is spawned detached, which makes it the leader of a process
 * group of its own; at the timeout the whole group gets SIGTERM, and
 * SIGKILL a grace period later, so a script's children die with it. Runs
 * overlap freely. A run owns three handles (process, stdin pipe, timer)
 * and is reported and freed when the last of them is closed. The sink's
 * own handle, closer, exists so that closing a sink with nothing running
 * still ends in a close callback.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

#define SINK_EXEC_GRACE_MS 1000 /* from SIGTERM to SIGKILL */

extern char **environ;

struct sink_exec_run;

struct sink_exec {
	struct sink *sink;
	char **argv;                 /* NULL-terminated copy */
	int64_t timeout_ms;
	struct sink_exec_run *runs;
	uv_timer_t closer;
	int closer_open;
	int closing;
};

struct sink_exec_run {
	struct sink_exec *exec;
	struct sink_exec_run *next;
	struct sink_delivery *d;
	uv_process_t process;
	uv_pipe_t input;
	uv_timer_t timer;
	uv_write_t write;
	char *line;                  /* the record and its newline, while written */
	char **env;
	int open_handles;
	int spawn_error;             /* a negative errno when uv_spawn failed */
	int exited;
	int64_t exit_status;
	int term_signal;
	int timed_out;               /* SIGTERM sent at the timeout */
	int killed;                  /* SIGKILL sent after the grace period */
	int stopped;                 /* terminated because the sink closed, not at its timeout */
};

static void sink_exec_finish_close(struct sink_exec *exec)
{
	struct sink *sink = exec->sink;

	if (!exec->closing || exec->closer_open || exec->runs != NULL)
		return;
	for (size_t i = 0; exec->argv[i] != NULL; i++)
		free(exec->argv[i]);
	free(exec->argv);
	free(exec);
	sink_closed(sink);
}

/*
 * Whether a variable of ours is passed to a run. The environment is a
 * list of what is allowed, not of what is not: a daemon's environment may
 * hold what a hook has no business seeing (systemd's NOTIFY_SOCKET, which
 * would let it speak for us, CREDENTIALS_DIRECTORY with our secrets, an
 * administrator's tokens), so only what programs need to run and to speak
 * the user's language gets through.
 */
static int sink_exec_env_allowed(const char *var)
{
	static const char *const names[] = { "PATH=", "HOME=", "USER=", "LOGNAME=", "LANG=",
	                                     "LANGUAGE=", "TZ=", "TMPDIR=" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strncmp(var, names[i], strlen(names[i])) == 0)
			return 1;
	return strncmp(var, "LC_", 3) == 0 && strchr(var, '=') != NULL;
}

/*
 * The environment of a run: PATH, HOME, USER, LOGNAME, LANG, LANGUAGE,
 * LC_*, TZ and TMPDIR from ours (PATH defaulting to the usual one), then
 * the record's fields as WARMTH_* variables.
 */
static char **sink_exec_env(const char *record)
{
	static const char *const names[] = { "WARMTH_KIND", "WARMTH_ID", "WARMTH_ACTOR",
	                                     "WARMTH_SEGMENT", "WARMTH_WARMTH" };
	struct sink_record r;
	const char *values[ARRAY_SIZE(names)] = { NULL };
	size_t n = 0, count = 0;
	int has_path = 0;
	char **env;

	if (sink_record_parse(record, &r) == 0) {
		values[0] = r.kind, values[1] = r.id, values[2] = r.actor;
		values[3] = r.segment, values[4] = r.warmth;
	}
	while (environ != NULL && environ[count] != NULL)
		count++;
	env = xcalloc(count + ARRAY_SIZE(names) + 2, sizeof(*env));
	for (size_t i = 0; i < count; i++) {
		if (sink_exec_env_allowed(environ[i])) {
			has_path |= strncmp(environ[i], "PATH=", 5) == 0;
			env[n++] = xstrdup(environ[i]);
		}
	}
	if (!has_path)
		env[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct buf b = { 0 };
		if (values[i] == NULL)
			continue;
		buf_printf(&b, "%s=%s", names[i], values[i]);
		env[n++] = xstrdup(buf_cstr(&b));
		buf_free(&b);
	}
	sink_record_free(&r);
	return env;
}

static void sink_exec_report(struct sink_exec_run *run)
{
	struct sink_exec *exec = run->exec;
	struct buf reason = { 0 };
	enum sink_result result = SINK_RETRY;

	if (run->spawn_error == UV_ENOENT || run->spawn_error == UV_EACCES ||
	    run->spawn_error == -ENOEXEC || run->spawn_error == UV_ENOTDIR) {
		result = SINK_FAILED;
		buf_printf(&reason, "cannot run %s: %s", exec->argv[0], uv_strerror(run->spawn_error));
	} else if (run->spawn_error != 0) {
		buf_printf(&reason, "cannot run %s: %s", exec->argv[0], uv_strerror(run->spawn_error));
	} else if (run->stopped) {
		buf_printf(&reason, "sink closed (%s %s)", exec->argv[0], run->killed ? "killed" : "terminated");
	} else if (run->timed_out) {
		buf_printf(&reason, "timed out after %gs (%s)", (double)exec->timeout_ms / 1000,
		           run->killed ? "killed" : "terminated");
	} else if (run->term_signal != 0) {
		buf_printf(&reason, "killed by signal %d (%s)", run->term_signal, strsignal(run->term_signal));
	} else if (run->exit_status != 0) {
		buf_printf(&reason, "exit status %lld", (long long)run->exit_status);
	} else {
		result = SINK_DELIVERED;
	}
	sink_complete(run->d, result, buf_cstr(&reason));
	buf_free(&reason);
}

static void sink_exec_run_closed(uv_handle_t *handle)
{
	struct sink_exec_run *run = handle->data;
	struct sink_exec *exec = run->exec;

	if (--run->open_handles > 0)
		return;
	for (struct sink_exec_run **pp = &exec->runs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == run) {
			*pp = run->next;
			break;
		}
	}
	sink_exec_report(run);
	for (size_t i = 0; run->env[i] != NULL; i++)
		free(run->env[i]);
	free(run->env);
	free(run->line);
	free(run);
	sink_exec_finish_close(exec);
}

static void sink_exec_close_handle(uv_handle_t *handle)
{
	if (!uv_is_closing(handle))
		uv_close(handle, sink_exec_run_closed);
}

/* Signals the run's process group (its own, being detached), or the process if that fails. */
static void sink_exec_signal(struct sink_exec_run *run, int sig)
{
	if (kill(-run->process.pid, sig) < 0 && errno == ESRCH)
		(void)kill(run->process.pid, sig);
}

static void sink_exec_on_timer(uv_timer_t *timer)
{
	struct sink_exec_run *run = timer->data;

	if (run->exited)
		return;
	if (!run->timed_out) {
		run->timed_out = 1;
		sink_exec_signal(run, SIGTERM);
		uv_timer_start(&run->timer, sink_exec_on_timer, SINK_EXEC_GRACE_MS, 0);
	} else if (!run->killed) {
		run->killed = 1;
		sink_exec_signal(run, SIGKILL);
	}
}

static void sink_exec_on_exit(uv_process_t *process, int64_t exit_status, int term_signal)
{
	struct sink_exec_run *run = process->data;

	run->exited = 1;
	run->exit_status = exit_status;
	run->term_signal = term_signal;
	uv_timer_stop(&run->timer);
	sink_exec_close_handle((uv_handle_t *)&run->process);
	sink_exec_close_handle((uv_handle_t *)&run->timer);
	/* A program that exits without reading leaves the write to fail with EPIPE. */
	sink_exec_close_handle((uv_handle_t *)&run->input);
}

static void sink_exec_written(uv_write_t *req, int status)
{
	struct sink_exec_run *run = req->data;

	/* EPIPE: the program did not read its input; its exit status decides. */
	(void)status;
	sink_exec_close_handle((uv_handle_t *)&run->input);
}

static void sink_exec_deliver(struct sink *sink, struct sink_delivery *d)
{
	struct sink_exec *exec = sink->state;
	struct sink_exec_run *run = xcalloc(1, sizeof(*run));
	uv_process_options_t options = { 0 };
	uv_stdio_container_t stdio[3];
	uv_buf_t b;
	int rc;

	run->exec = exec;
	run->d = d;
	run->env = sink_exec_env(d->record);
	run->next = exec->runs;
	exec->runs = run;
	run->process.data = run->input.data = run->timer.data = run->write.data = run;
	uv_pipe_init(sink->loop, &run->input, 0);
	uv_timer_init(sink->loop, &run->timer);
	run->open_handles = 3; /* uv_spawn initialises the process handle even when it fails */

	stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	stdio[0].data.stream = (uv_stream_t *)&run->input;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = STDERR_FILENO; /* our stdout may be the stdout sink's */
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = STDERR_FILENO;
	options.exit_cb = sink_exec_on_exit;
	options.file = exec->argv[0];
	options.args = exec->argv;
	options.env = run->env;
	options.stdio = stdio;
	options.stdio_count = 3;
	options.flags = UV_PROCESS_DETACHED;

	rc = uv_spawn(sink->loop, &run->process, &options);
	if (rc < 0) {
		run->spawn_error = rc;
		sink_exec_close_handle((uv_handle_t *)&run->process);
		sink_exec_close_handle((uv_handle_t *)&run->timer);
		sink_exec_close_handle((uv_handle_t *)&run->input);
		return;
	}
	uv_timer_start(&run->timer, sink_exec_on_timer, (uint64_t)exec->timeout_ms, 0);
	run->line = xmalloc(d->len + 1);
	memcpy(run->line, d->record, d->len);
	run->line[d->len] = '\n';
	b = uv_buf_init(run->line, (unsigned)(d->len + 1));
	if (uv_write(&run->write, (uv_stream_t *)&run->input, &b, 1, sink_exec_written) < 0)
		sink_exec_close_handle((uv_handle_t *)&run->input);
}

static int sink_exec_create(struct sink *sink, const struct conf_notify *conf, struct buf *err)
{
	struct sink_exec *exec = xcalloc(1, sizeof(*exec));

	(void)err; /* whether the program runs is learnt at each delivery: it may be installed later */
	exec->sink = sink;
	exec->timeout_ms = conf->timeout_ms;
	exec->argv = xcalloc(conf->ncommand + 1, sizeof(*exec->argv));
	for (size_t i = 0; i < conf->ncommand; i++)
		exec->argv[i] = xstrdup(conf->command[i]);
	uv_timer_init(sink->loop, &exec->closer);
	exec->closer.data = exec;
	exec->closer_open = 1;
	sink->state = exec;
	return 0;
}

static void sink_exec_closer_closed(uv_handle_t *handle)
{
	struct sink_exec *exec = handle->data;

	exec->closer_open = 0;
	sink_exec_finish_close(exec);
}

static void sink_exec_close(struct sink *sink)
{
	struct sink_exec *exec = sink->state;

	exec->closing = 1;
	/* Runs under way get the same treatment as at their timeout, now. */
	for (struct sink_exec_run *run = exec->runs; run != NULL; run = run->next) {
		if (run->exited || run->spawn_error != 0 || run->timed_out)
			continue;
		run->stopped = 1;
		uv_timer_stop(&run->timer);
		sink_exec_on_timer(&run->timer);
	}
	uv_close((uv_handle_t *)&exec->closer, sink_exec_closer_closed);
}

const struct sink_ops sink_exec_ops = {
	.type = "exec",
	.serial = 0,
	.create = sink_exec_create,
	.deliver = sink_exec_deliver,
	.close = sink_exec_close,
	.last_id = NULL,
};
