/*
 * contact.c - what warmthd knows about one person in one account's network
 * (see contact.h): folding events into it. Pure: no libuv, no
 * SQLite, no I/O.
 *
 * The design goal is that a contact depends on the *set* of events applied,
 * never on their order, because logs arrive late, out of order and replayed:
 * - counts are sums, first/last seen are min/max of event time;
 * - each relationship fact is a last-writer-wins register keyed by event
 *   time, and a tie at the same millisecond resolves to "off" (so the merge
 *   is commutative: the result is the AND of every value written at the
 *   newest time);
 * - the recent engagements are the top max_recent of all engagements under
 *   one total order (newest first, then by content), so inserting in any
 *   order keeps the same entries;
 * - each best slot keeps the maximum of its kind's engagements under a
 *   total order too (its kind's keys, then the recent list's order), so
 *   the good comment of three weeks ago outlives any number of later
 *   likes, whatever the order;
 * - profile hints take the value of the newest event that carries them, with
 *   ties broken by comparing values. There is one hints_ms for all fields
 *   (that is what the database stores), so a field that only older events
 *   carry fills a gap but can depend on order; collectors that send a full
 *   profile each time see no difference. Tags are the exception: they have
 *   their own time (tags_ms, kept in the tags blob), since a CRM list sets
 *   them alone and must win or lose only against other events that carry
 *   tags, and an emptied list must stay a value.
 *
 * The contact owns all its strings; event strings are copied, cut to the
 * CONTACT_*_MAX limits on a UTF-8 boundary and at any embedded NUL, so a
 * kept string is always a valid NUL-terminated C string. The blob formats
 * a contact is stored in are in contact_blob.c.
 */
#include <stdlib.h>
#include <string.h>

#include "warmth/contact.h"
#include "warmth/note.h"
#include "contact_internal.h"

const char *relationship_name(enum relationship rel)
{
	switch (rel) {
	case REL_NONE:
		return "none";
	case REL_FOLLOWER:
		return "follower";
	case REL_TARGET:
		return "target";
	case REL_MUTUAL:
		return "mutual";
	case REL_PENDING:
		return "pending";
	case REL_CONNECTED:
		return "connected";
	case REL_INVITED_ME:
		return "invited_me";
	}
	return NULL;
}

void contact_init(struct contact *c, uint32_t account, const char *actor, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->account = account;
	c->actor = xstrndup(actor, len);
	c->actor_len = len;
	c->actor_connections = -1;
	c->actor_followers = -1;
	c->creator = -1;
	c->tags_ms = -1;
}

static void contact_engagement_free(struct contact_engagement *e)
{
	free(e->strings);
	e->strings = e->post = e->title = e->text = NULL;
	e->post_len = e->title_len = e->text_len = e->strings_cap = 0;
}

/* Copies one string into the engagement's block at *at; NULL stays NULL. */
static char *contact_engagement_put(char *block, size_t *at, struct event_str s, uint16_t *len)
{
	char *dst;

	*len = 0;
	if (s.ptr == NULL)
		return NULL;
	dst = block + *at;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	*at += s.len + 1;
	*len = (uint16_t)s.len;
	return dst;
}

/*
 * Sets e's strings to copies of post, title and text (each already cut to
 * its limit, so the lengths fit in 16 bits) in one allocation. old (of
 * old_cap bytes) is a block to reuse (an evicted entry's), or NULL: when
 * it is big enough it is kept, so a full list usually costs no malloc per
 * engagement. Blocks are sized in steps of 64 bytes so that one usually
 * fits the next engagement's strings; the size is kept in the entry,
 * since asking malloc for it (malloc_usable_size) reads the block's
 * header, a cache miss on every engagement.
 */
void contact_engagement_set_strings(struct contact_engagement *e, char *old,
                                           uint16_t old_cap, struct event_str post,
                                           struct event_str title, struct event_str text)
{
	size_t size = 0, at = 0;

