/*
 * note_quote.c - whether a text is worth quoting in an invitation note,
 * how substantive it is, and how quotation marks inside a quote are
 * rendered (see note.h).
 *
 * Design. A text is measured, not matched against a list of phrases: it
 * is split at spaces into tokens, and each token is a word (mostly
 * letters), something that is not prose (a URL, a file path, code), or
 * neither (a number, "+1", an emoji, a #hashtag, an @handle). A text with
 * any token that is not prose, or whose visible characters are mostly not
 * letters, is never quoted, whatever its length: a Windows path or a
 * pasted stack trace says nothing to the person it would be sent back to.
 * Otherwise its substance is the letters of its words and the number of
 * words, and the note quotes it only above notes.quote_min_words and
 * notes.quote_min_chars, so "Thanks!", "Great post" or an emoji are never
 * quoted while any real sentence is. Scripts written without spaces (CJK)
 * count a word per two characters, and each character as two letters.
 *
 * Quotation marks: a note puts an excerpt inside its own quotation marks,
 * so quotation marks inside the excerpt are turned into the other kind
 * (straight double quotes into typographic ones inside a straight quote,
 * double into single inside a typographic one), and an excerpt cut short
 * closes the quotation it opened.
 *
 * Pure: no I/O, no libuv.
 */
#include <stdint.h>
#include <string.h>

#include "warmth/note.h"
#include "warmth/util.h"
#include "note_internal.h"

#define NOTE_LQUOTE 0x201c /* “ */
#define NOTE_RQUOTE 0x201d /* ” */
#define NOTE_LSINGLE 0x2018 /* ‘ */
#define NOTE_RSINGLE 0x2019 /* ’ */

/* Code points that are symbols, not letters: punctuation blocks, emoji, private use. */
static int note_is_symbol(uint32_t cp)
{
	return cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
	       (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0xff00 && cp <= 0xff20) || (cp >= 0xe000 && cp <= 0xf8ff) ||
	       (cp >= 0x1f000 && cp <= 0x1ffff) || cp >= 0xe0000 || cp == 0xfffd;
}

int note_utf8_is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	return cp >= 0xc0 && !note_is_symbol(cp);
}

static int note_is_blank(uint32_t cp)
{
	return cp <= ' ' || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xa0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 || cp == 0x2029;
}

/*
 * Classes of ASCII characters, looked up rather than searched for: every
 * character of every comment ingested goes through them.
 */
#define NOTE_WRAP 1    /* punctuation that may wrap a word without making it something else */
#define NOTE_SUSPECT 2 /* what a URL, a path or code needs (note_token_is_machine) */
static const unsigned char note_ascii_class[128] = {
	['"'] = NOTE_WRAP, ['\''] = NOTE_WRAP, ['('] = NOTE_WRAP | NOTE_SUSPECT,
	[')'] = NOTE_WRAP | NOTE_SUSPECT, ['['] = NOTE_WRAP, [']'] = NOTE_WRAP,
	['.'] = NOTE_WRAP | NOTE_SUSPECT, [','] = NOTE_WRAP, [';'] = NOTE_WRAP | NOTE_SUSPECT,
	[':'] = NOTE_WRAP | NOTE_SUSPECT, ['!'] = NOTE_WRAP, ['?'] = NOTE_WRAP, ['*'] = NOTE_WRAP,
	['-'] = NOTE_WRAP | NOTE_SUSPECT, ['\\'] = NOTE_SUSPECT, ['/'] = NOTE_SUSPECT,
	['@'] = NOTE_SUSPECT, ['{'] = NOTE_SUSPECT, ['}'] = NOTE_SUSPECT, ['<'] = NOTE_SUSPECT,
	['>'] = NOTE_SUSPECT, ['='] = NOTE_SUSPECT, ['`'] = NOTE_SUSPECT, ['|'] = NOTE_SUSPECT,
	['$'] = NOTE_SUSPECT, ['_'] = NOTE_SUSPECT, ['^'] = NOTE_SUSPECT, ['&'] = NOTE_SUSPECT,
};

