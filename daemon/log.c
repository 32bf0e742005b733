/*
 * log.c - one-line messages on stderr with "<N>" priority prefixes, which
 * journald (and systemd's stderr capture) turns into entry priorities.
 * Interactive tools turn the prefix off with log_set_prefix(0), and the
 * daemon uses it only when its stderr is the journal (log_stderr_is_journal):
 * in a terminal or a file, "<6>" before every line is noise.
 *
 * The thread pool logs too (a commit's dead-letter flush) while a reload
 * on the loop sets the level: the level is an atomic, and each line is
 * written under stderr's lock, so lines of two threads never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warmth/log.h"

static _Atomic int log_level = LOG_LEVEL_INFO;
static int log_prefix = 1;

static const struct {
	const char *name;
	enum log_level level;
} log_names[] = {
	{ "err", LOG_LEVEL_ERR },   { "error", LOG_LEVEL_ERR },   { "warning", LOG_LEVEL_WARNING },
	{ "warn", LOG_LEVEL_WARNING }, { "notice", LOG_LEVEL_NOTICE }, { "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
};

void log_set_level(enum log_level level)
{
	atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

void log_set_prefix(int with_priority_prefix) { log_prefix = with_priority_prefix; }

/*
 * systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connects
 * stderr to; a child with another stderr (a redirect, a terminal) inherits
 * the variable, so the stream itself is compared (sd_journal_stream_fd(3)).
 */
int log_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &end) != 2 || fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_level_from_name(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(name, log_names[i].name) == 0) {
			*out = log_names[i].level;
			return 0;
		}
	}
	return -1;
}

__attribute__((format(printf, 3, 0)))
static void log_vwrite(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;
	size_t n;

	if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed))
		return;
	n = (size_t)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	/* One message is one line: a newline inside would split the entry. */
	for (size_t i = 0; i < n; i++)
		if (msg[i] == '\n')
			msg[i] = ' ';
	flockfile(stderr);
	if (log_prefix)
		fprintf(stderr, "<%d>", (int)level);
	if (with_errno)
		fprintf(stderr, "%s: %s\n", msg, strerror(saved));
	else
		fprintf(stderr, "%s\n", msg);
	funlockfile(stderr);
	errno = saved;
}

#define LOG_FN(fn, level, with_errno)                  \
	void fn(const char *fmt, ...)                  \
	{                                              \
		va_list ap;                            \
		va_start(ap, fmt);                     \
		log_vwrite(level, with_errno, fmt, ap); \
		va_end(ap);                            \
	}

LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_err, LOG_LEVEL_ERR, 0)
LOG_FN(log_notice, LOG_LEVEL_NOTICE, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
