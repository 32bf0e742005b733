/*
 * note.c - the suggested invitation note (see note.h for the contract).
 *
 * Design. A note is rendered in three steps: pick the engagement to refer
 * to, compute each variable's value once (normalised: valid UTF-8 only,
 * control characters and line breaks as single spaces), then try the
 * templates in order and render the first whose variables are all known.
 * Lengths are code points throughout, because that is what the platform
 * limits. When the rendered note is too long, the excerpts (quotes and
 * titles) get a smaller common budget and the note is rendered again,
 * so the greeting and the closing sentence survive; the last resort is
 * note_cut() on the whole note. note_cut() is the one place that decides
 * where text may be cut: at a space or beside a CJK character, never inside
 * a UTF-8 sequence, never inside a character as people see it (GNU
 * libunistring's extended grapheme clusters: combining marks, Indic and
 * Thai vowel signs, variation selectors, skin tones, emoji joined by
 * zero-width joiners, the two halves of a flag).
 *
 * Pure: no I/O, no libuv; all memory is the caller's buffer or freed here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unigbrk.h>

#include "warmth/event.h"
#include "warmth/note.h"
#include "warmth/score.h"
#include "warmth/util.h"
#include "note_internal.h"

#define NOTE_ELLIPSIS "\xe2\x80\xa6" /* U+2026, one character */
#define NOTE_DAY_MS (86400 * INT64_C(1000))

enum note_var {
	NOTE_VAR_FIRST_NAME,
	NOTE_VAR_NAME,
	NOTE_VAR_POST_TITLE,
	NOTE_VAR_COMMENT,
	NOTE_VAR_THEIR_POST,
	NOTE_VAR_MENTION_TITLE,
	NOTE_VAR_MENTION_TEXT,
	NOTE_VAR_FOLLOWED_DAYS,
	NOTE_VAR_SEGMENT,
	NOTE_VAR_QUESTION,
	NOTE_VAR_COUNT
};

static const char *const note_var_names[NOTE_VAR_COUNT] = {
	"first_name", "name", "post_title", "comment", "their_post", "mention_title", "mention_text",
	"followed_days", "segment", "question",
};

/* The frames a note can refer to an engagement in, and the variables each fills. */
enum note_frame {
	NOTE_FRAME_MINE,    /* their comment, reply or share on my post: {post_title}, {comment} */
	NOTE_FRAME_MENTION, /* their post that mentions me: {mention_title}, {mention_text} */
	NOTE_FRAME_THEIRS,  /* my engagement with their post: {their_post} */
	NOTE_FRAME_COUNT
};

static const int note_frame_vars[NOTE_FRAME_COUNT][3] = {
	[NOTE_FRAME_MINE] = { NOTE_VAR_POST_TITLE, NOTE_VAR_COMMENT, NOTE_VAR_QUESTION },
	[NOTE_FRAME_MENTION] = { NOTE_VAR_MENTION_TITLE, NOTE_VAR_MENTION_TEXT, NOTE_VAR_MENTION_TEXT },
	[NOTE_FRAME_THEIRS] = { NOTE_VAR_THEIR_POST, NOTE_VAR_THEIR_POST, NOTE_VAR_THEIR_POST },
};

/* The values of one note's variables and the budgets of the excerpts. */
struct note_vars {
	struct buf value[NOTE_VAR_COUNT];
	int known[NOTE_VAR_COUNT];
	uint32_t budget[NOTE_VAR_COUNT];   /* code points; UINT32_MAX: uncut */
	uint32_t rendered[NOTE_VAR_COUNT]; /* code points of the last rendering (largest use) */
};

uint32_t note_deep_types_from_score(uint32_t score_deep_mask)
{
	uint32_t mask = 0;

	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		int st = score_type_of((enum event_type)t);
		if (st >= 0 && (score_deep_mask & (1u << st)) != 0)
			mask |= 1u << t;
	}
	return mask;
}

void note_params_default(struct note_params *p)
{
	memset(p, 0, sizeof(*p));
	p->limit = NOTE_LIMIT_DEFAULT;
	p->comment_max = NOTE_COMMENT_MAX;
	p->quote_min_words = NOTE_QUOTE_MIN_WORDS;
	p->quote_min_chars = NOTE_QUOTE_MIN_CHARS;
	p->deep_types = 1u << EVENT_COMMENT | 1u << EVENT_REPLY | 1u << EVENT_SHARE |
	                1u << EVENT_MENTION | 1u << EVENT_MESSAGE;
}

