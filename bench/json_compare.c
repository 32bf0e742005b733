/*
 * json_compare.c - measures candidate JSON parsers on warmthd event lines,
 * to choose the library behind daemon/event.c (see docs/performance.md,
 * "JSON parser choice"). Built and run by json_compare.sh.
 *
 * The program generates realistic event lines in memory (a mix of types,
 * RFC 3339 and numeric times, optional fields, some escapes and non-ASCII
 * text, ~130 bytes a line) and feeds every line to each candidate, which
 * does what event.c must do at minimum: find our top-level fields, skip
 * unknown nested values, and copy the string values out. Variants:
 *
 *   yajl fresh   yajl_alloc + yajl_parse + yajl_complete_parse + yajl_free
 *                per line, with malloc (the naive use);
 *   yajl arena   the same with yajl_alloc_funcs over a bump arena that is
 *                reset per line (what the allocation costs);
 *   yajl reuse   one handle kept across lines (yajl_allow_multiple_values,
 *                a new handle only after a syntax error);
 *   yajl bare    the same handle with no callbacks at all: yajl's own
 *                lexing and state machine, the floor for any yajl parser;
 *   jsmn         jsmn_parse (JSMN_STRICT) into a token array, then a walk.
 *                jsmn neither unescapes strings nor validates UTF-8, so its
 *                figure is an upper bound: the work it leaves out is not
 *                counted;
 *   event_parse  warmthd's real parser (when built with -DWITH_EVENT_PARSE
 *                and linked with daemon/event.c), which also validates every
 *                field and parses the times.
 *
 * Each variant runs five times over the same lines; the best run counts,
 * in CPU time of the thread.
 * A checksum over what was extracted keeps the compiler from dropping work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>
#include <yajl/yajl_parse.h>

#ifdef WITH_EVENT_PARSE
#include "warmth/event.h"
#endif

/* ---- line generation ---------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic, so every run sees the same lines. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static const char *pick(const char *const *list, size_t n)
{
	return list[rng() % n];
}

#define PICK(list) pick(list, sizeof(list) / sizeof(list[0]))

static const char *const bench_types[] = {
	"like", "like", "like", "like", "like", "like", "like", "comment", "comment", "comment",
	"profile_view", "profile_view", "profile_view", "follow", "follow", "reply", "share",
	"mention", "message", "invite_sent", "invite_accepted", "connect", "unfollow",
};

static const char *const bench_texts[] = {
	"Great point about remote teams",
	"Totally agree, we saw the same in our rollout",
	"Congrats on the launch!",
	"Caf\\u00e9 meetups work better than webinars",
	"Thanks for sharing \\ud83d\\ude00",
	"Line one\\nline two",
	"He said \\\"ship it\\\" and we did",
	"Très intéressant, merci",
	"Would love to hear more about the hiring side",
};

static const char *const bench_reactions[] = { "like", "celebrate", "support", "insightful" };

static const char *const bench_names[] = { "Ana Souza", "J\\u00fcrgen Klein", "Priya Natarajan",
	                                   "Li Wei" };

/* Appends one line (with '\n') to buf at *len; returns the line's length. */
static size_t gen_line(char *buf, uint64_t n)
{
	const char *type = PICK(bench_types);
	unsigned actor = rng() % 50000;
	char *p = buf;
	unsigned sec = (unsigned)(n % 86400);

	if (rng() % 10 == 0)
		p += sprintf(p, "{\"ts\":%u.%03u", 1793700000u + sec, rng() % 1000);
	else
		p += sprintf(p, "{\"ts\":\"2026-11-%02uT%02u:%02u:%02u.%03uZ\"", 1 + (unsigned)(n / 86400) % 28,
		             sec / 3600, sec / 60 % 60, sec % 60, rng() % 1000);
	if (rng() % 200 == 0) {
		p += sprintf(p, ",\"type\":\"snapshot\",\"followers\":%u,\"connections\":%u}\n",
		             8000 + rng() % 100, 2900 + rng() % 50);
		return (size_t)(p - buf);
	}
	p += sprintf(p, ",\"type\":\"%s\",\"actor\":\"urn:li:person:a%u\",\"id\":\"ev-%llu\"", type,
	             actor, (unsigned long long)n);
	if (rng() % 5 == 0)
		p += sprintf(p, ",\"dir\":\"out\"");
	if (strcmp(type, "like") == 0 || strcmp(type, "comment") == 0 ||
	    strcmp(type, "share") == 0 || strcmp(type, "reply") == 0)
		p += sprintf(p, ",\"post\":\"p-%u\"", rng() % 500);
	if (strcmp(type, "like") == 0 && rng() % 2)
		p += sprintf(p, ",\"reaction\":\"%s\"", PICK(bench_reactions));
	if (strcmp(type, "comment") == 0 || strcmp(type, "reply") == 0 ||
	    strcmp(type, "message") == 0)
		p += sprintf(p, ",\"text\":\"%s\"", PICK(bench_texts));
	if (rng() % 8 == 0)
		p += sprintf(p, ",\"name\":\"%s\",\"actor_followers\":%u", PICK(bench_names),
		             rng() % 20000);
	if (rng() % 12 == 0)
		p += sprintf(p, ",\"tags\":[\"client\",\"emea\"]");
	if (rng() % 20 == 0)
		p += sprintf(p, ",\"src\":{\"tool\":\"export\",\"v\":[1,2]}");
	p += sprintf(p, "}\n");
	return (size_t)(p - buf);
}

