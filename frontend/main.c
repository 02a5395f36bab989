/* The qcc command: read a .q file, run the passes in order, write C.
 *
 *   qcc net.q -o net.c      writes net.c and net.h
 *
 * The pass pipeline is the table in compile.c; this file adds the command
 * line, the dumps and the output files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ir.h"

typedef struct {
	const char *input, *output, *prefix, *target, *dump_after;
	int dump_ir, opt;
	int contract;            /* --contract=: CONTRACT_INTEGER or CONTRACT_PYTORCH */
	int werror;              /* -Werror */
	int static_arena;        /* --static-arena */
	int trace_layers;        /* --trace-layers */
	int weights_separate;    /* --weights=separate */
	int stats;               /* --stats: 1 table, 2 JSON (to stdout) */
	const char *stats_json;  /* --stats-json=FILE */
	const char *dot;         /* --dot FILE */
	const char *dot_after;   /* --dot-after=PASS (default: the last pass) */
} Options;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: qcc FILE.q [-o OUT.c] [options]\n"
	        "\n"
	        "Compiles a quantized network described in FILE.q to C: OUT.c and OUT.h\n"
	        "(default: FILE.c and FILE.h in the current directory).\n"
	        "\n"
	        "options:\n"
	        "  -o OUT.c            output file; the header is OUT.h\n"
	        "  --target=NAME       code generation target: ");
	cg_list_targets(f);
	fprintf(f, " (default c)\n"
	           "  --prefix=NAME       prefix of the generated C symbols (default: the model name)\n"
	           "  --dump-ir           print the final IR to stdout (with a dump option, C is written\n"
	           "                      only if -o is given)\n"
	           "  --dump-after=PASS   print the IR after PASS (parse");
	for (int i = 0; i < qcc_npasses; i++)
		fprintf(f, ", %s", qcc_pipeline[i].name);
	fprintf(f, ") or after every pass (all)\n"
	           "  --stats             print per-layer MACs, weights, arena offsets, kernels, and the\n"
	           "                      totals (flash, RAM, arena against its lower bound)\n"
	           "  --stats=json        the same as JSON on stdout\n"
	           "  --stats-json=FILE   the JSON to FILE (C is written as usual)\n"
	           "  --trace-layers      generated code reports every layer's output to a callback,\n"
	           "                      PREFIX_trace (for tools/layer_diff.py)\n"
	           "  --dot FILE          write the graph in Graphviz form, qparams on the edges\n"
	           "  --dot-after=PASS    ... as it is after PASS (parse: unfused; default: final)\n"
	           "  --static-arena      the generated code owns a static arena; NAME_run takes no\n"
	           "                      arena argument and is then not reentrant\n"
	           "  --weights=separate  weights go to OUT_weights.c (compile and link it too);\n"
	           "                      --weights=inline (default) keeps them in OUT.c\n"
	           "  --contract=C        the arithmetic (docs/arithmetic.md): integer (default: Q31\n"
	           "                      multipliers, integer-only) or pytorch (PyTorch QNNPACK's\n"
	           "                      float32 requantization, bit for bit; portable conv/add kernels)\n"
	           "  -Werror             treat warnings as errors (exit status 1)\n"
	           "  -O0                 no activation fusion (for debugging; same results)\n"
	           "  -O2                 all optimisations (default)\n"
	           "  --help              this text\n"
	           "  --version           qcc's version\n"
	           "\n"
	           "exit status: 0 success, 1 errors in the input, 2 bad command line,\n"
	           "3 cannot write the output, 70 internal error (a qcc bug).\n");
}

static int known_pass(const char *name)
{
	int known = !strcmp(name, "parse");
	for (int i = 0; i < qcc_npasses; i++)
		known |= !strcmp(name, qcc_pipeline[i].name);
	return known;
}

