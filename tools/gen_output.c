/*
 * gen_output.c - warmth-gen's building blocks: the random stream, the
 * tables of names and texts, line assembly by hand, and the pure
 * functions that derive a contact's profile from the seed and its index.
 */
#include "gen.h"

const char *const gen_type_names[EVENT_TYPE_COUNT] = {
	"follow", "unfollow", "connect", "disconnect", "invite_sent", "invite_accepted",
	"invite_declined", "invite_withdrawn", "like", "comment", "reply", "share", "mention",
	"message", "profile_view", "snapshot", "profile",
};

const char *const gen_malformed_names[GEN_MALFORMED_COUNT] = {
	"not_json", "not_object", "missing_ts", "invalid_ts", "missing_type", "unknown_type",
	"missing_actor", "invalid_actor", "invalid_utf8", "invalid_field", "line_too_long",
};

/* --- Randomness. --- */

uint64_t gen_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A bijective hash of one value: different inputs never collide. */
uint64_t gen_mix(uint64_t seed, uint64_t v)
{
	uint64_t x = seed * 0xD1B54A32D192ED03ull + v;
	return gen_splitmix(&x);
}

uint64_t gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t gen_next(struct gen *g)
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

uint64_t gen_below(struct gen *g, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)gen_next(g) * n) >> 64);
}

double gen_unit(struct gen *g)
{
	return (double)(gen_next(g) >> 11) * 0x1p-53;
}

int gen_chance(struct gen *g, double p)
{
	return gen_unit(g) < p;
}

/* --- Tables. Strings are stored JSON-escaped, ready to be copied into a line. --- */

const char *const gen_first_names[] = {
	"Anna", "Ben", "Chloé", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
	"Zoë", "José", "Łukasz", "Maria", "Nikolai", "Olga", "Priya", "Quentin", "Rosa", "Søren",
	"Tomás", "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zeynep", "Amélie", "Björn", "Chen",
	"Dário", "Émile", "Fatima", "Gökhan", "Hannah", "Ivan", "Jürgen", "Kateřina", "Liam", "Mei",
};
const char *const gen_last_names[] = {
	"Smith", "Müller", "García", "Nowak", "Rossi", "Dubois", "Kowalski", "Jensen", "Silva",
	"Tanaka", "Nguyễn", "O'Brien", "Schmidt", "Fernández", "Novák", "Lindqvist", "Okafor",
	"Patel", "Haddad", "Ivanova", "Kim", "López", "Brennan", "Çelik", "Żuławski", "Moreau",
	"Andersson", "Costa", "Weiß", "Yılmaz",
};
const char *const gen_headlines[][4] = {
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
const char *const gen_titles[] = {
	"Why warm outreach beats cold pitching",
	"5 lessons from 10 years of B2B sales",
	"The follower:connection ratio, explained",
	"What I learned shipping a daemon in C",
	"\\\"Don't pitch cold\\\": a field guide",
	"Hiring: senior engineers (remote, EU)",
	"Q3 in numbers \\u2014 thank you all",
	"Notes from the conference in Kraków",
};
const char *const gen_fragments[] = {
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
const char *const gen_reactions[] = {
	"like", "celebrate", "support", "love", "insightful", "funny",
};

/* Table sizes for the other files, which see the tables as incomplete arrays. */
const size_t gen_titles_count = ARRAY_SIZE(gen_titles);
const size_t gen_fragments_count = ARRAY_SIZE(gen_fragments);
const size_t gen_reactions_count = ARRAY_SIZE(gen_reactions);

/* --- Output. --- */

void gen_reserve(struct gen_line *l, size_t extra)
{
	if (l->len + extra <= l->cap)
		return;
	while (l->cap < l->len + extra)
		l->cap = l->cap ? l->cap * 2 : 4096;
	l->p = xrealloc(l->p, l->cap);
}

void gen_put(struct gen_line *l, const char *s, size_t n)
{
	gen_reserve(l, n);
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

void gen_puts(struct gen_line *l, const char *s)
{
	gen_put(l, s, strlen(s));
}

void gen_put_char(struct gen_line *l, char c)
{
	gen_reserve(l, 1);
	l->p[l->len++] = c;
}

void gen_put_u64(struct gen_line *l, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gen_put(l, tmp + sizeof(tmp) - n, n);
}

void gen_put_digits(struct gen_line *l, unsigned v, int width)
{
	gen_reserve(l, (size_t)width);
	for (int i = width - 1; i >= 0; i--) {
		l->p[l->len + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	l->len += (size_t)width;
}

void gen_put_hex(struct gen_line *l, uint64_t v, int width)
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
void gen_put_kv(struct gen_line *l, const char *key, const char *value)
{
	gen_put_char(l, ',');
	gen_put_char(l, '"');
	gen_puts(l, key);
	gen_put(l, "\":\"", 3);
	gen_puts(l, value);
	gen_put_char(l, '"');
}

void gen_put_kv_u64(struct gen_line *l, const char *key, uint64_t v)
{
	gen_put_char(l, ',');
	gen_put_char(l, '"');
	gen_puts(l, key);
	gen_put(l, "\":", 2);
	gen_put_u64(l, v);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
void gen_civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
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
void gen_put_local_time(struct gen *g, struct gen_line *l, int64_t ms)
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
void gen_put_ts(struct gen *g, struct gen_line *l, int64_t ts_ms, int numeric)
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

enum gen_population gen_population_of(const struct gen *g, uint32_t k)
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
uint64_t gen_actor_id(const struct gen *g, uint32_t k)
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

void gen_put_actor(const struct gen *g, struct gen_line *l, uint32_t k)
{
	gen_put(l, "urn:li:person:", 14);
	gen_put_hex(l, gen_actor_id(g, k), 12);
}

uint32_t gen_account_of(const struct gen *g, uint32_t k)
{
	return k % g->opt.accounts;
}

/* "default" for the first account, "acct-N" for the others. */
void gen_account_name(uint32_t a, char *out, size_t outlen)
{
	if (a == 0)
		snprintf(out, outlen, "default");
	else
		snprintf(out, outlen, "acct-%u", a);
}

void gen_name(const struct gen *g, uint32_t k, char *out, size_t outlen)
{
	uint64_t h = gen_mix(g->opt.seed ^ 0x6e616d65, k);
	snprintf(out, outlen, "%s %s", gen_first_names[h % ARRAY_SIZE(gen_first_names)],
	         gen_last_names[(h >> 20) % ARRAY_SIZE(gen_last_names)]);
}

/* The profile hints of contact k: always the same values for the same contact. */
void gen_put_profile(const struct gen *g, struct gen_line *l, uint32_t k, int full)
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
