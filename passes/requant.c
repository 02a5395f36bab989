/* Requantization constants: for every rescale, the Q31 mantissa and right
 * shift of docs/arithmetic.md.  |M| >= 2^30 is rejected here.
 *
 * Under the pytorch contract, conv2d/linear also get PyTorch QNNPACK's
 * float32 scale per channel, and u8 adds QNNPACK's 22-bit multipliers. */
#include <math.h>

#include "ir.h"

/* what: "" or " channel 3"; how: the formula with its numbers.  A
 * nonzero M below 2^-32 encodes as 0: the layer (or channel) then outputs
 * its zero point whatever its input, which deserves a warning, given once
 * per node (*warned). */
static int encode_once(Graph *g, Node *n, Requant *rq, int i, double M, const char *what, const char *how,
                       int *warned)
{
	rq->real[i] = M;
	if (quant_multiplier(M, &rq->mult[i], &rq->shift[i]) == 0) {
		if (rq->mult[i] == 0 && M != 0 && !*warned) {
			diag_warning(g->diag, n->op_span,
			             "requantization multiplier of %s '%s'%s is %.6g (%s), below 2^-32: it encodes as 0, so "
			             "the output is always the zero point",
			             op_info[n->op].name, n->name, what, M, how);
			*warned = 1;
		}
		return 1;
	}
	diag_error(g->diag, n->op_span,
	           "requantization multiplier of %s '%s'%s is %.6g (%s), outside the supported range |M| < 2^30",
	           op_info[n->op].name, n->name, what, M, how);
	return 0;
}

static int encode(Graph *g, Node *n, Requant *rq, int i, double M, const char *what, const char *how)
{
	int warned = 0;
	return encode_once(g, n, rq, i, M, what, how, &warned);
}

static const char *ratio(double a, double b)
{
	static char buf[96];
	snprintf(buf, sizeof buf, "s_in / s_out = %.6g / %.6g", a, b);
	return buf;
}

static void conv(Graph *g, Node *n)
{
	ConvAttr *a = &n->u.conv;
	int oc = (int)a->weight->dims[0], warned = 0;
	requant_init(g->arena, &a->rq, oc);
	for (int c = 0; c < oc; c++) {
		char what[32], how[128];
		double M = n->in[0]->scale * a->wscale[c] / n->scale;
		snprintf(what, sizeof what, " channel %d", c);
		snprintf(how, sizeof how, "s_in * s_w / s_out = %.6g * %.6g / %.6g", n->in[0]->scale, a->wscale[c], n->scale);
		if (!encode_once(g, n, &a->rq, c, M, what, how, &warned))
			return;
	}
	if (g->contract != CONTRACT_PYTORCH)
		return;
	/* QNNPACK's requantization_scales: (w_scale * input_scale) * (1.f / output_scale), all float32 */
	a->rq.scale = arena_alloc(g->arena, (size_t)oc * sizeof *a->rq.scale);
	const float inv_out = 1.0f / (float)n->scale;
	for (int c = 0; c < oc; c++) {
		const float sw_sx = (float)a->wscale[c] * (float)n->in[0]->scale;
		a->rq.scale[c] = sw_sx * inv_out;
	}
}

/* QNNPACK's add: both ratios as float32, the larger one's exponent picks a
 * shift that puts its multiplier in [2^21, 2^22), and each multiplier is its
 * ratio scaled by 2^shift and rounded to nearest even. */
static void add_qnnpack(Graph *g, Node *n, AddAttr *a)
{
	const float ra = (float)n->in[0]->scale / (float)n->scale, rb = (float)n->in[1]->scale / (float)n->scale;
	int e;
	frexpf(ra > rb ? ra : rb, &e);  /* max = f * 2^e, 0.5 <= f < 1 */
	const int shift = 22 - e;
	if (!isfinite(ra) || !isfinite(rb) || shift < 1 || shift > 62) {   /* float32 ratios overflow at 2^128 */
		diag_error(g->diag, n->op_span,
		           "requantization multiplier of add '%s' is %.6g (s_in / s_out), outside the pytorch contract's "
		           "range 2^-41 <= M < 2^21",
		           n->name, (double)(ra > rb ? ra : rb));
		return;
	}
	a->shift = shift;
	a->mult_a = (int32_t)quant_rne((double)ldexpf(ra, shift));
	a->mult_b = (int32_t)quant_rne((double)ldexpf(rb, shift));
	a->away = 1;
}

static void add(Graph *g, Node *n)
{
	AddAttr *a = &n->u.add;
	a->real_a = n->in[0]->scale / n->scale;
	a->real_b = n->in[1]->scale / n->scale;
	a->away = 0;
	if (g->contract == CONTRACT_PYTORCH && n->dtype == DT_U8 && n->in[0]->dtype == DT_U8 && n->in[1]->dtype == DT_U8) {
		add_qnnpack(g, n, a);
		return;
	}
	double big = fmax(a->real_a, a->real_b);
	int32_t m;
	int8_t shift;
	if (quant_multiplier(big, &m, &shift) != 0) {
		diag_error(g->diag, n->op_span,
		           "requantization multiplier of add '%s' is %.6g (s_in / s_out), outside the supported range |M| < 2^30",
		           n->name, big);
		return;
	}
	a->shift = shift;
	a->mult_a = (int32_t)llround(ldexp(a->real_a, shift));
	a->mult_b = (int32_t)llround(ldexp(a->real_b, shift));
}

static void concat(Graph *g, Node *n)
{
	ConcatAttr *a = &n->u.concat;
	a->rq = arena_alloc(g->arena, (size_t)n->nin * sizeof *a->rq);
	for (int i = 0; i < n->nin; i++) {
		if (ir_same_q(n, n->in[i]))
			continue;
		char what[64];
		requant_init(g->arena, &a->rq[i], 1);
		snprintf(what, sizeof what, " input '%s'", n->in[i]->name);
		encode(g, n, &a->rq[i], 0, n->in[i]->scale / n->scale, what, ratio(n->in[i]->scale, n->scale));
	}
}

/* One (m, n) per window count that can occur. */
static void avgpool(Graph *g, Node *n)
{
	PoolAttr *p = &n->u.pool;
	int area = p->kh * p->kw;
	int nopad = !p->pad[0] && !p->pad[1] && !p->pad[2] && !p->pad[3], warned = 0;
	requant_init(g->arena, &p->rq, area + 1);
	for (int cnt = p->count_include_pad || nopad ? area : 1; cnt <= area; cnt++)
		encode_once(g, n, &p->rq, cnt, n->in[0]->scale / (n->scale * cnt), "", "s_in / (s_out * count)", &warned);
}

static void single(Graph *g, Node *n, double M, const char *how)
{
	requant_init(g->arena, &n->u.rq.rq, 1);
	encode(g, n, &n->u.rq.rq, 0, M, "", how);
}

void pass_requant(Graph *g)
{
	for (int i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		switch (n->op) {
		case OP_CONV2D: case OP_LINEAR: conv(g, n); break;
		case OP_ADD: add(g, n); break;
		case OP_CONCAT: concat(g, n); break;
		case OP_AVGPOOL2D: case OP_GLOBAL_AVGPOOL: avgpool(g, n); break;
		case OP_REQUANTIZE: single(g, n, n->in[0]->scale / n->scale, ratio(n->in[0]->scale, n->scale)); break;
		case OP_MATMUL:
			single(g, n, n->in[0]->scale * n->in[1]->scale / n->scale, "s_a * s_b / s_out");
			break;
		default: break;
		}
	}
}
