/*
 * contact_internal.h - what contact.c lends contact_blob.c: setting an
 * engagement's strings, keeping the best of each kind and emptying a
 * contact's lists, so that decoding a blob builds a contact exactly as
 * applying events does.
 */
#ifndef WARMTH_CONTACT_INTERNAL_H
#define WARMTH_CONTACT_INTERNAL_H

#include <stdint.h>

#include "warmth/contact.h"

/*
 * An engagement before it is kept: strings point into the event (already
 * cut to their limits), so an event that does not make the list costs no
 * allocation.
 */
struct contact_engagement_key {
	int64_t ts_ms;
	uint8_t type;
	uint8_t dir_out;
	struct event_str post;
	struct event_str title;
	struct event_str text;
};

/* A kept engagement as a key (its strings point into it). */
struct contact_engagement_key contact_engagement_key_of(const struct contact_engagement *e);
/* Whether an engagement competes for best slot (enum contact_best). */
int contact_best_qualifies(int slot, const struct contact_engagement_key *k);
/* Keeps the engagement in its best slot (contact.h) when it is better than what the slot has. */
void contact_best_offer(struct contact *c, const struct contact_engagement_key *key);
/* Fills the best slots from the recent list (a blob from before they were stored). */
void contact_best_seed(struct contact *c);

/*
 * Sets e's strings to copies of post, title and text (each already cut to
 * its limit) in one block, reusing old (old_cap bytes) when big enough.
 */
void contact_engagement_set_strings(struct contact_engagement *e, char *old, uint16_t old_cap,
                                    struct event_str post, struct event_str title,
                                    struct event_str text);
/* Frees c's recent and best engagements, or its tags, leaving them empty. */
void contact_recent_clear(struct contact *c);
void contact_tags_clear(struct contact *c);
/* qsort's comparison of two struct contact_engagement: the order of the recent list. */
int contact_engagement_qsort_compare(const void *a, const void *b);

#endif
