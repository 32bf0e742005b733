/*
 * note.h - the suggested invitation note of a "ready" notification.
 *
 * A note is made from a template chosen by the contact's segment. Each
 * segment has a list of alternatives; the first whose variables are all
 * known for this contact wins, then the alternatives for every segment,
 * then a fixed sentence that needs nothing. Variables:
 *
 *   {first_name}     the first word of the contact's name that is a name: not a
 *                    title or initial ("Dr.", "J.") nor an emoji; in "Last, First"
 *                    the word after the comma
 *   {name}           the whole name
 *   {post_title}     the title of my post they commented on, replied to or shared
 *   {comment}        an excerpt of what they wrote there, when worth quoting
 *   {question}       the same excerpt, known only when it asks something (has a
 *                    question mark): "happy to help with your question" needs one
 *   {their_post}     the title of their post I engaged with (outbound)
 *   {mention_title}  the title of their post that mentioned me
 *   {mention_text}   an excerpt of that post, when worth quoting
 *   {followed_days}  whole days since the follow (either direction), >= 1
 *   {segment}        the segment's name, underscores read as spaces
 *
 * "{{" and "}}" stand for literal braces. Each frame has its own
 * variables, so a template can never call their post "my post" nor quote
 * my words as theirs. In each frame one engagement is referred to:
 *   - their comment, reply or share on my post (a deep type): one with
 *     words worth quoting, on a post with a title before one without,
 *     the most substantive; else the newest with a title;
 *   - their post that mentioned me: one with a title, else one with
 *     words worth quoting, then the newest;
 *   - my engagement with their post (dir out) with its title: a comment
 *     or reply before a share before a like, then the most substantive
 *     of my words, then the newest.
 * A private message is never referred to. Words are worth quoting when
 * they are prose (no URL, file path or code; mostly letters) with one
 * sentence of at least quote_min_words words and quote_min_chars letters
 * (note_quote.c), so "Thanks!", "Great post", "+1", an emoji, or several
 * such strung together ("Thanks! Saved for later. Congrats!") never are;
 * a text is as substantive as its best sentence, and what is quoted is
 * that sentence, from its first word. A word repeated in a text counts once ("Great post Great post Great post" is two words). Words
 * with one of the avoid words in them (hostile or dismissive: "nonsense",
 * "clickbait", "disagree") are never referred to at all, neither quoted
 * nor thanked for: a note that thanks someone for "this is clickbait"
 * reads as sarcasm. Quotation marks inside a
 * quotation become the other kind, and an excerpt cut short ends with an
 * ellipsis at a word and closes what it opened.
 *
 * The note never exceeds the limit, counted in Unicode code points (the
 * platform counts characters, not bytes). When it would, the quoted
 * excerpts shrink first, so the note keeps its closing words; only then is
 * the note itself cut, at a word boundary, with an ellipsis. A cut never
 * falls inside a UTF-8 sequence nor between a character and the combining
 * marks or joiners that belong to it.
 *
 * Pure: no I/O, no libuv. Depends on util, event and score (type names).
 */
#ifndef WARMTH_NOTE_H
#define WARMTH_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/util.h"

/* The defaults of the config's notes: section (conf_notes.c), which the daemon uses. */
#define NOTE_LIMIT_DEFAULT 300 /* characters, DOMAIN.md */
#define NOTE_LIMIT_FREE 200    /* characters on free accounts */
#define NOTE_LIMIT_MIN 20      /* below this no template can say anything */
#define NOTE_COMMENT_MAX 100   /* characters of {comment} before any shrinking */
#define NOTE_EXCERPT_MIN 16    /* excerpts never shrink below this many characters */
#define NOTE_QUOTE_MIN_WORDS 6 /* words a text needs to be quoted */
#define NOTE_QUOTE_MIN_CHARS 30 /* letters in those words */

/*
 * One engagement, as contact.h's struct contact_engagement keeps it (the
 * caller points into its own storage; note never keeps the pointers).
 * Strings are NUL-terminated, NULL when absent; bytes that are not UTF-8
 * end a string early, control characters and line breaks read as
 * spaces, and bidirectional overrides and isolates, zero-width spaces,
 * word joiners and BOMs are dropped (left open they would reorder the
 * template's own words after them).
 */
