/* Batchnorm folding.
 *
 * A batchnorm whose input is a conv2d/linear with no qparams of its own is
 * folded into it, in float32 and in PyTorch's order of operations
 * (torch.nn.utils.fusion.fuse_conv_bn_weights), so a float model fused by
 * fuse_modules and one folded here get the same weights:
 *     rsqrt = 1 / sqrt(var + eps)         A = gamma * rsqrt
 *     w'    = w * A                        (float weights)
 *     s_w'  = s_w * A                      (int8 weights: the integers stay)
 *     b'    = (b - mean) * rsqrt * gamma + beta
 * Any other batchnorm becomes a depthwise 1x1 conv with weight A and bias
 * b' (b = 0), which the weight quantizer then handles like any other. */
#include <math.h>
#include <string.h>

#include "ir.h"

static float bn_rsqrt(const BnAttr *bn, int64_t c)
{
	return 1.0f / sqrtf(ir_const_f32(bn->var, c) + (float)bn->eps);
}

static Const *new_f32(Graph *g, int rank, const int64_t *dims, Span span)
{
	Const *k = arena_alloc(g->arena, sizeof *k);
	k->dtype = DT_F32;
	k->rank = rank;
	k->count = 1;
	for (int i = 0; i < rank; i++) {
		k->dims[i] = dims[i];
		k->count *= dims[i];
	}
	k->data = arena_alloc(g->arena, (size_t)k->count * sizeof(float));
	k->span = span;
	return k;
}

/* b' for channel c; bias may be NULL (zero). */
static float folded_bias(const BnAttr *bn, const Const *bias, int64_t c)
{
	float b = bias ? ir_const_f32(bias, c) : 0.0f;
	float t = (b - ir_const_f32(bn->mean, c)) * bn_rsqrt(bn, c);
	return t * ir_const_f32(bn->gamma, c) + ir_const_f32(bn->beta, c);
}

/* Folding multiplies in float32 and can overflow it (gamma=3e38, or a
 * tiny var + eps): an inf or nan would reach the weight quantizer, so it is
 * reported at the batchnorm instead. */
static int folds_finite(Graph *g, const Node *bnode, const float *v, int64_t n, int64_t per, const char *what)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(v[i])) {
			diag_error(g->diag, bnode->op_span,
			           "folding batchnorm '%s' gives a %s of %s in channel %lld: its parameters overflow float32",
			           bnode->name, what, isnan(v[i]) ? "nan" : v[i] > 0 ? "inf" : "-inf", (long long)(i / per));
			return 0;
		}
	return 1;
}

static void fold_into(Graph *g, Node *conv, Node *bnode)
{
	ConvAttr *c = &conv->u.conv;
	const BnAttr *bn = &bnode->u.bn;
	int64_t oc = c->weight->dims[0];
	int64_t per = c->weight->count / oc;
	if (c->bias && c->bias->dtype == DT_I32) {
		diag_error(g->diag, c->bias_span,
		           "an i32 bias is in accumulator units and cannot absorb batchnorm '%s'; give a float bias",
		           bnode->name);
		return;
	}
	Const *b = new_f32(g, 1, &oc, bnode->op_span);
	for (int64_t k = 0; k < oc; k++)
		((float *)b->data)[k] = folded_bias(bn, c->bias, k);
	if (!folds_finite(g, bnode, b->data, oc, 1, "bias"))
		return;
	if (c->weight->dtype == DT_F32) {
		Const *w = new_f32(g, c->weight->rank, c->weight->dims, c->weight->span);
		w->path = c->weight->path;
		for (int64_t k = 0; k < oc; k++) {
			float a = ir_const_f32(bn->gamma, k) * bn_rsqrt(bn, k);
			for (int64_t j = 0; j < per; j++)
				((float *)w->data)[k * per + j] = ir_const_f32(c->weight, k * per + j) * a;
		}
		if (!folds_finite(g, bnode, w->data, w->count, per, "weight"))
			return;
		c->weight = w;
	} else {
		c->wscale = arena_alloc(g->arena, (size_t)oc * sizeof *c->wscale);
		for (int64_t k = 0; k < oc; k++) {
			float a = ir_const_f32(bn->gamma, k) * bn_rsqrt(bn, k);
			if (!folds_finite(g, bnode, &a, 1, 1, "weight scale factor"))
				return;
			c->wscale[k] = c->weight->scale[c->weight->nch == 1 ? 0 : k] * (double)a;
		}
	}
	c->bias = b;
	c->bias_span = bnode->op_span;
	conv->dtype = bnode->dtype;
	conv->has_q = bnode->has_q;
	conv->scale = bnode->scale;
	conv->zp = bnode->zp;
	conv->q_span = bnode->q_span;
	conv->lo = bnode->lo;
	conv->hi = bnode->hi;
	ir_absorb(g, conv, bnode);
}

/* batchnorm -> depthwise 1x1 conv, in place. */
static void to_depthwise(Graph *g, Node *n)
{
	BnAttr bn = n->u.bn;
	int64_t ch = n->dims[1];
	int64_t wdims[4] = {ch, 1, 1, 1};
	if (n->rank != 4) {
		diag_error(g->diag, n->op_span, "batchnorm on a rank-%d tensor must follow a linear layer", n->rank);
		return;
	}
	Const *w = new_f32(g, 4, wdims, n->op_span);
	for (int64_t k = 0; k < ch; k++)
		((float *)w->data)[k] = ir_const_f32(bn.gamma, k) * bn_rsqrt(&bn, k);
	Const *b = new_f32(g, 1, &ch, n->op_span);
	for (int64_t k = 0; k < ch; k++)
		((float *)b->data)[k] = folded_bias(&bn, NULL, k);
	if (!folds_finite(g, n, w->data, ch, 1, "weight") || !folds_finite(g, n, b->data, ch, 1, "bias"))
		return;
	memset(&n->u, 0, sizeof n->u);
	n->op = OP_CONV2D;
	ConvAttr *c = &n->u.conv;
	c->kh = c->kw = 1;
	c->stride[0] = c->stride[1] = 1;
	c->dilation[0] = c->dilation[1] = 1;
	c->groups = (int)ch;
	c->weight = w;
	c->bias = b;
	c->weight_span = c->bias_span = n->op_span;
	n->fused = arena_printf(g->arena, "batchnorm %s as a depthwise 1x1 conv2d", n->name);
}

void pass_fuse_bn(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || n->op != OP_BATCHNORM)
			continue;
		Node *x = n->in[0];
		if ((x->op == OP_CONV2D || x->op == OP_LINEAR) && !x->has_q && ir_sole_user(g, x) == n)
			fold_into(g, x, n);
		else
			to_depthwise(g, n);
	}
}
