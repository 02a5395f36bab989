/* What every target emits the same way: the banner, the header with the
 * API, constants, the arena, the boundary copies and the run functions.
 * Layer kernels come from the target's emit_node. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "ir.h"

const char *cg_ctype(DType t)
{
	switch (t) {
	case DT_U8: return "uint8_t";
	case DT_I8: return "int8_t";
	case DT_F32: return "float";
	case DT_I32: return "int32_t";
	default: die("no C type for %s", ir_dtype_name(t));
	}
}

const char *cg_f32(Graph *g, float v)
{
	char buf[48];
	snprintf(buf, sizeof buf, "%.9g", (double)v);
	if (!strpbrk(buf, ".eEni"))
		strcat(buf, ".0");
	return arena_printf(g->arena, "%sf", buf);
}

static const char *cname(Graph *g, const char *s)
{
	char *r = arena_strdup(g->arena, s);
	for (char *p = r; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
	if (isdigit((unsigned char)r[0]) || strcmp(r, "arena") == 0)
		return arena_printf(g->arena, "t_%s", r);
	return r;
}

const char *cg_layer(Graph *g, const Node *n)
{
	return arena_printf(g->arena, "layer%d_%s", n->id, cname(g, n->name));
}

static const char *upper(Graph *g, const char *s)
{
	char *r = arena_strdup(g->arena, s);
	for (char *p = r; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return r;
}

int cg_is_8bit(DType t)
{
	return t == DT_U8 || t == DT_I8;
}

int cg_is_depthwise(const Node *n)
{
	const ConvAttr *a = &n->u.conv;
	return n->op == OP_CONV2D && a->groups > 1 && a->groups == n->in[0]->dims[1] && a->groups == n->dims[1];
}

/* A conv/linear the SIMD kernels take: 8-bit in and out, symmetric int8
 * weights (weight zero points stay on the portable kernel). */
int cg_simd_conv_ok(const Node *n)
{
	return (n->op == OP_CONV2D || n->op == OP_LINEAR) && cg_is_8bit(n->in[0]->dtype) && cg_is_8bit(n->dtype) &&
	       !cg_weight_zp_used(n) && n->u.conv.weight->dtype == DT_I8;
}

int cg_weight_zp_used(const Node *n)
{
	const Const *w = n->u.conv.weight;
	for (int o = 0; w->zp && o < w->nch; o++)
		if (w->zp[o])
			return 1;
	return 0;
}

int64_t cg_round_up(int64_t v, int64_t m)
{
	return (v + m - 1) / m * m;
}

/* A linear [B, K] is B pixels of K channels; a 1x1 stride-1 unpadded conv
 * is one row of OH*OW pixels. */
/* Whether every output of a max pool has at least one window element
 * inside the input along both axes: then the max of the in-bounds taps is
 * the portable kernel's result, which the SIMD pooling kernels compute. */
int cg_pool_windows_nonempty(const Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	for (int axis = 0; axis < 2; axis++) {
		int64_t in = x->dims[2 + axis], out = n->dims[2 + axis];
		int k = axis ? p->kw : p->kh, st = p->stride[axis], dil = p->dilation[axis], pad = p->pad[axis];
		for (int64_t o = 0; o < out; o++) {
			int hit = 0;
			for (int t = 0; t < k && !hit; t++) {
				int64_t i = o * st - pad + (int64_t)t * dil;
				hit = i >= 0 && i < in;
			}
			if (!hit)
				return 0;
		}
	}
	return 1;
}

