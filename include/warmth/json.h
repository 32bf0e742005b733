/*
 * json.h - JSON output through yajl_gen into a struct buf.
 *
 * Every JSON the project writes (dead-letter lines, CLI output, status)
 * goes through here, so escaping and UTF-8 handling are yajl's, never ours.
 * Invalid UTF-8 in a value is replaced rather than failing the whole record.
 */
#ifndef WARMTH_JSON_H
#define WARMTH_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "warmth/util.h"

struct json;

/* Output goes to out (appended). pretty: indent for people. */
struct json *json_new(struct buf *out, int pretty);
void json_free(struct json *j);

void json_object_open(struct json *j);
void json_object_close(struct json *j);
void json_array_open(struct json *j);
void json_array_close(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);           /* NULL -> null */
void json_strn(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* key + value shorthands */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, int v);
void json_kv_time(struct json *j, const char *key, int64_t ms); /* RFC 3339, or null if 0 */

#endif
