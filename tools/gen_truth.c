/*
 * gen_truth.c - warmth-gen's expected result: per (account, actor) counts
 * and relationship registers, replayed independently of the daemon's
 * code, written as one JSON object (see warmth-gen.c for its shape).
 */
#include "gen.h"

/* --- Truth. --- */

void gen_truth_flag(struct gen_contact *c, int reg, int64_t ts, int on)
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
void gen_truth_apply(struct gen *g, uint32_t k, enum event_type type, int dir_out,
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

const char *gen_truth_relationship(const struct gen_contact *c)
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

int gen_write_truth(struct gen *g)
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
