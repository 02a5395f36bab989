/* The portable C target: one plain loop nest per layer, shapes and
 * constants baked in.  Every other target falls back to these kernels, and
 * every other target's output must equal theirs bit for bit. */
#include <math.h>
#include <string.h>

#include "ir.h"

#define LL(x) ((long long)(x))

static void requant_arrays(FILE *c, Graph *g, const Node *n, const Requant *rq, const char *what)
{
	const char *L = cg_layer(g, n);
	if (rq->scale) {
		fprintf(c, "/* pytorch contract: QNNPACK's float32 scales (s_w * s_in) * (1 / s_out) */\n");
		fprintf(c, "static const float %s_scale%s[%d] = {\n", L, what, rq->n);
		for (int i = 0; i < rq->n; i++)
			fprintf(c, "\t%af, /* [%d] %.9g; M = %.9g */\n", (double)rq->scale[i], i, (double)rq->scale[i],
			        rq->real[i]);
		fprintf(c, "};\n");
		return;
	}
	fprintf(c, "static const int32_t %s_mult%s[%d] = {\n", L, what, rq->n);
	for (int i = 0; i < rq->n; i++)
		fprintf(c, "\t%d, /* [%d] M = %.9g */\n", (int)rq->mult[i], i, rq->real[i]);
	fprintf(c, "};\nstatic const int8_t %s_shift%s[%d] = {", L, what, rq->n);
	for (int i = 0; i < rq->n; i++)
		fprintf(c, "%s%d,", i % 16 ? " " : "\n\t", (int)rq->shift[i]);
	fprintf(c, "\n};\n");
}

/* The requantization of channel `oc` (a C expression) of a conv/linear. */
static const char *conv_requant(Graph *g, const Node *n, const char *oc)
{
	const char *L = cg_layer(g, n);
	if (n->u.conv.rq.scale)
		return arena_printf(g->arena, "qrt_requant_fp32(acc, %s_scale[%s], %d, %d, %d)", L, oc, (int)n->zp,
		                    (int)n->lo, (int)n->hi);
	return arena_printf(g->arena, "qrt_requant(acc, %s_mult[%s], %s_shift[%s], %d, %d, %d)", L, oc, L, oc,
	                    (int)n->zp, (int)n->lo, (int)n->hi);
}

static const char *restrict_unless_inplace(const Node *n)
{
	return n->inplace ? "" : "restrict ";
}

/* A windowed kernel (pooling, depthwise) writing into its own input. */
static void inplace_note(FILE *c, const Node *n)
{
	if (n->inplace)
		fprintf(c, "/* in place: y is x's buffer.  Outputs go in raster order, each pixel after its window\n"
		           " * was read, and qcc checked that none lands on an input pixel a later one reads. */\n");
}

/* Weights repacked [OC][KH][KW][IC/groups] as one string literal (cg_bytes),
 * their per-channel scales in a comment above. */
static void conv_constants(FILE *c, Graph *g, const Node *n, const CgOptions *opt)
{
	const ConvAttr *a = &n->u.conv;
	const char *L = cg_layer(g, n);
	const Const *w = a->weight;
	int64_t oc = w->dims[0], icg = w->dims[1], kk = (int64_t)a->kh * a->kw;
	const int8_t *src = w->data;
	int8_t *packed = arena_alloc(g->arena, (size_t)w->count + 1);
	for (int64_t o = 0; o < oc; o++)
		for (int64_t k = 0; k < kk; k++)
			for (int64_t i = 0; i < icg; i++)
				packed[(o * kk + k) * icg + i] = src[(o * icg + i) * kk + k];
	fprintf(c, "/* %s_w: int8 [%lld][%d][%d][%lld] (OC, KH, KW, IC/groups); scale per oc:", L, LL(oc), a->kh, a->kw,
	        LL(icg));
	for (int64_t o = 0; o < oc; o++)
		fprintf(c, "%s%.9g", o % 8 ? " " : "\n *  ", a->wscale[o]);
	fprintf(c, " */\n");
	cg_bytes(c, opt, arena_printf(g->arena, "%s_w", L), packed, (size_t)w->count);
	fprintf(c, "static const int32_t %s_bias[%lld] = { /* folded: rne(b/(s_in*s_w)) - zp_in*sum(w) */\n", L,
	        LL(oc));
	for (int64_t o = 0; o < oc; o++) {
		if (a->bias && a->bias->dtype == DT_F32)
			fprintf(c, "\t%d, /* b = %.9g */\n", (int)a->bias_q[o], (double)ir_const_f32(a->bias, o));
		else
			fprintf(c, "\t%d,\n", (int)a->bias_q[o]);
	}
	fprintf(c, "};\n");
	requant_arrays(c, g, n, &a->rq, "");
	if (w->zp) {
		int any = 0;
		for (int o = 0; o < w->nch; o++)
			any |= w->zp[o] != 0;
		if (any)
			cg_int_array(c, "int32_t", arena_printf(g->arena, "%s_wzp", L), w->zp, DT_I32, w->nch, 16);
	}
}