/* -- UTF-8 and where text may be cut -------------------------------------- */

/*
 * Decodes the code point at s[*i] and advances *i. Input is valid UTF-8
 * (callers normalise first); a stray byte still advances by one, so no
 * loop here can stall.
 */
uint32_t note_utf8_decode(const char *s, size_t len, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	size_t left = len - *i, n;
	uint32_t cp;

	if (u[0] < 0x80) {
		n = 1, cp = u[0];
	} else if ((u[0] & 0xe0) == 0xc0 && left >= 2) {
		n = 2, cp = (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	} else if ((u[0] & 0xf0) == 0xe0 && left >= 3) {
		n = 3, cp = (uint32_t)(u[0] & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	} else if ((u[0] & 0xf8) == 0xf0 && left >= 4) {
		n = 4, cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
		           (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
	} else {
		n = 1, cp = 0xfffd;
	}
	*i += n;
	return cp;
}

/* The start of the code point before position i (> 0). */
static size_t note_prev(const char *s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80);
	return i;
}

size_t note_count(const char *s, size_t len)
{
	size_t n = 0;

	/* Every byte that is not a continuation byte starts a code point. */
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static int note_is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200a);
}

/* Scripts written without spaces between words: a break is allowed beside them. */
int note_utf8_is_wide(uint32_t cp)
{
	return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0x20000 && cp <= 0x3ffff);
}

static uint32_t note_cp_at(const char *s, size_t len, size_t i)
{
	return note_utf8_decode(s, len, &i);
}

/*
 * Whether i (0 < i < len, at a code point start) is a word boundary: a
 * space on either side, or a wide character, and a boundary of the
 * characters as people see them (brk, from u8_grapheme_breaks).
 */
static int note_is_break(const char *s, size_t len, const char *brk, size_t i)
{
	uint32_t before = note_cp_at(s, len, note_prev(s, i)), after = note_cp_at(s, len, i);

	if (!brk[i])
		return 0;
	return note_is_space(before) || note_is_space(after) || note_utf8_is_wide(before) ||
	       note_utf8_is_wide(after);
}

/* What a cut text should not end with before its ellipsis. */
static int note_is_trailing_junk(uint32_t cp)
{
	return note_is_space(cp) || (cp < 0x80 && strchr(",;:-([{\"'.", (int)cp) != NULL) ||
	       cp == 0x201c || cp == 0x2018 || cp == 0xab || cp == 0x2013 || cp == 0x2014 ||
	       cp == 0x3001 || cp == 0x3002;
}

size_t note_cut(const char *s, size_t len, uint32_t limit, struct buf *out)
{
	size_t total = note_count(s, len), keep, end = 0, cut = 0;
	char *brk;

	if (total <= limit) {
		buf_append(out, s, len);
		return total;
	}
	if (limit == 0)
		return 0;
	keep = limit - 1; /* room for the ellipsis */
	for (size_t k = 0; k < keep; k++)
		note_utf8_decode(s, len, &end);
	/*
	 * Where a character as people see it begins (UAX #29 extended grapheme
	 * clusters): a cut anywhere else would part a letter from its
	 * combining marks (an accent, a Devanagari or Thai vowel sign), an
	 * emoji from its skin tone or its ZWJ sequence, or a flag's two halves.
	 */
	brk = xmalloc(len + 1);
	u8_grapheme_breaks((const uint8_t *)s, len, brk);
	for (size_t p = end; p > 0; p = note_prev(s, p)) {
		if (note_is_break(s, len, brk, p)) {
			cut = p;
			break;
		}
	}
	/* A word that fills most of the room is cut inside rather than dropped. */
	if (cut == 0 || note_count(s, cut) < keep / 2) {
		cut = end;
		while (cut > 0 && !brk[cut])
			cut = note_prev(s, cut);
	}
	free(brk);
	while (cut > 0) {
		size_t p = note_prev(s, cut);
		if (!note_is_trailing_junk(note_cp_at(s, len, p)))
			break;
		cut = p;
	}
	buf_append(out, s, cut);
	buf_append_str(out, NOTE_ELLIPSIS);
	return note_count(s, cut) + 1;
}

