/*
 * view.h - what a contact looks like from outside: its segment, warmth,
 * readiness verdict and its JSON shape (INTERFACE.md), and the orders in
 * which lists of contacts are given (top/ready by rank, export by key),
 * with the cursors that page through them.
 *
 * Both answerers use it: warmthctl --db on contacts read from the
 * database, and the daemon on its contacts in memory (the control
 * socket's show, top, ready, export and metrics). One function makes the
 * JSON for both, so the two give the same shape by construction.
 *
 * Pure: no libuv, no SQLite. Warmth and readiness are computed at
 * view->now_ms with the figures of view->conf.
 */
#ifndef WARMTH_VIEW_H
#define WARMTH_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/conf.h"
#include "warmth/contact.h"
#include "warmth/json.h"
#include "warmth/note.h"
#include "warmth/plan.h"
#include "warmth/ratio.h"
#include "warmth/rules.h"

struct json;

/* The figures and the moment of one answer. */
struct view {
	const struct conf *conf;
	int64_t now_ms;
};

/* What readiness needs to know of the contact's account. */
struct view_account {
	const char *name;
	int64_t connections;   /* -1 unknown */
	int64_t budget_used;   /* invitations in the budget window at now_ms */
	const struct rules_budget *budget; /* the account's, NULL if none */
};

/*
 * What the rules make of a contact: its segment, warmth, every condition,
 * whether it is eligible (every condition holds but the two that only
 * decide whether and when the daemon notifies: not_notified,
 * invite_budget; a contact stays eligible after its notification until
 * the invitation is sent), whether it is ready (eligible and within the
 * budget: invite now), and the verdict in words.
 */
struct view_verdict {
	const char *segment;
	double warmth;
	int eligible;
	int ready;
	struct rules_result result;
	struct rules_verdict verdict; /* filled by view_contact_json only (the words cost) */
};
void view_verdict(const struct view *v, const struct contact *c, const struct view_account *a,
                  struct view_verdict *out);
/* Only the segment's name, or only the warmth (cheaper: no conditions). */
const char *view_segment(const struct view *v, const struct contact *c);
/* The profile hints of c that segments match on (rules.h). */
struct rules_hints view_hints(const struct contact *c);
/* c as rules_evaluate() sees it (its score, or an empty one before the first engagement). */
struct rules_contact view_rules_contact(const struct contact *c);
double view_warmth(const struct view *v, const struct contact *c);
/* Accepted events of every type, and of the engagement types only. */
uint64_t view_events(const struct contact *c);
uint64_t view_engagements(const struct contact *c);

/*
 * Writes the contact as one JSON object: the keys of INTERFACE.md and
 * the additions documented in warmthctl(1), among them warmth_parts
 * (each engagement type's part of the warmth) and share (each type's
 * percentage of the sum of the parts).
 */
void view_contact_json(struct json *j, const struct view *v, const struct contact *c,
                       const struct view_account *a);

/*
 * The network metrics of one account as one JSON object (warmthctl
 * metrics --json): followers, connections and the snapshot's time
 * (snapshot_ms 0: none) with the account's counters (acc, zeroed when
 * the account has none).
 */
void view_metrics_json(struct json *j, const struct view *v, const char *account,
                       int64_t followers, int64_t connections, int64_t snapshot_ms,
                       const struct ratio_account *acc, const struct ratio_series_day *series,
                       size_t nseries);
/* How many days of the series the metrics show: about a year and a quarter. */
#define VIEW_SERIES_DAYS 400

/* --- the weekly plan (view_plan.c) --- */

/* The hash of an actor the invitation budget keeps (rules.h). */
uint32_t view_budget_actor(const char *actor, size_t len);
/* The plan's figures in conf. */
struct plan_params view_plan_params(const struct conf *conf);
/*
 * What c is in the plan at v->now_ms (plan_entry_of on its verdict), with
 * the account's budget (NULL: none). out->contact and out->item are left
 * for the caller.
 */
void view_plan_entry(const struct view *v, const struct contact *c, const struct view_account *a,
                     const struct rules_budget *budget, struct plan_entry *out);
/*
 * The evidence of c, each engagement once: the recent ones, newest first,
 * then the best of each kind (contact.h) not among them. Written to j (a
 * ready record's "evidence", a message without its text) when j is not
 * NULL, and collected into en when en is not NULL (*n entries; room for
 * c->nrecent + CONTACT_BEST_COUNT).
 */
void view_evidence(const struct contact *c, struct json *j, struct note_engagement *en, size_t *n);
/* The suggested invitation note for c in segment (notes: in the config), appended to out. */
void view_note(const struct view *v, const struct contact *c, const char *segment, struct buf *out);
/* The note's limit in characters (notes.limit, or notes.free_limit on a free plan). */
uint32_t view_note_limit(const struct conf *conf);
/*
 * The plan of account a as one JSON object (warmthctl plan --json; the
 * keys are in warmthctl(1)); every entry's contact must be set.
 */
void view_plan_json(struct json *j, const struct view *v, const struct view_account *a,
                    const struct plan *plan);

/*
 * A contact's place in a list. Rank order (top, ready): warmer first,
 * then more engagements, then by actor, so that the order is the same
 * on every run. Key order (export): by account id, then actor bytes
 * (SQLite's order of the contacts table).
 */
struct view_rank {
	double warmth;
	uint64_t engagements;
	uint32_t account;
	const char *actor;     /* not owned */
	void *item;            /* the caller's */
};
enum view_order { VIEW_BY_RANK, VIEW_BY_KEY };
/* Whether a comes before b in order. */
int view_before(enum view_order order, const struct view_rank *a, const struct view_rank *b);

/*
 * The first limit items of a list in order, from a walk in any order:
 * a heap whose root is the last kept, so that an item only has to beat
 * the root to get in. Memory: limit items at most.
 */
struct view_heap {
	enum view_order order;
	struct view_rank *items;
	size_t count, cap, limit;
};
void view_heap_init(struct view_heap *h, enum view_order order, size_t limit);
/* Offers r; returns the item it pushed out (NULL if none) or r->item when r
   was not kept, so the caller can free what it owns. */
void *view_heap_offer(struct view_heap *h, const struct view_rank *r);
/* Whether view_heap_offer(h, r) would keep r (so that the caller makes its
   item only then). */
int view_heap_wants(const struct view_heap *h, const struct view_rank *r);
/* Sorts what is kept into order (the heap is then no longer one). */
void view_heap_sort(struct view_heap *h);
void view_heap_free(struct view_heap *h);

/*
 * Cursors: where a page ended, as an opaque string for the protocol
 * (docs/control-protocol.md). view_cursor_format writes r's position;
 * view_cursor_parse reads one back into r (its actor pointing into a
 * copy kept in *owned, to be freed), 0 or -1 for a malformed cursor.
 */
#define VIEW_CURSOR_MAX 400
void view_cursor_format(enum view_order order, const struct view_rank *r,
                        char out[VIEW_CURSOR_MAX]);
int view_cursor_parse(enum view_order order, const char *s, struct view_rank *r, char **owned);

#endif
