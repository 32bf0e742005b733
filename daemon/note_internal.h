/*
 * note_internal.h - what note.c and note_quote.c share: decoding UTF-8,
 * measuring a text for quoting, and quotation marks inside a quotation.
 */
#ifndef WARMTH_NOTE_INTERNAL_H
#define WARMTH_NOTE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/note.h"
#include "warmth/util.h"

/* Decodes the code point at s[*i] (valid UTF-8) and advances *i; a stray byte advances by one. */
uint32_t note_utf8_decode(const char *s, size_t len, size_t *i);
/* Scripts written without spaces between words (CJK). */
int note_utf8_is_wide(uint32_t cp);
/* Letters: ASCII ones, and above U+00BF whatever is not a symbol, emoji or private use. */
int note_utf8_is_letter(uint32_t cp);

/* What note_text_measure() finds in a text. */
struct note_text {
	uint32_t tokens;  /* runs of non-space characters */
	uint32_t words;   /* of them, words of a sentence (CJK: one per two characters) */
	uint32_t letters; /* letters in those words */
	uint32_t machine; /* URLs, file paths, code */
	int prose;        /* no machine token, and letters are most (3/5) of what is visible */
	/*
	 * The most substantive sentence (letters plus four per word; a
	 * sentence ends at a word ending in . ! ? or an ellipsis): its words,
	 * letters and bytes [best_start, best_end). A text is only as
	 * substantive as its best sentence: "Thanks! Saved for later. Congrats
	 * on the launch!" strings trivial sentences together, and says nothing.
	 */
	uint32_t best_words, best_letters;
	size_t best_start, best_end;
};
void note_text_measure(const char *s, size_t len, struct note_text *out);

/* When no template has what it needs (no name): a sentence with no variables (note_templates.c). */
extern const char note_fallback[];

/* Whether needle (NUL-terminated) occurs in s[0..len). */
int note_has(const char *s, size_t len, const char *needle);

/* Whether s (NUL-terminated, may be NULL) is prose with a sentence of p's quote_min_words and quote_min_chars. */
int note_text_quotable(const struct note_params *p, const char *s);

/* The quotation a variable is rendered inside, by the character just before it in the template. */
enum { NOTE_QUOTE_NONE, NOTE_QUOTE_STRAIGHT, NOTE_QUOTE_TYPOGRAPHIC };
int note_quote_outer(uint32_t before);
/*
 * Appends s[0..len) to out with its double quotation marks turned into
 * the kind that can stand inside outer: inside "...", straight ones become
 * “ and ”; inside “...” (or «...»), double ones become ‘ and ’.
 */
void note_quote_inner(const char *s, size_t len, int outer, struct buf *out);
/* The closing mark an excerpt (after note_quote_inner) leaves open, or 0. */
uint32_t note_quote_unclosed(const char *s, size_t len, int outer);
/* Appends the closing mark close. */
void note_quote_close(struct buf *out, uint32_t close);

#endif
