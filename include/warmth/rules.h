/*
 * rules.h - segments and readiness: which kind of person a contact is, and
 * whether now is the moment to ask them to connect, with every condition
 * explained.
 *
 * Pure: no I/O, no clock, nothing domain-specific in code. The figures
 * (waits, thresholds, the cap, the budget) come from the config, which
 * embeds struct rules_params and the list of struct rules_segment.
 *
 * How the engine uses it, per contact, whenever it changed or a wait may
 * have expired:
 *   1. seg = rules_segment_find(segments, n, &hints)
 *   2. rules_evaluate(params, scoring, &segments[seg], &contact, &account, now, &result)
 *   3. if rules_state_rearm(&state, &result, params, now): mark the contact dirty
 *   4. gather the contacts with result.ready and not yet fired this round,
 *      rules_queue() them against the remaining budget; for each that fires:
 *      notify, rules_state_fired(&state, now), rules_budget_add(...)
 * rules_state (snooze, dismiss, hysteresis, an invitation they sent) is
 * stored per contact and rules_budget per account, each as a blob.
 *
 * What a person is told: rules_verdict() makes of a result one line
 * ("Wait until 14 Dec: ..."), the next step and the time it changes;
 * rules_condition_words() each condition in words (rules_words.c).
 * result.eligible is every condition about the person; "ready" for a
 * person (show's JSON) is eligible and within the budget; result.ready is
 * the engine's: eligible and not notified since it last re-armed.
 */
#ifndef WARMTH_RULES_H
#define WARMTH_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/score.h"
#include "warmth/util.h"

/*
 * Who a segment is for. All set conditions must hold; a match with none
 * set matches everyone (the catch-all, which must be the last segment).
 */
struct rules_match {
	int64_t min_connections, max_connections; /* actor_connections bounds, -1: none */
	int64_t min_followers, max_followers;     /* actor_followers bounds, -1: none */
	int creator;                              /* -1: either, 0: not a creator, 1: creator */
	char **tags;                              /* owned; the contact has at least one (ASCII case-insensitive) */
	size_t ntags;
};

/*
 * One path to readiness: the engagement it asks for, and whose engagement
 * counts (SCORE_SIDE_IN: theirs on my posts, SCORE_SIDE_OUT: mine on
 * theirs, or both). The inbound path is taken by a follower, the outbound
 * path by a target (someone I follow); a mutual follow takes whichever
 * holds, the inbound path first.
 */
struct rules_path {
	double threshold;  /* warmth needed, from the path's side(s) */
	int64_t min_posts; /* distinct posts engaged within breadth_window */
	int64_t min_days;  /* distinct days engaged within breadth_window (the user's time zone) */
	int64_t need_deep; /* 1: at least one comment, reply, share ... (bool; int64 for the sentinel) */
	int64_t from;      /* SCORE_SIDE_IN, SCORE_SIDE_OUT or both */
};

/* What the segment's wait is measured from. */
enum rules_wait_from {
	RULES_WAIT_FOLLOW, /* the follow (theirs or mine) that started the relationship */
	RULES_WAIT_VALUE,  /* my first comment, reply, share or mention on their posts */
};

/*
 * The readiness figures a segment may set. While a config is read, -1
 * marks a figure the segment leaves to the readiness defaults; conf_load
 * fills those in, so a loaded config's segments hold no -1.
 *
 * The wait is a span ("2-3 weeks"): ready from wait_ms on when the
 * engagement holds, and best invited by wait_max_ms while it is warm
 * (0: no latest point). It is not a gate at the latest point: a contact
 * still warm after it stays ready.
 */
struct rules_readiness {
	struct rules_path inbound, outbound;
	int64_t wait_ms;          /* the earliest point, after wait_from */
	int64_t wait_max_ms;      /* the latest point ("invite by"), 0: none */
	int64_t wait_from;        /* enum rules_wait_from */
	int64_t active_within_ms; /* the last engagement at most this long ago */
};

struct rules_segment {
	char *name; /* owned */
	struct rules_match match;
	struct rules_readiness readiness;
};

struct rules_params {
	struct rules_readiness defaults;
	int64_t breadth_window_ms;  /* how far back distinct posts and days count (<= 64 days) */
	int64_t cooldown_ms;        /* a fired contact re-arms after this ... */
	double rearm_below;         /* ... or once warmth < rearm_below * threshold */
	int64_t reinvite_block_ms;  /* after a withdrawn invitation */
	int64_t after_decline_ms;   /* after they declined my invitation */
	int64_t after_removal_ms;   /* after the connection was removed */
	int64_t after_unfollow_ms;  /* after they unfollowed me (and did not follow again) */
	int64_t withdraw_after_ms;  /* a pending invitation this old: suggest withdrawing it */
	double max_burst_share;     /* not ready when more of their engagement than this came in bursts */
	int64_t cap;                /* most connections an account can have */
	int64_t cap_headroom;       /* stop proposing this many below the cap */
	int64_t weekly_invites;     /* invitations per budget window */
	int64_t invite_window_ms;   /* the rolling budget window */
};