CgGeom cg_conv_geom(const Node *n)
{
	CgGeom g;
	const Node *x = n->in[0];
	if (n->op == OP_LINEAR) {
		g = (CgGeom){1, 1, x->dims[0], x->dims[1], 1, n->dims[0], n->dims[1], 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
	} else {
		const ConvAttr *a = &n->u.conv;
		g = (CgGeom){x->dims[0], x->dims[2], x->dims[3], x->dims[1], n->dims[2], n->dims[3], n->dims[1],
		             a->kh, a->kw, a->stride[0], a->stride[1], a->dilation[0], a->dilation[1],
		             a->pad[0], a->pad[1], a->pad[2], a->pad[3], 0, 0};
		if (a->kh == 1 && a->kw == 1 && a->stride[0] == 1 && a->stride[1] == 1 && !a->pad[0] && !a->pad[1] &&
		    !a->pad[2] && !a->pad[3]) {
			g.IW *= g.IH, g.OW *= g.OH;
			g.IH = g.OH = 1;
		}
	}
	g.IHp = g.pt + g.IH + g.pb;
	g.IWp = g.pl + g.IW + g.pr;
	return g;
}

void cg_geom(const Node *n, int64_t *N, int64_t *C, int64_t *HW)
{
	if (n->rank == 4) {
		*N = n->dims[0];
		*C = n->dims[1];
		*HW = n->dims[2] * n->dims[3];
	} else {
		*N = 1;
		*C = 1;
		*HW = ir_numel(n);
	}
}

static void shape_str(FILE *c, const Node *n)
{
	fprintf(c, "%s[", ir_dtype_name(n->dtype));
	for (int i = 0; i < n->rank; i++)
		fprintf(c, "%s%lld", i ? "," : "", (long long)n->dims[i]);
	fputc(']', c);
	if (n->has_q)
		fprintf(c, "(scale=%.9g, zp=%d)", n->scale, (int)n->zp);
}

void cg_layer_comment(FILE *c, Graph *g, const Node *n, const CgOptions *o)
{
	fprintf(c, "\n/* %s: %s(", n->name, op_info[n->op].name);
	for (int i = 0; i < n->nin; i++)
		fprintf(c, "%s%s", i ? ", " : "", n->in[i]->name);
	fprintf(c, ")    %s:%d\n *   ", o->source_name, n->line);
	for (int i = 0; i < n->nin; i++) {
		shape_str(c, n->in[i]);
		fprintf(c, i + 1 < n->nin ? ", " : " -> ");
	}
	shape_str(c, n);
	fputc('\n', c);
	if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
		const ConvAttr *a = &n->u.conv;
		if (n->op == OP_CONV2D)
			fprintf(c, " *   kernel %dx%d, stride %d,%d, dilation %d,%d, pad t%d l%d b%d r%d, groups %d\n", a->kh,
			        a->kw, a->stride[0], a->stride[1], a->dilation[0], a->dilation[1], a->pad[0], a->pad[1],
			        a->pad[2], a->pad[3], a->groups);
	}
	if (n->fused)
		fprintf(c, " *   fused: %s\n", n->fused);
	if (n->has_q && (n->lo != (n->dtype == DT_U8 ? 0 : -128) || n->hi != (n->dtype == DT_U8 ? 255 : 127)))
		fprintf(c, " *   output clamp [%d, %d]\n", (int)n->lo, (int)n->hi);
	fprintf(c, " */\n");
	(void)g;
}

void cg_bytes_prologue(FILE *c)
{
	fprintf(c, "/* Weights are string literals, longer than the 4095 bytes C99 promises: every\n"
	           " * compiler qcc targets accepts them, and they compile far faster than arrays. */\n"
	           "#if defined(__GNUC__)\n#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n#endif\n");
}

/* Printable ASCII as itself, except " \ and ? (trigraphs); anything else as
 * a three-digit octal escape, which no following character can extend.
 * Lines are built in a buffer: an 11M-parameter model is 40 MB of C. */
static void string_literal(FILE *f, const unsigned char *p, size_t n)
{
	enum { PER_LINE = 64 };
	char line[4 * PER_LINE + 8];
	if (!n)
		fputs("\n\t\"\"", f);
	for (size_t i = 0; i < n; i += PER_LINE) {
		size_t len = 0, end = n - i < PER_LINE ? n : i + PER_LINE;
		line[len++] = '\n';
		line[len++] = '\t';
		line[len++] = '"';
		for (size_t k = i; k < end; k++) {
			int ch = p[k];
			if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '?')
				line[len++] = (char)ch;
			else {
				line[len++] = '\\';
				line[len++] = (char)('0' + (ch >> 6));
				line[len++] = (char)('0' + (ch >> 3 & 7));
				line[len++] = (char)('0' + (ch & 7));
			}
		}
		line[len++] = '"';
		fwrite(line, 1, len, f);
	}
}

