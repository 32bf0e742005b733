/*
 * store_fault.c - a fault-injecting SQLite VFS, for tests only.
 *
 * When the environment variable WARMTH_TEST_FAULTS names a file at the
 * first store_open(), this VFS wraps the default one and becomes the
 * default. Before each write, sync and lock it reads that file (again only
 * when its inode, size or time changed) and fails the call while the file
 * asks for it. The file holds whitespace-separated words:
 *
 *   write=full    xWrite and xTruncate fail with SQLITE_FULL (disk full)
 *   write=ioerr   xWrite fails with SQLITE_IOERR_WRITE
 *   sync=ioerr    xSync fails with SQLITE_IOERR_FSYNC
 *   lock=busy     write locks (xLock above SHARED, exclusive WAL locks)
 *                 fail with SQLITE_BUSY, as if another process held them
 *
 * An empty or missing file injects nothing, so a test turns a fault on by
 * writing the file and off by emptying it (tests/integration/test_faults.py).
 * Every other call goes straight to the wrapped VFS; without the variable
 * nothing here is registered and the daemon runs on SQLite's own VFS. The
 * variable is documented as test-only (docs/reliability.md): it lets the
 * user who starts the daemon make its commits fail, nothing more.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warmth/log.h"
#include "store_internal.h"

enum { STORE_FAULT_WRITE_FULL = 1, STORE_FAULT_WRITE_IOERR = 2, STORE_FAULT_SYNC = 4,
       STORE_FAULT_LOCK = 8 };

struct store_fault_file {
	sqlite3_file base;     /* io methods: store_fault_io */
	sqlite3_file *real;    /* the wrapped VFS's file, allocated right after this struct */
};

static sqlite3_vfs store_fault_vfs;
static sqlite3_vfs *store_fault_real;
static char *store_fault_path;
static pthread_mutex_t store_fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stat store_fault_seen;   /* the control file as last read */
static unsigned store_fault_active;    /* STORE_FAULT_* bits */
static unsigned long store_fault_injected;

/* The faults the control file asks for now (thread-safe: commits run on the pool). */
static unsigned store_fault_current(void)
{
	struct stat st;
	unsigned active = 0;
	char text[256];
	FILE *f;
	size_t n;

	pthread_mutex_lock(&store_fault_lock);
	if (stat(store_fault_path, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (st.st_ino == store_fault_seen.st_ino && st.st_size == store_fault_seen.st_size &&
	    st.st_mtim.tv_sec == store_fault_seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == store_fault_seen.st_mtim.tv_nsec) {
		active = store_fault_active;
		pthread_mutex_unlock(&store_fault_lock);
		return active;
	}
	store_fault_seen = st;
	if (st.st_ino != 0 && (f = fopen(store_fault_path, "r")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		for (char *save = NULL, *w = strtok_r(text, " \t\r\n", &save); w != NULL;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (strcmp(w, "write=full") == 0)
				active |= STORE_FAULT_WRITE_FULL;
			else if (strcmp(w, "write=ioerr") == 0)
				active |= STORE_FAULT_WRITE_IOERR;
			else if (strcmp(w, "sync=ioerr") == 0)
				active |= STORE_FAULT_SYNC;
			else if (strcmp(w, "lock=busy") == 0)
				active |= STORE_FAULT_LOCK;
			else
				log_warnx("test faults: %s: unknown word \"%s\"", store_fault_path, w);
		}
	}
	if (active != store_fault_active)
		log_warnx("test faults: now injecting%s%s%s%s%s (%lu injected so far)",
		          active & STORE_FAULT_WRITE_FULL ? " write=full" : "",
		          active & STORE_FAULT_WRITE_IOERR ? " write=ioerr" : "",
		          active & STORE_FAULT_SYNC ? " sync=ioerr" : "",
		          active & STORE_FAULT_LOCK ? " lock=busy" : "", active ? "" : " nothing",
		          store_fault_injected);
	store_fault_active = active;
	pthread_mutex_unlock(&store_fault_lock);
	return active;
}

/* Counts one injected failure and returns rc. */
static int store_fault_inject(int rc)
{
	pthread_mutex_lock(&store_fault_lock);
	store_fault_injected++;
	pthread_mutex_unlock(&store_fault_lock);
	return rc;
}

#define REAL(f) (((struct store_fault_file *)(f))->real)

static int store_fault_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int store_fault_read(sqlite3_file *f, void *data, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), data, n, off);
}

static int store_fault_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
	unsigned active = store_fault_current();

	if (active & STORE_FAULT_WRITE_FULL)
		return store_fault_inject(SQLITE_FULL);
	if (active & STORE_FAULT_WRITE_IOERR)
		return store_fault_inject(SQLITE_IOERR_WRITE);
	return REAL(f)->pMethods->xWrite(REAL(f), data, n, off);
}

