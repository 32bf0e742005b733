/*
 * sdnotify.c - the systemd notification protocol (sd_notify(3)) without
 * libsystemd: one datagram per message to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
 *
 * The protocol is a documented, stable interface of a few lines; linking
 * libsystemd for it would add a dependency for no gain. When the daemon is
 * not run by systemd, $NOTIFY_SOCKET is unset and every call is a no-op.
 * The watchdog interval comes from $WATCHDOG_USEC, honoured only when
 * $WATCHDOG_PID is unset or names this process (as sd_watchdog_enabled()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "warmth/log.h"
#include "sdnotify.h"

static int sdnotify_fd = -1;
static struct sockaddr_un sdnotify_addr;
static socklen_t sdnotify_addrlen;

int sdnotify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (path == NULL || path[0] == '\0')
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sdnotify_addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not a usable socket address; not notifying systemd", path);
		return -1;
	}
	memset(&sdnotify_addr, 0, sizeof(sdnotify_addr));
	sdnotify_addr.sun_family = AF_UNIX;
	memcpy(sdnotify_addr.sun_path, path, len);
	if (path[0] == '@')
		sdnotify_addr.sun_path[0] = '\0'; /* the abstract namespace */
	sdnotify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	sdnotify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sdnotify_fd < 0) {
		log_warn("socket for NOTIFY_SOCKET");
		return -1;
	}
	return 0;
}

void sdnotify(const char *msg)
{
	if (sdnotify_fd < 0)
		return;
	if (sendto(sdnotify_fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sdnotify_addr,
	           sdnotify_addrlen) < 0)
		log_debug("sd_notify %s: %s", msg, strerror(errno));
}

void sdnotify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	/* systemd 253+ wants the monotonic time to match RELOADING to its READY. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	sdnotify(msg);
}

uint64_t sdnotify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	unsigned long long v;

	if (sdnotify_fd < 0 || usec == NULL)
		return 0;
	if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return 0;
	return v;
}

void sdnotify_close(void)
{
	if (sdnotify_fd >= 0)
		close(sdnotify_fd);
	sdnotify_fd = -1;
}