void cg_bytes(FILE *c, const CgOptions *o, const char *name, const void *data, size_t n)
{
	FILE *f = o->weights ? o->weights : c;
	/* +1: the literal's terminating NUL, so no compiler warns it is cut off */
	if (o->weights) {
		fprintf(c, "extern const char %s_%s_bytes[%zu + 1];\n", o->prefix, name, n);
		fprintf(f, "\nconst char %s_%s_bytes[%zu + 1] =", o->prefix, name, n);
		string_literal(f, data, n);
		fprintf(f, ";\n");
		fprintf(c, "static const int8_t *const %s = (const int8_t *)%s_%s_bytes;\n", name, o->prefix, name);
		return;
	}
	fprintf(c, "static const char %s_bytes[%zu + 1] =", name, n);
	string_literal(c, data, n);
	fprintf(c, ";\nstatic const int8_t *const %s = (const int8_t *)%s_bytes;\n", name, name);
}

void cg_int_array(FILE *c, const char *ctype, const char *name, const void *data, DType t, int64_t count,
                  int64_t per_line)
{
	fprintf(c, "static const %s %s[%lld] = {", ctype, name, (long long)count);
	for (int64_t i = 0; i < count; i++) {
		long long v = t == DT_I8 ? ((const int8_t *)data)[i] : t == DT_I32 ? ((const int32_t *)data)[i]
		                                                                    : ((const int8_t *)data)[i];
		if (i % per_line == 0)
			fprintf(c, "\n\t");
		else
			fputc(' ', c);
		fprintf(c, "%lld,", v);
	}
	fprintf(c, "\n};\n");
}

/* ---- the model boundary ---- */

static int is_entry(const Node *n) { return n->op == OP_QUANTIZE && n->in[0]->op == OP_INPUT; }
static int is_exit(const Node *n) { return n->op == OP_DEQUANTIZE; }

/* The quantized tensor behind input i / output i, for _run_quantized;
 * NULL when there is none. */
static Node *q_input(Graph *g, int i)
{
	Node *in = g->inputs[i], *q = NULL;
	if (in->dtype != DT_F32)
		return in;
	for (int k = 0; k < g->nnodes; k++) {
		Node *n = g->nodes[k];
		if (n->dead)
			continue;
		for (int j = 0; j < n->nin; j++)
			if (n->in[j] == in) {
				if (q || !is_entry(n))
					return NULL;
				q = n;
			}
	}
	return q;
}

static Node *q_output(Graph *g, int i)
{
	Node *out = g->outputs[i];
	return is_exit(out) ? out->in[0] : out->dtype == DT_F32 ? NULL : out;
}

static int has_quantized_api(Graph *g)
{
	int any_float = 0;
	for (int i = 0; i < g->ninputs; i++) {
		any_float |= g->inputs[i]->dtype == DT_F32;
		if (!q_input(g, i))
			return 0;
	}
	for (int i = 0; i < g->noutputs; i++) {
		any_float |= g->outputs[i]->dtype == DT_F32;
		if (!q_output(g, i))
			return 0;
		/* an output that is an input's quantized tensor would need one
		 * parameter name twice */
		for (int j = 0; j < g->ninputs; j++)
			if (q_output(g, i) == q_input(g, j))
				return 0;
	}
	return any_float;
}

static void arena_ptr(FILE *c, const Node *n)
{
	fprintf(c, "(%s *)(mem + %lld)", cg_ctype(n->dtype), (long long)n->arena_off);
}

/* NCHW <-> NHWC copies of quantized boundary tensors. */
static void emit_copy(FILE *c, Graph *g, const Node *n, int in)
{
	int64_t N, C, HW;
	cg_geom(n, &N, &C, &HW);
	const char *t = cg_ctype(n->dtype);
	fprintf(c, "\n/* %s %s: NCHW (caller) %s NHWC (arena) */\n", in ? "copy-in of" : "copy-out of", n->name,
	        in ? "->" : "<-");
	fprintf(c, "static void %s_%s(const %s *restrict src, %s *restrict dst)\n{\n", in ? "copy_in" : "copy_out",
	        cg_layer(g, n), t, t);
	fprintf(c, "\tfor (int n = 0; n < %lld; n++)\n\t\tfor (int c = 0; c < %lld; c++)\n", (long long)N, (long long)C);
	fprintf(c, "\t\t\tfor (int i = 0; i < %lld; i++)\n", (long long)HW);
	if (in)
		fprintf(c, "\t\t\t\tdst[(n * %lld + i) * %lld + c] = src[(n * %lld + c) * %lld + i];\n}\n", (long long)HW,
		        (long long)C, (long long)C, (long long)HW);
	else
		fprintf(c, "\t\t\t\tdst[(n * %lld + c) * %lld + i] = src[(n * %lld + i) * %lld + c];\n}\n", (long long)C,
		        (long long)HW, (long long)HW, (long long)C);
}

