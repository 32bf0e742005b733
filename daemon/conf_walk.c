/*
 * conf_walk.c - the engine of config loading: walks the YAML tree against
 * key tables (see conf_internal.h), fills the struct they describe, and
 * collects "FILE:LINE:COLUMN: message" errors (through conf_report.c, which
 * also words them). No libuv, no SQLite.
 *
 * One walker serves every section: the tables say what a key is called,
 * what kind of value it takes (path, enum, duration, ...), where it goes,
 * its default and its bounds, and each kind knows how to parse, check,
 * describe itself in a message and free what it stored. So a new key is a
 * table row in conf.c, not new code here.
 *
 * Defaults are written in the tables as they would be in the file ("1MiB",
 * "30d") and go through the same parser as the file's values, so a default
 * is always a value the user could have written, and one that breaks its
 * own bounds stops the program at once instead of misbehaving later.
 *
 * Nothing stops at the first problem: every error is collected with its
 * position and the list is sorted into file order at the end, because a
 * person fixing a config wants all of it at once. Where a mistake would
 * make others follow from it (a misspelt required key is also "missing"),
 * only the first is said.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warmth/log.h"
#include "warmth/util.h"

#include "conf_internal.h"

/* Where in the tree a mapping is, and which keys it takes. */
struct conf_scope {
	const char *where;               /* "state", "inputs[0]"; "" at the top level */
	const struct conf_key *keys;
	const struct conf_key *extra;    /* the selected type's keys, or NULL */
	const struct conf_enum *types;   /* every type of a list entry, or NULL */
	const char *type_name;           /* the selected type, NULL if not known */
};

/* -- storing -------------------------------------------------------------- */

static void *conf_slot(void *base, const struct conf_key *key)
{
	return (char *)base + key->offset;
}

static void conf_store_int(void *base, const struct conf_key *key, int64_t v)
{
	void *slot;

	if (base == NULL)
		return;
	slot = conf_slot(base, key);
	switch (key->size) {
	case sizeof(int8_t): { int8_t x = (int8_t)v; memcpy(slot, &x, sizeof(x)); break; }
	case sizeof(int16_t): { int16_t x = (int16_t)v; memcpy(slot, &x, sizeof(x)); break; }
	case sizeof(int32_t): { int32_t x = (int32_t)v; memcpy(slot, &x, sizeof(x)); break; }
	case sizeof(int64_t): memcpy(slot, &v, sizeof(v)); break;
	default: fatalx("conf: key %s has an integer field of %zu bytes", key->name, key->size);
	}
}

static int64_t conf_fetch_int(const void *base, const struct conf_key *key)
{
	const void *slot = (const char *)base + key->offset;

	switch (key->size) {
	case sizeof(int8_t): { int8_t x; memcpy(&x, slot, sizeof(x)); return x; }
	case sizeof(int16_t): { int16_t x; memcpy(&x, slot, sizeof(x)); return x; }
	case sizeof(int32_t): { int32_t x; memcpy(&x, slot, sizeof(x)); return x; }
	default: { int64_t x; memcpy(&x, slot, sizeof(x)); return x; }
	}
}

/* Takes ownership of s. */
static void conf_store_string(void *base, const struct conf_key *key, char *s)
{
	char **slot;

	if (base == NULL) {
		free(s);
		return;
	}
	slot = conf_slot(base, key);
	free(*slot);
	*slot = s;
}

/*
 * Relative paths are taken from the config file's directory, not from
 * wherever the daemon was started, so that a config and its files can move
 * together (a demo in a scratch directory, a test). For a glob the
 * directory is escaped, so that a "[" in it is not read as a pattern.
 */
static char *conf_resolve(const struct conf_loader *ld, const char *path, int glob)
{
	struct buf b = { 0 };

	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (*path == '/')
			path++;
	}
	for (const char *p = ld->dir; *p != '\0'; p++) {
		if (glob && strchr("*?[\\", *p) != NULL)
			buf_append_str(&b, "\\");
		buf_append(&b, p, 1);
	}
	if (*path != '\0') {
		if (b.len == 0 || b.data[b.len - 1] != '/')
			buf_append_str(&b, "/");
		buf_append_str(&b, path);
	}
	buf_cstr(&b);
	return b.data;
}

