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
 * run is done (lines_done), before the tailer may move the bytes.
 *
 * Each line is parsed once, by whichever thread claims it first: an atomic
 * pointer to the first line no one has claimed, moved on by a
 * compare-and-swap. The worker claims lines one at a time ahead of the
 * loop; the loop, reaching a line whose result is not published, claims
 * it and parses it itself if the worker has not, and otherwise waits the
 * moment the worker needs to finish it (a spin, bounded: a worker that
 * lost its core meanwhile costs the loop a second parse, not a wait), then
 * claims a few lines ahead for itself so as not to wait at the next. So
 * the loop parses the first lines of a run, while the worker wakes up,
 * and any stretch where the worker does not get the other core (the
 * commit runs there too), and nothing twice. A run cut short (a pause)
 * just drops what the worker parsed beyond it: those lines come again in
 * a later run. Small runs (live lines) are not worth a handoff and are
 * parsed on the loop.
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
/* Checks of a line the worker is parsing before the loop parses it too. */
#define ENGINE_AHEAD_SPIN 4096
/* Lines the loop claims for itself after waiting for the worker. */
#define ENGINE_AHEAD_LEAP 32

/*
 * What each thread writes at every line has a cache line of its own (the
 * struct is allocated on a line boundary): a field of the other thread's
 * in the same line would make each write fetch the line back from the
 * other core, for both of them, at every line.
 */
#define ENGINE_AHEAD_LINE 64

struct engine_parse_ahead {
	uv_thread_t thread;
	uv_mutex_t mu;
	uv_cond_t cv;                       /* a job or quit for the worker; a job's end for the loop */
	struct event_parser *parser;        /* the worker's */
	struct engine_parsed *res;          /* ENGINE_AHEAD_MAX_LINES of them */
	char *arena;                        /* the results' strings */
	size_t arena_cap;

	/* The job, set by the loop while the worker is idle. */
	const char *from, *end;
	int job, quit;
	atomic_int busy;                    /* the worker works on the job */
	atomic_int cancel;

	/* Written by the worker at every line. */
	_Alignas(ENGINE_AHEAD_LINE) atomic_size_t done; /* results published */
	size_t arena_used;

	/* Claimed by either. */
	_Alignas(ENGINE_AHEAD_LINE) _Atomic(const char *) claimed; /* the first line no one has */

