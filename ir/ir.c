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

int ir_can_alias_input(Graph *g, const Node *n, int i)
{
	const Node *x = n->in[i];
	(void)g;
	return (op_info[n->op].flags & OPF_INPLACE) && ir_in_arena(n) && ir_in_arena(x) &&
	       ir_dtype_size(x->dtype) == ir_dtype_size(n->dtype) && ir_numel(x) == ir_numel(n);
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