static const char *param(Graph *g, const Node *n)
{
	return cname(g, n->name);
}

/* "const float *image, float *y" */
static void signature(FILE *f, Graph *g, const char *prefix, const char *fn, int quantized, int static_arena)
{
	fprintf(f, "int %s_%s(", prefix, fn);
	for (int i = 0; i < g->ninputs; i++) {
		const Node *n = quantized ? q_input(g, i) : g->inputs[i];
		fprintf(f, "const %s *%s, ", cg_ctype(n->dtype), param(g, n));
	}
	for (int i = 0; i < g->noutputs; i++) {
		const Node *n = quantized ? q_output(g, i) : g->outputs[i];
		fprintf(f, "%s *%s%s", cg_ctype(n->dtype), param(g, n), i + 1 < g->noutputs || !static_arena ? ", " : "");
	}
	fprintf(f, static_arena ? ")" : "void *arena)");
}

static void emit_checks(FILE *c, Graph *g, int quantized, int static_arena)
{
	if (static_arena)
		fprintf(c, "\tunsigned char *mem = static_arena();\n\tif (0");
	else
		fprintf(c, "\tunsigned char *mem = arena;\n\tif (!arena || (uintptr_t)arena %% QRT_ARENA_ALIGN");
	for (int i = 0; i < g->ninputs; i++)
		fprintf(c, " || !%s", param(g, quantized ? q_input(g, i) : g->inputs[i]));
	for (int i = 0; i < g->noutputs; i++)
		fprintf(c, " || !%s", param(g, quantized ? q_output(g, i) : g->outputs[i]));
	fprintf(c, ")\n\t\treturn -1;\n");
}

/* --trace-layers: after each layer, forward() hands its output (NHWC for
 * rank 4, as stored in the arena) to PREFIX_trace if the caller set it.
 * Without the flag nothing of this is emitted. */
static int dtype_code(DType t);

static int traced(const Node *n)
{
	return !n->dead && n->op != OP_INPUT && !is_exit(n) && !ir_is_alias(n);
}

static void emit_trace_table(FILE *c, Graph *g, const CgOptions *o)
{
	fprintf(c, "\n/* --trace-layers: every layer's output, for %s_trace. */\n"
	           "void (*%s_trace)(const char *name, const void *data, size_t bytes, const qrt_tensor_info *t);\n",
	        o->prefix, o->prefix);
	fprintf(c, "static const qrt_tensor_info trace_info[%d] = {\n", g->nnodes);
	for (int i = 0; i < g->nnodes; i++) {
		const Node *t = g->nodes[i];
		fprintf(c, "\t{\"%s\", %d, %d, {", t->name, dtype_code(t->dtype), t->rank);
		for (int d = 0; d < 4; d++)
			fprintf(c, "%s%lld", d ? ", " : "", (long long)(d < t->rank ? t->dims[d] : 0));
		fprintf(c, "}, %lld, %.17g, %d},\n", (long long)ir_numel(t), t->has_q ? t->scale : 0.0, (int)t->zp);
	}
	fprintf(c, "};\n");
}

static void emit_trace(FILE *c, const Node *n, int index, const CgOptions *o)
{
	if (!o->trace_layers)
		return;
	fprintf(c, "\tif (%s_trace)\n\t\t%s_trace(\"%s\", mem + %lld, %lld, &trace_info[%d]);\n", o->prefix,
	        o->prefix, n->name, (long long)n->arena_off, (long long)(ir_numel(n) * (n->dtype == DT_F32 ? 4 : 1)),
	        index);
}

static void emit_forward(FILE *c, Graph *g, const CgOptions *o)
{
	if (o->trace_layers)
		emit_trace_table(c, g, o);
	fprintf(c, "\n/* Every layer between the model's boundary tensors, in order. */\n");
	fprintf(c, "static void forward(unsigned char *mem)\n{\n");
	for (int i = 0; i < g->nnodes; i++)
		if (traced(g->nodes[i]) && is_entry(g->nodes[i]))
			emit_trace(c, g->nodes[i], i, o);
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || n->op == OP_INPUT || is_entry(n) || is_exit(n) || ir_is_alias(n))
			continue;
		fprintf(c, "\t%s(", cg_layer(g, n));
		for (int j = 0; j < n->nin; j++) {
			arena_ptr(c, n->in[j]);
			fprintf(c, ", ");
		}
		arena_ptr(c, n);
		if (n->scratch_bytes)
			fprintf(c, ", mem + %lld", (long long)n->scratch_off);
		fprintf(c, ");\n");
		emit_trace(c, n, i, o);
	}
	fprintf(c, "}\n");
}

