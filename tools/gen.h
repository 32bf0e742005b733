/*
 * gen.h - what the parts of warmth-gen share: its state, options and the
 * helpers of gen_output.c (randomness, tables, line assembly, contacts)
 * and gen_truth.c (the expected result). See warmth-gen.c for the design.
 */
#ifndef WARMTH_GEN_H
#define WARMTH_GEN_H

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
extern const char *const gen_type_names[EVENT_TYPE_COUNT];

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
extern const char *const gen_malformed_names[GEN_MALFORMED_COUNT];

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

uint64_t gen_splitmix(uint64_t *x);
uint64_t gen_mix(uint64_t seed, uint64_t v);
uint64_t gen_rotl(uint64_t x, int k);
uint64_t gen_next(struct gen *g);
uint64_t gen_below(struct gen *g, uint64_t n);
double gen_unit(struct gen *g);
int gen_chance(struct gen *g, double p);
extern const char *const gen_first_names[];
extern const char *const gen_last_names[];
extern const char *const gen_headlines[][4];
extern const char *const gen_titles[];
extern const char *const gen_fragments[];
extern const char *const gen_reactions[];
extern const size_t gen_titles_count, gen_fragments_count, gen_reactions_count;
void gen_reserve(struct gen_line *l, size_t extra);
void gen_put(struct gen_line *l, const char *s, size_t n);
void gen_puts(struct gen_line *l, const char *s);
void gen_put_char(struct gen_line *l, char c);
void gen_put_u64(struct gen_line *l, uint64_t v);
void gen_put_digits(struct gen_line *l, unsigned v, int width);
void gen_put_hex(struct gen_line *l, uint64_t v, int width);
void gen_put_kv(struct gen_line *l, const char *key, const char *value);
void gen_put_kv_u64(struct gen_line *l, const char *key, uint64_t v);
void gen_civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d);
void gen_put_local_time(struct gen *g, struct gen_line *l, int64_t ms);
void gen_put_ts(struct gen *g, struct gen_line *l, int64_t ts_ms, int numeric);
enum gen_population gen_population_of(const struct gen *g, uint32_t k);
uint64_t gen_actor_id(const struct gen *g, uint32_t k);
void gen_put_actor(const struct gen *g, struct gen_line *l, uint32_t k);
uint32_t gen_account_of(const struct gen *g, uint32_t k);
void gen_account_name(uint32_t a, char *out, size_t outlen);
void gen_name(const struct gen *g, uint32_t k, char *out, size_t outlen);
void gen_put_profile(const struct gen *g, struct gen_line *l, uint32_t k, int full);
void gen_truth_flag(struct gen_contact *c, int reg, int64_t ts, int on);
void gen_truth_apply(struct gen *g, uint32_t k, enum event_type type, int dir_out, int64_t ts);
const char *gen_truth_relationship(const struct gen_contact *c);
int gen_write_truth(struct gen *g);

#endif
