/*
 * fuzz_control.c - libFuzzer target for the control-protocol request
 * parser (control_request.h): each input is the bytes of one request line
 * as a client sends it (the server cuts at '\n' and bounds a line at
 * CONTROL_MAX_REQUEST). A request that parses is then read the way the
 * handlers read it (string, integer and name arguments). The same bytes
 * are also parsed as an HTTP API body (control_args_parse: the args
 * object alone).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "actor", "account", "duration", "state", "n", "" };
	struct control_parsed p;
	struct control_error err = { 0 };
	struct control_request req = { 0 };
	const char *nl = memchr(data, '\n', size);
	size_t len = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	char *line;
	long long n;
	int rc;

	if (len > CONTROL_MAX_REQUEST)
		return 0;
	line = malloc(len + 1); /* the server's buffer always has room for the NUL */
	memcpy(line, data, len);
	rc = control_request_parse(line, len, &p, &err);
	if (rc == 0) {
		if (p.cmd == NULL)
			abort();
		req.cmd = p.cmd;
		req.args = p.args;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *name;
			(void)control_arg_string(&req, names[i]);
			(void)control_arg_int(&req, names[i], &n);
			/* An accepted name is 1-256 bytes without control characters. */
			err.message[0] = '\0';
			if (control_arg_name(&req, names[i], &name, &err) < 0) {
				if (err.message[0] == '\0')
					abort();
			} else if (name != NULL) {
				size_t nlen = strlen(name);
				if (nlen == 0 || nlen > CONTROL_MAX_NAME)
					abort();
				for (size_t k = 0; k < nlen; k++)
					if ((unsigned char)name[k] < 0x20)
						abort();
			}
		}
	} else if (rc < 0 && (err.code == NULL || err.message[0] == '\0')) {
		abort();
	}
	control_parsed_free(&p);
	/* As a POST body of the dashboard's API. */
	memcpy(line, data, len);
	err.code = NULL;
	err.message[0] = '\0';
	rc = control_args_parse(line, len, &p, &err);
	if (rc == 0 && (p.args == NULL || p.cmd != NULL))
		abort();
	if (rc < 0 && (err.code == NULL || err.message[0] == '\0'))
		abort();
	control_parsed_free(&p);
	free(line);
	return 0;
}
