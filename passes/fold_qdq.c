/* quantize(dequantize(q)) pairs.
 *
 * With equal qparams the pair is the identity and disappears; otherwise it
 * is one integer requantize (docs/arithmetic.md defines the pair this way,
 * so this is done at every optimisation level).  A requantize to its own
 * input's qparams with the full dtype range is removed too.  The
 * dequantize is left for pass_dce if nothing else reads it. */
#include "ir.h"

static int full_range(const Node *n)
{
	int32_t lo, hi;
	ir_dtype_range(n->dtype, &lo, &hi);
	return n->lo == lo && n->hi == hi;
}

void pass_fold_qdq(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		if (n->op == OP_QUANTIZE && n->in[0]->op == OP_DEQUANTIZE) {
			n->op = OP_REQUANTIZE;
			n->in[0] = n->in[0]->in[0];
		}
		if (n->op == OP_REQUANTIZE && ir_same_q(n, n->in[0]) && full_range(n) && !n->is_output) {
			ir_replace_uses(g, n, n->in[0]);
			n->dead = 1;
		}
	}
}
