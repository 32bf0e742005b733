/*
 * warmth-gen.c - a deterministic, seedable generator of engagement logs in
 * the event format of INTERFACE.md, with the exact result a correct daemon
 * must reach (the "truth"), for tests and benchmarks.
 *
 * Design:
 * - Everything random comes from one xoshiro256** stream seeded from --seed
 *   by splitmix64, and nothing depends on the clock, the locale or libc's
 *   rand(): the same options give byte-identical output on every machine.
 * - A contact's profile (actor id, name, population, headline, counts) is a
 *   pure function of the seed and its index, so it is computed when needed
 *   instead of stored; per contact the generator keeps only what the truth
 *   needs (accepted counts by type, the four relationship registers) and a
 *   small state byte that keeps sequences plausible (no acceptance without
 *   an invitation, ...).
 * - Contacts are introduced at an even pace over the run, each with a
 *   follow (theirs or mine), so every contact appears when there are at
 *   least as many events as contacts; the other events pick among the
 *   contacts introduced so far with a Zipf(1) law, so a few people produce
 *   most of the engagement, as in real networks.
 * - The truth is computed independently of the daemon's code: counts are
 *   tallied per (account, actor) for each distinct accepted event, and the
 *   relationship is replayed from last-writer-wins registers by event time
 *   with ties resolving to "off" (DOMAIN/design rules). Profile hints of a
 *   contact never change, so its name does not depend on arrival order.
 * - Lines are assembled by hand into a reusable buffer (all strings are the
 *   generator's own, kept pre-escaped in its tables) and written through a
 *   large stdio buffer; times are formatted by hand with the date cached.
 *   The truth file is small and goes through json.h like all other JSON
 *   the project writes.
 *
 * The truth (--truth FILE) is one JSON object, shaped to be compared with
 * `warmthctl status --json` and `warmthctl export --json`:
 *   {"lines":N, "accepted":N, "rejected":N, "duplicate":N,
 *    "accepted_by_type":{"like":N,...}, "rejected_by_reason":{"not_json":N,...},
 *    "accounts":{"default":{"followers":N,"connections":N},...},
 *    "contacts":{"default\turn:li:person:0a1b2c3d4e5f":
 *                {"name":"Zoë Müller","relationship":"follower","counts":{"follow":1,"like":3}},...}}
 * lines = accepted + rejected + duplicate; zero counts are left out; a
 * contact is listed when at least one of its events was accepted.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/event.h"
#include "warmth/json.h"
#include "warmth/util.h"

/* Type names, kept here so the generator does not depend on the parser it tests. */
static const char *const gen_type_names[EVENT_TYPE_COUNT] = {
	"follow", "unfollow", "connect", "disconnect", "invite_sent", "invite_accepted",
	"invite_declined", "invite_withdrawn", "like", "comment", "reply", "share", "mention",
	"message", "profile_view", "snapshot",
};

/* The malformed kinds, named as the daemon reports them; each line has exactly one defect. */
enum gen_malformed {
	GEN_NOT_JSON,
	GEN_NOT_OBJECT,
	GEN_MISSING_TS,
	GEN_INVALID_TS,
	GEN_MISSING_TYPE,
	GEN_UNKNOWN_TYPE,
	GEN_MISSING_ACTOR,
	GEN_INVALID_ACTOR,
	GEN_INVALID_UTF8,
	GEN_INVALID_FIELD,
	GEN_LINE_TOO_LONG,
	GEN_MALFORMED_COUNT
};
static const char *const gen_malformed_names[GEN_MALFORMED_COUNT] = {
	"not_json", "not_object", "missing_ts", "invalid_ts", "missing_type", "unknown_type",
	"missing_actor", "invalid_actor", "invalid_utf8", "invalid_field", "line_too_long",
};

/* Populations of DOMAIN.md. */
enum gen_population { GEN_PEER, GEN_EXECUTIVE, GEN_INFLUENCER, GEN_CLIENT };

/* The generator's view of a relationship, to keep sequences plausible. */
#define GEN_FOLLOWS_ME 0x01
#define GEN_I_FOLLOW 0x02
#define GEN_PENDING 0x04
#define GEN_CONNECTED 0x08

/* Truth registers, in the daemon's sense (contact.h). */
enum { GEN_REG_FOLLOWER, GEN_REG_TARGET, GEN_REG_CONNECTED, GEN_REG_PENDING, GEN_REG_COUNT };

struct gen_contact {
	uint32_t counts[EVENT_TYPE_COUNT];
	int64_t reg_ts[GEN_REG_COUNT];
	uint8_t reg_on;  /* bit per register */
	uint8_t state;   /* GEN_FOLLOWS_ME, ... as the generator told it, in line order */
	uint8_t seen;
};

struct gen_options {
	uint64_t seed;
	uint64_t events;
	uint32_t contacts;
	uint32_t accounts;
	int64_t start_ms;
	double days;
	double malformed;
	size_t long_lines;
	double ids;
	double duplicates;
	const char *output;
	const char *truth;
	int sorted;
	uint64_t snapshot_every;
};

/* A line under construction; grows as needed. */
struct gen_line {
	char *p;
	size_t len;
	size_t cap;
};

/* Re-emitted lines wait in a ring indexed by the event number they are due at. */
#define GEN_DUP_RING 512
#define GEN_DUP_MAX_DELAY (GEN_DUP_RING - 12)

struct gen_account {
	int64_t followers, connections;  /* base, plus the generator's state counts */
	int64_t snapshot_ts;
	int64_t truth_followers, truth_connections;
	int has_snapshot;
};

struct gen {
	struct gen_options opt;
	uint64_t rng[4];
	FILE *out;
	struct gen_line line;
	struct gen_line dup_ring[GEN_DUP_RING];
	struct gen_contact *contacts;
	struct gen_account *accounts;
	uint32_t introduced;
	uint64_t index;            /* the valid event being generated */
	uint64_t malformed_seq;
	/* truth totals */
	uint64_t accepted, rejected, duplicate;
	uint64_t accepted_by_type[EVENT_TYPE_COUNT];
	uint64_t rejected_by_reason[GEN_MALFORMED_COUNT];
	/* cached date prefix for time formatting */
	int64_t cached_day;
	char cached_date[11];
};

/* --- Randomness. --- */

static uint64_t gen_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A bijective hash of one value: different inputs never collide. */
static uint64_t gen_mix(uint64_t seed, uint64_t v)
{
	uint64_t x = seed * 0xD1B54A32D192ED03ull + v;
	return gen_splitmix(&x);
}

static uint64_t gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t gen_next(struct gen *g)
{
	uint64_t *s = g->rng;
	uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return result;
}

static uint64_t gen_below(struct gen *g, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)gen_next(g) * n) >> 64);
}