static int note_is_wrapping(uint32_t cp)
{
	if (cp < 0x80)
		return (note_ascii_class[cp] & NOTE_WRAP) != 0;
	return cp == NOTE_LQUOTE || cp == NOTE_RQUOTE || cp == NOTE_LSINGLE || cp == NOTE_RSINGLE ||
	       cp == 0xab || cp == 0xbb || cp == 0x2026 || cp == 0x2013 || cp == 0x2014 ||
	       cp == 0x3002 || cp == 0xff01 || cp == 0xff1f; /* 。！？ end a sentence written without spaces */
}

int note_has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (strncmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * Whether a token (without its wrapping punctuation) is something other
 * than prose: a URL, a file path, or code.
 */
static int note_token_is_machine(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (note_has(s, len, "://") || (len > 4 && strncmp(s, "www.", 4) == 0))
		return 1;
	/* C:\Users\..., \\server\share, any backslash: a path or an escape. */
	if (memchr(s, '\\', len) != NULL)
		return 1;
	if (len >= 3 && s[1] == ':' && s[2] == '/' && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 1;
	/* /usr/lib, ~/notes, ./build: a slash at the start and another after it. */
	if ((s[0] == '/' || s[0] == '~' || s[0] == '.') && memchr(s + 1, '/', len - 1) != NULL)
		return 1;
	/* example.com/post: a dot before a slash, with something on both sides; ada@example.com. */
	{
		const char *slash = memchr(s, '/', len), *dot = memchr(s, '.', len), *at = memchr(s, '@', len);
		if (slash != NULL && dot != NULL && dot > s && dot + 1 < slash)
			return 1;
		if (at != NULL && at > s && memchr(at, '.', len - (size_t)(at - s)) != NULL)
			return 1;
	}
	/* Code: calls, braces, operators, identifiers with underscores. */
	for (size_t i = 0; i < len; i++)
		if (strchr("{}<>=;`|$_^", s[i]) != NULL && s[i] != '\0')
			return 1;
	return note_has(s, len, "()") || note_has(s, len, "->") || note_has(s, len, "::") ||
	       note_has(s, len, "&&");
}

/*
 * The code point at s[*i] and advance. ASCII, most of what people write
 * here, is read in line: the text of every comment is measured as it
 * arrives (contact.c keeps the best one), so this is on the ingest path.
 */
static inline uint32_t note_next_cp(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	return note_utf8_decode(s, len, i);
}

/* ASCII characters that make a token worth a closer look (note_token_is_machine). */
static int note_is_suspect(uint32_t cp)
{
	return cp < 0x80 && (note_ascii_class[cp] & NOTE_SUSPECT) != 0;
}

/*
 * One pass over the text. Per token: its code points and letters, the
 * run of wrapping punctuation at each end (not part of the word), and
 * whether it has a character that a URL, a path or code needs; only then
 * is the token looked at again.
 */
/* Ends the sentence of sw words and sl letters at [start, end): the best so far is kept. */
static void note_sentence_end(struct note_text *out, uint32_t *sw, uint32_t *sl, size_t *start, size_t end)
{
	if (*start != SIZE_MAX && *sw > 0 &&
	    (uint64_t)*sl + 4 * (uint64_t)*sw > (uint64_t)out->best_letters + 4 * (uint64_t)out->best_words) {
		out->best_words = *sw;
		out->best_letters = *sl;
		out->best_start = *start;
		out->best_end = end;
	}
	*sw = *sl = 0;
	*start = SIZE_MAX;
}

/*
 * The distinct words of a text so far, by a hash of their bytes with
 * ASCII letters folded: "Great post Great post Great post" is two words,
 * not six, and says no more than "Great post". Only the first
 * NOTE_WORDS_SEEN distinct words are remembered: a text with more is no
 * string of one phrase, and the rest count as they come. The bloom word
 * answers most "not seen" without a scan.
 */
#define NOTE_WORDS_SEEN 32
struct note_words {
	uint64_t bloom;
	uint32_t n;
	uint32_t hash[NOTE_WORDS_SEEN];
};

/* Whether the word s[0..len) is the first of its kind in the text (and remembers it). */
static int note_word_first(struct note_words *seen, const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	uint64_t bit;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		h = (h ^ c) * 16777619u;
	}
	bit = UINT64_C(1) << (h & 63);
	if (seen->bloom & bit)
		for (uint32_t k = 0; k < seen->n; k++)
			if (seen->hash[k] == h)
				return 0;
	if (seen->n < NOTE_WORDS_SEEN) {
		seen->bloom |= bit;
		seen->hash[seen->n++] = h;
	}
	return 1;
}

/* Punctuation that ends a sentence when it ends a word. */
static int note_is_sentence_end(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == 0x3002 || cp == 0xff01 ||
	       cp == 0xff1f;
}

void note_text_measure(const char *s, size_t len, struct note_text *out)
{
	size_t i = 0, sent_start = SIZE_MAX;
	uint32_t visible = 0, letters = 0, sw = 0, sl = 0;
	struct note_words seen;

	memset(out, 0, sizeof(*out));
	seen.bloom = 0;
	seen.n = 0;
	if (s == NULL)
		return;
	/* No validation pass: a byte that is not UTF-8 decodes as U+FFFD, a symbol. */
	while (i < len) {
		size_t core = 0, core_end = 0, at, tok_start;
		uint32_t cps = 0, lead = 0, trail = 0, tok_letters = 0, tok_wide = 0, first = 0, cp;
		int suspect = 0, in_lead = 1, ends = 0;

		at = i;
		cp = note_next_cp(s, len, &i);
		if (note_is_blank(cp))
			continue;
		tok_start = at;
		for (;;) {
			cps++;
			if (note_utf8_is_letter(cp)) {
				tok_letters++;
				if (cp >= 0x2e80 && note_utf8_is_wide(cp))
					tok_wide++;
			}
			suspect |= note_is_suspect(cp);
			if (note_is_wrapping(cp)) {
				if (in_lead)
					lead++;
				else
					trail++;
				ends |= note_is_sentence_end(cp);
			} else {
				ends = 0;
				if (in_lead) {
					core = at;
					first = cp;
				}
				in_lead = 0;
				trail = 0;
				core_end = i;
			}
			if (i >= len)
				break;
			at = i;
			cp = note_next_cp(s, len, &i);
			if (note_is_blank(cp)) {
				i = at;
				break;
			}
		}
		out->tokens++;
		visible += cps;
		letters += tok_letters;
		if (in_lead) {
			/* only punctuation */
		} else if (suspect && note_token_is_machine(s + core, core_end - core)) {
			out->machine++;
		} else {
			/*
			 * A sentence starts at its first token that starts with a
			 * letter ("I" too): "+1 Would love to..." is quoted from
			 * "Would", not from the "+1" or an emoji before it.
			 */
			if (sent_start == SIZE_MAX && note_utf8_is_letter(first))
				sent_start = tok_start;
			/*
			 * A word: at least two letters, and letters for most of it
			 * (an apostrophe or a hyphen inside is fine); #tags and
			 * @handles are not words of a sentence.
			 */
			cps -= lead + trail;
			if (tok_letters >= 2 && tok_letters * 5 >= cps * 4 && first != '#' && first != '@' &&
			    note_word_first(&seen, s + core, core_end - core)) {
				uint32_t w = tok_wide > 0 ? (tok_wide + 1) / 2 + (tok_letters > tok_wide) : 1;
				/* A CJK character carries about what two letters do elsewhere. */
				uint32_t l = tok_letters + tok_wide;
				out->words += w;
				out->letters += l;
				sw += w;
				sl += l;
			}
		}
		if (ends)
			note_sentence_end(out, &sw, &sl, &sent_start, i);
	}
	note_sentence_end(out, &sw, &sl, &sent_start, len);
	out->prose = out->machine == 0 && visible > 0 && letters * 5 >= visible * 3;
}

uint32_t note_text_quality(const char *s, size_t len)
{
	struct note_text t;

	note_text_measure(s, len, &t);
	if (!t.prose || t.best_words == 0)
		return 0;
	return t.best_letters + 4 * t.best_words;
}

int note_text_quotable(const struct note_params *p, const char *s)
{
	struct note_text t;

	if (s == NULL)
		return 0;
	note_text_measure(s, strlen(s), &t);
	return t.prose && t.best_words >= p->quote_min_words && t.best_letters >= p->quote_min_chars;
}

/*
 * The built-in avoid words: what someone writes when they are hostile,
 * dismissive or against the post. A note that quotes them back, or thanks
 * them for it, reads as sarcasm. '*' ends a prefix ("disagree*" is also
 * "disagreed", "disagreeing"). The emoji are the eye roll, the clown and
 * the pile of poo: sarcasm or mockery, whatever the words around them say.
 */
static const char *const note_avoid_builtin[] = {
	"nonsense", "rubbish", "garbage", "trash", "crap", "bullshit", "bs", "stupid*", "idiot*",
	"dumb", "moron*", "ridiculous", "pathetic", "hate*", "scam*", "spam*", "clickbait*",
	"liar*", "misleading", "useless", "pointless", "disgust*", "shameful", "cringe*", "sucks",
	"delusional", "ignorant", "incompetent", "propaganda", "shill*", "grift*", "disagree*",
	"unfollow*", "unsubscribe*", "tone-deaf", "ludicrous", "absurd", "laughable",
	"worst", "wrong", "terrible", "awful", "horrible", "joke", "fraud*", "fake", "overrated",
	"waste", "lol", "lmao", "\xf0\x9f\x99\x84", "\xf0\x9f\xa4\xa1", "\xf0\x9f\x92\xa9",
};

const char *const *note_default_avoid_words(size_t *count)
{
	*count = ARRAY_SIZE(note_avoid_builtin);
	return note_avoid_builtin;
}

/* Whether the lower-cased word w[0..len) is entry e ("x*": any word that starts with x). */
static int note_avoid_match(const char *e, const char *w, size_t len)
{
	size_t n = strlen(e);

	if (n > 0 && e[n - 1] == '*')
		return len >= n - 1 && memcmp(e, w, n - 1) == 0;
	return len == n && memcmp(e, w, n) == 0;
}

/* U+FE0F, the emoji presentation selector: "\u2639\ufe0f" and "\u2639" are one emoji. */
#define NOTE_EMOJI_SELECTOR 0xfe0f

/* Whether the emoji w[0..len) (one code point) is entry e, written with or without U+FE0F. */
static int note_avoid_match_emoji(const char *e, const char *w, size_t len)
{
	size_t n = strlen(e);

	if (n == len + 3 && memcmp(e + len, "\xef\xb8\x8f", 3) == 0)
		n = len;
	return n == len && memcmp(e, w, len) == 0;
}

/*
 * Whether one of the words of s[0..len) is on the list: runs of letters,
 * with - and ' inside, and each symbol (an emoji) as a word of its own.
 */
int note_text_avoided(const struct note_params *p, const char *s)
{
	const char *const *list = p->avoid_words;
	size_t nlist = p->navoid_words, i = 0, len;
	char word[64];
	size_t wn = 0;
	int over = 0;

	if (s == NULL)
		return 0;
	if (list == NULL && !p->avoid_set)
		list = note_default_avoid_words(&nlist);
	if (nlist == 0)
		return 0;
	len = strlen(s);
	for (;;) {
		size_t at = i;
		uint32_t cp = i < len ? note_next_cp(s, len, &i) : 0;
		int inside = wn > 0 && (cp == '-' || cp == '\'') && i < len;

		if (cp != 0 && (note_utf8_is_letter(cp) || inside)) {
			/* A word longer than any on a list is no word of one. */
			if (wn + (i - at) >= sizeof(word)) {
				over = 1;
				continue;
			}
			for (size_t b = at; b < i; b++) {
				char c = s[b];
				word[wn++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
			}
			continue;
		}
		/* A trailing - or ' is not part of the word ("wrong-" at a line's end). */
		while (wn > 0 && (word[wn - 1] == '-' || word[wn - 1] == '\''))
			wn--;
		if (wn > 0 && !over)
			for (size_t k = 0; k < nlist; k++)
				if (list[k] != NULL && note_avoid_match(list[k], word, wn))
					return 1;
		if (cp >= 0x80 && note_is_symbol(cp) && cp != NOTE_EMOJI_SELECTOR)
			for (size_t k = 0; k < nlist; k++)
				if (list[k] != NULL && note_avoid_match_emoji(list[k], s + at, i - at))
					return 1;
		wn = 0;
		over = 0;
		if (cp == 0)
			return 0;
	}
}

int note_avoid_word_check(const char *w, struct buf *err)
{
	size_t n = strlen(w), i = 0, letters = 0;

	if (n == 0 || (n == 1 && w[0] == '*')) {
		buf_append_str(err, "an avoid word must have letters");
		return -1;
	}
	if (strpbrk(w, " \t") != NULL) {
		buf_append_str(err, "an avoid word is one word (no spaces)");
		return -1;
	}
	if (n >= 64) {
		buf_append_str(err, "an avoid word must be shorter than 64 bytes");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (w[i] >= 'A' && w[i] <= 'Z') {
			buf_append_str(err, "write avoid words in lower case (they match any case)");
			return -1;
		}
	/* One emoji (a symbol, maybe with its presentation selector) is matched on its own. */
	i = 0;
	{
		uint32_t cp = note_next_cp(w, n, &i);
		if (cp >= 0x80 && note_is_symbol(cp) && cp != NOTE_EMOJI_SELECTOR &&
		    (i == n || (n - i == 3 && memcmp(w + i, "\xef\xb8\x8f", 3) == 0)))
			return 0;
	}
	/*
	 * Otherwise the text is read as words of letters with - or ' inside
	 * (note_text_avoided): anything else (a digit, a dot, a second emoji)
	 * would make an entry that never matches, silently.
	 */
	for (i = 0; i < n;) {
		size_t at = i;
		uint32_t cp = note_next_cp(w, n, &i);
		if (note_utf8_is_letter(cp)) {
			letters++;
			continue;
		}
		if ((cp == '-' || cp == '\'') && letters > 0 && i < n && w[i] != '*')
			continue;
		if (cp == '*' && i == n && letters > 0)
			continue;
		buf_printf(err, "an avoid word is letters (with - or ' inside, * at the end) or one "
		           "emoji; with \"%.*s\" in it, it would never match", (int)(i - at), w + at);
		return -1;
	}
	return 0;
}

/* Appends code point cp as UTF-8. */
static void note_put_cp(struct buf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(out, b, n);
}

/* Whether a straight quote after cp opens a quotation (else it closes one). */
static int note_opens_after(uint32_t cp)
{
	return cp == 0 || note_is_blank(cp) || (cp < 0x80 && strchr("([{-/", (int)cp) != NULL) ||
	       cp == NOTE_LQUOTE || cp == NOTE_LSINGLE || cp == 0x2013 || cp == 0x2014;
}

int note_quote_outer(uint32_t before)
{
	if (before == '"')
		return NOTE_QUOTE_STRAIGHT;
	if (before == NOTE_LQUOTE || before == 0xab || before == 0x201e)
		return NOTE_QUOTE_TYPOGRAPHIC;
	return NOTE_QUOTE_NONE;
}

void note_quote_inner(const char *s, size_t len, int outer, struct buf *out)
{
	uint32_t prev = 0;

	for (size_t i = 0; i < len;) {
		size_t at = i;
		uint32_t cp = note_utf8_decode(s, len, &i);
		int opens = note_opens_after(prev);

		prev = cp;
		if (outer == NOTE_QUOTE_STRAIGHT && cp == '"') {
			note_put_cp(out, opens ? NOTE_LQUOTE : NOTE_RQUOTE);
			continue;
		}
		if (outer == NOTE_QUOTE_TYPOGRAPHIC && (cp == '"' || cp == NOTE_LQUOTE || cp == NOTE_RQUOTE)) {
			note_put_cp(out, cp == NOTE_LQUOTE || (cp == '"' && opens) ? NOTE_LSINGLE : NOTE_RSINGLE);
			continue;
		}
		buf_append(out, s + at, i - at);
	}
}

uint32_t note_quote_unclosed(const char *s, size_t len, int outer)
{
	uint32_t open = outer == NOTE_QUOTE_TYPOGRAPHIC ? NOTE_LSINGLE : NOTE_LQUOTE;
	uint32_t close = outer == NOTE_QUOTE_TYPOGRAPHIC ? NOTE_RSINGLE : NOTE_RQUOTE;
	int depth = 0;

	if (outer == NOTE_QUOTE_NONE)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = note_utf8_decode(s, len, &i);
		if (cp == open)
			depth++;
		else if (cp == close && depth > 0)
			depth--;
	}
	return depth > 0 ? close : 0;
}

void note_quote_close(struct buf *out, uint32_t close)
{
	note_put_cp(out, close);
}
