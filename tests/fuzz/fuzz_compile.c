/* Fuzz target: the whole compiler on one input, parse -> verify -> every
 * pass -> C for one target, written to memory.
 *
 * Input: one selector byte, then the .q text.  The selector picks
 *	bits 0-1  the target: c, avx2, avx512vnni, neon
 *	bit 2     -O0 (no activation fusion)
 *	bit 3     --static-arena
 *	bit 4     --weights=separate
 *	bit 5     --trace-layers
 *	bit 7     the IR dump and the Graphviz graph after every stage
 * The corpus files start with a printable selector ('@' to '_').
 *
 * .npy references resolve against the source tree (QCC_SOURCE_DIR, or
 * $QCC_FUZZ_ROOT): every .npy under samples/ and tests/ is read once, at
 * start-up, and served from memory, so "samples/lenet/w/c1.w.npy" names a
 * real weight tensor and inputs reach the passes and the code generators.
 * Nothing is read from or written to disk per input.
 *
 * Built with -fsanitize=fuzzer for libFuzzer (tools/fuzz.sh), and without
 * it, with tests/fuzz/replay.c, for the regression test (ctest -L fuzz). */
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_compiled;   /* inputs that reached the code generator, for replay.c */
int fuzz_passed[64]; /* [0]: inputs that parsed; [1 + i]: that passed qcc_pipeline[i] */

static const char *const targets[4] = {"c", "avx2", "avx512vnni", "neon"};

static MemFile *fixtures;      /* every .npy of the tree, path relative to the root */
static int nfixtures;
static FILE *sink;             /* diagnostics and dumps: formatted, then dropped */

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || ftell(f) < 0) {
		fprintf(stderr, "fuzz_compile: cannot read %s\n", path);
		exit(2);
	}
	*size = (size_t)ftell(f);
	unsigned char *buf = malloc(*size + 1);
	rewind(f);
	if (!buf || fread(buf, 1, *size, f) != *size) {
		fprintf(stderr, "fuzz_compile: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return buf;
}

static void load_fixtures(const char *root)
{
	static const char *const patterns[] = {"samples/*/w/*.npy", "tests/nets/w/*.npy", "tests/diag/npy/*.npy",
	                                       "tests/fuzz/corpus/npy/*.npy"};
	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		char pattern[4096];
		glob_t gl;
		snprintf(pattern, sizeof pattern, "%s/%s", root, patterns[p]);
		if (glob(pattern, 0, NULL, &gl) != 0)
			continue;
		fixtures = realloc(fixtures, (size_t)(nfixtures + (int)gl.gl_pathc) * sizeof *fixtures);
		if (!fixtures)
			exit(2);
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			MemFile *m = &fixtures[nfixtures++];
			m->bytes = slurp(gl.gl_pathv[i], &m->size);
			m->path = strdup(gl.gl_pathv[i] + strlen(root) + 1);
		}
		globfree(&gl);
	}
	if (nfixtures == 0) {
		fprintf(stderr, "fuzz_compile: no .npy files under %s (set QCC_FUZZ_ROOT)\n", root);
		exit(2);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *root = getenv("QCC_FUZZ_ROOT");
	load_fixtures(root ? root : QCC_SOURCE_DIR);
	sink = fopen("/dev/null", "w");
	if (!sink)
		exit(2);
	return 0;
}

/* Counts the stages passed; with selector bit 7, prints what
 * --dump-after=all and --dot-after=STAGE print. */
static int after_stage(Graph *g, const char *stage, void *sel)
{
	int i = 0;
	while (i < qcc_npasses && qcc_pipeline[i].name != stage)
		i++;
	fuzz_passed[i < qcc_npasses ? i + 1 : 0]++;
	if (*(unsigned *)sel & 128) {
		ir_print(sink, g);
		ir_dot(sink, g, stage);
	}
	return 0;
}

/* The C, the header and the weights file, in memory, then dropped. */
static void emit(Graph *g, unsigned sel)
{
	char *cbuf = NULL, *hbuf = NULL, *wbuf = NULL;
	size_t clen = 0, hlen = 0, wlen = 0;
	FILE *c = open_memstream(&cbuf, &clen), *h = open_memstream(&hbuf, &hlen);
	FILE *w = sel & 16 ? open_memstream(&wbuf, &wlen) : NULL;
	if (!c || !h || (sel & 16 && !w))
		abort();
	CgOptions co = {g->model, "fuzz.h", "fuzz.q", g->target->name, sel >> 3 & 1, w, sel >> 5 & 1};
	if (w)
		cg_bytes_prologue(w);
	if (cg_emit(g, g->target, &co, c, h) != 0)
		abort();   /* writing to memory cannot fail */
	fclose(c);
	fclose(h);
	if (w)
		fclose(w);
	free(cbuf);
	free(hbuf);
	free(wbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0];
	Arena *a = arena_new();
	Source src = {"fuzz.q", ".", arena_alloc(a, size), size - 1};
	memcpy(src.text, data + 1, size - 1);   /* arena_alloc zeroed the terminator */
	Diag d = {&src, sink, 0, 0};
	Graph *g = ir_new_graph(a, &src, &d);
	g->files = fixtures;
	g->nfiles = nfixtures;
	g->opt = sel & 4 ? 0 : 2;
	g->target = cg_find_target(targets[sel & 3]);
	if (qcc_compile(g, after_stage, &sel) == 0) {
		ir_stats(sink, g, 0);
		ir_stats(sink, g, 1);
		emit(g, sel);
		fuzz_compiled++;
	}
	arena_free(a);
	return 0;
}