static int parse_args(int argc, char **argv, Options *o)
{
	o->opt = 2;
	o->target = "c";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--version")) {
			printf("qcc %s\n", QCC_VERSION);
			exit(EXIT_OK);
		} else if (!strcmp(a, "-o") && i + 1 < argc)
			o->output = argv[++i];
		else if (!strncmp(a, "--target=", 9))
			o->target = a + 9;
		else if (!strncmp(a, "--prefix=", 9))
			o->prefix = a + 9;
		else if (!strcmp(a, "--prefix") && i + 1 < argc)
			o->prefix = argv[++i];
		else if (!strcmp(a, "--dump-ir"))
			o->dump_ir = 1;
		else if (!strncmp(a, "--dump-after=", 13))
			o->dump_after = a + 13;
		else if (!strcmp(a, "--trace-layers"))
			o->trace_layers = 1;
		else if (!strcmp(a, "--stats"))
			o->stats = 1;
		else if (!strcmp(a, "--stats=json"))
			o->stats = 2;
		else if (!strcmp(a, "--stats=text"))
			o->stats = 1;
		else if (!strncmp(a, "--stats-json=", 13))
			o->stats_json = a + 13;
		else if (!strcmp(a, "--dot") && i + 1 < argc)
			o->dot = argv[++i];
		else if (!strncmp(a, "--dot=", 6))
			o->dot = a + 6;
		else if (!strncmp(a, "--dot-after=", 12))
			o->dot_after = a + 12;
		else if (!strcmp(a, "--static-arena"))
			o->static_arena = 1;
		else if (!strcmp(a, "--weights=separate"))
			o->weights_separate = 1;
		else if (!strcmp(a, "--weights=inline"))
			o->weights_separate = 0;
		else if (!strcmp(a, "--contract=integer"))
			o->contract = CONTRACT_INTEGER;
		else if (!strcmp(a, "--contract=pytorch"))
			o->contract = CONTRACT_PYTORCH;
		else if (!strcmp(a, "-Werror") || !strcmp(a, "--warnings-as-errors"))
			o->werror = 1;
		else if (!strcmp(a, "-O0"))
			o->opt = 0;
		else if (!strcmp(a, "-O2") || !strcmp(a, "-O"))
			o->opt = 2;
		else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "qcc: error: unknown option '%s' (see qcc --help)\n", a);
			return -1;
		} else if (o->input) {
			fprintf(stderr, "qcc: error: more than one input file ('%s' and '%s')\n", o->input, a);
			return -1;
		} else
			o->input = a;
	}
	if (!o->input) {
		fprintf(stderr, "qcc: error: no input file (see qcc --help)\n");
		return -1;
	}
	if (!cg_find_target(o->target)) {
		fprintf(stderr, "qcc: error: unknown target '%s'; targets: ", o->target);
		cg_list_targets(stderr);
		fprintf(stderr, "\n");
		return -1;
	}
	if (o->dump_after && strcmp(o->dump_after, "all") && !known_pass(o->dump_after)) {
		fprintf(stderr, "qcc: error: unknown pass '%s' for --dump-after (see qcc --help)\n", o->dump_after);
		return -1;
	}
	if (o->dot_after && !known_pass(o->dot_after)) {
		fprintf(stderr, "qcc: error: unknown pass '%s' for --dot-after (see qcc --help)\n", o->dot_after);
		return -1;
	}
	if (o->dot_after && !o->dot) {
		fprintf(stderr, "qcc: error: --dot-after needs --dot FILE\n");
		return -1;
	}
	if (!o->dot_after)
		o->dot_after = qcc_pipeline[qcc_npasses - 1].name;
	return 0;
}

/* size: the file's, or -1 when only known to be past the limit */
static void too_large(const char *path, long long size)
{
	if (size >= 0)
		fprintf(stderr, "qcc: error: '%s' is %lld bytes; ", path, size);
	else
		fprintf(stderr, "qcc: error: '%s' holds more than %ld bytes; ", path, (long)QCC_MAX_SOURCE_BYTES);
	fprintf(stderr, "qcc reads .q files of at most %ld bytes (256 MiB)\n", (long)QCC_MAX_SOURCE_BYTES);
}

/* A regular file's size is checked before reading it; anything else (a
 * pipe, /dev/zero) is read up to the limit and refused past it, so the
 * memory used stays bounded. */
static int read_source(Arena *a, const char *path, Source *src)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "qcc: error: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "qcc: error: '%s' is a directory, not a .q file\n", path);
		fclose(f);
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > QCC_MAX_SOURCE_BYTES) {
		too_large(path, (long long)st.st_size);
		fclose(f);
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && len <= (size_t)QCC_MAX_SOURCE_BYTES && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += got;
		if (cap - len - 1 == 0) {
			char *more = realloc(buf, cap *= 2);
			if (!more)
				free(buf);
			buf = more;
		}
	}
	int err = ferror(f) || !buf;
	fclose(f);
	if (err) {
		fprintf(stderr, "qcc: error: cannot read '%s': %s\n", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		return -1;
	}
	if (len > (size_t)QCC_MAX_SOURCE_BYTES) {
		too_large(path, -1);
		free(buf);
		return -1;
	}
	src->path = path;
	src->text = arena_alloc(a, len + 1);
	memcpy(src->text, buf, len);
	src->len = len;
	free(buf);
	const char *slash = strrchr(path, '/');
	src->dir = slash ? arena_printf(a, "%.*s", (int)(slash - path), path) : ".";
	return 0;
}

static void dump(Graph *g, const char *after)
{
	printf("# IR after %s\n", after);
	ir_print(stdout, g);
}

