/* Fuzz target: the whole compiler on one input, parse -> verify -> every
 * pass -> C for one target, written to memory.
 *
 * Input: one selector byte, then the .q text.  The selector picks
 *	bits 0-1  the target: c, avx2, avx512vnni, neon
 *	bit 2     -O0 (no activation fusion)
 *	bit 3     --static-arena
 *	bit 4     --weights=separate
 *	bit 5     --trace-layers
 *	bit 6     --contract=pytorch (clear: the integer contract)
 *	bit 7     the IR dump and the Graphviz graph after every stage
 * The seeds start with a printable selector: '@' to '_' (the pytorch
 * contract, no tracing) or ' ' to '?' (the integer contract, tracing).
 *
 * .npy references resolve against the source tree (QCC_SOURCE_DIR, or
 * $QCC_FUZZ_ROOT): every .npy under samples/ and tests/ is read once, at
 * start-up, and served from memory, so "samples/lenet/w/c1.w.npy" names a
 * real weight tensor and inputs reach the passes and the code generators.
 * Nothing is read from or written to disk per input.
 *
 * Byte-level mutations break almost every .q text in the parser, so half
 * the mutations (LLVMFuzzerCustomMutator, below) keep the text well formed:
 * they change a number, repeat or drop a line, or flip an option bit; the
 * result mostly parses, and the passes and emitters see shapes, strides,
 * scales and zero points nobody wrote a test for.
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
static long fuzz_runs;   /* inputs run */
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

/* QCC_FUZZ_STATS=1: how far the inputs got, printed at exit, to tell
 * whether fuzzing reaches the passes and the code generators. */
static void print_stats(void)
{
	fprintf(stderr, "fuzz_compile: %ld inputs; parsed %d", fuzz_runs, fuzz_passed[0]);
	for (int i = 0; i < qcc_npasses; i++)
		fprintf(stderr, ", %s %d", qcc_pipeline[i].name, fuzz_passed[i + 1]);
	fprintf(stderr, "; compiled to C %d\n", fuzz_compiled);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("QCC_FUZZ_STATS"))
		atexit(print_stats);
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
	fuzz_runs++;
	Arena *a = arena_new();
	Source src = {"fuzz.q", ".", arena_alloc(a, size), size - 1};
	memcpy(src.text, data + 1, size - 1);   /* arena_alloc zeroed the terminator */
	Diag d = {&src, sink, 0, 0, 0};
	Graph *g = ir_new_graph(a, &src, &d);
	g->files = fixtures;
	g->nfiles = nfixtures;
	g->opt = sel & 4 ? 0 : 2;
	g->target = cg_find_target(targets[sel & 3]);
	g->contract = sel & 64 ? CONTRACT_PYTORCH : CONTRACT_INTEGER;
	if (qcc_compile(g, after_stage, &sel) == 0) {
		ir_stats(sink, g, 0);
		ir_stats(sink, g, 1);
		emit(g, sel);
		fuzz_compiled++;
	}
	arena_free(a);
	return 0;
}