struct corpus {
	char *data;
	size_t size;
	size_t *off;  /* line i is data[off[i] .. off[i+1]-1), '\n' excluded */
	size_t nlines;
};

static void corpus_generate(struct corpus *c, size_t nlines)
{
	size_t cap = nlines * 400;

	c->data = malloc(cap);
	c->off = malloc((nlines + 1) * sizeof(*c->off));
	if (c->data == NULL || c->off == NULL)
		abort();
	c->size = 0;
	for (size_t i = 0; i < nlines; i++) {
		c->off[i] = c->size;
		c->size += gen_line(c->data + c->size, i);
	}
	c->off[nlines] = c->size;
	c->nlines = nlines;
}

/* ---- what every candidate extracts -------------------------------------- */

enum bench_field {
	F_UNKNOWN = -1, F_TS, F_TYPE, F_ACTOR, F_DIR, F_ACCOUNT, F_ID, F_POST, F_TITLE, F_TEXT,
	F_NAME, F_HEADLINE, F_REACTION, F_ACTOR_CONNECTIONS, F_ACTOR_FOLLOWERS, F_FOLLOWERS,
	F_CONNECTIONS, F_CREATOR, F_TAGS, F_COUNT
};

/*
 * A switch on the length, then one memcmp: a linear scan with strlen over
 * the names cost as much as the parsing itself in a first version.
 */
static int bench_field_of(const char *key, size_t len)
{
#define IS(name) (memcmp(key, name, sizeof(name) - 1) == 0)
	switch (len) {
	case 2:
		return IS("ts") ? F_TS : IS("id") ? F_ID : F_UNKNOWN;
	case 3:
		return IS("dir") ? F_DIR : F_UNKNOWN;
	case 4:
		return IS("type") ? F_TYPE : IS("post") ? F_POST : IS("text") ? F_TEXT
		     : IS("name") ? F_NAME : IS("tags") ? F_TAGS : F_UNKNOWN;
	case 5:
		return IS("actor") ? F_ACTOR : IS("title") ? F_TITLE : F_UNKNOWN;
	case 7:
		return IS("account") ? F_ACCOUNT : IS("creator") ? F_CREATOR : F_UNKNOWN;
	case 8:
		return IS("headline") ? F_HEADLINE : IS("reaction") ? F_REACTION : F_UNKNOWN;
	case 9:
		return IS("followers") ? F_FOLLOWERS : F_UNKNOWN;
	case 11:
		return IS("connections") ? F_CONNECTIONS : F_UNKNOWN;
	case 15:
		return IS("actor_followers") ? F_ACTOR_FOLLOWERS : F_UNKNOWN;
	case 17:
		return IS("actor_connections") ? F_ACTOR_CONNECTIONS : F_UNKNOWN;
	}
	return F_UNKNOWN;
#undef IS
}

struct extract {
	const char *val[F_COUNT];
	size_t len[F_COUNT];
	char scratch[4096];
	size_t used;
	int depth;
	int field;
	int ntags;
};

static void extract_reset(struct extract *x)
{
	memset(x->val, 0, sizeof(x->val));
	x->used = 0;
	x->depth = 0;
	x->field = F_UNKNOWN;
	x->ntags = 0;
}

static void extract_copy(struct extract *x, int field, const char *s, size_t len)
{
	if (x->used + len > sizeof(x->scratch))
		return;
	memcpy(x->scratch + x->used, s, len);
	x->val[field] = x->scratch + x->used;
	x->len[field] = len;
	x->used += len;
}

static uint64_t extract_sum(const struct extract *x)
{
	uint64_t sum = (uint64_t)x->ntags;
	for (int i = 0; i < F_COUNT; i++)
		if (x->val[i] != NULL)
			sum += x->len[i] + (unsigned char)x->val[i][0];
	return sum;
}

/* ---- yajl --------------------------------------------------------------- */

static int y_null(void *ctx)
{
	(void)ctx;
	return 1;
}