static void emit_conv(FILE *c, Graph *g, const Node *n, const CgOptions *o)
{
	const ConvAttr *a = &n->u.conv;
	const Node *x = n->in[0];
	const char *L = cg_layer(g, n), *tx = cg_ctype(x->dtype), *ty = cg_ctype(n->dtype);
	int64_t IH = x->dims[2], IW = x->dims[3], IC = x->dims[1];
	int64_t OH = n->dims[2], OW = n->dims[3], OC = n->dims[1];
	int64_t icg = IC / a->groups, ocg = OC / a->groups;
	int zw = cg_weight_zp_used(n);
	conv_constants(c, g, n, o);
	inplace_note(c, n);
	fprintf(c, "static void %s(const %s *%sx, %s *%sy)\n{\n", L, tx, restrict_unless_inplace(n), ty,
	        restrict_unless_inplace(n));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n", LL(n->dims[0]));
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++)\n", LL(OH));
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++)\n", LL(OW));
	fprintf(c, "\tfor (int oc = 0; oc < %lld; oc++) {\n", LL(OC));
	fprintf(c, "\t\tconst int8_t *w = %s_w + oc * %lld;\n", L, LL(icg * a->kh * a->kw));
	fprintf(c, "\t\tconst int ic0 = (oc / %lld) * %lld; /* first input channel of this group */\n", LL(ocg),
	        LL(icg));
	fprintf(c, "\t\tint32_t acc = %s_bias[oc];\n", L);
	if (zw)
		fprintf(c, "\t\tint32_t xsum = 0;\n");
	fprintf(c, "\t\tfor (int ky = 0; ky < %d; ky++) {\n", a->kh);
	fprintf(c, "\t\t\tconst int iy = oy * %d - %d + ky * %d;\n", a->stride[0], a->pad[0], a->dilation[0]);
	fprintf(c, "\t\t\tfor (int kx = 0; kx < %d; kx++, w += %lld) {\n", a->kw, LL(icg));
	fprintf(c, "\t\t\t\tconst int ix = ox * %d - %d + kx * %d;\n", a->stride[1], a->pad[1], a->dilation[1]);
	fprintf(c, "\t\t\t\tif (iy < 0 || iy >= %lld || ix < 0 || ix >= %lld) {\n", LL(IH), LL(IW));
	fprintf(c, "\t\t\t\t\t/* padding reads as the input zero point, %d */\n", (int)x->zp);
	fprintf(c, "\t\t\t\t\tfor (int ic = 0; ic < %lld; ic++)\n\t\t\t\t\t\tacc += %d * w[ic];\n", LL(icg), (int)x->zp);
	if (zw)
		fprintf(c, "\t\t\t\t\txsum += %lld;\n", LL(icg * x->zp));
	fprintf(c, "\t\t\t\t\tcontinue;\n\t\t\t\t}\n");
	fprintf(c, "\t\t\t\tconst %s *px = x + ((b * %lld + iy) * %lld + ix) * %lld + ic0;\n", tx, LL(IH), LL(IW),
	        LL(IC));
	fprintf(c, "\t\t\t\tfor (int ic = 0; ic < %lld; ic++)\n", LL(icg));
	fprintf(c, zw ? "\t\t\t\t\tacc += px[ic] * w[ic], xsum += px[ic];\n" : "\t\t\t\t\tacc += px[ic] * w[ic];\n");
	fprintf(c, "\t\t\t}\n\t\t}\n");
	if (zw)
		fprintf(c, "\t\tacc -= %s_wzp[oc] * xsum;\n", L);
	fprintf(c, "\t\ty[((b * %lld + oy) * %lld + ox) * %lld + oc] = (%s)%s;\n", LL(OH), LL(OW), LL(OC), ty,
	        conv_requant(g, n, "oc"));
	fprintf(c, "\t}\n}\n");
}

