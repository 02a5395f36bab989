/* Kernel selection: the target decides, node by node, which kernel it will
 * emit and how much arena scratch that kernel needs while it runs (a padded
 * copy of the input, say).  The choice and its reason are in the dump. */
#include "ir.h"

void pass_select(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || n->op == OP_INPUT)
			continue;
		n->kernel = "portable";
		n->kernel_note = NULL;
		n->scratch_bytes = 0;
		if (g->contract == CONTRACT_PYTORCH && g->target && !g->target->pytorch_kernels && (n->op == OP_CONV2D || n->op == OP_LINEAR || (n->op == OP_ADD && n->u.add.away))) {
			n->kernel_note = "the pytorch contract's requantization has no SIMD kernel yet";
			continue;
		}
		if (g->target && g->target->select)
			g->target->select(g, n);
	}
}
