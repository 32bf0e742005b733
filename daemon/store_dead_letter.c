/*
 * store_dead_letter.c - moves rejected lines from the rejects table to the
 * dead-letter file, exactly once (see store_flush_dead_letter in store.h).
 *
 * The file is its own progress record: every line starts with {"seq":N,
 * and seqs only grow (rejects is AUTOINCREMENT), so the last complete line
 * says which rejects the file already holds. A flush reads that, appends
 * the rejects after it, fsyncs, and only then deletes them from the table.
 * A crash before the fsync leaves the rows queued and at worst a partial
 * last line, which the next flush cuts away before appending; a crash
 * after it leaves rows the file already has, which the next flush skips
 * and deletes. Either way every reject appears in the file once.
 *
 * Lines are built with json.h (yajl_gen). The "line" value is the first
 * KiB of the rejected input; json.h replaces each byte that is not valid
 * UTF-8 by U+FFFD, so the record stays valid JSON and still shows where
 * the bad bytes were.
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

#include "warmth/json.h"
#include "warmth/lines.h"
#include "warmth/log.h"
#include "warmth/store.h"

/* Bytes read per step when scanning the file backwards for newlines. */
/* Lines are written in chunks of about this many bytes. */
#define STORE_DEAD_LETTER_CHUNK (1024 * 1024)

static const char store_sql_pending[] = "SELECT max(seq) FROM rejects";
static const char store_sql_assigned[] = "SELECT seq FROM sqlite_sequence WHERE name = 'rejects'";
static const char store_sql_unwritten[] =
	"SELECT seq, file, offset, reason, detail, line, wall_ms FROM rejects "
	"WHERE seq > ?1 ORDER BY seq";
static const char store_sql_written[] = "DELETE FROM rejects WHERE seq <= ?1";

/*
 * Reads the seq from the line starting at start, which store_dead_letter_line()
 * wrote as {"seq":N,... (spaces tolerated). Returns 0, or -1 if the line
 * does not start that way (a line someone else wrote).
 */
static int store_dead_letter_parse_seq(int fd, off_t start, off_t end, int64_t *seq)
{
	char head[64];
	size_t want = (size_t)(end - start) < sizeof(head) - 1 ? (size_t)(end - start)
	                                                        : sizeof(head) - 1;
	ssize_t n = pread(fd, head, want, start);
	const char *p = head;
	int64_t v = 0;
	int digits = 0;

	if (n <= 0)
		return -1;
	head[n] = '\0';
	while (*p == ' ')
		p++;
	if (*p++ != '{')
		return -1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "\"seq\"", 5) != 0)
		return -1;
	p += 5;
	while (*p == ' ')
		p++;
	if (*p++ != ':')
		return -1;
	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits == 0)
		return -1;
	*seq = v;
	return 0;
}

/*
 * Finds where the complete lines of fd end (*keep: everything after is a
 * partial line left by an interrupted write) and the seq of the last
 * non-empty complete line (*last, 0 if none or unreadable). Returns 0 or
 * -1 on a read error.
 */
static int store_dead_letter_tail(int fd, const char *path, off_t size, off_t *keep,
                                  int64_t *last)
{
	off_t nl, end, prev;
	int found;

	*keep = 0;
	*last = 0;
	found = lines_rfind_newline(fd, size, &nl);
	if (found <= 0)
		return found;
	*keep = nl + 1;
	/* Skip empty lines back to the last one with content. */
	for (end = nl; end > 0; end = prev) {
		found = lines_rfind_newline(fd, end, &prev);
		if (found < 0)
			return -1;
		if (found == 0)
			prev = -1;
		if (prev + 1 < end) {
			if (store_dead_letter_parse_seq(fd, prev + 1, end, last) < 0)
				log_warnx("%s: the last line has no \"seq\"; writing every queued reject "
				          "(some may appear twice)",
				          path);
			return 0;
		}
		if (found == 0)
			break;
	}
	return 0;
}

