/*
 * import_archive.c - LinkedIn's archive as the zip it is downloaded as
 * (libzip), or as the folder it unpacks to.
 *
 * Files are found by name without case and in any folder, since the
 * archive has moved files between its root and sub-folders over the years
 * and unzip tools on some systems change case.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "import.h"

/* Files above this size are not CSV exports but something else. */
#define ARCHIVE_MAX_FILE (1024u * 1024u * 1024u)
/*
 * A zip bomb: an entry that expands beyond ARCHIVE_BOMB_FLOOR bytes at more
 * than ARCHIVE_BOMB_RATIO times its compressed size. CSV text deflates 3 to
 * 20 times (the archive's own files: 4 to 9); a kilobyte that claims a
 * gigabyte is no export, and would be read whole into memory.
 */
#define ARCHIVE_BOMB_FLOOR (16u * 1024u * 1024u)
#define ARCHIVE_BOMB_RATIO 100u

struct import_archive {
	zip_t *zip;        /* NULL for a folder */
	char *dir;
};

struct import_archive *import_archive_open(const char *path, struct buf *err)
{
	struct import_archive *a;
	struct stat st;
	int zerr = 0;
	zip_t *z;

	if (stat(path, &st) != 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	if (S_ISDIR(st.st_mode)) {
		a->dir = xstrdup(path);
		return a;
	}
	z = zip_open(path, ZIP_RDONLY, &zerr);
	if (z == NULL) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		buf_printf(err, "%s: not a zip archive or a folder: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		free(a);
		return NULL;
	}
	a->zip = z;
	return a;
}

static const char *archive_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int archive_read_zip(struct import_archive *a, const char *name, struct buf *out,
                            struct buf *err)
{
	zip_int64_t i, n = zip_get_num_entries(a->zip, 0);
	zip_stat_t zs;
	zip_file_t *zf;
	zip_int64_t got;

	for (i = 0; i < n; i++) {
		const char *e = zip_get_name(a->zip, (zip_uint64_t)i, 0);
		if (e != NULL && strcasecmp(archive_base(e), name) == 0)
			break;
	}
	if (i == n)
		return 1;
	if (zip_stat_index(a->zip, (zip_uint64_t)i, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE)) {
		buf_printf(err, "%s: cannot size it in the archive", name);
		return -1;
	}
	if (zs.size > ARCHIVE_MAX_FILE) {
		buf_printf(err, "%s: %llu bytes uncompressed, more than a CSV export holds (1 GiB)", name,
		           (unsigned long long)zs.size);
		return -1;
	}
	if ((zs.valid & ZIP_STAT_COMP_SIZE) && zs.size > ARCHIVE_BOMB_FLOOR &&
	    zs.size / (zs.comp_size > 0 ? zs.comp_size : 1) > ARCHIVE_BOMB_RATIO) {
		buf_printf(err, "%s: %llu bytes packed into %llu, %llu times: not a CSV export (a zip bomb?)",
		           name, (unsigned long long)zs.size, (unsigned long long)zs.comp_size,
		           (unsigned long long)(zs.size / (zs.comp_size > 0 ? zs.comp_size : 1)));
		return -1;
	}
	zf = zip_fopen_index(a->zip, (zip_uint64_t)i, 0);
	if (zf == NULL) {
		buf_printf(err, "%s: %s", name, zip_strerror(a->zip));
		return -1;
	}
	buf_reset(out);
	buf_reserve(out, (size_t)zs.size + 1);
	got = zip_fread(zf, out->data, zs.size);
	if (got < 0 || (zip_uint64_t)got != zs.size) {
		buf_printf(err, "%s: %s", name, zip_file_strerror(zf));
		zip_fclose(zf);
		return -1;
	}
	out->len = (size_t)got;
	zip_fclose(zf);
	return 0;
}

static int archive_read_dir(struct import_archive *a, const char *name, struct buf *out,
                            struct buf *err)
{
	DIR *d = opendir(a->dir);
	struct dirent *e;
	char *path = NULL;
	struct stat st;
	FILE *f;
	char chunk[65536];
	size_t n;
	int fd;

	if (d == NULL) {
		buf_printf(err, "%s: %s", a->dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcasecmp(e->d_name, name) == 0) {
			size_t len = strlen(a->dir) + strlen(e->d_name) + 2;
			path = xmalloc(len);
			snprintf(path, len, "%s/%s", a->dir, e->d_name);
			break;
		}
	closedir(d);
	if (path == NULL)
		return 1;
	/*
	 * Only a regular file of the folder itself: an archive unpacks to no
	 * link, and a FIFO would block the import forever, /dev/zero fill
	 * memory up to the size limit.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: %s", path, fd < 0 && errno == ELOOP ? "a symbolic link, not a file "
		           "of the archive" : fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	f = fdopen(fd, "rb");
	if (f == NULL) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(out, chunk, n);
		if (out->len > ARCHIVE_MAX_FILE)
			break;
	}
	if (ferror(f) || out->len > ARCHIVE_MAX_FILE) {
		buf_printf(err, "%s: %s", path, ferror(f) ? strerror(errno) : "too large");
		fclose(f);
		free(path);
		return -1;
	}
	fclose(f);
	free(path);
	return 0;
}

int import_archive_read(struct import_archive *a, const char *name, struct buf *out,
                        struct buf *err)
{
	return a->zip ? archive_read_zip(a, name, out, err) : archive_read_dir(a, name, out, err);
}

void import_archive_close(struct import_archive *a)
{
	if (a == NULL)
		return;
	if (a->zip)
		zip_discard(a->zip);
	free(a->dir);
	free(a);
}