	if (post.ptr != NULL)
		size += post.len + 1;
	if (title.ptr != NULL)
		size += title.len + 1;
	if (text.ptr != NULL)
		size += text.len + 1;
	if (size == 0) {
		free(old);
		e->strings = NULL;
		e->strings_cap = 0;
	} else if (old != NULL && old_cap >= size) {
		e->strings = old; /* the usual case: evidence strings are about the same size */
		e->strings_cap = old_cap;
	} else {
		free(old);
		e->strings_cap = (uint16_t)((size + 63) & ~(size_t)63);
		e->strings = xmalloc(e->strings_cap);
	}
	e->post = contact_engagement_put(e->strings, &at, post, &e->post_len);
	e->title = contact_engagement_put(e->strings, &at, title, &e->title_len);
	e->text = contact_engagement_put(e->strings, &at, text, &e->text_len);
}

void contact_recent_clear(struct contact *c)
{
	for (uint32_t i = 0; i < c->nrecent; i++)
		contact_engagement_free(&c->recent[i]);
	free(c->recent);
	c->recent = NULL;
	c->nrecent = c->recent_cap = 0;
	if (c->best != NULL) {
		for (int k = 0; k < CONTACT_BEST_COUNT; k++)
			contact_engagement_free(&c->best[k]);
		free(c->best);
		c->best = NULL;
	}
}

void contact_tags_clear(struct contact *c)
{
	for (uint32_t i = 0; i < c->ntags; i++)
		free(c->tags[i]);
	free(c->tags);
	c->tags = NULL;
	c->ntags = 0;
}

void contact_free(struct contact *c)
{
	free(c->actor);
	free(c->name);
	free(c->headline);
	contact_tags_clear(c);
	contact_recent_clear(c);
	score_free(c->score);
	memset(c, 0, sizeof(*c));
	c->actor_connections = -1;
	c->actor_followers = -1;
	c->creator = -1;
	c->tags_ms = -1;
}

/*
 * Returns s cut to at most max bytes, at its first NUL and on a UTF-8
 * boundary. An absent string stays absent (ptr NULL).
 */
static struct event_str contact_cut(struct event_str s, size_t max)
{
	const char *nul;

	if (s.ptr == NULL) {
		s.len = 0;
		return s;
	}
	if (s.len > max)
		s.len = max;
	nul = memchr(s.ptr, '\0', s.len);
	if (nul != NULL)
		s.len = (size_t)(nul - s.ptr);
	s.len = utf8_valid_prefix(s.ptr, s.len, NULL);
	return s;
}

/*
 * contact_cut() for a string of an event, which event_parse() guarantees
 * to be valid UTF-8: only a cut needs looking at, and then only to back
 * off to the start of the sequence it split. Validating every string
 * again was a tenth of applying an engagement.
 */
static struct event_str contact_cut_event(struct event_str s, size_t max)
{
	const char *nul;

	if (s.ptr == NULL) {
		s.len = 0;
		return s;
	}
	if (s.len > max) {
		s.len = max;
		while (s.len > 0 && ((unsigned char)s.ptr[s.len] & 0xC0) == 0x80)
			s.len--;
	}
	nul = memchr(s.ptr, '\0', s.len);
	if (nul != NULL)
		s.len = (size_t)(nul - s.ptr);
	return s;
}

static struct event_str contact_str_view(const char *s)
{
	struct event_str v = { s, s ? strlen(s) : 0 };
	return v;
}

/* Orders absent before present, then bytewise, then shorter first. */
static int contact_str_compare(struct event_str a, struct event_str b)
{
	int r;

	if (a.ptr == NULL || b.ptr == NULL)
		return (a.ptr != NULL) - (b.ptr != NULL);
	r = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);
	if (r != 0)
		return r;
	return (a.len > b.len) - (a.len < b.len);
}

