/* The graph: construction and the small queries every pass needs. */
#include <math.h>
#include <string.h>

#include "ir.h"

const OpInfo op_info[OP_COUNT] = {
#define OP(e, name, min_in, max_in, flags, member) {name, min_in, max_in, flags},
#include "ops.def"
#undef OP
};

Graph *ir_new_graph(Arena *a, Source *src, Diag *d)
{
	Graph *g = arena_alloc(a, sizeof *g);
	g->arena = a;
	g->src = src;
	g->diag = d;
	g->opt = 2;
	g->arena_size = 0;
	return g;
}

/* The line of offset, counted on from the previous node's: nodes come
 * in source order, and counting from the top each time is quadratic. */
static int line_of(Graph *g, uint32_t offset)
{
	if (offset < g->line_off || g->line_at == 0) {
		g->line_off = 0;
		g->line_at = 1;
	}
	if (offset >= g->src->len)
		return diag_line(g->src, offset);
	for (uint32_t i = g->line_off; i < offset; i++)
		g->line_at += g->src->text[i] == '\n';
	g->line_off = offset;
	return g->line_at;
}

Node *ir_add_node(Graph *g, Op op, const char *name, Span span)
{
	if (g->nnodes == g->cap) {
		int cap = g->cap ? 2 * g->cap : 64;
		Node **nodes = arena_alloc(g->arena, (size_t)cap * sizeof *nodes);
		if (g->nnodes)
			memcpy(nodes, g->nodes, (size_t)g->nnodes * sizeof *nodes);
		g->nodes = nodes;
		g->cap = cap;
	}
	Node *n = arena_alloc(g->arena, sizeof *n);
	n->op = op;
	n->id = g->nnodes;
	n->name = name;
	n->span = span;
	n->op_span = span;
	n->line = g->src ? line_of(g, span.begin) : 0;
	n->arena_off = -1;
	n->scratch_off = -1;
	g->nodes[g->nnodes++] = n;
	return n;
}

Node *ir_find(Graph *g, const char *name)
{
	for (int i = g->nnodes - 1; i >= 0; i--)
		if (!g->nodes[i]->dead && strcmp(g->nodes[i]->name, name) == 0)
			return g->nodes[i];
	return NULL;
}

int ir_nuses(Graph *g, const Node *n)
{
	int uses = n->is_output;
	for (int i = 0; i < g->nnodes; i++) {
		Node *u = g->nodes[i];
		if (u->dead)
			continue;
		for (int j = 0; j < u->nin; j++)
			uses += u->in[j] == n;
	}
	return uses;
}

Node *ir_sole_user(Graph *g, const Node *n)
{
	Node *user = NULL;
	if (n->is_output)
		return NULL;
	for (int i = 0; i < g->nnodes; i++) {
		Node *u = g->nodes[i];
		if (u->dead)
			continue;
		for (int j = 0; j < u->nin; j++) {
			if (u->in[j] != n)
				continue;
			if (user)
				return NULL;
			user = u;
		}
	}
	return user;
}

/* Consumers of `from` read `to` instead; an output named by `from` now
 * refers to `to`, which takes over its name so the C API keeps it. */
void ir_replace_uses(Graph *g, Node *from, Node *to)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *u = g->nodes[i];
		for (int j = 0; j < u->nin; j++)
			if (u->in[j] == from)
				u->in[j] = to;
	}
	for (int i = 0; i < g->noutputs; i++)
		if (g->outputs[i] == from) {
			g->outputs[i] = to;
			to->is_output = 1;
		}
	from->is_output = 0;
}

void ir_absorb(Graph *g, Node *into, Node *gone)
{
	if (!into->fused)
		into->fused = arena_printf(g->arena, "%s %s", op_info[into->op].name, into->name);
	into->fused = arena_printf(g->arena, "%s + %s %s", into->fused, op_info[gone->op].name, gone->name);
	into->name = gone->name;
	ir_replace_uses(g, gone, into);
	gone->dead = 1;
}

int64_t ir_numel(const Node *n)
{
	int64_t k = 1;
	for (int i = 0; i < n->rank; i++)
		k *= n->dims[i];
	return k;
}

int ir_same_q(const Node *a, const Node *b)
{
	return a->dtype == b->dtype && a->scale == b->scale && a->zp == b->zp;
}

int ir_layout_is_logical(const Node *n)
{
	return n->rank < 4 || n->dims[1] == 1 || n->dims[2] * n->dims[3] == 1;
}

int ir_is_alias(const Node *n)
{
	return (n->op == OP_FLATTEN || n->op == OP_RESHAPE) && ir_layout_is_logical(n) &&
	       ir_layout_is_logical(n->in[0]);
}

/* The first in-bounds input index of a window starting at o (may be < 0),
 * stepping by d, over an axis of size len; len when none is. */
static int64_t first_inside(int64_t o, int d, int k, int64_t len)
{
	if (o < 0) {
		int64_t t = (-o + d - 1) / d; /* the first tap at or past 0 */
		if (t >= k)
			return len;
		o += t * d;
	}
	return o < len ? o : len;
}