/* The profile hints segments match on (from struct contact). */
struct rules_hints {
	int64_t connections; /* -1 unknown */
	int64_t followers;   /* -1 unknown */
	int creator;         /* -1 unknown */
	char *const *tags;
	size_t ntags;
};

/* Whether hints satisfy m. An unknown hint fails every condition on it. */
int rules_match(const struct rules_match *m, const struct rules_hints *hints);
/* The index of the first segment whose match holds; n - 1 if none does. */
size_t rules_segment_find(const struct rules_segment *segments, size_t n, const struct rules_hints *hints);
/* Whether m has no condition (matches everyone). */
int rules_match_is_empty(const struct rules_match *m);
/* Whether no contact can satisfy m (a minimum above its maximum). */
int rules_match_is_contradictory(const struct rules_match *m);
/* Whether every contact that satisfies b satisfies a (so a segment b after a never matches). */
int rules_match_covers(const struct rules_match *a, const struct rules_match *b);
/* Frees the match's tags. */
void rules_match_free(struct rules_match *m);

/*
 * Per-contact state the user and the notifier change: snooze, dismiss and
 * the hysteresis of "ready" notifications; and an invitation they sent me
 * (a last-writer-wins register by event time, kept here because the
 * relationship's columns predate it). Zeroed means none of them.
 */
struct rules_state {
	int64_t snoozed_until_ms; /* 0: not snoozed */
	int64_t dismissed_ms;     /* 0: not dismissed */
	int64_t fired_ms;         /* the last ready notification, 0: never */
	uint8_t fired;            /* 1: fired and not re-armed since */
	uint8_t incoming;         /* 1: they invited me and it is not answered */
	int64_t incoming_ms;      /* the event time that last set incoming, 0: never */
};
/*
 * Blob: version byte (2), three int64 and a byte, then the incoming
 * register (a byte and an int64). Version 1 (without it) still decodes.
 * decode: 0, or -1 (st zeroed).
 */
void rules_state_encode(const struct rules_state *st, struct buf *out);
int rules_state_decode(struct rules_state *st, const void *blob, size_t len);

/* What rules_evaluate needs to know about the contact. */
struct rules_contact {
	int follower, target;        /* they follow me / I follow them (registers on) */
	int connected, pending;
	int64_t followed_ms;         /* contact_relationship.followed_ms, 0 if neither follows */
	int64_t pending_ms;          /* when my pending invitation was sent, 0 if none */
	int64_t withdrawn_ms;        /* the newest withdrawn invitation, 0 if none */
	int64_t declined_ms;         /* the newest declined invitation, 0 if none */
	int64_t removed_ms;          /* the connection was removed then (and not made again), 0 if not */
	int64_t unfollowed_ms;       /* they unfollowed me then (and did not follow again), 0 if not */
	const struct score_state *score;
	const struct rules_state *state;
};

/* What rules_evaluate needs to know about the account. */
struct rules_account {
	int64_t connections;  /* -1 unknown */
	int64_t budget_used;  /* rules_budget_used() */
	int64_t budget_frees_ms; /* when the window next has room (rules_budget_frees), 0 unknown */
	int in_budget;           /* this contact already has an entry in the window */
};

/* The conditions, in the order they are listed. Names are interface. */
enum rules_condition_id {
	RULES_RELATIONSHIP,     /* "relationship": they follow me or I follow them */
	RULES_NOT_CONNECTED,    /* "not_connected" */
	RULES_NO_INCOMING,      /* "no_incoming_invite": they have not invited me (else: accept) */
	RULES_NO_PENDING,       /* "no_pending_invite" */
	RULES_REINVITE_BLOCK,   /* "reinvite_block": no withdrawal within reinvite_block */
	RULES_NOT_DECLINED,     /* "not_declined": no decline within after_decline */
	RULES_NOT_REMOVED,      /* "not_removed": no removed connection within after_removal */
	RULES_NOT_UNFOLLOWED,   /* "not_unfollowed": no unfollow of theirs within after_unfollow */
	RULES_NOT_SNOOZED,      /* "not_snoozed" */
	RULES_NOT_DISMISSED,    /* "not_dismissed" */
	RULES_WARMTH,           /* "warmth": the path's */
	RULES_WAIT,             /* "wait": the segment's earliest point has passed */
	RULES_DISTINCT_POSTS,   /* "distinct_posts" */
	RULES_DISTINCT_DAYS,    /* "distinct_days" */
	RULES_DEEP,             /* "deep_engagement" */
	RULES_NOT_BURSTS,       /* "not_bursts": their engagement is not mostly bursts */
	RULES_ACTIVE,           /* "active": last engagement within active_within */
	RULES_CAP,              /* "connection_cap" */
	RULES_BUDGET,           /* "invite_budget": does not gate eligibility; see rules_queue */
	RULES_NOT_NOTIFIED,     /* "not_notified": armed (hysteresis) */
	RULES_CONDITION_COUNT
};
const char *rules_condition_name(enum rules_condition_id id);

