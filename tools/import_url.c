/*
 * import_url.c - one actor id per LinkedIn profile, whatever way its URL is
 * written.
 *
 * The same person reaches warmthd from several files of the archive (and
 * from collectors) with URLs that differ only in scheme, "www.", the case
 * of the host, a trailing slash, a query or percent-encoding; each form
 * must count as the same contact, so every one is reduced here to
 * "https://www.linkedin.com/in/<slug>". Slugs are case-insensitive on
 * LinkedIn, so their ASCII letters are lower-cased; non-ASCII letters are
 * kept as decoded UTF-8, the form the archive itself mostly uses. Pure.
 */
#include <string.h>
#include <strings.h>
#include <unictype.h>
#include <unistr.h>

#include "import.h"

static int url_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int url_prefix(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) >= n && strncasecmp(*p, word, n) == 0) {
		*p += n;
		return 1;
	}
	return 0;
}

/*
 * Whether the decoded (valid UTF-8) slug holds only what a slug can: no
 * space or separator (U+00A0, U+3000), no control or format character (a
 * right-to-left override U+202E would reorder how the id is shown), and
 * no U+FFFD, which stands for damage (a NUL byte in the file, import_csv.c).
 */
static int url_slug_chars(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		ucs4_t uc;
		int n = u8_mbtouc(&uc, s + i, len - i);
		if (n <= 0 || uc == 0xfffd || uc_is_general_category(uc, UC_CATEGORY_Z) ||
		    uc_is_general_category(uc, UC_CATEGORY_C))
			return 0;
		i += (size_t)n;
	}
	return 1;
}

int import_url_actor(const char *url, size_t len, struct buf *out)
{
	const char *p = url, *end = url + len;
	size_t start;
	int valid;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!url_prefix(&p, end, "https://"))
		url_prefix(&p, end, "http://");
	/* Country subdomains (uk., de.) name the same profile too. */
	if (!url_prefix(&p, end, "www.")) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		if (dot != NULL && dot - p == 2 && (size_t)(end - dot) > 13 &&
		    strncasecmp(dot + 1, "linkedin.com/", 13) == 0)
			p = dot + 1;
	}
	if (!url_prefix(&p, end, "linkedin.com/in/"))
		return -1;
	buf_reset(out);
	buf_append_str(out, "https://www.linkedin.com/in/");
	start = out->len;
	for (; p < end && *p != '/' && *p != '?' && *p != '#'; p++) {
		char c = *p;
		if (c == '%' && end - p >= 3 && url_hex(p[1]) >= 0 && url_hex(p[2]) >= 0) {
			c = (char)(url_hex(p[1]) * 16 + url_hex(p[2]));
			p += 2;
		}
		/* Decoded, a separator of the URL or a space is no part of a slug ("foo%2Fbar"). */
		if ((unsigned char)c < 0x20 || c == 0x7f || strchr("/?#% \"<>\\", c) != NULL)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf_append(out, &c, 1);
	}
	/* Only a trailing slash, a query or a fragment may follow the slug. */
	if (p < end && *p == '/' && p + 1 < end && p[1] != '?' && p[1] != '#')
		return -1;
	if (out->len == start)
		return -1;
	utf8_valid_prefix(out->data + start, out->len - start, &valid);
	if (!valid || !url_slug_chars((const uint8_t *)out->data + start, out->len - start))
		return -1;
	buf_cstr(out);
	return 0;
}
