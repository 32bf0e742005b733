/*
 * note_templates.c - the built-in templates of the suggested invitation
 * note (note.h): one list per default segment of DOMAIN.md and one for
 * every other segment, and the sentence used when no template has what
 * it needs. Kept apart from note.c, which renders them: these are words,
 * read and changed as words.
 *
 * Pure: data only.
 */
#include <stddef.h>

#include "warmth/note.h"
#include "warmth/util.h"
#include "note_internal.h"

/*
 * DOMAIN.md's rules for a note: short, respectful, specific, a reason
 * first (what they wrote, their post), no pitch. Each segment's list goes
 * from the most specific frame to a plain sentence, so a segment's own
 * words are always used: their words on my post, their post that
 * mentioned me, their post I engaged with (DOMAIN.md's outbound example),
 * my post they answered without words worth quoting, then nothing
 * specific. Peers (and any segment of the user's own) hear of mutual
 * value; executives, of learning from their experience; influencers, of
 * following their work; clients, first of how the user can help.
 */
static const char *const note_any_templates[] = {
	"Hi {first_name}, thank you for your question on my post \"{post_title}\": \"{question}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, thank you for your question: \"{question}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, thank you for your thoughts on my post \"{post_title}\": \"{comment}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, thank you for your thoughts: \"{comment}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, thank you for mentioning me in your post \"{mention_title}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, thank you for mentioning me in your post: \"{mention_text}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, I really appreciated your post \"{their_post}\". "
	"I'd love to connect so we can learn from each other.",
	"Hi {first_name}, thank you for your thoughts on my post \"{post_title}\". "
	"I'd be glad to connect so we can learn from each other.",
	"Hi {first_name}, it has been good to cross paths here. "
	"I'd be glad to connect so we can learn from each other.",
};

static const char *const note_executive_templates[] = {
	"Hello {first_name}, thank you for your question on my post \"{post_title}\": \"{question}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, thank you for your question: \"{question}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, thank you for your perspective on my post \"{post_title}\": \"{comment}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, thank you for your perspective: \"{comment}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, thank you for mentioning me in your post \"{mention_title}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, I really appreciated your post \"{their_post}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, thank you for your perspective on my post \"{post_title}\". "
	"I would value connecting and learning from your experience.",
	"Hello {first_name}, I would value connecting and learning from your experience.",
};

static const char *const note_influencer_templates[] = {
	"Hi {first_name}, thank you for your question on my post \"{post_title}\": \"{question}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, thank you for your question: \"{question}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, thank you for your thoughts on my post \"{post_title}\": \"{comment}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, thank you for your thoughts: \"{comment}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, thank you for mentioning me in your post \"{mention_title}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, I really appreciated your post \"{their_post}\". "
	"I'd love to connect and follow your future insights.",
	"Hi {first_name}, thank you for your thoughts on my post \"{post_title}\". "
	"I'd be glad to connect and follow your work more closely.",
	"Hi {first_name}, I've been following your work with interest and would be glad to connect.",
};

/*
 * A client is offered help, but only help with something they asked:
 * "happy to help with what you raised" in answer to "I couldn't agree
 * more, this is exactly what we saw" offers help nobody asked for. Words
 * that ask nothing are thanked for, with the offer after them.
 */
static const char *const note_client_templates[] = {
	"Hi {first_name}, happy to help with your question on my post \"{post_title}\": \"{question}\". "
	"I'd be glad to connect and share what has worked for others.",
	"Hi {first_name}, happy to help with your question: \"{question}\". "
	"I'd be glad to connect and share what has worked for others.",
	"Hi {first_name}, thank you for your comment on my post \"{post_title}\": \"{comment}\". "
	"If I can help with what you are working on, I'd be glad to connect.",
	"Hi {first_name}, thank you for your comment: \"{comment}\". "
	"If I can help with what you are working on, I'd be glad to connect.",
	"Hi {first_name}, happy to help with the topic of your post \"{mention_title}\"; thank you for "
	"mentioning me. I'd be glad to connect.",
	"Hi {first_name}, happy to help with the topic of your post \"{their_post}\", which I really "
	"appreciated. I'd be glad to connect.",
	"Hi {first_name}, happy to help further with the topic of my post \"{post_title}\", and thank "
	"you for your thoughts on it. I'd be glad to connect.",
	"Hi {first_name}, if I can help with what you are working on, I'd be glad to. Happy to connect.",
};

static const struct note_template note_defaults[] = {
	{ "senior_executive", note_executive_templates, ARRAY_SIZE(note_executive_templates) },
	{ "influencer", note_influencer_templates, ARRAY_SIZE(note_influencer_templates) },
	{ "potential_client", note_client_templates, ARRAY_SIZE(note_client_templates) },
	{ NULL, note_any_templates, ARRAY_SIZE(note_any_templates) },
};

/* When no template has what it needs (no name): a sentence with no variables. */
const char note_fallback[] = "Hi, it has been good to cross paths here. I'd be glad to connect.";

const struct note_template *note_default_templates(size_t *count)
{
	*count = ARRAY_SIZE(note_defaults);
	return note_defaults;
}