/* "copy_in_layerN_x(x, (uint8_t *)(mem + OFF));": caller's NCHW into the arena */
static void call_copy_in(FILE *c, Graph *g, const Node *n)
{
	fprintf(c, "\tcopy_in_%s(%s, ", cg_layer(g, n), param(g, n));
	arena_ptr(c, n);
	fprintf(c, ");\n");
}

static void call_copy_out(FILE *c, Graph *g, const Node *n)
{
	fprintf(c, "\tcopy_out_%s(", cg_layer(g, n));
	arena_ptr(c, n);
	fprintf(c, ", %s);\n", param(g, n));
}

static void emit_run(FILE *c, Graph *g, const CgOptions *o)
{
	fprintf(c, "\n");
	signature(c, g, o->prefix, "run", 0, o->static_arena);
	fprintf(c, "\n{\n");
	emit_checks(c, g, 0, o->static_arena);
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || !is_entry(n))
			continue;
		fprintf(c, "\t%s(%s, ", cg_layer(g, n), param(g, n->in[0]));
		arena_ptr(c, n);
		fprintf(c, ");\n");
	}
	for (int i = 0; i < g->ninputs; i++)
		if (g->inputs[i]->dtype != DT_F32)
			call_copy_in(c, g, g->inputs[i]);
	fprintf(c, "\tforward(mem);\n");
	for (int i = 0; i < g->noutputs; i++) {
		Node *o = g->outputs[i];
		if (is_exit(o)) {
			fprintf(c, "\t%s(", cg_layer(g, o));
			arena_ptr(c, o->in[0]);
			fprintf(c, ", %s);\n", param(g, o));
		} else {
			call_copy_out(c, g, o);
		}
	}
	fprintf(c, "\treturn 0;\n}\n");
}

static void emit_run_quantized(FILE *c, Graph *g, const CgOptions *o)
{
	fprintf(c, "\n");
	signature(c, g, o->prefix, "run_quantized", 1, o->static_arena);
	fprintf(c, "\n{\n");
	emit_checks(c, g, 1, o->static_arena);
	for (int i = 0; i < g->ninputs; i++)
		call_copy_in(c, g, q_input(g, i));
	fprintf(c, "\tforward(mem);\n");
	for (int i = 0; i < g->noutputs; i++)
		call_copy_out(c, g, q_output(g, i));
	fprintf(c, "\treturn 0;\n}\n");
}

static int dtype_code(DType t) { return t == DT_F32 ? 1 : t == DT_U8 ? 2 : 3; }

static void tensor_infos(FILE *c, const char *prefix, const char *what, Node **ts, int n)
{
	fprintf(c, "static const qrt_tensor_info %s_%s[%d] = {\n", prefix, what, n);
	for (int i = 0; i < n; i++) {
		const Node *t = ts[i];
		fprintf(c, "\t{\"%s\", %d, %d, {", t->name, dtype_code(t->dtype), t->rank);
		for (int d = 0; d < 4; d++)
			fprintf(c, "%s%lld", d ? ", " : "", (long long)(d < t->rank ? t->dims[d] : 0));
		fprintf(c, "}, %lld, %.17g, %d},\n", (long long)ir_numel(t), t->has_q ? t->scale : 0.0, (int)t->zp);
	}
	fprintf(c, "};\n");
}