struct note_engagement {
	int64_t ts_ms;
	uint8_t type;    /* enum event_type */
	uint8_t dir_out; /* 1: my engagement with their post (only its title is referred to) */
	const char *post;
	const char *title;
	const char *text;
};

/* The alternatives of one segment. */
struct note_template {
	const char *segment;                /* NULL: every segment, tried after the segment's own */
	const char *const *alternatives;    /* tried in order */
	size_t nalternatives;
};

struct note_params {
	uint32_t limit;         /* code points, >= NOTE_LIMIT_MIN */
	uint32_t comment_max;   /* code points of {comment} before shrinking, >= NOTE_EXCERPT_MIN */
	uint32_t deep_types;    /* bit (1 << enum event_type) set: a deep engagement */
	uint32_t quote_min_words; /* a text with fewer words is never quoted */
	uint32_t quote_min_chars; /* nor one with fewer letters in its words */
	/*
	 * Words (lower case ASCII, or UTF-8 as written) that keep a text from
	 * being referred to; one ending in '*' matches as a prefix. NULL: the
	 * built-in list of note_default_avoid_words(); an empty list (NULL
	 * entries, navoid_words 0, avoid_set 1): none.
	 */
	const char *const *avoid_words;
	size_t navoid_words;
	int avoid_set;
	/* NULL: the built-in templates of note_default_templates(). */
	const struct note_template *templates;
	size_t ntemplates;
};

/* What the note is about. */
struct note_input {
	const char *name;       /* NULL when unknown */
	const char *segment;    /* NULL when unknown */
	int64_t followed_ms;    /* event time of the follow, 0 if neither follows */
	int64_t now_ms;
	const struct note_engagement *engagements; /* any order */
	size_t nengagements;
};

/* Fills p with the defaults: limit 300, comment_max 100, deep types of score.h's default,
   quotes of at least 6 words and 30 letters. */
void note_params_default(struct note_params *p);

/*
 * The deep types of score.h's scoring.deep_types mask (bit 1 << enum
 * score_type) as a mask over enum event_type, for note_params.deep_types.
 */
uint32_t note_deep_types_from_score(uint32_t score_deep_mask);

/* The built-in avoid words (English): hostile, dismissive or contrary words. */
const char *const *note_default_avoid_words(size_t *count);

/*
 * Whether s (NUL-terminated, may be NULL) has a word of p's avoid list
 * (case-insensitive for ASCII letters), or one of its emoji. Checks a
 * config's list entry too: note_avoid_word_check returns -1 with a message
 * for one that is empty, has a space, is only '*', or could never match
 * (anything but letters with - or ' inside and a final '*', or one emoji).
 */
int note_text_avoided(const struct note_params *p, const char *s);
int note_avoid_word_check(const char *w, struct buf *err);

/* The built-in templates (DOMAIN.md's segments and a catch-all). */
const struct note_template *note_default_templates(size_t *count);

/*
 * Appends the note for in to out. Returns the index in in->engagements of
 * the engagement the note refers to, or -1 when it refers to none. The
 * text appended is valid UTF-8 of at most p->limit code points. Cannot fail.
 */
int note_build(const struct note_params *p, const struct note_input *in, struct buf *out);

/*
 * Checks a template: valid UTF-8, braces balanced, every variable known.
 * Returns 0, or -1 with a message for a config error appended to err
 * ("unknown variable {frist_name}").
 */
int note_template_check(const char *tmpl, struct buf *err);

/*
 * How substantive s[0..len) (UTF-8; a byte that is not reads as a symbol) is as
 * a quote: 0 when it is not prose (a URL, a file path, code, mostly
 * symbols or digits, no word), else the letters plus four per word of its
 * best sentence.
 * Contacts keep their best evidence by it (contact.h).
 */
uint32_t note_text_quality(const char *s, size_t len);

/* The number of code points in s[0..len), which must be valid UTF-8. */
size_t note_count(const char *s, size_t len);

/*
 * Appends s[0..len) (valid UTF-8) to out, cut to at most limit code points:
 * unchanged when it fits, else cut at the last word boundary (a space, or
 * beside a CJK character) with trailing spaces and punctuation removed and
 * "…" appended, the ellipsis counting as one. A single word longer than
 * half the room is cut inside the word instead, never before a combining
 * mark or around a zero-width joiner. Returns the code points appended.
 */
size_t note_cut(const char *s, size_t len, uint32_t limit, struct buf *out);

#endif