/* Writes a nullable text or blob column as a JSON string, or null. json.h
   replaces bytes that are not UTF-8, which rejected lines often have. */
static void store_dead_letter_string(struct json *j, sqlite3_stmt *stmt, int col)
{
	const char *s = sqlite3_column_blob(stmt, col);
	size_t len = (size_t)sqlite3_column_bytes(stmt, col);

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		json_null(j);
	else
		json_strn(j, s ? s : "", len);
}

/* Appends the current reject row to out as one JSON line, "seq" first. */
static void store_dead_letter_line(struct buf *out, sqlite3_stmt *stmt)
{
	struct json *j = json_new(out, 0);

	json_object_open(j);
	json_kv_int(j, "seq", sqlite3_column_int64(stmt, 0));
	json_kv_time(j, "time", sqlite3_column_int64(stmt, 6));
	json_key(j, "file");
	store_dead_letter_string(j, stmt, 1);
	json_kv_int(j, "offset", sqlite3_column_int64(stmt, 2));
	json_key(j, "reason");
	store_dead_letter_string(j, stmt, 3);
	json_key(j, "detail");
	store_dead_letter_string(j, stmt, 4);
	json_key(j, "line");
	store_dead_letter_string(j, stmt, 5);
	json_object_close(j);
	json_free(j);
	buf_append(out, "\n", 1);
}

