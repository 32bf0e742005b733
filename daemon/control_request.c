/*
 * control_request.c - a control request line to its command, arguments
 * and id (see control_request.h). The request is parsed with yajl_tree (a
 * request is small and parsed once) and checked against the protocol's
 * envelope {"v":1,"id":...,"cmd":"...","args":{...}}; authorisation and
 * dispatch stay in control.c, which owns the socket.
 *
 * yajl_tree hands strings over NUL-terminated and without their length,
 * so a string with an escaped NUL ("u01\u0000x") would read as "u01" to
 * every handler: a contact other than the one named. Before the tree is
 * built, yajl's event parser walks the request once and sees every
 * member name and string with its decoded length; one holding a NUL, or
 * longer than CONTROL_MAX_STRING, refuses the whole request (after the
 * tree, so that the refusal still carries the request's id). A raw NUL
 * byte in the line is refused before anything: the tree parser reads a C
 * string and would see only what comes before it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "warmth/json.h"
#include "control_request.h"

/* Re-encodes the request's id (a number or a string) as JSON text. */
static void control_id_json(yajl_val id, struct buf *out)
{
	struct json *j;

	if (id == NULL)
		return;
	if (YAJL_IS_NUMBER(id)) {
		buf_append_str(out, YAJL_GET_NUMBER(id));
		return;
	}
	if (YAJL_IS_STRING(id)) {
		j = json_new(out, 0);
		json_str(j, YAJL_GET_STRING(id));
		json_free(j);
	}
}

/* What the event-parser pass over a request found (control_request_check). */
struct control_check {
	char key[48];               /* the member being read, for the message */
	int bad;                    /* 1: a NUL; 2: too long */
};

static void control_check_key_copy(struct control_check *c, const unsigned char *k, size_t len)
{
	size_t n = len < sizeof(c->key) - 1 ? len : sizeof(c->key) - 1;

	memcpy(c->key, k, n);
	c->key[n] = '\0';
	/* A NUL in the name itself: the message must still say something. */
	if (memchr(c->key, '\0', n) != NULL)
		snprintf(c->key, sizeof(c->key), "(a member name)");
}

static int control_check_text(struct control_check *c, const unsigned char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL)
		c->bad = 1;
	else if (len > CONTROL_MAX_STRING)
		c->bad = 2;
	return c->bad == 0; /* 0 stops the parse */
}

static int control_check_key(void *ctx, const unsigned char *k, size_t len)
{
	struct control_check *c = ctx;

	control_check_key_copy(c, k, len);
	return control_check_text(c, k, len);
}

static int control_check_string(void *ctx, const unsigned char *s, size_t len)
{
	return control_check_text(ctx, s, len);
}

/*
 * Refuses a request with a NUL or an overlong string anywhere in it (see
 * the top of the file). Syntax errors are left to yajl_tree_parse, which
 * words them; only what the strings hold is judged here.
 */
static int control_request_check(const char *line, size_t len, struct control_error *err)
{
	static const yajl_callbacks cb = {
		.yajl_string = control_check_string,
		.yajl_map_key = control_check_key,
	};
	struct control_check c = { .key = "" };
	yajl_handle h;

	h = yajl_alloc(&cb, NULL, &c);
	if (h == NULL)
		return control_fail(err, "internal", "out of memory");
	if (yajl_parse(h, (const unsigned char *)line, len) == yajl_status_ok)
		(void)yajl_complete_parse(h);
	yajl_free(h);
	if (c.bad == 1)
		return control_fail(err, "bad_request", "\"%s\": a string holds a NUL (\\u0000)",
		                    c.key[0] ? c.key : "(top level)");
	if (c.bad == 2)
		return control_fail(err, "bad_request", "\"%s\": a string longer than %d bytes",
		                    c.key[0] ? c.key : "(top level)", CONTROL_MAX_STRING);
	return 0;
}

int control_request_parse(char *line, size_t len, struct control_parsed *p,
                          struct control_error *err)
{
	const char *vpath[] = { "v", NULL }, *idpath[] = { "id", NULL }, *cmdpath[] = { "cmd", NULL },
	           *argspath[] = { "args", NULL };
	char errbuf[256];
	yajl_val root, v, cmdv, args;

