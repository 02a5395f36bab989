/* Activation arena planning.
 *
 * Buffers.  Each tensor in the arena gets a buffer, live from the node that
 * defines it to its last reader (outputs: to the end).  A free reshape
 * shares its input's buffer and stretches its lifetime.  An elementwise
 * node (ir_can_alias_input) whose input has no reader after it takes that
 * input's buffer over: it runs in place.  A pooling or depthwise node whose
 * raster order allows it (ir_windowed_inplace_ok) and whose input has no
 * later reader keeps a buffer of its own, smaller, *tied* to the input's:
 * placed at the input's offset when that fits, it overlaps the input at its
 * own step only, and the input's tail is free again after it.  A kernel's
 * scratch is a buffer live only while its node runs.  Every buffer is
 * rounded up to ALIGN bytes, which suits every SIMD target (a 64-byte
 * AVX-512 vector, a cache line).
 *
 * Bound.  At each node step the buffers live then must be disjoint (a tied
 * pair counts as its input alone at the step they share), so the largest
 * such sum over all steps is a lower bound on the arena
 * (Graph.arena_bound).
 *
 * Placement.  Finding the best offsets is NP-hard in general, but networks
 * are small, so we try several cheap strategies and keep the smallest
 * arena:
 *   - largest buffer first, each at the lowest offset free of every buffer
 *     it is live with;
 *   - in node order under a ceiling T, each buffer at the lowest or the
 *     highest free offset below T (the side opposite its input's, or always
 *     bottom-first, or always top-first), for T rising from the bound.
 * On a chain, putting consecutive tensors at opposite ends meets the bound
 * exactly; on residual networks it stays within a few percent of it. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

#define ALIGN 64

typedef struct Buf {
	int64_t *off_out;        /* where the placement goes: a node's arena_off or scratch_off */
	Node *node;              /* defining node (for the side of its input), NULL: scratch */
	int64_t size;            /* bytes, rounded up to ALIGN; 0: merged into another buffer */
	int first, last;         /* lifetime, in node indices, inclusive */
	int64_t off;
	int top;                 /* placed from the top (two-sided placement) */
	struct Buf *tie;         /* a windowed in-place output: the input buffer whose start it wants */
} Buf;

typedef struct {
	Buf *bufs;
	int nb;
	int *slot;               /* node id -> buffer index, -1: none */
} Plan;

static Node *root(Node *n)
{
	while (ir_is_alias(n))
		n = n->in[0];
	return n;
}

static int64_t aligned(int64_t bytes)
{
	return (bytes + ALIGN - 1) / ALIGN * ALIGN;
}

static int live_together(const Buf *a, const Buf *b)
{
	return a->first <= b->last && b->first <= a->last;
}

/* Would b at off overlap the placed a?  A tied pair may share bytes when
 * they start at the same offset. */
static int clash(const Buf *a, const Buf *b, int64_t off)
{
	if ((a->tie == b || b->tie == a) && a->off == off)
		return 0;
	return live_together(a, b) && a->off < off + b->size && off < a->off + a->size;
}

/* A tied buffer goes to its input's offset when that is free; -1 if not. */
static int64_t tied(Buf **placed, int np, const Buf *b, int64_t ceiling)
{
	int i;
	for (i = 0; i < np && placed[i] != b->tie; i++)
		;
	if (!b->tie || i == np || b->tie->off + b->size > ceiling)
		return -1;
	for (i = 0; i < np; i++)
		if (clash(placed[i], b, b->tie->off))
			return -1;
	return b->tie->off;
}

/* The lowest offset at which b overlaps none of the placed buffers. */
static int64_t lowest(Buf **placed, int np, const Buf *b)
{
	int64_t off = 0;
	for (int moved = 1; moved;) {
		moved = 0;
		for (int i = 0; i < np; i++)
			if (clash(placed[i], b, off)) {
				off = placed[i]->off + placed[i]->size;
				moved = 1;
			}
	}
	return off;
}

