/*
 * conf_yaml.c - a YAML file into a small tree of scalars, mappings and
 * sequences (see conf_internal.h), the first half of config loading.
 * No libuv, no SQLite.
 *
 * libyaml's event API is used instead of its document API because the
 * events carry the marks we need for "FILE:LINE:COLUMN" messages and let us
 * decide what to do with the constructs a config has no use for: aliases
 * are refused (a config that needs them is too clever to review), a
 * duplicate key is an error rather than libyaml's silent "last one wins",
 * and nesting is capped so that a hostile file cannot exhaust the stack.
 * Such problems are reported and the value replaced by a placeholder, so
 * the walk in conf_walk.c can still report everything else in the file. A
 * syntax error ends the parse: libyaml cannot resynchronise after one.
 *
 * The file is read whole before parsing: a config is small, and having the
 * text at hand turns the byte offsets of libyaml's reader errors into
 * lines and columns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "warmth/log.h"
#include "warmth/util.h"

#include "conf_internal.h"

/* A config is a page of text; anything this big is the wrong file. */
#define CONF_YAML_MAX_FILE_BYTES (16u << 20)

/* Deeper than any real config; low enough that recursion is harmless. */
#define CONF_YAML_MAX_DEPTH 64

struct conf_yaml {
	yaml_parser_t parser;
	const char *text;
	size_t len;
	conf_yaml_error_fn *error;
	void *ctx;
	int failed; /* a syntax error was reported: stop everything */
};

/* libyaml's marks count from 0; people count from 1. */
#define CONF_YAML_AT(mark) (mark).line + 1, (mark).column + 1

/* Reports a problem at a 1-based position. */
static void conf_yaml_report(struct conf_yaml *y, size_t line, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void conf_yaml_report(struct conf_yaml *y, size_t line, size_t column, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory formatting a config error");
	va_end(ap);
	y->error(y->ctx, (unsigned)line, (unsigned)column, msg);
	free(msg);
}

/*
 * Whether the line holding byte offset at starts with blanks that hold a
 * tab before at, or at is a tab: the likely cause of the syntax error.
 */
static int conf_yaml_tab_indent(const struct conf_yaml *y, size_t at)
{
	size_t start = at < y->len ? at : y->len;

	if (at < y->len && y->text[at] == '\t')
		return 1;
	while (start > 0 && y->text[start - 1] != '\n')
		start--;
	for (size_t i = start; i < y->len && i <= at && (y->text[i] == ' ' || y->text[i] == '\t');
	     i++)
		if (y->text[i] == '\t')
			return 1;
	return 0;
}

static void conf_yaml_syntax_error(struct conf_yaml *y)
{
	const yaml_parser_t *p = &y->parser;
	size_t line = 1, column = 1;
	const char *hint;

	if (p->error == YAML_MEMORY_ERROR)
		fatalx("out of memory parsing YAML");
	if (p->error == YAML_READER_ERROR) {
		/*
		 * The reader (bad UTF-8, control characters) knows only a byte
		 * offset; count lines ourselves so the message still points
		 * at the place.
		 */
		for (size_t i = 0; i < p->problem_offset && i < y->len; i++) {
			if (y->text[i] == '\n') {
				line++;
				column = 1;
			} else {
				column++;
			}
		}
	} else {
		line = p->problem_mark.line + 1;
		column = p->problem_mark.column + 1;
	}
	/*
	 * An unquoted glob such as *.jsonl reads as an alias to YAML; say so,
	 * since "scanning an alias" means nothing to someone writing a path.
	 */
	hint = p->context != NULL && strcmp(p->context, "while scanning an alias") == 0
	               ? " (quote a value that starts with *)" : "";
	/*
	 * A tab where YAML wants indentation reads as "found character that
	 * cannot start any token" and the like: say what it is, first.
	 */
	if (p->error != YAML_READER_ERROR && conf_yaml_tab_indent(y, p->problem_mark.index)) {
		conf_yaml_report(y, line, column, "YAML syntax error: a tab in the indentation (YAML "
		                 "indents with spaces only; replace the tab with spaces): %s%s%s",
		                 p->problem ? p->problem : "unknown problem", p->context ? " " : "",
		                 p->context ? p->context : "");
		y->failed = 1;
		return;
	}
	conf_yaml_report(y, line, column, "YAML syntax error: %s%s%s%s",
	                 p->problem ? p->problem : "unknown problem",
	                 p->context ? " " : "", p->context ? p->context : "", hint);
	y->failed = 1;
}

static int conf_yaml_next(struct conf_yaml *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev)) {
		conf_yaml_syntax_error(y);
		return -1;
	}
	return 0;
}

