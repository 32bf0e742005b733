/*
 * test_contact.c - unit tests for daemon/contact.c: relationship registers
 * and their transitions, order independence (many shuffles of one event
 * set must give the same contact), profile hints, the recent-engagement
 * list, the best engagement of each kind, the blob formats (round trips,
 * every truncation, garbage, older versions) and account snapshots.
 *
 * Events are built by hand rather than parsed, so these tests do not depend
 * on the event parser. Randomness comes from a fixed-seed xorshift so a
 * failure reproduces exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "warmth/contact.h"

#define ACTOR "urn:li:person:test"

static uint64_t test_rng_state;

static void test_rng_seed(uint64_t seed)
{
	test_rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
}

static uint64_t test_rng(void)
{
	uint64_t x = test_rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return test_rng_state = x;
}

static uint32_t test_rng_below(uint32_t n)
{
	return (uint32_t)(test_rng() % n);
}

static struct event_str es(const char *s)
{
	struct event_str v = { s, s ? strlen(s) : 0 };
	return v;
}

static struct event ev_make(enum event_type type, int64_t ts_ms, int dir_out)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ts_ms = ts_ms;
	ev.dir_out = dir_out;
	ev.actor = es(ACTOR);
	ev.account = es("default");
	ev.actor_connections = -1;
	ev.actor_followers = -1;
	ev.creator = -1;
	ev.followers = -1;
	ev.connections = -1;
	return ev;
}

static void apply(struct contact *c, enum event_type type, int64_t ts_ms, int dir_out)
{
	struct event ev = ev_make(type, ts_ms, dir_out);
	contact_apply(c, &ev, 10);
}

static void new_contact(struct contact *c)
{
	contact_init(c, 1, ACTOR, strlen(ACTOR));
}

static int str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Asserts that two contacts hold the same state, field by field. */
static void assert_contact_equal(const struct contact *a, const struct contact *b)
{
	assert_int_equal(a->account, b->account);
	assert_string_equal(a->actor, b->actor);
	assert_true(str_eq(a->name, b->name));
	assert_true(str_eq(a->headline, b->headline));
	assert_int_equal(a->ntags, b->ntags);
	for (uint32_t i = 0; i < a->ntags; i++)
		assert_string_equal(a->tags[i], b->tags[i]);
	assert_int_equal(a->actor_connections, b->actor_connections);
	assert_int_equal(a->actor_followers, b->actor_followers);
	assert_int_equal(a->creator, b->creator);
	assert_int_equal(a->hints_ms, b->hints_ms);
	assert_int_equal(a->tags_ms, b->tags_ms);
	assert_memory_equal(a->counts, b->counts, sizeof(a->counts));
	assert_int_equal(a->first_seen_ms, b->first_seen_ms);
	assert_int_equal(a->last_seen_ms, b->last_seen_ms);
	assert_int_equal(a->rel.follower.ts_ms, b->rel.follower.ts_ms);
	assert_int_equal(a->rel.follower.on, b->rel.follower.on);
	assert_int_equal(a->rel.target.ts_ms, b->rel.target.ts_ms);
	assert_int_equal(a->rel.target.on, b->rel.target.on);
	assert_int_equal(a->rel.connected.ts_ms, b->rel.connected.ts_ms);
	assert_int_equal(a->rel.connected.on, b->rel.connected.on);
	assert_int_equal(a->rel.pending.ts_ms, b->rel.pending.ts_ms);
	assert_int_equal(a->rel.pending.on, b->rel.pending.on);
	assert_int_equal(a->rel.withdrawn_ms, b->rel.withdrawn_ms);
	assert_int_equal(a->rel.declined_ms, b->rel.declined_ms);
	assert_int_equal(a->rel.followed_ms, b->rel.followed_ms);
	assert_int_equal(a->nrecent, b->nrecent);
	for (uint32_t i = 0; i < a->nrecent; i++) {
		assert_int_equal(a->recent[i].ts_ms, b->recent[i].ts_ms);
		assert_int_equal(a->recent[i].type, b->recent[i].type);
		assert_int_equal(a->recent[i].dir_out, b->recent[i].dir_out);
		assert_true(str_eq(a->recent[i].post, b->recent[i].post));
		assert_true(str_eq(a->recent[i].title, b->recent[i].title));
		assert_true(str_eq(a->recent[i].text, b->recent[i].text));
	}
	for (int k = 0; k < CONTACT_BEST_COUNT; k++) {
		const struct contact_engagement *x = a->best != NULL ? &a->best[k] : NULL;
		const struct contact_engagement *y = b->best != NULL ? &b->best[k] : NULL;
		int fx = x != NULL && contact_best_filled(x), fy = y != NULL && contact_best_filled(y);
		assert_int_equal(fx, fy);
		if (fx)
			assert_true(contact_engagement_same(x, y));
	}
}

/* --- Basics. --- */

static void test_relationship_names(void **state)
{
	(void)state;
	assert_string_equal(relationship_name(REL_NONE), "none");
	assert_string_equal(relationship_name(REL_FOLLOWER), "follower");
	assert_string_equal(relationship_name(REL_TARGET), "target");
	assert_string_equal(relationship_name(REL_MUTUAL), "mutual");
	assert_string_equal(relationship_name(REL_PENDING), "pending");
	assert_string_equal(relationship_name(REL_CONNECTED), "connected");
	assert_string_equal(relationship_name(REL_INVITED_ME), "invited_me");
	assert_null(relationship_name((enum relationship)42));
}

static void test_init_and_free(void **state)
{
	struct contact c;

	(void)state;
	contact_init(&c, 7, "abcdef", 3);
	assert_int_equal(c.account, 7);
	assert_string_equal(c.actor, "abc");
	assert_int_equal(c.actor_len, 3);
	assert_null(c.name);
	assert_int_equal(c.actor_connections, -1);
	assert_int_equal(c.actor_followers, -1);
	assert_int_equal(c.creator, -1);
	assert_int_equal(c.nrecent, 0);
	assert_int_equal(contact_relationship(&c), REL_NONE);
	contact_free(&c);
	assert_null(c.actor);
	/* Freeing twice is harmless: contact_free leaves an empty contact. */
	contact_free(&c);
}

static void test_counts_and_seen(void **state)
{
	struct contact c;
	struct event snap = ev_make(EVENT_SNAPSHOT, 1, 0);

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_LIKE, 5000, 0);
	assert_int_equal(c.first_seen_ms, 5000);
	assert_int_equal(c.last_seen_ms, 5000);
	apply(&c, EVENT_LIKE, 9000, 0);
	apply(&c, EVENT_COMMENT, 2000, 1);
	apply(&c, EVENT_PROFILE_VIEW, 7000, 0);
	assert_int_equal(c.counts[EVENT_LIKE], 2);
	assert_int_equal(c.counts[EVENT_COMMENT], 1);
	assert_int_equal(c.counts[EVENT_PROFILE_VIEW], 1);
	assert_int_equal(c.first_seen_ms, 2000);
	assert_int_equal(c.last_seen_ms, 9000);
	/* A snapshot is about the account, never a contact. */
	contact_apply(&c, &snap, 10);
	assert_int_equal(c.counts[EVENT_SNAPSHOT], 0);
	assert_int_equal(c.first_seen_ms, 2000);
	contact_free(&c);
}

/* --- Relationship transitions. --- */

