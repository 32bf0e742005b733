/*
 * conf_paths.c - the check that no input reads a file the daemon writes.
 *
 * An input glob that matches the dead-letter file feeds it: a bad line
 * read from it is written to it again, with more around it, for ever (about
 * 2 MB/s from one bad line). The same holds for a file notifier's file,
 * the metrics text file and the database. Each such path is matched against
 * every input glob as glob() would (FNM_PATHNAME | FNM_PERIOD), as written
 * and through its symlinks, and a match is an error at the path's own
 * position. The tailer also compares identities at every scan (tail_scan.c),
 * for what only appears later (a symlink made after the check).
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/conf.h"
#include "warmth/util.h"
#include "conf_internal.h"

/* The input whose glob matches path, or -1. */
static long conf_paths_input(const struct conf *conf, const char *path)
{
	for (size_t i = 0; i < conf->ninputs; i++)
		if (fnmatch(conf->inputs[i].path, path, FNM_PATHNAME | FNM_PERIOD) == 0)
			return (long)i;
	return -1;
}

/*
 * The path with its symlinks resolved; for a file not made yet, its
 * directory's (a directory that is a link into an input directory).
 */
static int conf_paths_real(const char *path, char real[PATH_MAX])
{
	char *copy, dir_real[PATH_MAX];
	const char *base;
	int rc = -1;

	if (realpath(path, real) != NULL)
		return 0;
	copy = xstrdup(path);
	base = strrchr(path, '/');
	if (base != NULL && base != path) {
		copy[base - path] = '\0';
		if (realpath(copy, dir_real) != NULL &&
		    strlen(dir_real) + strlen(base) < PATH_MAX) {
			strcpy(real, dir_real);
			strcat(real, base);
			rc = 0;
		}
	}
	free(copy);
	return rc;
}

/*
 * Reports path (what: "dead_letter") when an input matches it; at is where
 * the config sets it, or NULL for a default (then the input is the place).
 */
static int conf_paths_one(struct conf_loader *ld, const struct conf_node *root,
                          const struct conf *conf, const char *path, const char *what,
                          const struct conf_node *at)
{
	char real[PATH_MAX];
	const char *via = path;
	long i;

	if (path == NULL)
		return 0;
	i = conf_paths_input(conf, path);
	if (i < 0 && conf_paths_real(path, real) == 0 && strcmp(real, path) != 0) {
		i = conf_paths_input(conf, real);
		via = real;
	}
	if (i < 0)
		return 0;
	if (at == NULL) {
		const struct conf_node *inputs = conf_node_get(root, "inputs");
		if (inputs != NULL && inputs->kind == CONF_NODE_SEQUENCE && (size_t)i < inputs->nitems)
			at = conf_node_get(inputs->items[i], "path");
	}
	conf_report(ld, at, "%s: %s%s%s%s is matched by inputs[%ld].path (%s): warmthd writes it, "
	            "and reading it would feed it; move it out of the inputs or narrow the glob", what,
	            path, via != path ? " (a link to " : "", via != path ? via : "",
	            via != path ? ")" : "", i, conf->inputs[i].path);
	return 1;
}

void conf_paths_check(struct conf_loader *ld, const struct conf_node *root,
                      const struct conf *conf)
{
	static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };
	const struct conf_node *notify = conf_node_get(root, "notify");
	const struct conf_node *metrics = conf_node_get(root, "metrics");
	const struct conf_node *state = conf_node_get(root, "state");
	char what[64];

	conf_paths_one(ld, root, conf, conf->dead_letter, "dead_letter",
	               conf_node_get(root, "dead_letter"));
	for (size_t i = 0; i < conf->nnotify; i++) {
		const struct conf_node *at = NULL;
		if (conf->notify[i].type != CONF_NOTIFY_FILE)
			continue;
		if (notify != NULL && notify->kind == CONF_NODE_SEQUENCE && i < notify->nitems)
			at = conf_node_get(notify->items[i], "path");
		snprintf(what, sizeof(what), "notify[%zu].path", i);
		conf_paths_one(ld, root, conf, conf->notify[i].path, what, at);
	}
	conf_paths_one(ld, root, conf, conf->metrics_textfile, "metrics.textfile",
	               metrics != NULL ? conf_node_get(metrics, "textfile") : NULL);
	/* The database with the files SQLite keeps beside it: one message for all. */
	for (size_t i = 0, hit = 0; conf->database != NULL && !hit && i < ARRAY_SIZE(db_suffixes);
	     i++) {
		char *p = xmalloc(strlen(conf->database) + strlen(db_suffixes[i]) + 1);
		strcpy(p, conf->database);
		strcat(p, db_suffixes[i]);
		hit = (size_t)conf_paths_one(ld, root, conf, p, "state.database",
		                             state != NULL ? conf_node_get(state, "database") : NULL);
		free(p);
	}
}
