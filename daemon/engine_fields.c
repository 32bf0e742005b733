/*
 * engine_fields.c - the unknown fields of the lines read: counted per name
 * (unknown_fields.h), a "did you mean" warning the first time a near miss
 * of a known field is seen, and their place in status and the metrics.
 *
 * The lines stay accepted or rejected as before: unknown fields are
 * ignored, for forward compatibility; this only makes them visible, so
 * that a collector that writes "post_title" for "title" is found out
 * rather than silently losing the title.
 *
 * Counting is done where the loop takes a line's parse result, whichever
 * thread parsed it (engine_parse.c carries the names with its results),
 * so the table has one owner and needs no lock; a line without unknown
 * fields costs one compare. The counts are since the daemon started.
 */
#include <inttypes.h>
#include <string.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/unknown_fields.h"
#include "engine_internal.h"
#include "metrics.h"

void engine_fields_note(struct engine *e, const struct event *ev, const char *source,
                        uint64_t where)
{
	const char *name = ev->unknown, *end = ev->unknown + ev->unknown_len;

	while (name < end) {
		size_t len = strlen(name);
		const char *known;
		/* The warning once per name: when it enters the table. */
		if (unknown_fields_count(&e->unknown_fields, name, len, e->conf->unknown_fields_max) &&
		    (known = unknown_fields_near_miss(name, len)) != NULL)
			log_warnx("%s:%" PRIu64 ": unknown field \"%s\" ignored; did you mean \"%s\"? "
			          "(the event format: warmthd-events(5))", source, where, name, known);
		name += len + 1;
	}
}

void engine_fields_status(const struct engine *e, struct json *j)
{
	const struct unknown_fields *t = &e->unknown_fields;

	json_key(j, "unknown_fields");
	json_object_open(j);
	for (size_t i = 0; i < t->n; i++)
		json_kv_int(j, t->fields[i].name, (int64_t)t->fields[i].count);
	if (t->other > 0)
		json_kv_int(j, UNKNOWN_FIELDS_OTHER, (int64_t)t->other);
	json_object_close(j);
}

void engine_fields_metrics(const struct engine *e, struct metrics_snapshot *s)
{
	const struct unknown_fields *t = &e->unknown_fields;

	for (size_t i = 0; i < t->n; i++)
		metrics_snapshot_add_unknown_field(s, t->fields[i].name, t->fields[i].count);
	s->unknown_fields_other = t->other;
}