/*
 * Invisible characters that would act on the note around them: the
 * explicit bidirectional embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069), which a name, a title or a quote could leave open so that
 * the template's own words after it are shown reversed or reordered, and
 * the zero-width space, word joiner, invisible operators and BOM, which
 * hide nothing useful and split or glue words unseen. Right-to-left text
 * needs none of them to show correctly; joiners (U+200C, U+200D) stay,
 * since emoji and scripts such as Persian need them.
 */
static int note_is_format(uint32_t cp)
{
	return cp == 0x200b || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xfeff;
}

/*
 * Appends s to out normalised: cut at the first byte that is not UTF-8,
 * control characters (C0, DEL, C1) and line/paragraph separators turned
 * into spaces, runs of spaces collapsed, no space at either end, and the
 * invisible formatting characters of note_is_format() dropped.
 */
static void note_normalize_n(const char *s, size_t n, struct buf *out)
{
	size_t len, i = 0, start = out->len;
	int valid, space = 0;

	len = utf8_valid_prefix(s, n, &valid);
	while (i < len) {
		size_t at = i;
		uint32_t cp = note_utf8_decode(s, len, &i);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
		    note_is_space(cp)) {
			space = 1;
			continue;
		}
		if (note_is_format(cp))
			continue;
		if (space && out->len > start)
			buf_append(out, " ", 1);
		space = 0;
		buf_append(out, s + at, i - at);
	}
}

static void note_normalize(const char *s, struct buf *out)
{
	if (s != NULL)
		note_normalize_n(s, strlen(s), out);
}

/* -- choosing and rendering ----------------------------------------------- */

/* How strongly a kind of engagement speaks of a post, for the frame of my engagement with theirs. */
static int note_type_rank(uint8_t type)
{
	switch (type) {
	case EVENT_COMMENT:
	case EVENT_REPLY:
		return 2;
	case EVENT_SHARE:
		return 1;
	default:
		return 0;
	}
}