/*
 * A value or a requirement: a number (days for durations, rounded to 0.1)
 * or a short text ("follower", "never").
 */
struct rules_value {
	int is_number;
	double number;
	char text[48];
};

struct rules_condition {
	enum rules_condition_id id;
	int ok;
	struct rules_value value, need;
	int64_t since_ms; /* the time the value counts from (a follow, a decline ...), 0: none */
	int64_t until_ms; /* failing: when time alone makes it hold, 0: not by time */
};

enum rules_path_id { RULES_PATH_INBOUND, RULES_PATH_OUTBOUND };

/* What a person is told (rules_verdict), most urgent first. */
enum rules_status {
	RULES_STATUS_READY,       /* eligible and within the budget: invite now */
	RULES_STATUS_HELD,        /* eligible but held by the budget or the connection cap */
	RULES_STATUS_WAITING,     /* only the segment's wait is left */
	RULES_STATUS_COOLING_OFF, /* declined, removed, unfollowed or withdrawn recently */
	RULES_STATUS_ACCEPT,      /* they invited me: accept */
	RULES_STATUS_WITHDRAW,    /* my invitation is pending for too long: withdraw it */
	RULES_STATUS_PENDING,     /* my invitation is pending */
	RULES_STATUS_CONNECTED,
	RULES_STATUS_SNOOZED,
	RULES_STATUS_DISMISSED,
	RULES_STATUS_NOT_YET,     /* more engagement is needed */
	RULES_STATUS_COUNT
};
/* "ready", "held", ... (interface: show's "status"). */
const char *rules_status_name(enum rules_status status);

struct rules_result {
	struct rules_condition conditions[RULES_CONDITION_COUNT]; /* indexed by id */
	double warmth;     /* all of it, both sides */
	double path_warmth; /* the path's side(s) */
	double threshold;  /* the path's */
	/*
	 * How close the path's engagement is to holding, 0 to 1: the mean of
	 * warmth / threshold, posts / min_posts, days / min_days and the deep
	 * engagement (each at most 1). 1 when it holds; a plan ranks the
	 * targets to engage with first by it.
	 */
	double closeness;
	enum rules_path_id path;
	int64_t invite_by_ms; /* the wait's latest point, 0: none */
	int64_t day_offset_ms; /* the user's time zone, for dates */
	int eligible;      /* every condition but invite_budget and not_notified holds */
	int ready;         /* eligible and not_notified: the engine may notify */
	int within_budget; /* invite_budget holds (or this contact is already counted in it) */
	const struct rules_readiness *readiness; /* the segment's figures */
	const char *segment;                     /* its name */
};

/*
 * Evaluates every condition for contact c of segment seg at now_ms. All
 * pointers must be valid; c->score and c->state too.
 */
void rules_evaluate(const struct rules_params *p, const struct score_params *scoring,
                    const struct rules_segment *seg, const struct rules_contact *c,
                    const struct rules_account *a, int64_t now_ms, struct rules_result *out);

/*
 * The condition of r in words, for a notification's reasons or a person:
 * "following for 18 days (wait 14 to 21)". Appended to out (rules_words.c).
 */
void rules_condition_words(const struct rules_result *r, enum rules_condition_id id,
                           struct buf *out);

/*
 * The verdict: one line in plain words ("Wait until 14 Dec: senior
 * executives need 2-3 weeks after the follow"), the next step, and the
 * time it changes by time alone (0: only new events change it).
 */
struct rules_verdict {
	enum rules_status status;
	char text[200];
	char next[200];
	int64_t changes_ms;
};
void rules_verdict(const struct rules_params *p, const struct rules_result *r, int64_t now_ms,
                   struct rules_verdict *out);

/*
 * Hysteresis. rearm: a fired contact re-arms once the cooldown has passed
 * since it fired or its warmth is below rearm_below * threshold; returns 1
 * if st changed. Call it at every evaluation, so that a dip in warmth is
 * seen. fired: the notification was sent at now_ms.
 */
int rules_state_rearm(struct rules_state *st, const struct rules_result *r,
                      const struct rules_params *p, int64_t now_ms);
void rules_state_fired(struct rules_state *st, int64_t now_ms);

