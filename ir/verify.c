/* The IR's invariants, checked after every pass in debug builds.  A
 * failure is a qcc bug, never a user error: user errors are diagnosed by
 * the passes before they could break an invariant. */
#include <math.h>
#include <string.h>

#include "ir.h"

#define CHECK(cond)                                                                             \
	do {                                                                                        \
		if (!(cond))                                                                            \
			die("IR invariant broken after pass %s at '%s': %s", pass, n->name, #cond);         \
	} while (0)

/* The driver's pass order; invariants tighten as the pipeline advances. */
static const char *const order[] = {"parse", "infer", "fuse_bn", "quantize_weights", "fuse_act", "fold_qdq",
                                    "fold_bias", "requant", "dce", "select", "plan", NULL};

static int stage(const char *pass)
{
	for (int i = 0; order[i]; i++)
		if (strcmp(order[i], pass) == 0)
			return i;
	die("ir_verify: unknown pass '%s'", pass);
}

static int after(const char *pass, const char *p) { return stage(pass) >= stage(p); }

static void check_requant(const Requant *rq, const char *pass, const Node *n)
{
	for (int i = 0; i < rq->n; i++) {
		int64_t m = rq->mult[i] < 0 ? -(int64_t)rq->mult[i] : rq->mult[i];
		if (rq->real[i] == 0.0 && m == 0)
			continue; /* unused entry (avgpool counts that never occur) */
		CHECK(rq->shift[i] >= 1 && rq->shift[i] <= 62);
		CHECK(m == 0 || (m >= (INT64_C(1) << 30) && m < (INT64_C(1) << 31)));
	}
}

static void check_node(Graph *g, Node *n, int index, const char *pass)
{
	CHECK(n->id == index);
	CHECK(n->nin >= op_info[n->op].min_in && n->nin <= op_info[n->op].max_in);
	for (int j = 0; j < n->nin; j++) {
		CHECK(n->in[j] && !n->in[j]->dead);
		CHECK(n->in[j]->id < n->id);
	}
	if (!after(pass, "infer"))
		return;
	CHECK(n->rank >= 1 && n->rank <= QCC_MAX_RANK);
	for (int d = 0; d < n->rank; d++)
		CHECK(n->dims[d] >= 1);
	if (n->has_q) {
		int32_t lo, hi;
		CHECK(ir_dtype_range(n->dtype, &lo, &hi));
		CHECK(isfinite(n->scale) && n->scale > 0);
		CHECK(n->zp >= lo && n->zp <= hi);
		CHECK(n->lo >= lo && n->lo <= n->hi && n->hi <= hi);
	}
	if (after(pass, "fuse_bn"))
		CHECK(n->op != OP_BATCHNORM);
	if (after(pass, "fuse_act"))
		CHECK(n->has_q || n->dtype == DT_F32);
	if (after(pass, "fuse_act") && (op_info[n->op].flags & OPF_ACT))
		CHECK(ir_same_q(n, n->in[0]));
	if (op_info[n->op].flags & OPF_WEIGHT) {
		const ConvAttr *c = &n->u.conv;
		CHECK(c->weight && c->weight->dims[0] == n->dims[1]);
		if (after(pass, "quantize_weights"))
			CHECK(c->weight->dtype == DT_I8 && c->wscale);
		if (after(pass, "fold_bias"))
			CHECK(c->bias_q);
		if (after(pass, "requant"))
			CHECK(c->rq.n == c->weight->dims[0]);
		check_requant(&c->rq, pass, n);
	}
	if (n->op == OP_REQUANTIZE || n->op == OP_MATMUL)
		check_requant(&n->u.rq.rq, pass, n);
	if (n->op == OP_AVGPOOL2D || n->op == OP_GLOBAL_AVGPOOL)
		check_requant(&n->u.pool.rq, pass, n);
	if (after(pass, "plan") && ir_in_arena(n)) {
		CHECK(n->arena_off >= 0 && n->arena_off % 64 == 0);
		CHECK(n->arena_off + ir_numel(n) * ir_dtype_size(n->dtype) <= g->arena_size);
		CHECK(g->arena_bound <= g->arena_size);
	}
	if (n->inplace) {
		int k = 0;
		while (k < n->nin && n->in[k] != n->inplace)
			k++;
		CHECK(k < n->nin && ir_can_alias_input(g, n, k) && n->arena_off == n->inplace->arena_off);
	}
	if (after(pass, "select") && n->op != OP_INPUT)
		CHECK(n->kernel != NULL);
	if (after(pass, "plan") && n->scratch_bytes) {
		CHECK(n->scratch_off >= 0 && n->scratch_off % 64 == 0);
		CHECK(n->scratch_off + n->scratch_bytes <= g->arena_size);
	}
}

void ir_verify(Graph *g, const char *pass)
{
	for (int i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->dead)
			check_node(g, g->nodes[i], i, pass);
	for (int i = 0; i < g->noutputs; i++) {
		Node *n = g->outputs[i];
		CHECK(!n->dead && n->is_output);
	}
}
