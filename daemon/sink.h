/*
 * sink.h - where notifications go: one notify: entry of the config, made
 * into something that delivers notification records on the loop.
 *
 * The outbox (the caller) sees four calls: sink_create() from a config
 * entry, sink_deliver() of one record (INTERFACE.md's JSON object, one
 * line), whose callback reports exactly once whether the record was
 * delivered, should be retried later, or failed for good, and
 * sink_close(). sink_wants() applies the entry's "kinds" filter and
 * sink_last_id() exposes what an exactly-once sink (file) already holds.
 *
 * Each type is one file, sink_TYPE.c, that fills a struct sink_ops. sink.c
 * does what they share: copies the record, queues deliveries for the sinks
 * that take one at a time, counts what is in flight so that close waits
 * for it, and parses a record's fields for the sinks that show them
 * (exec's environment, journal fields, the stdout line).
 *
 * Rules every sink keeps: no call blocks the loop (slow work is on libuv's
 * thread pool or non-blocking), a delivery's callback runs from the loop
 * and never inside sink_deliver(), handles point to their owner through
 * ->data, and memory is freed in close callbacks.
 */
#ifndef WARMTH_SINK_H
#define WARMTH_SINK_H

#include <stddef.h>

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/util.h"

enum sink_result {
	SINK_DELIVERED, /* the receiver has it */
	SINK_RETRY,     /* try again later (5xx, 429, timeouts, exit status != 0, ...) */
	SINK_FAILED     /* retrying cannot help (4xx, a program that does not exist, ...) */
};

/* "delivered", "retry", "failed". */
const char *sink_result_name(enum sink_result result);

/*
 * The end of one delivery. reason says why in words for logs and for
 * warmthctl ("HTTP 503", "timed out after 10s", "exit status 2"); NULL
 * when delivered. It is only valid during the call.
 */
typedef void sink_done_fn(void *arg, enum sink_result result, const char *reason);
typedef void sink_closed_fn(void *arg);

struct sink;

/*
 * Creates the sink of entry conf on loop; conf is copied, so it may be
 * freed afterwards (a reload). Returns NULL with a message appended to err
 * when the sink cannot work (a file that cannot be opened, ...).
 */
struct sink *sink_create(uv_loop_t *loop, const struct conf_notify *conf, struct buf *err);

/* Whether records of kind ("ready", "ratio", ...) go to this sink. */
int sink_wants(const struct sink *sink, const char *kind);

/*
 * Starts delivering record[0..len) (copied). done is called exactly once,
 * later, from the loop, also when the sink is closed first (then with
 * SINK_RETRY, "sink closed"). Deliveries may overlap; sinks that must
 * write in order take them one at a time, in the order given.
 */
void sink_deliver(struct sink *sink, const char *record, size_t len, sink_done_fn *done, void *arg);

/* Deliveries started and not yet reported. */
size_t sink_in_flight(const struct sink *sink);

/*
 * The id of the last record the sink holds durably, NULL if none or if
 * this type cannot tell (all but file). Valid until the next delivery.
 */
const char *sink_last_id(const struct sink *sink);

/*
 * Makes sure the sink still writes where its config says before the
 * outbox asks sink_last_id() (the file notifier: the path still names the
 * open file, else it is reopened by path and its last line read again).
 * Cheap, and done at most once per pass of the loop; a no-op for the
 * types that need none or while a delivery is under way.
 */
void sink_refresh(struct sink *sink);

/* For messages: "file /var/lib/warmthd/notifications.jsonl", "webhook https://...". */
const char *sink_name(const struct sink *sink);

/*
 * Stops the sink: queued deliveries are reported SINK_RETRY ("sink
 * closed") at once, those under way finish or are abandoned (exec: the
 * process is terminated; webhook: the request is dropped) and reported,
 * then every handle is closed and closed(arg) runs. The sink is freed.
 */
void sink_close(struct sink *sink, sink_closed_fn *closed, void *arg);

/* -- for the sink_TYPE.c files -------------------------------------------- */

/* One record being delivered; owned by sink.c. */
struct sink_delivery {
	struct sink *sink;
	char *record;              /* a NUL-terminated copy */
	size_t len;
	sink_done_fn *done;
	void *arg;
	struct sink_delivery *next; /* sink.c's queue */
	void *data;                /* the sink's own, per delivery */
};

struct sink_ops {
	const char *type;
	/* 1: sink.c starts the next delivery only when the last one completed. */
	int serial;
	/*
	 * Sets sink->state from conf. Returns 0, or -1 with a message appended
	 * to err, having undone everything: it starts no handle before nothing
	 * else can fail, because a failed create is not followed by close.
	 */
	int (*create)(struct sink *sink, const struct conf_notify *conf, struct buf *err);
	/* Starts d; must end in exactly one sink_complete(d, ...), from a loop callback. */
	void (*deliver)(struct sink *sink, struct sink_delivery *d);
	/*
	 * Ends or abandons what is under way (each still gets its
	 * sink_complete), closes the sink's handles, frees sink->state, and
	 * then calls sink_closed(sink), from a close callback (never from
	 * within close itself).
	 */
	void (*close)(struct sink *sink);
	/* Optional (NULL): sink_last_id(). */
	const char *(*last_id)(const struct sink *sink);
	/* Optional (NULL): sink_refresh(). */
	void (*refresh)(struct sink *sink);
};

struct sink {
	uv_loop_t *loop;
	const struct sink_ops *ops;
	void *state;               /* the type's own */
	char *name;
	char **kinds;              /* NULL: every kind */
	size_t nkinds;
	struct sink_delivery *queue, *queue_tail; /* serial sinks: not yet started */
	size_t in_flight;          /* started, not yet completed (queued ones included) */
	int busy;                  /* serial sinks: one delivery started */
	int closing;
	int ops_closed;            /* sink_closed() was called */
	sink_closed_fn *closed;
	void *closed_arg;
};

/* Reports the end of d (reason NULL when delivered) and frees it. */
void sink_complete(struct sink_delivery *d, enum sink_result result, const char *reason);
/* The type's close is complete: its handles are closed. */
void sink_closed(struct sink *sink);

extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_exec_ops;
extern const struct sink_ops sink_webhook_ops;
extern const struct sink_ops sink_journal_ops;
extern const struct sink_ops sink_stdout_ops;

/*
 * The fields of a record that sinks show; every string is NULL when the
 * record lacks it. warmth is the number as written in the record.
 */
struct sink_record {
	char *kind, *id, *actor, *name, *segment, *warmth, *note, *message;
	char **reasons;            /* NULL-terminated, NULL if none */
};
/* Parses record (NUL-terminated). Returns 0, or -1 if it is not a JSON object. */
int sink_record_parse(const char *record, struct sink_record *out);
void sink_record_free(struct sink_record *r);

/*
 * Appends the line people read for r: "READY: Ada Lovelace (senior
 * executive), warmth 41 — followed 18 days ago, ... Suggested note: ..."
 * (no newline).
 */
void sink_record_describe(const struct sink_record *r, struct buf *out);

#endif
