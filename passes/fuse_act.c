/* Activation fusion.
 *
 * relu, relu6 and clamp are clamps in their output's quantized domain:
 *     relu:        [zp, qmax]
 *     relu6:       [zp, min(qmax, zp + rne(6 / s))]
 *     clamp(a, b): [sat(zp + rne(a / s)), sat(zp + rne(b / s))]
 * (bounds quantized as PyTorch's quantize_val does, then clamped to the dtype:
 * 6/s + zp can be far above 255).  An activation whose producer is a
 * conv2d/linear/add/requantize used by nothing else, with no qparams of its
 * own or the same ones, becomes that producer's [lo, hi].
 *
 * At -O0 nothing is fused: a producer without qparams takes the activation's
 * qparams with the full dtype range, and the activation stays a separate
 * clamp.  Both give the same bits.  An activation left standalone whose
 * input has other qparams is a requantize with the activation's bounds. */
#include <math.h>

#include <string.h>

#include "ir.h"

/* zp + rne(real *f (1/s)) before saturation, as quant_clamp_bound
 * computes it. */
static double unsaturated(double real, const Node *a)
{
	float v = (float)real * quant_inv_scale(a->scale);
	if (isnan(v))
		return a->zp;   /* 0 * inf (a scale below 1/FLT_MAX): NaN maps to z */
	/* past 2^52 a float is an integer already, and may be past int64 or
	 * inf, which quant_rne cannot convert (found by fuzzing) */
	return (double)a->zp + (fabsf(v) < 4503599627370496.0f ? (double)quant_rne((double)v) : (double)v);
}

/* A finite bound beyond what the output's dtype holds saturates: it has
 * no effect, which is worth a warning (relu6 on a scale below 6/255 is
 * a relu).  A clamp wholly outside the range would make every output
 * the same value: an error. */
static int check_bounds(Graph *g, const Node *a, double mn, double mx)
{
	int32_t qmin, qmax;
	ir_dtype_range(a->dtype, &qmin, &qmax);
	double qlo = isinf(mn) ? qmin : unsaturated(mn, a), qhi = isinf(mx) ? qmax : unsaturated(mx, a);
	const char *q = arena_printf(g->arena, "%s(scale=%.9g, zp=%d)", ir_dtype_name(a->dtype), a->scale, (int)a->zp);
	if (qlo > qmax || qhi < qmin) {
		diag_error(g->diag, a->op_span,
		           "%s '%s' clamps to [%g, %g], which lies outside what %s holds, [%.6g, %.6g]: every output "
		           "would be %d",
		           op_info[a->op].name, a->name, mn, mx, q, (qmin - a->zp) * a->scale, (qmax - a->zp) * a->scale,
		           (int)(qlo > qmax ? qmax : qmin));
		return 0;
	}
	if (qhi > qmax)
		diag_warning(g->diag, a->op_span,
		             "the upper bound %g of %s '%s' is %.0f in %s, above the dtype's %d: it has no effect", mx,
		             op_info[a->op].name, a->name, qhi, q, (int)qmax);
	if (qlo < qmin && a->op == OP_CLAMP)
		diag_warning(g->diag, a->op_span,
		             "the lower bound %g of %s '%s' is %.0f in %s, below the dtype's %d: it has no effect", mn,
		             op_info[a->op].name, a->name, qlo, q, (int)qmin);
	return 1;
}

static int act_bounds(Graph *g, Node *a, int32_t *lo, int32_t *hi)
{
	const ActAttr *act = &a->u.act;
	double mn = a->op == OP_CLAMP ? act->min : 0.0;
	double mx = a->op == OP_RELU6 ? 6.0 : a->op == OP_CLAMP ? act->max : INFINITY;
	if (a->op == OP_CLAMP && !(mn <= mx)) {
		diag_error(g->diag, a->op_span, "clamp bounds are reversed: min=%g > max=%g", mn, mx);
		return 0;
	}
	if (!check_bounds(g, a, mn, mx))
		return 0;
	*lo = a->op == OP_CLAMP ? quant_clamp_bound(mn, a->scale, a->zp, a->dtype) : a->zp;
	*hi = quant_clamp_bound(mx, a->scale, a->zp, a->dtype);
	return 1;
}

static void take_q(Node *to, const Node *from, int32_t lo, int32_t hi)
{
	to->dtype = from->dtype;
	to->has_q = 1;
	to->scale = from->scale;
	to->zp = from->zp;
	to->q_span = from->q_span;
	to->lo = lo;
	to->hi = hi;
}

static int fusable(Graph *g, Node *x, Node *a)
{
	if (x->op != OP_CONV2D && x->op != OP_LINEAR && x->op != OP_ADD && x->op != OP_REQUANTIZE)
		return 0;
	return ir_sole_user(g, x) == a && (!x->has_q || ir_same_q(x, a));
}

static void fuse(Graph *g, Node *x, Node *a, int32_t lo, int32_t hi)
{
	if (!x->has_q)
		take_q(x, a, lo, hi);
	x->lo = x->lo > lo ? x->lo : lo;
	x->hi = x->hi < hi ? x->hi : hi;
	ir_absorb(g, x, a);
}

static void keep(Graph *g, Node *x, Node *a, int32_t lo, int32_t hi)
{
	int32_t qmin, qmax;
	ir_dtype_range(a->dtype, &qmin, &qmax);
	if (!x->has_q)
		take_q(x, a, qmin, qmax);
	a->lo = lo;
	a->hi = hi;
	if (!ir_same_q(x, a)) {
		a->fused = arena_printf(g->arena, "%s %s as a requantize", op_info[a->op].name, a->name);
		a->op = OP_REQUANTIZE;
		memset(&a->u, 0, sizeof a->u); /* u.act's bytes are not a Requant (pass_requant fills it) */
	}
	(void)g;
}

void pass_fuse_act(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *a = g->nodes[i];
		int32_t lo, hi;
		if (a->dead || !(op_info[a->op].flags & OPF_ACT) || !a->has_q)
			continue;
		if (!act_bounds(g, a, &lo, &hi))
			continue;
		Node *x = a->in[0];
		if (g->opt > 0 && fusable(g, x, a))
			fuse(g, x, a, lo, hi);
		else
			keep(g, x, a, lo, hi);
	}
}
