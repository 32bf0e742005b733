/*
 * fuzz_event.c - libFuzzer target for the event-line parser (event.h):
 * every input is one line as the tailer hands it over. Besides memory
 * errors (ASan, UBSan) it checks the parser's promises on success: a
 * known type, an actor within its bounds unless it is a snapshot, every
 * string NUL-terminated.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_parser *parser;
	struct event ev;
	/* A copy of exactly size bytes, so that ASan sees any read past the line. */
	char *line = malloc(size ? size : 1);

	if (parser == NULL)
		parser = event_parser_new();
	memcpy(line, data, size);
	if (event_parse(parser, line, size, &ev) == REJECT_NONE) {
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