void conf_yaml_free(struct conf_node *node)
{
	if (node == NULL)
		return;
	for (size_t i = 0; i < node->nitems; i++)
		conf_yaml_free(node->items[i]);
	for (size_t i = 0; i < node->npairs; i++) {
		conf_yaml_free(node->pairs[i].key);
		conf_yaml_free(node->pairs[i].value);
	}
	free(node->items);
	free(node->pairs);
	free(node->text);
	free(node);
}

static struct conf_node *conf_yaml_new(enum conf_node_kind kind, const yaml_mark_t *mark)
{
	struct conf_node *node = xcalloc(1, sizeof(*node));

	node->kind = kind;
	node->line = (unsigned)mark->line + 1;
	node->column = (unsigned)mark->column + 1;
	return node;
}

/*
 * A placeholder for a value that was reported and refused: it keeps its
 * place so that "inputs[2]" still names the third entry and a key with a
 * refused value does not also count as missing.
 */
static struct conf_node *conf_yaml_refused(unsigned line, unsigned column)
{
	struct conf_node *node = xcalloc(1, sizeof(*node));

	node->kind = CONF_NODE_SCALAR;
	node->line = line;
	node->column = column;
	node->text = xstrdup("");
	node->is_null = 1;
	node->refused = 1;
	return node;
}

/* Consumes the events of a node whose start event was just read. */
static void conf_yaml_skip(struct conf_yaml *y)
{
	yaml_event_t ev;
	int depth = 1;

	while (depth > 0 && conf_yaml_next(y, &ev) == 0) {
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(&ev);
	}
}

static struct conf_node *conf_yaml_scalar(struct conf_yaml *y, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct conf_node *node;

	/* Double-quoted "\0" would silently cut a path or a command short. */
	if (memchr(value, '\0', len) != NULL) {
		conf_yaml_report(y, CONF_YAML_AT(ev->start_mark), "NUL characters are not allowed in values");
		return conf_yaml_refused(CONF_YAML_AT(ev->start_mark));
	}
	node = conf_yaml_new(CONF_NODE_SCALAR, &ev->start_mark);
	node->text = xstrndup(value, len);
	/* Only an unquoted empty value or null means "nothing written": "" is a value. */
	node->is_null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	                (len == 0 || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0 ||
	                 strcmp(node->text, "Null") == 0 || strcmp(node->text, "NULL") == 0);
	return node;
}

static struct conf_node *conf_yaml_node(struct conf_yaml *y, yaml_event_t *ev, int depth);

static void conf_yaml_sequence(struct conf_yaml *y, struct conf_node *seq, int depth)
{
	yaml_event_t ev;

	while (conf_yaml_next(y, &ev) == 0) {
		struct conf_node *item;

		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return;
		}
		item = conf_yaml_node(y, &ev, depth + 1);
		if (y->failed) {
			conf_yaml_free(item);
			return;
		}
		seq->items = xrealloc(seq->items, (seq->nitems + 1) * sizeof(*seq->items));
		seq->items[seq->nitems++] = item;
	}
}