	memset(p, 0, sizeof(*p));
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (len == 0)
		return 1;
	if (memchr(line, '\0', len) != NULL)
		return control_fail(err, "bad_request", "the request holds a NUL byte");
	root = yajl_tree_parse(line, errbuf, sizeof(errbuf));
	if (root == NULL) {
		/* yajl's message goes on with a picture of the input: keep its first line. */
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return control_fail(err, "bad_request", "%s", errbuf[0] ? errbuf : "not JSON");
	}
	p->root = root;
	if (!YAJL_IS_OBJECT(root))
		return control_fail(err, "bad_request", "a request is a JSON object");
	control_id_json(yajl_tree_get(root, idpath, yajl_t_any), &p->id);
	if (control_request_check(line, len, err) < 0)
		return -1;
	v = yajl_tree_get(root, vpath, yajl_t_number);
	if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != CONTROL_PROTOCOL_VERSION)
		return control_fail(err, "bad_request", "\"v\" must be 1 (the protocol version)");
	cmdv = yajl_tree_get(root, cmdpath, yajl_t_string);
	if (cmdv == NULL)
		return control_fail(err, "bad_request", "\"cmd\" (a string) is required");
	args = yajl_tree_get(root, argspath, yajl_t_any);
	if (args != NULL && !YAJL_IS_OBJECT(args) && !YAJL_IS_NULL(args))
		return control_fail(err, "bad_request", "\"args\" must be an object");
	p->cmd = YAJL_GET_STRING(cmdv);
	p->args = args != NULL && YAJL_IS_OBJECT(args) ? args : NULL;
	return 0;
}

int control_args_parse(char *text, size_t len, struct control_parsed *p,
                       struct control_error *err)
{
	char errbuf[256];

	memset(p, 0, sizeof(*p));
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL)
		return control_fail(err, "bad_request", "the arguments hold a NUL byte");
	p->root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	if (p->root == NULL) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return control_fail(err, "bad_request", "%s", errbuf[0] ? errbuf : "not JSON");
	}
	if (!YAJL_IS_OBJECT((yajl_val)p->root))
		return control_fail(err, "bad_request", "the arguments are a JSON object");
	if (control_request_check(text, len, err) < 0)
		return -1;
	p->args = p->root;
	return 0;
}

void control_parsed_free(struct control_parsed *p)
{
	buf_free(&p->id);
	yajl_tree_free(p->root);
	memset(p, 0, sizeof(*p));
}

const char *control_arg_string(const struct control_request *req, const char *name)
{
	const char *path[] = { name, NULL };
	yajl_val v;

	if (req->args == NULL)
		return NULL;
	v = yajl_tree_get(req->args, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

int control_arg_name(const struct control_request *req, const char *name, const char **out,
                     struct control_error *err)
{
	const char *s = control_arg_string(req, name);
	size_t len;

	*out = s;
	if (s == NULL)
		return control_arg_has(req, name)
			? control_fail(err, "bad_argument", "\"%s\" must be a string", name)
			: 0;
	len = strlen(s);
	if (len == 0 || len > CONTROL_MAX_NAME)
		return control_fail(err, "bad_argument", "\"%s\" must be 1-%d bytes (got %zu)", name,
		                    CONTROL_MAX_NAME, len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return control_fail(err, "bad_argument",
			                    "\"%s\" holds a control character (byte %zu)", name, i);
	return 0;
}

int control_arg_int(const struct control_request *req, const char *name, long long *out)
{
	const char *path[] = { name, NULL };
	yajl_val v;

	if (req->args == NULL)
		return -1;
	v = yajl_tree_get(req->args, path, yajl_t_number);
	if (v == NULL || !YAJL_IS_INTEGER(v))
		return -1;
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

int control_arg_has(const struct control_request *req, const char *name)
{
	const char *path[] = { name, NULL };

	return req->args != NULL && yajl_tree_get(req->args, path, yajl_t_any) != NULL;
}

int control_fail(struct control_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}