void contact_engagement_set(struct contact_engagement *e, const char *post, const char *title,
                            const char *text)
{
	char *old = e->strings;

	contact_engagement_set_strings(e, NULL, 0, contact_cut(contact_str_view(post), CONTACT_POST_MAX),
	                               contact_cut(contact_str_view(title), CONTACT_TITLE_MAX),
	                               contact_cut(contact_str_view(text), CONTACT_TEXT_MAX));
	free(old);
}

/* --- Relationship registers. --- */

/*
 * Last writer wins by event time; at a tie "off" wins, which makes the
 * register the AND of all values written at its newest time, whatever the
 * order they came in. An event at or before the epoch (ts <= 0) never wins
 * over the initial "never set" state (ts 0, off).
 */
static void contact_flag_write(struct lww_flag *f, int64_t ts_ms, int on)
{
	if (ts_ms > f->ts_ms) {
		f->ts_ms = ts_ms;
		f->on = on ? 1 : 0;
	} else if (ts_ms == f->ts_ms && !on) {
		f->on = 0;
	}
}

static void contact_apply_relationship(struct contact_relationship *rel, const struct event *ev)
{
	int64_t ts = ev->ts_ms;

	switch (ev->type) {
	case EVENT_FOLLOW:
		contact_flag_write(ev->dir_out ? &rel->target : &rel->follower, ts, 1);
		break;
	case EVENT_UNFOLLOW:
		contact_flag_write(ev->dir_out ? &rel->target : &rel->follower, ts, 0);
		break;
	case EVENT_CONNECT:
	case EVENT_INVITE_ACCEPTED:
		contact_flag_write(&rel->connected, ts, 1);
		contact_flag_write(&rel->pending, ts, 0);
		break;
	case EVENT_DISCONNECT:
		contact_flag_write(&rel->connected, ts, 0);
		break;
	case EVENT_INVITE_SENT:
		/* dir: in is an invitation they sent me: mine stays as it was. */
		if (ev->dir_out)
			contact_flag_write(&rel->pending, ts, 1);
		break;
	case EVENT_INVITE_DECLINED:
		/* With dir: out it may be my declining theirs (contact_apply_incoming
		   clears that); older collectors write it either way for mine. */
		contact_flag_write(&rel->pending, ts, 0);
		if (ts > rel->declined_ms)
			rel->declined_ms = ts;
		break;
	case EVENT_INVITE_WITHDRAWN:
		contact_flag_write(&rel->pending, ts, 0);
		if (ts > rel->withdrawn_ms)
			rel->withdrawn_ms = ts;
		break;
	default:
		return;
	}
	/*
	 * An "on" register's time is the time of the follow that turned it on
	 * (an unfollow at the same time would have turned it off). When both
	 * directions are on, the earlier one is when the follow relationship
	 * began, which is what waiting periods are measured from.
	 */
	rel->followed_ms = 0;
	if (rel->follower.on)
		rel->followed_ms = rel->follower.ts_ms;
	if (rel->target.on && (rel->followed_ms == 0 || rel->target.ts_ms < rel->followed_ms))
		rel->followed_ms = rel->target.ts_ms;
}

/*
 * An invitation they sent me, a register kept in the rules state: set by
 * invite_sent with dir: in; answered by a connection (connect, accepted),
 * my declining it (invite_declined, dir: out) or their withdrawing it
 * (invite_withdrawn, dir: in). Last writer wins by event time, "off" on a
 * tie, as contact_flag_write.
 */
static void contact_apply_incoming(struct rules_state *st, const struct event *ev)
{
	int on;

	switch (ev->type) {
	case EVENT_INVITE_SENT:
		if (ev->dir_out)
			return;
		on = 1;
		break;
	case EVENT_CONNECT:
	case EVENT_INVITE_ACCEPTED:
		on = 0;
		break;
	case EVENT_INVITE_DECLINED:
		if (!ev->dir_out)
			return;
		on = 0;
		break;
	case EVENT_INVITE_WITHDRAWN:
		if (ev->dir_out)
			return;
		on = 0;
		break;
	default:
		return;
	}
	if (ev->ts_ms > st->incoming_ms) {
		st->incoming_ms = ev->ts_ms;
		st->incoming = (uint8_t)on;
	} else if (ev->ts_ms == st->incoming_ms && !on) {
		st->incoming = 0;
	}
}