	/* The loop's, at every line. */
	_Alignas(ENGINE_AHEAD_LINE) size_t next; /* the next result the loop looks at */
	size_t known;                       /* results the loop knows are published */
	const char *own_from, *own_to;      /* lines the loop claimed ahead for itself */
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

/*
 * The unknown field names of a line, accepted or not, into the arena: a
 * block of NUL-terminated names, copied whole. Each name is no longer
 * than its quoted text in the line, so the arena's sizing holds.
 */
static void engine_ahead_keep_unknown(struct engine_parse_ahead *pa, struct event *ev)
{
	char *dst = pa->arena + pa->arena_used;

	memcpy(dst, ev->unknown, ev->unknown_len);
	pa->arena_used += ev->unknown_len;
	ev->unknown = dst;
}

static void engine_ahead_run(struct engine_parse_ahead *pa)
{
	const char *p, *nl;
	size_t n = 0;

	while (n < ENGINE_AHEAD_MAX_LINES && !atomic_load(&pa->cancel)) {
		p = atomic_load(&pa->claimed);
		if (p >= pa->end || (nl = memchr(p, '\n', (size_t)(pa->end - p))) == NULL)
			break;
		/* Lost to the loop: it took that line; the next try starts after it. */
		if (!atomic_compare_exchange_strong(&pa->claimed, &p, nl + 1))
			continue;
		struct engine_parsed *r = &pa->res[n];
		r->line = p;
		r->len = (size_t)(nl - p);
		r->rc = event_parse(pa->parser, p, r->len, &r->ev);
		if (r->rc == REJECT_NONE) {
			engine_ahead_keep(pa, &r->ev);
			engine_event_keys(&r->ev, &r->keys);
			r->error = NULL;
		} else {
			const char *msg = event_parser_error(pa->parser);
			size_t len = strlen(msg);
			r->error = engine_ahead_copy(pa, msg, len < 255 ? len : 255);
		}
		if (r->ev.nunknown > 0)
			engine_ahead_keep_unknown(pa, &r->ev);
		atomic_store_explicit(&pa->done, ++n, memory_order_release);
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
	struct engine_parse_ahead *pa;

	if (posix_memalign((void **)&pa, ENGINE_AHEAD_LINE, sizeof(*pa)) != 0)
		fatalx("out of memory (the parse-ahead worker)");
	memset(pa, 0, sizeof(*pa));

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
	atomic_store(&pa->claimed, NULL);
	pa->from = pa->end = pa->own_from = pa->own_to = NULL;
	pa->next = pa->taken = pa->known = 0;
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
	atomic_store(&pa->claimed, buf);
	pa->job = 1;
	atomic_store(&pa->busy, 1);
	uv_cond_broadcast(&pa->cv);
	uv_mutex_unlock(&pa->mu);
}

/* The next published result, if it is line's; skips results of earlier lines. */
static const struct engine_parsed *engine_ahead_result(struct engine_parse_ahead *pa,
                                                       const char *line, size_t len)
{
	/* The count is read again only once the results it told are used up:
	   the worker writes it at every line, and each read after a write is
	   a cache line brought over from the other core. */
	if (pa->next >= pa->known)
		pa->known = atomic_load_explicit(&pa->done, memory_order_acquire);
	size_t done = pa->known;

	/* Results of lines the loop parsed too (after a spin ran out). */
	while (pa->next < done && pa->res[pa->next].line < line)
		pa->next++;
	if (pa->next < done && pa->res[pa->next].line == line && pa->res[pa->next].len == len) {
		pa->taken++;
		return &pa->res[pa->next++];
	}
	return NULL;
}

/*
 * After a wait, the loop has caught up with the worker: applying is faster
 * than parsing (a small network, whose state is in cache). Were it to wait
 * again at the next line, the two would go in step at the worker's pace;
 * so the loop claims the next ENGINE_AHEAD_LEAP unclaimed lines for itself,
 * and the worker gets that far ahead meanwhile.
 */
static void engine_ahead_leap(struct engine_parse_ahead *pa)
{
	const char *from = atomic_load(&pa->claimed), *to;

	do {
		to = from;
		for (int i = 0; i < ENGINE_AHEAD_LEAP && to < pa->end; i++) {
			const char *nl = memchr(to, '\n', (size_t)(pa->end - to));
			if (nl == NULL)
				break;
			to = nl + 1;
		}
	} while (to > from && !atomic_compare_exchange_weak(&pa->claimed, &from, to));
	pa->own_from = from;
	pa->own_to = to;
}

const struct engine_parsed *engine_parse_ahead_take(struct engine_parse_ahead *pa,
                                                   const char *line, size_t len)
{
	const struct engine_parsed *r;
	const char *expect = line;

	if (pa == NULL || pa->from == NULL || line < pa->from || line >= pa->end)
		return NULL;
	if (line >= pa->own_from && line < pa->own_to)
		return NULL; /* the loop's own (engine_ahead_leap) */
	if ((r = engine_ahead_result(pa, line, len)) != NULL)
		return r;
	/* Unclaimed (the worker is behind, or stopped at its line limit): the
	   loop's. A failed exchange loads what the worker claimed meanwhile. */
	while (expect <= line)
		if (atomic_compare_exchange_weak(&pa->claimed, &expect, line + len + 1))
			return NULL;
	/* The worker claimed it and is parsing it: the moment that takes. */
	for (int i = 0; i < ENGINE_AHEAD_SPIN; i++) {
		if ((r = engine_ahead_result(pa, line, len)) != NULL) {
			engine_ahead_leap(pa);
			return r;
		}
	}
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
