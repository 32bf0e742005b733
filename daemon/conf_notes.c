/*
 * conf_notes.c - the notes: section, the suggested invitation note of
 * "ready" notifications (note.h): its length limit per plan and the
 * templates per segment, and how substantive words must be to be quoted.
 * The limits are DOMAIN.md's (300 characters on an invitation, 200 on
 * free accounts); the templates, when given, replace the built-in ones
 * whole, so what a user writes is exactly what is used.
 *
 * No libuv, no SQLite: like the rest of the config, pure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/conf.h"
#include "warmth/note.h"
#include "warmth/util.h"

#include "conf_internal.h"

static conf_parse_fn conf_notes_templates;
static conf_release_fn conf_notes_templates_release;
static conf_parse_fn conf_notes_avoid;
static conf_release_fn conf_notes_avoid_release;

static const struct conf_enum conf_notes_plans[] = {
	{ "premium", 0, NULL }, { "free", 1, NULL }, { NULL, 0, NULL },
};

/* note.h's figures are the defaults: one place says what they are. */
#define CONF_NOTES_STR(x) #x
#define CONF_NOTES_FIGURE(x) CONF_NOTES_STR(x)

const struct conf_key conf_notes_keys[] = {
	{ .name = "limit", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, note_limit),
	  .def = CONF_NOTES_FIGURE(NOTE_LIMIT_DEFAULT), .min = CONF_NOTES_FIGURE(NOTE_LIMIT_MIN),
	  .max = "10000" },
	{ .name = "free_limit", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, note_free_limit),
	  .def = CONF_NOTES_FIGURE(NOTE_LIMIT_FREE), .min = CONF_NOTES_FIGURE(NOTE_LIMIT_MIN),
	  .max = "10000" },
	{ .name = "plan", .kind = CONF_KIND_ENUM, CONF_FIELD(struct conf, note_free), .def = "premium",
	  .values = conf_notes_plans },
	{ .name = "comment_max", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, note_comment_max),
	  .def = CONF_NOTES_FIGURE(NOTE_COMMENT_MAX), .min = CONF_NOTES_FIGURE(NOTE_EXCERPT_MIN),
	  .max = "10000" },
	{ .name = "quote_min_words", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, note_quote_min_words),
	  .def = CONF_NOTES_FIGURE(NOTE_QUOTE_MIN_WORDS), .min = "1", .max = "100" },
	{ .name = "quote_min_chars", .kind = CONF_KIND_INTEGER, CONF_FIELD(struct conf, note_quote_min_chars),
	  .def = CONF_NOTES_FIGURE(NOTE_QUOTE_MIN_CHARS), .min = "1", .max = "1000" },
	{ .name = "templates", .kind = CONF_KIND_CUSTOM, .parse = conf_notes_templates,
	  .release = conf_notes_templates_release },
	{ .name = "avoid_words", .kind = CONF_KIND_CUSTOM, .parse = conf_notes_avoid,
	  .release = conf_notes_avoid_release },
	{ .name = NULL },
};

/* One template: a non-empty string that note_template_check accepts. */
static int conf_notes_template_ok(struct conf_loader *ld, const struct conf_node *node,
                                  const char *name)
{
	struct buf err = { 0 };

	if (node->refused)
		return 0;
	if (node->kind != CONF_NODE_SCALAR || node->is_null || node->text[0] == '\0') {
		conf_report_expected(ld, node, name, "a template (a string)");
		return 0;
	}
	if (note_template_check(node->text, &err) < 0) {
		conf_report(ld, node, "%s: %s", name, buf_cstr(&err));
		buf_free(&err);
		return 0;
	}
	return 1;
}

/*
 * notes.templates: a mapping of segment name ("*": every segment, tried
 * after the segment's own) to a template or a list of alternatives.
 */