/* A windowed kernel that runs in raster order -- output pixel by output
 * pixel, each pixel's channels written only after its window was read --
 * may write into its own input buffer when no output pixel lands on an
 * input pixel that a later output pixel still reads.  Channels line up
 * (same count, same element size), so pixel indices decide: scanning the
 * outputs backwards, each must sit below every pixel read after it.  True
 * for strided pooling (2x2/2, 3x3/2 pad 1) and stride-2 depthwise; never
 * for stride 1 with padding, which reads the row above. */
static int raster_inplace_ok(const Node *n)
{
	const Node *x = n->in[0];
	int kh, kw, s[2], d[2], pt, pl;
	if (n->op == OP_CONV2D) {
		const ConvAttr *a = &n->u.conv;
		kh = a->kh, kw = a->kw, s[0] = a->stride[0], s[1] = a->stride[1];
		d[0] = a->dilation[0], d[1] = a->dilation[1], pt = a->pad[0], pl = a->pad[1];
	} else {
		const PoolAttr *p = &n->u.pool;
		kh = p->kh, kw = p->kw, s[0] = p->stride[0], s[1] = p->stride[1];
		d[0] = p->dilation[0], d[1] = p->dilation[1], pt = p->pad[0], pl = p->pad[1];
	}
	int64_t IH = x->dims[2], IW = x->dims[3], OH = n->dims[2], OW = n->dims[3];
	if (OH * OW > QCC_INPLACE_SCAN_MAX)
		return 0; /* the scan would cost more than it saves: the output gets its own buffer */
	int64_t later = INT64_MAX; /* the least input pixel read by the outputs after this one */
	for (int64_t oy = OH - 1; oy >= 0; oy--)
		for (int64_t ox = OW - 1; ox >= 0; ox--) {
			if (oy * OW + ox >= later)
				return 0;
			int64_t iy = first_inside(oy * s[0] - pt, d[0], kh, IH), ix = first_inside(ox * s[1] - pl, d[1], kw, IW);
			if (iy < IH && ix < IW && iy * IW + ix < later)
				later = iy * IW + ix;
		}
	return 1;
}

/* Pooling or depthwise, with the portable kernel (the SIMD ones are not
 * written for aliasing), channels matching its input's. */
int ir_windowed_inplace_ok(const Node *n, int i)
{
	if (n->nin < 1)
		return 0;
	const Node *x = n->in[0];
	int pool = n->op == OP_MAXPOOL2D || n->op == OP_AVGPOOL2D || n->op == OP_GLOBAL_AVGPOOL;
	int dw = n->op == OP_CONV2D && n->u.conv.groups > 1 && n->u.conv.groups == x->dims[1];
	if (i != 0 || !(pool || dw) || !n->kernel || strcmp(n->kernel, "portable") != 0 || n->rank != 4 ||
	    x->dims[1] != n->dims[1] || ir_dtype_size(x->dtype) != ir_dtype_size(n->dtype))
		return 0;
	if (n->op == OP_GLOBAL_AVGPOOL)
		return 1; /* channel c of batch b is written after its last read, at an index no later read uses */
	return x->dims[0] == 1 && raster_inplace_ok(n);
}

int ir_can_alias_input(Graph *g, const Node *n, int i)
{
	const Node *x = n->in[i];
	(void)g;
	if (!ir_in_arena(n) || !ir_in_arena(x))
		return 0;
	if (ir_windowed_inplace_ok(n, i))
		return 1;
	return (op_info[n->op].flags & OPF_INPLACE) && ir_dtype_size(x->dtype) == ir_dtype_size(n->dtype) &&
	       ir_numel(x) == ir_numel(n);
}

int ir_in_arena(const Node *n)
{
	return !n->dead && n->dtype != DT_F32;
}

int ir_dtype_range(DType t, int32_t *lo, int32_t *hi)
{
	switch (t) {
	case DT_U8: *lo = 0; *hi = 255; return 1;
	case DT_I8: *lo = -128; *hi = 127; return 1;
	default: return 0;
	}
}

int ir_dtype_size(DType t)
{
	switch (t) {
	case DT_U8: case DT_I8: return 1;
	case DT_F32: case DT_I32: return 4;
	default: return 0;
	}
}

const char *ir_dtype_name(DType t)
{
	static const char *names[] = {"?", "f32", "u8", "i8", "i32"};
	return names[t];
}

int ir_channels(const Node *n)
{
	return n->rank >= 2 ? (int)n->dims[1] : 1;
}

float ir_const_f32(const Const *c, int64_t i)
{
	switch (c->dtype) {
	case DT_F32: return ((const float *)c->data)[i];
	case DT_I8: return ((const int8_t *)c->data)[i];
	case DT_I32: return (float)((const int32_t *)c->data)[i];
	default: die("constant of dtype %s", ir_dtype_name(c->dtype));
	}
}
