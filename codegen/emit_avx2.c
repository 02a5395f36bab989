/* The AVX2 target.  (Kernels to come: until then every node uses the
 * portable kernel, which is correct and bit-identical by construction.) */
#include "ir.h"

void cg_avx2_select(Graph *g, Node *n)
{
	(void)g;
	(void)n;
}

void cg_avx2_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o)
{
	cg_c_emit_node(c, g, n, o);
}