static void emit_descriptor(FILE *c, Graph *g, const CgOptions *o)
{
	const char *prefix = o->prefix;
	fprintf(c, "\n/* For generic drivers: the same model behind qrt_model. */\n");
	fprintf(c, "static int run_generic(const void *const *in, void *const *out, void *arena)\n{\n");
	fprintf(c, "\tif (!in || !out)\n\t\treturn -1;\n");
	fprintf(c, "\treturn %s_run(", prefix);
	for (int i = 0; i < g->ninputs; i++)
		fprintf(c, "(const %s *)in[%d], ", cg_ctype(g->inputs[i]->dtype), i);
	for (int i = 0; i < g->noutputs; i++)
		fprintf(c, "(%s *)out[%d]%s", cg_ctype(g->outputs[i]->dtype), i,
		        i + 1 < g->noutputs || !o->static_arena ? ", " : "");
	fprintf(c, o->static_arena ? ");\n\t(void)arena; /* the model has its own */\n}\n\n" : "arena);\n}\n\n");
	tensor_infos(c, prefix, "inputs", g->inputs, g->ninputs);
	tensor_infos(c, prefix, "outputs", g->outputs, g->noutputs);
	if (o->static_arena)
		fprintf(c, "\n/* arena_size 0: the caller provides no arena (the model's is static) */");
	fprintf(c, "\nconst qrt_model %s_model = {\"%s\", %lld, %d, %d, %s_inputs, %s_outputs, run_generic};\n", prefix,
	        g->model, o->static_arena ? 0LL : (long long)g->arena_size, g->ninputs, g->noutputs, prefix, prefix);
}

static void banner(FILE *f, Graph *g, const Target *t, const CgOptions *o)
{
	fprintf(f, "/* Generated by qcc %s from %s. Do not edit.\n", QCC_VERSION, o->source_name);
	fprintf(f, " *\n * model:  %s\n * target: %s (compile with: %s)\n", g->model, t->name, t->cflags);
	fprintf(f, " * arena:  %lld bytes, %d-byte aligned%s\n", (long long)g->arena_size, 64,
	        o->static_arena ? ", static in the .c (not reentrant)" : ", passed by the caller");
	if (g->contract == CONTRACT_PYTORCH)
		fprintf(f, " * arithmetic: qcc pytorch contract (docs/arithmetic.md): int32 accumulation;\n"
		           " *   conv/linear requantize as PyTorch's QNNPACK, sat(zp + rne((float)acc * scale))\n"
		           " *   with a float32 product, u8 adds with its 22-bit multipliers, ties away from\n"
		           " *   zero; everything else as the integer contract.  Activations are NHWC.\n */\n");
	else
		fprintf(f, " * arithmetic: qcc integer contract (docs/arithmetic.md): int32 accumulation,\n"
		           " *   requantization sat(zp + ((acc * mult + 2^(shift-1)) >> shift)) with one\n"
		           " *   rounding, ties toward +inf; activations stored NHWC in the arena.\n */\n");
}

static void describe_tensor(FILE *h, const Node *n, const char *role)
{
	fprintf(h, " *   %-6s %-12s %s[", role, n->name, ir_dtype_name(n->dtype));
	for (int i = 0; i < n->rank; i++)
		fprintf(h, "%s%lld", i ? "," : "", (long long)n->dims[i]);
	fprintf(h, "]");
	if (n->has_q)
		fprintf(h, " scale=%.9g zp=%d", n->scale, (int)n->zp);
	fprintf(h, "\n");
}