/* A ready contact competing for the invitation budget. */
struct rules_candidate {
	double warmth;
	uint64_t tie;  /* breaks equal warmth (a hash of the actor), lower first */
	size_t index;  /* the caller's */
};
/*
 * Sorts c[0..n) warmest first and returns how many fire now: the first
 * min(n, remaining). The rest are queued: still ready, they compete again
 * at the next evaluation, when the window has freed budget.
 */
size_t rules_queue(struct rules_candidate *c, size_t n, int64_t remaining);

/*
 * The rolling invitation budget of an account: the times of invitations
 * sent (invite_sent, "mark invited") and of ready notifications, with a
 * hash of the actor. An invitation counts for the window after it was
 * sent. A notification stands for the invitation the user is asked to
 * send: it counts until that invitation is seen (the invitation then
 * replaces it, so the two count once) or, if it never is, for hold (at
 * least the window; the engine uses the re-arm cooldown, after which the
 * contact may be notified afresh). Without that, a week's notifications
 * nobody acted on left the budget after the window while the contacts
 * were still waiting to be invited, and the next week's notifications
 * came on top of them.
 */
#define RULES_BUDGET_MAX 2048
enum rules_budget_kind { RULES_BUDGET_INVITATION, RULES_BUDGET_NOTIFICATION };
struct rules_budget {
	int64_t ts_ms[RULES_BUDGET_MAX];
	uint32_t actor[RULES_BUDGET_MAX];
	uint8_t kind[RULES_BUDGET_MAX]; /* enum rules_budget_kind */
	uint32_t n;
};
/*
 * Records an invitation sent at ts_ms; it replaces the actor's
 * notifications, when notified says there may be some (the contact was
 * notified at some time: 0 spares a walk over the budget at every
 * invitation). When full, the oldest entry is dropped (or this one, if
 * older still).
 */
void rules_budget_add(struct rules_budget *b, int64_t ts_ms, uint32_t actor_hash, int notified);
/*
 * Drops the actor's notifications: the user dismissed or snoozed the
 * contact, so the invitation they stood for will not be sent now.
 */
void rules_budget_forget(struct rules_budget *b, uint32_t actor_hash);
/* Records a ready notification at ts_ms (the same way). */
void rules_budget_notified(struct rules_budget *b, int64_t ts_ms, uint32_t actor_hash);
/* How long notifications count: the longer of the window and the cooldown. */
int64_t rules_budget_hold_ms(const struct rules_params *p);
/* Whether the entry at i counts at now_ms. */
int rules_budget_counts(const struct rules_budget *b, uint32_t i, int64_t now_ms, int64_t window_ms,
                        int64_t hold_ms);
/* When the entry at i stops counting (if no invitation replaces it first). */
int64_t rules_budget_expires(const struct rules_budget *b, uint32_t i, int64_t window_ms,
                             int64_t hold_ms);
/* Distinct actors with an entry that counts at now_ms. */
int64_t rules_budget_used(const struct rules_budget *b, int64_t now_ms, int64_t window_ms,
                          int64_t hold_ms);
/* Whether actor_hash has an entry that counts at now_ms (is one of those used). */
int rules_budget_holds(const struct rules_budget *b, uint32_t actor_hash, int64_t now_ms,
                       int64_t window_ms, int64_t hold_ms);
/*
 * When the entry at i frees its place, taking a notification to become
 * its invitation at now_ms (as the plan asks): a window from now at the
 * latest.
 */
int64_t rules_budget_frees_at(const struct rules_budget *b, uint32_t i, int64_t now_ms, int64_t window_ms,
                              int64_t hold_ms);
/* The first time an entry that counts at now_ms frees its place (rules_budget_frees_at; 0: none counts). */
int64_t rules_budget_frees(const struct rules_budget *b, int64_t now_ms, int64_t window_ms,
                           int64_t hold_ms);
/*
 * Fills ra->budget_frees_ms and ra->in_budget from b for the contact
 * actor_hash, when the budget is used up (ra->budget_used already set);
 * leaves them as they are otherwise, or when b is NULL.
 */
void rules_account_budget(struct rules_account *ra, const struct rules_budget *b,
                          const struct rules_params *p, uint32_t actor_hash, int64_t now_ms);
/* Drops the entries that no longer count at now_ms (keeps the blob small). */
void rules_budget_prune(struct rules_budget *b, int64_t now_ms, int64_t window_ms, int64_t hold_ms);
/*
 * Blob: version byte (2), then 13 bytes per entry (time, actor, kind);
 * version 1 (12 bytes, invitations only) still decodes. decode: 0, or -1
 * (b emptied).
 */
void rules_budget_encode(const struct rules_budget *b, struct buf *out);
int rules_budget_decode(struct rules_budget *b, const void *blob, size_t len);

#endif