static void test_follow_transitions(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 1000, 0);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	assert_int_equal(c.rel.followed_ms, 1000);
	apply(&c, EVENT_FOLLOW, 2000, 1);
	assert_int_equal(contact_relationship(&c), REL_MUTUAL);
	/* Both directions on: the follow relationship began with the earlier one. */
	assert_int_equal(c.rel.followed_ms, 1000);
	apply(&c, EVENT_UNFOLLOW, 3000, 0);
	assert_int_equal(contact_relationship(&c), REL_TARGET);
	assert_int_equal(c.rel.followed_ms, 2000);
	apply(&c, EVENT_UNFOLLOW, 4000, 1);
	assert_int_equal(contact_relationship(&c), REL_NONE);
	assert_int_equal(c.rel.followed_ms, 0);
	apply(&c, EVENT_FOLLOW, 5000, 1);
	assert_int_equal(contact_relationship(&c), REL_TARGET);
	assert_int_equal(c.rel.followed_ms, 5000);
	apply(&c, EVENT_FOLLOW, 6000, 0);
	assert_int_equal(contact_relationship(&c), REL_MUTUAL);
	assert_int_equal(c.rel.followed_ms, 5000);
	assert_int_equal(c.counts[EVENT_FOLLOW], 4);
	assert_int_equal(c.counts[EVENT_UNFOLLOW], 2);
	contact_free(&c);
}

static void test_invite_transitions(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 1000, 0);
	apply(&c, EVENT_INVITE_SENT, 2000, 1);
	assert_int_equal(contact_relationship(&c), REL_PENDING);
	apply(&c, EVENT_INVITE_WITHDRAWN, 3000, 1);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	assert_int_equal(c.rel.withdrawn_ms, 3000);
	apply(&c, EVENT_INVITE_SENT, 4000, 1);
	assert_int_equal(contact_relationship(&c), REL_PENDING);
	apply(&c, EVENT_INVITE_DECLINED, 5000, 0);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	assert_int_equal(c.rel.declined_ms, 5000);
	apply(&c, EVENT_INVITE_SENT, 6000, 1);
	apply(&c, EVENT_INVITE_ACCEPTED, 7000, 0);
	assert_int_equal(contact_relationship(&c), REL_CONNECTED);
	assert_int_equal(c.rel.pending.on, 0);
	apply(&c, EVENT_DISCONNECT, 8000, 0);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	apply(&c, EVENT_CONNECT, 9000, 0);
	assert_int_equal(contact_relationship(&c), REL_CONNECTED);
	/* Older declines and withdrawals do not move the newest time back. */
	apply(&c, EVENT_INVITE_DECLINED, 1500, 0);
	apply(&c, EVENT_INVITE_WITHDRAWN, 1500, 1);
	assert_int_equal(c.rel.declined_ms, 5000);
	assert_int_equal(c.rel.withdrawn_ms, 3000);
	assert_int_equal(contact_relationship(&c), REL_CONNECTED);
	contact_free(&c);
}

static void test_connect_clears_pending(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_INVITE_SENT, 1000, 1);
	apply(&c, EVENT_CONNECT, 2000, 0);
	assert_int_equal(c.rel.pending.on, 0);
	apply(&c, EVENT_DISCONNECT, 3000, 0);
	/* The invitation was answered by the connection: it does not come back. */
	assert_int_equal(contact_relationship(&c), REL_NONE);
	contact_free(&c);
}

static void test_older_events_lose(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 10000, 0);
	apply(&c, EVENT_UNFOLLOW, 5000, 0);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	assert_int_equal(c.rel.follower.ts_ms, 10000);
	apply(&c, EVENT_INVITE_ACCEPTED, 20000, 0);
	apply(&c, EVENT_INVITE_SENT, 15000, 1);
	assert_int_equal(contact_relationship(&c), REL_CONNECTED);
	assert_int_equal(c.rel.pending.on, 0);
	apply(&c, EVENT_DISCONNECT, 19999, 0);
	assert_int_equal(contact_relationship(&c), REL_CONNECTED);
	contact_free(&c);
}

