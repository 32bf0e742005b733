/*
 * contact_internal.h - what contact.c lends contact_blob.c: setting an
 * engagement's strings and emptying a contact's lists, so that decoding a
 * blob builds a contact exactly as applying events does.
 */
#ifndef WARMTH_CONTACT_INTERNAL_H
#define WARMTH_CONTACT_INTERNAL_H

#include <stdint.h>

#include "warmth/contact.h"

/*
 * Sets e's strings to copies of post, title and text (each already cut to
 * its limit) in one block, reusing old (old_cap bytes) when big enough.
 */
void contact_engagement_set_strings(struct contact_engagement *e, char *old, uint16_t old_cap,
                                    struct event_str post, struct event_str title,
                                    struct event_str text);
/* Frees c's recent engagements and tags, leaving the lists empty. */
void contact_recent_clear(struct contact *c);
void contact_tags_clear(struct contact *c);
/* qsort's comparison of two struct contact_engagement: the order of the recent list. */
int contact_engagement_qsort_compare(const void *a, const void *b);

#endif