static double gen_unit(struct gen *g)
{
	return (double)(gen_next(g) >> 11) * 0x1p-53;
}

static int gen_chance(struct gen *g, double p)
{
	return gen_unit(g) < p;
}

/* --- Tables. Strings are stored JSON-escaped, ready to be copied into a line. --- */

static const char *const gen_first_names[] = {
	"Anna", "Ben", "Chloé", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
	"Zoë", "José", "Łukasz", "Maria", "Nikolai", "Olga", "Priya", "Quentin", "Rosa", "Søren",
	"Tomás", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zeynep", "Amélie", "Björn", "Chen",
	"Dário", "Émile", "Fatima", "Gökhan", "Hannah", "Ivan", "Jürgen", "Kateřina", "Liam", "Mei",
};
static const char *const gen_last_names[] = {
	"Smith", "Müller", "García", "Nowak", "Rossi", "Dubois", "Kowalski", "Jensen", "Silva",
	"Tanaka", "Nguyễn", "O'Brien", "Schmidt", "Fernández", "Novák", "Lindqvist", "Okafor",
	"Patel", "Haddad", "Ivanova", "Kim", "López", "Brennan", "Çelik", "Żuławski", "Moreau",
	"Andersson", "Costa", "Weiß", "Yılmaz",
};
static const char *const gen_headlines[][4] = {
	[GEN_PEER] = { "Software Engineer at Initech", "Product Designer", "Data Analyst | SQL, Python",
	               "Engineering Manager at Globex" },
	[GEN_EXECUTIVE] = { "Chief Operating Officer at Northwind", "CEO & Founder, Acme Corp",
	                    "VP Sales EMEA", "Chief Technology Officer at Umbrella" },
	[GEN_INFLUENCER] = { "Author | Speaker | Top Voice in B2B Sales",
	                     "I help founders grow on LinkedIn", "Podcast host \\u2022 Growth marketer",
	                     "Writing about leadership every weekday" },
	[GEN_CLIENT] = { "Head of Procurement at Contoso", "Director of Operations, Fabrikam",
	                 "IT Manager at Tailspin Toys", "Buyer \\u2014 Wide World Importers" },
};
static const char *const gen_titles[] = {
	"Why warm outreach beats cold pitching",
	"5 lessons from 10 years of B2B sales",
	"The follower:connection ratio, explained",
	"What I learned shipping a daemon in C",
	"\\\"Don't pitch cold\\\": a field guide",
	"Hiring: senior engineers (remote, EU)",
	"Q3 in numbers \\u2014 thank you all",
	"Notes from the conference in Kraków",
};
static const char *const gen_fragments[] = {
	"Great point!",
	"I couldn't agree more.",
	"This is exactly what we saw at our company last quarter.",
	"\\\"Warm outreach\\\" beats cold pitching every time.",
	"Two thoughts:\\n1. timing\\n2. tone",
	"Caf\\u00e9 chats > cold DMs.",
	"Zoë here \\u2014 thanks for sharing!",
	"🚀🚀",
	"\\ud83d\\udc4f",
	"Path to the deck: C:\\\\Users\\\\demo\\\\deck.pdf",
	"tab\\tseparated\\tvalues",
	"Merci beaucoup, très utile.",
	"Dziękuję! Świetny post.",
	"これは素晴らしい投稿です。",
	"Would love to hear more about how you measured this.",
	"Saved for later.",
	"We tried this with a 3-week warm-up and acceptance went from 28% to 41%.",
	"Curious: does this hold for enterprise buyers too?",
	"100% this. Consistency compounds.",
	"Sharing with my team \\u2192 thanks!",
	"Congrats on the launch 🎉",
	"Hard disagree on point 3, but the rest is spot on.",
	"Thanks!",
	"+1",
	"So true.",
	"Love this 👏",
	"Well said, Zoë.",
	"Bookmarked.",
	"Spot on.",
	"Great read!",
	"Interesting take.",
	"Agreed.",
};
static const char *const gen_reactions[] = {
	"like", "celebrate", "support", "love", "insightful", "funny",
};

/* --- Output. --- */

static void gen_reserve(struct gen_line *l, size_t extra)
{
	if (l->len + extra <= l->cap)
		return;
	while (l->cap < l->len + extra)
		l->cap = l->cap ? l->cap * 2 : 4096;
	l->p = xrealloc(l->p, l->cap);
}