static void test_ties_resolve_off(void **state)
{
	static const struct {
		enum event_type on, off;
		int dir_out;
	} pairs[] = {
		{ EVENT_FOLLOW, EVENT_UNFOLLOW, 0 },
		{ EVENT_FOLLOW, EVENT_UNFOLLOW, 1 },
		{ EVENT_CONNECT, EVENT_DISCONNECT, 0 },
		{ EVENT_INVITE_ACCEPTED, EVENT_DISCONNECT, 0 },
		{ EVENT_INVITE_SENT, EVENT_INVITE_WITHDRAWN, 1 },
		{ EVENT_INVITE_SENT, EVENT_INVITE_DECLINED, 1 },
		{ EVENT_INVITE_SENT, EVENT_INVITE_ACCEPTED, 1 },
		{ EVENT_INVITE_SENT, EVENT_CONNECT, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		for (int order = 0; order < 2; order++) {
			struct contact c;
			new_contact(&c);
			apply(&c, pairs[i].on, 500, pairs[i].dir_out);
			apply(&c, order ? pairs[i].on : pairs[i].off, 1000, pairs[i].dir_out);
			apply(&c, order ? pairs[i].off : pairs[i].on, 1000, pairs[i].dir_out);
			assert_int_equal(c.rel.follower.on, 0);
			assert_int_equal(c.rel.target.on, 0);
			assert_int_equal(c.rel.pending.on, 0);
			assert_int_equal(c.rel.followed_ms, 0);
			if (pairs[i].off == EVENT_DISCONNECT)
				assert_int_equal(c.rel.connected.on, 0);
			contact_free(&c);
		}
	}
}

/* --- Order independence. --- */

static const char *const test_names[] = { "Zoë Martin", "José Álvarez", "Łukasz Nowak", "Ann Lee" };
static const char *const test_posts[] = { "p-1", "p-2", "p-3" };
static const char *const test_texts[] = { "Great point!", "Agreed — thanks", "", "🚀 launch",
	                                          "I love how you framed async collaboration as a habit",
	                                          "Async beats meetings for deep work, in my team at least" };
static const char *const test_tags[] = { "client", "vip", "peer" };

/*
 * A random event for one contact. Times come from a narrow range so that
 * many events share a millisecond, which is where order bugs hide. Events
 * with hints carry the whole profile: with one hints_ms for all fields, only
 * full profiles are order independent (see contact.c).
 */
static struct event test_random_event(uint32_t time_spread)
{
	struct event ev = ev_make((enum event_type)test_rng_below(EVENT_SNAPSHOT),
	                          1000 + test_rng_below(time_spread), (int)test_rng_below(2));

	if (event_type_is_engagement(ev.type)) {
		if (test_rng_below(4))
			ev.post = es(test_posts[test_rng_below(3)]);
		if (test_rng_below(2))
			ev.title = es("A title");
		if (test_rng_below(3))
			ev.text = es(test_texts[test_rng_below(ARRAY_SIZE(test_texts))]);
	}
	if (test_rng_below(3) == 0) {
		ev.name = es(test_names[test_rng_below(4)]);
		ev.headline = es(test_names[test_rng_below(4)]);
		ev.actor_connections = test_rng_below(3) * 5000;
		ev.actor_followers = test_rng_below(3) * 100;
		ev.creator = (int)test_rng_below(2);
		ev.has_tags = 1;
		ev.ntags = 1 + test_rng_below(2);
		ev.tags[0] = es(test_tags[test_rng_below(3)]);
		ev.tags[1] = es(test_tags[test_rng_below(3)]);
	}
	return ev;
}

static void test_shuffled_order_same_contact(void **state)
{
	enum { NSETS = 30, NEVENTS = 60, NPERMS = 100, MAX_RECENT = 5 };
	struct event events[NEVENTS];

	(void)state;
	test_rng_seed(42);
	for (int set = 0; set < NSETS; set++) {
		struct contact ref;
		int n = 5 + (int)test_rng_below(NEVENTS - 5);

		/* Every other set crowds its events into 3 ms, so that entries tie on time. */
		for (int i = 0; i < n; i++)
			events[i] = test_random_event(set % 2 ? 3 : 25);
		new_contact(&ref);
		for (int i = 0; i < n; i++)
			contact_apply(&ref, &events[i], MAX_RECENT);
		for (int perm = 0; perm < NPERMS; perm++) {
			struct contact c;
			/* Fisher-Yates over the same events. */
			for (int i = n - 1; i > 0; i--) {
				int j = (int)test_rng_below((uint32_t)i + 1);
				struct event t = events[i];
				events[i] = events[j];
				events[j] = t;
			}
			new_contact(&c);
			for (int i = 0; i < n; i++)
				contact_apply(&c, &events[i], MAX_RECENT);
			assert_contact_equal(&ref, &c);
			contact_free(&c);
		}
		contact_free(&ref);
	}
}

/* --- Profile hints. --- */

static void apply_name(struct contact *c, const char *name, int64_t ts_ms)
{
	struct event ev = ev_make(EVENT_LIKE, ts_ms, 0);
	ev.name = es(name);
	contact_apply(c, &ev, 10);
}

static void test_hints_latest_wins(void **state)
{
	static const int64_t times[] = { 30, 10, 20 };
	static const char *const names[] = { "Carol", "Alice", "Bob" };
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		                          { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

	(void)state;
	for (int o = 0; o < 6; o++) {
		struct contact c;
		new_contact(&c);
		for (int k = 0; k < 3; k++)
			apply_name(&c, names[orders[o][k]], times[orders[o][k]] * 1000);
		assert_string_equal(c.name, "Carol");
		assert_int_equal(c.hints_ms, 30000);
		/* An event without hints changes nothing, however new. */
		apply(&c, EVENT_LIKE, 99000, 0);
		assert_string_equal(c.name, "Carol");
		assert_int_equal(c.hints_ms, 30000);
		contact_free(&c);
	}
}

static void test_hints_tie_and_gaps(void **state)
{
	struct contact a, b;
	struct event ev;

	(void)state;
	/* Two names in the same millisecond: the same winner in either order. */
	new_contact(&a);
	new_contact(&b);
	apply_name(&a, "Alice", 5000);
	apply_name(&a, "Bob", 5000);
	apply_name(&b, "Bob", 5000);
	apply_name(&b, "Alice", 5000);
	assert_string_equal(a.name, b.name);

	/* An older event still fills a field that nothing newer has set. */
	ev = ev_make(EVENT_COMMENT, 1000, 0);
	ev.headline = es("CTO at Example");
	ev.actor_connections = 12000;
	ev.creator = 1;
	ev.has_tags = 1;
	ev.ntags = 1;
	ev.tags[0] = es("client");
	contact_apply(&a, &ev, 10);
	assert_string_equal(a.headline, "CTO at Example");
	assert_int_equal(a.actor_connections, 12000);
	assert_int_equal(a.actor_followers, -1);
	assert_int_equal(a.creator, 1);
	assert_int_equal(a.ntags, 1);
	assert_string_equal(a.tags[0], "client");
	assert_int_equal(a.hints_ms, 5000);

	/* ... but does not replace one. */
	ev.actor_followers = 300;
	contact_apply(&b, &ev, 10);
	assert_int_equal(b.actor_followers, 300);
	ev.ts_ms = 2000;
	ev.actor_followers = 1;
	ev.headline = es("Intern");
	ev.actor_connections = 10;
	ev.creator = 0;
	contact_apply(&a, &ev, 10);
	assert_string_equal(a.headline, "CTO at Example");
	assert_int_equal(a.actor_connections, 12000);
	assert_int_equal(a.creator, 1);
	contact_apply(&b, &ev, 10);
	assert_int_equal(b.actor_followers, 300);

	/* A newer one does, including creator going false and tags emptied. */
	ev.ts_ms = 9000;
	ev.ntags = 0;
	contact_apply(&a, &ev, 10);
	assert_string_equal(a.headline, "Intern");
	assert_int_equal(a.actor_connections, 10);
	assert_int_equal(a.creator, 0);
	assert_int_equal(a.ntags, 0);
	assert_null(a.tags);
	assert_int_equal(a.actor_followers, 1);
	assert_int_equal(a.hints_ms, 9000);
	contact_free(&a);
	contact_free(&b);
}

/*
 * Tags are a register of their own: a CRM list (a profile event with tags
 * only) wins or loses against other events carrying tags, never against a
 * newer like that carries a name, and an emptied list is a value that an
 * older list does not overwrite, in every order of the events.
 */
static void test_tags_own_register(void **state)
{
	struct event list1 = ev_make(EVENT_PROFILE, 1000, 0);
	struct event list2 = ev_make(EVENT_PROFILE, 3000, 0);
	struct event like = ev_make(EVENT_LIKE, 5000, 0);
	struct event *evs[3] = { &list1, &list2, &like };
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		                          { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

	(void)state;
	list1.has_tags = 1;
	list1.ntags = 1;
	list1.tags[0] = es("client");
	like.name = es("Ada Lovelace");
	for (int emptied = 0; emptied < 2; emptied++) {
		list2.has_tags = 1;
		list2.ntags = emptied ? 0 : 1;
		list2.tags[0] = es("partner");
		for (int o = 0; o < 6; o++) {
			struct contact c;
			new_contact(&c);
			for (int k = 0; k < 3; k++)
				contact_apply(&c, evs[orders[o][k]], 10);
			assert_int_equal(c.ntags, emptied ? 0 : 1);
			if (!emptied)
				assert_string_equal(c.tags[0], "partner");
			assert_int_equal(c.tags_ms, 3000);
			assert_int_equal(c.hints_ms, 5000);
			assert_string_equal(c.name, "Ada Lovelace");
			contact_free(&c);
		}
	}
}

/* A tags blob of version 1 (one time for every hint) takes hints_ms as the register's time. */
static void test_blob_tags_version1(void **state)
{
	static const char v1[] = "\x01" "client\0vip";
	struct contact d;

	(void)state;
	new_contact(&d);
	d.hints_ms = 7000;
	assert_int_equal(contact_decode_tags(&d, v1, sizeof(v1)), 0);
	assert_int_equal(d.ntags, 2);
	assert_string_equal(d.tags[1], "vip");
	assert_int_equal(d.tags_ms, 7000);
	/* A version from the future is refused, not guessed at. */
	assert_int_equal(contact_decode_tags(&d, "\x03", 1), -1);
	assert_int_equal(d.ntags, 0);
	contact_free(&d);
}

static void test_hints_cut_on_utf8_boundary(void **state)
{
	char name[CONTACT_NAME_MAX + 16];
	char tag[CONTACT_TAG_MAX + 8];
	struct contact c;
	struct event ev;

	(void)state;
	/* 255 ASCII bytes then "é" (2 bytes): the limit falls inside it. */
	memset(name, 'a', CONTACT_NAME_MAX - 1);
	memcpy(name + CONTACT_NAME_MAX - 1, "\xc3\xa9tail", 7);
	memset(tag, 't', CONTACT_TAG_MAX - 2);
	memcpy(tag + CONTACT_TAG_MAX - 2, "\xe2\x82\xac", 4); /* "€", 3 bytes */
	new_contact(&c);
	ev = ev_make(EVENT_FOLLOW, 1000, 0);
	ev.name = es(name);
	ev.headline.ptr = "has\0nul";
	ev.headline.len = 7;
	ev.has_tags = 1;
	ev.ntags = 1;
	ev.tags[0] = es(tag);
	contact_apply(&c, &ev, 10);
	assert_int_equal(strlen(c.name), CONTACT_NAME_MAX - 1);
	assert_int_equal(strlen(c.tags[0]), CONTACT_TAG_MAX - 2);
	assert_string_equal(c.headline, "has");
	contact_free(&c);
}

/* --- Recent engagements. --- */

static void apply_text(struct contact *c, enum event_type type, int64_t ts_ms, const char *text,
                       uint32_t max_recent)
{
	struct event ev = ev_make(type, ts_ms, 0);
	ev.post = es("p-1");
	ev.text = es(text);
	contact_apply(c, &ev, max_recent);
}

static void test_recent_order_and_limit(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 1000, 0);
	apply(&c, EVENT_INVITE_SENT, 1100, 1);
	assert_int_equal(c.nrecent, 0); /* relationship events are not evidence */
	apply_text(&c, EVENT_LIKE, 2000, "two", 3);
	apply_text(&c, EVENT_COMMENT, 4000, "four", 3);
	apply_text(&c, EVENT_SHARE, 3000, "three", 3);
	assert_int_equal(c.nrecent, 3);
	assert_int_equal(c.recent[0].ts_ms, 4000);
	assert_int_equal(c.recent[1].ts_ms, 3000);
	assert_int_equal(c.recent[2].ts_ms, 2000);
	assert_string_equal(c.recent[0].text, "four");
	assert_string_equal(c.recent[0].post, "p-1");
	assert_null(c.recent[0].title);
	/* Full, and older than everything kept: dropped. */
	apply_text(&c, EVENT_REPLY, 1500, "old", 3);
	assert_int_equal(c.nrecent, 3);
	assert_int_equal(c.recent[2].ts_ms, 2000);
	/* Newer: goes in front, the oldest falls off. */
	apply_text(&c, EVENT_MESSAGE, 5000, "five", 3);
	assert_int_equal(c.nrecent, 3);
	assert_int_equal(c.recent[0].type, EVENT_MESSAGE);
	assert_int_equal(c.recent[2].ts_ms, 3000);
	/* In the middle, pushing the oldest out. */
	apply_text(&c, EVENT_PROFILE_VIEW, 3500, NULL, 3);
	assert_int_equal(c.nrecent, 3);
	assert_int_equal(c.recent[1].ts_ms, 4000);
	assert_int_equal(c.recent[2].type, EVENT_PROFILE_VIEW);
	assert_null(c.recent[2].text);
	/* A lower limit trims; zero keeps nothing. */
	apply_text(&c, EVENT_LIKE, 100, "x", 2);
	assert_int_equal(c.nrecent, 2);
	assert_int_equal(c.recent[1].ts_ms, 4000);
	apply_text(&c, EVENT_LIKE, 9000, "x", 0);
	assert_int_equal(c.nrecent, 0);
	assert_null(c.recent);
	assert_int_equal(c.counts[EVENT_LIKE], 3);
	contact_free(&c);
}

static void test_recent_dir_out_and_ties(void **state)
{
	struct contact a, b;
	struct event e1 = ev_make(EVENT_COMMENT, 7000, 1);
	struct event e2 = ev_make(EVENT_COMMENT, 7000, 0);
	struct event e3 = ev_make(EVENT_LIKE, 7000, 0);

	(void)state;
	e1.text = es("mine");
	e2.text = es("theirs");
	new_contact(&a);
	new_contact(&b);
	/* Same millisecond, limit 2: the same two survive in either order. */
	contact_apply(&a, &e1, 2);
	contact_apply(&a, &e2, 2);
	contact_apply(&a, &e3, 2);
	contact_apply(&b, &e3, 2);
	contact_apply(&b, &e2, 2);
	contact_apply(&b, &e1, 2);
	assert_contact_equal(&a, &b);
	assert_int_equal(a.recent[0].type, EVENT_LIKE);
	assert_int_equal(a.recent[1].dir_out, 0);
	contact_free(&a);
	contact_free(&b);
}

static void test_recent_truncation_multibyte(void **state)
{
	/* Each case puts a multi-byte character across the CONTACT_TEXT_MAX limit. */
	static const struct {
		const char *ch;
		size_t pad; /* ASCII bytes before it */
		size_t want;
	} cases[] = {
		{ "\xc3\xa9", CONTACT_TEXT_MAX - 1, CONTACT_TEXT_MAX - 1 },         /* é */
		{ "\xc3\xa9", CONTACT_TEXT_MAX - 2, CONTACT_TEXT_MAX },             /* fits exactly */
		{ "\xe2\x82\xac", CONTACT_TEXT_MAX - 1, CONTACT_TEXT_MAX - 1 },     /* € */
		{ "\xe2\x82\xac", CONTACT_TEXT_MAX - 2, CONTACT_TEXT_MAX - 2 },
		{ "\xf0\x9f\x9a\x80", CONTACT_TEXT_MAX - 3, CONTACT_TEXT_MAX - 3 }, /* 🚀 */
		{ "\xf0\x9f\x9a\x80", CONTACT_TEXT_MAX - 4, CONTACT_TEXT_MAX },
	};
	char text[CONTACT_TEXT_MAX + 64];
	char title[CONTACT_TITLE_MAX + 64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct contact c;
		struct event ev = ev_make(EVENT_COMMENT, 1000, 0);
		int valid;

		memset(text, 'a', cases[i].pad);
		snprintf(text + cases[i].pad, sizeof(text) - cases[i].pad, "%s and more", cases[i].ch);
		memset(title, 'b', CONTACT_TITLE_MAX - 1);
		snprintf(title + CONTACT_TITLE_MAX - 1, 64, "%s", cases[i].ch);
		ev.text = es(text);
		ev.title = es(title);
		new_contact(&c);
		contact_apply(&c, &ev, 5);
		assert_int_equal(strlen(c.recent[0].text), cases[i].want);
		assert_int_equal(utf8_valid_prefix(c.recent[0].text, cases[i].want, &valid),
		                 cases[i].want);
		assert_true(valid);
		assert_memory_equal(c.recent[0].text, text, cases[i].want);
		assert_int_equal(strlen(c.recent[0].title), CONTACT_TITLE_MAX - 1);
		contact_free(&c);
	}
}

/* --- The best engagement of each kind. --- */

struct test_best_event {
	enum event_type type;
	int dir_out;
	const char *title;
	const char *text;
};

/* The best slot k as "title|text" ("-" when empty), for comparing with a table. */
static void best_describe(const struct contact *c, int k, char *out, size_t size)
{
	const struct contact_engagement *e = c->best != NULL ? &c->best[k] : NULL;

	if (e == NULL || !contact_best_filled(e))
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%s %s|%s|%s", event_type_name((enum event_type)e->type),
		         e->dir_out ? "out" : "in", e->title ? e->title : "", e->text ? e->text : "");
}

/* Events in order (a minute apart) -> what each slot holds, with 5 recent entries at most. */
static void test_best_table(void **state)
{
	static const char good[] = "I love how you framed async collaboration as a habit, not a tool.";
	static const struct {
		const char *what;
		struct test_best_event ev[6];
		size_t n;
		size_t likes_after; /* this many inbound likes follow */
		const char *want[CONTACT_BEST_COUNT];
	} cases[] = {
		{ "a good comment outlives twenty likes and a thin reply",
		  { { EVENT_COMMENT, 0, "Remote teams", good }, { EVENT_COMMENT, 0, "Hiring", "Thanks!" } }, 2, 20,
		  { "comment in|Remote teams|I love how you framed async collaboration as a habit, not a tool.",
		    "comment in|Remote teams|I love how you framed async collaboration as a habit, not a tool.", "-",
		    "-" } },
		{ "the more substantive of two, not the newer",
		  { { EVENT_REPLY, 0, "Remote teams", good },
		    { EVENT_SHARE, 0, "Hiring", "Async beats meetings for deep work." } }, 2, 0,
		  { "reply in|Remote teams|I love how you framed async collaboration as a habit, not a tool.",
		    "reply in|Remote teams|I love how you framed async collaboration as a habit, not a tool.", "-",
		    "-" } },
		{ "nothing substantive: the wordiest, and the newest with a title",
		  { { EVENT_COMMENT, 0, NULL, "Thanks!" }, { EVENT_COMMENT, 0, "Hiring", "+1" },
		    { EVENT_COMMENT, 0, "Burnout", "\xf0\x9f\x91\x8f" }, { EVENT_COMMENT, 0, NULL, "Nice" } }, 4, 0,
		  { "comment in||Thanks!", "comment in|Burnout|\xf0\x9f\x91\x8f", "-", "-" } },
		{ "a path is no better than nothing",
		  { { EVENT_COMMENT, 0, "Remote teams", "Great post" },
		    { EVENT_COMMENT, 0, NULL, "C:\\Users\\ada\\Documents\\async collaboration notes final.docx" } }, 2,
		  0, { "comment in|Remote teams|Great post", "comment in|Remote teams|Great post", "-", "-" } },
		{ "messages and likes never fill a slot of theirs",
		  { { EVENT_MESSAGE, 0, NULL, good }, { EVENT_LIKE, 0, "Remote teams", NULL },
		    { EVENT_PROFILE_VIEW, 0, NULL, NULL } }, 3, 0, { "-", "-", "-", "-" } },
		{ "my comment on their post beats my later likes; it needs a title",
		  { { EVENT_COMMENT, 1, "Remote team dynamics", "Agreed" }, { EVENT_LIKE, 1, "Monday notes", NULL },
		    { EVENT_COMMENT, 1, NULL, good }, { EVENT_SHARE, 1, "Quarterly plans", NULL } }, 4, 10,
		  { "-", "-", "comment out|Remote team dynamics|Agreed", "-" } },
		{ "only likes of mine: the newest with a title",
		  { { EVENT_LIKE, 1, "Remote team dynamics", NULL }, { EVENT_LIKE, 1, "Monday notes", NULL },
		    { EVENT_LIKE, 1, NULL, NULL } }, 3, 0, { "-", "-", "like out|Monday notes|", "-" } },
		{ "the newest mention",
		  { { EVENT_MENTION, 0, "Five people who taught me async", "Thanks @me" },
		    { EVENT_MENTION, 0, "Hiring well", NULL }, { EVENT_MENTION, 0, NULL, NULL } }, 3, 0,
		  { "-", "-", "-", "mention in|Hiring well|" } },
		{ "a mention with a title before a newer one without",
		  { { EVENT_MENTION, 0, "Hiring well", NULL }, { EVENT_MENTION, 0, NULL, good } }, 2, 0,
		  { "-", "-", "-", "mention in|Hiring well|" } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct contact c;
		int64_t t = 1000;

		new_contact(&c);
		for (size_t k = 0; k < cases[i].n; k++) {
			struct event ev = ev_make(cases[i].ev[k].type, t += 60000, cases[i].ev[k].dir_out);
			ev.post = es("p");
			ev.title = es(cases[i].ev[k].title);
			ev.text = es(cases[i].ev[k].text);
			contact_apply(&c, &ev, 5);
		}
		for (size_t k = 0; k < cases[i].likes_after; k++) {
			struct event ev = ev_make(EVENT_LIKE, t += 60000, 0);
			ev.post = es("p9");
			ev.title = es("Later post");
			contact_apply(&c, &ev, 5);
		}
		for (int k = 0; k < CONTACT_BEST_COUNT; k++) {
			char got[512];
			best_describe(&c, k, got, sizeof(got));
			if (strcmp(got, cases[i].want[k]) != 0)
				fail_msg("%s: slot %d\n got  %s\n want %s", cases[i].what, k, got, cases[i].want[k]);
		}
		/* None of this survives in the recent list when likes followed. */
		if (cases[i].likes_after >= 5)
			for (uint32_t r = 0; r < c.nrecent; r++)
				assert_int_equal(c.recent[r].type, EVENT_LIKE);
		contact_free(&c);
	}
}

/* No evidence kept (evidence_per_contact 0): no best slot either. */
static void test_best_none_kept(void **state)
{
	struct contact c;

	(void)state;
	new_contact(&c);
	apply_text(&c, EVENT_COMMENT, 1000, "I love how you framed async collaboration as a habit", 0);
	assert_null(c.best);
	assert_int_equal(c.nrecent, 0);
	contact_free(&c);
}

/* --- Blobs. --- */

/* A contact with something in every blob, including absent and empty strings. */
static void make_rich_contact(struct contact *c)
{
	struct event ev;

	new_contact(c);
	/* Twenty events cover every type up to share, seven of them engagements. */
	for (int i = 0; i < 20; i++) {
		ev = ev_make((enum event_type)(i % EVENT_SNAPSHOT), 1000 + i * 100, i & 1);
		ev.post = i % 3 ? es("p-42") : es(NULL);
		ev.title = i % 4 ? es("Warm outreach, part “two”") : es("");
		ev.text = i % 5 ? es("Zoë says: \"hi\"\n🚀") : es(NULL);
		contact_apply(c, &ev, 6);
	}
	ev = ev_make(EVENT_LIKE, 5000, 0);
	ev.has_tags = 1;
	ev.ntags = 3;
	ev.tags[0] = es("client");
	ev.tags[1] = es("");
	ev.tags[2] = es("Łódź");
	contact_apply(c, &ev, 6);
}

static void test_blob_round_trip(void **state)
{
	struct contact c, d;
	struct buf b = { 0 };

	(void)state;
	make_rich_contact(&c);
	assert_true(c.nrecent == 6);
	new_contact(&d);

	contact_encode_counts(&c, &b);
	assert_int_equal(b.len, 1 + EVENT_TYPE_COUNT); /* every count is below 128: one byte each */
	assert_int_equal(contact_decode_counts(&d, b.data, b.len), 0);
	assert_memory_equal(c.counts, d.counts, sizeof(c.counts));

	buf_reset(&b);
	contact_encode_recent(&c, &b);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, c.nrecent);
	for (uint32_t i = 0; i < c.nrecent; i++) {
		assert_int_equal(d.recent[i].ts_ms, c.recent[i].ts_ms);
		assert_int_equal(d.recent[i].type, c.recent[i].type);
		assert_int_equal(d.recent[i].dir_out, c.recent[i].dir_out);
		assert_true(str_eq(d.recent[i].post, c.recent[i].post));
		assert_true(str_eq(d.recent[i].title, c.recent[i].title));
		assert_true(str_eq(d.recent[i].text, c.recent[i].text));
	}

	buf_reset(&b);
	contact_encode_tags(&c, &b);
	assert_int_equal(contact_decode_tags(&d, b.data, b.len), 0);
	assert_int_equal(d.ntags, 3);
	assert_string_equal(d.tags[0], "client");
	assert_string_equal(d.tags[1], "");
	assert_string_equal(d.tags[2], "Łódź");
	assert_true(c.tags_ms > 0);
	assert_int_equal(d.tags_ms, c.tags_ms);

	/* Empty lists round-trip to empty lists. */
	contact_free(&c);
	new_contact(&c);
	buf_reset(&b);
	contact_encode_recent(&c, &b);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, 0);
	buf_reset(&b);
	contact_encode_tags(&c, &b);
	/* The version and the register's time (-1: never written), one byte each. */
	assert_int_equal(b.len, 2);
	assert_int_equal(contact_decode_tags(&d, b.data, b.len), 0);
	assert_int_equal(d.ntags, 0);
	assert_int_equal(d.tags_ms, -1);

	buf_free(&b);
	contact_free(&c);
	contact_free(&d);
}

