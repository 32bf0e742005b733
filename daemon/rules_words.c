/*
 * rules_words.c - readiness in people's words: each condition as a short
 * phrase ("followed you 18 days ago", "no comment or reply yet"), and the
 * verdict, one line that says what to do and until when, with the next
 * step (see rules.h).
 *
 * The words avoid the model's vocabulary (no "warmth 2.42 (threshold
 * 5)", no "deep engagement"): a person reads "their engagement is still
 * light (48% of what is needed)". Dates are days in the user's time zone
 * (scoring's day offset), written "14 Dec", with the year when it is not
 * this year's. Pure: no I/O, no clock.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "warmth/rules.h"

#define RULES_DAY 86400000LL
#define RULES_WEEK (7 * RULES_DAY)

static const char *const rules_status_names[RULES_STATUS_COUNT] = {
	[RULES_STATUS_READY] = "ready",
	[RULES_STATUS_HELD] = "held",
	[RULES_STATUS_WAITING] = "waiting",
	[RULES_STATUS_COOLING_OFF] = "cooling_off",
	[RULES_STATUS_ACCEPT] = "accept",
	[RULES_STATUS_WITHDRAW] = "withdraw",
	[RULES_STATUS_PENDING] = "pending",
	[RULES_STATUS_CONNECTED] = "connected",
	[RULES_STATUS_SNOOZED] = "snoozed",
	[RULES_STATUS_DISMISSED] = "dismissed",
	[RULES_STATUS_NOT_YET] = "not_yet",
};

const char *rules_status_name(enum rules_status status)
{
	if ((unsigned)status >= RULES_STATUS_COUNT)
		return NULL;
	return rules_status_names[status];
}

/* -- pieces --------------------------------------------------------------- */

/* "14 Dec", or "5 Mar 2027" when not in now's year; in the user's time zone. */
static void rules_put_date(struct buf *out, int64_t ms, int64_t now_ms, int64_t offset_ms)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)((ms + offset_ms) / 1000), n = (time_t)((now_ms + offset_ms) / 1000);
	struct tm tm, tn;

	gmtime_r(&t, &tm);
	gmtime_r(&n, &tn);
	buf_printf(out, "%d %s", tm.tm_mday, months[tm.tm_mon]);
	if (tm.tm_year != tn.tm_year)
		buf_printf(out, " %d", tm.tm_year + 1900);
}

/* A span as people say it: "3 days", "5 weeks", "6 months". */
static void rules_put_span(struct buf *out, int64_t ms)
{
	int64_t days = ms / RULES_DAY;

	if (days < 14)
		buf_printf(out, "%lld %s", (long long)days, days == 1 ? "day" : "days");
	else if (days < 63)
		buf_printf(out, "%lld weeks", (long long)(days / 7));
	else
		buf_printf(out, "%lld months", (long long)(days / 30));
}

/* "today", "yesterday", "3 days ago", "5 weeks ago". */
static void rules_put_ago(struct buf *out, int64_t ts_ms, int64_t now_ms)
{
	int64_t age = now_ms > ts_ms ? now_ms - ts_ms : 0;

	if (age < RULES_DAY) {
		buf_append_str(out, "today");
	} else if (age < 2 * RULES_DAY) {
		buf_append_str(out, "yesterday");
	} else {
		rules_put_span(out, age);
		buf_append_str(out, " ago");
	}
}

/* A wait span: "2-3 weeks", "2 weeks", "10-15 days". */
static void rules_put_wait(struct buf *out, int64_t wait_ms, int64_t max_ms)
{
	int weeks = wait_ms % RULES_WEEK == 0 && max_ms % RULES_WEEK == 0 && wait_ms >= RULES_WEEK;
	int64_t unit = weeks ? RULES_WEEK : RULES_DAY;
	int64_t a = wait_ms / unit, b = max_ms / unit;

	if (max_ms > wait_ms)
		buf_printf(out, "%lld-%lld %s", (long long)a, (long long)b, weeks ? "weeks" : "days");
	else
		buf_printf(out, "%lld %s", (long long)a,
		           weeks ? (a == 1 ? "week" : "weeks") : (a == 1 ? "day" : "days"));
}

