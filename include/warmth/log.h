/*
 * log.h - one-line log messages for journald.
 *
 * Every message is one line on stderr with a "<N>" syslog priority prefix,
 * which journald turns into the entry's priority. log_warn() appends
 * strerror(errno), log_warnx() does not (the OpenBSD convention). fatal()
 * is for start-up failures and broken invariants only.
 */
#ifndef WARMTH_LOG_H
#define WARMTH_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARNING = 4, LOG_LEVEL_NOTICE = 5,
                 LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

void log_set_level(enum log_level level);
/* Returns -1 if name is not one of err, warning, notice, info, debug. */
int log_level_from_name(const char *name, enum log_level *out);
void log_set_prefix(int with_priority_prefix);
/* Whether stderr is the stream systemd connected to the journal (JOURNAL_STREAM). */
int log_stderr_is_journal(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