static void emit_linear(FILE *c, Graph *g, const Node *n, const CgOptions *o)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	int64_t K = n->in[0]->dims[1], OC = n->dims[1];
	int zw = cg_weight_zp_used(n);
	conv_constants(c, g, n, o);
	fprintf(c, "static void %s(const %s *restrict x, %s *restrict y)\n{\n", L, tx, ty);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oc = 0; oc < %lld; oc++) {\n", LL(n->dims[0]), LL(OC));
	fprintf(c, "\t\tconst %s *px = x + b * %lld;\n\t\tconst int8_t *w = %s_w + oc * %lld;\n", tx, LL(K), L, LL(K));
	fprintf(c, "\t\tint32_t acc = %s_bias[oc];\n", L);
	if (zw)
		fprintf(c, "\t\tint32_t xsum = 0;\n");
	fprintf(c, "\t\tfor (int k = 0; k < %lld; k++)\n", LL(K));
	fprintf(c, zw ? "\t\t\tacc += px[k] * w[k], xsum += px[k];\n" : "\t\t\tacc += px[k] * w[k];\n");
	if (zw)
		fprintf(c, "\t\tacc -= %s_wzp[oc] * xsum;\n", L);
	fprintf(c, "\t\ty[b * %lld + oc] = (%s)%s;\n", LL(OC), ty, conv_requant(g, n, "oc"));
	fprintf(c, "\t}\n}\n");
}

/* The SIMD targets' input quantize: qrt_quantize_f32_x16 (their ISA
 * header) on 16 pixels of each channel plane, into a [C][16] block, then
 * interleaved into NHWC; the last HW % 16 pixels with the scalar form. */
static void emit_quantize_x16(FILE *c, Graph *g, const Node *n, float inv)
{
	int64_t N, C, HW;
	cg_geom(n, &N, &C, &HW);
	const char *ty = cg_ctype(n->dtype), *f = cg_f32(g, inv);
	int64_t full = HW / 16 * 16;
	fprintf(c, "static void %s(const float *restrict x, %s *restrict y)\n{\n", cg_layer(g, n), ty);
	fprintf(c, "\t/* NCHW float -> NHWC, 16 pixels a step; %.9g = (float)(1/scale) */\n", (double)inv);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(N));
	fprintf(c, "\t\tconst float *xb = x + b * %lld;\n\t\t%s *yb = y + b * %lld;\n", LL(C * HW), ty, LL(C * HW));
	fprintf(c, "\t\tfor (int i = 0; i < %lld; i += 16) {\n", LL(full));
	fprintf(c, "\t\t\t%s q[%lld][16];\n", ty, LL(C));
	fprintf(c, "\t\t\tfor (int c = 0; c < %lld; c++)\n", LL(C));
	fprintf(c, "\t\t\t\tqrt_quantize_f32_x16(xb + c * %lld + i, %s, %d, %d, %d, q[c]);\n", LL(HW), f, (int)n->zp,
	        (int)n->lo, (int)n->hi);
	fprintf(c, "\t\t\tfor (int k = 0; k < 16; k++)\n\t\t\tfor (int c = 0; c < %lld; c++)\n", LL(C));
	fprintf(c, "\t\t\t\tyb[(i + k) * %lld + c] = q[c][k];\n\t\t}\n", LL(C));
	if (HW > full) {
		fprintf(c, "\t\t/* the last %lld pixels */\n", LL(HW - full));
		fprintf(c, "\t\tfor (int i = %lld; i < %lld; i++)\n\t\tfor (int c = 0; c < %lld; c++)\n", LL(full), LL(HW),
		        LL(C));
		fprintf(c, "\t\t\tyb[i * %lld + c] = (%s)qrt_quantize_f32(xb[c * %lld + i], %s, %d, %d, %d);\n", LL(C), ty,
		        LL(HW), f, (int)n->zp, (int)n->lo, (int)n->hi);
	}
	fprintf(c, "\t}\n}\n");
}

