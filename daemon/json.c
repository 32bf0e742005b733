/*
 * json.c - JSON output through yajl_gen (see json.h).
 *
 * yajl_gen validates UTF-8 when asked; since our strings come from input
 * that was already validated, or from our own code, we only cut invalid
 * tails defensively instead of failing a whole record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "warmth/json.h"
#include "warmth/log.h"

struct json {
	yajl_gen gen;
	struct buf *out;
};

static void json_print(void *ctx, const char *str, size_t len)
{
	struct json *j = ctx;
	buf_append(j->out, str, len);
}

struct json *json_new(struct buf *out, int pretty)
{
	struct json *j = xcalloc(1, sizeof(*j));
	j->out = out;
	j->gen = yajl_gen_alloc(NULL);
	if (j->gen == NULL)
		fatalx("yajl_gen_alloc: out of memory");
	yajl_gen_config(j->gen, yajl_gen_print_callback, json_print, j);
	if (pretty) {
		yajl_gen_config(j->gen, yajl_gen_beautify, 1);
		yajl_gen_config(j->gen, yajl_gen_indent_string, "  ");
	}
	return j;
}

void json_free(struct json *j)
{
	if (j == NULL)
		return;
	yajl_gen_free(j->gen);
	free(j);
}

void json_object_open(struct json *j) { yajl_gen_map_open(j->gen); }
void json_object_close(struct json *j) { yajl_gen_map_close(j->gen); }
void json_array_open(struct json *j) { yajl_gen_array_open(j->gen); }
void json_array_close(struct json *j) { yajl_gen_array_close(j->gen); }

void json_strn(struct json *j, const char *s, size_t len)
{
	int valid;

	if (s == NULL) {
		yajl_gen_null(j->gen);
		return;
	}
	size_t ok = utf8_valid_prefix(s, len, &valid);
	if (valid) {
		yajl_gen_string(j->gen, (const unsigned char *)s, len);
		return;
	}
	/* Replace each invalid byte with U+FFFD so nothing else is lost. */
	struct buf clean = { 0 };
	while (len > 0) {
		buf_append(&clean, s, ok);
		s += ok;
		len -= ok;
		if (len == 0)
			break;
		buf_append(&clean, "\xEF\xBF\xBD", 3);
		s++;
		len--;
		ok = utf8_valid_prefix(s, len, &valid);
	}
	yajl_gen_string(j->gen, (const unsigned char *)(clean.data ? clean.data : ""), clean.len);
	buf_free(&clean);
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, s ? strlen(s) : 0);
}

void json_key(struct json *j, const char *key) { json_str(j, key); }
void json_int(struct json *j, int64_t v) { yajl_gen_integer(j->gen, (long long)v); }
void json_double(struct json *j, double v)
{
	char tmp[32];
	int n;

	/* yajl_gen_double prints 20 digits (1.6666666666666667407): 10 suffice. */
	if (v != v || v > 1e300 || v < -1e300) {
		yajl_gen_null(j->gen);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.10g", v);
	if (strpbrk(tmp, ".eE") == NULL && n < (int)sizeof(tmp) - 2) {
		tmp[n++] = '.';
		tmp[n++] = '0';
		tmp[n] = '\0';
	}
	yajl_gen_number(j->gen, tmp, (size_t)n);
}
void json_bool(struct json *j, int v) { yajl_gen_bool(j->gen, v != 0); }
void json_null(struct json *j) { yajl_gen_null(j->gen); }

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_time(struct json *j, const char *key, int64_t ms)
{
	char tbuf[TIME_RFC3339_LEN];

	json_key(j, key);
	if (ms == 0) {
		json_null(j);
		return;
	}
	time_format_rfc3339(ms, tbuf);
	json_str(j, tbuf);
}
