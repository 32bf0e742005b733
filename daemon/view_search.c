/*
 * view_search.c - the contacts view's search (see view_search.h).
 *
 * A search walks every contact of a page's range until the page is full,
 * so a match must cost little: the needle is folded once, and a name
 * that is plain ASCII (most are) is compared byte by byte with ASCII
 * folding, which for an ASCII needle is what Unicode folding would give.
 * A name with other characters is lowered code point by code point
 * (libunistring's uc_tolower, one-to-one) into a buffer on the stack:
 * full case folding (ß to ss) allocated and cost a microsecond a name,
 * which a search walking 100k contacts cannot afford. So an ASCII needle
 * matches ASCII text with full folding (ß in a needle is "ss"), and other
 * text by lowercase letters (É matches é).
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

static size_t view_search_lower_utf8(const char *text, size_t len, uint8_t *out, size_t cap);

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
	/* Non-ASCII text is lowered code point by code point (fast, see below); the needle too. */
	s->lowered_len = view_search_lower_utf8(needle, n, (uint8_t *)s->lowered, sizeof(s->lowered));
	if (s->lowered_len == (size_t)-1)
		return -1;
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

/*
 * Writes text[0..len) to out lowered code point by code point
 * (uc_tolower: the simple, one-to-one folding, which needs no buffer of
 * its own and no allocation); stops early when out is full. Returns the
 * bytes written, or (size_t)-1 for text that is not UTF-8.
 */
static size_t view_search_lower_utf8(const char *text, size_t len, uint8_t *out, size_t cap)
{
	const uint8_t *s = (const uint8_t *)text, *end = s + len;
	size_t n = 0;

	while (s < end) {
		ucs4_t uc;
		int k = u8_mbtoucr(&uc, s, (size_t)(end - s));
		if (k <= 0)
			return (size_t)-1;
		s += k;
		if (n + 6 > cap)
			break;
		n += (size_t)u8_uctomb(out + n, uc_tolower(uc), (int)(cap - n));
	}
	return n;
}

int view_search_match(const struct view_search *s, const char *text, size_t len)
{
	uint8_t folded[1024];
	size_t flen;

	if (text == NULL || s->len == 0)
		return 0;
	if (view_search_is_ascii(text, len))
		/* ASCII text folds to ASCII: a needle with other characters cannot be in it. */
		return s->ascii ? view_search_ascii(s, text, len) : 0;
	/*
	 * An ASCII needle in other text: its other characters' bytes are all
	 * 0x80 or more, so they never match an ASCII byte, and only two
	 * characters lower to ASCII (U+0130 to i, U+212A KELVIN SIGN to k): the
	 * bytes as they are answer unless one of those is there. This keeps
	 * the search of names in other scripts as fast as of ASCII ones.
	 */
	if (s->ascii && memmem(text, len, "\xc4\xb0", 2) == NULL &&
	    memmem(text, len, "\xe2\x84\xaa", 3) == NULL)
		return view_search_ascii(s, text, len);
	flen = view_search_lower_utf8(text, len, folded, sizeof(folded));
	return flen != (size_t)-1 && memmem(folded, flen, s->lowered, s->lowered_len) != NULL;
}