static void emit_quantize(FILE *c, Graph *g, const Node *n)
{
	int64_t N, C, HW;
	cg_geom(n, &N, &C, &HW);
	float inv = quant_inv_scale(n->scale);
	if (n->kernel && strcmp(n->kernel, "quantize_x16") == 0) {
		emit_quantize_x16(c, g, n, inv);
		return;
	}
	fprintf(c, "static void %s(const float *restrict x, %s *restrict y)\n{\n", cg_layer(g, n), cg_ctype(n->dtype));
	fprintf(c, "\t/* NCHW float -> NHWC; %.9g = (float)(1/scale) */\n", (double)inv);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int c = 0; c < %lld; c++)\n", LL(N), LL(C));
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n", LL(HW));
	fprintf(c, "\t\ty[(b * %lld + i) * %lld + c] = (%s)qrt_quantize_f32(x[(b * %lld + c) * %lld + i], %s, %d, %d, %d);\n",
	        LL(HW), LL(C), cg_ctype(n->dtype), LL(C), LL(HW), cg_f32(g, inv), (int)n->zp, (int)n->lo, (int)n->hi);
	fprintf(c, "}\n");
}

static void emit_dequantize(FILE *c, Graph *g, const Node *n)
{
	const Node *x = n->in[0];
	int64_t N, C, HW;
	cg_geom(x, &N, &C, &HW);
	fprintf(c, "static void %s(const %s *restrict x, float *restrict y)\n{\n", cg_layer(g, n), cg_ctype(x->dtype));
	fprintf(c, "\t/* NHWC -> NCHW float; scale %.9g as float */\n", x->scale);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int c = 0; c < %lld; c++)\n", LL(N), LL(C));
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n", LL(HW));
	fprintf(c, "\t\ty[(b * %lld + c) * %lld + i] = qrt_dequantize(x[(b * %lld + i) * %lld + c], %d, %s);\n", LL(C),
	        LL(HW), LL(HW), LL(C), (int)x->zp, cg_f32(g, (float)x->scale));
	fprintf(c, "}\n");
}

/* An in-place kernel's output aliases an input: no restrict on either. */

/* requantize, and a standalone relu/relu6/clamp (equal qparams: a clamp). */
static void emit_elementwise(FILE *c, Graph *g, const Node *n)
{
	const Node *x = n->in[0];
	const char *L = cg_layer(g, n);
	const char *r = restrict_unless_inplace(n);
	if (n->inplace)
		fprintf(c, "/* in place: y is x's buffer; element i is read before it is written */\n");
	fprintf(c, "static void %s(const %s *%sx, %s *%sy)\n{\n", L, cg_ctype(x->dtype), r, cg_ctype(n->dtype), r);
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n", LL(ir_numel(n)));
	if (n->op == OP_REQUANTIZE) {
		const Requant *rq = &n->u.rq.rq;
		fprintf(c, "\t\t/* M = %.9g */\n", rq->real[0]);
		fprintf(c, "\t\ty[i] = (%s)qrt_requant(x[i] - %d, %d, %d, %d, %d, %d);\n", cg_ctype(n->dtype), (int)x->zp,
		        (int)rq->mult[0], (int)rq->shift[0], (int)n->zp, (int)n->lo, (int)n->hi);
	} else {
		fprintf(c, "\t\ty[i] = (%s)qrt_clamp(x[i], %d, %d);\n", cg_ctype(n->dtype), (int)n->lo, (int)n->hi);
	}
	fprintf(c, "}\n");
}

