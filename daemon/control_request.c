/*
 * control_request.c - a control request line to its command, arguments
 * and id (see control_request.h). The request is parsed with yajl_tree (a
 * request is small and parsed once) and checked against the protocol's
 * envelope {"v":1,"id":...,"cmd":"...","args":{...}}; authorisation and
 * dispatch stay in control.c, which owns the socket.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
