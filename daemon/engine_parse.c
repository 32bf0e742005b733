/*
 * engine_parse.c - parsing ahead on a second core: while the loop applies
 * the lines of a run (the complete lines the tailer hands over from one
 * read), a worker thread parses the lines ahead of it, so that when the
 * loop reaches them their events are ready. Applying stays on the loop, in
 * order; only event_parse() moves.
 *
 * Fork and join within one run: the tailer announces the run's bytes
 * (tail_callbacks.run_begin), the engine starts the worker on them, takes
 * each of its results as the loop reaches that line, and stops it when the
 * run is done (lines_done), before the tailer may move the bytes. The loop
 * never waits for the worker: a line whose result is not published yet is
 * parsed on the loop, which tells the worker where it is so that the
 * worker skips what the loop has done. So the loop parses the first lines
 * of a run while the worker wakes up, and any stretch where the worker
 * does not get the other core (the commit runs there too), and nothing
 * else. A run cut short (a pause) just drops what the worker parsed
 * beyond it: those lines come again in a later run. Small runs (live
 * lines) are not worth a handoff and are parsed on the loop.
 *
 * The worker owns its parser, a results table and an arena for the
 * events' strings (an event's strings live in its parser until the next
 * parse, so each result gets its own copy); the loop reads a result only
 * after the worker has published it (an atomic count, release/acquire).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "engine_internal.h"

/* At most this many lines a run go to the worker; the loop parses the rest. */
#define ENGINE_AHEAD_MAX_LINES 8192
/* Runs shorter than this are parsed on the loop alone. */
#define ENGINE_AHEAD_MIN_BYTES (64 * 1024)
/* Room per line for the strings' NULs and the error message. */
#define ENGINE_AHEAD_LINE_SLACK (EVENT_MAX_TAGS + 16 + 256)

struct engine_parse_ahead {
	uv_thread_t thread;
	uv_mutex_t mu;
	uv_cond_t cv;                       /* a job or quit for the worker; progress for the loop */
	struct event_parser *parser;        /* the worker's */
	struct engine_parsed *res;          /* ENGINE_AHEAD_MAX_LINES of them */
	char *arena;                        /* the results' strings */
	size_t arena_cap, arena_used;

	/* The job, set by the loop while the worker is idle. */
	const char *from, *end;
	int job, quit;
	atomic_int busy;                    /* the worker works on the job */
	atomic_int cancel;
	atomic_size_t done;                 /* results published */
	_Atomic(const char *) loop_at;      /* the loop has parsed the lines before this itself */
	size_t next;                        /* the next result the loop looks at */
	size_t taken;                       /* results the loop took, this run */
};

static char *engine_ahead_copy(struct engine_parse_ahead *pa, const char *s, size_t len)
{
	char *dst = pa->arena + pa->arena_used;

	memcpy(dst, s, len);
	dst[len] = '\0';
	pa->arena_used += len + 1;
	return dst;
}

static void engine_ahead_own(struct engine_parse_ahead *pa, struct event_str *s)
{
	if (s->ptr != NULL)
		s->ptr = engine_ahead_copy(pa, s->ptr, s->len);
}

/* Gives ev's strings copies of their own in the arena. */
static void engine_ahead_keep(struct engine_parse_ahead *pa, struct event *ev)
{
	struct event_str *fields[] = { &ev->actor, &ev->account, &ev->id,       &ev->post,
		                       &ev->title, &ev->text,    &ev->name,     &ev->headline,
		                       &ev->reaction };
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		engine_ahead_own(pa, fields[i]);
	for (size_t i = 0; i < ev->ntags; i++)
		engine_ahead_own(pa, &ev->tags[i]);
}

static void engine_ahead_run(struct engine_parse_ahead *pa)
{
	const char *p = pa->from, *nl;
	size_t n = 0;

	while (p < pa->end && n < ENGINE_AHEAD_MAX_LINES && !atomic_load(&pa->cancel)) {
		/* A line start: the loop's next line, when it is past p. */
		const char *at = atomic_load_explicit(&pa->loop_at, memory_order_relaxed);
		if (at > p)
			p = at;
		if ((nl = memchr(p, '\n', (size_t)(pa->end - p))) == NULL)
			break;
		struct engine_parsed *r = &pa->res[n];
		r->line = p;
		r->len = (size_t)(nl - p);
		r->rc = event_parse(pa->parser, p, r->len, &r->ev);
		if (r->rc == REJECT_NONE) {
			engine_ahead_keep(pa, &r->ev);
			r->error = NULL;
		} else {
			const char *msg = event_parser_error(pa->parser);
			size_t len = strlen(msg);
			r->error = engine_ahead_copy(pa, msg, len < 255 ? len : 255);
		}
		atomic_store_explicit(&pa->done, ++n, memory_order_release);
		p = nl + 1;
	}
}

