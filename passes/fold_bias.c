/* Bias folding and the int32 accumulator proof.
 *
 * For each output channel c of a conv2d/linear (K terms per output):
 *     B[c] = bq[c] - z_x * sum(w[c]) + K * z_x * z_w[c]
 * so that acc = B[c] + sum(x * w) - z_w[c] * sum(x) equals
 * bq + sum((x - z_x)(w - z_w)) with padding read as z_x.
 *
 * bq[c] quantizes a float bias exactly as PyTorch does (QuantizeBias, then
 * quantize_val): the scale s_x * s_w[c] is a double product rounded to
 * float32, and bq = rne(b *f (1.0f / scale)) in float32.  Computing it in
 * double instead would differ from PyTorch's int32 bias now and then (when
 * b / scale lies near a .5 tie); one such channel shifts every output of the
 * channel by one accumulator unit, and deep networks amplify that.
 *
 * Every partial sum is bounded by |B| + sum|w| * max|x| + K * |z_w| * max|x|;
 * a layer where that can pass 2^31 - 1 is rejected, as is a matmul whose
 * depth can. */
#include <math.h>
#include <stdlib.h>

#include "ir.h"

static int32_t weight_zp(const Const *w, int64_t c)
{
	return w->zp ? w->zp[w->nch == 1 ? 0 : c] : 0;
}

static int fold_channel(Graph *g, Node *n, int64_t c, int64_t per, int32_t xmax_abs)
{
	ConvAttr *a = &n->u.conv;
	const Node *x = n->in[0];
	const int8_t *w = (const int8_t *)a->weight->data + c * per;
	int64_t sum = 0, abs_sum = 0;
	for (int64_t k = 0; k < per; k++) {
		sum += w[k];
		abs_sum += llabs((long long)w[k]);
	}
	int64_t bq = 0;
	if (a->bias && a->bias->dtype == DT_I32)
		bq = ((const int32_t *)a->bias->data)[c];
	else if (a->bias) {
		float b = ir_const_f32(a->bias, c);
		float inv = 1.0f / (float)(x->scale * a->wscale[c]);
		float r = b == 0.0f ? 0.0f : b * inv;
		if (!(fabsf(r) < 4e18f)) {
			diag_error(g->diag, a->bias_span, "bias[%lld] of %s '%s' is %g accumulator units: it overflows int32",
			           (long long)c, op_info[n->op].name, n->name, (double)r);
			return 0;
		}
		bq = quant_rne((double)r);
	}
	int32_t zw = weight_zp(a->weight, c);
	int64_t B = bq - (int64_t)x->zp * sum + per * (int64_t)x->zp * zw;
	if (B < INT32_MIN || B > INT32_MAX) {
		diag_error(g->diag, a->bias_span, "folded bias of %s '%s' channel %lld is %lld, outside int32",
		           op_info[n->op].name, n->name, (long long)c, (long long)B);
		return 0;
	}
	int64_t worst = llabs((long long)B) + abs_sum * xmax_abs + per * (int64_t)llabs(zw) * xmax_abs;
	if (worst > INT32_MAX) {
		diag_error(g->diag, n->op_span,
		           "accumulation of %s '%s' can overflow int32: channel %lld sums %lld products, worst case %lld > 2147483647",
		           op_info[n->op].name, n->name, (long long)c, (long long)per, (long long)worst);
		return 0;
	}
	a->bias_q[c] = (int32_t)B;
	return 1;
}

static void fold(Graph *g, Node *n)
{
	ConvAttr *a = &n->u.conv;
	int32_t qmin, qmax;
	ir_dtype_range(n->in[0]->dtype, &qmin, &qmax);
	int32_t xmax_abs = -qmin > qmax ? -qmin : qmax;
	int64_t oc = a->weight->dims[0], per = a->weight->count / oc;
	a->bias_q = arena_alloc(g->arena, (size_t)oc * sizeof *a->bias_q);
	for (int64_t c = 0; c < oc; c++)
		if (!fold_channel(g, n, c, per, xmax_abs))
			return; /* one message per layer is enough */
}

static void check_matmul(Graph *g, Node *n)
{
	int64_t depth = n->in[0]->dims[1];
	int64_t worst = depth * 255 * 255;
	if (worst > INT32_MAX)
		diag_error(g->diag, n->op_span,
		           "accumulation of matmul '%s' can overflow int32: depth %lld, worst case %lld > 2147483647", n->name,
		           (long long)depth, (long long)worst);
}

void pass_fold_bias(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		if (op_info[n->op].flags & OPF_WEIGHT)
			fold(g, n);
		else if (n->op == OP_MATMUL)
			check_matmul(g, n);
	}
}