static int note_has_str(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/*
 * Whether a title can be named in a note: one that is a link or a file
 * path (a collector that had no better) says nothing to its author. Unlike
 * a quote, a title may be short or mostly figures ("Q3: 12% -> 18%").
 */
static int note_title_usable(const char *title)
{
	struct note_text t;

	if (!note_has_str(title))
		return 0;
	note_text_measure(title, strlen(title), &t);
	return t.machine == 0;
}

/*
 * Whether candidate e is better than the one at best (or there is none)
 * under keys compared in order (larger wins), then the newer; at a full
 * tie the one given first stays (the daemon gives a contact's engagements
 * in its total order, contact.h, so the choice is the same every time).
 */
static int note_better(const struct note_input *in, int best, const int64_t *keys, const int64_t *best_keys,
                       size_t nkeys, const struct note_engagement *e)
{
	if (best < 0)
		return 1;
	for (size_t k = 0; k < nkeys; k++)
		if (keys[k] != best_keys[k])
			return keys[k] > best_keys[k];
	return e->ts_ms > in->engagements[best].ts_ms;
}

/*
 * The engagement to refer to in each frame (see note.h), -1 where there is
 * none. A private message is never one of them, nor anything of a type
 * scoring does not count as deep (likes) except for my engagement with
 * their post, which only needs its title.
 */
static void note_pick(const struct note_params *p, const struct note_input *in, int picked[NOTE_FRAME_COUNT])
{
	int64_t best_keys[NOTE_FRAME_COUNT][3] = { { 0 } };

	for (int f = 0; f < NOTE_FRAME_COUNT; f++)
		picked[f] = -1;
	for (size_t i = 0; i < in->nengagements; i++) {
		const struct note_engagement *e = &in->engagements[i];
		int deep = e->type < 32 && (p->deep_types & (1u << e->type)) != 0;
		int has_title = note_title_usable(e->title);
		int64_t keys[3] = { 0 };
		int frame;

		if (e->type == EVENT_MESSAGE)
			continue;
		/* Hostile or dismissive words: neither quoted nor thanked for (note.h). */
		if (!e->dir_out && note_text_avoided(p, e->text))
			continue;
		if (e->dir_out) {
			if (!has_title || (e->type != EVENT_LIKE && note_type_rank(e->type) == 0))
				continue;
			frame = NOTE_FRAME_THEIRS;
			keys[0] = note_type_rank(e->type);
			keys[1] = note_has_str(e->text) ? note_text_quality(e->text, strlen(e->text)) : 0;
		} else if (e->type == EVENT_MENTION) {
			int quotable = note_text_quotable(p, e->text);
			if (!has_title && !quotable)
				continue;
			/* One with a title to name, then the newest: what they wrote about me lately. */
			frame = NOTE_FRAME_MENTION;
			keys[0] = has_title;
		} else if (deep && note_type_rank(e->type) > 0) {
			int quotable = note_text_quotable(p, e->text);
			if (!has_title && !quotable)
				continue;
			frame = NOTE_FRAME_MINE;
			/*
			 * Words worth quoting first, with the post's title when
			 * known (a note that names the post is more specific),
			 * the most substantive of them; else a title to name.
			 */
			keys[0] = quotable;
			keys[1] = has_title;
			keys[2] = quotable ? note_text_quality(e->text, strlen(e->text)) : 0;
		} else {
			continue;
		}
		if (note_better(in, picked[frame], keys, best_keys[frame], 3, e)) {
			picked[frame] = (int)i;
			memcpy(best_keys[frame], keys, sizeof(keys));
		}
	}
}

/*
 * Sets v's variable var to s normalised. A quote (quote_max > 0, its
 * length before any shrinking) keeps its closing full stop off (see
 * below), and is its most substantive sentence (note_text_measure), from
 * its first word: around it people write "Thanks! Saved for later.",
 * "+1" or "Well said, Zoë", which say nothing to the person the note goes
 * to (and the last is said to someone else); a long comment's head would
 * lose the sentence that says something to the cut.
 */
static void note_vars_set(struct note_vars *v, int var, const char *s, uint32_t quote_max)
{
	struct buf *c = &v->value[var];
	int quote = quote_max > 0;

	note_normalize(s, c);
	if (quote) {
		struct note_text t;
		int valid;
		size_t len = utf8_valid_prefix(s, strlen(s), &valid);

		note_text_measure(s, len, &t);
		if (t.best_end > t.best_start) {
			buf_reset(c);
			note_normalize_n(s + t.best_start, t.best_end - t.best_start, c);
		}
	}
	/*
	 * Templates close a quotation with their own full stop ("... your
	 * thoughts: \"{comment}\". I'd ..."): a quote's own final full stop
	 * would double it. Other marks (!, ?) carry tone and stay.
	 */
	while (quote && c->len > 0 && c->data[c->len - 1] == '.')
		c->len--;
}

/*
 * Whether the word s[0..len) of a name can be what a person is greeted
 * by: not an abbreviation or an initial ("Dr.", "Prof.", "J."), and one
 * that starts with a letter (a CJK character is one), not an emoji or a
 * symbol.
 */
static int note_name_word(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || s[len - 1] == '.' || !note_utf8_is_letter(note_utf8_decode(s, len, &i)))
		return 0;
	/*
	 * Letters and digits, with the apostrophes and hyphens names have
	 * (O'Brien, Jean-Luc); anything else ("src=x", "<b>Eve",
	 * "ada@example") is not a name to greet someone by, whatever a
	 * profile field held.
	 */
	while (i < len) {
		uint32_t cp = note_utf8_decode(s, len, &i);
		if (!note_utf8_is_letter(cp) && !(cp >= '0' && cp <= '9') && cp != '\'' && cp != '-' &&
		    cp != 0x2019 && cp != 0x2010)
			return 0;
	}
	return 1;
}

/*
 * Appends to out the first name in name (normalised): its first word
 * that note_name_word() accepts, so "Dr. Ada Lovelace" and an emoji
 * before the name both give "Ada"; in "Lovelace, Ada" (family name first,
 * as a directory writes it) the word after the comma. Nothing when no
 * word will do, so templates that greet by name are not used.
 */
static void note_first_name(const struct buf *name, struct buf *out)
{
	size_t at = 0, pick = SIZE_MAX, pick_len = 0;

	for (int index = 0; at < name->len; index++) {
		const char *w = name->data + at;
		size_t n = 0, core;
		int comma;

		while (at + n < name->len && w[n] != ' ')
			n++;
		comma = n > 1 && w[n - 1] == ',';
		core = comma ? n - 1 : n;
		at += n + 1;
		if (!note_name_word(w, core))
			continue;
		pick = (size_t)(w - name->data);
		pick_len = core;
		/* "Lovelace, Ada": a first word ending in a comma is the family name; look on. */
		if (!(index == 0 && comma))
			break;
	}
	if (pick != SIZE_MAX)
		buf_append(out, name->data + pick, pick_len);
}

