/*
 * view_note.c - the suggested invitation note and the evidence behind it,
 * seen from outside (view.h): the daemon's ready record and note, its
 * plan over the control socket and warmthctl --db's plan all come from
 * here, so a note never differs with the way it was asked for.
 *
 * Pure: no libuv, no SQLite.
 */
#include <stdlib.h>

#include "warmth/json.h"
#include "warmth/note.h"
#include "warmth/view.h"

/*
 * The evidence of a contact, each engagement once: the recent ones, newest
 * first, then the best of each kind (contact.h) that are not among them.
 * Written to j (the record's "evidence") or collected into en (the note's
 * input, *n entries, room for nrecent + CONTACT_BEST_COUNT).
 *
 * A private message stays evidence, with its type and time, but its text
 * never leaves the daemon in a record: the record goes to sinks that may
 * forward it (a webhook, a command), and the note never refers to it.
 */
void view_evidence(const struct contact *c, struct json *j, struct note_engagement *en, size_t *n)
{
	uint32_t total = c->nrecent + (c->best != NULL ? CONTACT_BEST_COUNT : 0);

	for (uint32_t i = 0; i < total; i++) {
		const struct contact_engagement *ce = i < c->nrecent ? &c->recent[i] : &c->best[i - c->nrecent];
		struct contact_engagement shown;

		if (i >= c->nrecent) {
			int seen = !contact_best_filled(ce);
			/* Already listed: a recent one, or an earlier slot (one engagement can be best twice). */
			for (uint32_t r = 0; r < i && !seen; r++)
				seen = contact_engagement_same(r < c->nrecent ? &c->recent[r] : &c->best[r - c->nrecent], ce);
			if (seen)
				continue;
		}
		if (j != NULL) {
			shown = *ce;
			if (ce->type == EVENT_MESSAGE)
				shown.text = NULL;
			contact_engagement_json(j, &shown);
		}
		if (en != NULL) {
			struct note_engagement *ne = &en[(*n)++];
			ne->ts_ms = ce->ts_ms;
			ne->type = ce->type;
			ne->dir_out = ce->dir_out;
			ne->post = ce->post;
			ne->title = ce->title;
			ne->text = ce->text;
		}
	}
}

void view_note(const struct view *v, const struct contact *c, const char *segment, struct buf *out)
{
	const struct conf *conf = v->conf;
	struct note_params p;
	struct note_input in = { 0 };
	struct note_engagement *en;
	size_t nen = 0;

	note_params_default(&p);
	p.deep_types = note_deep_types_from_score(conf->scoring.deep_mask);
	p.limit = view_note_limit(conf);
	p.comment_max = conf->note_comment_max;
	p.quote_min_words = conf->note_quote_min_words;
	p.quote_min_chars = conf->note_quote_min_chars;
	p.avoid_words = (const char *const *)conf->note_avoid_words;
	p.navoid_words = conf->nnote_avoid_words;
	p.avoid_set = conf->note_avoid_set;
	p.templates = conf->note_templates;
	p.ntemplates = conf->nnote_templates;
	en = xcalloc(c->nrecent + CONTACT_BEST_COUNT + 1, sizeof(*en));
	view_evidence(c, NULL, en, &nen);
	in.name = c->name;
	in.segment = segment;
	in.followed_ms = c->rel.followed_ms;
	in.now_ms = v->now_ms;
	in.engagements = en;
	in.nengagements = nen;
	note_build(&p, &in, out);
	free(en);
}

uint32_t view_note_limit(const struct conf *conf)
{
	return conf->note_free ? conf->note_free_limit : conf->note_limit;
}