/* -- scalars -------------------------------------------------------------- */

static int conf_parse_integer(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '-' && s[0] != '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || (errno != 0 && errno != ERANGE))
		return -1;
	/* Huge numbers are still numbers: saturated, they fail the bounds check. */
	*out = v;
	return 0;
}

/* Integers, durations and sizes, as an int64_t to compare with the bounds. */
static int conf_parse_number(enum conf_kind kind, const char *s, int64_t *out)
{
	uint64_t bytes;

	if (kind == CONF_KIND_INTEGER)
		return conf_parse_integer(s, out);
	if (kind == CONF_KIND_DURATION)
		return parse_duration_ms(s, out);
	if (parse_size(s, &bytes) < 0)
		return -1;
	*out = bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes;
	return 0;
}

static int conf_bound(const struct conf_key *key, const char *text, int64_t *out)
{
	if (text == NULL)
		return 0;
	if (conf_parse_number(key->kind, text, out) < 0)
		fatalx("conf: key %s has a bad bound %s", key->name, text);
	return 1;
}

static void conf_out_of_range(struct conf_loader *ld, const struct conf_key *key,
                              const struct conf_node *node, const char *name)
{
	if (key->min != NULL && key->max != NULL)
		conf_report(ld, node, "%s: must be between %s and %s", name, key->min, key->max);
	else if (key->min != NULL)
		conf_report(ld, node, "%s: must be at least %s", name, key->min);
	else
		conf_report(ld, node, "%s: must be at most %s", name, key->max);
}

static void conf_number(struct conf_loader *ld, const struct conf_key *key,
                        const struct conf_node *node, void *base, const char *name)
{
	int64_t v, min, max;
	int has_min, has_max;

	if (conf_parse_number(key->kind, node->text, &v) < 0) {
		conf_type_error(ld, key, node, name, NULL);
		return;
	}
	has_min = conf_bound(key, key->min, &min);
	has_max = conf_bound(key, key->max, &max);
	if ((has_min && v < min) || (has_max && v > max)) {
		conf_out_of_range(ld, key, node, name);
		return;
	}
	/* A key without bounds must still fit its field, not wrap around. */
	if (key->size < sizeof(int64_t) &&
	    (v < -(INT64_C(1) << (key->size * 8 - 1)) || v >= INT64_C(1) << (key->size * 8))) {
		conf_report(ld, node, "%s: out of range", name);
		return;
	}
	conf_store_int(base, key, v);
}

/*
 * A decimal number as people write one: digits with an optional sign,
 * point and exponent. strtod alone would also take "nan", "inf" and hex.
 */
static int conf_parse_real(const char *s, double *out)
{
	char *end;

	if (s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s) || strpbrk(s, "0123456789") == NULL)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -1;
	return 0;
}

static void conf_real(struct conf_loader *ld, const struct conf_key *key,
                      const struct conf_node *node, void *base, const char *name)
{
	double v, min = 0, max = 0;
	int has_min = key->min != NULL, has_max = key->max != NULL;

	if (conf_parse_real(node->text, &v) < 0) {
		conf_type_error(ld, key, node, name, NULL);
		return;
	}
	if ((has_min && conf_parse_real(key->min, &min) < 0) || (has_max && conf_parse_real(key->max, &max) < 0))
		fatalx("conf: key %s has a bad bound", key->name);
	if ((has_min && v < min) || (has_max && v > max)) {
		conf_out_of_range(ld, key, node, name);
		return;
	}
	if (key->size != sizeof(double))
		fatalx("conf: key %s is a number in a field of %zu bytes", key->name, key->size);
	if (base != NULL)
		memcpy(conf_slot(base, key), &v, sizeof(v));
}