/* Writes path through a temporary, renamed only when complete. */
static int write_file(Graph *g, const char *path, void (*write)(FILE *, Graph *, const char *), const char *arg)
{
	char *tmp = arena_printf(g->arena, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (f)
		write(f, g, arg);
	if (!f || ferror(f) | fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "qcc: error: cannot write '%s': %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

static void write_dot(FILE *f, Graph *g, const char *pass)
{
	ir_dot(f, g, pass);
}

static void write_stats_json(FILE *f, Graph *g, const char *unused)
{
	(void)unused;
	ir_stats(f, g, 1);
}

/* After each stage without errors: the dumps asked for. */
static int checkpoint(Graph *g, const char *pass, void *ctx)
{
	const Options *o = ctx;
	if (o->dump_after && (!strcmp(o->dump_after, "all") || !strcmp(o->dump_after, pass)))
		dump(g, pass);
	if (o->dot && !strcmp(o->dot_after, pass) && write_file(g, o->dot, write_dot, pass))
		return -2;
	return 0;
}

static int compile(Graph *g, const Options *o)
{
	g->opt = o->opt;
	g->contract = (Contract)o->contract;
	g->target = cg_find_target(o->target);
	return qcc_compile(g, checkpoint, (void *)o);
}

/* OUT.c -> OUT.h; anything else gets .h appended. */
static char *header_path(Arena *a, const char *out)
{
	size_t n = strlen(out);
	if (n > 2 && !strcmp(out + n - 2, ".c"))
		return arena_printf(a, "%.*s.h", (int)(n - 2), out);
	return arena_printf(a, "%s.h", out);
}

/* OUT.c -> OUT_weights.c */
static char *weights_path(Arena *a, const char *out)
{
	size_t n = strlen(out);
	if (n > 2 && !strcmp(out + n - 2, ".c"))
		n -= 2;
	return arena_printf(a, "%.*s_weights.c", (int)n, out);
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Both files are written to temporaries and renamed only when complete,
 * so a failure leaves nothing behind and clobbers nothing. */
static int write_outputs(Graph *g, const Options *o, const char *out)
{
	Arena *a = g->arena;
	const char *hpath = header_path(a, out);
	char *ctmp = arena_printf(a, "%s.tmp%ld", out, (long)getpid());
	char *htmp = arena_printf(a, "%s.tmp%ld", hpath, (long)getpid());
	const char *wpath = weights_path(a, out);
	char *wtmp = arena_printf(a, "%s.tmp%ld", wpath, (long)getpid());
	FILE *c = fopen(ctmp, "wb"), *h = c ? fopen(htmp, "wb") : NULL;
	FILE *w = h && o->weights_separate ? fopen(wtmp, "wb") : NULL;
	CgOptions co = {o->prefix ? o->prefix : g->model, basename_of(hpath), basename_of(o->input), o->target,
	                o->static_arena, w, o->trace_layers};
	int ok = c && h && (w || !o->weights_separate);
	if (ok && w)
		fprintf(w, "/* Generated by qcc %s from %s. Do not edit.\n * The weights of %s.c "
		           "(qcc --weights=separate): compile and link this file with it. */\n\n",
		        QCC_VERSION, co.source_name, co.prefix);
	if (ok && w)
		cg_bytes_prologue(w);
	ok = ok && cg_emit(g, cg_find_target(o->target), &co, c, h) == 0;
	if (c && fclose(c))
		ok = 0;
	if (h && fclose(h))
		ok = 0;
	if (w && (ferror(w) | fclose(w)))
		ok = 0;
	if (ok && ((w && rename(wtmp, wpath)) || rename(htmp, hpath) || rename(ctmp, out)))
		ok = 0;
	if (!ok) {
		fprintf(stderr, "qcc: error: cannot write '%s': %s\n", out, strerror(errno));
		remove(ctmp);
		remove(htmp);
		remove(wtmp);
		return -1;
	}
	return 0;
}

static const char *default_output(Arena *a, const char *input)
{
	const char *b = basename_of(input);
	size_t n = strlen(b);
	if (n > 2 && !strcmp(b + n - 2, ".q"))
		n -= 2;
	return arena_printf(a, "%.*s.c", (int)n, b);
}

int main(int argc, char **argv)
{
	Options o = {0};
	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	Arena *a = arena_new();
	Source src;
	Diag d = {&src, stderr, 0, 0, o.werror};
	if (read_source(a, o.input, &src)) {
		arena_free(a);
		return EXIT_USER;
	}
	Graph *g = ir_new_graph(a, &src, &d);
	int rc = EXIT_OK;
	int crc = compile(g, &o);
	if (crc)
		rc = crc == -2 ? EXIT_IO : EXIT_USER;
	else if (o.dump_ir)
		dump(g, "all passes");
	if (rc == EXIT_OK && o.stats)
		ir_stats(stdout, g, o.stats == 2);
	if (rc == EXIT_OK && o.stats_json && write_file(g, o.stats_json, write_stats_json, NULL))
		rc = EXIT_IO;
	if (rc == EXIT_OK && (o.output || !(o.dump_ir || o.dump_after || o.stats)) &&
	    write_outputs(g, &o, o.output ? o.output : default_output(a, o.input)))
		rc = EXIT_IO;
	arena_free(a);
	return rc;
}
