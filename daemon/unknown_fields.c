/*
 * unknown_fields.c - counting the unknown top-level fields of event lines
 * per name, and telling a likely misspelling of a known field (see
 * unknown_fields.h for the contract).
 *
 * Design. Unknown fields are rare (a collector that sends one sends the
 * same few names on every line), so the table is a short array searched
 * by length and bytes, bounded by its configured size: no allocation once
 * a name is in it. The near-miss test runs once per name, when the name
 * enters the table, so it may be thorough: names are folded to the
 * format's own spelling (lower case, snake_case) and compared with every
 * known field by a restricted Damerau-Levenshtein distance.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/event.h"
#include "warmth/unknown_fields.h"
#include "warmth/util.h"

/* The longest name folded for the near-miss test; longer ones are no misspelling. */
#define UNKNOWN_FIELDS_FOLD_MAX 64

/* Words collectors use for a field of the format, folded. */
static const struct {
	const char *word, *field;
} unknown_fields_synonyms[] = {
	{ "timestamp", "ts" }, { "time", "ts" },       { "date", "ts" },       { "datetime", "ts" },
	{ "created_at", "ts" }, { "kind", "type" },    { "event", "type" },    { "user", "actor" },
	{ "author", "actor" }, { "person", "actor" },  { "direction", "dir" }, { "body", "text" },
	{ "content", "text" }, { "uid", "id" },
};

/* Whether a name can be shown as it is: UTF-8, 1 to EVENT_ACTOR_MAX bytes, no control character. */
static int unknown_fields_showable(const char *name, size_t len)
{
	int valid;

	if (len == 0 || len > EVENT_ACTOR_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	utf8_valid_prefix(name, len, &valid);
	return valid;
}

int unknown_fields_count(struct unknown_fields *t, const char *name, size_t len, size_t max)
{
	struct unknown_field *f;

	for (size_t i = 0; i < t->n; i++) {
		if (t->fields[i].len == len && memcmp(t->fields[i].name, name, len) == 0) {
			t->fields[i].count++;
			return 0;
		}
	}
	if (t->n >= max || !unknown_fields_showable(name, len) ||
	    (len == strlen(UNKNOWN_FIELDS_OTHER) && memcmp(name, UNKNOWN_FIELDS_OTHER, len) == 0)) {
		t->other++;
		return 0;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->fields = xrealloc(t->fields, t->cap * sizeof(*t->fields));
	}
	f = &t->fields[t->n++];
	f->name = xmalloc(len + 1);
	memcpy(f->name, name, len);
	f->name[len] = '\0';
	f->len = len;
	f->count = 1;
	return 1;
}

void unknown_fields_free(struct unknown_fields *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->fields[i].name);
	free(t->fields);
	memset(t, 0, sizeof(*t));
}

/*
 * Folds name into out (lower case; camelCase, "-" and " " to "_").
 * Returns the folded length, or 0 when the name is not plain ASCII
 * letters, digits and separators or is too long to be a misspelling.
 */
static size_t unknown_fields_fold(const char *name, size_t len,
                                  char out[UNKNOWN_FIELDS_FOLD_MAX + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		int upper = c >= 'A' && c <= 'Z';
		if (upper && i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z') {
			if (n == UNKNOWN_FIELDS_FOLD_MAX)
				return 0;
			out[n++] = '_';
		}
		if (upper)
			c = (char)(c - 'A' + 'a');
		else if (c == '-' || c == ' ')
			c = '_';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
		if (n == UNKNOWN_FIELDS_FOLD_MAX)
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* The restricted Damerau-Levenshtein (optimal string alignment) distance of a and b. */
static size_t unknown_fields_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[UNKNOWN_FIELDS_FOLD_MAX + 1][UNKNOWN_FIELDS_FOLD_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The edits a misspelling of a known name of len letters may have. */
static size_t unknown_fields_allowed(size_t len)
{
	return len <= 2 ? 0 : len <= 5 ? 1 : 2;
}

/* Whether folded has known as a whole "_"-separated prefix or suffix. */
static int unknown_fields_affix(const char *folded, size_t n, const char *known, size_t k)
{
	if (n <= k + 1)
		return 0;
	if (memcmp(folded, known, k) == 0 && folded[k] == '_')
		return 1;
	return memcmp(folded + n - k, known, k) == 0 && folded[n - k - 1] == '_';
}

const char *unknown_fields_near_miss(const char *name, size_t len)
{
	char folded[UNKNOWN_FIELDS_FOLD_MAX + 1];
	size_t n = unknown_fields_fold(name, len, folded), best_distance = SIZE_MAX, best_affix = 0;
	const char *by_distance = NULL, *by_affix = NULL, *known;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(unknown_fields_synonyms); i++)
		if (strcmp(folded, unknown_fields_synonyms[i].word) == 0)
			return unknown_fields_synonyms[i].field;
	for (size_t i = 0; (known = event_field_name(i)) != NULL; i++) {
		size_t k = strlen(known), distance;
		/* Folding alone made it a known name ("Title", "actorFollowers"). */
		if (k == n && memcmp(known, folded, n) == 0)
			return known;
		distance = unknown_fields_distance(folded, n, known, k);
		if (distance <= unknown_fields_allowed(k) && distance < best_distance) {
			best_distance = distance;
			by_distance = known;
		}
		if (k > best_affix && unknown_fields_affix(folded, n, known, k)) {
			best_affix = k;
			by_affix = known;
		}
	}
	return by_distance != NULL ? by_distance : by_affix;
}
