/* The footprint report of `qcc --stats`: what each layer costs in compute
 * (MACs), flash (weights, folded constants) and RAM (its arena buffer),
 * which kernel the target chose, and the totals an embedded engineer sizes
 * a part by.  The same numbers as a table or as JSON.
 *
 * Code size and stack are estimates (documented in README.md, "--stats"):
 * code from a per-kernel size measured on x86-64 with gcc -O2, stack from
 * the deepest call chain of the generated code, whose frames hold a few
 * scalars each and no arrays. */
#include <string.h>

#include "ir.h"

/* Bytes of x86-64 gcc -O2 code per generated function, rounded up from
 * `size` on the samples; other ISAs are within a factor of two. */
enum {
	CODE_FIXED = 640,       /* _run, _run_quantized, forward, descriptor, qrt.c */
	CODE_CONV = 448,
	CODE_LINEAR = 256,
	CODE_POOL = 320,
	CODE_ELEMENTWISE = 128,
	CODE_COPY = 192,        /* quantize, dequantize, reshape, concat */
	STACK_FRAME = 96,       /* a kernel's frame: saved registers and a few spills */
	STACK_DEPTH = 3,        /* _run -> forward -> layer (qrt_* primitives inline) */
};

typedef struct {
	int64_t macs;
	int64_t weight_bytes;    /* int8 weights */
	int64_t const_bytes;     /* folded biases, multipliers, shifts, weight zero points */
	int64_t code_bytes;
} Cost;

static int weight_zp_used(const Const *w)
{
	for (int o = 0; w->zp && o < w->nch; o++)
		if (w->zp[o])
			return 1;
	return 0;
}

/* As codegen/emit_c.c lays them out. */
static Cost cost(const Node *n)
{
	Cost c = {0, 0, 0, 0};
	switch (n->op) {
	case OP_CONV2D: case OP_LINEAR: {
		const ConvAttr *a = &n->u.conv;
		int64_t oc = a->weight->dims[0];
		c.macs = ir_numel(n) * (a->weight->count / oc);
		c.weight_bytes = a->weight->count;
		c.const_bytes = oc * 4 + (int64_t)a->rq.n * 5 + (weight_zp_used(a->weight) ? a->weight->nch * 4 : 0);
		c.code_bytes = n->op == OP_CONV2D ? CODE_CONV : CODE_LINEAR;
		break;
	}
	case OP_MATMUL:
		c.macs = ir_numel(n) * n->in[0]->dims[1];
		c.code_bytes = CODE_LINEAR;
		break;
	case OP_AVGPOOL2D: case OP_MAXPOOL2D: case OP_GLOBAL_AVGPOOL: {
		const PoolAttr *p = &n->u.pool;
		int padded = p->pad[0] || p->pad[1] || p->pad[2] || p->pad[3];
		if (n->op == OP_AVGPOOL2D && padded && !p->count_include_pad)
			c.const_bytes = (int64_t)p->rq.n * 5;
		c.code_bytes = CODE_POOL;
		break;
	}
	case OP_ADD: case OP_REQUANTIZE: case OP_RELU: case OP_RELU6: case OP_CLAMP:
		c.code_bytes = CODE_ELEMENTWISE;
		break;
	case OP_INPUT:
		break;
	default:
		c.code_bytes = ir_is_alias(n) ? 0 : CODE_COPY;
		break;
	}
	return c;
}

int64_t ir_stats_code_bytes(Graph *g)
{
	int64_t sum = CODE_FIXED;
	for (int i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->dead)
			sum += cost(g->nodes[i]).code_bytes;
	return sum;
}

int64_t ir_stats_stack_bytes(Graph *g)
{
	(void)g;
	return STACK_FRAME * STACK_DEPTH;
}

static int64_t tensor_bytes(const Node *n)
{
	return ir_numel(n) * ir_dtype_size(n->dtype);
}

static const char *simd_path(Graph *g, const Node *n)
{
	if (!n->kernel || !strcmp(n->kernel, "portable"))
		return "portable";
	return g->target ? g->target->name : "?";
}