/* The highest offset <= ceiling - size free for b, or -1. */
static int64_t highest(Buf **placed, int np, const Buf *b, int64_t ceiling)
{
	int64_t off = ceiling - b->size;
	for (int moved = 1; moved && off >= 0;) {
		moved = 0;
		for (int i = 0; i < np && off >= 0; i++)
			if (clash(placed[i], b, off)) {
				off = placed[i]->off - b->size;
				moved = 1;
			}
	}
	return off;
}

/* ---- buffers and lifetimes ---- */

static void collect(Graph *g, Plan *p)
{
	p->bufs = arena_alloc(g->arena, (size_t)(2 * g->nnodes + 1) * sizeof *p->bufs);
	p->slot = arena_alloc(g->arena, (size_t)(g->nnodes + 1) * sizeof *p->slot);
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		p->slot[i] = -1;
		n->inplace = NULL;
		if (!ir_in_arena(n) || ir_is_alias(n))
			continue;
		Buf *b = &p->bufs[p->nb];
		b->off_out = &n->arena_off;
		b->node = n;
		b->size = aligned(ir_numel(n) * ir_dtype_size(n->dtype));
		/* Inputs and their quantize are written before forward() runs,
		 * wherever the source declares them. */
		b->first = n->op == OP_INPUT || (n->op == OP_QUANTIZE && n->in[0]->op == OP_INPUT) ? 0 : i;
		b->last = i;
		p->slot[i] = p->nb++;
	}
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		/* a dequantize is a model output: it reads its input after forward() */
		int at = n->op == OP_DEQUANTIZE ? g->nnodes : i;
		for (int j = 0; j < n->nin; j++) {
			int s = p->slot[root(n->in[j])->id];
			if (s >= 0 && p->bufs[s].last < at)
				p->bufs[s].last = at;
		}
		if (n->is_output && p->slot[root(n)->id] >= 0)
			p->bufs[p->slot[root(n)->id]].last = g->nnodes;
	}
}

/* Pooling/depthwise outputs allowed to start at their input's offset. */
static void tie_windowed(Graph *g, Plan *p)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		int s = p->slot[i];
		if (s < 0 || !ir_windowed_inplace_ok(n, 0))
			continue;
		int sx = p->slot[root(n->in[0])->id];
		if (sx >= 0 && p->bufs[sx].last == i && p->bufs[sx].size >= p->bufs[s].size)
			p->bufs[s].tie = &p->bufs[sx];
	}
}

/* In node order, so that a chain of in-place nodes shares one buffer. */
static void merge_inplace(Graph *g, Plan *p)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		int s = p->slot[i];
		for (int j = 0; s >= 0 && j < n->nin; j++) {
			int sx = p->slot[root(n->in[j])->id];
			if (sx < 0 || !ir_can_alias_input(g, n, j) || ir_windowed_inplace_ok(n, j) || p->bufs[sx].last != i)
				continue;
			Buf *x = &p->bufs[sx], *y = &p->bufs[s];
			x->last = y->last > x->last ? y->last : x->last;
			y->size = 0;
			y->off_out = NULL;
			p->slot[i] = sx;
			n->inplace = n->in[j];
			break;
		}
	}
}

static void add_scratch(Graph *g, Plan *p)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || !n->scratch_bytes)
			continue;
		Buf *b = &p->bufs[p->nb++];
		b->off_out = &n->scratch_off;
		b->node = NULL;
		b->size = aligned(n->scratch_bytes);
		b->first = b->last = i;
	}
}

static int64_t bound(Graph *g, const Plan *p)
{
	int64_t best = 0;
	for (int t = 0; t <= g->nnodes; t++) {
		int64_t sum = 0;
		for (int i = 0; i < p->nb; i++) {
			const Buf *b = &p->bufs[i];
			if (b->first <= t && t <= b->last && !(b->tie && b->first == t))
				sum += b->size;
		}
		best = sum > best ? sum : best;
	}
	return best;
}

/* ---- placement strategies: each fills Buf.off and returns the arena size, or -1 ---- */

static int by_size(const void *a, const void *b)
{
	const Buf *x = *(Buf *const *)a, *y = *(Buf *const *)b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->first - y->first; /* deterministic */
}

static int by_time(const void *a, const void *b)
{
	const Buf *x = *(Buf *const *)a, *y = *(Buf *const *)b;
	if (x->first != y->first)
		return x->first - y->first;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return (x->node == NULL) - (y->node == NULL);
}