/*
 * Whether the text s asks something: its most substantive sentence (the
 * one a long text is quoted by) ends in a question mark (ASCII, fullwidth
 * or Arabic), before any closing quotation mark or bracket. A rhetorical
 * "Really?" before the sentence that says something does not ask.
 */
static int note_asks(const char *s)
{
	struct note_text t;
	int valid;
	size_t len = utf8_valid_prefix(s, strlen(s), &valid), end;

	note_text_measure(s, len, &t);
	end = t.best_end;
	while (end > t.best_start && strchr(" \"')]\xbb", s[end - 1]) != NULL)
		end--;
	/* Typographic closing quotes are three bytes: ” (e2 80 9d) and ’ (e2 80 99). */
	while (end >= t.best_start + 3 && (unsigned char)s[end - 3] == 0xe2 && (unsigned char)s[end - 2] == 0x80 &&
	       ((unsigned char)s[end - 1] == 0x9d || (unsigned char)s[end - 1] == 0x99))
		end -= 3;
	if (end > t.best_start && s[end - 1] == '?')
		return 1;
	return (end >= t.best_start + 3 && memcmp(s + end - 3, "\xef\xbc\x9f", 3) == 0) ||
	       (end >= t.best_start + 2 && memcmp(s + end - 2, "\xd8\x9f", 2) == 0);
}

static void note_vars_init(struct note_vars *v, const struct note_params *p, const struct note_input *in,
                           const int picked[NOTE_FRAME_COUNT])
{
	const struct note_engagement *e;

	memset(v, 0, sizeof(*v));
	note_normalize(in->name, &v->value[NOTE_VAR_NAME]);
	note_first_name(&v->value[NOTE_VAR_NAME], &v->value[NOTE_VAR_FIRST_NAME]);
	if (picked[NOTE_FRAME_MINE] >= 0) {
		e = &in->engagements[picked[NOTE_FRAME_MINE]];
		if (note_title_usable(e->title))
			note_vars_set(v, NOTE_VAR_POST_TITLE, e->title, 0);
		if (note_text_quotable(p, e->text)) {
			note_vars_set(v, NOTE_VAR_COMMENT, e->text, p->comment_max);
			if (note_asks(e->text))
				buf_append(&v->value[NOTE_VAR_QUESTION], v->value[NOTE_VAR_COMMENT].data,
				           v->value[NOTE_VAR_COMMENT].len);
		}
	}
	if (picked[NOTE_FRAME_MENTION] >= 0) {
		e = &in->engagements[picked[NOTE_FRAME_MENTION]];
		if (note_title_usable(e->title))
			note_vars_set(v, NOTE_VAR_MENTION_TITLE, e->title, 0);
		if (note_text_quotable(p, e->text))
			note_vars_set(v, NOTE_VAR_MENTION_TEXT, e->text, p->comment_max);
	}
	if (picked[NOTE_FRAME_THEIRS] >= 0)
		note_vars_set(v, NOTE_VAR_THEIR_POST, in->engagements[picked[NOTE_FRAME_THEIRS]].title, 0);
	if (in->followed_ms > 0 && in->now_ms - in->followed_ms >= NOTE_DAY_MS)
		buf_printf(&v->value[NOTE_VAR_FOLLOWED_DAYS], "%" PRId64,
		           (in->now_ms - in->followed_ms) / NOTE_DAY_MS);
	note_normalize(in->segment, &v->value[NOTE_VAR_SEGMENT]);
	for (size_t i = 0; i < v->value[NOTE_VAR_SEGMENT].len; i++)
		if (v->value[NOTE_VAR_SEGMENT].data[i] == '_')
			v->value[NOTE_VAR_SEGMENT].data[i] = ' ';
	for (int i = 0; i < NOTE_VAR_COUNT; i++) {
		v->known[i] = v->value[i].len > 0;
		v->budget[i] = UINT32_MAX;
	}
	v->budget[NOTE_VAR_COMMENT] = p->comment_max;
	v->budget[NOTE_VAR_QUESTION] = p->comment_max;
	v->budget[NOTE_VAR_MENTION_TEXT] = p->comment_max;
}

static void note_vars_free(struct note_vars *v)
{
	for (int i = 0; i < NOTE_VAR_COUNT; i++)
		buf_free(&v->value[i]);
}