static void conf_yaml_mapping(struct conf_yaml *y, struct conf_node *map, int depth)
{
	yaml_event_t ev;

	while (conf_yaml_next(y, &ev) == 0) {
		struct conf_node *key, *value;
		int keep = 1;

		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return;
		}
		key = conf_yaml_node(y, &ev, depth + 1);
		value = NULL;
		if (!y->failed && conf_yaml_next(y, &ev) == 0)
			value = conf_yaml_node(y, &ev, depth + 1);
		if (y->failed) {
			conf_yaml_free(key);
			conf_yaml_free(value);
			return;
		}
		if (key->refused) {
			keep = 0;
		} else if (key->kind != CONF_NODE_SCALAR) {
			y->error(y->ctx, key->line, key->column, "a key must be a plain string, not a mapping or a list");
			keep = 0;
		} else if (strcmp(key->text, "<<") == 0) {
			/* YAML 1.1 merge keys go with aliases, which are refused too. */
			y->error(y->ctx, key->line, key->column, "merge keys (<<) are not supported (write the keys out)");
			keep = 0;
		} else {
			for (size_t i = 0; i < map->npairs && keep; i++) {
				const struct conf_node *first = map->pairs[i].key;
				if (strcmp(first->text, key->text) != 0)
					continue;
				conf_yaml_report(y, key->line, key->column,
				                 "duplicate key \"%s\" (first at line %u, column %u)",
				                 key->text, first->line, first->column);
				keep = 0;
			}
		}
		if (!keep) {
			conf_yaml_free(key);
			conf_yaml_free(value);
			continue;
		}
		map->pairs = xrealloc(map->pairs, (map->npairs + 1) * sizeof(*map->pairs));
		map->pairs[map->npairs].key = key;
		map->pairs[map->npairs].value = value;
		map->npairs++;
	}
}

/*
 * Builds the node that starts with ev (which it consumes). Returns NULL
 * only on a syntax error (y->failed).
 */
static struct conf_node *conf_yaml_node(struct conf_yaml *y, yaml_event_t *ev, int depth)
{
	struct conf_node *node = NULL;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		node = conf_yaml_scalar(y, ev);
		yaml_event_delete(ev);
		return node;
	case YAML_ALIAS_EVENT:
		conf_yaml_report(y, CONF_YAML_AT(ev->start_mark),
		                 "aliases are not supported (write the value out; quote a value "
		                 "that starts with *)");
		node = conf_yaml_refused(CONF_YAML_AT(ev->start_mark));
		yaml_event_delete(ev);
		return node;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		node = conf_yaml_new(ev->type == YAML_SEQUENCE_START_EVENT ? CONF_NODE_SEQUENCE
		                                                           : CONF_NODE_MAPPING,
		                     &ev->start_mark);
		yaml_event_delete(ev);
		if (depth >= CONF_YAML_MAX_DEPTH) {
			struct conf_node *refused = conf_yaml_refused(node->line, node->column);
			y->error(y->ctx, node->line, node->column, "nesting is too deep");
			conf_yaml_free(node);
			conf_yaml_skip(y);
			return y->failed ? (conf_yaml_free(refused), NULL) : refused;
		}
		if (node->kind == CONF_NODE_SEQUENCE)
			conf_yaml_sequence(y, node, depth);
		else
			conf_yaml_mapping(y, node, depth);
		if (y->failed) {
			conf_yaml_free(node);
			return NULL;
		}
		return node;
	default:
		/* libyaml only starts a node with the events above. */
		fatalx("conf: unexpected YAML event %d", (int)ev->type);
	}
}

/* Reads the stream: at most one document, whose root becomes *out. */
static void conf_yaml_stream(struct conf_yaml *y, struct conf_node **out)
{
	yaml_event_t ev;

	if (conf_yaml_next(y, &ev) < 0)
		return;
	yaml_event_delete(&ev); /* STREAM-START */
	if (conf_yaml_next(y, &ev) < 0)
		return;
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev); /* STREAM-END: no document at all */
		return;
	}
	yaml_event_delete(&ev);
	if (conf_yaml_next(y, &ev) < 0)
		return;
	*out = conf_yaml_node(y, &ev, 0);
	if (y->failed || conf_yaml_next(y, &ev) < 0)
		return;
	yaml_event_delete(&ev); /* DOCUMENT-END */
	if (conf_yaml_next(y, &ev) < 0)
		return;
	if (ev.type == YAML_DOCUMENT_START_EVENT)
		conf_yaml_report(y, CONF_YAML_AT(ev.start_mark), "only one YAML document is allowed");
	yaml_event_delete(&ev);
}