static const struct conf_enum *conf_enum_find(const struct conf_enum *values, const char *name)
{
	for (; values->name != NULL; values++)
		if (strcmp(values->name, name) == 0)
			return values;
	return NULL;
}

static void conf_enum(struct conf_loader *ld, const struct conf_key *key,
                      const struct conf_node *node, void *base, const char *name)
{
	const struct conf_enum *value = conf_enum_find(key->values, node->text);
	const char *best = NULL;
	size_t d = SIZE_MAX;

	if (value != NULL) {
		conf_store_int(base, key, value->value);
		return;
	}
	for (const struct conf_enum *v = key->values; v->name != NULL; v++)
		conf_suggest(node->text, v->name, &best, &d);
	conf_type_error(ld, key, node, name, best);
}

static void conf_bool(struct conf_loader *ld, const struct conf_key *key,
                      const struct conf_node *node, void *base, const char *name)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(node->text, yes[i]) == 0) {
			conf_store_int(base, key, 1);
			return;
		}
		if (strcasecmp(node->text, no[i]) == 0) {
			conf_store_int(base, key, 0);
			return;
		}
	}
	conf_type_error(ld, key, node, name, NULL);
}

static void conf_scalar(struct conf_loader *ld, const struct conf_key *key,
                        const struct conf_node *node, void *base, const char *name)
{
	const char *text = node->text;

	switch (key->kind) {
	case CONF_KIND_STRING:
	case CONF_KIND_PATH:
	case CONF_KIND_GLOB:
		if (text[0] == '\0')
			conf_type_error(ld, key, node, name, NULL);
		else if (key->kind == CONF_KIND_STRING)
			conf_store_string(base, key, xstrdup(text));
		else
			conf_store_string(base, key, conf_resolve(ld, text, key->kind == CONF_KIND_GLOB));
		return;
	case CONF_KIND_URL:
		if ((strncasecmp(text, "http://", 7) == 0 && text[7] != '\0') ||
		    (strncasecmp(text, "https://", 8) == 0 && text[8] != '\0'))
			conf_store_string(base, key, xstrdup(text));
		else
			conf_type_error(ld, key, node, name, NULL);
		return;
	case CONF_KIND_BOOL:
		conf_bool(ld, key, node, base, name);
		return;
	case CONF_KIND_ENUM:
		conf_enum(ld, key, node, base, name);
		return;
	case CONF_KIND_INTEGER:
	case CONF_KIND_DURATION:
	case CONF_KIND_SIZE:
		conf_number(ld, key, node, base, name);
		return;
	case CONF_KIND_REAL:
		conf_real(ld, key, node, base, name);
		return;
	case CONF_KIND_SECTION:
	case CONF_KIND_LIST:
	case CONF_KIND_CUSTOM:
		break;
	}
	fatalx("conf: key %s is not a scalar", key->name);
}

/* -- mappings and lists --------------------------------------------------- */

static void conf_value(struct conf_loader *ld, const struct conf_key *key,
                       const struct conf_node *node, void *base, const char *name);

static char *conf_join(const char *where, const char *name)
{
	char *s;

	if (where[0] == '\0')
		return xstrdup(name);
	if (asprintf(&s, "%s.%s", where, name) < 0)
		fatalx("out of memory");
	return s;
}

