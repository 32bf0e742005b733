/*
 * engine_commands.c - the changes people make to a contact through the
 * control socket: snooze, unsnooze and mark (engine.h).
 *
 * Each change goes through the same path as ingested data: the contact is
 * marked dirty and a batch is opened, so the change is committed with the
 * next batch and readiness is evaluated again then. "mark invited",
 * "accepted", "declined" and "withdrawn" are recorded as the invitation
 * events they stand for (dir out, at the engine's "now"), so the
 * relationship, the counts and the invitation budget follow the same rules
 * as events from the collector; "dismissed" sets the contact's dismissal.
 * Dismissing or snoozing a notified contact gives back the invitation
 * budget its notification held: that invitation will not be sent now.
 */
#include <string.h>

#include "warmth/log.h"
#include "engine.h"
#include "engine_internal.h"

/* The contact, or NULL with err set; never creates one. */
static struct engine_contact *engine_command_contact(struct engine *e, const char *account,
                                                     const char *actor, char *err, size_t errlen)
{
	size_t alen = strlen(account);
	struct engine_contact *ec = NULL;

	*err = '\0';
	for (uint32_t i = 0; i < e->naccounts; i++) {
		struct engine_account *a = &e->accounts[i];
		if (a->name_len == alen && memcmp(a->a.name, account, alen) == 0) {
			ec = engine_contact_lookup(e, i, actor, err, errlen);
			break;
		}
	}
	if (ec == NULL && *err == '\0')
		snprintf(err, errlen, "no contact \"%s\" in account \"%s\"", actor, account);
	return ec;
}

static void engine_command_changed(struct engine *e, struct engine_contact *ec)
{
	engine_mark_dirty(e, ec);
	engine_batch_opened(e);
}

int engine_snooze(struct engine *e, const char *account, const char *actor, int64_t duration_ms,
                  char *err, size_t errlen)
{
	struct engine_contact *ec = engine_command_contact(e, account, actor, err, errlen);

	if (ec == NULL)
		return -1;
	ec->c.rules.snoozed_until_ms = duration_ms > 0 ? engine_rules_now(e) + duration_ms : 0;
	if (duration_ms > 0)
		engine_rules_release(e, ec);
	engine_command_changed(e, ec);
	log_info("%s/%s: %s", account, actor, duration_ms > 0 ? "snoozed" : "unsnoozed");
	return 0;
}

int engine_mark(struct engine *e, const char *account, const char *actor, const char *state,
                char *err, size_t errlen)
{
	static const struct {
		const char *state;
		enum event_type type;
	} marks[] = {
		{ "invited", EVENT_INVITE_SENT },
		{ "accepted", EVENT_INVITE_ACCEPTED },
		{ "declined", EVENT_INVITE_DECLINED },
		{ "withdrawn", EVENT_INVITE_WITHDRAWN },
	};
	struct engine_contact *ec = engine_command_contact(e, account, actor, err, errlen);
	struct event ev;

	if (ec == NULL)
		return -1;
	if (strcmp(state, "dismissed") == 0) {
		ec->c.rules.dismissed_ms = engine_rules_now(e);
		engine_rules_release(e, ec);
		engine_command_changed(e, ec);
		log_info("%s/%s: dismissed", account, actor);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = EVENT_TYPE_COUNT;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strcmp(state, marks[i].state) == 0)
			ev.type = marks[i].type;
	if (ev.type == EVENT_TYPE_COUNT) {
		snprintf(err, errlen, "unknown state \"%s\" (invited, accepted, declined, withdrawn, "
		         "dismissed)", state);
		return -1;
	}
	ev.ts_ms = engine_rules_now(e);
	ev.dir_out = 1;
	ev.actor.ptr = actor;
	ev.actor.len = strlen(actor);
	ev.account.ptr = account;
	ev.account.len = strlen(account);
	ev.actor_connections = ev.actor_followers = -1;
	ev.followers = ev.connections = -1;
	ev.creator = -1;
	engine_accept_event(e, &ev);
	engine_batch_opened(e);
	log_info("%s/%s: marked %s", account, actor, state);
	return 0;
}

struct outbox *engine_outbox(struct engine *e)
{
	return e->outbox;
}
