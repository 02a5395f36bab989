/* Activation arena planning.
 *
 * Each tensor in the arena is live from the node that defines it to its
 * last reader (outputs: to the end).  A free reshape shares its input's
 * buffer and stretches its lifetime.  Buffers are placed largest first, each
 * at the lowest 64-byte-aligned offset that overlaps no already placed
 * buffer whose lifetime intersects its own.  A kernel's scratch lives only
 * while its node runs. */
#include <stdlib.h>

#include "ir.h"

#define ALIGN 64

typedef struct {
	int64_t *off_out;        /* where the placement goes: a node's arena_off or scratch_off */
	int64_t size;            /* bytes, rounded up to ALIGN */
	int first, last;         /* lifetime, in node indices, inclusive */
	int64_t off;
} Buf;

static Node *root(Node *n)
{
	while (ir_is_alias(n))
		n = n->in[0];
	return n;
}

static int by_size(const void *a, const void *b)
{
	const Buf *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->first - y->first; /* deterministic */
}

static int64_t place(Buf *bufs, int placed, Buf *b)
{
	int64_t off = 0;
	for (int moved = 1; moved;) {
		moved = 0;
		for (int i = 0; i < placed; i++) {
			Buf *o = &bufs[i];
			int alive = o->first <= b->last && b->first <= o->last;
			int overlap = o->off < off + b->size && off < o->off + o->size;
			if (alive && overlap) {
				off = o->off + o->size;
				moved = 1;
			}
		}
	}
	return off;
}

void pass_plan(Graph *g)
{
	Buf *bufs = arena_alloc(g->arena, (size_t)(2 * g->nnodes + 1) * sizeof *bufs);
	int *slot = arena_alloc(g->arena, (size_t)(g->nnodes + 1) * sizeof *slot);
	int nb = 0;
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		slot[i] = -1;
		if (!ir_in_arena(n) || ir_is_alias(n))
			continue;
		Buf *b = &bufs[nb];
		b->off_out = &n->arena_off;
		b->size = (ir_numel(n) * ir_dtype_size(n->dtype) + ALIGN - 1) / ALIGN * ALIGN;
		b->first = b->last = i;
		slot[i] = nb++;
	}
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		for (int j = 0; j < n->nin; j++) {
			int s = slot[root(n->in[j])->id];
			if (s >= 0 && bufs[s].last < i)
				bufs[s].last = i;
		}
		if (n->is_output && slot[root(n)->id] >= 0)
			bufs[slot[root(n)->id]].last = g->nnodes;
	}
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || !n->scratch_bytes)
			continue;
		Buf *b = &bufs[nb++];
		b->off_out = &n->scratch_off;
		b->size = (n->scratch_bytes + ALIGN - 1) / ALIGN * ALIGN;
		b->first = b->last = i;
	}
	qsort(bufs, (size_t)nb, sizeof *bufs, by_size);
	g->arena_size = 0;
	for (int i = 0; i < nb; i++) {
		bufs[i].off = place(bufs, i, &bufs[i]);
		*bufs[i].off_out = bufs[i].off;
		if (bufs[i].off + bufs[i].size > g->arena_size)
			g->arena_size = bufs[i].off + bufs[i].size;
	}
	for (int i = 0; i < g->nnodes; i++)
		if (ir_in_arena(g->nodes[i]) && ir_is_alias(g->nodes[i]))
			g->nodes[i]->arena_off = root(g->nodes[i])->arena_off;
}