static int store_fault_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (store_fault_current() & STORE_FAULT_WRITE_FULL)
		return store_fault_inject(SQLITE_FULL);
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int store_fault_sync(sqlite3_file *f, int flags)
{
	if (store_fault_current() & STORE_FAULT_SYNC)
		return store_fault_inject(SQLITE_IOERR_FSYNC);
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int store_fault_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int store_fault_lock_file(sqlite3_file *f, int level)
{
	if (level > SQLITE_LOCK_SHARED && (store_fault_current() & STORE_FAULT_LOCK))
		return store_fault_inject(SQLITE_BUSY);
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int store_fault_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int store_fault_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int store_fault_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int store_fault_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int store_fault_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int store_fault_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}

/* In WAL mode the write lock is an exclusive lock of the -shm file, not xLock. */
static int store_fault_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	if ((flags & SQLITE_SHM_LOCK) && (flags & SQLITE_SHM_EXCLUSIVE) &&
	    (store_fault_current() & STORE_FAULT_LOCK))
		return store_fault_inject(SQLITE_BUSY);
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void store_fault_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int store_fault_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int store_fault_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int store_fault_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods store_fault_io = {
	3,
	store_fault_close,
	store_fault_read,
	store_fault_write,
	store_fault_truncate,
	store_fault_sync,
	store_fault_size,
	store_fault_lock_file,
	store_fault_unlock,
	store_fault_check_reserved,
	store_fault_control,
	store_fault_sector,
	store_fault_device,
	store_fault_shm_map,
	store_fault_shm_lock,
	store_fault_shm_barrier,
	store_fault_shm_unmap,
	store_fault_fetch,
	store_fault_unfetch,
};

static int store_fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                            int *out_flags)
{
	struct store_fault_file *ff = (struct store_fault_file *)file;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = store_fault_real->xOpen(store_fault_real, name, ff->real, flags, out_flags);
	/* SQLite calls xClose only when pMethods is set, so set it only on success. */
	ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods != NULL ? &store_fault_io : NULL;
	return rc;
}

/* The rest of the VFS is the wrapped one's (copied in store_fault_init). */

int store_fault_init(void)
{
	static int done;
	const char *path = getenv("WARMTH_TEST_FAULTS");

	if (done || path == NULL || path[0] == '\0')
		return 0;
	done = 1;
	store_fault_real = sqlite3_vfs_find(NULL);
	if (store_fault_real == NULL || store_fault_real->iVersion < 3)
		return -1;
	/* The unix VFS's io methods are version 3: the wrapper forwards all of them. */
	store_fault_vfs = *store_fault_real;
	store_fault_vfs.zName = "warmth-faults";
	store_fault_vfs.szOsFile = (int)sizeof(struct store_fault_file) + store_fault_real->szOsFile;
	store_fault_vfs.xOpen = store_fault_open;
	store_fault_path = xstrdup(path);
	log_warnx("test faults: WARMTH_TEST_FAULTS=%s: SQLite runs on the fault-injecting VFS "
	          "(for tests only)", path);
	return sqlite3_vfs_register(&store_fault_vfs, 1) == SQLITE_OK ? 0 : -1;
}