/* Appends an optional string as version 2 and 3 write it: varint length + 1, the bytes. */
static void blob_str(struct buf *b, const char *s)
{
	unsigned char n = s == NULL ? 0 : (unsigned char)(strlen(s) + 1);

	buf_append(b, &n, 1);
	if (s != NULL)
		buf_append(b, s, strlen(s));
}

/* One entry, its time 2 ms before the previous one (zigzag 4). */
static void blob_entry(struct buf *b, enum event_type type, int dir_out, const char *title, const char *text)
{
	unsigned char head[2] = { 4, (unsigned char)(type << 1 | dir_out) };

	buf_append(b, head, 2);
	blob_str(b, "p-1");
	blob_str(b, title);
	blob_str(b, text);
}

/* The best slots round-trip in version 3; a version 2 blob fills them from its entries. */
static void test_blob_best_versions(void **state)
{
	static const char good[] = "I love how you framed async collaboration as a habit, not a tool.";
	struct contact c, d;
	struct buf b = { 0 }, c_blob = { 0 };
	unsigned char head[2];
	char got[512];

	(void)state;
	new_contact(&c);
	new_contact(&d);
	apply_text(&c, EVENT_COMMENT, 1000, good, 5);
	for (int i = 0; i < 20; i++)
		apply_text(&c, EVENT_LIKE, 2000 + i, NULL, 5);
	contact_encode_recent(&c, &b);
	assert_int_equal(b.data[0], 3);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, 5);
	best_describe(&d, CONTACT_BEST_ON_MINE, got, sizeof(got));
	assert_string_equal(got, "comment in||I love how you framed async collaboration as a habit, not a tool.");
	assert_int_equal(d.best[CONTACT_BEST_ON_MINE].ts_ms, 1000);
	assert_int_equal(d.best[CONTACT_BEST_ON_MINE].quality, c.best[CONTACT_BEST_ON_MINE].quality);
	best_describe(&d, CONTACT_BEST_ON_THEIRS, got, sizeof(got));
	assert_string_equal(got, "-");

	/* Version 2 (no slots): a like, a mention and a thin comment, newest first. */
	buf_reset(&b);
	head[0] = 2, head[1] = 3;
	buf_append(&b, head, 2);
	blob_entry(&b, EVENT_LIKE, 1, "Their post", NULL);
	blob_entry(&b, EVENT_MENTION, 0, "Hiring well", NULL);
	blob_entry(&b, EVENT_COMMENT, 0, "Remote teams", "Thanks!");
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, 3);
	best_describe(&d, CONTACT_BEST_ON_MINE, got, sizeof(got));
	assert_string_equal(got, "comment in|Remote teams|Thanks!");
	best_describe(&d, CONTACT_BEST_ON_THEIRS, got, sizeof(got));
	assert_string_equal(got, "like out|Their post|");
	best_describe(&d, CONTACT_BEST_MENTION, got, sizeof(got));
	assert_string_equal(got, "mention in|Hiring well|");

	/* Version 3 with an entry in a slot not of its kind, or an unknown slot: malformed. */
	buf_reset(&b);
	buf_append(&b, "\x03\x00", 2);
	head[0] = 1u << CONTACT_BEST_ON_THEIRS, head[1] = 0;
	buf_append(&b, head, 2);
	buf_append(&b, "\x05", 1); /* its quality */
	blob_entry(&b, EVENT_COMMENT, 0, "Remote teams", good);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), -1);
	assert_true(d.best == NULL || !contact_best_filled(&d.best[CONTACT_BEST_ON_THEIRS]));
	buf_reset(&b);
	buf_append(&b, "\x03\x00", 2);
	head[0] = 1u << CONTACT_BEST_COUNT;
	buf_append(&b, head, 1);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), -1);
	/* The right slots decode, the second a reference to the first (written once). */
	buf_reset(&b);
	buf_append(&b, "\x03\x00", 2);
	head[0] = 1u << CONTACT_BEST_ON_MINE | 1u << CONTACT_BEST_ON_MINE_TITLED, head[1] = 0;
	buf_append(&b, head, 2);
	buf_append(&b, "\x63", 1); /* its quality, 99 */
	blob_entry(&b, EVENT_COMMENT, 0, "Remote teams", good);
	buf_append(&b, "\x01", 1); /* the same as slot 0 */
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, 0);
	best_describe(&d, CONTACT_BEST_ON_MINE, got, sizeof(got));
	assert_string_equal(got, "comment in|Remote teams|I love how you framed async collaboration as a habit, "
	                         "not a tool.");
	assert_int_equal(d.best[CONTACT_BEST_ON_MINE].quality, 99);
	assert_true(contact_engagement_same(&d.best[CONTACT_BEST_ON_MINE], &d.best[CONTACT_BEST_ON_MINE_TITLED]));
	assert_int_equal(d.best[CONTACT_BEST_ON_MINE_TITLED].quality, 99);
	/* And it is written back the same way, the shared one once. */
	buf_reset(&c_blob);
	contact_encode_recent(&d, &c_blob);
	assert_int_equal(c_blob.len, b.len);
	assert_memory_equal(c_blob.data, b.data, b.len);
	/* A reference to a slot that is empty, or to itself: malformed. */
	b.data[b.len - 1] = 2;
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), -1);
	head[0] = 1u << CONTACT_BEST_ON_MINE_TITLED, head[1] = 1;
	buf_reset(&b);
	buf_append(&b, "\x03\x00", 2);
	buf_append(&b, head, 2);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), -1);

	buf_free(&b);
	buf_free(&c_blob);
	contact_free(&c);
	contact_free(&d);
}