static const struct conf_key *conf_key_find(const struct conf_key *keys, const char *name)
{
	for (; keys != NULL && keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static const struct conf_node *conf_pair_find(const struct conf_node *map, const char *name)
{
	for (size_t i = 0; i < map->npairs; i++)
		if (strcmp(map->pairs[i].key->text, name) == 0)
			return map->pairs[i].value;
	return NULL;
}

const struct conf_node *conf_node_get(const struct conf_node *map, const char *name)
{
	if (map == NULL || map->kind != CONF_NODE_MAPPING)
		return NULL;
	return conf_pair_find(map, name);
}

/*
 * The key a scope takes under name: its own keys, then the selected type's;
 * for an entry of unknown type, any type's (*of_other_type is then set).
 */
static const struct conf_key *conf_scope_key(const struct conf_scope *scope, const char *name,
                                             int *of_other_type)
{
	const struct conf_key *key = conf_key_find(scope->keys, name);

	*of_other_type = 0;
	if (key == NULL)
		key = conf_key_find(scope->extra, name);
	for (size_t t = 0; key == NULL && scope->types != NULL && scope->types[t].name != NULL; t++) {
		key = conf_key_find(scope->types[t].keys, name);
		*of_other_type = key != NULL;
	}
	return key;
}

/* The key name to suggest for an unknown word in scope, or NULL. */
static const char *conf_scope_suggest(const struct conf_scope *scope, const char *word)
{
	const char *best = NULL;
	size_t d = SIZE_MAX;

	conf_suggest_keys(word, scope->keys, &best, &d);
	conf_suggest_keys(word, scope->extra, &best, &d);
	for (size_t i = 0; scope->type_name == NULL && scope->types != NULL && scope->types[i].name; i++)
		conf_suggest_keys(word, scope->types[i].keys, &best, &d);
	return best;
}

static void conf_unknown_key(struct conf_loader *ld, const struct conf_node *at, const struct conf_scope *scope)
{
	const char *where = scope->where[0] != '\0' ? scope->where : "the top level";
	const char *best = conf_scope_suggest(scope, at->text);
	struct buf b = { 0 };

	if (at->is_null) {
		conf_report(ld, at, "a key with no name in %s", where);
		return;
	}
	buf_append_str(&b, "unknown key ");
	conf_yaml_describe(&b, at);
	buf_printf(&b, " in %s", where);
	if (best != NULL)
		buf_printf(&b, " (did you mean \"%s\"?)", best);
	conf_report(ld, at, "%s", buf_cstr(&b));
	buf_free(&b);
}

/*
 * Whether an unknown key in map is probably a misspelling of name: then
 * "did you mean" already says it all, and "missing" would only add noise.
 */
static int conf_misspelled(const struct conf_node *map, const struct conf_scope *scope, const char *name)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const char *word = map->pairs[i].key->text;
		const char *best;
		int other;

		if (conf_scope_key(scope, word, &other) != NULL)
			continue;
		best = conf_scope_suggest(scope, word);
		if (best != NULL && strcmp(best, name) == 0)
			return 1;
	}
	return 0;
}

static void conf_missing(struct conf_loader *ld, const struct conf_node *map,
                         const struct conf_scope *scope, const struct conf_key *keys, int of_type)
{
	for (; keys != NULL && keys->name != NULL; keys++) {
		char *name;

		if (!keys->required || conf_pair_find(map, keys->name) != NULL ||
		    conf_misspelled(map, scope, keys->name))
			continue;
		name = conf_join(scope->where, keys->name);
		if (keys->kind == CONF_KIND_LIST)
			conf_report(ld, map, "%s: at least one %s is required", name, keys->list->noun);
		else if (scope->where[0] == '\0')
			conf_report(ld, map, "missing required key \"%s\" at the top level", keys->name);
		else if (of_type)
			conf_report(ld, map, "%s: missing required key \"%s\" for type %s",
			            scope->where, keys->name, scope->type_name);
		else
			conf_report(ld, map, "%s: missing required key \"%s\"", scope->where, keys->name);
		free(name);
	}
}

/*
 * Walks one mapping. base is the struct its keys are stored in, or NULL to
 * check values without keeping them (entries whose type is not known).
 */
static void conf_mapping(struct conf_loader *ld, const struct conf_node *map,
                         const struct conf_scope *scope, void *base)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const struct conf_node *k = map->pairs[i].key;
		int of_other_type;
		const struct conf_key *key = conf_scope_key(scope, k->text, &of_other_type);
		void *target = base;
		char *name;

		if (key == NULL) {
			conf_unknown_key(ld, k, scope);
			continue;
		}
		if (of_other_type && scope->type_name != NULL) {
			conf_report(ld, k, "%s: key \"%s\" does not apply to type %s",
			            scope->where, k->text, scope->type_name);
			continue;
		}
		/* The entry's type is not known: check the value, keep nothing. */
		if (of_other_type)
			target = NULL;
		name = conf_join(scope->where, k->text);
		conf_value(ld, key, map->pairs[i].value, target, name);
		free(name);
	}
	conf_missing(ld, map, scope, scope->keys, 0);
	conf_missing(ld, map, scope, scope->extra, 1);
}