/* The variable named name[0..len), or -1. */
static int note_var_find(const char *name, size_t len)
{
	for (int i = 0; i < NOTE_VAR_COUNT; i++)
		if (strlen(note_var_names[i]) == len && memcmp(note_var_names[i], name, len) == 0)
			return i;
	return -1;
}

/*
 * Appends a variable's value to out within budget code points. Inside a
 * quotation (the template's character just before it is a quotation
 * mark), the value's own quotation marks become the other kind, and a
 * quotation the value opens and does not close (cut short, or so written)
 * is closed at its end, after the ellipsis of a cut.
 */
static size_t note_render_value(const struct buf *val, uint32_t budget, struct buf *out)
{
	uint32_t before = 0, close;
	struct buf quoted = { 0 };
	size_t start = out->len, n;
	int outer;

	if (out->len > 0)
		before = note_cp_at(out->data, out->len, note_prev(out->data, out->len));
	outer = note_quote_outer(before);
	if (outer == NOTE_QUOTE_NONE)
		return note_cut(val->data, val->len, budget, out);
	note_quote_inner(val->data, val->len, outer, &quoted);
	n = note_cut(quoted.data, quoted.len, budget, out);
	close = note_quote_unclosed(out->data + start, out->len - start, outer);
	if (close != 0 && n >= budget) {
		/* Cut again one shorter: the closing mark takes the room. */
		out->len = start;
		n = budget > 1 ? note_cut(quoted.data, quoted.len, budget - 1, out) : 0;
		close = n > 0 ? note_quote_unclosed(out->data + start, out->len - start, outer) : 0;
	}
	/* Cut short, or unbalanced as written: a quotation opened inside is closed. */
	if (close != 0) {
		note_quote_close(out, close);
		n++;
	}
	buf_free(&quoted);
	return n;
}

/*
 * Renders tmpl into out (replacing its content). Returns -1 without output
 * when a variable it uses is unknown (or unknown to note at all; templates
 * from a config were checked by note_template_check). Records each
 * variable's rendered length in v->rendered.
 */
static int note_render(const char *tmpl, struct note_vars *v, struct buf *out)
{
	buf_reset(out);
	memset(v->rendered, 0, sizeof(v->rendered));
	for (const char *t = tmpl; *t != '\0';) {
		const char *close;
		int var;

		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			buf_append(out, t, 1);
			t += 2;
			continue;
		}
		if (t[0] != '{') {
			size_t n = strcspn(t, "{}");
			buf_append(out, t, n > 0 ? n : 1); /* a lone '}' is kept as text */
			t += n > 0 ? n : 1;
			continue;
		}
		close = strchr(t, '}');
		var = close != NULL ? note_var_find(t + 1, (size_t)(close - t - 1)) : -1;
		/*
		 * A greeting without a name ("Hi {first_name}, ..." for someone
		 * whose name no event gave) reads "Hi, ...": better than giving
		 * up a note that names what they wrote for the plain fallback.
		 */
		if (var == NOTE_VAR_FIRST_NAME && !v->known[var] && close[1] == ',' && out->len > 0 &&
		    out->data[out->len - 1] == ' ') {
			out->len--;
			t = close + 1;
			continue;
		}
		if (var < 0 || !v->known[var])
			return -1;
		{
			size_t n = note_render_value(&v->value[var], v->budget[var], out);
			if (n > v->rendered[var])
				v->rendered[var] = (uint32_t)n;
		}
		t = close + 1;
	}
	return 0;
}

/*
 * Renders tmpl within p->limit: shrinks the excerpts, then cuts. Returns
 * -1 when tmpl needs a variable that is unknown.
 *
 * The excerpts (quotes and titles) shrink together to one common length,
 * the longest that fits, found by bisection: taking from one first would
 * leave a long title beside a quote of three words, when the quote is the
 * specific part. None shrinks below NOTE_EXCERPT_MIN; what still does
 * not fit is cut as a whole.
 */
static int note_render_fitted(const struct note_params *p, const char *tmpl, struct note_vars *v,
                              struct buf *out)
{
	static const int shrinkable[] = { NOTE_VAR_COMMENT, NOTE_VAR_QUESTION, NOTE_VAR_MENTION_TEXT, NOTE_VAR_POST_TITLE,
	                                  NOTE_VAR_MENTION_TITLE, NOTE_VAR_THEIR_POST };
	uint32_t orig[ARRAY_SIZE(shrinkable)], full[ARRAY_SIZE(shrinkable)], lo = NOTE_EXCERPT_MIN, hi = 0;
	struct buf whole = { 0 };
	int64_t fit = -1;