static void test_blob_counts_versions(void **state)
{
	struct contact c;
	unsigned char blob[1 + 4 * (EVENT_TYPE_COUNT + 2)];

	(void)state;
	new_contact(&c);
	memset(blob, 0, sizeof(blob));
	blob[0] = 1;
	for (size_t i = 0; i < EVENT_TYPE_COUNT + 2; i++)
		blob[1 + 4 * i] = (unsigned char)(i + 1);
	blob[1 + 4 * 8 + 2] = 1; /* like: 9 + 65536 */

	/* An older database with fewer types: the rest read as 0. */
	assert_int_equal(contact_decode_counts(&c, blob, 1 + 4 * 3), 0);
	assert_int_equal(c.counts[2], 3);
	assert_int_equal(c.counts[3], 0);
	/* A newer one with more types: the unknown ones are skipped. */
	assert_int_equal(contact_decode_counts(&c, blob, sizeof(blob)), 0);
	assert_int_equal(c.counts[EVENT_LIKE], 9 + 65536);
	assert_int_equal(c.counts[EVENT_TYPE_COUNT - 1], EVENT_TYPE_COUNT);
	/* Half a number, an unknown version, nothing at all. */
	assert_int_equal(contact_decode_counts(&c, blob, 1 + 4 * 3 + 2), -1);
	assert_int_equal(c.counts[2], 3); /* what decoded fine is kept */
	blob[0] = 3;
	assert_int_equal(contact_decode_counts(&c, blob, sizeof(blob)), -1);
	assert_int_equal(contact_decode_counts(&c, blob, 0), -1);
	assert_int_equal(contact_decode_counts(&c, NULL, 0), -1);
	contact_free(&c);
}