static void conf_defaults(struct conf_loader *ld, const struct conf_key *keys, void *base);

/* Appends a zeroed entry to the list at key in base and returns it. */
static void *conf_list_append(void *base, const struct conf_key *key)
{
	const struct conf_list *list = key->list;
	size_t *count = (size_t *)(void *)((char *)base + list->count_offset);
	char *array;

	memcpy(&array, conf_slot(base, key), sizeof(array));
	array = xrealloc(array, (*count + 1) * list->entry_size);
	memset(array + *count * list->entry_size, 0, list->entry_size);
	memcpy(conf_slot(base, key), &array, sizeof(array));
	return array + (*count)++ * list->entry_size;
}

static void conf_list_entry(struct conf_loader *ld, const struct conf_key *key,
                            const struct conf_node *item, void *entry, const char *name)
{
	const struct conf_list *list = key->list;
	struct conf_scope scope = { .where = name, .keys = list->keys };

	if (list->variant_key != NULL) {
		const struct conf_key *tkey = conf_key_find(list->keys, list->variant_key);
		const struct conf_node *tnode = conf_pair_find(item, list->variant_key);
		const struct conf_enum *type = NULL;

		if (tnode != NULL && tnode->kind == CONF_NODE_SCALAR)
			type = conf_enum_find(tkey->values, tnode->text);
		scope.types = tkey->values;
		if (type != NULL) {
			scope.extra = type->keys;
			scope.type_name = type->name;
		}
	}
	if (entry != NULL) {
		if (list->init != NULL)
			list->init(entry);
		conf_defaults(ld, scope.keys, entry);
		conf_defaults(ld, scope.extra, entry);
	}
	conf_mapping(ld, item, &scope, entry);
}

static void conf_list(struct conf_loader *ld, const struct conf_key *key,
                      const struct conf_node *node, void *base, const char *name)
{
	if (node->kind == CONF_NODE_SCALAR && node->is_null) {
		/* "inputs:" with nothing under it: an empty list. */
		if (key->required)
			conf_report(ld, node, "%s: at least one %s is required", name, key->list->noun);
		return;
	}
	if (node->kind != CONF_NODE_SEQUENCE) {
		conf_type_error(ld, key, node, name, NULL);
		return;
	}
	if (node->nitems == 0 && key->required)
		conf_report(ld, node, "%s: at least one %s is required", name, key->list->noun);
	for (size_t i = 0; i < node->nitems; i++) {
		const struct conf_node *item = node->items[i];
		char *item_name;

		if (asprintf(&item_name, "%s[%zu]", name, i) < 0)
			fatalx("out of memory");
		if (item->refused) {
			/* Already reported; the index still counts. */
		} else if (item->kind != CONF_NODE_MAPPING) {
			struct buf b = { 0 };
			conf_yaml_describe(&b, item);
			conf_report(ld, item, "%s: expected a mapping, got %s", item_name, buf_cstr(&b));
			buf_free(&b);
		} else {
			conf_list_entry(ld, key, item, base != NULL ? conf_list_append(base, key) : NULL,
			                item_name);
		}
		free(item_name);
	}
}

