/*
 * warmth-gen.c - a deterministic, seedable generator of engagement logs in
 * the event format (docs/events.md), with the exact result a correct daemon
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
#include "gen.h"

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
		gen_puts(l, gen_fragments[gen_below(g, gen_fragments_count)]);
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
			gen_put_kv(l, "title", gen_titles[post % gen_titles_count]);
	}
	if (type == EVENT_LIKE && gen_chance(g, 0.2))
		gen_put_kv(l, "reaction", gen_reactions[gen_below(g, gen_reactions_count)]);
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
	        "Writes a deterministic engagement log (JSON Lines in the event format, version 1:\n"
	        "see warmthd-events(5), or events.md in warmthd's documentation directory,\n"
	        "/usr/share/doc/warmthd/ when packaged, docs/ in the source).\n"
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
