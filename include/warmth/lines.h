/*
 * lines.h - helpers for the JSON Lines files warmthd appends to (the
 * dead-letter file, the file notifier): finding where the last line
 * starts, so that a writer can resume after what it wrote last and cut a
 * half-written line left by a crash.
 */
#ifndef WARMTH_LINES_H
#define WARMTH_LINES_H

#include <sys/types.h>

/*
 * Finds the last '\n' in bytes [0, end) of fd, reading backwards in
 * blocks. Returns 1 and sets *pos, 0 if there is none, -1 on a read error
 * (errno set; EIO if the file shrank while being read).
 */
int lines_rfind_newline(int fd, off_t end, off_t *pos);

#endif
