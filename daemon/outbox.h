/*
 * outbox.h - delivery of the notifications the engine wrote to the outbox
 * table: the outbox owns the sinks of the notify: list, hands each row to
 * each sink that wants its kind, and records per (row, sink) whether it
 * was delivered, is to be retried (exponential backoff with jitter) or
 * failed (a permanent refusal, or still not taken after notify[].max_age).
 *
 * It runs on the loop thread with a store handle of its own (the engine's
 * is used by the commit thread). Its writes are small and are made only
 * while no engine commit is in flight, so the loop never waits on SQLite's
 * write lock; results that arrive during a commit are written at the next
 * outbox_kick(), which the engine calls after each commit.
 */
#ifndef WARMTH_OUTBOX_H
#define WARMTH_OUTBOX_H

#include <uv.h>

#include "warmth/conf.h"
#include "warmth/json.h"

struct outbox;

/*
 * The end of a notify-test delivery to the notifier named sink: result is
 * enum sink_result; reason NULL when delivered.
 */
typedef void outbox_test_fn(void *arg, const char *sink, int result, const char *reason);

/*
 * Creates the outbox for the database at conf->database. writer_busy
 * points to a flag that is non-zero while the engine commits; the outbox
 * writes only while it is zero. conf must stay valid until the next
 * outbox_reload() or outbox_close().
 */
struct outbox *outbox_new(uv_loop_t *loop, const struct conf *conf, const int *writer_busy);
/* Opens its store handle, creates the sinks, delivers what is due. 0 or -1 (logged). */
int outbox_start(struct outbox *ob);
/* New rows may have been committed (and the writer is idle now): deliver them. */
void outbox_kick(struct outbox *ob);
/*
 * Replaces the sinks with those of conf: the old ones are closed first
 * (deliveries under way finish or are abandoned and retried), so a row is
 * never in two deliveries to the same sink.
 */
void outbox_reload(struct outbox *ob, const struct conf *conf);
/*
 * Closes the sinks, records the last results and closes the timer, then
 * calls closed(arg) from a close callback; the outbox is freed. drain
 * (warmthd --once): first deliver what is due now and wait for those
 * deliveries; otherwise deliveries under way are abandoned (to be retried
 * after a restart).
 */
void outbox_close(struct outbox *ob, int drain, void (*closed)(void *arg), void *arg);

/*
 * Calls cb with each notifier's delivery results since start (delivered,
 * retried, failed), for the metrics. The counts restart with the daemon
 * and with a reload that recreates the notifiers.
 */
void outbox_foreach_counts(const struct outbox *ob,
                           void (*cb)(void *ctx, const char *sink, uint64_t delivered,
                                      uint64_t retried, uint64_t failed),
                           void *ctx);

/*
 * notify-test: sends a sample record (kind "test") through the notifier
 * named by which: its full name as "warmthctl notifications" shows it
 * ("file /var/lib/warmthd/notifications.jsonl"), or its type when only one
 * notifier has it. The record skips kinds, rate limit, quiet hours and
 * digest (it tests the channel) and is never recorded in the outbox. done
 * runs exactly once, later, from the loop. Returns 0, or -1 with a message
 * in err (no such notifier, ambiguous, not running) and done is not called.
 */
int outbox_test(struct outbox *ob, const char *which, outbox_test_fn *done, void *arg, char *err,
                size_t errlen);
/*
 * redeliver: the notification with this id (its outbox row) is made
 * pending again for each configured notifier that failed it, or when none
 * did, for each that delivered it (a receiver that lost it asks again),
 * with its attempts and max_age started afresh; the change is written
 * with the next results, so it survives a restart. Writes {"id","seq",
 * "sinks":[names]} to out and returns 0, or -1 with err ("not_found: ..."
 * when no row has the id, else why nothing was re-sent).
 */
int outbox_redeliver(struct outbox *ob, const char *id, struct json *out, int *not_found, char *err,
                     size_t errlen);

#endif
