/*
 * contact.h - what warmthd knows about one person in one account's network:
 * relationship, counts by event type, first/last seen, profile hints, the
 * few most recent engagements and the best engagement of each kind (the
 * evidence for a later invitation note).
 *
 * contact_apply() folds one accepted event into a contact. It is pure and,
 * as far as the data allows, commutative: every piece of state that depends
 * on order is a last-writer-wins register keyed by *event* time, so late or
 * shuffled events give the same contact as in-order ones.
 *
 * The database stores counts and recent engagements as blobs made by the
 * encode/decode functions below; their formats are versioned there.
 */
#ifndef WARMTH_CONTACT_H
#define WARMTH_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/event.h"
#include "warmth/rules.h"
#include "warmth/score.h"
#include "warmth/util.h"

/* The relationship as INTERFACE.md names it. */
enum relationship {
	REL_NONE,
	REL_FOLLOWER,   /* they follow me */
	REL_TARGET,     /* I follow them (dir: out) */
	REL_MUTUAL,     /* both follow, not connected */
	REL_PENDING,    /* my invitation is pending */
	REL_CONNECTED,
	REL_INVITED_ME  /* their invitation to me is unanswered (the advice: accept) */
};
const char *relationship_name(enum relationship rel);

/*
 * A boolean fact with the event time that last set it. Ties at the same
 * millisecond resolve to "off" so that the result never depends on order.
 */
struct lww_flag {
	int64_t ts_ms; /* 0: never set */
	uint8_t on;
};

struct contact_relationship {
	struct lww_flag follower;  /* follow / unfollow (dir in) */
	struct lww_flag target;    /* follow / unfollow (dir out) */
	struct lww_flag connected; /* connect, invite_accepted / disconnect */
	struct lww_flag pending;   /* invite_sent / invite_accepted, _declined, _withdrawn */
	int64_t withdrawn_ms;      /* newest invite_withdrawn (re-invite block), 0 if none */
	int64_t declined_ms;       /* newest invite_declined, 0 if none */
	int64_t followed_ms;       /* event time of the follow that made the current follower/target
	                              state (the earlier when both are on), 0 if neither is on */
};

/*
 * One engagement kept as evidence. Its strings live in one allocation,
 * strings, owned by the contact (one malloc per kept engagement instead of
 * three, and the lengths are known without strlen); post, title and text
 * point into it, each NUL-terminated, or are NULL when absent.
 */
struct contact_engagement {
	int64_t ts_ms;
	uint8_t type;    /* enum event_type */
	uint8_t dir_out;
	uint16_t post_len, title_len, text_len; /* 0 when absent */
	char *post;      /* NULL when absent */
	char *title;
	char *text;      /* truncated to CONTACT_TEXT_MAX bytes on a UTF-8 boundary */
	char *strings;   /* the allocation the three point into, NULL if all absent */
	uint16_t strings_cap; /* its size (a multiple of 64), 0 with it */
	uint16_t quality; /* in a best slot: note_text_quality() of text, so it is measured once */
};

/*
 * The best engagement of each kind a contact keeps beside the recent ones,
 * so that the engagement a note should refer to is still there weeks and
 * many likes later (note.h says which one a note picks in each frame):
 */
enum contact_best {
	/* their comment, reply or share on my post, with a title or a text:
	   the most substantive words (note_text_quality), then one with a
	   title, then the newest */
	CONTACT_BEST_ON_MINE,
	/* the same with a title: the most substantive words, then the newest
	   (the post to name when no words are worth quoting) */
	CONTACT_BEST_ON_MINE_TITLED,
	/* my comment, reply, share or like on their post with its title: a
	   comment or reply before a share before a like, then the most
	   substantive words, then the newest */
	CONTACT_BEST_ON_THEIRS,
	/* their post that mentioned me, with a title or a text: one with a
	   title, then the newest */
	CONTACT_BEST_MENTION,
	CONTACT_BEST_COUNT
};
#define CONTACT_TEXT_MAX 280
#define CONTACT_TITLE_MAX 200
#define CONTACT_POST_MAX 256
#define CONTACT_NAME_MAX 256
#define CONTACT_HEADLINE_MAX 256
#define CONTACT_TAG_MAX 64

