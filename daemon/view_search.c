/*
 * view_search.c - the contacts view's search (see view_search.h).
 *
 * A search walks every contact of a page's range until the page is full,
 * so a match must cost little: the needle is folded once, and a name
 * that is plain ASCII (most are) is compared byte by byte with ASCII
 * folding, which for an ASCII needle is what Unicode folding would give.
 * Only a name with other characters is folded by libunistring, into a
 * buffer on the stack (no allocation unless the name is long).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>

#include "warmth/view_search.h"

static unsigned char view_search_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int view_search_is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int view_search_init(struct view_search *s, const char *needle)
{
	size_t n = needle != NULL ? strlen(needle) : 0, len = sizeof(s->folded);
	uint8_t *out;

	memset(s, 0, sizeof(*s));
	if (n == 0 || n > VIEW_SEARCH_MAX || u8_check((const uint8_t *)needle, n) != NULL)
		return -1;
	out = u8_casefold((const uint8_t *)needle, n, NULL, NULL, (uint8_t *)s->folded, &len);
	if (out == NULL)
		return -1;
	if (out != (uint8_t *)s->folded) {
		/* Longer than four times the needle: cannot happen, but never overflow. */
		free(out);
		return -1;
	}
	s->len = len;
	s->ascii = view_search_is_ascii(s->folded, len);
	return 0;
}

/* The ASCII fast path: the needle (folded, ASCII) in text, ASCII letters folded. */
static int view_search_ascii(const struct view_search *s, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text, *nd = (const unsigned char *)s->folded;

	for (size_t i = 0; i + s->len <= len; i++) {
		size_t k = 0;
		while (k < s->len && view_search_lower(t[i + k]) == nd[k])
			k++;
		if (k == s->len)
			return 1;
	}
	return 0;
}

int view_search_match(const struct view_search *s, const char *text, size_t len)
{
	uint8_t stack[1024], *folded;
	size_t flen = sizeof(stack);
	int found;

	if (text == NULL || s->len == 0)
		return 0;
	if (view_search_is_ascii(text, len))
		/* ASCII text folds to ASCII: a needle with other characters cannot be in it. */
		return s->ascii ? view_search_ascii(s, text, len) : 0;
	folded = u8_casefold((const uint8_t *)text, len, NULL, NULL, stack, &flen);
	if (folded == NULL)
		return 0;
	found = memmem(folded, flen, s->folded, s->len) != NULL;
	if (folded != stack)
		free(folded);
	return found;
}
