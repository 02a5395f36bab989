/* The frontend: .q text in, nodes and attributes out, checked against
 * values worked out by hand from the language spec (README.md, "The language"),
 * never against qcc's own output.  The .npy reader is fed files whose bytes
 * this test writes itself, so it does not depend on numpy either. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ir.h"

static int failures;
#define EXPECT(cond, ...)                                                                  \
	do {                                                                                   \
		if (!(cond)) {                                                                     \
			failures++;                                                                    \
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                                                  \
			fputc('\n', stderr);                                                           \
		}                                                                                  \
	} while (0)

/* A parse of one .q text; the diagnostics go to a buffer. */
typedef struct Parse {
	Arena *arena;
	Source src;
	Diag diag;
	Graph *g;
	int rc;
	char errors[8192];     /* everything written to the diagnostic stream */
} Parse;

static char tmpdir[] = "/tmp/test_frontend.XXXXXX";

/* Parses text (through every pass too with `all`: qcc_compile for target
 * c), keeping the diagnostics in p->errors. */
static void run_text(Parse *p, const char *text, int all)
{
	memset(p, 0, sizeof *p);
	p->arena = arena_new();
	p->src.path = "t.q";
	p->src.dir = tmpdir;
	p->src.text = arena_strdup(p->arena, text);
	p->src.len = strlen(text);
	FILE *out = tmpfile();
	if (!out) {
		perror("tmpfile");
		exit(2);
	}
	p->diag = (Diag){&p->src, out, 0, 0, 0};
	p->g = ir_new_graph(p->arena, &p->src, &p->diag);
	if (all) {
		p->g->target = cg_find_target("c");
		p->rc = qcc_compile(p->g, NULL, NULL);
	} else
		p->rc = frontend_parse(p->g);
	rewind(out);
	size_t n = fread(p->errors, 1, sizeof p->errors - 1, out);
	p->errors[n] = '\0';
	fclose(out);
}

static void parse(Parse *p, const char *text) { run_text(p, text, 0); }

/* The same through every pass (qcc_compile), for target c. */
static void compile_text(Parse *p, const char *text) { run_text(p, text, 1); }

static void done(Parse *p)
{
	arena_free(p->arena);
}

static Node *node(Parse *p, const char *name)
{
	Node *n = ir_find(p->g, name);
	EXPECT(n != NULL, "no node '%s'", name);
	if (!n)
		exit(1);
	return n;
}

static int has(const Parse *p, const char *text)
{
	return strstr(p->errors, text) != NULL;
}

/* ---- .npy files written byte by byte ---- */

/* A version-1 .npy: magic, header padded so the data starts at a multiple
 * of 64, then `bytes` of data. */
