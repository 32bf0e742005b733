/*
 * outbox_commands.c - what people ask of the outbox through the control
 * socket (outbox.h): notify-test sends a sample record through one
 * notifier and reports how it went; redeliver makes a failed notification
 * pending again for the notifiers that failed it (or, when none did, a
 * delivered one for every notifier that took it).
 *
 * Both go through the ordinary delivery path (outbox.c), so a test or a
 * redelivery to the file sink keeps its one-line-at-a-time rule and a
 * slow notifier holds back only itself. A test is a loose item that is
 * never written to the database; a redelivery is written as "pending"
 * with the next results, so it survives a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/json.h"
#include "warmth/log.h"
#include "warmth/util.h"
#include "outbox_internal.h"

static const char *const outbox_type_names[] = { "file", "webhook", "exec", "journal", "stdout" };

/* The notifier which names (see outbox.h), or NULL with err set. */
static struct outbox_sink *outbox_find_sink(struct outbox *ob, const char *which, char *err,
                                            size_t errlen)
{
	struct outbox_sink *found = NULL;
	size_t by_type = 0;
	struct buf names = { 0 };

	for (size_t i = 0; i < ob->nsinks; i++)
		if (strcmp(ob->sinks[i]->name, which) == 0)
			return ob->sinks[i];
	for (size_t i = 0; i < ob->nsinks; i++) {
		struct outbox_sink *os = ob->sinks[i];
		buf_printf(&names, "%s\"%s\"", names.len ? ", " : "", os->name);
		if (os->type >= 0 && (size_t)os->type < ARRAY_SIZE(outbox_type_names) &&
		    strcmp(outbox_type_names[os->type], which) == 0) {
			found = os;
			by_type++;
		}
	}
	if (by_type == 1) {
		buf_free(&names);
		return found;
	}
	if (by_type > 1)
		snprintf(err, errlen, "%zu notifiers are of type %s: name one (%s)", by_type, which,
		         buf_cstr(&names));
	else if (ob->nsinks == 0)
		snprintf(err, errlen, "no notifier \"%s\": the config has no notify: entry running",
		         which);
	else
		snprintf(err, errlen, "no notifier \"%s\" (running: %s)", which, buf_cstr(&names));
	buf_free(&names);
	return NULL;
}

int outbox_test(struct outbox *ob, const char *which, outbox_test_fn *done, void *arg, char *err,
                size_t errlen)
{
	struct outbox_sink *os;
	struct outbox_item *it;
	struct buf id = { 0 }, record = { 0 };
	struct json *j;
	int64_t now = outbox_now(ob);

	if (ob->store == NULL || ob->stopping || ob->closing > 0) {
		snprintf(err, errlen, "the notifiers are %s; try again", ob->stopping ? "stopping"
		                                                        : "being reloaded");
		return -1;
	}
	os = outbox_find_sink(ob, which, err, errlen);
	if (os == NULL)
		return -1;
	/* The keys of a ready record, so a receiver can be checked end to end. */
	buf_printf(&id, "test:%lld", (long long)now);
	j = json_new(&record, 0);
	json_object_open(j);
	json_kv_str(j, "kind", "test");
	json_kv_time(j, "ts", now);
	json_kv_str(j, "id", buf_cstr(&id));
	json_kv_str(j, "actor", "warmthd-test");
	json_kv_str(j, "name", "Test Contact");
	json_kv_str(j, "segment", "peer");
	json_key(j, "warmth");
	json_double(j, 0);
	json_key(j, "reasons");
	json_array_open(j);
	json_str(j, "a test notification from warmthctl notify-test");
	json_array_close(j);
	json_key(j, "evidence");
	json_array_open(j);
	json_array_close(j);
	json_kv_str(j, "message", "This is a test of this notifier; no one is ready.");
	json_kv_str(j, "note", "Hi, this is where the suggested invitation note goes.");
	json_object_close(j);
	json_free(j);
	it = outbox_item_loose(os, buf_cstr(&id), "test", record.data, record.len);
	it->test_done = done;
	it->test_arg = arg;
	outbox_item_insert(it);
	log_info("notify-test %s to %s", it->id, os->name);
	buf_free(&id);
	buf_free(&record);
	outbox_dispatch(ob);
	return 0;
}

