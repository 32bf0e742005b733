/*
 * fuzz_main.c - runs a fuzz target once over each file named on the
 * command line (files of a directory argument, one level), for builds
 * without libFuzzer: the plain and sanitizer test suites replay the seed
 * corpora and every regression input with it, so a crash fixed once stays
 * fixed whatever the compiler.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_main_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (data == NULL)
				abort();
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			struct dirent **names;
			int n = scandir(argv[i], &names, NULL, alphasort);
			if (n < 0) {
				perror(argv[i]);
				return 1;
			}
			for (int k = 0; k < n; k++) {
				char path[4096];
				if (names[k]->d_name[0] != '.') {
					snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
					if (fuzz_main_file(path) < 0)
						return 1;
					runs++;
				}
				free(names[k]);
			}
			free(names);
		} else {
			if (fuzz_main_file(argv[i]) < 0)
				return 1;
			runs++;
		}
	}
	printf("%d inputs run\n", runs);
	return runs > 0 ? 0 : 1;
}