/* "u8[1,16,32,32]" */
static void shape(FILE *f, const Node *n, int json)
{
	if (json)
		fprintf(f, "{\"dtype\": \"%s\", \"dims\": [", ir_dtype_name(n->dtype));
	else
		fprintf(f, "%s[", ir_dtype_name(n->dtype));
	for (int i = 0; i < n->rank; i++)
		fprintf(f, "%s%lld", i ? (json ? ", " : ",") : "", (long long)n->dims[i]);
	fprintf(f, json ? "]}" : "]");
}

/* JSON strings: names and the fused chain are identifiers and spaces, but
 * escape anyway. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

/* conv2d and pooling: the window, so that tools can check in-place plans. */
static void window_json(FILE *f, const Node *n)
{
	const int *s, *d, *p;
	int k[2];
	if (n->op == OP_CONV2D) {
		const ConvAttr *a = &n->u.conv;
		k[0] = a->kh, k[1] = a->kw, s = a->stride, d = a->dilation, p = a->pad;
		fprintf(f, ", \"groups\": %d", a->groups);
	} else if (n->op == OP_MAXPOOL2D || n->op == OP_AVGPOOL2D || n->op == OP_GLOBAL_AVGPOOL) {
		const PoolAttr *a = &n->u.pool;
		k[0] = a->kh, k[1] = a->kw, s = a->stride, d = a->dilation, p = a->pad;
	} else
		return;
	fprintf(f, ", \"window\": {\"kernel\": [%d, %d], \"stride\": [%d, %d], \"dilation\": [%d, %d], "
	           "\"pad\": [%d, %d, %d, %d]}",
	        k[0], k[1], s[0], s[1], d[0], d[1], p[0], p[1], p[2], p[3]);
}

static void json_layer(FILE *f, Graph *g, const Node *n, const Cost *c)
{
	fprintf(f, "    {\"name\": ");
	jstr(f, n->name);
	fprintf(f, ", \"op\": \"%s\", \"line\": %d, \"fused\": ", op_info[n->op].name, n->line);
	if (n->fused)
		jstr(f, n->fused);
	else
		fprintf(f, "null");
	fprintf(f, ",\n     \"inputs\": [");
	for (int j = 0; j < n->nin; j++) {
		fprintf(f, "%s", j ? ", " : "");
		jstr(f, n->in[j]->name);
	}
	fprintf(f, "], \"input_shapes\": [");
	for (int j = 0; j < n->nin; j++) {
		fprintf(f, "%s", j ? ", " : "");
		shape(f, n->in[j], 1);
	}
	fprintf(f, "], \"output_shape\": ");
	shape(f, n, 1);
	fprintf(f, ",\n     \"macs\": %lld, \"weight_bytes\": %lld, \"const_bytes\": %lld, \"code_bytes\": %lld,\n",
	        (long long)c->macs, (long long)c->weight_bytes, (long long)c->const_bytes, (long long)c->code_bytes);
	fprintf(f, "     \"in_arena\": %s, \"arena_offset\": %lld, \"arena_bytes\": %lld, ", ir_in_arena(n) ? "true" : "false",
	        (long long)n->arena_off, ir_in_arena(n) ? (long long)tensor_bytes(n) : 0LL);
	fprintf(f, "\"alias_of\": ");
	if (ir_in_arena(n) && ir_is_alias(n))
		jstr(f, n->in[0]->name);
	else
		fprintf(f, "null");
	fprintf(f, ", \"inplace_of\": ");
	if (n->inplace)
		jstr(f, n->inplace->name);
	else
		fprintf(f, "null");
	window_json(f, n);
	fprintf(f, ",\n     \"scratch_offset\": %lld, \"scratch_bytes\": %lld, \"kernel\": ", (long long)n->scratch_off,
	        (long long)n->scratch_bytes);
	jstr(f, n->op == OP_INPUT ? "" : n->kernel);
	fprintf(f, ", \"simd\": \"%s\"}", n->op == OP_INPUT ? "" : simd_path(g, n));
}