/* The rows of one id and their deliveries, gathered for outbox_redeliver. */
struct outbox_redelivery {
	struct outbox *ob;
	int found;
	struct json *out;
	int counting;         /* first pass: only count the failed deliveries */
	size_t failed;        /* configured notifiers that failed it */
	size_t requeued, pending, gone;
	int64_t seq;
};

static struct outbox_item *outbox_sink_item(struct outbox_sink *os, int64_t seq)
{
	for (struct outbox_item *it = os->head; it != NULL; it = it->next)
		if (it->seq == seq)
			return it;
	return NULL;
}

static int outbox_redeliver_row(void *ctx, const struct store_outbox *o,
                                const struct store_delivery *d)
{
	struct outbox_redelivery *r = ctx;
	struct outbox *ob = r->ob;
	struct outbox_sink *os = NULL;
	struct store_delivery fresh = { 0 };
	struct outbox_item *it;

	r->found = 1;
	r->seq = o->seq;
	if (d == NULL || d->state == STORE_DELIVERY_SKIPPED)
		return 0;
	for (size_t i = 0; i < ob->nsinks; i++)
		if (strcmp(ob->sinks[i]->name, d->sink) == 0)
			os = ob->sinks[i];
	if (os == NULL || !os->registered) {
		r->gone += !r->counting; /* that notifier is no longer in the config */
		return 0;
	}
	if (r->counting) {
		r->failed += d->state == STORE_DELIVERY_FAILED;
		return 0;
	}
	/* Failed somewhere: that is what a redelivery repairs; the others keep their copy. */
	if (r->failed > 0 && d->state != STORE_DELIVERY_FAILED)
		return 0;
	if (d->state == STORE_DELIVERY_PENDING || outbox_sink_item(os, o->seq) != NULL) {
		r->pending++; /* already on its way */
		return 0;
	}
	/* Attempts and max_age start afresh: it is a new delivery, asked for by a person. */
	it = outbox_item_new(os, o, &fresh);
	outbox_item_unlink(it);
	outbox_item_insert(it);
	it->forced = 1;
	outbox_record(it, STORE_DELIVERY_PENDING, NULL);
	json_str(r->out, os->name);
	r->requeued++;
	log_info("notification %s: redelivery to %s requested", o->id, os->name);
	return 0;
}

int outbox_redeliver(struct outbox *ob, const char *id, struct json *out, int *not_found, char *err,
                     size_t errlen)
{
	struct outbox_redelivery r = { .ob = ob, .out = out };
	int rc;

	*not_found = 0;
	if (ob->store == NULL || ob->stopping || ob->closing > 0) {
		snprintf(err, errlen, "the notifiers are %s; try again", ob->stopping ? "stopping"
		                                                        : "being reloaded");
		return -1;
	}
	json_object_open(out);
	json_kv_str(out, "id", id);
	json_key(out, "sinks");
	json_array_open(out);
	r.counting = 1;
	rc = store_foreach_delivery_of(ob->store, id, outbox_redeliver_row, &r);
	r.counting = 0;
	if (rc == 0)
		rc = store_foreach_delivery_of(ob->store, id, outbox_redeliver_row, &r);
	json_array_close(out);
	json_kv_int(out, "seq", r.seq);
	json_object_close(out);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the outbox (see the log)");
		return -1;
	}
	if (!r.found) {
		*not_found = 1;
		snprintf(err, errlen, "no notification with id \"%s\" (warmthctl notifications lists them)",
		         id);
		return -1;
	}
	if (r.requeued == 0) {
		snprintf(err, errlen, "nothing to redeliver: %s",
		         r.pending > 0 ? "it is still pending (being delivered or retried)"
		         : r.gone > 0  ? "none of its notifiers is in the config now"
		                       : "no notifier has delivered or failed it yet");
		return -1;
	}
	outbox_flush(ob);
	outbox_dispatch(ob);
	return 0;
}