static void conf_value(struct conf_loader *ld, const struct conf_key *key,
                       const struct conf_node *node, void *base, const char *name)
{
	size_t before = ld->nerrors;

	if (node->refused)
		return;
	switch (key->kind) {
	case CONF_KIND_SECTION: {
		struct conf_scope scope = { .where = name, .keys = key->keys };
		/* A section with every key commented out is all defaults. */
		if (node->kind == CONF_NODE_SCALAR && node->is_null)
			return;
		if (node->kind != CONF_NODE_MAPPING) {
			conf_type_error(ld, key, node, name, NULL);
			return;
		}
		conf_mapping(ld, node, &scope, base);
		/* A check across keys of values already found wrong would only add noise. */
		if (key->check != NULL && ld->nerrors == before)
			key->check(ld, key, node, base, name);
		return;
	}
	case CONF_KIND_LIST:
		conf_list(ld, key, node, base, name);
		if (key->check != NULL && node->kind == CONF_NODE_SEQUENCE && ld->nerrors == before)
			key->check(ld, key, node, base, name);
		return;
	case CONF_KIND_CUSTOM:
		key->parse(ld, key, node, base, name);
		return;
	default:
		if (node->kind != CONF_NODE_SCALAR || node->is_null)
			conf_type_error(ld, key, node, name, NULL);
		else
			conf_scalar(ld, key, node, base, name);
		return;
	}
}

/*
 * Applies the defaults of keys (and of their sections) by parsing them like
 * a value from the file. A default that does not parse, or falls outside
 * its own bounds, is a bug in the tables.
 */
static void conf_defaults(struct conf_loader *ld, const struct conf_key *keys, void *base)
{
	for (; keys != NULL && keys->name != NULL; keys++) {
		struct conf_node node = { .kind = CONF_NODE_SCALAR };
		size_t before = ld->nerrors;

		if (keys->kind == CONF_KIND_SECTION) {
			conf_defaults(ld, keys->keys, base);
			continue;
		}
		if (keys->def == NULL)
			continue;
		node.text = (char *)(uintptr_t)keys->def;
		conf_scalar(ld, keys, &node, base, keys->name);
		if (ld->nerrors != before)
			fatalx("conf: bad default for %s: %s", keys->name, ld->errors[before].msg);
	}
}

void conf_walk_release(const struct conf_key *keys, void *base)
{
	for (; keys != NULL && keys->name != NULL; keys++) {
		switch (keys->kind) {
		case CONF_KIND_STRING:
		case CONF_KIND_PATH:
		case CONF_KIND_GLOB:
		case CONF_KIND_URL:
			conf_store_string(base, keys, NULL);
			break;
		case CONF_KIND_SECTION:
			conf_walk_release(keys->keys, base);
			break;
		case CONF_KIND_CUSTOM:
			keys->release(keys, base);
			break;
		case CONF_KIND_LIST: {
			const struct conf_list *list = keys->list;
			const struct conf_key *tkey =
				list->variant_key != NULL ? conf_key_find(list->keys, list->variant_key) : NULL;
			size_t *count = (size_t *)(void *)((char *)base + list->count_offset);
			char *array;

			memcpy(&array, conf_slot(base, keys), sizeof(array));
			for (size_t i = 0; i < *count; i++) {
				char *entry = array + i * list->entry_size;
				conf_walk_release(list->keys, entry);
				/* Only the keys of the entry's own type were ever stored. */
				for (size_t t = 0; tkey != NULL && tkey->values[t].name != NULL; t++)
					if (tkey->values[t].value == conf_fetch_int(entry, tkey))
						conf_walk_release(tkey->values[t].keys, entry);
			}
			free(array);
			array = NULL;
			memcpy(conf_slot(base, keys), &array, sizeof(array));
			*count = 0;
			break;
		}
		default:
			break;
		}
	}
}

/* -- loading -------------------------------------------------------------- */

/* The directory relative paths are taken from, absolute when possible. */
static char *conf_dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir, *real;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == file)
		dir = xstrdup("/");
	else
		dir = xstrndup(file, (size_t)(slash - file));
	real = realpath(dir, NULL);
	if (real == NULL)
		return dir;
	free(dir);
	return real;
}

/*
 * The parts of root that opts->only names, as a shallow copy: a mapping
 * whose pairs point into root's nodes, with a section named by one of its
 * keys ("control.socket") copied the same way down to those keys. A
 * section that is not a mapping is kept as it is, for the walk to report.
 * Free with conf_prune_free (the copied mappings only, not root's nodes).
 */
