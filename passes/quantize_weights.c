/* Float weights -> int8, symmetric, per output channel, exactly as
 * PyTorch's default_per_channel_weight_observer followed by
 * torch.quantize_per_channel would do it (float32 throughout):
 *     s[c] = max(max(-min(w[c], 0), max(w[c], 0)) / 127.5, 2^-23)
 *     q    = sat(rne(w * (1.0f / s[c])), -128, 127)
 * Afterwards every conv2d/linear has an I8 weight and wscale[OC]. */
#include <float.h>

#include "ir.h"

static float channel_scale(const float *w, int64_t n)
{
	float lo = 0.0f, hi = 0.0f;
	for (int64_t i = 0; i < n; i++) {
		if (w[i] < lo)
			lo = w[i];
		if (w[i] > hi)
			hi = w[i];
	}
	float amax = -lo > hi ? -lo : hi;
	float s = amax / 127.5f;
	return s < FLT_EPSILON ? FLT_EPSILON : s;
}

static int8_t quantize_one(float w, float inv)
{
	int64_t q = quant_rne((double)(w * inv));
	return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static void quantize(Graph *g, ConvAttr *c)
{
	const Const *f = c->weight;
	int64_t oc = f->dims[0], per = f->count / oc;
	Const *q = arena_dup(g->arena, f, sizeof *f);
	q->dtype = DT_I8;
	q->data = arena_alloc(g->arena, (size_t)f->count);
	q->nch = (int)oc;
	q->axis = 0;
	q->scale = arena_alloc(g->arena, (size_t)oc * sizeof *q->scale);
	q->zp = arena_alloc(g->arena, (size_t)oc * sizeof *q->zp);
	for (int64_t k = 0; k < oc; k++) {
		const float *w = (const float *)f->data + k * per;
		float s = channel_scale(w, per);
		float inv = 1.0f / s;
		for (int64_t j = 0; j < per; j++)
			((int8_t *)q->data)[k * per + j] = quantize_one(w[j], inv);
		q->scale[k] = s;
	}
	c->weight = q;
}

void pass_quantize_weights(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || !(op_info[n->op].flags & OPF_WEIGHT))
			continue;
		ConvAttr *c = &n->u.conv;
		if (c->weight->dtype == DT_F32)
			quantize(g, c);
		if (c->wscale)
			continue; /* batchnorm already folded into the int8 weight's scale */
		int64_t oc = c->weight->dims[0];
		c->wscale = arena_alloc(g->arena, (size_t)oc * sizeof *c->wscale);
		for (int64_t k = 0; k < oc; k++)
			c->wscale[k] = c->weight->scale[c->weight->nch == 1 ? 0 : k];
	}
}