enum relationship contact_relationship(const struct contact *c)
{
	const struct contact_relationship *rel = &c->rel;

	if (rel->connected.on)
		return REL_CONNECTED;
	/*
	 * Their unanswered invitation says more than mine or a follow: the
	 * advice for it is to accept (rules.c), whatever else is on.
	 */
	if (c->rules.incoming)
		return REL_INVITED_ME;
	if (rel->pending.on)
		return REL_PENDING;
	if (rel->follower.on && rel->target.on)
		return REL_MUTUAL;
	if (rel->follower.on)
		return REL_FOLLOWER;
	if (rel->target.on)
		return REL_TARGET;
	return REL_NONE;
}

/* --- Profile hints. --- */

/*
 * Whether a hint value carried by an event at ts replaces the current one:
 * when there is none yet, when the event is newer than every hint applied,
 * or, at the same time, when the new value compares greater (cmp > 0), so
 * that two events of one millisecond agree whatever their order.
 */
static int contact_hint_wins(const struct contact *c, int64_t ts_ms, int have_value, int cmp)
{
	if (!have_value || ts_ms > c->hints_ms)
		return 1;
	return ts_ms == c->hints_ms && cmp > 0;
}

static void contact_hint_str(const struct contact *c, char **slot, struct event_str s, size_t max,
                             int64_t ts_ms)
{
	if (s.ptr == NULL)
		return;
	s = contact_cut_event(s, max);
	if (!contact_hint_wins(c, ts_ms, *slot != NULL, contact_str_compare(s, contact_str_view(*slot))))
		return;
	free(*slot);
	*slot = xstrndup(s.ptr, s.len);
}

static void contact_hint_int(const struct contact *c, int64_t *slot, int64_t v, int64_t ts_ms)
{
	if (v < 0)
		return;
	if (contact_hint_wins(c, ts_ms, *slot >= 0, (v > *slot) - (v < *slot)))
		*slot = v;
}

static int contact_tags_compare(const struct contact *c, const struct event *ev)
{
	size_t n = ev->ntags < EVENT_MAX_TAGS ? ev->ntags : EVENT_MAX_TAGS;

	for (size_t i = 0; i < n && i < c->ntags; i++) {
		int r = contact_str_compare(contact_cut_event(ev->tags[i], CONTACT_TAG_MAX),
		                            contact_str_view(c->tags[i]));
		if (r != 0)
			return r;
	}
	return (n > c->ntags) - (n < c->ntags);
}

static void contact_hint_tags(struct contact *c, const struct event *ev)
{
	size_t n = ev->ntags < EVENT_MAX_TAGS ? ev->ntags : EVENT_MAX_TAGS;

	if (!ev->has_tags)
		return;
	if (c->tags_ms >= 0 && (ev->ts_ms < c->tags_ms ||
	                        (ev->ts_ms == c->tags_ms && contact_tags_compare(c, ev) <= 0)))
		return;
	c->tags_ms = ev->ts_ms;
	contact_tags_clear(c);
	if (n == 0)
		return;
	c->tags = xcalloc(n, sizeof(*c->tags));
	for (size_t i = 0; i < n; i++) {
		struct event_str t = contact_cut_event(ev->tags[i], CONTACT_TAG_MAX);
		c->tags[i] = xstrndup(t.ptr ? t.ptr : "", t.len);
	}
	c->ntags = (uint32_t)n;
}