struct contact {
	uint32_t account;          /* account id (the engine's/store's numbering) */
	char *actor;               /* owned, NUL-terminated */
	size_t actor_len;
	/* Profile hints, latest event time wins. */
	char *name;                /* owned or NULL */
	char *headline;
	char **tags;               /* owned array of owned strings */
	uint32_t ntags;
	/*
	 * Event time of the tags register: the newest event that carried tags
	 * ([] included), -1 before any did. Tags are a register of their own
	 * (a CRM list's time is not a name's), so a newer like carrying a name
	 * never keeps an older list's tags, and an emptied list is a value
	 * that an older list read later does not overwrite.
	 */
	int64_t tags_ms;
	int64_t actor_connections; /* -1 unknown */
	int64_t actor_followers;   /* -1 unknown */
	int8_t creator;            /* -1 unknown */
	int64_t hints_ms;          /* event time of the newest hint applied */
	uint32_t counts[EVENT_TYPE_COUNT];
	int64_t first_seen_ms;     /* event time; 0 before the first event */
	int64_t last_seen_ms;
	struct contact_relationship rel;
	/* Newest first, at most the limit given to contact_apply(). */
	struct contact_engagement *recent;
	uint32_t nrecent;
	uint32_t recent_cap;       /* entries allocated, if known (0: nrecent, as made by hand) */
	/*
	 * CONTACT_BEST_COUNT slots (enum contact_best), owned; NULL until an
	 * engagement fills one, so a contact that only likes or follows pays
	 * a pointer. A slot whose type is not an engagement type is empty.
	 * A best engagement may also be in the recent list.
	 */
	struct contact_engagement *best;
	/*
	 * The engagement score (score.h), owned; NULL until the first
	 * engagement, since most contacts of a large network only follow or
	 * connect and a score is about 1 KiB. The engine folds engagements
	 * into it (contact_apply does not: the origin depends on the engine's
	 * view of the relationship).
	 */
	struct score_state *score;
	/* Snooze, dismiss and the hysteresis of "ready" (rules.h); zeroed: none. */
	struct rules_state rules;
	/*
	 * Its row in the database (store.h), 0 while not known: a commit then
	 * updates the row by rowid instead of looking its key up in the index.
	 * Only a hint: the update also checks the key, and falls back.
	 */
	int64_t rowid;
};

/* Initialises an empty contact for actor[0..len) (copied), with no score. */
void contact_init(struct contact *c, uint32_t account, const char *actor, size_t len);
/* Frees everything the contact owns, its score too (not the struct itself). */
void contact_free(struct contact *c);

/*
 * Sets the strings of an engagement built by hand (tests, tools) to copies
 * of post, title and text (NULL for absent), cut to their limits; frees
 * the ones it had. e->strings must be NULL or a block this module made.
 */
void contact_engagement_set(struct contact_engagement *e, const char *post, const char *title,
                            const char *text);

/*
 * Folds an accepted, non-snapshot event into c: counts, seen times,
 * relationship, hints and (for engagement types) the recent list, which is
 * kept sorted newest first by event time and cut to max_recent entries,
 * and the best slots (none when max_recent is 0: nothing is kept). Every
 * choice is by a total order of the engagements, so the order events come
 * in never changes what is kept.
 * The event's strings must be valid UTF-8, as event_parse() makes them:
 * they are cut to their limits without being checked again.
 */
void contact_apply(struct contact *c, const struct event *ev, uint32_t max_recent);

/* Whether best slot e is filled. */
int contact_best_filled(const struct contact_engagement *e);
/* Whether a and b are the same engagement (time, type, direction and strings). */
int contact_engagement_same(const struct contact_engagement *a, const struct contact_engagement *b);

/* The relationship derived from the registers. */
enum relationship contact_relationship(const struct contact *c);

/*
 * Blob formats for the database. encode appends to out; decode returns 0,
 * or -1 if the blob is malformed (c is then left with what decoded fine).
 * Counts: version byte (2), then one LEB128 varint per type in enum
 * order; a shorter blob (older database) leaves the newer types at 0.
 * Recent: version byte (3), varint count, then per entry the zigzag
 * varint of the previous entry's time minus this one's (the first from
 * 0), a byte type * 2 + dir_out, and post, title, text each as varint
 * length + 1 (0: absent) and the bytes; then a byte with bit k set for
 * each best slot k that is filled, and those entries in slot order, the
 * first time again from 0. Versions 2 (no best slots) and 1 (fixed-width
 * fields) written by older daemons still decode, their best slots filled
 * from their recent entries.
 */
void contact_encode_counts(const struct contact *c, struct buf *out);
int contact_decode_counts(struct contact *c, const void *blob, size_t len);
void contact_encode_recent(const struct contact *c, struct buf *out);
int contact_decode_recent(struct contact *c, const void *blob, size_t len);
/* Tags: version byte, then NUL-terminated strings. */
void contact_encode_tags(const struct contact *c, struct buf *out);
int contact_decode_tags(struct contact *c, const void *blob, size_t len);

/*
 * Writes one engagement as a JSON object {type, ts, dir, post, title,
 * text} (contact_json.c): the shape of "evidence" and of "recent".
 */
struct json;
void contact_engagement_json(struct json *j, const struct contact_engagement *e);

/* Network counts of one account, from snapshot events (newest wins). */
struct account {
	char *name;          /* owned */
	int64_t followers;   /* -1 unknown */
	int64_t connections; /* -1 unknown */
	int64_t snapshot_ms; /* event time of the newest snapshot, 0 if none */
	/* The rolling invitation budget (rules.h, about 12 KiB), owned by
	   whoever owns the account; NULL until the first entry. */
	struct rules_budget *budget;
};
void account_apply_snapshot(struct account *a, const struct event *ev);

#endif
