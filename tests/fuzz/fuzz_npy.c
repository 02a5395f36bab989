/* Fuzz target: the .npy reader (ir/npy.c) on bytes in memory, both as a
 * constant (npy_load) and as a scale list (npy_load_scales).  Every element
 * of what it accepts is read back, so an accepted shape that outruns the
 * data is an out-of-bounds read under ASan.
 *
 * Built with -fsanitize=fuzzer for libFuzzer (tools/fuzz.sh), and without
 * it, with tests/fuzz/replay.c, for the regression test (ctest -L fuzz). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;   /* diagnostics: formatted, then dropped */
volatile double fuzz_checksum;   /* the elements read back, so the reads stay */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sink = fopen("/dev/null", "w");
	if (!sink)
		exit(2);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[] = "c = conv2d(x, weight=\"f.npy\")\n";
	Span at = {20, 27};   /* "f.npy" with its quotes */
	Arena *a = arena_new();
	Source src = {"fuzz.q", ".", text, sizeof text - 1};
	Diag d = {&src, sink, 0, 0, 0};
	Graph *g = ir_new_graph(a, &src, &d);
	MemFile file = {"f.npy", data, size};
	g->files = &file;
	g->nfiles = 1;
	double sum = 0;
	Const *k = npy_load(g, "f.npy", at);
	if (k) {
		int64_t count = 1;
		for (int i = 0; i < k->rank; i++)
			count *= k->dims[i];
		if (count != k->count || k->rank < 1 || k->rank > QCC_MAX_RANK)
			abort();
		for (int64_t i = 0; i < k->count; i++)
			sum += ir_const_f32(k, i);
	}
	int64_t n = 0;
	double *s = npy_load_scales(g, "f.npy", at, &n);
	for (int64_t i = 0; s && i < n; i++)
		sum += s[i];
	fuzz_checksum = sum;
	arena_free(a);
	return 0;
}