static void contact_apply_hints(struct contact *c, const struct event *ev)
{
	int64_t ts = ev->ts_ms;
	int carried = ev->name.ptr != NULL || ev->headline.ptr != NULL || ev->actor_connections >= 0 ||
	              ev->actor_followers >= 0 || ev->creator >= 0 || ev->has_tags;
	int64_t creator = c->creator;

	if (!carried)
		return;
	/* Every field is judged against hints_ms as it was before this event. */
	contact_hint_str(c, &c->name, ev->name, CONTACT_NAME_MAX, ts);
	contact_hint_str(c, &c->headline, ev->headline, CONTACT_HEADLINE_MAX, ts);
	contact_hint_int(c, &c->actor_connections, ev->actor_connections, ts);
	contact_hint_int(c, &c->actor_followers, ev->actor_followers, ts);
	contact_hint_int(c, &creator, ev->creator >= 0 ? (ev->creator != 0) : -1, ts);
	c->creator = (int8_t)creator;
	contact_hint_tags(c, ev);
	if (ts > c->hints_ms)
		c->hints_ms = ts;
}

/* --- Recent engagements. --- */

struct contact_engagement_key contact_engagement_key_of(const struct contact_engagement *e)
{
	struct contact_engagement_key k;

	k.ts_ms = e->ts_ms;
	k.type = e->type;
	k.dir_out = e->dir_out;
	k.post.ptr = e->post;
	k.post.len = e->post_len;
	k.title.ptr = e->title;
	k.title.len = e->title_len;
	k.text.ptr = e->text;
	k.text.len = e->text_len;
	return k;
}

/*
 * The total order of the recent list: newest first, then by type,
 * direction and content, so that which entries survive a cut never depends
 * on the order they were inserted in. Negative when a comes first.
 */
static int contact_engagement_compare(const struct contact_engagement_key *a,
                                      const struct contact_engagement_key *b)
{
	int r;

	if (a->ts_ms != b->ts_ms)
		return a->ts_ms > b->ts_ms ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->dir_out != b->dir_out)
		return a->dir_out < b->dir_out ? -1 : 1;
	if ((r = contact_str_compare(a->post, b->post)) != 0)
		return r;
	if ((r = contact_str_compare(a->title, b->title)) != 0)
		return r;
	return contact_str_compare(a->text, b->text);
}

int contact_engagement_qsort_compare(const void *a, const void *b)
{
	struct contact_engagement_key ka = contact_engagement_key_of(a);
	struct contact_engagement_key kb = contact_engagement_key_of(b);
	return contact_engagement_compare(&ka, &kb);
}

static void contact_recent_trim(struct contact *c, uint32_t max_recent)
{
	while (c->nrecent > max_recent)
		contact_engagement_free(&c->recent[--c->nrecent]);
	if (c->nrecent == 0) {
		free(c->recent);
		c->recent = NULL;
		c->recent_cap = 0;
	}
}

static void contact_apply_recent(struct contact *c, const struct contact_engagement_key *k,
                                 uint32_t max_recent)
{
	struct contact_engagement_key key = *k;
	struct contact_engagement *e;
	char *reuse = NULL;
	uint16_t reuse_cap = 0;
	uint32_t pos;

	contact_recent_trim(c, max_recent);

	/* The list is short and new events are usually the newest: scan from the front. */
	for (pos = 0; pos < c->nrecent; pos++) {
		/* Times differ almost always: decide on them before measuring strings. */
		if (key.ts_ms != c->recent[pos].ts_ms) {
			if (key.ts_ms > c->recent[pos].ts_ms)
				break;
			continue;
		}
		struct contact_engagement_key kept = contact_engagement_key_of(&c->recent[pos]);
		if (contact_engagement_compare(&key, &kept) < 0)
			break;
	}
	if (pos >= max_recent)
		return;
	if (c->nrecent == max_recent) {
		/* The evicted entry's block. */
		reuse = c->recent[--c->nrecent].strings;
		reuse_cap = c->recent[c->nrecent].strings_cap;
	} else if (c->nrecent >= c->recent_cap) {
		/* Room for the whole list at once: it fills up in a contact's first
		   engagements, and growing it one entry at a time was a realloc each. */
		c->recent_cap = max_recent;
		c->recent = xrealloc(c->recent, c->recent_cap * sizeof(*c->recent));
	}
	memmove(&c->recent[pos + 1], &c->recent[pos], (c->nrecent - pos) * sizeof(*c->recent));
	c->nrecent++;
	e = &c->recent[pos];
	e->ts_ms = key.ts_ms;
	e->type = key.type;
	e->dir_out = key.dir_out;
	e->quality = 0;
	contact_engagement_set_strings(e, reuse, reuse_cap, key.post, key.title, key.text);
}

