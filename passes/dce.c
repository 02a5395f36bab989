/* Dead-code elimination: keep what the outputs need. */
#include <stdlib.h>

#include "ir.h"

void pass_dce(Graph *g)
{
	char *live = arena_alloc(g->arena, (size_t)g->nnodes + 1);
	for (int i = 0; i < g->noutputs; i++)
		live[g->outputs[i]->id] = 1;
	/* Definition order is topological, so one backward sweep suffices. */
	for (int i = g->nnodes - 1; i >= 0; i--) {
		Node *n = g->nodes[i];
		if (!live[i] || n->dead)
			continue;
		for (int j = 0; j < n->nin; j++)
			live[n->in[j]->id] = 1;
	}
	for (int i = 0; i < g->nnodes; i++)
		if (!live[i] && g->nodes[i]->op != OP_INPUT)
			g->nodes[i]->dead = 1;
}
