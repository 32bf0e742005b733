/*
 * fuzz_event.c - libFuzzer target for the event-line parser (event.h):
 * every input is one line as the tailer hands it over. Besides memory
 * errors (ASan, UBSan) it checks the parser's promises on success: a
 * known type, an actor within its bounds unless it is a snapshot, every
 * string NUL-terminated. And it parses every line twice, with the
 * simdjson fast path and with yajl alone, which must agree: the same
 * verdict and, for an event, the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_event_check_str(const struct event_str *s)
{
	if (s->ptr != NULL && s->ptr[s->len] != '\0')
		abort();
}

static int fuzz_event_same_str(const struct event_str *a, const struct event_str *b)
{
	if (a->ptr == NULL || b->ptr == NULL)
		return a->ptr == b->ptr;
	return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* The fast path and yajl's must give the same event. */
static void fuzz_event_compare(const struct event *a, const struct event *b)
{
	if (a->ts_ms != b->ts_ms || a->type != b->type || a->dir_out != b->dir_out ||
	    a->actor_connections != b->actor_connections ||
	    a->actor_followers != b->actor_followers || a->creator != b->creator ||
	    a->ntags != b->ntags || a->has_tags != b->has_tags || a->followers != b->followers ||
	    a->connections != b->connections)
		abort();
	if (!fuzz_event_same_str(&a->actor, &b->actor) ||
	    !fuzz_event_same_str(&a->account, &b->account) ||
	    !fuzz_event_same_str(&a->id, &b->id) || !fuzz_event_same_str(&a->post, &b->post) ||
	    !fuzz_event_same_str(&a->title, &b->title) || !fuzz_event_same_str(&a->text, &b->text) ||
	    !fuzz_event_same_str(&a->name, &b->name) ||
	    !fuzz_event_same_str(&a->headline, &b->headline) ||
	    !fuzz_event_same_str(&a->reaction, &b->reaction))
		abort();
	for (size_t i = 0; i < a->ntags; i++)
		if (!fuzz_event_same_str(&a->tags[i], &b->tags[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_parser *parser, *slow;
	struct event ev, ev_slow;
	enum event_reject rc, rc_slow;
	/* A copy of exactly size bytes, so that ASan sees any read past the line. */
	char *line = malloc(size ? size : 1);

	if (parser == NULL) {
		parser = event_parser_new();
		slow = event_parser_new();
		event_parser_set_fast(slow, 0);
	}
	memcpy(line, data, size);
	rc = event_parse(parser, line, size, &ev);
	rc_slow = event_parse(slow, line, size, &ev_slow);
	if (rc != rc_slow)
		abort();
	if (rc == REJECT_NONE)
		fuzz_event_compare(&ev, &ev_slow);
	/* Both paths list the same unknown fields, for rejected lines too. */
	if (ev.nunknown != ev_slow.nunknown || ev.unknown_len != ev_slow.unknown_len ||
	    (ev.unknown_len > 0 && memcmp(ev.unknown, ev_slow.unknown, ev.unknown_len) != 0))
		abort();
	if (rc == REJECT_NONE) {
		if ((int)ev.type < 0 || ev.type >= EVENT_TYPE_COUNT)
			abort();
		if (ev.type != EVENT_SNAPSHOT &&
		    (ev.actor.ptr == NULL || ev.actor.len == 0 || ev.actor.len > EVENT_ACTOR_MAX))
			abort();
		if (ev.ntags > EVENT_MAX_TAGS)
			abort();
		fuzz_event_check_str(&ev.actor);
		fuzz_event_check_str(&ev.account);
		fuzz_event_check_str(&ev.id);
		fuzz_event_check_str(&ev.post);
		fuzz_event_check_str(&ev.title);
		fuzz_event_check_str(&ev.text);
		fuzz_event_check_str(&ev.name);
		fuzz_event_check_str(&ev.headline);
		for (size_t i = 0; i < ev.ntags; i++)
			fuzz_event_check_str(&ev.tags[i]);
	} else if (event_parser_error(parser) == NULL) {
		abort();
	}
	free(line);
	return 0;
}
