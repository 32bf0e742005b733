/*
 * conf_secure.c - what the configuration trusts: the mode of the config
 * file itself, and the webhook secrets it names (see conf.h).
 *
 * Whoever can write the config decides which programs warmthd runs (an
 * exec notifier) and where it sends what it knows (a webhook), so a config
 * that others can write is refused unless the administrator says so
 * (warmthd --allow-insecure-config). Secrets never sit in the config file:
 * a webhook's signing key comes from a file of its own (secret_file) or
 * from systemd's credentials ($CREDENTIALS_DIRECTORY, LoadCredential=),
 * read at load time so that warmthd -t and a reload check it too. The
 * secret's bytes are kept only in struct conf_notify, cleared when it is
 * freed, and never appear in a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warmth/conf.h"
#include "warmth/util.h"

#include "conf_internal.h"

#define CONF_SECRET_MAX 4096 /* bytes: a key, not a document */

int conf_file_trusted(const char *path, struct buf *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0; /* conf_load reports a file it cannot open */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		buf_printf(err,
		           "%s: writable by %s (mode %04o): whoever can write it chooses the programs "
		           "warmthd runs; run \"chmod go-w %s\", or start with --allow-insecure-config",
		           path, (st.st_mode & S_IWOTH) ? "others" : "its group",
		           (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		buf_printf(err,
		           "%s: owned by uid %u, neither root nor the user warmthd runs as: that user "
		           "chooses the programs warmthd runs; change its owner, or start with "
		           "--allow-insecure-config",
		           path, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

/*
 * Reads a secret of 1 to CONF_SECRET_MAX bytes from path, one final line
 * break removed (editors add one). Returns a new buffer, or NULL with the
 * problem (never the content) in err.
 */
static char *conf_secret_read(const char *path, int check_mode, size_t *len, struct buf *err)
{
	char *data;
	struct stat st;
	ssize_t n;
	/* O_NONBLOCK: a FIFO in the secret's place must not hang the start. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_printf(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (check_mode && (st.st_mode & (S_IROTH | S_IWOTH))) {
		buf_printf(err, "%s: a secret that others may %s (mode %04o); run \"chmod o-rw %s\"", path,
		           (st.st_mode & S_IROTH) ? "read" : "write", (unsigned)(st.st_mode & 07777),
		           path);
		close(fd);
		return NULL;
	}
	data = xmalloc(CONF_SECRET_MAX + 1);
	n = read(fd, data, CONF_SECRET_MAX + 1);
	close(fd);
	if (n < 0 || n > CONF_SECRET_MAX) {
		if (n < 0)
			buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
		else
			buf_printf(err, "%s: longer than %d bytes, not a key", path, CONF_SECRET_MAX);
		explicit_bzero(data, CONF_SECRET_MAX + 1);
		free(data);
		return NULL;
	}
	if (n > 0 && data[n - 1] == '\n')
		n--;
	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (n == 0) {
		buf_printf(err, "%s: empty", path);
		free(data);
		return NULL;
	}
	*len = (size_t)n;
	return data;
}

/* Where a secret goes: a webhook's key or the HTTP bearer token. */
struct conf_secret_slot {
	char **secret;
	size_t *len;
	char **source;
	const char *what;           /* "a webhook", "http" */
	const char *keys;           /* the two keys, for the message about both */
};

/*
 * warmthd -t: the secret is read later, where the service runs. Its source
 * is kept without the secret, so that what needs a secret (http.events)
 * knows there will be one; a second source is still "not both".
 */
static void conf_secret_defer(const struct conf_secret_slot *slot, const char *path)
{
	if (slot != NULL && *slot->source == NULL)
		*slot->source = xstrdup(path);
}

/*
 * Reads the secret at path (check_mode: refuse one others may read) and
 * stores it in slot, or reports why not at node. slot is NULL when the
 * value is only checked: the secret is then dropped at once.
 */
static void conf_secret_load(struct conf_loader *ld, const struct conf_node *node,
                             const struct conf_secret_slot *slot, const char *name,
                             const char *path, int check_mode)
{
	struct buf err = { 0 };
	size_t len = 0;
	char *secret;

	/*
	 * warmthd -t as another user than the service's (root's shell, say)
	 * cannot tell whether the service may read a file it may not: it says
	 * so, and the daemon's own start is where it is checked.
	 */
	if (ld->check_only && access(path, F_OK) == 0 &&
	    faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) != 0 && errno == EACCES) {
		conf_note(ld, node, "warning: %s: %s cannot be read by uid %u, who runs this check; "
		          "the service reads it at start as its own user: check it as that user "
		          "(runuser -u warmthd -- warmthd -t)", name, path, (unsigned)geteuid());
		conf_secret_defer(slot, path);
		return;
	}
	secret = conf_secret_read(path, check_mode, &len, &err);
	if (secret == NULL) {
		conf_report(ld, node, "%s: %s", name, buf_cstr(&err));
	} else if (slot != NULL && *slot->source != NULL) {
		conf_report(ld, node, "%s: %s has one secret: give %s, not both", name, slot->what,
		            slot->keys);
	} else if (slot != NULL) {
		*slot->secret = secret;
		*slot->len = len;
		*slot->source = xstrdup(path);
		secret = NULL;
	}
	if (secret != NULL) {
		explicit_bzero(secret, len);
		free(secret);
	}
	buf_free(&err);
}

static void conf_notify_slot(void *base, struct conf_secret_slot *slot)
{
	struct conf_notify *notify = base;

	slot->secret = &notify->secret;
	slot->len = &notify->secret_len;
	slot->source = &notify->secret_source;
	slot->what = "a webhook";
	slot->keys = "secret_file or secret_credential";
}

static void conf_http_slot(void *base, struct conf_secret_slot *slot)
{
	struct conf *conf = base;

	slot->secret = &conf->http_token;
	slot->len = &conf->http_token_len;
	slot->source = &conf->http_token_source;
	slot->what = "http";
	slot->keys = "token_file or token_credential";
}

/* A secret_file or token_file: a path relative to the config's directory. */
static void conf_secret_file(struct conf_loader *ld, const struct conf_node *node,
                             const struct conf_secret_slot *slot, const char *name)
{
	struct buf path = { 0 };

	if (node->kind != CONF_NODE_SCALAR || node->is_null || node->text[0] == '\0') {
		conf_report(ld, node, "%s: expected the path of a file holding the secret", name);
		return;
	}
	/* Relative to the config's directory, like every path in it. */
	if (node->text[0] != '/')
		buf_printf(&path, "%s/", ld->dir);
	buf_append_str(&path, node->text);
	conf_secret_load(ld, node, slot, name, buf_cstr(&path), 1);
	buf_free(&path);
}

/* A secret_credential or token_credential: a name in $CREDENTIALS_DIRECTORY. */
static void conf_secret_credential(struct conf_loader *ld, const struct conf_node *node,
                                   const struct conf_secret_slot *slot, const char *name,
                                   const char *file_key)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct buf path = { 0 };

	if (node->kind != CONF_NODE_SCALAR || node->is_null || node->text[0] == '\0' ||
	    strchr(node->text, '/') != NULL || strcmp(node->text, "..") == 0 ||
	    strcmp(node->text, ".") == 0) {
		conf_report(ld, node, "%s: expected the name of a credential (LoadCredential=NAME:...), "
		            "without a \"/\"", name);
		return;
	}
	if ((dir == NULL || dir[0] == '\0') && ld->check_only) {
		conf_note(ld, node, "note: %s: credential \"%s\" is read from the service's credentials "
		          "when warmthd starts ($CREDENTIALS_DIRECTORY is not set here, outside "
		          "systemd): the unit needs LoadCredential=%s:FILE", name, node->text,
		          node->text);
		if (slot != NULL)
			conf_secret_defer(slot, "$CREDENTIALS_DIRECTORY");
		return;
	}
	if (dir == NULL || dir[0] == '\0') {
		conf_report(ld, node, "%s: $CREDENTIALS_DIRECTORY is not set: credential \"%s\" comes "
		            "from systemd (LoadCredential=%s:FILE in the service); outside systemd use "
		            "%s", name, node->text, node->text, file_key);
		return;
	}
	buf_printf(&path, "%s/%s", dir, node->text);
	/* systemd makes the directory and its files private to the service. */
	conf_secret_load(ld, node, slot, name, buf_cstr(&path), 0);
	buf_free(&path);
}

static void conf_secret_release(const struct conf_secret_slot *slot)
{
	if (*slot->secret != NULL)
		explicit_bzero(*slot->secret, *slot->len);
	free(*slot->secret);
	free(*slot->source);
	*slot->secret = NULL;
	*slot->source = NULL;
	*slot->len = 0;
}

void conf_notify_secret_file(struct conf_loader *ld, const struct conf_key *key,
                             const struct conf_node *node, void *base, const char *name)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_notify_slot(base, &slot);
	conf_secret_file(ld, node, base != NULL ? &slot : NULL, name);
}

void conf_notify_secret_credential(struct conf_loader *ld, const struct conf_key *key,
                                   const struct conf_node *node, void *base, const char *name)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_notify_slot(base, &slot);
	conf_secret_credential(ld, node, base != NULL ? &slot : NULL, name, "secret_file");
}

void conf_notify_secret_release(const struct conf_key *key, void *base)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_notify_slot(base, &slot);
	conf_secret_release(&slot);
}

void conf_http_token_file(struct conf_loader *ld, const struct conf_key *key,
                          const struct conf_node *node, void *base, const char *name)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_http_slot(base, &slot);
	conf_secret_file(ld, node, base != NULL ? &slot : NULL, name);
}

void conf_http_token_credential(struct conf_loader *ld, const struct conf_key *key,
                                const struct conf_node *node, void *base, const char *name)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_http_slot(base, &slot);
	conf_secret_credential(ld, node, base != NULL ? &slot : NULL, name, "token_file");
}

void conf_http_token_release(const struct conf_key *key, void *base)
{
	struct conf_secret_slot slot;

	(void)key;
	if (base != NULL)
		conf_http_slot(base, &slot);
	conf_secret_release(&slot);
}