static void table_layer(FILE *f, Graph *g, const Node *n, const Cost *c)
{
	fprintf(f, "%-16s %-15s ", n->name, op_info[n->op].name);
	for (int j = 0; j < n->nin; j++) {
		fprintf(f, "%s", j ? "," : "");
		shape(f, n->in[j], 0);
	}
	fprintf(f, "%s", n->nin ? " -> " : "");
	shape(f, n, 0);
	fprintf(f, "\n    macs %lld  weights %lld  constants %lld", (long long)c->macs, (long long)c->weight_bytes,
	        (long long)c->const_bytes);
	if (ir_in_arena(n)) {
		fprintf(f, "  arena +%lld %lld bytes", (long long)n->arena_off, (long long)tensor_bytes(n));
		if (n->inplace)
			fprintf(f, " (in place of %s)", n->inplace->name);
		else if (ir_is_alias(n))
			fprintf(f, " (alias of %s)", n->in[0]->name);
	} else
		fprintf(f, "  arena -");
	if (n->scratch_bytes)
		fprintf(f, "  scratch +%lld %lld bytes", (long long)n->scratch_off, (long long)n->scratch_bytes);
	if (n->op != OP_INPUT)
		fprintf(f, "\n    kernel %s (%s)", n->kernel ? n->kernel : "?", simd_path(g, n));
	if (n->fused)
		fprintf(f, "\n    fused: %s", n->fused);
	fputc('\n', f);
}

void ir_stats(FILE *f, Graph *g, int json)
{
	Cost total = {0, 0, 0, 0};
	int first = 1;
	const char *target = g->target ? g->target->name : "c";
	if (json)
		fprintf(f, "{\n  \"model\": \"%s\", \"target\": \"%s\",\n  \"layers\": [\n", g->model, target);
	else
		fprintf(f, "model %s, target %s\n\n%-16s %-15s shapes\n", g->model, target, "layer", "op");
	for (int i = 0; i < g->nnodes; i++) {
		const Node *n = g->nodes[i];
		if (n->dead)
			continue;
		Cost c = cost(n);
		total.macs += c.macs;
		total.weight_bytes += c.weight_bytes;
		total.const_bytes += c.const_bytes;
		if (json) {
			fprintf(f, "%s", first ? "" : ",\n");
			json_layer(f, g, n, &c);
		} else
			table_layer(f, g, n, &c);
		first = 0;
	}
	int64_t code = ir_stats_code_bytes(g), stack = ir_stats_stack_bytes(g);
	int64_t flash = total.weight_bytes + total.const_bytes + code, ram = g->arena_size + stack;
	double ratio = g->arena_bound ? (double)g->arena_size / (double)g->arena_bound : 1.0;
	if (json) {
		fprintf(f, "\n  ],\n  \"outputs\": [");
		for (int i = 0; i < g->noutputs; i++) {
			fprintf(f, "%s", i ? ", " : "");
			jstr(f, g->outputs[i]->name);
		}
		fprintf(f, "],\n  \"totals\": {\"macs\": %lld, \"weight_bytes\": %lld, \"const_bytes\": %lld, "
		           "\"code_bytes_estimate\": %lld, \"flash_bytes\": %lld,\n",
		        (long long)total.macs, (long long)total.weight_bytes, (long long)total.const_bytes, (long long)code,
		        (long long)flash);
		fprintf(f, "             \"arena_bytes\": %lld, \"arena_bound_bytes\": %lld, \"arena_align\": 64, "
		           "\"stack_bytes_estimate\": %lld, \"ram_bytes\": %lld}\n}\n",
		        (long long)g->arena_size, (long long)g->arena_bound, (long long)stack, (long long)ram);
		return;
	}
	fprintf(f, "\ntotal macs   %lld\n", (long long)total.macs);
	fprintf(f, "flash        %lld bytes = weights %lld + constants %lld + code %lld (estimate)\n", (long long)flash,
	        (long long)total.weight_bytes, (long long)total.const_bytes, (long long)code);
	fprintf(f, "ram          %lld bytes = arena %lld + stack %lld (estimate)\n", (long long)ram,
	        (long long)g->arena_size, (long long)stack);
	fprintf(f, "arena        %lld bytes planned, lower bound %lld (%.3fx), buffers 64-byte aligned\n",
	        (long long)g->arena_size, (long long)g->arena_bound, ratio);
}
