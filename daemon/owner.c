/*
 * owner.c - warmthd run once by hand as root must not break the service
 * (see owner.h).
 *
 * The service runs as its own user in a state directory that user owns
 * (tmpfiles.d, StateDirectory=). Started as root with the same config,
 * the daemon created state.db, the dead-letter file and the notifications
 * file as root, and the service could no longer write them. Creating them
 * with the directory's owner instead would need every creator (SQLite's
 * journal and WAL, the sinks' reopening after a rotation) to chown, for
 * ever; refusing at start and at reload is one check, and its message
 * says how to run the daemon as the owner. The check is by directory, not
 * by file: a file that already exists is reopened by path after a
 * rotation (created again, as root) and the database gets new -wal and
 * -shm files, so an existing file does not make root safe there.
 */
#include <libgen.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "owner.h"

/* Checks one path's directory; -1 with the message in err. */
static int owner_check_dir(const char *what, const char *path, const char *config_path,
                           struct buf *err)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	struct passwd *pw;
	int rc = 0;

	/* A directory that is missing or unreadable is the open's to report. */
	if (stat(dir, &st) == 0 && st.st_uid != 0) {
		pw = getpwuid(st.st_uid);
		if (pw != NULL)
			buf_printf(err,
			           "%s %s: warmthd runs as root, but %s belongs to %s (uid %lu): "
			           "files it made there would belong to root and the service, "
			           "running as %s, could no longer write them. Run warmthd as "
			           "that user (runuser -u %s -- warmthd -c %s), or make root "
			           "the directory's owner (chown) if root is to run it",
			           what, path, dir, pw->pw_name, (unsigned long)st.st_uid,
			           pw->pw_name, pw->pw_name, config_path);
		else
			buf_printf(err,
			           "%s %s: warmthd runs as root, but %s belongs to uid %lu: "
			           "files it made there would belong to root and a daemon "
			           "running as that uid could no longer write them. Run warmthd "
			           "as that uid (setpriv --reuid=%lu --regid=%lu --clear-groups "
			           "warmthd -c %s), or make root the directory's owner (chown)",
			           what, path, dir, (unsigned long)st.st_uid, (unsigned long)st.st_uid,
			           (unsigned long)st.st_gid, config_path);
		rc = -1;
	}
	free(copy);
	return rc;
}

int owner_check_state(const struct conf *conf, const char *config_path, uid_t euid,
                      struct buf *err)
{
	if (euid != 0)
		return 0;
	if (owner_check_dir("state.database", conf->database, config_path, err) < 0)
		return -1;
	if (conf->dead_letter != NULL &&
	    owner_check_dir("dead_letter", conf->dead_letter, config_path, err) < 0)
		return -1;
	for (size_t i = 0; i < conf->nnotify; i++) {
		const struct conf_notify *n = &conf->notify[i];
		if (n->type == CONF_NOTIFY_FILE &&
		    owner_check_dir("notify (file) path", n->path, config_path, err) < 0)
			return -1;
	}
	return 0;
}
