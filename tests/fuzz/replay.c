/* Replays files through a fuzz target's entry function without libFuzzer:
 *
 *	fuzz_compile_replay [--min-compiled=N] [--max-seconds=S] DIR_OR_FILE...
 *
 * Runs LLVMFuzzerTestOneInput on every file given and every file in every
 * directory given (sorted by name), and prints how many it ran and, for a
 * target that counts them (fuzz_compiled), how many compiled all the way
 * to C.  A crash or an abort fails the test; so do a file that cannot be
 * read, no input at all, fewer than N compiled, and an input that takes
 * longer than S seconds (the fuzzers call one a hang at 10 s). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int fuzz_compiled __attribute__((weak));   /* inputs that reached codegen */
extern int fuzz_passed[] __attribute__((weak));    /* inputs past each stage */

static double max_seconds;  /* 0: no limit */
static int slow;             /* inputs over it */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		exit(2);
	}
	size_t cap = 4096, n = 0;
	unsigned char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: out of memory reading %s\n", path);
		exit(2);
	}
	/* a copy of exactly n bytes, so that ASan sees reads past the end */
	unsigned char *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	double t0 = now();
	LLVMFuzzerTestOneInput(exact, n);
	double dt = now() - t0;
	if (max_seconds > 0 && dt > max_seconds) {
		printf("SLOW: %s took %.2f s (limit %.2f s)\n", path, dt, max_seconds);
		slow++;
	}
	free(exact);
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		exit(2);
	}
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	int ran = 0;
	for (size_t i = 0; i < n; i++) {
		ran += replay_file(names[i]);
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int ran = 0, min_compiled = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (!strncmp(argv[i], "--min-compiled=", 15))
			min_compiled = atoi(argv[i] + 15);
		else if (!strncmp(argv[i], "--max-seconds=", 14))
			max_seconds = atof(argv[i] + 14);
		else if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			ran += replay_dir(argv[i]);
		else
			ran += replay_file(argv[i]);
	}
	printf("replayed %d inputs", ran);
	if (&fuzz_compiled)
		printf(", %d compiled to C", fuzz_compiled);
	printf("\n");
	for (int i = 0; fuzz_passed && i < 64 && fuzz_passed[i]; i++)
		printf("  passed stage %d: %d\n", i, fuzz_passed[i]);
	if (min_compiled && (!&fuzz_compiled || fuzz_compiled < min_compiled)) {
		printf("FAIL: fewer than %d compiled\n", min_compiled);
		return 1;
	}
	if (slow) {
		printf("FAIL: %d inputs over %.2f s\n", slow, max_seconds);
		return 1;
	}
	return ran > 0 ? 0 : 1;
}
