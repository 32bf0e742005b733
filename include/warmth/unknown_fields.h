/*
 * unknown_fields.h - the top-level fields of event lines that format
 * version 1 does not know: counted per name (they are still ignored, for
 * forward compatibility), and matched against the known fields so that a
 * likely misspelling ("post_title" for "title") can be pointed out.
 *
 * The table keeps at most a configured number of names (ingest.
 * unknown_fields); the names beyond it, and names that cannot be shown
 * as they are (not UTF-8, empty, longer than EVENT_ACTOR_MAX bytes, with
 * a control character), are counted together as UNKNOWN_FIELDS_OTHER. A
 * field that is itself named "other" is counted there too, so that the
 * name never means two things.
 *
 * Pure: no I/O, no libuv, no SQLite. One owner (the engine, on its loop).
 */
#ifndef WARMTH_UNKNOWN_FIELDS_H
#define WARMTH_UNKNOWN_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define UNKNOWN_FIELDS_OTHER "other"

struct unknown_field {
	char *name;                /* NUL-terminated, owned */
	size_t len;
	uint64_t count;
};

struct unknown_fields {
	struct unknown_field *fields; /* in the order first seen */
	size_t n, cap;
	uint64_t other;            /* the count of UNKNOWN_FIELDS_OTHER */
};

/*
 * Counts one occurrence of the field name[0..len) with at most max names
 * kept. Returns 1 when the name entered the table with this call (the
 * first time it is seen), 0 when it was counted again or as other.
 */
int unknown_fields_count(struct unknown_fields *t, const char *name, size_t len, size_t max);

/* Frees what t owns and zeroes it. */
void unknown_fields_free(struct unknown_fields *t);

/*
 * The known field (event_field_name()) that name[0..len) is most likely
 * a misspelling of, or NULL. The name is folded first (lower case;
 * camelCase, "-" and " " to snake_case), and then, in this order, it is:
 * a known name ("Title"); a common synonym ("timestamp": "ts", "kind":
 * "type", "user": "actor", ...); within two edits (insert, delete,
 * replace, swap two neighbours) of a known name, one for names of five
 * letters or fewer and none for two-letter ones, since every short word
 * is within two edits of "ts" (the closest wins); or a name with a known
 * one as a whole "_"-separated prefix or suffix ("post_title": "title";
 * the longer known name wins, so "post_id" is "post").
 */
const char *unknown_fields_near_miss(const char *name, size_t len);

#endif