/* Version 2 counts: varints, with the same rules for fewer and more types. */
static void test_blob_counts_varints(void **state)
{
	struct contact c;
	struct buf b = { 0 };
	unsigned char v2[] = { 2, 5, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f };
	unsigned char too_big[] = { 2, 0x80, 0x80, 0x80, 0x80, 0x10 };
	unsigned char too_long[] = { 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };

	(void)state;
	new_contact(&c);
	assert_int_equal(contact_decode_counts(&c, v2, sizeof(v2)), 0);
	assert_int_equal(c.counts[0], 5);
	assert_int_equal(c.counts[1], 128);
	assert_int_equal(c.counts[2], UINT32_MAX);
	assert_int_equal(c.counts[3], 0);
	assert_int_equal(contact_decode_counts(&c, v2, 3), -1); /* cut inside a varint */
	assert_int_equal(contact_decode_counts(&c, too_big, sizeof(too_big)), -1);
	assert_int_equal(contact_decode_counts(&c, too_long, sizeof(too_long)), -1);

	/* Every count at its largest still round-trips, in five bytes each. */
	for (size_t i = 0; i < EVENT_TYPE_COUNT; i++)
		c.counts[i] = UINT32_MAX - (uint32_t)i;
	contact_encode_counts(&c, &b);
	assert_int_equal(b.len, 1 + 5 * EVENT_TYPE_COUNT);
	memset(c.counts, 0, sizeof(c.counts));
	assert_int_equal(contact_decode_counts(&c, b.data, b.len), 0);
	for (size_t i = 0; i < EVENT_TYPE_COUNT; i++)
		assert_int_equal(c.counts[i], UINT32_MAX - (uint32_t)i);
	buf_free(&b);
	contact_free(&c);
}

