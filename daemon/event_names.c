/*
 * event_names.c - the names of event types and reject reasons (event.h).
 * They are part of the interface (the event format, the dead-letter file,
 * status counters and metrics), so they live in one table each, here.
 */
#include <string.h>

#include "warmth/event.h"

#define EVENT_TYPE(name) { name, sizeof(name) - 1 }
static const struct {
	const char *name;
	size_t len;
} event_types[EVENT_TYPE_COUNT] = {
	EVENT_TYPE("follow"), EVENT_TYPE("unfollow"), EVENT_TYPE("connect"),
	EVENT_TYPE("disconnect"), EVENT_TYPE("invite_sent"), EVENT_TYPE("invite_accepted"),
	EVENT_TYPE("invite_declined"), EVENT_TYPE("invite_withdrawn"), EVENT_TYPE("like"),
	EVENT_TYPE("comment"), EVENT_TYPE("reply"), EVENT_TYPE("share"), EVENT_TYPE("mention"),
	EVENT_TYPE("message"), EVENT_TYPE("profile_view"), EVENT_TYPE("snapshot"),
	EVENT_TYPE("profile"),
};
#undef EVENT_TYPE

static const char *const event_reject_names[REJECT_REASON_COUNT] = {
	"none", "not_json", "not_object", "invalid_utf8", "missing_ts", "invalid_ts",
	"missing_type", "unknown_type", "missing_actor", "invalid_actor", "invalid_field",
	"invalid_snapshot", "line_too_long", "future_ts",
};

const char *event_type_name(enum event_type type)
{
	if ((unsigned)type >= EVENT_TYPE_COUNT)
		return NULL;
	return event_types[type].name;
}

int event_type_from_name(const char *name, size_t len)
{
	/* Lengths first: this runs for every line, and a memcmp call costs more. */
	for (int i = 0; i < EVENT_TYPE_COUNT; i++)
		if (event_types[i].len == len && memcmp(event_types[i].name, name, len) == 0)
			return i;
	return -1;
}

int event_type_is_engagement(enum event_type type)
{
	return type >= EVENT_LIKE && type <= EVENT_PROFILE_VIEW;
}

/* "unknown" for a value outside the enum, so that callers can print it. */
const char *event_reject_name(enum event_reject reason)
{
	if ((unsigned)reason >= REJECT_REASON_COUNT)
		return "unknown";
	return event_reject_names[reason];
}