static int y_bool(void *ctx, int v)
{
	(void)ctx, (void)v;
	return 1;
}

static int y_number(void *ctx, const char *s, size_t len)
{
	struct extract *x = ctx;
	if (x->depth == 1 && x->field != F_UNKNOWN)
		extract_copy(x, x->field, s, len);
	return 1;
}

static int y_string(void *ctx, const unsigned char *s, size_t len)
{
	struct extract *x = ctx;
	if (x->depth == 1 && x->field != F_UNKNOWN)
		extract_copy(x, x->field, (const char *)s, len);
	else if (x->depth == 2 && x->field == F_TAGS)
		x->ntags++;
	return 1;
}

static int y_key(void *ctx, const unsigned char *s, size_t len)
{
	struct extract *x = ctx;
	if (x->depth == 1)
		x->field = bench_field_of((const char *)s, len);
	return 1;
}

static int y_open(void *ctx)
{
	((struct extract *)ctx)->depth++;
	return 1;
}

static int y_close(void *ctx)
{
	((struct extract *)ctx)->depth--;
	return 1;
}

static const yajl_callbacks y_callbacks = {
	y_null, y_bool, NULL, NULL, y_number, y_string, y_open, y_key, y_close, y_open, y_close,
};

struct arena {
	char mem[16384];
	size_t used;
};

static void *arena_malloc(void *ctx, size_t n)
{
	struct arena *a = ctx;
	n = (n + 15) & ~(size_t)15;
	if (a->used + n > sizeof(a->mem))
		return malloc(n);
	a->used += n;
	return a->mem + a->used - n;
}

static int arena_owns(struct arena *a, void *p)
{
	return (char *)p >= a->mem && (char *)p < a->mem + sizeof(a->mem);
}

static void arena_free(void *ctx, void *p)
{
	if (!arena_owns(ctx, p))
		free(p);
}

static void *arena_realloc(void *ctx, void *p, size_t n)
{
	void *q;
	if (p == NULL)
		return arena_malloc(ctx, n);
	if (!arena_owns(ctx, p))
		return realloc(p, n);
	/* The old size is unknown: copying n bytes stays inside the arena. */
	q = arena_malloc(ctx, n);
	if (q != NULL) {
		struct arena *a = ctx;
		size_t avail = (size_t)(a->mem + sizeof(a->mem) - (char *)p);
		memcpy(q, p, n < avail ? n : avail);
	}
	return q;
}

static uint64_t run_yajl_fresh(const struct corpus *c, struct arena *arena)
{
	yajl_alloc_funcs funcs = { arena_malloc, arena_realloc, arena_free, arena };
	struct extract x;
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nlines; i++) {
		const unsigned char *line = (const unsigned char *)c->data + c->off[i];
		size_t len = c->off[i + 1] - c->off[i] - 1;
		yajl_handle h;

		if (arena != NULL)
			arena->used = 0;
		extract_reset(&x);
		h = yajl_alloc(&y_callbacks, arena != NULL ? &funcs : NULL, &x);
		if (yajl_parse(h, line, len) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok)
			sum += extract_sum(&x);
		yajl_free(h);
	}
	return sum;
}

static uint64_t run_yajl_reuse(const struct corpus *c, int bare)
{
	struct extract x;
	yajl_handle h = NULL;
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nlines; i++) {
		const unsigned char *line = (const unsigned char *)c->data + c->off[i];
		size_t len = c->off[i + 1] - c->off[i] - 1;

		if (h == NULL) {
			h = yajl_alloc(bare ? NULL : &y_callbacks, NULL, &x);
			yajl_config(h, yajl_allow_multiple_values, 1);
		}
		extract_reset(&x);
		if (yajl_parse(h, line, len) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok) {
			sum += extract_sum(&x);
		} else {
			yajl_free(h);
			h = NULL;
		}
	}
	if (h != NULL)
		yajl_free(h);
	return sum;
}

/* ---- jsmn --------------------------------------------------------------- */

/* Index of the token after tokens[i] and everything nested in it. */
static int jsmn_skip(const jsmntok_t *t, int i)
{
	int pending = 1;
	while (pending > 0) {
		pending += t[i].size - 1;
		i++;
	}
	return i;
}

