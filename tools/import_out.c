/*
 * import_out.c - writes the imported events as v1 lines, on stdout or
 * atomically into a file.
 *
 * With -o the lines go to a temporary in the same folder (a dot name with
 * a random suffix, which an input glob such as *.jsonl does not match),
 * are fsynced, and the temporary is renamed over the target, so a daemon
 * tailing that folder sees the whole file or nothing. Every line is built
 * through json.h, so escaping is yajl's.
 *
 * Event ids are a 128-bit hash of the event's kind and the fields that
 * identify its row, so the same row in the same or a newer archive always
 * gets the same id and the daemon counts it once.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "warmth/contact.h"
#include "warmth/json.h"

struct hash128 import_id(const char *kind, ...)
{
	struct buf b = { 0 };
	struct hash128 h;
	const char *s;
	va_list ap;

	buf_append_str(&b, kind);
	va_start(ap, kind);
	while ((s = va_arg(ap, const char *)) != NULL) {
		/* A separator no field holds keeps ("ab","c") apart from ("a","bc"). */
		buf_append(&b, "\x1f", 1);
		buf_append_str(&b, s);
	}
	va_end(ap);
	h = hash128(b.data, b.len);
	buf_free(&b);
	return h;
}

const char *import_id_ms(int64_t ms, char buf[IMPORT_ID_MS_LEN])
{
	snprintf(buf, IMPORT_ID_MS_LEN, "%lld", (long long)ms);
	return buf;
}

int import_out_open(struct import_out *o, const char *path, const char *account)
{
	char *copy, *dir;
	size_t len;
	int fd;

	memset(o, 0, sizeof(*o));
	o->account = account;
	if (path == NULL) {
		o->f = stdout;
		return 0;
	}
	o->path = xstrdup(path);
	copy = xstrdup(path);
	dir = dirname(copy);
	len = strlen(dir) + strlen(path) + 32;
	o->tmp = xmalloc(len);
	{
		char *copy2 = xstrdup(path);
		snprintf(o->tmp, len, "%s/.%s.XXXXXX", dir, basename(copy2));
		free(copy2);
	}
	free(copy);
	fd = mkstemp(o->tmp);
	if (fd < 0 || fchmod(fd, 0644) != 0 || (o->f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "warmth-import: %s: %s\n", o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
		return -1;
	}
	return 0;
}

/*
 * A profile hint cut as the daemon keeps it (contact.h's limits, on a
 * UTF-8 boundary): more would only make the line longer, and a cell of
 * megabytes (a notes column taken for names) would make it longer than
 * ingest.max_line_bytes, so the daemon would reject the whole person.
 */
static void out_kv_hint(struct json *j, const char *key, const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	json_key(j, key);
	json_strn(j, s, len);
}

int import_out_event(struct import_out *o, const struct import_event *ev)
{
	struct json *j;
	char id[48];

	buf_reset(&o->line);
	j = json_new(&o->line, 0);
	json_object_open(j);
	json_kv_time(j, "ts", ev->ts_ms);
	json_kv_str(j, "type", ev->type);
	json_kv_str(j, "actor", ev->actor);
	json_kv_str(j, "dir", ev->dir_out ? "out" : "in");
	if (o->account != NULL)
		json_kv_str(j, "account", o->account);
	snprintf(id, sizeof(id), "%s-%016llx%016llx", o->id_prefix ? o->id_prefix : "li",
	         (unsigned long long)ev->id.hi, (unsigned long long)ev->id.lo);
	json_kv_str(j, "id", id);
	if (ev->name != NULL && ev->name[0] != '\0')
		out_kv_hint(j, "name", ev->name, CONTACT_NAME_MAX);
	if (ev->headline != NULL && ev->headline[0] != '\0')
		out_kv_hint(j, "headline", ev->headline, CONTACT_HEADLINE_MAX);
	if (ev->text != NULL && ev->text[0] != '\0')
		json_kv_str(j, "text", ev->text);
	if (ev->reaction != NULL)
		json_kv_str(j, "reaction", ev->reaction);
	if (ev->has_tags) {
		json_key(j, "tags");
		json_array_open(j);
		for (size_t i = 0; i < ev->ntags; i++) {
			size_t len = strlen(ev->tags[i]);
			if (len > CONTACT_TAG_MAX) {
				len = CONTACT_TAG_MAX;
				while (len > 0 && ((unsigned char)ev->tags[i][len] & 0xC0) == 0x80)
					len--;
			}
			json_strn(j, ev->tags[i], len);
		}
		json_array_close(j);
	}
	json_object_close(j);
	json_free(j);
	buf_append(&o->line, "\n", 1);
	if (fwrite(o->line.data, 1, o->line.len, o->f) != o->line.len) {
		fprintf(stderr, "warmth-import: write: %s\n", strerror(errno));
		return -1;
	}
	o->written++;
	return 0;
}

static void out_free(struct import_out *o)
{
	free(o->tmp);
	free(o->path);
	buf_free(&o->line);
	o->tmp = o->path = NULL;
}

int import_out_commit(struct import_out *o)
{
	char *copy;
	int dfd, rc = 0;

	if (o->tmp == NULL) {
		rc = fflush(o->f) == 0 ? 0 : -1;
		if (rc != 0)
			fprintf(stderr, "warmth-import: stdout: %s\n", strerror(errno));
		buf_free(&o->line);
		return rc;
	}
	if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0) {
		fprintf(stderr, "warmth-import: %s: %s\n", o->tmp, strerror(errno));
		import_out_abort(o);
		return -1;
	}
	if (fclose(o->f) != 0 || rename(o->tmp, o->path) != 0) {
		fprintf(stderr, "warmth-import: %s: %s\n", o->path, strerror(errno));
		o->f = NULL;
		unlink(o->tmp);
		out_free(o);
		return -1;
	}
	o->f = NULL;
	/* The rename itself is durable once the folder is synced. */
	copy = xstrdup(o->path);
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) != 0)
			rc = -1;
		close(dfd);
	}
	free(copy);
	out_free(o);
	return rc;
}

void import_out_abort(struct import_out *o)
{
	if (o->tmp != NULL) {
		if (o->f != NULL)
			fclose(o->f);
		unlink(o->tmp);
	}
	o->f = NULL;
	out_free(o);
}
