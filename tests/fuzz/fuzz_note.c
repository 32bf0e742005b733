/*
 * fuzz_note.c - libFuzzer target for the note renderer (note.h).
 *
 * Input layout: 6 header bytes (limit, comment_max, flags, followed days,
 * type seed, time seed), then NUL-separated strings: a template, the name,
 * the segment, then title, text and post of up to 8 engagements. With flag
 * bit 0 the template, if note_template_check() accepts it, replaces the
 * built-in ones (bit 1: only for the given segment). The note must be
 * valid UTF-8 within its limit in code points, note_cut() must keep
 * its own promise on the same bytes, and a private message's words never
 * appear in the note unless something else given carries them too.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/event.h"
#include "warmth/note.h"
#include "warmth/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOTE_MAX_ENGAGEMENTS 8
#define FUZZ_NOTE_NOW (INT64_C(1793700000) * 1000)

/* The next NUL-terminated string of the input, or NULL at its end. */
static const char *fuzz_note_next(const char **pos, const char *end)
{
	const char *s = *pos, *nul;

	if (s >= end)
		return NULL;
	nul = memchr(s, '\0', (size_t)(end - s));
	*pos = nul != NULL ? nul + 1 : end;
	return s;
}

static void fuzz_note_check(const struct buf *out, uint32_t limit)
{
	int valid;

	if (note_count(out->data, out->len) > limit)
		abort();
	if (utf8_valid_prefix(out->data, out->len, &valid) != out->len || !valid)
		abort();
}

/* Whether needle[0..len) occurs in s (NULL: no). */
static int fuzz_note_has(const char *s, const char *needle, size_t len)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (strncmp(s, needle, len) == 0)
			return 1;
	return 0;
}

/*
 * A message's text (its first 16 bytes from its first letter or digit,
 * when it has that many printable ones) in the note must come from
 * somewhere else: the template, the name, the segment, or an engagement
 * that is not a message. From a letter: the note puts its own quotation
 * marks around what it quotes, so a message starting with one would match
 * a note quoting another engagement's same words.
 */
static void fuzz_note_check_private(const struct note_input *in, const char *tmpl, const struct buf *out)
{
	for (size_t i = 0; i < in->nengagements; i++) {
		const char *t = in->engagements[i].text;
		int elsewhere;

		while (t != NULL && *t != '\0' && !isalnum((unsigned char)*t))
			t++;
		if (in->engagements[i].type != EVENT_MESSAGE || t == NULL || strlen(t) < 16)
			continue;
		for (size_t k = 0; k < 16; k++)
			if ((unsigned char)t[k] < 0x21 || (unsigned char)t[k] > 0x7e)
				goto next;
		if (!fuzz_note_has(out->data, t, 16))
			continue;
		elsewhere = fuzz_note_has(tmpl, t, 16) || fuzz_note_has(in->name, t, 16) ||
		            fuzz_note_has(in->segment, t, 16);
		for (size_t j = 0; j < in->nengagements && !elsewhere; j++) {
			const struct note_engagement *o = &in->engagements[j];
			if (o->type != EVENT_MESSAGE)
				elsewhere = fuzz_note_has(o->title, t, 16) || fuzz_note_has(o->text, t, 16);
		}
		if (!elsewhere)
			abort();
	next:;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct note_engagement e[FUZZ_NOTE_MAX_ENGAGEMENTS];
	struct note_template tmpl;
	struct note_params p;
	struct note_input in = { .now_ms = FUZZ_NOTE_NOW };
	struct buf out = { 0 }, err = { 0 };
	const char *alternatives[1];
	const char *tmpl_text, *pos, *end;
	char *copy;
	size_t n = 0, tlen;
	int valid, idx;
	uint32_t cut;

	if (size < 6)
		return 0;
	/* The strings must end in a NUL: the copy gets one past the end. */
	copy = malloc(size - 6 + 1);
	memcpy(copy, data + 6, size - 6);
	copy[size - 6] = '\0';
	pos = copy;
	end = copy + (size - 6);

	note_params_default(&p);
	p.limit = NOTE_LIMIT_MIN + data[0] * 2u;
	p.comment_max = NOTE_EXCERPT_MIN + data[1];
	tmpl_text = fuzz_note_next(&pos, end);
	in.name = fuzz_note_next(&pos, end);
	in.segment = fuzz_note_next(&pos, end);
	if (data[3] != 0)
		in.followed_ms = FUZZ_NOTE_NOW - (int64_t)data[3] * 86400000 + data[5];
	while (n < FUZZ_NOTE_MAX_ENGAGEMENTS && pos < end) {
		memset(&e[n], 0, sizeof(e[n]));
		e[n].type = (uint8_t)(EVENT_LIKE + (data[4] + n * 3) % 7);
		e[n].dir_out = (uint8_t)((data[2] >> (2 + n % 6)) & 1);
		e[n].ts_ms = FUZZ_NOTE_NOW - (int64_t)((data[5] * (n + 1)) % 97) * 3600000;
		e[n].title = fuzz_note_next(&pos, end);
		e[n].text = fuzz_note_next(&pos, end);
		e[n].post = fuzz_note_next(&pos, end);
		n++;
	}
	in.engagements = e;
	in.nengagements = n;

	if (tmpl_text != NULL && (data[2] & 1) && note_template_check(tmpl_text, &err) == 0) {
		alternatives[0] = tmpl_text;
		tmpl.segment = (data[2] & 2) ? in.segment : NULL;
		tmpl.alternatives = alternatives;
		tmpl.nalternatives = 1;
		p.templates = &tmpl;
		p.ntemplates = 1;
	}
	idx = note_build(&p, &in, &out);
	if (idx < -1 || idx >= (int)n || (idx >= 0 && e[idx].type == EVENT_MESSAGE))
		abort();
	fuzz_note_check(&out, p.limit);
	buf_cstr(&out);
	fuzz_note_check_private(&in, tmpl_text, &out);
	for (size_t i = 0; i < n; i++)
		if (e[i].text != NULL)
			(void)note_text_quality(e[i].text, strlen(e[i].text));

	if (tmpl_text != NULL) {
		tlen = utf8_valid_prefix(tmpl_text, strlen(tmpl_text), &valid);
		buf_reset(&out);
		cut = note_cut(tmpl_text, tlen, data[1], &out);
		if (cut > data[1] || cut != note_count(out.data, out.len))
			abort();
		fuzz_note_check(&out, data[1]);
	}
	buf_free(&out);
	buf_free(&err);
	free(copy);
	return 0;
}