static void emit_add(FILE *c, Graph *g, const Node *n)
{
	const AddAttr *a = &n->u.add;
	const Node *x = n->in[0], *z = n->in[1];
	const char *r = restrict_unless_inplace(n);
	if (n->inplace)
		fprintf(c, "/* in place: y is %s's buffer; element i is read before it is written */\n",
		        n->inplace == x ? "a" : "b");
	fprintf(c, "static void %s(const %s *%sa, const %s *%sb, %s *%sy)\n{\n", cg_layer(g, n), cg_ctype(x->dtype), r,
	        cg_ctype(z->dtype), r, cg_ctype(n->dtype), r);
	fprintf(c, "\t/* M_a = %.9g, M_b = %.9g, one shared shift%s */\n", a->real_a, a->real_b,
	        a->away ? "; pytorch contract: QNNPACK's 22-bit multipliers, ties away from zero" : "");
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n", LL(ir_numel(n)));
	fprintf(c, "\t\ty[i] = (%s)%s(a[i] - %d, %d, b[i] - %d, %d, %d, %d, %d, %d);\n}\n", cg_ctype(n->dtype),
	        a->away ? "qrt_add_away" : "qrt_add", (int)x->zp, (int)a->mult_a, (int)z->zp, (int)a->mult_b, a->shift,
	        (int)n->zp, (int)n->lo, (int)n->hi);
}

static void emit_concat(FILE *c, Graph *g, const Node *n)
{
	int64_t N, C, HW;
	cg_geom(n, &N, &C, &HW);
	if (n->rank != 4) { /* rank 2: rows of channels */
		N = n->dims[0];
		C = n->dims[1];
		HW = 1;
	}
	fprintf(c, "static void %s(", cg_layer(g, n));
	for (int i = 0; i < n->nin; i++)
		fprintf(c, "const %s *restrict x%d, ", cg_ctype(n->in[i]->dtype), i);
	fprintf(c, "%s *restrict y)\n{\n", cg_ctype(n->dtype));
	fprintf(c, "\tfor (int p = 0; p < %lld; p++) {\n", LL(N * HW));
	int64_t off = 0;
	for (int i = 0; i < n->nin; i++) {
		const Node *x = n->in[i];
		int64_t ci = x->dims[1];
		const Requant *rq = &n->u.concat.rq[i];
		fprintf(c, "\t\tfor (int c = 0; c < %lld; c++)\n", LL(ci));
		if (!rq->n)
			fprintf(c, "\t\t\ty[p * %lld + %lld + c] = x%d[p * %lld + c];\n", LL(C), LL(off), i, LL(ci));
		else
			fprintf(c, "\t\t\ty[p * %lld + %lld + c] = (%s)qrt_requant(x%d[p * %lld + c] - %d, %d, %d, %d, %d, %d); /* M = %.9g */\n",
			        LL(C), LL(off), cg_ctype(n->dtype), i, LL(ci), (int)x->zp, (int)rq->mult[0], (int)rq->shift[0],
			        (int)n->zp, (int)n->lo, (int)n->hi, rq->real[0]);
		off += ci;
	}
	fprintf(c, "\t}\n}\n");
}

