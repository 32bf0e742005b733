/*
 * sink.c - what every sink shares (see sink.h): the choice of type, the
 * kinds filter, the copy of each record, the queue of sinks that deliver
 * one record at a time, the count of deliveries in flight that close waits
 * for, and the parsing and wording of a record for sinks that show fields.
 *
 * Design. A sink is freed when two things are true: its type said its
 * handles are closed (sink_closed) and no delivery is in flight. Either may
 * come last, so both paths end in sink_maybe_free(). A delivery's callback
 * may deliver again or close the sink; nothing here touches a delivery
 * after its callback, and the sink itself outlives the callback because
 * it is only freed from sink_closed's path or after the callback returns.
 */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

const char *sink_result_name(enum sink_result result)
{
	switch (result) {
	case SINK_DELIVERED:
		return "delivered";
	case SINK_RETRY:
		return "retry";
	case SINK_FAILED:
		return "failed";
	}
	return "unknown";
}

static const struct sink_ops *sink_ops_of(enum conf_notify_type type)
{
	switch (type) {
	case CONF_NOTIFY_FILE:
		return &sink_file_ops;
	case CONF_NOTIFY_WEBHOOK:
		return &sink_webhook_ops;
	case CONF_NOTIFY_EXEC:
		return &sink_exec_ops;
	case CONF_NOTIFY_JOURNAL:
		return &sink_journal_ops;
	case CONF_NOTIFY_STDOUT:
		return &sink_stdout_ops;
	}
	return NULL;
}

static void sink_free(struct sink *sink)
{
	for (size_t i = 0; i < sink->nkinds; i++)
		free(sink->kinds[i]);
	free(sink->kinds);
	free(sink->name);
	free(sink);
}

struct sink *sink_create(uv_loop_t *loop, const struct conf_notify *conf, struct buf *err)
{
	const struct sink_ops *ops = sink_ops_of(conf->type);
	struct sink *sink;
	struct sigaction sa;

	assert(ops != NULL);
	/*
	 * exec writes to a child's stdin and webhook to sockets: a reader that
	 * goes away must be an EPIPE for that delivery, not the end of the
	 * daemon. Only the default action is replaced, so a handler someone
	 * installed on purpose stays.
	 */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);

	sink = xcalloc(1, sizeof(*sink));
	sink->loop = loop;
	sink->ops = ops;
	if (conf->nkinds > 0) {
		sink->kinds = xcalloc(conf->nkinds, sizeof(*sink->kinds));
		for (size_t i = 0; i < conf->nkinds; i++)
			sink->kinds[i] = xstrdup(conf->kinds[i]);
		sink->nkinds = conf->nkinds;
	}
	switch (conf->type) {
	case CONF_NOTIFY_FILE:
		sink->name = xstrdup(conf->path);
		break;
	case CONF_NOTIFY_WEBHOOK:
		sink->name = xstrdup(conf->url);
		break;
	case CONF_NOTIFY_EXEC:
		sink->name = xstrdup(conf->command[0]);
		break;
	default:
		sink->name = NULL;
		break;
	}
	{
		/* "file /path", "journal": the type first, for every message. */
		struct buf b = { 0 };
		buf_append_str(&b, ops->type);
		if (sink->name != NULL)
			buf_printf(&b, " %s", sink->name);
		free(sink->name);
		sink->name = xstrdup(buf_cstr(&b));
		buf_free(&b);
	}
	if (ops->create(sink, conf, err) < 0) {
		sink_free(sink);
		return NULL;
	}
	return sink;
}

int sink_wants(const struct sink *sink, const char *kind)
{
	if (sink->kinds == NULL)
		return 1;
	for (size_t i = 0; i < sink->nkinds; i++)
		if (strcmp(sink->kinds[i], kind) == 0)
			return 1;
	return 0;
}

const char *sink_name(const struct sink *sink)
{
	return sink->name;
}

size_t sink_in_flight(const struct sink *sink)
{
	return sink->in_flight;
}

const char *sink_last_id(const struct sink *sink)
{
	return sink->ops->last_id != NULL ? sink->ops->last_id(sink) : NULL;
}

void sink_refresh(struct sink *sink)
{
	if (sink->ops->refresh != NULL)
		sink->ops->refresh(sink);
}

/* Serial sinks: starts the first queued delivery if none is under way. */
static void sink_next(struct sink *sink)
{
	struct sink_delivery *d = sink->queue;

	if (sink->busy || sink->closing || d == NULL)
		return;
	sink->queue = d->next;
	if (sink->queue == NULL)
		sink->queue_tail = NULL;
	d->next = NULL;
	sink->busy = 1;
	sink->ops->deliver(sink, d);
}

void sink_deliver(struct sink *sink, const char *record, size_t len, sink_done_fn *done, void *arg)
{
	struct sink_delivery *d = xcalloc(1, sizeof(*d));

	/* Delivering to a sink being closed is a bug in the caller. */
	assert(!sink->closing);
	d->sink = sink;
	d->record = xmalloc(len + 1);
	memcpy(d->record, record, len);
	d->record[len] = '\0';
	d->len = len;
	d->done = done;
	d->arg = arg;
	sink->in_flight++;
	if (!sink->ops->serial) {
		sink->ops->deliver(sink, d);
		return;
	}
	if (sink->queue_tail != NULL)
		sink->queue_tail->next = d;
	else
		sink->queue = d;
	sink->queue_tail = d;
	sink_next(sink);
}