/* Version 2 recent lists keep any times, in any order, and dir and type. */
static void test_blob_recent_times(void **state)
{
	struct contact c, d;
	struct buf b = { 0 };
	const int64_t times[] = { INT64_MAX, 1700000000123, 0, -5, INT64_MIN };

	(void)state;
	new_contact(&c);
	new_contact(&d);
	c.recent = xcalloc(ARRAY_SIZE(times), sizeof(*c.recent));
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		c.recent[i].ts_ms = times[i];
		c.recent[i].type = EVENT_MESSAGE;
		c.recent[i].dir_out = i & 1;
		contact_engagement_set(&c.recent[i], i == 1 ? "p" : NULL, NULL, i == 2 ? "" : "hi");
	}
	c.nrecent = ARRAY_SIZE(times);
	contact_encode_recent(&c, &b);
	assert_int_equal(contact_decode_recent(&d, b.data, b.len), 0);
	assert_int_equal(d.nrecent, c.nrecent);
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		assert_int_equal(d.recent[i].ts_ms, times[i]);
		assert_int_equal(d.recent[i].type, EVENT_MESSAGE);
		assert_int_equal(d.recent[i].dir_out, i & 1);
		assert_true(str_eq(d.recent[i].post, c.recent[i].post));
		assert_true(str_eq(d.recent[i].text, c.recent[i].text));
		assert_null(d.recent[i].title);
	}
	buf_free(&b);
	contact_free(&c);
	contact_free(&d);
}

/* Decodes every prefix of a valid blob: never a crash, and 0 only for a consistent result. */
static void test_blob_truncated_everywhere(void **state)
{
	struct contact c, d;
	struct buf counts = { 0 }, recent = { 0 }, tags = { 0 };

	(void)state;
	make_rich_contact(&c);
	contact_encode_counts(&c, &counts);
	contact_encode_recent(&c, &recent);
	contact_encode_tags(&c, &tags);
	new_contact(&d);

	for (size_t len = 0; len <= counts.len; len++) {
		/* An exact copy of the prefix on the heap lets ASan catch any over-read. */
		char *p = xmalloc(len);
		memcpy(p, counts.data, len);
		int rc = contact_decode_counts(&d, p, len);
		/* The counts are below 128, one byte each: every cut is a shorter list. */
		if (len > 0) {
			assert_int_equal(rc, 0);
			for (size_t i = 0; i < EVENT_TYPE_COUNT; i++)
				assert_int_equal(d.counts[i], i < len - 1 ? c.counts[i] : 0);
		} else {
			assert_int_equal(rc, -1);
		}
		free(p);
	}
	for (size_t len = 0; len <= recent.len; len++) {
		char *p = xmalloc(len);
		memcpy(p, recent.data, len);
		int rc = contact_decode_recent(&d, p, len);
		assert_int_equal(rc, len == recent.len ? 0 : -1);
		/* Whatever decoded is a prefix of the original, in order. */
		assert_true(d.nrecent <= c.nrecent);
		for (uint32_t i = 0; i < d.nrecent; i++) {
			assert_int_equal(d.recent[i].ts_ms, c.recent[i].ts_ms);
			assert_true(str_eq(d.recent[i].text, c.recent[i].text));
		}
		free(p);
	}
	size_t head = tags.len;
	for (uint32_t i = 0; i < c.ntags; i++)
		head -= strlen(c.tags[i]) + 1;
	for (size_t len = 0; len <= tags.len; len++) {
		char *p = xmalloc(len);
		memcpy(p, tags.data, len);
		int rc = contact_decode_tags(&d, p, len);
		/* A cut right after the head (version, time) or after a NUL is a valid, shorter list. */
		if (len == head || (len > head && tags.data[len - 1] == '\0')) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
		}
		assert_true(d.ntags <= c.ntags);
		for (uint32_t i = 0; i < d.ntags; i++)
			assert_string_equal(d.tags[i], c.tags[i]);
		free(p);
	}
	buf_free(&counts);
	buf_free(&recent);
	buf_free(&tags);
	contact_free(&c);
	contact_free(&d);
}

static void test_blob_garbage(void **state)
{
	struct contact c, d;
	struct buf recent = { 0 };
	unsigned char junk[512];
	unsigned char huge_count[] = { 1, 0xff, 0xff, 0xff, 0xff, 0 };
	unsigned char bad_type[] = { 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, EVENT_FOLLOW, 0, 0, 0, 0 };
	unsigned char bad_utf8_tag[] = { 1, 'o', 'k', 0, 0xff, 0xfe, 0 };

	(void)state;
	new_contact(&d);
	/* A count that promises more entries than the blob could hold is refused up front. */
	assert_int_equal(contact_decode_recent(&d, huge_count, sizeof(huge_count)), -1);
	assert_int_equal(d.nrecent, 0);
	/* Relationship types are never evidence. */
	assert_int_equal(contact_decode_recent(&d, bad_type, sizeof(bad_type)), -1);
	bad_type[13] = EVENT_LIKE;
	assert_int_equal(contact_decode_recent(&d, bad_type, sizeof(bad_type)), 0);
	assert_int_equal(d.nrecent, 1);
	bad_type[14] = 2; /* dir */
	assert_int_equal(contact_decode_recent(&d, bad_type, sizeof(bad_type)), -1);
	assert_int_equal(contact_decode_tags(&d, bad_utf8_tag, sizeof(bad_utf8_tag)), -1);
	assert_int_equal(d.ntags, 1);
	assert_string_equal(d.tags[0], "ok");

	/* Random bytes, with and without a valid version byte. */
	test_rng_seed(7);
	for (int round = 0; round < 20000; round++) {
		size_t len = test_rng_below(sizeof(junk) + 1);
		for (size_t i = 0; i < len; i++)
			junk[i] = (unsigned char)test_rng();
		if (len > 0 && round % 2)
			junk[0] = 1;
		if (len > 4 && round % 4 == 1)
			junk[1] = (unsigned char)test_rng_below(4), junk[2] = junk[3] = junk[4] = 0;
		/* Version 2 with a plausible count. */
		if (len > 1 && round % 4 == 3)
			junk[0] = 2, junk[1] = (unsigned char)test_rng_below(4);
		char *p = xmalloc(len);
		memcpy(p, junk, len);
		(void)contact_decode_counts(&d, p, len);
		(void)contact_decode_recent(&d, p, len);
		(void)contact_decode_tags(&d, p, len);
		free(p);
	}

	/* Single-byte corruptions of a valid blob. */
	make_rich_contact(&c);
	contact_encode_recent(&c, &recent);
	/* Bytes after the last entry mean the blob is not what it claims to be. */
	buf_append(&recent, "x", 1);
	assert_int_equal(contact_decode_recent(&d, recent.data, recent.len), -1);
	assert_int_equal(d.nrecent, c.nrecent);
	recent.len--;
	for (size_t i = 0; i < recent.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			recent.data[i] ^= (char)(1 << bit);
			(void)contact_decode_recent(&d, recent.data, recent.len);
			recent.data[i] ^= (char)(1 << bit);
			for (uint32_t k = 1; k < d.nrecent; k++)
				assert_true(d.recent[k - 1].ts_ms >= d.recent[k].ts_ms);
		}
	}
	buf_free(&recent);
	contact_free(&c);
	contact_free(&d);
}

/* --- Accounts. --- */

static struct event snapshot(int64_t ts_ms, int64_t followers, int64_t connections)
{
	struct event ev = ev_make(EVENT_SNAPSHOT, ts_ms, 0);
	ev.actor = es(NULL);
	ev.followers = followers;
	ev.connections = connections;
	return ev;
}

