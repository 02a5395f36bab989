/* The compiler as a library call: parse, then the passes in order.
 *
 * The pass pipeline is the table below; a reader sees the whole compiler
 * in it.  qcc_compile() returns a status and never exits, so the qcc
 * command (main.c) and the fuzz targets (tests/fuzz/) run the same code;
 * the caller owns the graph's arena and frees it. */
#include "ir.h"

const Pass qcc_pipeline[] = {
	{"infer", pass_infer},
	{"fuse_bn", pass_fuse_bn},
	{"quantize_weights", pass_quantize_weights},
	{"fuse_act", pass_fuse_act},
	{"fold_qdq", pass_fold_qdq},
	{"fold_bias", pass_fold_bias},
	{"requant", pass_requant},
	{"dce", pass_dce},
	{"select", pass_select},
	{"plan", pass_plan},
};
const int qcc_npasses = (int)(sizeof qcc_pipeline / sizeof qcc_pipeline[0]);

/* After each stage: errors in the input stop the run; otherwise the IR is
 * checked and the caller's hook sees it. */
static int checkpoint(Graph *g, const char *stage, QccHook after, void *ctx)
{
	if (g->diag->nerrors)
		return -1;
#ifdef QCC_VERIFY
	ir_verify(g, stage);
#endif
	return after ? after(g, stage, ctx) : 0;
}

int qcc_compile(Graph *g, QccHook after, void *ctx)
{
	if (frontend_parse(g) != 0)
		return -1;
	int rc = checkpoint(g, "parse", after, ctx);
	for (int i = 0; i < qcc_npasses && !rc; i++) {
		qcc_pipeline[i].run(g);
		rc = checkpoint(g, qcc_pipeline[i].name, after, ctx);
	}
	return rc;
}
