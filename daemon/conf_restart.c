/*
 * conf_restart.c - the keys a reload cannot apply (see conf.h,
 * conf_fixed_new): the daemon opened its database, bound its control
 * socket and started its exporters with them at start, and keeps doing
 * so until it is restarted. A reload that changes one says so, naming it,
 * instead of "configuration reloaded" and silence.
 *
 * The values are compared with those the daemon started with, not with the
 * last reload's: a second reload with the same new value still needs the
 * restart the first one asked for. No libuv, no SQLite.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/conf.h"
#include "warmth/util.h"

enum conf_fixed_kind { CONF_FIXED_STRING, CONF_FIXED_SCALAR, CONF_FIXED_TOKEN };

#define CONF_FIXED(name, kind, member) \
	{ name, kind, offsetof(struct conf, member), sizeof(((struct conf *)0)->member) }

static const struct {
	const char *name;
	enum conf_fixed_kind kind;
	size_t offset, size;
} conf_fixed_keys[] = {
	CONF_FIXED("state.database", CONF_FIXED_STRING, database),
	CONF_FIXED("state.synchronous", CONF_FIXED_SCALAR, synchronous_full),
	CONF_FIXED("control.socket", CONF_FIXED_STRING, socket),
	CONF_FIXED("metrics.textfile", CONF_FIXED_STRING, metrics_textfile),
	CONF_FIXED("metrics.interval", CONF_FIXED_SCALAR, metrics_interval_ms),
	CONF_FIXED("metrics.listen", CONF_FIXED_STRING, metrics_listen),
	CONF_FIXED("metrics.allow_remote", CONF_FIXED_SCALAR, metrics_allow_remote),
	CONF_FIXED("http.events", CONF_FIXED_SCALAR, http_events),
	CONF_FIXED("http.token", CONF_FIXED_TOKEN, http_token),
	CONF_FIXED("http.max_body", CONF_FIXED_SCALAR, http_max_body),
	CONF_FIXED("http.max_pending", CONF_FIXED_SCALAR, http_max_pending),
	CONF_FIXED("http.dashboard", CONF_FIXED_SCALAR, http_dashboard),
	CONF_FIXED("http.dashboard_token_file", CONF_FIXED_STRING, http_dashboard_token_file),
	CONF_FIXED("http.www_dir", CONF_FIXED_STRING, http_www_dir),
};

/* The string field at offset (a char *), read without casting const away. */
static const char *conf_fixed_string(const struct conf *conf, size_t offset)
{
	const char *s;

	memcpy(&s, (const char *)conf + offset, sizeof(s));
	return s;
}

struct conf *conf_fixed_new(const struct conf *conf)
{
	struct conf *f = xcalloc(1, sizeof(*f));

	for (size_t i = 0; i < ARRAY_SIZE(conf_fixed_keys); i++) {
		size_t off = conf_fixed_keys[i].offset;
		const char *s;
		char *copy;

		switch (conf_fixed_keys[i].kind) {
		case CONF_FIXED_STRING:
			s = conf_fixed_string(conf, off);
			copy = s != NULL ? xstrdup(s) : NULL;
			memcpy((char *)f + off, &copy, sizeof(copy));
			break;
		case CONF_FIXED_SCALAR:
			memcpy((char *)f + off, (const char *)conf + off, conf_fixed_keys[i].size);
			break;
		case CONF_FIXED_TOKEN:
			/* The bearer token's bytes: a new token file's content counts. */
			if (conf->http_token != NULL) {
				f->http_token = xmalloc(conf->http_token_len);
				memcpy(f->http_token, conf->http_token, conf->http_token_len);
				f->http_token_len = conf->http_token_len;
			}
			break;
		}
	}
	return f;
}

static int conf_fixed_same(const struct conf *a, const struct conf *b, size_t i)
{
	size_t off = conf_fixed_keys[i].offset;
	const char *x, *y;

	switch (conf_fixed_keys[i].kind) {
	case CONF_FIXED_STRING:
		x = conf_fixed_string(a, off);
		y = conf_fixed_string(b, off);
		return x == NULL || y == NULL ? x == y : strcmp(x, y) == 0;
	case CONF_FIXED_SCALAR:
		return memcmp((const char *)a + off, (const char *)b + off,
		              conf_fixed_keys[i].size) == 0;
	case CONF_FIXED_TOKEN:
		if (a->http_token == NULL || b->http_token == NULL)
			return a->http_token == b->http_token;
		return a->http_token_len == b->http_token_len &&
		       memcmp(a->http_token, b->http_token, a->http_token_len) == 0;
	}
	return 1;
}

size_t conf_fixed_changed(const struct conf *fixed, const struct conf *next, const char **names,
                          size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(conf_fixed_keys); i++)
		if (!conf_fixed_same(fixed, next, i) && n < max)
			names[n++] = conf_fixed_keys[i].name;
	return n;
}

void conf_fixed_free(struct conf *fixed)
{
	if (fixed == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(conf_fixed_keys); i++)
		if (conf_fixed_keys[i].kind == CONF_FIXED_STRING)
			free((void *)(uintptr_t)conf_fixed_string(fixed, conf_fixed_keys[i].offset));
	if (fixed->http_token != NULL)
		explicit_bzero(fixed->http_token, fixed->http_token_len);
	free(fixed->http_token);
	free(fixed);
}