static void sink_maybe_free(struct sink *sink)
{
	sink_closed_fn *closed;
	void *arg;

	if (!sink->ops_closed || sink->in_flight > 0)
		return;
	closed = sink->closed;
	arg = sink->closed_arg;
	sink_free(sink);
	if (closed != NULL)
		closed(arg);
}

void sink_complete(struct sink_delivery *d, enum sink_result result, const char *reason)
{
	struct sink *sink = d->sink;

	assert(sink->in_flight > 0);
	sink->in_flight--;
	if (sink->ops->serial)
		sink->busy = 0;
	d->done(d->arg, result, result == SINK_DELIVERED ? NULL : reason);
	free(d->record);
	free(d);
	sink_next(sink);
	sink_maybe_free(sink);
}

void sink_closed(struct sink *sink)
{
	sink->ops_closed = 1;
	sink_maybe_free(sink);
}

void sink_close(struct sink *sink, sink_closed_fn *closed, void *arg)
{
	assert(!sink->closing);
	sink->closing = 1;
	sink->closed = closed;
	sink->closed_arg = arg;
	/* Queued deliveries were never started: report them now. */
	while (sink->queue != NULL) {
		struct sink_delivery *d = sink->queue;
		sink->queue = d->next;
		sink->in_flight--;
		d->done(d->arg, SINK_RETRY, "sink closed");
		free(d->record);
		free(d);
	}
	sink->queue_tail = NULL;
	sink->ops->close(sink);
}

/* -- records -------------------------------------------------------------- */

static char *sink_record_string(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	if (v == NULL)
		return NULL;
	if (YAJL_IS_STRING(v))
		return xstrdup(YAJL_GET_STRING(v));
	if (YAJL_IS_NUMBER(v))
		return xstrdup(YAJL_GET_NUMBER(v));
	return NULL;
}

int sink_record_parse(const char *record, struct sink_record *out)
{
	const char *path[] = { "reasons", NULL };
	yajl_val root = yajl_tree_parse(record, NULL, 0), reasons;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		yajl_tree_free(root);
		return -1;
	}
	out->kind = sink_record_string(root, "kind");
	out->id = sink_record_string(root, "id");
	out->actor = sink_record_string(root, "actor");
	out->name = sink_record_string(root, "name");
	out->segment = sink_record_string(root, "segment");
	out->warmth = sink_record_string(root, "warmth");
	out->note = sink_record_string(root, "note");
	out->message = sink_record_string(root, "message");
	reasons = yajl_tree_get(root, path, yajl_t_array);
	if (reasons != NULL) {
		size_t n = 0;
		out->reasons = xcalloc(YAJL_GET_ARRAY(reasons)->len + 1, sizeof(*out->reasons));
		for (size_t i = 0; i < YAJL_GET_ARRAY(reasons)->len; i++) {
			yajl_val item = YAJL_GET_ARRAY(reasons)->values[i];
			if (YAJL_IS_STRING(item))
				out->reasons[n++] = xstrdup(YAJL_GET_STRING(item));
		}
	}
	yajl_tree_free(root);
	return 0;
}

void sink_record_free(struct sink_record *r)
{
	free(r->kind);
	free(r->id);
	free(r->actor);
	free(r->name);
	free(r->segment);
	free(r->warmth);
	free(r->note);
	free(r->message);
	for (size_t i = 0; r->reasons != NULL && r->reasons[i] != NULL; i++)
		free(r->reasons[i]);
	free(r->reasons);
	memset(r, 0, sizeof(*r));
}

/* Appends s with control characters as spaces: a line for people stays one line. */
static void sink_append_clean(struct buf *out, const char *s, int underscores_as_spaces)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || (underscores_as_spaces && c == '_'))
			c = ' ';
		buf_append(out, &c, 1);
	}
}

void sink_record_describe(const struct sink_record *r, struct buf *out)
{
	const char *who = r->name != NULL ? r->name : r->actor;

	for (const char *k = r->kind != NULL ? r->kind : "notification"; *k != '\0'; k++)
		buf_printf(out, "%c", *k >= 'a' && *k <= 'z' ? *k - 'a' + 'A' : *k);
	buf_append_str(out, ":");
	if (who != NULL) {
		buf_append_str(out, " ");
		sink_append_clean(out, who, 0);
	}
	if (r->segment != NULL) {
		buf_append_str(out, " (");
		sink_append_clean(out, r->segment, 1);
		buf_append_str(out, ")");
	}
	if (r->warmth != NULL)
		buf_printf(out, "%swarmth %.0f", who != NULL || r->segment != NULL ? ", " : " ",
		           strtod(r->warmth, NULL));
	if (r->reasons != NULL && r->reasons[0] != NULL) {
		buf_append_str(out, " \xe2\x80\x94 "); /* an em dash */
		for (size_t i = 0; r->reasons[i] != NULL; i++) {
			if (i > 0)
				buf_append_str(out, ", ");
			sink_append_clean(out, r->reasons[i], 0);
		}
		buf_append_str(out, ".");
	}
	if (r->message != NULL) {
		buf_append_str(out, " ");
		sink_append_clean(out, r->message, 0);
	}
	if (r->note != NULL) {
		buf_append_str(out, " Suggested note: ");
		sink_append_clean(out, r->note, 0);
	}
	if (r->id != NULL && who == NULL && r->message == NULL)
		buf_printf(out, " (id %s)", r->id);
}