static void write_npy(const char *name, int version, const char *dict, const void *data, size_t bytes)
{
	char path[256], header[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	size_t pre = version == 1 ? 10 : 12;
	size_t len = strlen(dict) + 1;
	size_t padded = (pre + len + 63) / 64 * 64 - pre;
	snprintf(header, sizeof header, "%-*s\n", (int)padded - 1, dict);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fwrite("\x93NUMPY", 1, 6, f);
	fputc(version, f);
	fputc(0, f);
	for (size_t i = 0; i < pre - 8; i++)
		fputc((int)(padded >> (8 * i)) & 0xFF, f);
	fwrite(header, 1, padded, f);
	fwrite(data, 1, bytes, f);
	fclose(f);
}

static void make_fixtures(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
	/* 0.1 and 0.3 are not floats: a float64 scale list must keep them exactly */
	double scales[2] = {0.1, 0.3};
	write_npy("s.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", scales, sizeof scales);
	float w[2 * 1 * 3 * 3];
	for (int i = 0; i < 18; i++)
		w[i] = (float)i / 4;
	write_npy("w.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 3, 3), }", w, sizeof w);
	int8_t q[4] = {-128, -1, 0, 127};
	write_npy("q.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }", q, sizeof q);
	int32_t b[2] = {-70000, 2147483647};
	write_npy("b.npy", 3, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", b, sizeof b);
	write_npy("short.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b, 4);
}

static void remove_fixtures(void)
{
	const char *names[] = {"s.npy", "w.npy", "q.npy", "b.npy", "short.npy"};
	char path[256];
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		remove(path);
	}
	rmdir(tmpdir);
}

/* ---- tests ---- */

static void test_statements(void)
{
	Parse p;
	parse(&p, "# comment\n\nmodel net   # trailing\n"
	          "input img : f32[1, 1, 6, 6]\n"
	          "input aux : u8[1, 2, 4, 4](scale=0.5, zp=3)\n"
	          "x = quantize(img) : u8(scale=0.25, zp=128)\n"
	          "c = conv2d(x,\n"
	          "           weight=\"w.npy\", bias=i32(\"b.npy\"),\n"
	          "           stride=[2, 1], pad=[1, 2], dilation=2, groups=1)\n"
	          "y = dequantize(c) : f32\n"
	          "output y, aux\n");
	EXPECT(p.rc == 0 && p.diag.nerrors == 0, "errors:\n%s", p.errors);
	EXPECT(p.g->model && strcmp(p.g->model, "net") == 0, "model %s", p.g->model);
	EXPECT(p.g->nnodes == 5, "%d nodes", p.g->nnodes);
	EXPECT(p.g->ninputs == 2 && p.g->inputs[0] == node(&p, "img") && p.g->inputs[1] == node(&p, "aux"), "inputs");
	EXPECT(p.g->noutputs == 2 && p.g->outputs[0] == node(&p, "y") && p.g->outputs[1] == node(&p, "aux"), "outputs");
	EXPECT(node(&p, "y")->is_output && !node(&p, "c")->is_output, "is_output");

	Node *img = node(&p, "img"), *aux = node(&p, "aux");
	EXPECT(img->op == OP_INPUT && img->dtype == DT_F32 && !img->has_q && img->rank == 4 && img->dims[3] == 6, "img");
	EXPECT(aux->dtype == DT_U8 && aux->has_q && aux->scale == 0.5 && aux->zp == 3 && aux->dims[1] == 2, "aux");

	Node *x = node(&p, "x");
	EXPECT(x->op == OP_QUANTIZE && x->nin == 1 && x->in[0] == img, "x inputs");
	EXPECT(x->dtype == DT_U8 && x->has_q && x->scale == 0.25 && x->zp == 128 && x->line == 6, "x qparams, line %d",
	       x->line);

	Node *c = node(&p, "c");
	ConvAttr *a = &c->u.conv;
	EXPECT(c->op == OP_CONV2D && c->in[0] == x && c->line == 7, "c");
	EXPECT(a->stride[0] == 2 && a->stride[1] == 1, "stride %d %d", a->stride[0], a->stride[1]);
	EXPECT(a->pad[0] == 1 && a->pad[1] == 2 && a->pad[2] == 1 && a->pad[3] == 2, "pad [h, w] is top, left, bottom, right");
	EXPECT(a->dilation[0] == 2 && a->dilation[1] == 2 && a->groups == 1, "dilation, groups");
	EXPECT(a->kh == 3 && a->kw == 3, "kh/kw from the weight's dims: %d %d", a->kh, a->kw);
	EXPECT(a->weight->dtype == DT_F32 && a->weight->count == 18 && ((float *)a->weight->data)[17] == 4.25f, "weight");
	EXPECT(a->bias->dtype == DT_I32 && ((int32_t *)a->bias->data)[0] == -70000 &&
	       ((int32_t *)a->bias->data)[1] == 2147483647, "i32 bias from a version-3 .npy");
	EXPECT(c->dtype == DT_NONE && !c->has_q, "conv output qparams left to pass_infer");
	EXPECT(node(&p, "y")->dtype == DT_F32, "dequantize : f32");
	done(&p);
}

static void test_ops_and_defaults(void)
{
	Parse p;
	parse(&p, "model m\n"
	          "input x : i8[1, 4, 8, 8](range=[-1, 1], symmetric)\n"
	          "a = relu(x)\n"
	          "b = relu6(a)\n"
	          "c = hardtanh(b)\n"
	          "d = clamp(c, max=2.5)\n"
	          "e = maxpool2d(d, kernel=[3, 2])\n"
	          "f = avgpool2d(e, kernel=2, stride=1, pad=[0, 1, 1, 0], count_include_pad=false)\n"
	          "g = adaptive_avgpool2d(f, 1)\n"
	          "h = concat(a, b, c)\n"
	          "i = reshape(h, shape=[1, -1])\n"
	          "j = batchnorm(x, gamma=[1, 2, 3, 4], beta=[0, 0, 0, 0], mean=[0, 0, 0, 0], var=[1, 1, 1, 1])\n"
	          "k = linear(i, weight=i8(\"q.npy\", scale=\"s.npy\", zp=[1, -1]), bias=[0.5, 0.25]) : u8(range=[-1, 2.5])\n"
	          "output k\n");
	EXPECT(p.rc == 0, "errors:\n%s", p.errors);
	/* symmetric i8 over [-1, 1]: 1 / ((127 - -128) / 2) in float32 */
	Node *x = node(&p, "x");
	EXPECT(x->scale == (double)(1.0f / 127.5f) && x->zp == 0, "symmetric range: %.9g %d", x->scale, x->zp);
	EXPECT(node(&p, "a")->u.act.min == 0 && isinf(node(&p, "a")->u.act.max), "relu is [0, inf)");
	EXPECT(node(&p, "b")->u.act.min == 0 && node(&p, "b")->u.act.max == 6, "relu6 is [0, 6]");
	Node *c = node(&p, "c"), *d = node(&p, "d");
	EXPECT(c->op == OP_CLAMP && c->u.act.min == -1 && c->u.act.max == 1, "hardtanh defaults to [-1, 1]");
	EXPECT(d->op == OP_CLAMP && isinf(d->u.act.min) && d->u.act.min < 0 && d->u.act.max == 2.5, "clamp(max=)");
	PoolAttr *e = &node(&p, "e")->u.pool, *f = &node(&p, "f")->u.pool;
	EXPECT(e->kh == 3 && e->kw == 2 && e->stride[0] == 3 && e->stride[1] == 2, "pool stride defaults to kernel");
	EXPECT(e->pad[0] == 0 && e->dilation[0] == 1 && e->count_include_pad == 1, "pool defaults");
	EXPECT(f->stride[0] == 1 && f->pad[1] == 1 && f->pad[2] == 1 && f->pad[3] == 0 && !f->count_include_pad, "avgpool");
	EXPECT(node(&p, "g")->op == OP_GLOBAL_AVGPOOL && node(&p, "g")->nin == 1, "adaptive_avgpool2d(x, 1)");
	Node *h = node(&p, "h");
	EXPECT(h->nin == 3 && h->in[2] == c && h->u.concat.axis == 1, "concat defaults to axis 1");
	ReshapeAttr *r = &node(&p, "i")->u.reshape;
	EXPECT(r->rank == 2 && r->shape[0] == 1 && r->shape[1] == -1, "reshape");
	BnAttr *bn = &node(&p, "j")->u.bn;
	EXPECT(bn->eps == 1e-5 && bn->gamma->count == 4 && ((float *)bn->gamma->data)[3] == 4, "batchnorm");

	Node *k = node(&p, "k");
	Const *w = k->u.conv.weight;
	EXPECT(k->op == OP_LINEAR && k->u.conv.kh == 1 && k->u.conv.stride[1] == 1 && k->u.conv.groups == 1, "linear");
	EXPECT(w->dtype == DT_I8 && w->rank == 2 && ((int8_t *)w->data)[0] == -128 && ((int8_t *)w->data)[3] == 127,
	       "i8 data");
	EXPECT(w->nch == 2 && w->axis == 0 && w->scale[0] == 0.1 && w->scale[1] == 0.3, "float64 scales kept exactly");
	EXPECT(w->zp[0] == 1 && w->zp[1] == -1, "zp list");
	Const *bias = k->u.conv.bias;
	EXPECT(bias->dtype == DT_F32 && bias->rank == 1 && ((float *)bias->data)[1] == 0.25f, "inline bias");
	/* u8 over [-1, 2.5]: s = 3.5f / 255, zp = 0 - rne(-1 / s) = rne(72.857...) = 73 */
	EXPECT(k->scale == (double)(3.5f / 255.0f) && k->zp == 73, "range qparams: %.9g %d", k->scale, k->zp);
	done(&p);
}

/* One run reports every bad statement, each once. */
static void test_recovery(void)
{
	Parse p;
	parse(&p, "model m\n"
	          "input x : u8[1, 2, 4, 4](scale=0.5, zp=0)\n"
	          "a = relu(x x)\n"
	          "b = relu(a)\n"                       /* a failed: no second error */
	          "c = conv2d(x, weight=[[[[1]]]],\n"
	          "           stride=0)\n"
	          "d = relu(nope)\n"
	          "e = relu(x) : u8(scale=0.5, zp=256)\n"
	          "f = relu(x\n"                        /* never closed */
	          "output e\n");
	EXPECT(p.rc == 1, "rc %d", p.rc);
	EXPECT(p.diag.nerrors == 5, "%d errors:\n%s", p.diag.nerrors, p.errors);
	EXPECT(has(&p, "t.q:3:12: error: syntax error, unexpected identifier"), "syntax error:\n%s", p.errors);
	EXPECT(!has(&p, "'a'"), "a failed statement's name is not reported again:\n%s", p.errors);
	EXPECT(has(&p, "t.q:6:19: error: stride must be at least 1, got 0\n"), "stride:\n%s", p.errors);
	EXPECT(has(&p, "t.q:7:10: error: undefined tensor 'nope'\n"), "undefined:\n%s", p.errors);
	EXPECT(has(&p, "t.q:8:32: error: zero point 256 is outside u8's range 0..255\n"), "zp:\n%s", p.errors);
	EXPECT(has(&p, "    8 | e = relu(x) : u8(scale=0.5, zp=256)\n      |                                ^~~\n"),
	       "caret:\n%s", p.errors);
	EXPECT(has(&p, "t.q:10:1: error: syntax error, unexpected 'output'"), "unclosed paren:\n%s", p.errors);
	EXPECT(has(&p, "t.q:9:9: note: to match this '('\n"), "unclosed paren note:\n%s", p.errors);
	done(&p);
}

static void test_npy_errors(void)
{
	Parse p;
	parse(&p, "model m\n"
	          "input x : u8[1, 1, 4, 4](scale=0.5, zp=0)\n"
	          "a = conv2d(x, weight=\"short.npy\")\n"
	          "b = conv2d(x, weight=\"missing.npy\")\n"
	          "c = conv2d(x, weight=i8(\"w.npy\", scale=0.1))\n"
	          "output a\n");
	EXPECT(p.diag.nerrors == 3, "%d errors:\n%s", p.diag.nerrors, p.errors);
	EXPECT(has(&p, "short.npy' is truncated: shape (2,) of '<f4' needs 8 bytes of data, but the file has 4"),
	       "truncated:\n%s", p.errors);
	EXPECT(has(&p, "missing.npy': No such file or directory"), "missing:\n%s", p.errors);
	EXPECT(has(&p, "t.q:5:25: error: the data of i8(...) must be int8"), "i8 data:\n%s", p.errors);
	done(&p);
}

/* A zero-point list entry that fits int64 but not a double's int64 range
 * (found by fuzzing: the conversion was undefined) is reported as written. */
static void test_zp_limits(void)
{
	Parse p;
	parse(&p, "model m\n"
	          "input x : u8[1, 2, 4, 4](scale=0.5, zp=0)\n"
	          "c = conv2d(x, weight=i8(\"q.npy\", scale=[0.1, 0.2], zp=[1, 9223372036854775807]))\n"
	          "d = conv2d(x, weight=i8(\"q.npy\", scale=[0.1, 0.2], zp=[-9223372036854775808, 1]))\n"
	          "output c\n");
	EXPECT(has(&p, "t.q:3:59: error: zero point 9223372036854775807 is outside i8's range -128..127\n"), "%s",
	       p.errors);
	EXPECT(has(&p, "t.q:4:56: error: zero point -9223372036854775808 is outside i8's range -128..127\n"), "%s",
	       p.errors);
	done(&p);
}

/* Past QCC_MAX_ERRORS the run is told once, the last thing printed, but
 * keeps counting, and returns rather than exits. */
static void test_error_cap(void)
{
	char text[2048] = "model m\ninput x : f32[1]\n";
	for (int i = 1; i <= QCC_MAX_ERRORS + 5; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "r%d = relu(y%d)\n", i, i);
	Parse p;
	parse(&p, text);
	EXPECT(p.rc != 0 && p.diag.nerrors == QCC_MAX_ERRORS + 5, "rc %d, %d errors", p.rc, p.diag.nerrors);
	EXPECT(has(&p, "undefined tensor 'y20'") && !has(&p, "undefined tensor 'y21'"), "%s", p.errors);
	const char *stop = strstr(p.errors, "qcc: too many errors, stopping\n");
	EXPECT(stop && stop[31] == '\0', "the last words:\n%s", p.errors);
	done(&p);
}

/* A conv nothing reads and without qparams has nothing to take them from
 * (found by fuzzing: it reached the verifier without them and qcc died). */
static void test_unused_pending(void)
{
	Parse p;
	compile_text(&p, "model m\n"
	                 "input x : u8[1, 1, 4, 4](scale=0.5, zp=0)\n"
	                 "c = conv2d(x, weight=\"w.npy\")\n"
	                 "r = relu(x)\n"
	                 "output r\n");
	EXPECT(p.rc == -1 && p.diag.nerrors == 1 &&
	           has(&p, "t.q:3:5: error: conv2d 'c' has no output qparams; write ': u8(scale=..., zp=...)' after it"),
	       "%s", p.errors);
	done(&p);
	compile_text(&p, "model m\n"
	                 "input x : u8[1, 1, 4, 4](scale=0.5, zp=0)\n"
	                 "c = conv2d(x, weight=\"w.npy\") : u8(scale=0.25, zp=3)\n"
	                 "r = relu(x)\n"
	                 "output r\n");
	EXPECT(p.rc == 0 && p.diag.nerrors == 0 && has(&p, "warning: tensor 'c' is never used"), "%s", p.errors);
	done(&p);
}

static void test_model_first(void)
{
	Parse p;
	parse(&p, "input x : f32[1]\nmodel late\n");
	EXPECT(p.diag.nerrors == 1 && has(&p, "t.q:1:1: error: expected 'model NAME' first\n"), "%s", p.errors);
	done(&p);
	parse(&p, "");
	EXPECT(p.diag.nerrors == 1 && has(&p, "t.q:1:1: error: no statements: a .q file starts with 'model NAME'\n"), "empty: %s", p.errors);
	done(&p);
}

/* Tabs in the echoed line become one space, and the caret still sits under
 * the span; a span at the end of a file without a final newline still shows
 * its line. */
static void test_caret(void)
{
	Parse p;
	parse(&p, "model m\n\tx\t= relu(y)");
	EXPECT(has(&p, "t.q:2:11: error: undefined tensor 'y'\n    2 |  x = relu(y)\n      |           ^\n"), "%s",
	       p.errors);
	done(&p);
}

int main(void)
{
	make_fixtures();
	test_statements();
	test_ops_and_defaults();
	test_recovery();
	test_npy_errors();
	test_zp_limits();
	test_error_cap();
	test_unused_pending();
	test_model_first();
	test_caret();
	remove_fixtures();
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	else
		printf("test_frontend: all passed\n");
	return failures != 0;
}
