/*
 * control_path.c - the control socket's file: whether one can be made at
 * control.socket (its directory, its permissions, what is in its place),
 * for warmthd -t and before bind(), and the removal of a socket a crashed
 * daemon left. Only file system calls (no loop is needed), so warmthd -t
 * runs them as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "warmth/util.h"
#include "control.h"

/*
 * A socket file left by a crash refuses connections: remove it. One that
 * accepts belongs to a running daemon: leave it and fail.
 */
int control_clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket; remove it or change control.socket",
		         path);
		return -1;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a Unix socket", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s: another warmthd is listening there", path);
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove the stale socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The directory the unit's RuntimeDirectory=warmthd makes at start. */
#define CONTROL_RUNTIME_DIR "/run/warmthd"

int control_check_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	int rc = 0;

	if (strlen(path) + sizeof(CONTROL_TMP_SUFFIX) > sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a Unix socket (at most %zu bytes)", path,
		         sizeof(sun.sun_path) - sizeof(CONTROL_TMP_SUFFIX));
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket; remove it or change control.socket",
		         path);
		return -1;
	}
	/* conf_load makes every path absolute. */
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/")
	                                                   : xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &st) != 0) {
		int e = errno;
		if (e == ENOENT && strcmp(dir, CONTROL_RUNTIME_DIR) == 0) {
			snprintf(err, errlen, "%s: directory %s does not exist here; systemd creates it "
			         "when the service starts (RuntimeDirectory=warmthd); outside systemd, "
			         "create it first (install -d -o warmthd -g warmthd -m 0750 %s)", path, dir,
			         dir);
			rc = 1;
		} else if (e == ENOENT) {
			snprintf(err, errlen, "%s: directory %s does not exist: create it, or change "
			         "control.socket", path, dir);
			rc = -1;
		} else {
			snprintf(err, errlen, "%s: directory %s: %s", path, dir, strerror(e));
			rc = -1;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a directory; change control.socket", path, dir);
		rc = -1;
	} else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		snprintf(err, errlen, "%s: directory %s: %s for uid %u, who cannot create the socket "
		         "there: give that user write access to it, or change control.socket", path, dir,
		         strerror(errno), (unsigned)geteuid());
		rc = -1;
	}
	free(dir);
	return rc;
}