static void engine_ahead_main(void *arg)
{
	struct engine_parse_ahead *pa = arg;

	uv_mutex_lock(&pa->mu);
	for (;;) {
		while (!pa->job && !pa->quit)
			uv_cond_wait(&pa->cv, &pa->mu);
		if (pa->quit)
			break;
		pa->job = 0;
		uv_mutex_unlock(&pa->mu);
		engine_ahead_run(pa);
		uv_mutex_lock(&pa->mu);
		atomic_store(&pa->busy, 0);
		uv_cond_broadcast(&pa->cv);
	}
	uv_mutex_unlock(&pa->mu);
}

struct engine_parse_ahead *engine_parse_ahead_new(void)
{
	struct engine_parse_ahead *pa = xcalloc(1, sizeof(*pa));

	pa->parser = event_parser_new();
	pa->res = xcalloc(ENGINE_AHEAD_MAX_LINES, sizeof(*pa->res));
	if (uv_mutex_init(&pa->mu) != 0 || uv_cond_init(&pa->cv) != 0)
		fatalx("cannot make the parse-ahead worker's lock");
	if (uv_thread_create(&pa->thread, engine_ahead_main, pa) != 0) {
		/* Not fatal: the loop parses everything itself. */
		uv_cond_destroy(&pa->cv);
		uv_mutex_destroy(&pa->mu);
		event_parser_free(pa->parser);
		free(pa->res);
		free(pa);
		return NULL;
	}
	return pa;
}

void engine_parse_ahead_stop(struct engine_parse_ahead *pa)
{
	if (pa == NULL)
		return;
	if (pa->taken > 0)
		log_debug("parse-ahead: %zu lines of the run parsed on the second core", pa->taken);
	atomic_store(&pa->cancel, 1);
	uv_mutex_lock(&pa->mu);
	while (atomic_load(&pa->busy))
		uv_cond_wait(&pa->cv, &pa->mu);
	uv_mutex_unlock(&pa->mu);
	atomic_store(&pa->cancel, 0);
	atomic_store(&pa->done, 0);
	atomic_store(&pa->loop_at, NULL);
	pa->from = pa->end = NULL;
	pa->next = pa->taken = 0;
}

void engine_parse_ahead_start(struct engine_parse_ahead *pa, const char *buf, size_t len)
{
	if (pa == NULL || len < ENGINE_AHEAD_MIN_BYTES)
		return;
	engine_parse_ahead_stop(pa);
	size_t need = len + ENGINE_AHEAD_MAX_LINES * ENGINE_AHEAD_LINE_SLACK;
	if (pa->arena_cap < need) {
		free(pa->arena);
		pa->arena = xmalloc(need);
		pa->arena_cap = need;
	}
	pa->arena_used = 0;
	uv_mutex_lock(&pa->mu);
	pa->from = buf;
	pa->end = buf + len;
	pa->job = 1;
	atomic_store(&pa->busy, 1);
	uv_cond_broadcast(&pa->cv);
	uv_mutex_unlock(&pa->mu);
}

const struct engine_parsed *engine_parse_ahead_take(struct engine_parse_ahead *pa,
                                                   const char *line, size_t len)
{
	if (pa == NULL || pa->from == NULL || line < pa->from || line >= pa->end)
		return NULL;
	size_t done = atomic_load_explicit(&pa->done, memory_order_acquire);
	/* Results for lines the loop parsed itself, before the worker skipped. */
	while (pa->next < done && pa->res[pa->next].line < line)
		pa->next++;
	if (pa->next < done && pa->res[pa->next].line == line && pa->res[pa->next].len == len) {
		pa->taken++;
		return &pa->res[pa->next++];
	}
	/* Not parsed yet (or the worker stopped at its line limit): the loop
	   parses this line; the worker goes on from the next. */
	atomic_store_explicit(&pa->loop_at, line + len + 1, memory_order_relaxed);
	return NULL;
}

void engine_parse_ahead_free(struct engine_parse_ahead *pa)
{
	if (pa == NULL)
		return;
	engine_parse_ahead_stop(pa);
	uv_mutex_lock(&pa->mu);
	pa->quit = 1;
	uv_cond_broadcast(&pa->cv);
	uv_mutex_unlock(&pa->mu);
	uv_thread_join(&pa->thread);
	uv_cond_destroy(&pa->cv);
	uv_mutex_destroy(&pa->mu);
	event_parser_free(pa->parser);
	free(pa->res);
	free(pa->arena);
	free(pa);
}
