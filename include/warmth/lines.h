/*
 * lines.h - helpers for the files warmthd reads and appends to (inputs,
 * the dead-letter file, the file notifier, its config): opening a path
 * only if it is a regular file, without ever blocking on a FIFO, and
 * finding where the last line starts, so that a writer can resume after
 * what it wrote last and cut a half-written line left by a crash, and a
 * reader can start after the last complete line.
 */
#ifndef WARMTH_LINES_H
#define WARMTH_LINES_H

#include <sys/stat.h>
#include <sys/types.h>

/*
 * Finds the last '\n' in bytes [0, end) of fd, reading backwards in
 * blocks. Returns 1 and sets *pos, 0 if there is none, -1 on a read error
 * (errno set; EIO if the file shrank while being read).
 */
int lines_rfind_newline(int fd, off_t end, off_t *pos);

/*
 * open(path, flags | O_CLOEXEC | O_NOCTTY, mode), but only a regular file:
 * opened with O_NONBLOCK (a FIFO or a device in its place must not block
 * the daemon, whose open would wait for a writer or a reader), checked
 * with fstat, then made blocking again. Returns the descriptor (*st filled
 * when st is not NULL), or -1 with errno set: EINVAL for a path that is
 * not a regular file.
 */
int lines_open_regular(const char *path, int flags, mode_t mode, struct stat *st);

#endif