/* global_avgpool: one sum per channel over the whole plane. */
static void emit_global_pool(FILE *c, Graph *g, const Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	int64_t C = x->dims[1], HW = x->dims[2] * x->dims[3];
	int area = p->kh * p->kw;
	if (n->inplace)
		fprintf(c, "/* in place: y is x's buffer; y[b][c] is written after the last read of channel c, at an\n"
		           " * index that no later read uses */\n");
	fprintf(c, "static void %s(const %s *%sx, %s *%sy)\n{\n", cg_layer(g, n), cg_ctype(x->dtype),
	        restrict_unless_inplace(n), cg_ctype(n->dtype), restrict_unless_inplace(n));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int c = 0; c < %lld; c++) {\n\t\tint32_t sum = 0;\n",
	        LL(n->dims[0]), LL(C));
	fprintf(c, "\t\tfor (int i = 0; i < %lld; i++)\n\t\t\tsum += x[(b * %lld + i) * %lld + c] - %d;\n", LL(HW),
	        LL(HW), LL(C), (int)x->zp);
	fprintf(c, "\t\t/* M = %.9g = s_in/(s_out*%d); ties to even */\n", p->rq.real[area], area);
	fprintf(c, "\t\ty[b * %lld + c] = (%s)qrt_requant_even(sum, %d, %d, %d, %d, %d);\n\t}\n}\n", LL(C),
	        cg_ctype(n->dtype), (int)p->rq.mult[area], (int)p->rq.shift[area], (int)n->zp, (int)n->lo, (int)n->hi);
}

static void emit_pool(FILE *c, Graph *g, const Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	int64_t IH = x->dims[2], IW = x->dims[3], C = x->dims[1], OH = n->dims[2], OW = n->dims[3];
	int is_max = n->op == OP_MAXPOOL2D, area = p->kh * p->kw;
	int padded = p->pad[0] || p->pad[1] || p->pad[2] || p->pad[3];
	/* one multiplier unless the count of in-bounds elements varies */
	int fixed = !is_max && (p->count_include_pad || !padded);
	if (n->op == OP_GLOBAL_AVGPOOL) {
		emit_global_pool(c, g, n);
		return;
	}
	if (!is_max && !fixed)
		requant_arrays(c, g, n, &p->rq, "");
	inplace_note(c, n);
	fprintf(c, "static void %s(const %s *%sx, %s *%sy)\n{\n", L, cg_ctype(x->dtype), restrict_unless_inplace(n), ty,
	        restrict_unless_inplace(n));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oy = 0; oy < %lld; oy++)\n", LL(n->dims[0]), LL(OH));
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++)\n\tfor (int c = 0; c < %lld; c++) {\n", LL(OW), LL(C));
	if (is_max)
		fprintf(c, "\t\tint32_t m = %d;\n", (int)n->lo - 1);
	else
		fprintf(c, fixed ? "\t\tint32_t sum = 0;\n" : "\t\tint32_t sum = 0, cnt = 0;\n");
	fprintf(c, "\t\tfor (int ky = 0; ky < %d; ky++)\n\t\tfor (int kx = 0; kx < %d; kx++) {\n", p->kh, p->kw);
	fprintf(c, "\t\t\tconst int iy = oy * %d - %d + ky * %d, ix = ox * %d - %d + kx * %d;\n", p->stride[0], p->pad[0],
	        p->dilation[0], p->stride[1], p->pad[1], p->dilation[1]);
	if (padded)
		fprintf(c, "\t\t\tif (iy < 0 || iy >= %lld || ix < 0 || ix >= %lld)\n\t\t\t\tcontinue; /* %s */\n",
		        LL(IH), LL(IW), is_max ? "padding never wins" : "padding adds 0 (the value zp)");
	fprintf(c, "\t\t\tconst int32_t v = x[((b * %lld + iy) * %lld + ix) * %lld + c];\n", LL(IH), LL(IW), LL(C));
	if (is_max)
		fprintf(c, "\t\t\tif (v > m)\n\t\t\t\tm = v;\n");
	else
		fprintf(c, fixed ? "\t\t\tsum += v - %d;\n" : "\t\t\tsum += v - %d;\n\t\t\tcnt++;\n", (int)x->zp);
	fprintf(c, "\t\t}\n");
	fprintf(c, "\t\ty[((b * %lld + oy) * %lld + ox) * %lld + c] = ", LL(OH), LL(OW), LL(C));
	if (is_max)
		fprintf(c, "(%s)m;\n", ty);
	else if (fixed)
		fprintf(c, "(%s)qrt_requant_even(sum, %d, %d, %d, %d, %d); /* M = %.9g = s_in/(s_out*%d) */\n", ty,
		        (int)p->rq.mult[area], (int)p->rq.shift[area], (int)n->zp, (int)n->lo, (int)n->hi, p->rq.real[area],
		        area);
	else
		fprintf(c, "(%s)qrt_requant_even(sum, %s_mult[cnt], %s_shift[cnt], %d, %d, %d);\n", ty, L, L, (int)n->zp,
		        (int)n->lo, (int)n->hi);
	fprintf(c, "\t}\n}\n");
}

