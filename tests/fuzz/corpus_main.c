/*
 * Fuzz regression: runs a fuzz target over files (each argument: a file,
 * or a directory whose files are each an input), for `make check`. A
 * crash or a sanitizer report is the failure. Prints one TAP line per
 * directory or file.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

/* The largest input kept. */
#define CORPUS_INPUT_BYTES_MAX (1u << 20)

static int
run_file(const char *path)
{
	static uint8_t buf[CORPUS_INPUT_BYTES_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int
main(int argc, char **argv)
{
	int t = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		int n = 0, bad = 0;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char path[4096];

			while (d != NULL && (e = readdir(d)) != NULL) {
				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
				bad |= run_file(path) != 0;
				n++;
			}
			if (d != NULL)
				closedir(d);
			bad |= d == NULL || n == 0;
		} else {
			bad = run_file(argv[i]) != 0;
			n = 1;
		}
		printf("%s %d - %s: %d inputs run\n", bad ? "not ok" : "ok", ++t, argv[i], n);
		failed |= bad;
	}
	printf("1..%d\n", t);
	return failed;
}