/* The segment's people: "senior executives" for senior_executive. */
static void rules_put_people(struct buf *out, const char *segment)
{
	size_t n = segment != NULL ? strlen(segment) : 0;

	if (n == 0) {
		buf_append_str(out, "contacts");
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%c", segment[i] == '_' ? ' ' : segment[i]);
	if (segment[n - 1] != 's')
		buf_append_str(out, "s");
}

static int rules_outbound(const struct rules_result *r)
{
	return r->path == RULES_PATH_OUTBOUND;
}

/* The number a condition counts, as an integer. */
static long long rules_int(const struct rules_value *v)
{
	return v->is_number ? (long long)llround(v->number) : 0;
}

/* -- conditions ----------------------------------------------------------- */

/* A pause condition: "declined your invitation 3 days ago (pause 6 months)". */
static void rules_pause_words(const struct rules_condition *cond, const char *what, const char *none,
                              struct buf *out)
{
	if (cond->since_ms <= 0) {
		buf_append_str(out, none);
		return;
	}
	buf_printf(out, "%s ", what);
	/* The value is days ago; the condition keeps the time it counts from. */
	buf_printf(out, "%.0f days ago (pause ", floor(cond->value.number));
	rules_put_span(out, (int64_t)llround(cond->need.number * (double)RULES_DAY));
	buf_append_str(out, ")");
}

void rules_condition_words(const struct rules_result *r, enum rules_condition_id id, struct buf *out)
{
	const struct rules_condition *cond = &r->conditions[id];
	const struct rules_value *v = &cond->value, *need = &cond->need;
	const struct rules_readiness *rd = r->readiness;
	const char *whose = rules_outbound(r) ? "your" : "their";

	switch (id) {
	case RULES_RELATIONSHIP:
		buf_append_str(out, strcmp(v->text, "mutual") == 0     ? "you follow each other"
		                    : strcmp(v->text, "follower") == 0 ? "they follow you"
		                    : strcmp(v->text, "target") == 0   ? "you follow them"
		                                                       : "neither of you follows the other");
		return;
	case RULES_NOT_CONNECTED:
		buf_append_str(out, cond->ok ? "not connected yet" : "already connected");
		return;
	case RULES_NO_INCOMING:
		buf_append_str(out, cond->ok ? "no invitation from them" : "they invited you");
		return;
	case RULES_NO_PENDING:
		buf_append_str(out, cond->ok ? "no invitation of yours pending" : "your invitation is pending");
		return;
	case RULES_REINVITE_BLOCK:
		rules_pause_words(cond, "you withdrew an invitation", "no withdrawn invitation", out);
		return;
	case RULES_NOT_DECLINED:
		rules_pause_words(cond, "declined your invitation", "never declined an invitation", out);
		return;
	case RULES_NOT_REMOVED:
		rules_pause_words(cond, "the connection was removed", "no removed connection", out);
		return;
	case RULES_NOT_UNFOLLOWED:
		rules_pause_words(cond, "unfollowed you", "never unfollowed you", out);
		return;
	case RULES_NOT_SNOOZED:
		buf_append_str(out, cond->ok ? "not snoozed" : "snoozed ");
		if (!cond->ok)
			buf_append_str(out, v->text);
		return;
	case RULES_NOT_DISMISSED:
		buf_append_str(out, cond->ok ? "not dismissed" : "dismissed");
		return;
	case RULES_WARMTH: {
		double share = need->number > 0 ? v->number / need->number : 1.0;
		if (cond->ok && share >= 2)
			buf_printf(out, "%s engagement is strong (%.0fx what is needed)", whose, floor(share));
		else if (cond->ok)
			buf_printf(out, "%s engagement is enough", whose);
		else
			buf_printf(out, "%s engagement is still light (%.0f%% of what is needed)", whose,
			           floor(share * 100.0));
		return;
	}
	case RULES_WAIT:
		if (rd == NULL)
			return;
		if (rd->wait_ms == 0) {
			rules_put_people(out, r->segment);
			buf_append_str(out, " need no wait");
			return;
		}
		if (!v->is_number) {
			buf_append_str(out, rd->wait_from == RULES_WAIT_VALUE
			                            ? "you have not commented on or shared their posts yet"
			                            : "not following yet");
		} else {
			/* In days: the wait is counted in days, and weeks would round it. */
			long long days = (long long)floor(v->number);
			buf_printf(out, "%s %lld %s ago", rd->wait_from == RULES_WAIT_VALUE ? "you first helped them" : "followed",
			           days, days == 1 ? "day" : "days");
		}
		buf_append_str(out, " (");
		rules_put_people(out, r->segment);
		buf_append_str(out, " wait ");
		rules_put_wait(out, rd->wait_ms, rd->wait_max_ms);
		buf_append_str(out, rd->wait_from == RULES_WAIT_VALUE ? " after you first help)" : ")");
		return;
	case RULES_DISTINCT_POSTS:
		buf_printf(out, "%s %lld of %s posts (needs %lld)",
		           rules_outbound(r) ? "you engaged with" : "they engaged with", rules_int(v),
		           rules_outbound(r) ? "their" : "your", rules_int(need));
		return;
	case RULES_DISTINCT_DAYS:
		buf_printf(out, "on %lld %s (needs %lld)", rules_int(v), rules_int(v) == 1 ? "day" : "days",
		           rules_int(need));
		return;
	case RULES_DEEP:
		if (rules_int(v) > 0)
			buf_printf(out, "%lld %s (comments, replies, shares)", rules_int(v),
			           rules_int(v) == 1 ? "real exchange" : "real exchanges");
		else if (rules_int(need) > 0)
			buf_printf(out, "no comment or reply %s yet; likes alone are not enough",
			           rules_outbound(r) ? "from you" : "from them");
		else
			buf_append_str(out, "no comment or reply yet (not needed)");
		return;
	case RULES_NOT_BURSTS:
		if (rules_int(v) == 0)
			buf_append_str(out, "no bursts");
		else
			buf_printf(out, "%lld of their %lld engagements came in bursts and do not count%s",
			           rules_int(v), rules_int(need), cond->ok ? "" : "; mostly bursts");
		return;
	case RULES_ACTIVE:
		if (!v->is_number) {
			buf_append_str(out, "no engagement yet");
			return;
		}
		buf_append_str(out, "last engagement ");
		rules_put_ago(out, cond->since_ms, cond->since_ms + (int64_t)llround(v->number * RULES_DAY));
		buf_printf(out, " (ask within %lld days of it)", (long long)llround(need->number));
		return;
	case RULES_CAP:
		if (!v->is_number)
			buf_printf(out, "your connection count is unknown (limit %lld)", rules_int(need));
		else
			buf_printf(out, "%lld connections (limit %lld)", rules_int(v), rules_int(need));
		return;
	case RULES_BUDGET:
		buf_printf(out, "%lld of %lld invitations used this week", rules_int(v), rules_int(need));
		return;
	case RULES_NOT_NOTIFIED:
		if (!v->is_number) {
			buf_append_str(out, "not notified yet");
			return;
		}
		buf_append_str(out, "notified ");
		rules_put_ago(out, 0, (int64_t)llround(v->number * RULES_DAY));
		return;
	case RULES_CONDITION_COUNT:
		break;
	}
}

/* -- the verdict ---------------------------------------------------------- */

struct rules_say {
	struct buf text, next;
};

static void rules_verdict_done(struct rules_verdict *out, enum rules_status status,
                               struct rules_say *say, int64_t changes_ms)
{
	out->status = status;
	snprintf(out->text, sizeof(out->text), "%s", buf_cstr(&say->text));
	snprintf(out->next, sizeof(out->next), "%s", buf_cstr(&say->next));
	out->changes_ms = changes_ms;
}

/* The latest-ending pause that fails, or NULL. */
static const struct rules_condition *rules_cooling(const struct rules_result *r)
{
	static const enum rules_condition_id pauses[] = { RULES_NOT_DECLINED, RULES_NOT_REMOVED,
		                                          RULES_NOT_UNFOLLOWED, RULES_REINVITE_BLOCK };
	const struct rules_condition *worst = NULL;

	for (size_t i = 0; i < sizeof(pauses) / sizeof(pauses[0]); i++) {
		const struct rules_condition *c = &r->conditions[pauses[i]];
		if (!c->ok && (worst == NULL || c->until_ms > worst->until_ms))
			worst = c;
	}
	return worst;
}

static int rules_cooling_off(const struct rules_result *r, int64_t now, struct rules_say *say)
{
	const struct rules_condition *c = rules_cooling(r);
	const char *what;

	if (c == NULL)
		return 0;
	what = c->id == RULES_NOT_DECLINED  ? "declined your invitation"
	       : c->id == RULES_NOT_REMOVED ? "the connection was removed"
	       : c->id == RULES_NOT_UNFOLLOWED ? "unfollowed you"
	                                       : "you withdrew your invitation";
	buf_printf(&say->text, "Not now: %s ", what);
	rules_put_ago(&say->text, c->since_ms, now);
	buf_append_str(&say->text, "; try again after ");
	rules_put_date(&say->text, c->until_ms, now, r->day_offset_ms);
	buf_append_str(&say->next, c->id == RULES_REINVITE_BLOCK
	                                   ? "The platform blocks a new invitation until then; keep engaging meanwhile"
	                                   : "They have answered for now: give them room, no invitation or message about it");
	return 1;
}

/* The engagement still missing, most telling first; 0 if none is. */
static int rules_not_yet(const struct rules_result *r, struct rules_say *say)
{
	const struct rules_condition *c = r->conditions;
	int out = rules_outbound(r);
	long long more;

	if (!c[RULES_NOT_BURSTS].ok) {
		buf_printf(&say->text,
		           "Not yet: most of their engagement came in bursts (%lld of %lld do not count)",
		           rules_int(&c[RULES_NOT_BURSTS].value), rules_int(&c[RULES_NOT_BURSTS].need));
		buf_append_str(&say->next, "Wait for engagement spread over several days; a burst of likes is not interest");
		return 1;
	}
	if (!c[RULES_DEEP].ok) {
		buf_append_str(&say->text, out ? "Not yet: comment on one of their posts; likes alone are not enough"
		                               : "Not yet: needs one comment or reply; likes alone are not enough");
		buf_append_str(&say->next, out ? "Write a thoughtful comment on their next post"
		                               : "Wait for them to comment on or reply to one of your posts");
		return 1;
	}
	if (!c[RULES_WAIT].ok && c[RULES_WAIT].since_ms == 0 && r->readiness != NULL &&
	    r->readiness->wait_from == RULES_WAIT_VALUE) {
		buf_append_str(&say->text, "Not yet: help first: comment on or share one of their posts");
		buf_append_str(&say->next, "Lead with how you can help: a useful comment on their next post");
		return 1;
	}
	if (!c[RULES_DISTINCT_POSTS].ok) {
		more = rules_int(&c[RULES_DISTINCT_POSTS].need) - rules_int(&c[RULES_DISTINCT_POSTS].value);
		if (out)
			buf_printf(&say->text, "Not yet: engage with %lld more of their posts", more);
		else
			buf_printf(&say->text, "Not yet: needs engagement on %lld more of your posts", more);
		buf_append_str(&say->next, out ? "Comment on their next posts" : "Keep posting; wait for more of their engagement");
		return 1;
	}
	if (!c[RULES_DISTINCT_DAYS].ok) {
		more = rules_int(&c[RULES_DISTINCT_DAYS].need) - rules_int(&c[RULES_DISTINCT_DAYS].value);
		buf_printf(&say->text, "Not yet: needs engagement on %lld more %s; one day is not a pattern",
		           more, more == 1 ? "day" : "days");
		buf_append_str(&say->next, out ? "Engage with their posts on another day" : "Wait for engagement on another day");
		return 1;
	}
	if (!c[RULES_WARMTH].ok) {
		double need = c[RULES_WARMTH].need.number;
		buf_printf(&say->text, "Not yet: %s engagement is still light (%.0f%% of what is needed)",
		           out ? "your" : "their", need > 0 ? floor(c[RULES_WARMTH].value.number / need * 100.0) : 0.0);
		buf_append_str(&say->next, out ? "Comment on their next post" : "Wait for more of their engagement");
		return 1;
	}
	if (!c[RULES_ACTIVE].ok) {
		buf_append_str(&say->text, "Not yet: it has gone quiet; ask while it is warm, after their next engagement");
		buf_append_str(&say->next, out ? "Engage with their next post" : "Wait for their next engagement");
		return 1;
	}
	return 0;
}

void rules_verdict(const struct rules_params *p, const struct rules_result *r, int64_t now_ms,
                   struct rules_verdict *out)
{
	const struct rules_condition *c = r->conditions;
	struct rules_say say = { { 0 }, { 0 } };
	int64_t changes = 0, off = r->day_offset_ms;

	memset(out, 0, sizeof(*out));
	if (!c[RULES_NOT_CONNECTED].ok) {
		buf_append_str(&say.text, "Already connected");
		buf_append_str(&say.next, "Nothing to send");
		rules_verdict_done(out, RULES_STATUS_CONNECTED, &say, 0);
	} else if (!c[RULES_NO_INCOMING].ok) {
		buf_append_str(&say.text, "Accept their invitation");
		if (c[RULES_NO_INCOMING].since_ms > 0) {
			buf_append_str(&say.text, " (sent ");
			rules_put_ago(&say.text, c[RULES_NO_INCOMING].since_ms, now_ms);
			buf_append_str(&say.text, ")");
		}
		buf_append_str(&say.next, "Accept it; do not send an invitation of your own");
		rules_verdict_done(out, RULES_STATUS_ACCEPT, &say, 0);
	} else if (!c[RULES_NO_PENDING].ok) {
		int64_t since = c[RULES_NO_PENDING].since_ms;
		if (since > 0 && now_ms - since >= p->withdraw_after_ms) {
			buf_append_str(&say.text, "Withdraw your invitation (pending ");
			rules_put_span(&say.text, now_ms - since);
			buf_append_str(&say.text, ")");
			buf_append_str(&say.next, "Withdraw it: invitations left pending risk a restriction; ");
			buf_append_str(&say.next, "a new one is possible after ");
			rules_put_date(&say.next, now_ms + p->reinvite_block_ms, now_ms, off);
			rules_verdict_done(out, RULES_STATUS_WITHDRAW, &say, 0);
		} else {
			buf_append_str(&say.text, "Invitation pending");
			if (since > 0) {
				buf_append_str(&say.text, " (sent ");
				rules_put_ago(&say.text, since, now_ms);
				buf_append_str(&say.text, ")");
				buf_append_str(&say.next, "Wait for an answer; withdraw it if still pending on ");
				rules_put_date(&say.next, since + p->withdraw_after_ms, now_ms, off);
				changes = since + p->withdraw_after_ms;
			} else {
				buf_append_str(&say.next, "Wait for an answer");
			}
			rules_verdict_done(out, RULES_STATUS_PENDING, &say, changes);
		}
	} else if (!c[RULES_NOT_DISMISSED].ok) {
		buf_append_str(&say.text, "Dismissed: no advice for this person");
		buf_append_str(&say.next, "Nothing to do");
		rules_verdict_done(out, RULES_STATUS_DISMISSED, &say, 0);
	} else if (rules_cooling_off(r, now_ms, &say)) {
		rules_verdict_done(out, RULES_STATUS_COOLING_OFF, &say, rules_cooling(r)->until_ms);
	} else if (!c[RULES_RELATIONSHIP].ok) {
		buf_append_str(&say.text, "Not yet: neither of you follows the other");
		buf_append_str(&say.next, "Follow them and engage with their posts first");
		rules_verdict_done(out, RULES_STATUS_NOT_YET, &say, 0);
	} else if (!c[RULES_NOT_SNOOZED].ok) {
		buf_append_str(&say.text, "Snoozed until ");
		rules_put_date(&say.text, c[RULES_NOT_SNOOZED].until_ms, now_ms, off);
		buf_append_str(&say.next, "Nothing until then");
		rules_verdict_done(out, RULES_STATUS_SNOOZED, &say, c[RULES_NOT_SNOOZED].until_ms);
	} else if (rules_not_yet(r, &say)) {
		rules_verdict_done(out, RULES_STATUS_NOT_YET, &say, 0);
	} else if (!c[RULES_WAIT].ok) {
		const struct rules_readiness *rd = r->readiness;
		int64_t until = c[RULES_WAIT].until_ms;
		buf_append_str(&say.text, "Wait until ");
		rules_put_date(&say.text, until, now_ms, off);
		buf_append_str(&say.text, ": ");
		rules_put_people(&say.text, r->segment);
		buf_append_str(&say.text, " need ");
		if (rd != NULL)
			rules_put_wait(&say.text, rd->wait_ms, rd->wait_max_ms);
		buf_append_str(&say.text, rd != NULL && rd->wait_from == RULES_WAIT_VALUE
		                                  ? " after you first help them"
		                                  : " after the follow");
		buf_append_str(&say.next, rules_outbound(r) ? "Keep engaging with their posts; invite"
		                                            : "Keep the exchange going; invite");
		if (r->invite_by_ms > until) {
			buf_append_str(&say.next, " between ");
			rules_put_date(&say.next, until, now_ms, off);
			buf_append_str(&say.next, " and ");
			rules_put_date(&say.next, r->invite_by_ms, now_ms, off);
		} else {
			buf_append_str(&say.next, " on ");
			rules_put_date(&say.next, until, now_ms, off);
		}
		rules_verdict_done(out, RULES_STATUS_WAITING, &say, until);
	} else if (!c[RULES_CAP].ok) {
		buf_printf(&say.text, "Held: %lld connections, at the limit of %lld",
		           rules_int(&c[RULES_CAP].value), rules_int(&c[RULES_CAP].need));
		buf_append_str(&say.next, "Past the cap, following is the only lever: keep them as a follower");
		rules_verdict_done(out, RULES_STATUS_HELD, &say, 0);
	} else if (!c[RULES_BUDGET].ok) {
		buf_printf(&say.text, "Held: the invitation budget is used (%lld of %lld this week)",
		           rules_int(&c[RULES_BUDGET].value), rules_int(&c[RULES_BUDGET].need));
		if (c[RULES_BUDGET].until_ms > 0) {
			buf_append_str(&say.text, "; room again on ");
			rules_put_date(&say.text, c[RULES_BUDGET].until_ms, now_ms, off);
		}
		buf_append_str(&say.next, "Eligible: invite when the budget has room");
		rules_verdict_done(out, RULES_STATUS_HELD, &say, c[RULES_BUDGET].until_ms);
	} else {
		int64_t cold = c[RULES_ACTIVE].since_ms > 0 && r->readiness != NULL
		                       ? c[RULES_ACTIVE].since_ms + r->readiness->active_within_ms
		                       : 0;
		/* By the wait's latest point, or sooner if it goes quiet before. */
		changes = r->invite_by_ms > now_ms ? r->invite_by_ms : 0;
		if (cold > now_ms && (changes == 0 || cold < changes))
			changes = cold;
		if (r->invite_by_ms > now_ms) {
			buf_append_str(&say.text, "Ready: invite by ");
			rules_put_date(&say.text, changes, now_ms, off);
			buf_append_str(&say.text, ", while it is warm");
		} else {
			buf_append_str(&say.text, "Ready: invite this week");
		}
		buf_append_str(&say.next, "Send the invitation ");
		if (changes > 0) {
			buf_append_str(&say.next, "by ");
			rules_put_date(&say.next, changes, now_ms, off);
		} else {
			buf_append_str(&say.next, "this week");
		}
		buf_append_str(&say.next, rules_outbound(r) ? "; the note names their post"
		                                            : "; the note names what they wrote");
		rules_verdict_done(out, RULES_STATUS_READY, &say, changes);
	}
	buf_free(&say.text);
	buf_free(&say.next);
}