/* --- The best engagement of each kind. --- */

int contact_engagement_same(const struct contact_engagement *a, const struct contact_engagement *b)
{
	return contact_engagement_qsort_compare(a, b) == 0;
}

int contact_best_filled(const struct contact_engagement *e)
{
	return e->type < EVENT_TYPE_COUNT && event_type_is_engagement((enum event_type)e->type);
}

int contact_best_qualifies(int slot, const struct contact_engagement_key *k)
{
	int words = k->type == EVENT_COMMENT || k->type == EVENT_REPLY || k->type == EVENT_SHARE;

	switch (slot) {
	case CONTACT_BEST_ON_MINE:
		return words && !k->dir_out && (k->title.len > 0 || k->text.len > 0);
	case CONTACT_BEST_ON_MINE_TITLED:
		return words && !k->dir_out && k->title.len > 0;
	case CONTACT_BEST_ON_THEIRS:
		return (words || k->type == EVENT_LIKE) && k->dir_out && k->title.len > 0;
	case CONTACT_BEST_MENTION:
		return k->type == EVENT_MENTION && !k->dir_out && (k->title.len > 0 || k->text.len > 0);
	default:
		return 0;
	}
}

/* How much a kind of engagement says about the post it is on: words before a share before a like. */
static int contact_best_type_rank(uint8_t type)
{
	return type == EVENT_COMMENT || type == EVENT_REPLY ? 2 : type == EVENT_SHARE ? 1 : 0;
}

/*
 * The order of a slot (note.h's choice in each frame): negative when a
 * (of quality qa) is better than b. The kind's own keys first, then the
 * recent list's total order (newest first, then by content).
 */
static int contact_best_compare(int slot, const struct contact_engagement_key *a, uint16_t qa,
                                const struct contact_engagement_key *b, uint16_t qb)
{
	int64_t ka[2] = { 0, 0 }, kb[2] = { 0, 0 };

	if (slot == CONTACT_BEST_ON_MINE || slot == CONTACT_BEST_ON_MINE_TITLED) {
		ka[0] = qa, ka[1] = a->title.len > 0;
		kb[0] = qb, kb[1] = b->title.len > 0;
	} else if (slot == CONTACT_BEST_MENTION) {
		ka[0] = a->title.len > 0;
		kb[0] = b->title.len > 0;
	} else if (slot == CONTACT_BEST_ON_THEIRS) {
		ka[0] = contact_best_type_rank(a->type), ka[1] = qa;
		kb[0] = contact_best_type_rank(b->type), kb[1] = qb;
	}
	for (int i = 0; i < 2; i++)
		if (ka[i] != kb[i])
			return ka[i] > kb[i] ? -1 : 1;
	return contact_engagement_compare(a, b);
}

