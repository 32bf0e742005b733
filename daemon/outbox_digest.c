/*
 * outbox_digest.c - digest mode of a notifier (notify[].digest): instead
 * of one message per "ready" notification, one "digest" record per period
 * listing every contact that became ready since the last one.
 *
 * Design. The ready rows stay ordinary pending rows of the sink; the
 * dispatch loop leaves them to this file. When the period's boundary
 * (pace_digest_next) has passed, and neither quiet hours nor the rate
 * limit hold the sink, the due rows become the members of one loose item
 * whose record lists them; its result is each member's result, so every
 * row ends delivered, retried or failed exactly as if it had been sent
 * alone, and a restart finds the same rows pending. The digest's id names
 * the seq range of its members ("digest:12-40:7"): the file sink's
 * crash check (its last line) can then tell which rows it already holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "outbox_internal.h"

int outbox_digest_collects(const struct outbox_sink *os, const struct outbox_item *it)
{
	return os->digest_ms > 0 && it->seq > 0 && it->test_done == NULL &&
	       strcmp(it->kind, "ready") == 0;
}

/* Copies the member's field key (a string or a number) into the digest's entry. */
static void outbox_digest_field(struct json *j, yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = root != NULL ? yajl_tree_get(root, path, yajl_t_any) : NULL;

	json_key(j, key);
	if (v != NULL && YAJL_IS_STRING(v))
		json_str(j, YAJL_GET_STRING(v));
	else if (v != NULL && YAJL_IS_NUMBER(v))
		json_double(j, YAJL_GET_DOUBLE(v));
	else
		json_null(j);
}

/* The digest record of members[0..n) (in seq order), at now. */
static void outbox_digest_record(struct outbox_item **members, size_t n, const char *id,
                                 int64_t now, struct buf *out)
{
	struct json *j = json_new(out, 0);
	struct buf message = { 0 };

	buf_printf(&message, "%zu contact%s ready to be invited:", n, n == 1 ? " is" : "s are");
	json_object_open(j);
	json_kv_str(j, "kind", "digest");
	json_kv_time(j, "ts", now);
	json_kv_str(j, "id", id);
	json_kv_int(j, "count", (int64_t)n);
	json_key(j, "contacts");
	json_array_open(j);
	for (size_t i = 0; i < n; i++) {
		yajl_val root = yajl_tree_parse(members[i]->record, NULL, 0);
		const char *namepath[] = { "name", NULL }, *actorpath[] = { "actor", NULL };
		yajl_val name = root != NULL ? yajl_tree_get(root, namepath, yajl_t_string) : NULL;
		yajl_val actor = root != NULL ? yajl_tree_get(root, actorpath, yajl_t_string) : NULL;

		json_object_open(j);
		json_kv_str(j, "id", members[i]->id);
		outbox_digest_field(j, root, "account");
		outbox_digest_field(j, root, "actor");
		outbox_digest_field(j, root, "name");
		outbox_digest_field(j, root, "segment");
		outbox_digest_field(j, root, "warmth");
		outbox_digest_field(j, root, "note");
		json_object_close(j);
		buf_printf(&message, "%s %s", i > 0 ? "," : "",
		           name != NULL   ? YAJL_GET_STRING(name)
		           : actor != NULL ? YAJL_GET_STRING(actor)
		                           : members[i]->id);
		yajl_tree_free(root);
	}
	json_array_close(j);
	json_kv_str(j, "message", buf_cstr(&message));
	json_object_close(j);
	json_free(j);
	buf_free(&message);
}

/*
 * The exact sink's last line is a digest: the rows in its seq range are
 * there already (written just before a crash). Records them; returns how
 * many.
 */
