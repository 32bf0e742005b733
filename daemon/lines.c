/*
 * lines.c - opening line files safely, and the last line of a JSON Lines
 * file (see lines.h). The last line is found reading backwards in 4 KiB
 * blocks with pread, so the cost does not depend on the file's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "warmth/lines.h"

#define LINES_SCAN 4096

int lines_rfind_newline(int fd, off_t end, off_t *pos)
{
	char block[LINES_SCAN];

	while (end > 0) {
		off_t start = end > LINES_SCAN ? end - LINES_SCAN : 0;
		size_t want = (size_t)(end - start);
		ssize_t n = pread(fd, block, want, start);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)want) {
			if (n >= 0)
				errno = EIO; /* the file shrank under us */
			return -1;
		}
		for (size_t i = want; i > 0; i--) {
			if (block[i - 1] == '\n') {
				*pos = start + (off_t)(i - 1);
				return 1;
			}
		}
		end = start;
	}
	return 0;
}

int lines_open_regular(const char *path, int flags, mode_t mode, struct stat *st)
{
	struct stat tmp;
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);
	int fl;

	if (st == NULL)
		st = &tmp;
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int err = S_ISREG(st->st_mode) ? errno : EINVAL;
		close(fd);
		errno = err;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}
