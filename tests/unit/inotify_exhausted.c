/*
 * inotify_exhausted.c - an LD_PRELOAD shim for tests: every
 * inotify_add_watch() fails with ENOSPC, as when fs.inotify.max_user_watches
 * is used up by other programs. test_faults.py runs warmthd with it to see
 * the daemon fall back to polling, without touching the machine-wide limit.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/inotify.h>

int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	(void)fd;
	(void)path;
	(void)mask;
	errno = ENOSPC;
	return -1;
}
