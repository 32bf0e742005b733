/*
 * plan.h - the weekly plan of one account: whom to invite this week, in
 * order, within what is left of the rolling invitation budget; who is
 * ready but held by the budget, and the date the budget frees for each;
 * whom to engage with first (close to ready); and which pending
 * invitations to withdraw.
 *
 * Pure: no I/O, no clock. The caller walks the account's contacts, turns
 * each one's readiness result into a plan entry (plan_entry_of, the one
 * place that reads struct rules_result), offers the entries to a
 * builder, which keeps only as many of each kind as the plan shows
 * (memory: the budget plus the listed limits, never the whole account),
 * and finishes the plan with the budget's state. Both the daemon (its
 * memory and, when the cache is cold, the database a row at a time) and
 * warmthctl --db build it this way, and view_plan_json() writes it.
 */
#ifndef WARMTH_PLAN_H
#define WARMTH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/rules.h"

/* The figures of a plan (conf's readiness and plan sections). */
struct plan_params {
	int64_t budget;            /* invitations per window (readiness.weekly_invites) */
	int64_t window_ms;         /* readiness.invite_window */
	int64_t withdraw_after_ms; /* readiness.withdraw_after: pending this long, withdraw */
	double engage_above;       /* plan.engage_above: the rules' closeness at least this */
	size_t held_max;           /* plan.held: held contacts listed (all are counted) */
	size_t engage_max;         /* plan.engage: contacts listed to engage with */
	size_t withdraw_max;       /* plan.withdraw: pending invitations listed */
};

enum plan_kind {
	PLAN_NONE,     /* nothing to do this week */
	PLAN_READY,    /* ready: invite, this week or when the budget frees */
	PLAN_ENGAGE,   /* close: engage with them first */
	PLAN_WITHDRAW, /* an invitation pending longer than withdraw_after */
	PLAN_PENDING,  /* an invitation pending for less: counted, not listed */
};

/* One contact in the plan. */
struct plan_entry {
	enum plan_kind kind;
	double warmth;
	double threshold;
	double share;        /* engage: the rules' closeness (rules_result.closeness), 0 to 1 */
	int missing;         /* engage: how many conditions still fail */
	int counted;         /* ready: the budget already counts them (notified, not yet invited) */
	int64_t since_ms;    /* withdraw: pending since */
	int64_t frees_ms;    /* held: when the budget frees for them (plan_finish), 0: never */
	uint64_t tie;        /* breaks equal ranks (a hash of the actor), lower first */
	const void *contact; /* the caller's */
	void *item;          /* the caller's, handed back when the entry is dropped */
};

/* What plan_entry_of needs besides the result. */
struct plan_contact {
	int follower, target, connected, pending;
	int snoozed, dismissed;
	int64_t pending_ms;  /* when the pending invitation was sent */
	int counted;         /* rules_budget_holds() for the contact */
};

/*
 * The seam between the readiness rules and the plan: what r (the result of
 * rules_evaluate at now_ms) makes of the contact. Ready: every condition
 * holds but the two that only decide the notification (the budget, and
 * having been notified). Engage: a follower or target, not connected,
 * nothing pending, snoozed or dismissed, for whom only engagement
 * conditions fail (warmth, posts, days, deep, active, wait), with the
 * rules' closeness (the mean of warmth, posts, days and depth, each as a
 * share of what the path needs) at least engage_above.
 */
void plan_entry_of(const struct plan_params *p, const struct rules_result *r,
                   const struct plan_contact *pc, int64_t now_ms, struct plan_entry *out);

/* The best entries of one kind, up to cap, as a heap whose root is the last kept. */
struct plan_list {
	struct plan_entry *items;
	size_t count, cap;
	size_t total;        /* offered, kept or not */
};

struct plan_builder {
	struct plan_params p;
	struct plan_list ready, engage, withdraw;
	size_t pending;      /* PLAN_PENDING entries offered */
};
void plan_builder_init(struct plan_builder *b, const struct plan_params *p);
/*
 * Offers e. Returns the item of an entry that is not kept (e's or one it
 * pushed out), so the caller can free what it owns; NULL when nothing was
 * dropped. An entry of kind PLAN_NONE is returned at once.
 */
void *plan_builder_offer(struct plan_builder *b, const struct plan_entry *e);
/* Whether an entry of e's kind and rank would be kept (to make its item only then). */
int plan_builder_wants(const struct plan_builder *b, const struct plan_entry *e);

/* The budget as the plan needs it. */
struct plan_budget {
	int64_t used;        /* rules_budget_used() */
	int64_t *expires_ms; /* when each counted actor stops counting, ascending */
	size_t nexpires;
};
/*
 * Fills out from b at now_ms (expires_ms allocated, to free; one per
 * distinct actor). A notification is taken to become its invitation now,
 * as the plan asks: it frees the budget a window from now at the latest.
 */
void plan_budget_of(const struct rules_budget *b, int64_t now_ms, int64_t window_ms, int64_t hold_ms,
                    struct plan_budget *out);
void plan_budget_free(struct plan_budget *pb);

/* The finished plan. Its arrays point into the builder. */
struct plan {
	int64_t budget, used, remaining; /* remaining: budget - used, at least 0 */
	const struct plan_entry *invite; /* in order: already counted first, then warmest */
	size_t ninvite;
	const struct plan_entry *held;   /* in order, each with frees_ms */
	size_t nheld, held_total;
	const struct plan_entry *engage; /* closest first */
	size_t nengage, engage_total;
	const struct plan_entry *withdraw; /* longest pending first */
	size_t nwithdraw, withdraw_total;
	size_t pending;                  /* invitations pending for less than withdraw_after */
};
/*
 * Sorts what the builder kept and splits the ready into this week's
 * invitations and the held. The k-th held contact gets the budget freed
 * by the (used + invited - budget + k)-th expiry (this week's invitations
 * expire a window from now); past the last known expiry, a window after
 * the contact budget - 1 places before it.
 */
void plan_finish(struct plan_builder *b, const struct plan_budget *pb, int64_t now_ms,
                 struct plan *out);
void plan_builder_free(struct plan_builder *b);

#endif