/* Writes all of data[0..len) at fd's position. Returns 0 or -1 (errno set). */
static int store_dead_letter_write(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Opens (creating, mode 0640) the dead-letter file. A new file's directory
 * entry is fsynced too, or a crash could lose the file with its lines while
 * the rows it held are already deleted. Never through a symbolic link, and
 * only a regular file: a partial last line is cut from what is opened, so
 * a link planted at the path would have the daemon cut and append to any
 * file it may write, its own database among them.
 */
static int store_dead_letter_open(const char *path, char *err, size_t errlen)
{
	/* Only a regular file (a FIFO would block the commit for good), never through a link. */
	int fd = lines_open_regular(path, O_RDWR | O_NOFOLLOW, 0, NULL);
	char *dir;
	int dfd;

	if (fd < 0 && errno == ELOOP) {
		snprintf(err, errlen, "%s: the dead-letter file is a symbolic link: refused (name the file "
		         "itself)", path);
		return -1;
	}
	if (fd < 0 && errno == EINVAL) {
		snprintf(err, errlen, "%s: the dead-letter file is not a regular file: refused", path);
		return -1;
	}
	if (fd >= 0 || errno != ENOENT)
		goto done;
	fd = lines_open_regular(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0640, NULL);
	if (fd < 0)
		goto done;
	dir = xstrdup(path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
done:
	if (fd < 0)
		snprintf(err, errlen, "%s: cannot open dead-letter file: %s", path,
		         errno == EINVAL ? "not a regular file" : strerror(errno));
	return fd;
}

/*
 * If the file's last seq is beyond any this database ever assigned, the
 * file outlived the database it was written from: state.db was deleted and
 * the file kept, or (synchronous NORMAL only) a power cut took the last
 * commits from the database but not the fsynced file. Comparing seqs would
 * then skip new rejects as "already written", losing them, so the queued
 * rows are renumbered to follow the file, in one transaction. Seqs in the
 * file keep growing; after such a power cut, lines replayed from the
 * inputs may appear twice, which is the side to err on.
 */
static int store_dead_letter_renumber(struct store *store, const char *path, int64_t last)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = store_statement(store, store_sql_assigned);
	int64_t assigned = 0;
	char sql[256];
	int rc;

	if (stmt == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		assigned = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (last <= assigned)
		return 0;
	log_notice("%s: the file is ahead of the database (seq %lld > %lld): numbering the "
	           "queued rejects after it",
	           path, (long long)last, (long long)assigned);
	/* New seqs are all above every old one, so the key update never collides. */
	snprintf(sql, sizeof(sql),
	         "BEGIN IMMEDIATE; UPDATE rejects SET seq = seq + %lld; UPDATE sqlite_sequence SET "
	         "seq = seq + %lld WHERE name = 'rejects'; COMMIT",
	         (long long)last, (long long)last);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Returns 1 if the rejects table has rows, 0 if not, -1 on error. */
static int store_dead_letter_pending(struct store *store)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_pending);
	int rc, pending = 0;

	if (stmt == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		pending = sqlite3_column_type(stmt, 0) != SQLITE_NULL;
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? pending : -1;
}

/*
 * Appends the rows after last to fd, in chunks, and sets *written to the
 * seq of the last row written (unchanged if none). Returns 0, -1 on a
 * write error (errno set), or -2 on a database error.
 */
static int store_dead_letter_append(struct store *store, int fd, int64_t last, int64_t *written)
{
	sqlite3_stmt *stmt = store_statement(store, store_sql_unwritten);
	struct buf out = { 0 };
	int64_t in_buf = last;
	int rc, result = 0;

	if (stmt == NULL)
		return -2;
	sqlite3_bind_int64(stmt, 1, last);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		store_dead_letter_line(&out, stmt);
		in_buf = sqlite3_column_int64(stmt, 0);
		if (out.len >= STORE_DEAD_LETTER_CHUNK) {
			if (store_dead_letter_write(fd, out.data, out.len) < 0) {
				result = -1;
				break;
			}
			*written = in_buf;
			buf_reset(&out);
		}
	}
	if (result == 0 && rc != SQLITE_DONE)
		result = -2;
	sqlite3_reset(stmt);
	if (result == 0 && out.len > 0) {
		if (store_dead_letter_write(fd, out.data, out.len) < 0)
			result = -1;
		else
			*written = in_buf;
	}
	buf_free(&out);
	return result;
}

int store_flush_dead_letter(struct store *store, const char *path, char *err, size_t errlen)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	struct stat st;
	off_t keep;
	int64_t last, written;
	int fd, rc;

	/* The common case, after a batch without rejects: touch no file. */
	rc = store_dead_letter_pending(store);
	if (rc <= 0) {
		if (rc < 0)
			snprintf(err, errlen, "dead letters: %s", sqlite3_errmsg(db));
		return rc;
	}
	fd = store_dead_letter_open(path, err, errlen);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || store_dead_letter_tail(fd, path, st.st_size, &keep, &last) < 0)
		goto io_fail;
	if (keep < st.st_size) {
		/* An interrupted write: its rows are still queued and are written
		   again below, so the fragment is cut rather than terminated. */
		log_warnx("%s: removing a partial last line (%lld bytes) left by an interrupted write",
		          path, (long long)(st.st_size - keep));
		if (ftruncate(fd, keep) < 0)
			goto io_fail;
	}
	if (lseek(fd, keep, SEEK_SET) < 0)
		goto io_fail;
	if (store_dead_letter_renumber(store, path, last) < 0)
		goto db_fail;
	written = last;
	rc = store_dead_letter_append(store, fd, last, &written);
	if (rc == -1)
		goto io_fail;
	if (rc == -2)
		goto db_fail;
	if (written > last && fsync(fd) < 0)
		goto io_fail;
	close(fd);
	/* Only now that the lines are on disk may their rows go. */
	stmt = store_statement(store, store_sql_written);
	if (stmt == NULL)
		goto db_fail_closed;
	sqlite3_bind_int64(stmt, 1, written);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto db_fail_closed;
	return 0;
io_fail:
	snprintf(err, errlen, "%s: writing dead letters: %s", path, strerror(errno));
	close(fd);
	return -1;
db_fail:
	close(fd);
db_fail_closed:
	snprintf(err, errlen, "%s: dead letters: %s", path, sqlite3_errmsg(db));
	return -1;
}