	if (note_render(tmpl, v, &whole) < 0) {
		buf_free(&whole);
		return -1;
	}
	for (size_t k = 0; k < ARRAY_SIZE(shrinkable); k++) {
		orig[k] = v->budget[shrinkable[k]];
		full[k] = v->rendered[shrinkable[k]];
		if (full[k] > hi)
			hi = full[k];
	}
	if (note_count(whole.data, whole.len) > p->limit && hi > lo) {
		/* The longest common length in [lo, hi) at which the note fits. */
		hi--;
		while (lo <= hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			for (size_t k = 0; k < ARRAY_SIZE(shrinkable); k++)
				v->budget[shrinkable[k]] = full[k] > mid ? mid : orig[k];
			note_render(tmpl, v, &whole);
			if (note_count(whole.data, whole.len) <= p->limit) {
				fit = mid;
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		for (size_t k = 0; k < ARRAY_SIZE(shrinkable); k++) {
			uint32_t at = fit >= 0 ? (uint32_t)fit : NOTE_EXCERPT_MIN;
			v->budget[shrinkable[k]] = full[k] > at ? at : orig[k];
		}
		note_render(tmpl, v, &whole);
	}
	note_cut(whole.data, whole.len, p->limit, out);
	buf_free(&whole);
	return 0;
}

int note_build(const struct note_params *p, const struct note_input *in, struct buf *out)
{
	const struct note_template *templates = p->templates;
	size_t ntemplates = p->ntemplates;
	struct note_vars v;
	int picked[NOTE_FRAME_COUNT], referred = -1;

	if (templates == NULL)
		templates = note_default_templates(&ntemplates);
	note_pick(p, in, picked);
	note_vars_init(&v, p, in, picked);
	/* Pass 0: the segment's own alternatives; pass 1: those for every segment. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t t = 0; t < ntemplates; t++) {
			const struct note_template *nt = &templates[t];
			int mine = nt->segment != NULL && in->segment != NULL && strcmp(nt->segment, in->segment) == 0;
			if (pass == 0 ? !mine : nt->segment != NULL)
				continue;
			for (size_t a = 0; a < nt->nalternatives; a++) {
				if (note_render_fitted(p, nt->alternatives[a], &v, out) == 0)
					goto done;
			}
		}
	}
	note_cut(note_fallback, strlen(note_fallback), p->limit, out);
	memset(v.rendered, 0, sizeof(v.rendered));
done:
	/* The engagement whose variables the note used (a template may use more than one frame's). */
	for (int f = 0; f < NOTE_FRAME_COUNT && referred < 0; f++)
		if (picked[f] >= 0 && (v.rendered[note_frame_vars[f][0]] > 0 || v.rendered[note_frame_vars[f][1]] > 0 ||
		                       v.rendered[note_frame_vars[f][2]] > 0))
			referred = picked[f];
	note_vars_free(&v);
	return referred;
}

int note_template_check(const char *tmpl, struct buf *err)
{
	int valid;

	utf8_valid_prefix(tmpl, strlen(tmpl), &valid);
	if (!valid) {
		buf_append_str(err, "not valid UTF-8");
		return -1;
	}
	for (const char *t = tmpl; *t != '\0'; t++) {
		const char *close;

		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			t++;
			continue;
		}
		if (t[0] == '}') {
			buf_append_str(err, "a '}' without its '{' (write \"}}\" for a brace)");
			return -1;
		}
		if (t[0] != '{')
			continue;
		close = strchr(t, '}');
		if (close == NULL) {
			buf_append_str(err, "a '{' without its '}' (write \"{{\" for a brace)");
			return -1;
		}
		if (note_var_find(t + 1, (size_t)(close - t - 1)) < 0) {
			buf_printf(err, "unknown variable {%.*s} (known: {first_name}, {name}, {post_title}, "
			           "{comment}, {question}, {their_post}, {mention_title}, {mention_text}, "
			           "{followed_days}, {segment})", (int)(close - t - 1), t + 1);
			return -1;
		}
		t = close;
	}
	return 0;
}