/*
 * Reads the whole file into text. On failure reports "cannot open/read"
 * without a position (the message is then "FILE: ...") and returns -1.
 */
static int conf_yaml_read(const char *path, struct buf *text, conf_yaml_error_fn *error, void *ctx)
{
	char chunk[8192], msg[256];
	/*
	 * O_NONBLOCK: a FIFO in its place must not hang warmthd -t or a reload
	 * (open waits for a writer, read for its data), so a FIFO or a socket is
	 * refused. A regular file is read blocking; anything else non-blocking
	 * (/dev/null is the empty document of the defaults; a directory fails
	 * to read).
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	int rc = 0;

	if (fd < 0) {
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		error(ctx, 0, 0, msg);
		return -1;
	}
	if (fstat(fd, &st) < 0 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		error(ctx, 0, 0, "cannot open: not a regular file");
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
			error(ctx, 0, 0, msg);
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (text->len + (size_t)n > CONF_YAML_MAX_FILE_BYTES) {
			snprintf(msg, sizeof(msg), "larger than %u MiB, not a config file",
			         CONF_YAML_MAX_FILE_BYTES >> 20);
			error(ctx, 0, 0, msg);
			rc = -1;
			break;
		}
		buf_append(text, chunk, (size_t)n);
	}
	close(fd);
	return rc;
}

/* An empty mapping, for a file that has no document or only a null one. */
static struct conf_node *conf_yaml_empty(unsigned line, unsigned column)
{
	struct conf_node *root = xcalloc(1, sizeof(*root));

	root->kind = CONF_NODE_MAPPING;
	root->line = line;
	root->column = column;
	return root;
}

int conf_yaml_load(const char *path, struct conf_node **out, conf_yaml_error_fn *error, void *ctx)
{
	struct conf_yaml y = { .error = error, .ctx = ctx };
	struct conf_node *root = NULL;
	struct buf text = { 0 };

	*out = NULL;
	if (conf_yaml_read(path, &text, error, ctx) < 0) {
		buf_free(&text);
		return -1;
	}
	y.text = buf_cstr(&text);
	y.len = text.len;
	if (!yaml_parser_initialize(&y.parser))
		fatalx("out of memory initialising the YAML parser");
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)y.text, y.len);
	conf_yaml_stream(&y, &root);
	yaml_parser_delete(&y.parser);
	buf_free(&text);
	if (y.failed) {
		conf_yaml_free(root);
		return -1;
	}
	/*
	 * A file with nothing in it, or only "---", is an empty config: let
	 * the walk report what is missing rather than a type error.
	 */
	if (root == NULL) {
		root = conf_yaml_empty(1, 1);
	} else if (root->kind == CONF_NODE_SCALAR && root->is_null) {
		struct conf_node *empty = conf_yaml_empty(root->line, root->column);
		conf_yaml_free(root);
		root = empty;
	}
	*out = root;
	return 0;
}

/* Appends a value for a one-line message: quoted, escaped, cut if long. */
static void conf_yaml_quote(struct buf *b, const char *s)
{
	buf_append_str(b, "\"");
	for (size_t n = 0; *s != '\0'; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (n == 60) {
			buf_append_str(b, "...");
			break;
		}
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_append_str(b, "\\n");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_append(b, s, 1);
	}
	buf_append_str(b, "\"");
}

void conf_yaml_describe(struct buf *b, const struct conf_node *node)
{
	if (node->kind == CONF_NODE_MAPPING)
		buf_append_str(b, "a mapping");
	else if (node->kind == CONF_NODE_SEQUENCE)
		buf_append_str(b, node->nitems == 0 ? "an empty list" : "a list");
	else if (node->is_null)
		buf_append_str(b, "an empty value");
	else
		conf_yaml_quote(b, node->text);
}