/* Bring the buffer tied to order[i] (if any) right after it, so that it
 * is placed next, while its input's start is still free. */
static void pull_tied(Buf **order, int n, int i)
{
	for (int j = i + 1; j < n; j++)
		if (order[j]->tie == order[i]) {
			Buf *t = order[j];
			memmove(&order[i + 2], &order[i + 1], (size_t)(j - i - 1) * sizeof *order);
			order[i + 1] = t;
			return;
		}
}

static int64_t largest_first(Buf **order, int n)
{
	int64_t size = 0;
	for (int i = 0; i < n; i++) {
		int64_t t = tied(order, i, order[i], INT64_MAX);
		order[i]->off = t >= 0 ? t : lowest(order, i, order[i]);
		pull_tied(order, n, i);
		if (order[i]->off + order[i]->size > size)
			size = order[i]->off + order[i]->size;
	}
	return size;
}

enum { SIDE_OPPOSITE, SIDE_BOTTOM, SIDE_TOP, NSIDES };

/* Would b rather go on top?  Opposite its first input's buffer: on a chain
 * the producer and the consumer then grow toward each other. */
static int wants_top(const Plan *p, const Buf *b, int side)
{
	if (side != SIDE_OPPOSITE)
		return side == SIDE_TOP;
	if (!b->node || !b->node->nin)
		return 0;
	int s = p->slot[root(b->node->in[0])->id];
	return s >= 0 && !p->bufs[s].top;
}

static int64_t two_sided(const Plan *p, Buf **order, int n, int64_t ceiling, int side)
{
	for (int i = 0; i < n; i++) {
		Buf *b = order[i];
		int64_t t = tied(order, i, b, ceiling);
		pull_tied(order, n, i);
		if (t >= 0) {
			b->off = t;
			b->top = b->tie->top;
			continue;
		}
		int64_t lo = lowest(order, i, b);
		int64_t hi = highest(order, i, b, ceiling);
		int fits_lo = lo + b->size <= ceiling, fits_hi = hi >= 0;
		if (!fits_lo && !fits_hi)
			return -1;
		b->top = fits_hi && (!fits_lo || wants_top(p, b, side));
		b->off = b->top ? hi : lo;
	}
	return ceiling;
}

static void place(Graph *g, Plan *p)
{
	Buf **order = arena_alloc(g->arena, (size_t)(p->nb + 1) * sizeof *order);
	int n = 0;
	for (int i = 0; i < p->nb; i++)
		if (p->bufs[i].size)
			order[n++] = &p->bufs[i];
	qsort(order, (size_t)n, sizeof *order, by_size);
	int64_t best = largest_first(order, n);
	for (int i = 0; i < n; i++)
		*order[i]->off_out = order[i]->off;
	/* Two-sided placement under rising ceilings, while it can still win. */
	qsort(order, (size_t)n, sizeof *order, by_time);
	int64_t step = aligned(g->arena_bound / 256 + 1);
	for (int64_t ceiling = g->arena_bound; ceiling < best; ceiling += step)
		for (int side = 0; side < NSIDES; side++)
			if (two_sided(p, order, n, ceiling, side) >= 0) {
				for (int i = 0; i < n; i++)
					*order[i]->off_out = order[i]->off;
				best = ceiling;
				goto done;
			}
done:
	g->arena_size = best;
}

void pass_plan(Graph *g)
{
	Plan p = {0};
	collect(g, &p);
	merge_inplace(g, &p);
	tie_windowed(g, &p);
	add_scratch(g, &p);
	g->arena_bound = bound(g, &p);
	place(g, &p);
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		const Buf *b = p.slot[i] >= 0 ? &p.bufs[p.slot[i]] : NULL;
		if (b && b->node == n && b->tie && *b->off_out == *b->tie->off_out)
			n->inplace = n->in[0]; /* it did get its input's start */
		if (ir_in_arena(n) && (ir_is_alias(n) || n->inplace))
			n->arena_off = n->inplace ? root(n->inplace)->arena_off : root(n)->arena_off;
	}
}