void contact_best_offer(struct contact *c, const struct contact_engagement_key *key)
{
	uint32_t quality = 0;
	/*
	 * The most a text of this length can score (note_text_quality: at
	 * most a letter per byte and a word per two bytes, plus one). Most
	 * comments are shorter than the one a slot holds, and lose to it
	 * without being measured: this runs for every comment ingested.
	 */
	uint64_t bound = 3 * (uint64_t)key->text.len + 4;
	int measured = 0;

	for (int slot = 0; slot < CONTACT_BEST_COUNT; slot++) {
		struct contact_engagement *e;

		if (!contact_best_qualifies(slot, key))
			continue;
		if (c->best != NULL && contact_best_filled(&c->best[slot])) {
			const struct contact_engagement *kept = &c->best[slot];
			if ((slot == CONTACT_BEST_ON_MINE || slot == CONTACT_BEST_ON_MINE_TITLED) && bound < kept->quality)
				continue;
			if (slot == CONTACT_BEST_ON_THEIRS) {
				int rank = contact_best_type_rank(key->type), kept_rank = contact_best_type_rank(kept->type);
				if (rank < kept_rank || (rank == kept_rank && bound < kept->quality))
					continue;
			}
		}
		/* Measured once, and only where words rank: a mention is kept for its title and its age. */
		if (!measured && slot != CONTACT_BEST_MENTION && key->text.len > 0) {
			quality = note_text_quality(key->text.ptr, key->text.len);
			if (quality > UINT16_MAX)
				quality = UINT16_MAX;
			measured = 1;
		}
		if (c->best == NULL)
			c->best = xcalloc(CONTACT_BEST_COUNT, sizeof(*c->best));
		e = &c->best[slot];
		if (contact_best_filled(e)) {
			struct contact_engagement_key kept = contact_engagement_key_of(e);
			if (contact_best_compare(slot, key, (uint16_t)quality, &kept, e->quality) >= 0)
				continue;
		}
		e->ts_ms = key->ts_ms;
		e->type = key->type;
		e->dir_out = key->dir_out;
		e->quality = slot != CONTACT_BEST_MENTION ? (uint16_t)quality : 0;
		/* The slot's own block is reused: the key's strings point into the event, never into it. */
		contact_engagement_set_strings(e, e->strings, e->strings_cap, key->post, key->title, key->text);
	}
}

void contact_best_seed(struct contact *c)
{
	for (uint32_t i = 0; i < c->nrecent; i++) {
		struct contact_engagement_key k = contact_engagement_key_of(&c->recent[i]);
		contact_best_offer(c, &k);
	}
}

void contact_apply(struct contact *c, const struct event *ev, uint32_t max_recent)
{
	uint64_t total = 0;

	if ((unsigned)ev->type >= EVENT_TYPE_COUNT || ev->type == EVENT_SNAPSHOT)
		return;
	/* The counts say whether anything was seen: a time of 0 is a valid (if odd) time. */
	for (size_t i = 0; i < EVENT_TYPE_COUNT; i++)
		total += c->counts[i];
	if (total == 0 || ev->ts_ms < c->first_seen_ms)
		c->first_seen_ms = ev->ts_ms;
	if (total == 0 || ev->ts_ms > c->last_seen_ms)
		c->last_seen_ms = ev->ts_ms;
	if (c->counts[ev->type] < UINT32_MAX)
		c->counts[ev->type]++;

	contact_apply_relationship(&c->rel, ev);
	contact_apply_incoming(&c->rules, ev);
	contact_apply_hints(c, ev);
	if (event_type_is_engagement(ev->type) && max_recent > 0) {
		struct contact_engagement_key key;
		key.ts_ms = ev->ts_ms;
		key.type = (uint8_t)ev->type;
		key.dir_out = ev->dir_out ? 1 : 0;
		key.post = contact_cut_event(ev->post, CONTACT_POST_MAX);
		key.title = contact_cut_event(ev->title, CONTACT_TITLE_MAX);
		key.text = contact_cut_event(ev->text, CONTACT_TEXT_MAX);
		contact_apply_recent(c, &key, max_recent);
		contact_best_offer(c, &key);
	} else if (event_type_is_engagement(ev->type)) {
		contact_recent_clear(c);
	}
}