static void emit_matmul(FILE *c, Graph *g, const Node *n)
{
	const Node *a = n->in[0], *b = n->in[1];
	const Requant *rq = &n->u.rq.rq;
	int64_t M = a->dims[0], K = a->dims[1], N = b->dims[1];
	fprintf(c, "static void %s(const %s *restrict a, const %s *restrict b, %s *restrict y)\n{\n", cg_layer(g, n),
	        cg_ctype(a->dtype), cg_ctype(b->dtype), cg_ctype(n->dtype));
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n\tfor (int j = 0; j < %lld; j++) {\n\t\tint32_t acc = 0;\n", LL(M),
	        LL(N));
	fprintf(c, "\t\tfor (int k = 0; k < %lld; k++)\n\t\t\tacc += (a[i * %lld + k] - %d) * (b[k * %lld + j] - %d);\n",
	        LL(K), LL(K), (int)a->zp, LL(N), (int)b->zp);
	fprintf(c, "\t\ty[i * %lld + j] = (%s)qrt_requant(acc, %d, %d, %d, %d, %d); /* M = %.9g */\n\t}\n}\n", LL(N),
	        cg_ctype(n->dtype), (int)rq->mult[0], (int)rq->shift[0], (int)n->zp, (int)n->lo, (int)n->hi, rq->real[0]);
}

/* Physical offset of logical (row-major NCHW) element index `i` in a
 * tensor stored per cg_geom. */
static void phys(FILE *c, const Node *n)
{
	int64_t N, C, HW;
	cg_geom(n, &N, &C, &HW);
	if (C == 1 || HW == 1)
		fprintf(c, "i");
	else
		fprintf(c, "(i / %lld * %lld + i %% %lld) * %lld + i / %lld %% %lld", LL(C * HW), LL(HW), LL(HW), LL(C),
		        LL(HW), LL(C));
}

static void emit_reshape(FILE *c, Graph *g, const Node *n)
{
	const char *t = cg_ctype(n->dtype);
	fprintf(c, "static void %s(const %s *restrict x, %s *restrict y)\n{\n", cg_layer(g, n), t, t);
	fprintf(c, "\t/* logical (NCHW) order is kept; only the NHWC storage moves */\n");
	fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n\t\ty[", LL(ir_numel(n)));
	phys(c, n);
	fprintf(c, "] = x[");
	phys(c, n->in[0]);
	fprintf(c, "];\n}\n");
}

void cg_c_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o)
{
	cg_layer_comment(c, g, n, o);
	switch (n->op) {
	case OP_CONV2D: emit_conv(c, g, n, o); break;
	case OP_LINEAR: emit_linear(c, g, n, o); break;
	case OP_QUANTIZE: emit_quantize(c, g, n); break;
	case OP_DEQUANTIZE: emit_dequantize(c, g, n); break;
	case OP_REQUANTIZE: case OP_RELU: case OP_RELU6: case OP_CLAMP: emit_elementwise(c, g, n); break;
	case OP_ADD: emit_add(c, g, n); break;
	case OP_CONCAT: emit_concat(c, g, n); break;
	case OP_MAXPOOL2D: case OP_AVGPOOL2D: case OP_GLOBAL_AVGPOOL: emit_pool(c, g, n); break;
	case OP_MATMUL: emit_matmul(c, g, n); break;
	case OP_FLATTEN: case OP_RESHAPE: emit_reshape(c, g, n); break;
	default: die("no portable kernel for %s", op_info[n->op].name);
	}
}