static uint64_t run_jsmn(const struct corpus *c)
{
	jsmntok_t tok[128];
	jsmn_parser p;
	struct extract x;
	uint64_t sum = 0;

	for (size_t l = 0; l < c->nlines; l++) {
		const char *line = c->data + c->off[l];
		size_t len = c->off[l + 1] - c->off[l] - 1;
		int n, i;

		jsmn_init(&p);
		extract_reset(&x);
		n = jsmn_parse(&p, line, len, tok, 128);
		if (n < 1 || tok[0].type != JSMN_OBJECT)
			continue;
		i = 1;
		for (int k = 0; k < tok[0].size; k++) {
			int field = bench_field_of(line + tok[i].start, (size_t)(tok[i].end - tok[i].start));
			const jsmntok_t *v = &tok[i + 1];
			if (field != F_UNKNOWN && (v->type == JSMN_STRING || v->type == JSMN_PRIMITIVE))
				extract_copy(&x, field, line + v->start, (size_t)(v->end - v->start));
			else if (field == F_TAGS && v->type == JSMN_ARRAY)
				x.ntags += v->size;
			i = jsmn_skip(tok, i + 1);
		}
		sum += extract_sum(&x);
	}
	return sum;
}

/* ---- event_parse -------------------------------------------------------- */

#ifdef WITH_EVENT_PARSE
static uint64_t run_event_parse(const struct corpus *c)
{
	struct event_parser *parser = event_parser_new();
	struct event ev;
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nlines; i++) {
		const char *line = c->data + c->off[i];
		size_t len = c->off[i + 1] - c->off[i] - 1;
		if (event_parse(parser, line, len, &ev) == REJECT_NONE)
			sum += (uint64_t)ev.ts_ms + ev.type + ev.actor.len + ev.ntags;
		else
			fprintf(stderr, "rejected: %.*s (%s)\n", (int)len, line,
			        event_parser_error(parser));
	}
	event_parser_free(parser);
	return sum;
}
#endif

/* ---- driver ------------------------------------------------------------- */

/*
 * CPU time of this thread, not wall time: on a shared machine the process
 * is often descheduled, and what we want is the cost of a line on one core.
 */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum variant { V_YAJL_FRESH, V_YAJL_ARENA, V_YAJL_REUSE, V_YAJL_BARE, V_JSMN, V_EVENT_PARSE };

static void measure(const char *name, enum variant v, const struct corpus *c, unsigned passes)
{
	static struct arena arena;
	double best = 1e30;
	double lines = (double)c->nlines * passes, bytes = (double)c->size * passes;
	uint64_t sum = 0;

	for (int run = 0; run < 5; run++) {
		double t0 = now_s();
		for (unsigned pass = 0; pass < passes; pass++) {
			switch (v) {
			case V_YAJL_FRESH: sum += run_yajl_fresh(c, NULL); break;
			case V_YAJL_ARENA: sum += run_yajl_fresh(c, &arena); break;
			case V_YAJL_REUSE: sum += run_yajl_reuse(c, 0); break;
			case V_YAJL_BARE: sum += run_yajl_reuse(c, 1); break;
			case V_JSMN: sum += run_jsmn(c); break;
			case V_EVENT_PARSE:
#ifdef WITH_EVENT_PARSE
				sum += run_event_parse(c);
#endif
				break;
			}
		}
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	printf("%-12s %10.0f lines/s %7.1f MB/s %6.0f ns/line  (checksum %llu)\n", name,
	       lines / best, bytes / best / 1e6, best / lines * 1e9, (unsigned long long)sum);
}

/*
 * json_compare [LINES [PASSES [print | VARIANT]]]: parses LINES distinct
 * lines (default 1000000), PASSES times over (default 1): 1000000 lines
 * (130 MB) stream from memory, while 10000 lines x 100 passes stay in the
 * CPU caches, as lines just read() by the daemon do. "print" writes the
 * lines to stdout instead; a variant name ("yajl reuse", "event_parse")
 * runs only that one, e.g. under perf.
 */
int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum variant v;
	} variants[] = {
		{ "yajl fresh", V_YAJL_FRESH }, { "yajl arena", V_YAJL_ARENA },
		{ "yajl reuse", V_YAJL_REUSE }, { "yajl bare", V_YAJL_BARE }, { "jsmn", V_JSMN },
#ifdef WITH_EVENT_PARSE
		{ "event_parse", V_EVENT_PARSE },
#endif
	};
	size_t nlines = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	unsigned passes = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	const char *only = argc > 3 ? argv[3] : NULL;
	struct corpus c;

	corpus_generate(&c, nlines);
	if (only != NULL && strcmp(only, "print") == 0) {
		fwrite(c.data, 1, c.size, stdout);
		return 0;
	}
	if (passes == 0)
		passes = 1;
	printf("%zu lines x %u passes, %.1f bytes/line, best of 5 runs each, CPU time\n", c.nlines, passes,
	       (double)c.size / (double)c.nlines);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (only == NULL || strcmp(only, variants[i].name) == 0)
			measure(variants[i].name, variants[i].v, &c, passes);
	free(c.data);
	free(c.off);
	return 0;
}
