/*
 * contact_json.c - the JSON shape of a contact's engagement, shared by
 * the notification record's "evidence" and warmthctl's "recent", so both
 * speak of an engagement with the same keys.
 */
#include "warmth/contact.h"
#include "warmth/event.h"
#include "warmth/json.h"

void contact_engagement_json(struct json *j, const struct contact_engagement *e)
{
	json_object_open(j);
	json_kv_str(j, "type", event_type_name((enum event_type)e->type));
	json_kv_time(j, "ts", e->ts_ms);
	json_kv_str(j, "dir", e->dir_out ? "out" : "in");
	json_kv_str(j, "post", e->post);
	json_kv_str(j, "title", e->title);
	json_kv_str(j, "text", e->text);
	json_object_close(j);
}