static size_t outbox_digest_already_there(struct outbox_sink *os, int64_t now)
{
	const char *last = sink_last_id(os->sink);
	long long lo, hi;
	size_t n = 0;

	if (last == NULL || sscanf(last, "digest:%lld-%lld:", &lo, &hi) != 2)
		return 0;
	for (struct outbox_item *it = os->head, *next; it != NULL; it = next) {
		next = it->next;
		if (!outbox_digest_collects(os, it) || it->in_flight || it->seq < lo || it->seq > hi)
			continue;
		log_notice("notification %s is already in %s (digest %s, written before a crash)",
		           it->id, os->name, last);
		if (it->first_ms == 0)
			it->first_ms = now;
		it->attempts++;
		outbox_record(it, STORE_DELIVERY_DELIVERED, NULL);
		n++;
	}
	if (n > 0)
		outbox_flush(os->ob);
	return n;
}

int64_t outbox_digest_dispatch(struct outbox_sink *os, int64_t now, int64_t quiet_until)
{
	struct outbox_item **members = NULL, *digest;
	struct buf id = { 0 }, record = { 0 };
	size_t n = 0, cap = 0;
	int64_t t;

	if (os->sink == NULL || os->digest_in_flight != NULL)
		return INT64_MAX;
	for (struct outbox_item *it = os->head; it != NULL; it = it->next) {
		if (!outbox_digest_collects(os, it) || it->in_flight || it->next_ms > now)
			continue;
		n++;
	}
	if (n == 0)
		return INT64_MAX;
	if (os->digest_due_ms == 0)
		os->digest_due_ms = pace_digest_next(os->digest_ms, os->utc_offset_min, now);
	if (now < os->digest_due_ms)
		return os->digest_due_ms;
	if (quiet_until > 0)
		return quiet_until;
	if (os->exact && !outbox_exact_idle(os))
		return INT64_MAX; /* the result being written kicks the dispatch again */
	if (os->in_flight >= OUTBOX_IN_FLIGHT_MAX)
		return INT64_MAX;
	if (os->exact && outbox_digest_already_there(os, now) > 0)
		return now; /* the rest, if any, at once */
	if ((t = pace_bucket_take(&os->bucket, now)) != 0)
		return t;
	cap = n;
	n = 0;
	members = xcalloc(cap, sizeof(*members));
	for (struct outbox_item *it = os->head; it != NULL && n < cap; it = it->next) {
		if (!outbox_digest_collects(os, it) || it->in_flight || it->next_ms > now)
			continue;
		members[n++] = it;
	}
	buf_printf(&id, "digest:%" PRId64 "-%" PRId64 ":%zu", members[0]->seq, members[n - 1]->seq, n);
	outbox_digest_record(members, n, buf_cstr(&id), now, &record);
	digest = outbox_item_loose(os, buf_cstr(&id), "digest", record.data, record.len);
	digest->members = members;
	digest->nmembers = n;
	for (size_t i = 0; i < n; i++) {
		members[i]->in_flight = 1;
		members[i]->held = 0;
		members[i]->digest = digest;
		if (members[i]->first_ms == 0)
			members[i]->first_ms = now;
	}
	os->digest_in_flight = digest;
	log_info("digest %s of %zu notification%s to %s", digest->id, n, n == 1 ? "" : "s", os->name);
	outbox_start_delivery(digest);
	buf_free(&id);
	buf_free(&record);
	return INT64_MAX;
}

void outbox_digest_done(struct outbox_item *digest, int result, const char *reason, int64_t now)
{
	struct outbox_sink *os = digest->os;

	os->digest_in_flight = NULL;
	for (size_t i = 0; i < digest->nmembers; i++) {
		struct outbox_item *m = digest->members[i];
		m->in_flight = 0;
		m->digest = NULL;
		/* Abandoned (the sink closes): not an attempt, the rows stay as they were. */
		if (result >= 0)
			outbox_item_result(m, (enum sink_result)result, reason, now);
	}
	if (result == SINK_DELIVERED)
		os->digest_due_ms = pace_digest_next(os->digest_ms, os->utc_offset_min, now);
	else if (result == SINK_RETRY)
		os->digest_due_ms = now; /* the members' backoff decides when */
	outbox_item_free(digest);
}
