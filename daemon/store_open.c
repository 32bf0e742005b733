/*
 * store_open.c - opening the state database (see store.h): the checks
 * that turn SQLite's terse failures into messages saying what to fix (a
 * missing directory, a file or directory the daemon may not write, a file
 * that is not a warmthd database, a schema from a newer warmthd), the
 * immutable fallback of a reader who may not create the -shm file, then
 * the configuration and migrations of store.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "warmth/log.h"
#include "warmth/store.h"
#include "store_internal.h"

/* Milliseconds a connection waits on a lock before reporting SQLITE_BUSY. */
#define STORE_BUSY_TIMEOUT_MS 5000

/*
 * Formats "PATH: what: SQLite's message", with the system error when there
 * is one: "unable to open database file" alone does not say that the
 * directory is missing or not writable.
 */
static void store_open_error(struct store *store, const char *what, char *err, size_t errlen)
{
	int sys = sqlite3_system_errno(store->db);

	if (sys != 0)
		snprintf(err, errlen, "%s: %s: %s (%s)", store->path, what, sqlite3_errmsg(store->db),
		         strerror(sys));
	else
		snprintf(err, errlen, "%s: %s: %s", store->path, what, sqlite3_errmsg(store->db));
}

/*
 * Checks the schema version of a freshly opened database against this
 * build. Returns 0 and sets *version, or -1 with err set: for a file that
 * is not SQLite, a newer schema, or (version 0) an SQLite file that already
 * has tables, which is some other program's database.
 */
static int store_check_version(struct store *store, int64_t *version, char *err, size_t errlen)
{
	int64_t tables = 0;

	if (store_query_int(store->db, "PRAGMA user_version", version) < 0) {
		if (sqlite3_errcode(store->db) == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not an SQLite database (is this the state file?)",
			         store->path);
		else
			store_open_error(store, "cannot read", err, errlen);
		return -1;
	}
	if (*version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
		         "%s: database is from a newer warmthd (schema %lld, this one knows %d)",
		         store->path, (long long)*version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (*version == 0 &&
	    store_query_int(store->db, "SELECT count(*) FROM sqlite_master", &tables) == 0 &&
	    tables > 0) {
		snprintf(err, errlen, "%s: not a warmthd database (it has tables but no schema version)",
		         store->path);
		return -1;
	}
	return 0;
}

/*
 * Opens path read-only as a URI with immutable=1, which needs no -shm file.
 * Only for a database that no writer has open (no -wal file exists), read
 * by a user who cannot create the -shm file in its directory.
 */
static int store_open_immutable(struct store *store)
{
	static const char hex[] = "0123456789abcdef";
	struct buf uri = { 0 };
	int rc;

	buf_append_str(&uri, "file:");
	for (const char *p = store->path; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '%' || ch == '?' || ch == '#' || ch <= 0x20 || ch >= 0x7f) {
			char esc[3] = { '%', hex[ch >> 4], hex[ch & 15] };
			buf_append(&uri, esc, 3);
		} else {
			buf_append(&uri, p, 1);
		}
	}
	buf_append_str(&uri, "?immutable=1");
	sqlite3_close(store->db);
	rc = sqlite3_open_v2(buf_cstr(&uri), &store->db,
	                     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	buf_free(&uri);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * For a database to write: an existing file must be writable, and so must
 * its directory (WAL mode creates PATH-wal and PATH-shm beside it). A file
 * yet to be created is sqlite3_open_v2's to report. Returns 0, or -1 with
 * err set.
 */
static int store_check_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *copy, *dir;
	int rc = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0) {
		snprintf(err, errlen, "%s: cannot write: %s (the user warmthd runs as must own it)",
		         path, strerror(errno));
		return -1;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		snprintf(err, errlen, "%s: cannot write in %s: %s (the -wal and -shm files go there)",
		         path, dir, strerror(errno));
		rc = -1;
	}
	free(copy);
	return rc;
}

int store_open(const char *path, int readonly, int synchronous_full, struct store **out,
               char *err, size_t errlen)
{
	struct store *store;
	struct stat st;
	int64_t version;
	int flags;

	*out = NULL;
	if (store_fault_init() < 0)
		fatalx("WARMTH_TEST_FAULTS: cannot install the fault-injecting SQLite VFS");
	/* SQLite's own message for a missing file is "unable to open database
	   file", which does not say that the file is missing. */
	if (readonly && stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		         errno == ENOENT ? "no such database" : strerror(errno));
		return -1;
	}
	/* SQLite would say "attempt to write a readonly database" while
	   reading the schema version: say which permission is missing. */
	if (!readonly && store_check_writable(path, err, errlen) < 0)
		return -1;
	store = xcalloc(1, sizeof(*store));
	store->path = xstrdup(path);
	store->readonly = readonly;
	/* NOMUTEX: a handle is used by one thread at a time (store.h), so
	   SQLite's per-connection mutex would only cost time. */
	flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
	        SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &store->db, flags, NULL) != SQLITE_OK) {
		if (store->db == NULL)
			fatalx("sqlite3_open_v2: out of memory");
		store_open_error(store, "cannot open", err, errlen);
		/* SQLite's last system error is from its read-only retry; for
		   a database to create, the directory is what to fix. */
		if (!readonly && stat(path, &st) < 0 && errno == ENOENT) {
			char *dir = xstrdup(path);
			if (access(dirname(dir), W_OK | X_OK) < 0)
				snprintf(err, errlen, "%s: cannot create: %s: %s", path, dir,
				         strerror(errno));
			free(dir);
		}
		goto fail;
	}
	sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	if (readonly && store_query_int(store->db, "PRAGMA user_version", &version) < 0 &&
	    (sqlite3_errcode(store->db) == SQLITE_READONLY ||
	     sqlite3_errcode(store->db) == SQLITE_CANTOPEN)) {
		/* A WAL database read by a user who may not create its -shm file
		   (SQLITE_READONLY_CANTINIT). With no -wal file no writer has it
		   open, so reading the main file as immutable sees exactly the
		   committed state. */
		struct buf wal = { 0 };
		int no_wal;
		buf_printf(&wal, "%s-wal", path);
		no_wal = stat(buf_cstr(&wal), &st) < 0 && errno == ENOENT;
		buf_free(&wal);
		if (no_wal && store_open_immutable(store) == 0)
			sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	}
	if (store_check_version(store, &version, err, errlen) < 0)
		goto fail;
	if (readonly) {
		if (version < STORE_SCHEMA_VERSION) {
			snprintf(err, errlen,
			         "%s: database has schema %lld, this warmthd needs %d: start warmthd once "
			         "to upgrade it",
			         path, (long long)version, STORE_SCHEMA_VERSION);
			goto fail;
		}
	} else {
		if (store_configure(store, synchronous_full, err, errlen) < 0 ||
		    store_migrate(store, err, errlen) < 0)
			goto fail;
	}
	*out = store;
	return 0;
fail:
	store_close(store);
	return -1;
}

