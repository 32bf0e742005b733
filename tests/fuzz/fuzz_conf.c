/*
 * fuzz_conf.c - libFuzzer target for the configuration loader (conf.h):
 * each input is a whole YAML file. conf_load() takes a path, so the bytes
 * go into a memfd and the loader opens it as /proc/self/fd/N, exercising
 * the same code as warmthd -t. A rejected file must come with at least one
 * message, each "FILE:LINE:COLUMN: message" or "FILE: message".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "warmth/conf.h"
#include "warmth/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct conf_errors errs = { 0 };
	struct conf *conf = NULL;
	int rc;

	if (fd < 0) {
		fd = memfd_create("fuzz_conf", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	rc = conf_load(path, &conf, &errs);
	if (rc == 0) {
		if (conf == NULL || errs.count != 0)
			abort();
		conf_free(conf);
	} else {
		if (conf != NULL || errs.count == 0)
			abort();
		for (size_t i = 0; i < errs.count; i++)
			if (strncmp(errs.msgs[i], path, strlen(path)) != 0)
				abort();
	}
	conf_errors_free(&errs);
	return 0;
}