static void test_account_snapshot(void **state)
{
	struct account a = { NULL, -1, -1, 0, NULL };
	struct account b = { NULL, -1, -1, 0, NULL };
	struct event s1 = snapshot(1000, 100, 50);
	struct event s2 = snapshot(3000, 120, -1);
	struct event s3 = snapshot(2000, 110, 60);
	struct event like = ev_make(EVENT_LIKE, 9000, 0);

	(void)state;
	account_apply_snapshot(&a, &s1);
	account_apply_snapshot(&a, &s2);
	account_apply_snapshot(&a, &s3);
	account_apply_snapshot(&b, &s3);
	account_apply_snapshot(&b, &s2);
	account_apply_snapshot(&b, &s1);
	/* Followers from the newest snapshot, in either order. */
	assert_int_equal(a.followers, 120);
	assert_int_equal(a.snapshot_ms, 3000);
	assert_int_equal(b.followers, 120);
	assert_int_equal(b.snapshot_ms, 3000);
	/*
	 * Connections came only in snapshots older than the newest: with one
	 * time per account, whichever arrived before the newest one is kept
	 * (the documented limit). Both orders know a value from one of them.
	 */
	assert_int_equal(a.connections, 50);
	assert_int_equal(b.connections, 60);
	/* Not a snapshot: ignored. */
	account_apply_snapshot(&a, &like);
	assert_int_equal(a.snapshot_ms, 3000);
	/* Same time, larger value wins in either order. */
	struct account x = { NULL, -1, -1, 0, NULL }, y = { NULL, -1, -1, 0, NULL };
	struct event t1 = snapshot(5000, 10, 10), t2 = snapshot(5000, 20, 5);
	account_apply_snapshot(&x, &t1);
	account_apply_snapshot(&x, &t2);
	account_apply_snapshot(&y, &t2);
	account_apply_snapshot(&y, &t1);
	assert_int_equal(x.followers, 20);
	assert_int_equal(x.connections, 10);
	assert_int_equal(y.followers, 20);
	assert_int_equal(y.connections, 10);
}


/*
 * An invitation they sent me (invite_sent, dir: in) is theirs: it sets the
 * incoming register, not my pending one, and does not depend on order; a
 * connection, my declining it or their withdrawing it answers it.
 */
static void test_incoming_invitation(void **state)
{
	static const struct {
		enum event_type type;
		int dir_out;
	} answers[] = {
		{ EVENT_INVITE_ACCEPTED, 1 }, { EVENT_CONNECT, 0 }, { EVENT_INVITE_DECLINED, 1 },
		{ EVENT_INVITE_WITHDRAWN, 0 },
	};
	struct contact c;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_INVITE_SENT, 1000, 0);
	assert_int_equal(c.rules.incoming, 1);
	assert_int_equal(c.rules.incoming_ms, 1000);
	assert_int_equal(c.rel.pending.on, 0);
	/* Shown as such, not as "none": the advice for it is to accept. */
	assert_int_equal(contact_relationship(&c), REL_INVITED_ME);
	/* Mine is another register; theirs, unanswered, still says what to do. */
	apply(&c, EVENT_INVITE_SENT, 2000, 1);
	assert_int_equal(c.rel.pending.on, 1);
	assert_int_equal(c.rules.incoming, 1);
	assert_int_equal(contact_relationship(&c), REL_INVITED_ME);
	contact_free(&c);
	/* A follower who invited me too. */
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 500, 0);
	apply(&c, EVENT_INVITE_SENT, 1000, 0);
	assert_int_equal(contact_relationship(&c), REL_INVITED_ME);
	contact_free(&c);
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		for (int order = 0; order < 2; order++) {
			new_contact(&c);
			if (order) {
				apply(&c, answers[i].type, 3000, answers[i].dir_out);
				apply(&c, EVENT_INVITE_SENT, 1000, 0);
			} else {
				apply(&c, EVENT_INVITE_SENT, 1000, 0);
				apply(&c, answers[i].type, 3000, answers[i].dir_out);
			}
			assert_int_equal(c.rules.incoming, 0);
			assert_int_equal(contact_relationship(&c),
			                 answers[i].type == EVENT_CONNECT ||
			                 answers[i].type == EVENT_INVITE_ACCEPTED ? REL_CONNECTED : REL_NONE);
			contact_free(&c);
		}
	}
	/* A tie resolves to "answered". */
	new_contact(&c);
	apply(&c, EVENT_CONNECT, 1000, 0);
	apply(&c, EVENT_INVITE_SENT, 1000, 0);
	assert_int_equal(c.rules.incoming, 0);
	contact_free(&c);
}

/*
 * A profile event (a CRM list's row) is state: its tags replace older
 * ones and lose to newer ones, and it leaves the relationship, the
 * recent engagements and the best slots alone.
 */
static void test_profile_event(void **state)
{
	struct contact c;
	struct event ev;

	(void)state;
	new_contact(&c);
	apply(&c, EVENT_FOLLOW, 1000, 0);
	ev = ev_make(EVENT_COMMENT, 2000, 0);
	ev.text = es("Async is the key");
	ev.has_tags = 1;
	ev.ntags = 1;
	ev.tags[0] = es("prospect");
	contact_apply(&c, &ev, 10);
	ev = ev_make(EVENT_PROFILE, 3000, 0);
	ev.has_tags = 1;
	ev.ntags = 2;
	ev.tags[0] = es("client");
	ev.tags[1] = es("vip");
	contact_apply(&c, &ev, 10);
	assert_int_equal(c.ntags, 2);
	assert_string_equal(c.tags[0], "client");
	assert_int_equal(c.counts[EVENT_PROFILE], 1);
	assert_int_equal(c.nrecent, 1);
	assert_int_equal(c.recent[0].type, EVENT_COMMENT);
	assert_int_equal(contact_relationship(&c), REL_FOLLOWER);
	assert_int_equal(c.rules.incoming, 0);
	/* An engagement's tags from before the list lose to it. */
	ev = ev_make(EVENT_LIKE, 2500, 0);
	ev.has_tags = 1;
	ev.ntags = 1;
	ev.tags[0] = es("stale");
	contact_apply(&c, &ev, 10);
	assert_string_equal(c.tags[0], "client");
	/* A newer list with an empty cell clears them. */
	ev = ev_make(EVENT_PROFILE, 4000, 0);
	ev.has_tags = 1;
	ev.ntags = 0;
	contact_apply(&c, &ev, 10);
	assert_int_equal(c.ntags, 0);
	assert_int_equal(c.nrecent, 2);
	contact_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relationship_names),
		cmocka_unit_test(test_init_and_free),
		cmocka_unit_test(test_counts_and_seen),
		cmocka_unit_test(test_follow_transitions),
		cmocka_unit_test(test_invite_transitions),
		cmocka_unit_test(test_connect_clears_pending),
		cmocka_unit_test(test_older_events_lose),
		cmocka_unit_test(test_ties_resolve_off),
		cmocka_unit_test(test_incoming_invitation),
		cmocka_unit_test(test_profile_event),
		cmocka_unit_test(test_shuffled_order_same_contact),
		cmocka_unit_test(test_hints_latest_wins),
		cmocka_unit_test(test_hints_tie_and_gaps),
		cmocka_unit_test(test_tags_own_register),
		cmocka_unit_test(test_blob_tags_version1),
		cmocka_unit_test(test_hints_cut_on_utf8_boundary),
		cmocka_unit_test(test_recent_order_and_limit),
		cmocka_unit_test(test_recent_dir_out_and_ties),
		cmocka_unit_test(test_recent_truncation_multibyte),
		cmocka_unit_test(test_best_table),
		cmocka_unit_test(test_best_none_kept),
		cmocka_unit_test(test_blob_round_trip),
		cmocka_unit_test(test_blob_best_versions),
		cmocka_unit_test(test_blob_counts_versions),
		cmocka_unit_test(test_blob_counts_varints),
		cmocka_unit_test(test_blob_recent_times),
		cmocka_unit_test(test_blob_truncated_everywhere),
		cmocka_unit_test(test_blob_garbage),
		cmocka_unit_test(test_account_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
