/*
 * commit_only.c - the commit stage alone: store_commit() of one batch of N
 * contacts into a fresh database (every row an insert), then of the same
 * contacts again, changed, ROUNDS times (every row an update: a backlog's
 * steady state, where each batch rewrites the contacts it touched), each
 * by the rowid the first commit told (store_batch_each_rowid), as the
 * engine does. The contacts look like a backlog's: a 28-byte actor, a
 * name and headline,
 * counts, five recent engagements with text, a score whose history holds
 * 20 events. Prints the seconds of each commit and the microseconds per
 * contact, so that a change to the commit can be judged apart from the
 * rest of the ingest path (bench/ingest.sh runs it all).
 *
 * Usage: commit_only DB [CONTACTS] [ROUNDS]; DB must not exist (it is
 * made, and left for the caller to remove). Defaults: 100000 contacts,
 * 3 rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warmth/contact.h"
#include "warmth/score.h"
#include "warmth/store.h"
#include "warmth/util.h"

static double commit_only_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Contact i, as round r leaves it: its own actor, r changing its numbers. */
static void commit_only_contact(struct contact *c, uint32_t i, int r)
{
	char text[128];
	uint32_t h = i * 2654435761u;

	/* Scattered like real ids, with i in its last 6 digits (commit_only_rowid). */
	snprintf(text, sizeof(text), "urn:li:person:%08x%06x", h, i);
	contact_init(c, 0, text, strlen(text));
	snprintf(text, sizeof(text), "Person %u", i);
	c->name = xstrdup(text);
	c->headline = xstrdup("Engineering Manager at Globex");
	c->actor_connections = 500 + (int64_t)(h % 3000);
	c->actor_followers = 200 + (int64_t)(h % 5000);
	c->first_seen_ms = 1790000000000;
	c->last_seen_ms = c->first_seen_ms + (int64_t)r * 60000;
	for (int t = 0; t < 6; t++)
		c->counts[t] = (uint32_t)(r + t + i % 7);
	c->recent = xcalloc(5, sizeof(*c->recent));
	c->nrecent = 5;
	for (int k = 0; k < 5; k++) {
		snprintf(text, sizeof(text), "Great point about hiring, round %d (%d)", r, k);
		c->recent[k].ts_ms = c->last_seen_ms - k * 1000;
		c->recent[k].type = 1;
		contact_engagement_set(&c->recent[k], "p-12345", NULL, text);
	}
	c->score = xcalloc(1, sizeof(*c->score));
	score_init(c->score);
	for (int k = 0; k < 20; k++) {
		struct score_event ev = { .ts_ms = c->first_seen_ms + k * 3600000 + r,
			                  .post_hash = 1 + (uint32_t)k,
			                  .type = (uint8_t)(k % 3) };
		score_history_add(&c->score->history, &ev, 256);
	}
	c->score->engagements = 20;
	c->score->last_ms = c->last_seen_ms;
}

static int64_t *commit_only_rowids;

static void commit_only_rowid(void *ctx, uint32_t account, const char *actor, size_t len,
                              int64_t rowid)
{
	(void)ctx;
	(void)account;
	commit_only_rowids[strtoul(actor + len - 6, NULL, 16)] = rowid;
}

int main(int argc, char **argv)
{
	char err[512];
	struct store *store;
	uint32_t n = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000;
	int rounds = argc > 3 ? atoi(argv[3]) : 3;

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: commit_only DB [CONTACTS] [ROUNDS]\n");
		return 2;
	}
	if (store_open(argv[1], 0, 0, &store, err, sizeof(err)) != 0) {
		fprintf(stderr, "commit_only: %s\n", err);
		return 1;
	}
	struct store_batch *batch = store_batch_new();
	commit_only_rowids = xcalloc(n, sizeof(*commit_only_rowids));
	for (int r = 0; r <= rounds; r++) {
		for (uint32_t i = 0; i < n; i++) {
			struct contact c;
			commit_only_contact(&c, i, r);
			c.rowid = commit_only_rowids[i];
			store_batch_contact(batch, &c);
			contact_free(&c);
		}
		double t0 = commit_only_now();
		if (store_commit(store, batch, err, sizeof(err)) != 0) {
			fprintf(stderr, "commit_only: %s\n", err);
			return 1;
		}
		double s = commit_only_now() - t0;
		printf("%s %u contacts: %.3f s, %.2f us per contact\n", r == 0 ? "insert" : "update",
		       n, s, s * 1e6 / n);
		store_batch_each_rowid(batch, commit_only_rowid, NULL);
		store_batch_reset(batch);
	}
	store_batch_free(batch);
	free(commit_only_rowids);
	store_close(store);
	return 0;
}