static struct conf_node *conf_prune(const struct conf_node *root, const char *const *only)
{
	struct conf_node *top = xcalloc(1, sizeof(*top));

	*top = *root;
	top->pairs = xcalloc(root->npairs ? root->npairs : 1, sizeof(*top->pairs));
	top->npairs = 0;
	for (size_t i = 0; i < root->npairs; i++) {
		const struct conf_pair *p = &root->pairs[i];
		const char *name = p->key->text;
		size_t len = strlen(name);
		struct conf_node *sub = NULL;
		int whole = 0, part = 0;

		for (const char *const *o = only; *o != NULL; o++) {
			whole |= strcmp(*o, name) == 0;
			part |= strncmp(*o, name, len) == 0 && (*o)[len] == '.';
		}
		if (!whole && !part)
			continue;
		if (!whole && p->value->kind == CONF_NODE_MAPPING) {
			sub = xcalloc(1, sizeof(*sub));
			*sub = *p->value;
			sub->pairs = xcalloc(p->value->npairs ? p->value->npairs : 1, sizeof(*sub->pairs));
			sub->npairs = 0;
			for (size_t k = 0; k < p->value->npairs; k++)
				for (const char *const *o = only; *o != NULL; o++)
					if (strncmp(*o, name, len) == 0 && (*o)[len] == '.' &&
					    strcmp(*o + len + 1, p->value->pairs[k].key->text) == 0) {
						sub->pairs[sub->npairs++] = p->value->pairs[k];
						break;
					}
		}
		top->pairs[top->npairs].key = p->key;
		top->pairs[top->npairs].value = sub != NULL ? sub : p->value;
		top->npairs++;
	}
	return top;
}

static void conf_prune_free(struct conf_node *top, const struct conf_node *root)
{
	for (size_t i = 0; i < top->npairs; i++) {
		int copied = 1;
		for (size_t k = 0; k < root->npairs; k++)
			if (top->pairs[i].value == root->pairs[k].value)
				copied = 0;
		if (copied) {
			free(top->pairs[i].value->pairs);
			free(top->pairs[i].value);
		}
	}
	free(top->pairs);
	free(top);
}

int conf_walk_file(const char *path, const struct conf_key *keys, conf_document_check_fn *check,
                   void *base, struct conf_errors *errs)
{
	static const struct conf_walk_opts all = { 0 };

	return conf_walk_file_opts(path, keys, check, &all, base, errs);
}

int conf_walk_file_opts(const char *path, const struct conf_key *keys,
                        conf_document_check_fn *check, const struct conf_walk_opts *opts,
                        void *base, struct conf_errors *errs)
{
	struct conf_loader ld = { .file = path, .check_only = opts->check_only, .notes = opts->notes };
	struct conf_scope top = { .where = "", .keys = keys };
	struct conf_node *root;

	ld.dir = conf_dir_of(path);
	conf_defaults(&ld, keys, base);
	if (conf_yaml_load(path, &root, conf_on_yaml_error, &ld) == 0) {
		if (root->kind != CONF_NODE_MAPPING) {
			struct buf b = { 0 };
			conf_yaml_describe(&b, root);
			conf_report(&ld, root, "expected a mapping of sections at the top level, got %s",
			            buf_cstr(&b));
			buf_free(&b);
		} else if (opts->only != NULL) {
			struct conf_node *part = conf_prune(root, opts->only);
			conf_mapping(&ld, part, &top, base);
			if (check != NULL && ld.nerrors == 0)
				check(&ld, part, base);
			conf_prune_free(part, root);
		} else {
			conf_mapping(&ld, root, &top, base);
			if (check != NULL && ld.nerrors == 0)
				check(&ld, root, base);
		}
		conf_yaml_free(root);
	}
	free(ld.dir);
	if (ld.nerrors == 0)
		return 0;
	conf_errors_take(&ld, errs);
	return -1;
}