static void emit_header(FILE *h, Graph *g, const Target *t, const CgOptions *o)
{
	const char *P = upper(g, o->prefix);
	banner(h, g, t, o);
	fprintf(h, "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n#include \"qrt.h\"\n\n", P, P);
	fprintf(h, "#define %s_ARENA_SIZE %lld /* bytes of scratch memory per concurrent call */\n", P,
	        (long long)g->arena_size);
	fprintf(h, "#define %s_ARENA_ALIGN QRT_ARENA_ALIGN\n", P);
	fprintf(h, "#define %s_ARENA_BOUND %lld /* the lower bound: most bytes live at one layer */\n", P,
	        (long long)g->arena_bound);
	fprintf(h, "#define %s_STATIC_ARENA %d /* 1: the model owns its arena; _run takes none */\n\n", P,
	        o->static_arena);
	for (int i = 0; i < g->ninputs; i++)
		fprintf(h, "#define %s_%s_NUMEL %lld\n", P, upper(g, cname(g, g->inputs[i]->name)),
		        (long long)ir_numel(g->inputs[i]));
	for (int i = 0; i < g->noutputs; i++)
		fprintf(h, "#define %s_%s_NUMEL %lld\n", P, upper(g, cname(g, g->outputs[i]->name)),
		        (long long)ir_numel(g->outputs[i]));
	fprintf(h, "\n/* Runs the model.  Tensors are in PyTorch's NCHW order:\n");
	for (int i = 0; i < g->ninputs; i++)
		describe_tensor(h, g->inputs[i], "input");
	for (int i = 0; i < g->noutputs; i++)
		describe_tensor(h, g->outputs[i], "output");
	fprintf(h, " * Each tensor pointer points at its _NUMEL elements; inputs are only read.\n");
	if (o->static_arena)
		fprintf(h, " * The model owns a static arena of %s_ARENA_SIZE bytes (qcc --static-arena), so\n"
		           " * it is NOT reentrant: one call at a time, in one thread at a time.\n", P);
	else
		fprintf(h, " * arena: %s_ARENA_SIZE bytes, %s_ARENA_ALIGN-aligned, overlapping no tensor and\n"
		           " * not used by a concurrent call; its contents on entry do not matter and on\n"
		           " * return are undefined.  The code keeps no other mutable state, so calls with\n"
		           " * separate arenas may run concurrently.\n", P, P);
	if (o->trace_layers)
		fprintf(h, " * --trace-layers: %s_trace is one global for all calls; set it before any run.\n",
		        o->prefix);
	fprintf(h, " * Returns 0, or -1 if a pointer is NULL%s,\n"
	           " * checked before anything is read or written. */\n", o->static_arena ? "" : " or the arena is misaligned");
	signature(h, g, o->prefix, "run", 0, o->static_arena);
	fprintf(h, ";\n");
	if (has_quantized_api(g)) {
		fprintf(h, "\n/* The same on already-quantized tensors (NCHW), skipping the float boundary:\n");
		for (int i = 0; i < g->ninputs; i++)
			describe_tensor(h, q_input(g, i), "input");
		for (int i = 0; i < g->noutputs; i++)
			describe_tensor(h, q_output(g, i), "output");
		fprintf(h, " */\n");
		signature(h, g, o->prefix, "run_quantized", 1, o->static_arena);
		fprintf(h, ";\n");
	}
	if (o->trace_layers)
		fprintf(h, "\n/* qcc --trace-layers: if set, called after every layer with its output, as stored\n"
		           " * (NHWC for rank 4); t gives its name, dtype, logical NCHW dims and qparams. */\n"
		           "extern void (*%s_trace)(const char *name, const void *data, size_t bytes, const qrt_tensor_info *t);\n",
		        o->prefix);
	fprintf(h, "\nextern const qrt_model %s_model;\n\n#endif\n", o->prefix);
}

int cg_emit(Graph *g, const Target *t, const CgOptions *o, FILE *c, FILE *h)
{
	emit_header(h, g, t, o);
	banner(c, g, t, o);
	if (t->emit_prologue)
		t->emit_prologue(c, g, o);
	if (t->guard)
		fprintf(c, "#if !(%s)\n#error \"this file was generated by qcc for target %s: compile it with %s\"\n#endif\n\n",
		        t->guard, t->name, t->cflags);
	fprintf(c, "#include <stdint.h>\n\n#include \"%s\"\n#include \"qrt.h\"\n\n", o->header_name);
	cg_bytes_prologue(c);
	if (o->static_arena)
		fprintf(c, "\n/* --static-arena: the model's own arena, so %s_run is not reentrant. */\n"
		           "static unsigned char arena_storage[%lld + QRT_ARENA_ALIGN];\n\n"
		           "static unsigned char *static_arena(void)\n{\n"
		           "\tuintptr_t p = (uintptr_t)arena_storage;\n"
		           "\treturn arena_storage + (QRT_ARENA_ALIGN - p %% QRT_ARENA_ALIGN) %% QRT_ARENA_ALIGN;\n}\n",
		        o->prefix, (long long)g->arena_size);
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || n->op == OP_INPUT || ir_is_alias(n))
			continue;
		t->emit_node(c, g, n, o);
	}
	for (int i = 0; i < g->ninputs; i++)
		if (g->inputs[i]->dtype != DT_F32)
			emit_copy(c, g, g->inputs[i], 1);
	int quantized = has_quantized_api(g);
	for (int i = 0; quantized && i < g->ninputs; i++)
		if (g->inputs[i]->dtype == DT_F32)
			emit_copy(c, g, q_input(g, i), 1);
	for (int i = 0; i < g->noutputs; i++)
		if (g->outputs[i]->dtype != DT_F32)
			emit_copy(c, g, g->outputs[i], 0);
		else if (quantized)
			emit_copy(c, g, q_output(g, i), 0);
	emit_forward(c, g, o);
	emit_run(c, g, o);
	if (quantized)
		emit_run_quantized(c, g, o);
	emit_descriptor(c, g, o);
	return ferror(c) || ferror(h) ? -1 : 0;
}
