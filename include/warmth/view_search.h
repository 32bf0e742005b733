/*
 * view_search.h - the contact search of the contacts view: a needle found
 * in a contact's name or actor, without regard to case (Unicode case
 * folding for ASCII text, lowercase for other text: view_search.c says
 * why), as a substring. Pure.
 */
#ifndef WARMTH_VIEW_SEARCH_H
#define WARMTH_VIEW_SEARCH_H

#include <stddef.h>

/* The longest needle, in bytes (as a name: CONTROL_MAX_NAME). */
#define VIEW_SEARCH_MAX 256

struct view_search {
	char folded[4 * VIEW_SEARCH_MAX]; /* the needle, case-folded (folding may lengthen it) */
	size_t len;
	int ascii;                        /* the folded needle is ASCII: the fast path applies */
	char lowered[4 * VIEW_SEARCH_MAX]; /* the needle lowered code point by code point */
	size_t lowered_len;
};

/*
 * Prepares needle (UTF-8, 1..VIEW_SEARCH_MAX bytes). Returns 0, or -1 when
 * it is empty, too long or not valid UTF-8.
 */
int view_search_init(struct view_search *s, const char *needle);
/* Whether text[0..len) (UTF-8; NULL: no) holds the needle, case aside. */
int view_search_match(const struct view_search *s, const char *text, size_t len);

#endif
