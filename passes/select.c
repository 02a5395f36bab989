/* Kernel selection: the target decides, node by node, which kernel it will
 * emit and how much arena scratch that kernel needs while it runs (a padded
 * copy of the input, say).  The choice and its reason are in the dump. */
#include "ir.h"

/* A float NCHW input quantized to NHWC bytes: the SIMD targets quantize 16
 * pixels of each channel plane at once, into a [C][16] block on the stack
 * that is then interleaved (so C is kept small). */
static int quantize_x16_ok(const Node *n)
{
	return n->op == OP_QUANTIZE && n->in[0]->dtype == DT_F32 && (n->dtype == DT_U8 || n->dtype == DT_I8) &&
	       n->rank == 4 && n->dims[1] <= 64 && n->dims[2] * n->dims[3] >= 16;
}

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
		if (g->target && g->target->quantize_x16 && quantize_x16_ok(n)) {
			n->kernel = "quantize_x16";
			n->kernel_note = "qrt_quantize_f32_x16 on 16 pixels of each channel plane, then interleaved to NHWC";
		}
	}
}