static void conf_notes_templates(struct conf_loader *ld, const struct conf_key *key,
                                 const struct conf_node *node, void *base, const char *name)
{
	struct conf *conf = base;
	int ok = 1;

	if (node->kind == CONF_NODE_SCALAR && node->is_null)
		return;
	if (node->kind != CONF_NODE_MAPPING) {
		conf_report_expected(ld, node, name, "a mapping of segment names (or \"*\") to templates");
		return;
	}
	for (size_t i = 0; i < node->npairs; i++) {
		const struct conf_node *v = node->pairs[i].value;
		struct buf item = { 0 };

		buf_printf(&item, "%s.%s", name, node->pairs[i].key->text);
		if (v->kind == CONF_NODE_SEQUENCE) {
			if (v->nitems == 0) {
				conf_report(ld, v, "%s: expected at least one template", buf_cstr(&item));
				ok = 0;
			}
			for (size_t a = 0; a < v->nitems; a++) {
				struct buf at = { 0 };
				buf_printf(&at, "%s[%zu]", buf_cstr(&item), a);
				ok &= conf_notes_template_ok(ld, v->items[a], buf_cstr(&at));
				buf_free(&at);
			}
		} else {
			ok &= conf_notes_template_ok(ld, v, buf_cstr(&item));
		}
		buf_free(&item);
	}
	if (!ok || conf == NULL || node->npairs == 0)
		return;
	conf_notes_templates_release(key, conf);
	conf->note_templates = xcalloc(node->npairs, sizeof(*conf->note_templates));
	for (size_t i = 0; i < node->npairs; i++) {
		const struct conf_node *k = node->pairs[i].key, *v = node->pairs[i].value;
		struct note_template *t = &conf->note_templates[i];
		size_t n = v->kind == CONF_NODE_SEQUENCE ? v->nitems : 1;
		char **alts = xcalloc(n, sizeof(*alts));

		t->segment = strcmp(k->text, "*") == 0 ? NULL : xstrdup(k->text);
		for (size_t a = 0; a < n; a++)
			alts[a] = xstrdup(v->kind == CONF_NODE_SEQUENCE ? v->items[a]->text : v->text);
		t->alternatives = (const char *const *)alts;
		t->nalternatives = n;
	}
	conf->nnote_templates = node->npairs;
}

static void conf_notes_templates_release(const struct conf_key *key, void *base)
{
	struct conf *conf = base;

	(void)key;
	for (size_t i = 0; i < conf->nnote_templates; i++) {
		struct note_template *t = &conf->note_templates[i];
		for (size_t a = 0; a < t->nalternatives; a++)
			free((void *)(uintptr_t)t->alternatives[a]);
		free((void *)(uintptr_t)t->alternatives);
		free((void *)(uintptr_t)t->segment);
	}
	free(conf->note_templates);
	conf->note_templates = NULL;
	conf->nnote_templates = 0;
}

/*
 * notes.avoid_words: a list of words (lower case; "x*" a prefix) that keep
 * a comment or mention from being referred to in a note; [] for none.
 * Left out, the built-in list (note_default_avoid_words) applies.
 */
static void conf_notes_avoid(struct conf_loader *ld, const struct conf_key *key, const struct conf_node *node,
                             void *base, const char *name)
{
	struct conf *conf = base;
	int ok = 1;

	if (node->kind == CONF_NODE_SCALAR && node->is_null)
		return;
	if (node->kind != CONF_NODE_SEQUENCE) {
		conf_report_expected(ld, node, name, "a list of words");
		return;
	}
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *w = node->items[i];
		struct buf err = { 0 };

		if (w->refused)
			continue;
		if (w->kind != CONF_NODE_SCALAR || w->is_null) {
			struct buf item = { 0 };
			buf_printf(&item, "%s[%zu]", name, i);
			conf_report_expected(ld, w, buf_cstr(&item), "a word");
			buf_free(&item);
			ok = 0;
		} else if (note_avoid_word_check(w->text, &err) < 0) {
			conf_report(ld, w, "%s[%zu]: \"%s\": %s", name, i, w->text, buf_cstr(&err));
			ok = 0;
		}
		buf_free(&err);
	}
	if (!ok || conf == NULL)
		return;
	conf_notes_avoid_release(key, conf);
	conf->note_avoid_words = xcalloc(node->nitems + 1, sizeof(*conf->note_avoid_words));
	for (size_t i = 0; i < node->nitems; i++)
		conf->note_avoid_words[i] = xstrdup(node->items[i]->text);
	conf->nnote_avoid_words = node->nitems;
	conf->note_avoid_set = 1;
}

static void conf_notes_avoid_release(const struct conf_key *key, void *base)
{
	struct conf *conf = base;

	(void)key;
	for (size_t i = 0; i < conf->nnote_avoid_words; i++)
		free(conf->note_avoid_words[i]);
	free(conf->note_avoid_words);
	conf->note_avoid_words = NULL;
	conf->nnote_avoid_words = 0;
	conf->note_avoid_set = 0;
}