static void gen_put(struct gen_line *l, const char *s, size_t n)
{
	gen_reserve(l, n);
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void gen_puts(struct gen_line *l, const char *s)
{
	gen_put(l, s, strlen(s));
}

static void gen_put_char(struct gen_line *l, char c)
{
	gen_reserve(l, 1);
	l->p[l->len++] = c;
}

static void gen_put_u64(struct gen_line *l, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gen_put(l, tmp + sizeof(tmp) - n, n);
}

static void gen_put_digits(struct gen_line *l, unsigned v, int width)
{
	gen_reserve(l, (size_t)width);
	for (int i = width - 1; i >= 0; i--) {
		l->p[l->len + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	l->len += (size_t)width;
}

static void gen_put_hex(struct gen_line *l, uint64_t v, int width)
{
	static const char hex[] = "0123456789abcdef";
	gen_reserve(l, (size_t)width);
	for (int i = width - 1; i >= 0; i--) {
		l->p[l->len + (size_t)i] = hex[v & 15];
		v >>= 4;
	}
	l->len += (size_t)width;
}

/* ,"key":"value" with value already escaped. */
static void gen_put_kv(struct gen_line *l, const char *key, const char *value)
{
	gen_put_char(l, ',');
	gen_put_char(l, '"');
	gen_puts(l, key);
	gen_put(l, "\":\"", 3);
	gen_puts(l, value);
	gen_put_char(l, '"');
}

static void gen_put_kv_u64(struct gen_line *l, const char *key, uint64_t v)
{
	gen_put_char(l, ',');
	gen_put_char(l, '"');
	gen_puts(l, key);
	gen_put(l, "\":", 2);
	gen_put_u64(l, v);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void gen_civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* "2026-10-01T00:00:02.592" for ms since the epoch (>= 0), without the zone. */
static void gen_put_local_time(struct gen *g, struct gen_line *l, int64_t ms)
{
	int64_t day = ms / 86400000;
	int64_t in_day = ms % 86400000;

	if (day != g->cached_day) {
		unsigned y, m, d;
		gen_civil_from_days(day, &y, &m, &d);
		snprintf(g->cached_date, sizeof(g->cached_date), "%04u-%02u-%02u", y % 10000u,
		         m % 100u, d % 100u);
		g->cached_day = day;
	}
	gen_put(l, g->cached_date, 10);
	gen_put_char(l, 'T');
	gen_put_digits(l, (unsigned)(in_day / 3600000), 2);
	gen_put_char(l, ':');
	gen_put_digits(l, (unsigned)(in_day / 60000 % 60), 2);
	gen_put_char(l, ':');
	gen_put_digits(l, (unsigned)(in_day / 1000 % 60), 2);
	gen_put_char(l, '.');
	gen_put_digits(l, (unsigned)(in_day % 1000), 3);
}

/*
 * "ts": mostly RFC 3339 UTC with milliseconds; some with a zone offset, and
 * (when numeric is allowed) some as Unix seconds with a decimal fraction.
 * Every form denotes exactly ts_ms.
 */
static void gen_put_ts(struct gen *g, struct gen_line *l, int64_t ts_ms, int numeric)
{
	uint64_t r = gen_below(g, 100);

	gen_put(l, "\"ts\":", 5);
	if (numeric && r < 5) {
		gen_put_u64(l, (uint64_t)(ts_ms / 1000));
		gen_put_char(l, '.');
		gen_put_digits(l, (unsigned)(ts_ms % 1000), 3);
		return;
	}
	gen_put_char(l, '"');
	if (r >= 5 && r < 10) {
		/* +02:00 or -05:00: the wall time shown is shifted by the offset. */
		int east = r < 8;
		gen_put_local_time(g, l, ts_ms + (east ? 2 : -5) * 3600000);
		gen_puts(l, east ? "+02:00\"" : "-05:00\"");
		return;
	}
	gen_put_local_time(g, l, ts_ms);
	gen_put(l, "Z\"", 2);
}

/* --- Contacts. --- */

static enum gen_population gen_population_of(const struct gen *g, uint32_t k)
{
	uint64_t r = gen_mix(g->opt.seed ^ 0x706f70, k) % 100;
	if (r < 5)
		return GEN_EXECUTIVE;
	if (r < 15)
		return GEN_INFLUENCER;
	if (r < 30)
		return GEN_CLIENT;
	return GEN_PEER;
}

/*
 * A bijection on 48 bits (xor-shifts and odd multipliers modulo 2^48), so
 * no two contacts share an id, and it fits 12 hex digits.
 */
static uint64_t gen_actor_id(const struct gen *g, uint32_t k)
{
	const uint64_t mask = (1ull << 48) - 1;
	uint64_t x = (k + gen_mix(g->opt.seed, 0xac7)) & mask;

	x ^= x >> 24;
	x = (x * 0x9E3779B97F4A7C15ull) & mask;
	x ^= x >> 21;
	x = (x * 0xBF58476D1CE4E5B9ull) & mask;
	x ^= x >> 24;
	return x;
}

static void gen_put_actor(const struct gen *g, struct gen_line *l, uint32_t k)
{
	gen_put(l, "urn:li:person:", 14);
	gen_put_hex(l, gen_actor_id(g, k), 12);
}

static uint32_t gen_account_of(const struct gen *g, uint32_t k)
{
	return k % g->opt.accounts;
}

/* "default" for the first account, "acct-N" for the others. */
static void gen_account_name(uint32_t a, char *out, size_t outlen)
{
	if (a == 0)
		snprintf(out, outlen, "default");
	else
		snprintf(out, outlen, "acct-%u", a);
}

static void gen_name(const struct gen *g, uint32_t k, char *out, size_t outlen)
{
	uint64_t h = gen_mix(g->opt.seed ^ 0x6e616d65, k);
	snprintf(out, outlen, "%s %s", gen_first_names[h % ARRAY_SIZE(gen_first_names)],
	         gen_last_names[(h >> 20) % ARRAY_SIZE(gen_last_names)]);
}

/* The profile hints of contact k: always the same values for the same contact. */
static void gen_put_profile(const struct gen *g, struct gen_line *l, uint32_t k, int full)
{
	enum gen_population pop = gen_population_of(g, k);
	uint64_t h = gen_mix(g->opt.seed ^ 0x70726f66, k);
	uint64_t hn = gen_mix(g->opt.seed ^ 0x6e616d65, k);
	uint64_t connections, followers;

	/* As gen_name(), without printf on the hot path. */
	gen_put(l, ",\"name\":\"", 9);
	gen_puts(l, gen_first_names[hn % ARRAY_SIZE(gen_first_names)]);
	gen_put_char(l, ' ');
	gen_puts(l, gen_last_names[(hn >> 20) % ARRAY_SIZE(gen_last_names)]);
	gen_put_char(l, '"');
	if (!full)
		return;
	gen_put_kv(l, "headline", gen_headlines[pop][h % 4]);
	switch (pop) {
	case GEN_EXECUTIVE:
		connections = 10000 + h % 20001;
		followers = 5000 + (h >> 16) % 45000;
		break;
	case GEN_INFLUENCER:
		connections = 500 + h % 4500;
		followers = 20000 + (h >> 16) % 480000;
		break;
	default:
		connections = 50 + h % 2950;
		followers = 10 + (h >> 16) % 1990;
		break;
	}
	gen_put_kv_u64(l, "actor_connections", connections);
	gen_put_kv_u64(l, "actor_followers", followers);
	gen_puts(l, pop == GEN_INFLUENCER ? ",\"creator\":true" : ",\"creator\":false");
	if (pop == GEN_CLIENT)
		gen_puts(l, ",\"tags\":[\"client\"]");
	else if ((h >> 40) % 20 == 0)
		gen_puts(l, ",\"tags\":[\"alumni\",\"conference-2026\"]");
}

/* --- Truth. --- */

static void gen_truth_flag(struct gen_contact *c, int reg, int64_t ts, int on)
{
	uint8_t bit = (uint8_t)(1u << reg);

	if (ts > c->reg_ts[reg]) {
		c->reg_ts[reg] = ts;
		c->reg_on = on ? (uint8_t)(c->reg_on | bit) : (uint8_t)(c->reg_on & ~bit);
	} else if (ts == c->reg_ts[reg] && !on) {
		c->reg_on &= (uint8_t)~bit;
	}
}

/* Replays one accepted event into the truth, by event time as the daemon must. */
static void gen_truth_apply(struct gen *g, uint32_t k, enum event_type type, int dir_out,
                            int64_t ts)
{
	struct gen_contact *c = &g->contacts[k];

	c->counts[type]++;
	c->seen = 1;
	switch (type) {
	case EVENT_FOLLOW:
	case EVENT_UNFOLLOW:
		gen_truth_flag(c, dir_out ? GEN_REG_TARGET : GEN_REG_FOLLOWER, ts,
		               type == EVENT_FOLLOW);
		break;
	case EVENT_CONNECT:
	case EVENT_INVITE_ACCEPTED:
		gen_truth_flag(c, GEN_REG_CONNECTED, ts, 1);
		gen_truth_flag(c, GEN_REG_PENDING, ts, 0);
		break;
	case EVENT_DISCONNECT:
		gen_truth_flag(c, GEN_REG_CONNECTED, ts, 0);
		break;
	case EVENT_INVITE_SENT:
		gen_truth_flag(c, GEN_REG_PENDING, ts, 1);
		break;
	case EVENT_INVITE_DECLINED:
	case EVENT_INVITE_WITHDRAWN:
		gen_truth_flag(c, GEN_REG_PENDING, ts, 0);
		break;
	default:
		break;
	}
}

static const char *gen_truth_relationship(const struct gen_contact *c)
{
	int on_follower = c->reg_on & (1u << GEN_REG_FOLLOWER);
	int on_target = c->reg_on & (1u << GEN_REG_TARGET);

	if (c->reg_on & (1u << GEN_REG_CONNECTED))
		return "connected";
	if (c->reg_on & (1u << GEN_REG_PENDING))
		return "pending";
	if (on_follower && on_target)
		return "mutual";
	if (on_follower)
		return "follower";
	return on_target ? "target" : "none";
}

static int gen_write_truth(struct gen *g)
{
	struct buf b = { 0 };
	struct json *j = json_new(&b, 0);
	struct gen_line key = { 0 };
	char name[96];
	FILE *f;
	int rc = 0;

	json_object_open(j);
	json_kv_int(j, "lines", (int64_t)(g->accepted + g->rejected + g->duplicate));
	json_kv_int(j, "accepted", (int64_t)g->accepted);
	json_kv_int(j, "rejected", (int64_t)g->rejected);
	json_kv_int(j, "duplicate", (int64_t)g->duplicate);
	json_key(j, "accepted_by_type");
	json_object_open(j);
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		if (g->accepted_by_type[t])
			json_kv_int(j, gen_type_names[t], (int64_t)g->accepted_by_type[t]);
	json_object_close(j);
	json_key(j, "rejected_by_reason");
	json_object_open(j);
	for (int r = 0; r < GEN_MALFORMED_COUNT; r++)
		if (g->rejected_by_reason[r])
			json_kv_int(j, gen_malformed_names[r], (int64_t)g->rejected_by_reason[r]);
	json_object_close(j);
	json_key(j, "accounts");
	json_object_open(j);
	for (uint32_t a = 0; a < g->opt.accounts; a++) {
		if (!g->accounts[a].has_snapshot)
			continue;
		gen_account_name(a, name, sizeof(name));
		json_key(j, name);
		json_object_open(j);
		json_kv_int(j, "followers", g->accounts[a].truth_followers);
		json_kv_int(j, "connections", g->accounts[a].truth_connections);
		json_object_close(j);
	}
	json_object_close(j);
	json_key(j, "contacts");
	json_object_open(j);
	for (uint32_t k = 0; k < g->opt.contacts; k++) {
		const struct gen_contact *c = &g->contacts[k];
		if (!c->seen)
			continue;
		/* The key is "<account>\t<actor>", as a test builds it from export lines. */
		key.len = 0;
		gen_account_name(gen_account_of(g, k), name, sizeof(name));
		gen_puts(&key, name);
		gen_put_char(&key, '\t');
		gen_put_actor(g, &key, k);
		gen_put_char(&key, '\0');
		json_key(j, key.p);
		json_object_open(j);
		gen_name(g, k, name, sizeof(name));
		json_kv_str(j, "name", name);
		json_kv_str(j, "relationship", gen_truth_relationship(c));
		json_key(j, "counts");
		json_object_open(j);
		for (int t = 0; t < EVENT_TYPE_COUNT; t++)
			if (c->counts[t])
				json_kv_int(j, gen_type_names[t], c->counts[t]);
		json_object_close(j);
		json_object_close(j);
	}
	json_object_close(j);
	json_object_close(j);
	json_free(j);
	free(key.p);
	buf_append(&b, "\n", 1);

	f = fopen(g->opt.truth, "w");
	if (f == NULL) {
		rc = -1;
	} else {
		if (fwrite(b.data, 1, b.len, f) != b.len)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc < 0)
		fprintf(stderr, "warmth-gen: %s: %s\n", g->opt.truth, strerror(errno));
	buf_free(&b);
	return rc;
}

/* --- Lines. --- */

static void gen_emit(struct gen *g, const struct gen_line *l)
{
	if (fwrite(l->p, 1, l->len, g->out) != l->len) {
		fprintf(stderr, "warmth-gen: write: %s\n", strerror(errno));
		exit(1);
	}
}

/* One of my recent posts (two a day over the run), or one of theirs for dir out. */
static uint64_t gen_post_number(struct gen *g, int dir_out)
{
	uint64_t latest = 1 + (uint64_t)(g->opt.days * 2 * (double)g->index / (double)g->opt.events);
	uint64_t back = gen_below(g, 4) ? gen_below(g, 3) : gen_below(g, 12);

	if (dir_out)
		return 10000 + gen_below(g, 90000);
	return latest > back ? latest - back : 1;
}

static void gen_put_text(struct gen *g, struct gen_line *l)
{
	/* Mostly one or two fragments; a few texts are long enough to be truncated (> 280 bytes). */
	uint64_t n = gen_chance(g, 0.02) ? 9 + gen_below(g, 8) : 1 + (uint64_t)gen_chance(g, 0.1);

	gen_put(l, ",\"text\":\"", 9);
	for (uint64_t i = 0; i < n; i++) {
		if (i)
			gen_put_char(l, ' ');
		gen_puts(l, gen_fragments[gen_below(g, ARRAY_SIZE(gen_fragments))]);
	}
	gen_put_char(l, '"');
}

/*
 * What contact k does next. The first event introduces the contact with a
 * follow; relationship steps follow the generator's own state so that an
 * acceptance answers an invitation and so on.
 */
static enum event_type gen_pick_relationship(struct gen *g, struct gen_contact *c, int *dir_out)
{
	uint8_t s = c->state;
	uint64_t r = gen_below(g, 100);

	*dir_out = 0;
	if (s & GEN_CONNECTED) {
		if (r < 5)
			return EVENT_DISCONNECT;
		if (!(s & GEN_FOLLOWS_ME))
			return EVENT_FOLLOW;
		return EVENT_LIKE;
	}
	if (s & GEN_PENDING) {
		if (r < 55)
			return EVENT_INVITE_ACCEPTED;
		if (r < 80)
			return *dir_out = 1, EVENT_INVITE_WITHDRAWN;
		return EVENT_INVITE_DECLINED;
	}
	if ((s & GEN_FOLLOWS_ME) && (s & GEN_I_FOLLOW)) {
		if (r < 50)
			return *dir_out = 1, EVENT_INVITE_SENT;
		if (r < 65)
			return EVENT_CONNECT;
		if (r < 80)
			return EVENT_UNFOLLOW;
		return *dir_out = 1, EVENT_UNFOLLOW;
	}
	if (s & GEN_FOLLOWS_ME) {
		if (r < 45)
			return *dir_out = 1, EVENT_INVITE_SENT;
		if (r < 60)
			return EVENT_CONNECT;
		if (r < 80)
			return *dir_out = 1, EVENT_FOLLOW;
		return EVENT_UNFOLLOW;
	}
	if (s & GEN_I_FOLLOW) {
		if (r < 40)
			return *dir_out = 1, EVENT_INVITE_SENT;
		if (r < 60)
			return EVENT_FOLLOW;
		return *dir_out = 1, EVENT_UNFOLLOW;
	}
	if (r < 70)
		return EVENT_FOLLOW;
	return *dir_out = 1, EVENT_FOLLOW;
}

/* Updates the generator's own view (line order) after an event. */
static void gen_track_state(struct gen *g, uint32_t k, enum event_type type, int dir_out)
{
	struct gen_contact *c = &g->contacts[k];
	struct gen_account *a = &g->accounts[gen_account_of(g, k)];
	uint8_t before = c->state;

	switch (type) {
	case EVENT_FOLLOW:
		c->state |= dir_out ? GEN_I_FOLLOW : GEN_FOLLOWS_ME;
		break;
	case EVENT_UNFOLLOW:
		c->state &= (uint8_t)~(dir_out ? GEN_I_FOLLOW : GEN_FOLLOWS_ME);
		break;
	case EVENT_CONNECT:
	case EVENT_INVITE_ACCEPTED:
		c->state = (uint8_t)((c->state | GEN_CONNECTED) & ~GEN_PENDING);
		break;
	case EVENT_DISCONNECT:
		c->state &= (uint8_t)~GEN_CONNECTED;
		break;
	case EVENT_INVITE_SENT:
		c->state |= GEN_PENDING;
		break;
	case EVENT_INVITE_DECLINED:
	case EVENT_INVITE_WITHDRAWN:
		c->state &= (uint8_t)~GEN_PENDING;
		break;
	default:
		break;
	}
	/* The account's own counts move with its contacts, for plausible snapshots. */
	a->followers += ((c->state & GEN_FOLLOWS_ME) != 0) - ((before & GEN_FOLLOWS_ME) != 0);
	a->connections += ((c->state & GEN_CONNECTED) != 0) - ((before & GEN_CONNECTED) != 0);
}

/*
 * The mix of what a known contact does next, in relative weights: likes
 * most, then profile views, comments, shares, replies, mentions, messages;
 * a relationship step (gen_pick_relationship) now and then.
 */
static const struct {
	enum event_type type;
	int dir_out;
	unsigned weight;
} gen_mix_table[] = {
	{ EVENT_LIKE, 0, 400 },    { EVENT_LIKE, 1, 40 },    { EVENT_PROFILE_VIEW, 0, 140 },
	{ EVENT_COMMENT, 0, 100 }, { EVENT_COMMENT, 1, 40 }, { EVENT_SHARE, 0, 55 },
	{ EVENT_REPLY, 0, 45 },    { EVENT_MENTION, 0, 35 }, { EVENT_MESSAGE, 0, 25 },
	{ EVENT_MESSAGE, 1, 10 },
};
#define GEN_RELATIONSHIP_WEIGHT 110

/*
 * A Zipf(1)-like rank in 0..n-1 with integers only (so no libm rounding can
 * change the output between machines): every power-of-two band of ranks
 * [2^b, 2^(b+1)) gets the same share, as under a 1/rank law, and within a
 * band rejection makes the weight 1/rank.
 */
static uint32_t gen_zipf(struct gen *g, uint32_t n)
{
	int top = 63 - __builtin_clzll(n);

	for (;;) {
		uint64_t low = 1ull << gen_below(g, (uint64_t)top + 1);
		uint64_t rank = low + gen_below(g, low);
		if (rank <= n && gen_below(g, rank) < low)
			return (uint32_t)(rank - 1);
	}
}

static uint32_t gen_pick_contact(struct gen *g, int *intro)
{
	uint64_t due;

	/* Contacts are introduced at an even pace, so the last one arrives with the last event. */
	due = g->opt.contacts >= g->opt.events
	              ? g->index + 1
	              : (uint64_t)((unsigned __int128)(g->index + 1) * g->opt.contacts /
	                           g->opt.events);
	if (g->introduced < g->opt.contacts && (g->introduced == 0 || g->introduced < due)) {
		*intro = 1;
		return g->introduced++;
	}
	*intro = 0;
	/* The earliest contacts are the most active: rank is the order of introduction. */
	return gen_zipf(g, g->introduced);
}

/* Starts a line with "{", the time, type and actor, in one of two key orders. */
static void gen_begin_event(struct gen *g, struct gen_line *l, int64_t ts, enum event_type type,
                            uint32_t k, int numeric_ts)
{
	l->len = 0;
	gen_put_char(l, '{');
	if (gen_below(g, 20) == 0) {
		/* Keys in another order: the format does not fix one. */
		gen_put(l, "\"type\":\"", 8);
		gen_puts(l, gen_type_names[type]);
		gen_put(l, "\",\"actor\":\"", 11);
		gen_put_actor(g, l, k);
		gen_put(l, "\",", 2);
		gen_put_ts(g, l, ts, numeric_ts);
		return;
	}
	gen_put_ts(g, l, ts, numeric_ts);
	gen_put(l, ",\"type\":\"", 9);
	gen_puts(l, gen_type_names[type]);
	gen_put(l, "\",\"actor\":\"", 11);
	gen_put_actor(g, l, k);
	gen_put_char(l, '"');
}

static void gen_put_account(struct gen *g, struct gen_line *l, uint32_t a)
{
	char name[32];

	/* The default account is usually implicit, sometimes spelled out. */
	if (a == 0 && gen_below(g, 10) != 0)
		return;
	gen_account_name(a, name, sizeof(name));
	gen_put_kv(l, "account", name);
}

static void gen_put_id(struct gen *g, struct gen_line *l, const char *prefix, uint64_t n)
{
	gen_put(l, ",\"id\":\"", 7);
	gen_puts(l, prefix);
	gen_put_u64(l, g->opt.seed);
	gen_put_char(l, '-');
	gen_put_u64(l, n);
	gen_put_char(l, '"');
}

/* Queues a copy of the current line to be emitted again a little later. */
static void gen_schedule_duplicate(struct gen *g, const struct gen_line *l)
{
	uint64_t due = g->index + 1 + gen_below(g, GEN_DUP_MAX_DELAY);
	gen_put(&g->dup_ring[due % GEN_DUP_RING], l->p, l->len);
}

static void gen_flush_duplicates(struct gen *g, uint64_t index)
{
	struct gen_line *slot = &g->dup_ring[index % GEN_DUP_RING];

	if (slot->len == 0)
		return;
	for (size_t i = 0; i < slot->len; i++)
		g->duplicate += slot->p[i] == '\n';
	gen_emit(g, slot);
	slot->len = 0;
}

static void gen_event(struct gen *g, int64_t base_ts)
{
	struct gen_line *l = &g->line;
	enum event_type type = EVENT_LIKE;
	int dir_out = 0, intro;
	uint32_t k = gen_pick_contact(g, &intro);
	struct gen_contact *c = &g->contacts[k];
	int64_t ts = base_ts;
	int engagement, has_id;

	if (intro) {
		dir_out = gen_below(g, 4) == 0;
		type = EVENT_FOLLOW;
	} else {
		uint64_t total = GEN_RELATIONSHIP_WEIGHT, r;
		size_t i;
		for (i = 0; i < ARRAY_SIZE(gen_mix_table); i++)
			total += gen_mix_table[i].weight;
		r = gen_below(g, total);
		for (i = 0; i < ARRAY_SIZE(gen_mix_table) && r >= gen_mix_table[i].weight; i++)
			r -= gen_mix_table[i].weight;
		if (i < ARRAY_SIZE(gen_mix_table)) {
			type = gen_mix_table[i].type;
			dir_out = gen_mix_table[i].dir_out;
		} else {
			type = gen_pick_relationship(g, c, &dir_out);
		}
		/*
		 * Collectors deliver some events late: their time is before the
		 * lines around them, by up to 6 hours (one in ten by up to 3 days).
		 */
		if (!g->opt.sorted && gen_chance(g, 0.03)) {
			uint64_t window = gen_chance(g, 0.1) ? 3 * 86400000 : 6 * 3600000;
			ts = base_ts - 1000 - (int64_t)gen_below(g, window);
		}
	}
	engagement = type >= EVENT_LIKE && type <= EVENT_PROFILE_VIEW;

	/* Unix seconds with a 3-digit fraction denote the millisecond exactly, as RFC 3339 does. */
	gen_begin_event(g, l, ts, type, k, 1);
	if (dir_out)
		gen_puts(l, ",\"dir\":\"out\"");
	else if (gen_below(g, 50) == 0)
		gen_puts(l, ",\"dir\":\"in\"");
	gen_put_account(g, l, gen_account_of(g, k));
	has_id = gen_chance(g, g->opt.ids);
	if (has_id)
		gen_put_id(g, l, "e", g->index);
	if (engagement && type != EVENT_PROFILE_VIEW && type != EVENT_MESSAGE) {
		uint64_t post = gen_post_number(g, dir_out);
		gen_put(l, ",\"post\":\"p-", 11);
		gen_put_u64(l, post);
		gen_put_char(l, '"');
		if (gen_chance(g, 0.08))
			gen_put_kv(l, "title", gen_titles[post % ARRAY_SIZE(gen_titles)]);
	}
	if (type == EVENT_LIKE && gen_chance(g, 0.2))
		gen_put_kv(l, "reaction", gen_reactions[gen_below(g, ARRAY_SIZE(gen_reactions))]);
	if (type == EVENT_COMMENT || type == EVENT_REPLY || type == EVENT_MESSAGE ||
	    type == EVENT_MENTION || (type == EVENT_SHARE && gen_chance(g, 0.4)))
		gen_put_text(g, l);
	if (intro || gen_chance(g, 0.01))
		gen_put_profile(g, l, k, 1);
	else if (gen_chance(g, 0.15))
		gen_put_profile(g, l, k, 0);
	gen_put(l, "}\n", 2);
	gen_emit(g, l);

	gen_track_state(g, k, type, dir_out);
	gen_truth_apply(g, k, type, dir_out, ts);
	g->accepted++;
	g->accepted_by_type[type]++;
	if (has_id && gen_chance(g, g->opt.duplicates))
		gen_schedule_duplicate(g, l);
}

static void gen_snapshot(struct gen *g, int64_t base_ts, uint64_t n)
{
	struct gen_line *l = &g->line;
	uint32_t a = (uint32_t)(n % g->opt.accounts);
	struct gen_account *acc = &g->accounts[a];
	char name[32];
	/* Strictly increasing per account, so "the newest snapshot" is never a tie. */
	int64_t ts = base_ts > acc->snapshot_ts ? base_ts : acc->snapshot_ts + 1;

	l->len = 0;
	gen_put_char(l, '{');
	gen_put_ts(g, l, ts, 0);
	gen_puts(l, ",\"type\":\"snapshot\"");
	gen_account_name(a, name, sizeof(name));
	gen_put_kv(l, "account", name);
	if (gen_chance(g, g->opt.ids))
		gen_put_id(g, l, "s", n);
	gen_put_kv_u64(l, "followers", (uint64_t)acc->followers);
	gen_put_kv_u64(l, "connections", (uint64_t)acc->connections);
	gen_put(l, "}\n", 2);
	gen_emit(g, l);

	acc->snapshot_ts = ts;
	acc->has_snapshot = 1;
	acc->truth_followers = acc->followers;
	acc->truth_connections = acc->connections;
	g->accepted++;
	g->accepted_by_type[EVENT_SNAPSHOT]++;
}

/*
 * Malformed lines, by kind, each with exactly one defect. In a template,
 * \1 stands for a valid "ts" member, \2 for a valid actor and \3 for an
 * actor far over 256 bytes.
 */
static const struct {
	enum gen_malformed kind;
	const char *line;
} gen_malformed_lines[] = {
	{ GEN_NOT_JSON, "{\1,\"type\":\"like\",\"actor\":\"\2" }, /* cut off inside a string */
	{ GEN_NOT_JSON, "this is not json" },
	{ GEN_NOT_JSON, "{\"ts\" \"2026-10-01T00:00:00Z\", \"type\": \"like\"}" },
	{ GEN_NOT_OBJECT, "[\"like\",\"\2\"]" },
	{ GEN_NOT_OBJECT, "42" },
	{ GEN_NOT_OBJECT, "\"just a string\"" },
	{ GEN_NOT_OBJECT, "null" },
	{ GEN_MISSING_TS, "{\"type\":\"like\",\"actor\":\"\2\",\"post\":\"p-1\"}" },
	{ GEN_INVALID_TS, "{\"ts\":\"yesterday\",\"type\":\"like\",\"actor\":\"\2\"}" },
	{ GEN_INVALID_TS, "{\"ts\":\"2026-02-30T10:00:00Z\",\"type\":\"like\",\"actor\":\"\2\"}" },
	{ GEN_INVALID_TS, "{\"ts\":\"2026-10-01T25:00:00Z\",\"type\":\"like\",\"actor\":\"\2\"}" },
	{ GEN_INVALID_TS, "{\"ts\":\"2026-10-01\",\"type\":\"like\",\"actor\":\"\2\"}" },
	{ GEN_MISSING_TYPE, "{\1,\"actor\":\"\2\"}" },
	{ GEN_UNKNOWN_TYPE, "{\1,\"type\":\"endorse\",\"actor\":\"\2\"}" },
	{ GEN_UNKNOWN_TYPE, "{\1,\"type\":\"poke\",\"actor\":\"\2\"}" },
	{ GEN_MISSING_ACTOR, "{\1,\"type\":\"comment\",\"post\":\"p-1\",\"text\":\"who said this?\"}" },
	{ GEN_INVALID_ACTOR, "{\1,\"type\":\"like\",\"actor\":\"\"}" },
	{ GEN_INVALID_ACTOR, "{\1,\"type\":\"like\",\"actor\":\"urn:li:person:\\u0007bell\"}" },
	{ GEN_INVALID_ACTOR, "{\1,\"type\":\"like\",\"actor\":12345}" },
	{ GEN_INVALID_ACTOR, "{\1,\"type\":\"like\",\"actor\":\"\3\"}" },
	{ GEN_INVALID_UTF8, "{\1,\"type\":\"comment\",\"actor\":\"\2\",\"text\":\"caf\xc3\"}" },
	{ GEN_INVALID_UTF8, "{\1,\"type\":\"comment\",\"actor\":\"\2\",\"text\":\"\xff\xfe\"}" },
	{ GEN_INVALID_UTF8, "{\1,\"type\":\"comment\",\"actor\":\"\2\",\"text\":\"\xc0\xaf overlong\"}" },
	{ GEN_INVALID_UTF8, "{\1,\"type\":\"comment\",\"actor\":\"\2\",\"text\":\"\xed\xa0\x80 surrogate\"}" },
	{ GEN_INVALID_FIELD, "{\1,\"type\":\"like\",\"actor\":\"\2\",\"dir\":\"sideways\"}" },
	{ GEN_INVALID_FIELD, "{\1,\"type\":\"like\",\"actor\":\"\2\",\"actor_connections\":\"many\"}" },
	{ GEN_INVALID_FIELD, "{\1,\"type\":\"like\",\"actor\":\"\2\",\"creator\":\"yes\"}" },
	{ GEN_INVALID_FIELD, "{\1,\"type\":\"like\",\"actor\":\"\2\",\"tags\":\"client\"}" },
	{ GEN_INVALID_FIELD, "{\1,\"type\":\"like\",\"actor\":\"\2\",\"id\":\"\"}" },
};

/*
 * Emits one malformed line, rotating through the kinds (and through the
 * variants of each) so every reject reason shows up.
 */
static void gen_malformed(struct gen *g, int64_t ts)
{
	struct gen_line *l = &g->line;
	uint64_t nkinds = g->opt.long_lines ? GEN_MALFORMED_COUNT : GEN_MALFORMED_COUNT - 1;
	enum gen_malformed kind = (enum gen_malformed)(g->malformed_seq % nkinds);
	uint64_t variant = g->malformed_seq / nkinds;
	uint32_t k = g->introduced ? (uint32_t)gen_below(g, g->introduced) : 0;
	const char *tmpl = NULL;
	size_t nvariants = 0;

	g->malformed_seq++;
	l->len = 0;
	if (kind == GEN_LINE_TOO_LONG) {
		/* A well-formed event, padded in its text to exactly --long-lines bytes. */
		gen_begin_event(g, l, ts, EVENT_COMMENT, k, 0);
		gen_puts(l, ",\"text\":\"");
		while (l->len + 2 < g->opt.long_lines)
			gen_put_char(l, 'x');
		gen_put(l, "\"}", 2);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(gen_malformed_lines); i++)
			nvariants += gen_malformed_lines[i].kind == kind;
		variant %= nvariants;
		for (size_t i = 0; tmpl == NULL; i++)
			if (gen_malformed_lines[i].kind == kind && variant-- == 0)
				tmpl = gen_malformed_lines[i].line;
		for (const char *p = tmpl; *p; p++) {
			if (*p == '\1') {
				gen_put_ts(g, l, ts, 0);
			} else if (*p == '\2') {
				gen_put_actor(g, l, k);
			} else if (*p == '\3') {
				for (int i = 0; i < 12; i++)
					gen_put_actor(g, l, k);
			} else {
				gen_put_char(l, *p);
			}
		}
	}
	gen_put_char(l, '\n');
	gen_emit(g, l);
	g->rejected++;
	g->rejected_by_reason[kind]++;
}

/* --- Options. --- */

static void gen_usage(FILE *f)
{
	fprintf(f,
	        "usage: warmth-gen [options]\n"
	        "Writes a deterministic engagement log (JSON Lines, INTERFACE.md format v1).\n"
	        "\n"
	        "  --seed N             random seed (default 1)\n"
	        "  --events N           distinct valid events, snapshots excluded (default 10000)\n"
	        "  --contacts N         people in the network (default 1000)\n"
	        "  --accounts N         accounts: \"default\", \"acct-1\", ... (default 1)\n"
	        "  --start TIME         RFC 3339 time of the first event (default 2026-10-01T00:00:00Z)\n"
	        "  --days D             span of event time in days (default 60)\n"
	        "  --malformed RATE     fraction 0..1 of all lines that are malformed (default 0)\n"
	        "  --long-lines N       also emit lines of exactly N bytes among the malformed;\n"
	        "                       N must exceed the daemon's ingest.max_line_bytes (default 1MiB)\n"
	        "  --ids RATE           fraction of events carrying an \"id\" (default 1)\n"
	        "  --duplicates RATE    fraction of events with an id emitted again later (default 0)\n"
	        "  --sorted             lines in event-time order (default: ~3%% arrive late)\n"
	        "  --snapshot-every N   a snapshot event after every N events (default 0: none)\n"
	        "  -o, --output FILE    where to write the events (default stdout)\n"
	        "  --truth FILE         write the expected result as one JSON object:\n"
	        "                       lines, accepted, rejected, duplicate, accepted_by_type,\n"
	        "                       rejected_by_reason, accounts (newest snapshot), and contacts\n"
	        "                       keyed \"ACCOUNT<TAB>ACTOR\" with name, relationship, counts\n"
	        "  -h, --help           this help\n");
}

static int gen_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '-' || *s == '\0')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int gen_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

static int gen_parse_options(int argc, char **argv, struct gen_options *o)
{
	enum { OPT_SEED = 256, OPT_EVENTS, OPT_CONTACTS, OPT_ACCOUNTS, OPT_START, OPT_DAYS,
	       OPT_MALFORMED, OPT_LONG, OPT_IDS, OPT_DUPLICATES, OPT_TRUTH, OPT_SORTED, OPT_SNAPSHOT };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "contacts", required_argument, NULL, OPT_CONTACTS },
		{ "accounts", required_argument, NULL, OPT_ACCOUNTS },
		{ "start", required_argument, NULL, OPT_START },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "malformed", required_argument, NULL, OPT_MALFORMED },
		{ "long-lines", required_argument, NULL, OPT_LONG },
		{ "ids", required_argument, NULL, OPT_IDS },
		{ "duplicates", required_argument, NULL, OPT_DUPLICATES },
		{ "output", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "sorted", no_argument, NULL, OPT_SORTED },
		{ "snapshot-every", required_argument, NULL, OPT_SNAPSHOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *start = "2026-10-01T00:00:00Z";
	uint64_t v;
	int ch, bad;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->events = 10000;
	o->contacts = 1000;
	o->accounts = 1;
	o->days = 60;
	o->ids = 1;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		bad = 0;
		switch (ch) {
		case OPT_SEED:
			bad = gen_parse_u64(optarg, 0, UINT64_MAX, &o->seed);
			break;
		case OPT_EVENTS:
			bad = gen_parse_u64(optarg, 0, (uint64_t)1 << 40, &o->events);
			break;
		case OPT_CONTACTS:
			bad = gen_parse_u64(optarg, 1, 100000000, &v);
			o->contacts = (uint32_t)v;
			break;
		case OPT_ACCOUNTS:
			bad = gen_parse_u64(optarg, 1, 10000, &v);
			o->accounts = (uint32_t)v;
			break;
		case OPT_START:
			start = optarg;
			break;
		case OPT_DAYS:
			bad = gen_parse_double(optarg, 0.001, 36500, &o->days);
			break;
		case OPT_MALFORMED:
			bad = gen_parse_double(optarg, 0, 1, &o->malformed);
			break;
		case OPT_LONG:
			bad = gen_parse_u64(optarg, 256, (uint64_t)1 << 30, &v);
			o->long_lines = (size_t)v;
			break;
		case OPT_IDS:
			bad = gen_parse_double(optarg, 0, 1, &o->ids);
			break;
		case OPT_DUPLICATES:
			bad = gen_parse_double(optarg, 0, 1, &o->duplicates);
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_TRUTH:
			o->truth = optarg;
			break;
		case OPT_SORTED:
			o->sorted = 1;
			break;
		case OPT_SNAPSHOT:
			bad = gen_parse_u64(optarg, 0, UINT64_MAX, &o->snapshot_every);
			break;
		case 'h':
			gen_usage(stdout);
			exit(0);
		default:
			gen_usage(stderr);
			return -1;
		}
		if (bad) {
			const char *name = "?";
			for (const struct option *lo = longopts; lo->name != NULL; lo++)
				if (lo->val == ch)
					name = lo->name;
			fprintf(stderr, "warmth-gen: invalid value for --%s: %s\n", name, optarg);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "warmth-gen: unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	if (time_parse_rfc3339(start, strlen(start), &o->start_ms) < 0 || o->start_ms < 0) {
		fprintf(stderr, "warmth-gen: invalid value for --start: %s (want RFC 3339)\n", start);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 20];
	struct gen_options opt;
	struct gen *g;
	uint64_t seed_state;
	int64_t span_ms;
	int rc = 0;

	if (gen_parse_options(argc, argv, &opt) < 0)
		return 2;
	g = xcalloc(1, sizeof(*g));
	g->opt = opt;
	seed_state = g->opt.seed;
	for (int i = 0; i < 4; i++)
		g->rng[i] = gen_splitmix(&seed_state);
	g->cached_day = -1;
	g->contacts = xcalloc(g->opt.contacts, sizeof(*g->contacts));
	g->accounts = xcalloc(g->opt.accounts, sizeof(*g->accounts));
	for (uint32_t a = 0; a < g->opt.accounts; a++) {
		g->accounts[a].followers = 1200 + (int64_t)(gen_mix(g->opt.seed ^ 0x616363, a) % 4000);
		g->accounts[a].connections = 500 + (int64_t)(gen_mix(g->opt.seed ^ 0x636f6e, a) % 1500);
	}
	g->out = stdout;
	if (g->opt.output != NULL && (g->out = fopen(g->opt.output, "w")) == NULL) {
		fprintf(stderr, "warmth-gen: %s: %s\n", g->opt.output, strerror(errno));
		rc = 1;
		goto out;
	}
	setvbuf(g->out, outbuf, _IOFBF, sizeof(outbuf));
	span_ms = (int64_t)(g->opt.days * 86400000.0);

	if (g->opt.malformed >= 1.0) {
		for (uint64_t i = 0; i < g->opt.events; i++)
			gen_malformed(g, g->opt.start_ms + (int64_t)((double)span_ms * (double)i /
			                                             (double)g->opt.events));
	} else {
		/* Malformed lines between events: a geometric number each, so RATE is of all lines. */
		double p_malformed = g->opt.malformed;
		uint64_t nsnapshots = 0;
		for (g->index = 0; g->index < g->opt.events; g->index++) {
			double f = ((double)g->index + gen_unit(g)) / (double)g->opt.events;
			int64_t base_ts = g->opt.start_ms + (int64_t)(f * (double)span_ms);
			gen_flush_duplicates(g, g->index);
			while (p_malformed > 0 && gen_chance(g, p_malformed))
				gen_malformed(g, base_ts);
			gen_event(g, base_ts);
			if (g->opt.snapshot_every && (g->index + 1) % g->opt.snapshot_every == 0)
				gen_snapshot(g, base_ts, nsnapshots++);
		}
		for (uint64_t i = 0; i < GEN_DUP_RING; i++)
			gen_flush_duplicates(g, g->index + i);
	}
	if (fflush(g->out) != 0 || (g->out != stdout && fclose(g->out) != 0)) {
		fprintf(stderr, "warmth-gen: %s: %s\n", g->opt.output ? g->opt.output : "stdout",
		        strerror(errno));
		rc = 1;
	}
	if (rc == 0 && g->opt.truth != NULL && gen_write_truth(g) < 0)
		rc = 1;
out:
	free(g->line.p);
	for (int i = 0; i < GEN_DUP_RING; i++)
		free(g->dup_ring[i].p);
	free(g->contacts);
	free(g->accounts);
	free(g);
	return rc;
}