#ifdef QCC_LIBFUZZER
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static unsigned next_random(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Replaces data[begin, end) with the n bytes at with; 0 if it does not fit. */
static size_t splice(uint8_t *data, size_t size, size_t max_size, size_t begin, size_t end, const void *with, size_t n)
{
	if (size - (end - begin) + n > max_size)
		return 0;
	memmove(data + begin + n, data + end, size - end);
	memcpy(data + begin, with, n);
	return size - (end - begin) + n;
}

/* The numbers of the text (not those in names, strings or comments):
 * up to cap start offsets in at[]; returns how many. */
static int find_numbers(const uint8_t *data, size_t size, size_t *at, int cap)
{
	int n = 0, in_string = 0, in_comment = 0;
	for (size_t i = 1; i < size && n < cap; i++) {
		uint8_t c = data[i], prev = data[i - 1];
		if (c == '\n')
			in_string = in_comment = 0;
		else if (c == '"' && !in_comment)
			in_string = !in_string;
		else if (c == '#' && !in_string)
			in_comment = 1;
		else if (!in_string && !in_comment && c >= '0' && c <= '9' &&
		         !(prev == '_' || prev == '.' || (prev >= '0' && prev <= '9') || ((prev | 32) >= 'a' && (prev | 32) <= 'z')))
			at[n++] = prev == '-' ? i - 1 : i;
	}
	return n;
}

static size_t number_end(const uint8_t *data, size_t size, size_t i)
{
	if (i < size && data[i] == '-')
		i++;
	while (i < size && ((data[i] >= '0' && data[i] <= '9') || data[i] == '.' || data[i] == 'e' || data[i] == 'E' ||
	                    ((data[i] == '-' || data[i] == '+') && (data[i - 1] | 32) == 'e')))
		i++;
	return i;
}

static size_t change_number(uint8_t *data, size_t size, size_t max_size, unsigned *r)
{
	static const char *const values[] = {"0", "1", "2", "3", "4", "5", "7", "8", "9", "15", "16", "17", "31", "32",
	                                     "33", "64", "127", "128", "255", "256", "-1", "-2", "-127", "-128", "-129",
	                                     "65536", "2147483647", "-2147483648", "4294967296", "9223372036854775807",
	                                     "1e-45", "1e-38", "1e-30", "1e-9", "0.5", "0.999", "1.5", "6", "1e9", "1e30",
	                                     "3.4e38", "1e308", "0.0", "-0.0", "1e-5", "0.1"};
	size_t at[512];
	int n = find_numbers(data, size, at, 512);
	if (n == 0)
		return 0;
	size_t begin = at[next_random(r) % (unsigned)n], end = number_end(data, size, begin);
	char buf[32];
	if (next_random(r) % 2 == 0) {
		const char *v = values[next_random(r) % (sizeof values / sizeof values[0])];
		return splice(data, size, max_size, begin, end, v, strlen(v));
	}
	/* off by a little: the remainders and the boundaries */
	char old[32];
	size_t len = end - begin < sizeof old - 1 ? end - begin : sizeof old - 1;
	memcpy(old, data + begin, len);
	old[len] = '\0';
	double v = strtod(old, NULL) + (double)(next_random(r) % 5) - 2;   /* strtoll saturates: no overflow */
	snprintf(buf, sizeof buf, "%.17g", v);
	return splice(data, size, max_size, begin, end, buf, strlen(buf));
}

/* [*begin, *end) of line k (counted from the selector byte on), with its newline. */
static int nth_line(const uint8_t *data, size_t size, unsigned k, size_t *begin, size_t *end)
{
	size_t i = 1;
	for (; k > 0 && i < size; i++)
		if (data[i] == '\n')
			k--;
	if (i >= size)
		return 0;
	*begin = i;
	while (i < size && data[i] != '\n')
		i++;
	*end = i < size ? i + 1 : i;
	return 1;
}

static size_t change_lines(uint8_t *data, size_t size, size_t max_size, unsigned *r)
{
	unsigned lines = 1;
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n';
	size_t b, e, at, unused;
	if (!nth_line(data, size, next_random(r) % lines, &b, &e))
		return 0;
	if (next_random(r) % 2)
		return splice(data, size, max_size, b, e, "", 0);   /* drop it */
	if (!nth_line(data, size, next_random(r) % lines, &at, &unused) || e - b > 4096)
		return 0;
	uint8_t line[4096];
	memcpy(line, data + b, e - b);
	return splice(data, size, max_size, at, at, line, e - b);   /* repeat it elsewhere */
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	unsigned r = seed;
	size_t out = 0;
	if (size >= 2 && next_random(&r) % 2) {
		switch (next_random(&r) % 8) {
		case 0:
			data[0] ^= (uint8_t)(1u << next_random(&r) % 8);
			return size;
		case 1:
		case 2:
			out = change_lines(data, size, max_size, &r);
			break;
		default:
			out = change_number(data, size, max_size, &r);
		}
	}
	return out ? out : LLVMFuzzerMutate(data, size, max_size);
}
#endif
