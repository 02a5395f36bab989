/* The NEON target (AArch64 Advanced SIMD).
 *
 * Kernels, each fused with its requantization and clamp (int32 never goes
 * to memory), shapes and constants baked in:
 * - conv (any kernel, stride, dilation, groups; the 3-channel stem too) and
 *   linear: an outer product of 4 output pixels x 16 output channels.  Per
 *   input element, 16 int8 weights (prepacked [group][tile][ky][kx][ic][16])
 *   widen to int16 and vmlal_n_s16 adds weight * x into int32 lanes.
 *   Padding: the input is first copied into arena scratch inside a border of
 *   its zero point, so the loops need no bounds checks.
 * - depthwise conv: 16 channels per vector, activations and weights widened
 *   to int16, vmlal_s16, same zero-point-padded scratch copy.
 * - add, max pool, average pool: vectors over channels or elements.
 * Products u8 x s8 and s8 x s8 are exact in int16 x int16 -> int32.
 * Requantization is qrt_requant_x4 (runtime/qrt_neon.h), lane for lane
 * equal to qrt_requant; under --contract=pytorch, qrt_requant_fp32_x4 and
 * qrt_add_away_x4, equal to their scalar forms.  Other nodes use the portable kernels. */
#include <string.h>

#include "ir.h"

#define LL(x) ((long long)(x))
#define NR 16 /* output channels per tile: four int32x4 accumulators */
#define MR 4  /* output pixels per tile of the conv kernel */

static const char *const quad[4] = {"0123", "4567", "89AB", "CDEF"};

/* The per-dtype spellings of one kernel body. */
typedef struct Lanes {
	const char *t;   /* element type: uint8_t / int8_t */
	const char *sfx; /* intrinsic suffix: u8 / s8 */
	const char *v16; /* 16-lane vector type */
	const char *v8;  /* 8-lane vector type */
} Lanes;

static Lanes lanes(DType t)
{
	if (t == DT_U8)
		return (Lanes){"uint8_t", "u8", "uint8x16_t", "uint8x8_t"};
	return (Lanes){"int8_t", "s8", "int8x16_t", "int8x8_t"};
}

static int is_q8(DType t) { return t == DT_U8 || t == DT_I8; }

/* ---- geometry ---- */

/* A conv or linear as a conv over NHWC: linear is a 1x1 conv over N rows. */
typedef struct ConvGeom {
	int64_t N, IH, IW, IC, OH, OW, OC;
	int KH, KW, SH, SW, DH, DW, G;
	int pad[4];        /* top, left, bottom, right */
	int64_t PH, PW;    /* the input as the kernel reads it (padded when any pad) */
	int padded;
} ConvGeom;

static ConvGeom conv_geom(const Node *n)
{
	ConvGeom q;
	const ConvAttr *a = &n->u.conv;
	const Node *x = n->in[0];
	memset(&q, 0, sizeof q);
	if (n->op == OP_LINEAR) {
		q.N = x->dims[0];
		q.IH = q.IW = q.OH = q.OW = 1;
		q.IC = x->dims[1];
		q.OC = n->dims[1];
		q.KH = q.KW = q.SH = q.SW = q.DH = q.DW = q.G = 1;
	} else {
		q.N = x->dims[0];
		q.IC = x->dims[1];
		q.IH = x->dims[2];
		q.IW = x->dims[3];
		q.OC = n->dims[1];
		q.OH = n->dims[2];
		q.OW = n->dims[3];
		q.KH = a->kh;
		q.KW = a->kw;
		q.SH = a->stride[0];
		q.SW = a->stride[1];
		q.DH = a->dilation[0];
		q.DW = a->dilation[1];
		q.G = a->groups;
		memcpy(q.pad, a->pad, sizeof q.pad);
	}
	q.padded = q.pad[0] || q.pad[1] || q.pad[2] || q.pad[3];
	q.PH = q.IH + q.pad[0] + q.pad[2];
	q.PW = q.IW + q.pad[1] + q.pad[3];
	return q;
}

/* Output channels per tile of the conv kernel: 8 when a group has no more. */
static int conv_nr(const ConvGeom *q)
{
	return q->OC / q->G <= 8 ? 8 : NR;
}

/* ---- kernel selection ---- */

static void select_conv(Graph *g, Node *n)
{
	const Node *x = n->in[0];
	ConvGeom q = conv_geom(n);
	const char *xs = x->dtype == DT_U8 ? "u8" : "s8";
	if (cg_weight_zp_used(n)) {
		n->kernel_note = "int8 weights with zero points: portable";
		return;
	}
	if (cg_is_depthwise(n)) {
		n->kernel = arena_printf(g->arena, "dwconv%dx%d_%ss8_16__neon", q.KH, q.KW, xs);
		n->kernel_note = arena_printf(g->arena, "16 channels a vector, zp-padded input in scratch (+%d bytes of "
		                                        "over-read slack)", NR);
		n->scratch_bytes = q.N * q.PH * q.PW * q.IC + NR;
		return;
	}
	if (q.G > 1 && q.OC / q.G < 4) {
		n->kernel_note = "grouped conv with fewer than 4 output channels a group: portable";
		return;
	}
	int mr = q.OW >= MR ? MR : (int)q.OW;
	if (n->op == OP_LINEAR)
		n->kernel = arena_printf(g->arena, "linear_%ss8_1x%d__neon", xs, conv_nr(&q));
	else
		n->kernel = arena_printf(g->arena, "conv%dx%d_%ss8_%dx%d__neon", q.KH, q.KW, xs, mr, conv_nr(&q));
	if (n->op == OP_CONV2D && q.IC == 3 && q.G == 1)
		n->kernel_note = "stem: 3 input channels, outer product over output channels";
	else
		n->kernel_note = "outer product: vmlal_n_s16 of a tile of int8 weights by one activation";
	if (q.padded)
		n->scratch_bytes = q.N * q.PH * q.PW * q.IC;
}

void cg_neon_select(Graph *g, Node *n)
{
	switch (n->op) {
	case OP_CONV2D:
	case OP_LINEAR:
		if (is_q8(n->in[0]->dtype) && is_q8(n->dtype))
			select_conv(g, n);
		break;
	case OP_ADD:
		if (is_q8(n->in[0]->dtype) && is_q8(n->in[1]->dtype) && is_q8(n->dtype)) {
			n->kernel = arena_printf(g->arena, "add_%s_16__neon", n->dtype == DT_U8 ? "u8" : "s8");
			n->kernel_note = "qrt_add_x4 on 16 elements a step";
		}
		break;
	case OP_MAXPOOL2D: {
		int32_t lo, hi;
		ir_dtype_range(n->dtype, &lo, &hi);
		if (n->lo == lo && n->hi == hi && n->rank == 4 && cg_pool_windows_nonempty(n)) {
			n->kernel = arena_printf(g->arena, "maxpool_%s_16__neon", n->dtype == DT_U8 ? "u8" : "s8");
			n->kernel_note = "vmaxq over 16 channels";
		}
		break;
	}
	case OP_AVGPOOL2D:
	case OP_GLOBAL_AVGPOOL:
		if (n->rank == 4 && is_q8(n->in[0]->dtype) && is_q8(n->dtype)) {
			n->kernel = arena_printf(g->arena, "avgpool_%s_8__neon", n->dtype == DT_U8 ? "u8" : "s8");
			n->kernel_note = "int32 sums over 8 channels, qrt_requant_even_x4";
		}
		break;
	default:
		break;
	}
}

/* ---- constants ---- */

/* bias, mult or shift, one int32 per lane of whole tiles: [group][tile][nr].
 * Lanes past a group's last channel hold bias 0, mult 0, shift 1. */
static void tiled_channel_array(FILE *c, Graph *g, const Node *n, const char *what, int64_t G, int64_t ocg, int nr)
{
	const ConvAttr *a = &n->u.conv;
	int64_t tiles = cg_round_up(ocg, nr) / nr;
	fprintf(c, "static const int32_t %s_%s[%lld] = {", cg_layer(g, n), what, LL(G * tiles * nr));
	for (int64_t gi = 0; gi < G; gi++)
		for (int64_t t = 0; t < tiles; t++) {
			fprintf(c, "\n\t/* channels %lld..%lld */", LL(gi * ocg + t * nr),
			        LL(gi * ocg + (t * nr + nr < ocg ? t * nr + nr : ocg) - 1));
			for (int j = 0; j < nr; j++) {
				int64_t o = gi * ocg + t * nr + j;
				int valid = t * nr + j < ocg;
				long long v = !valid ? (strcmp(what, "shift") == 0)
				              : what[0] == 'b' ? a->bias_q[o] : what[0] == 'm' ? a->rq.mult[o] : a->rq.shift[o];
				fprintf(c, "%s%lld,", j % 8 ? " " : "\n\t", v);
			}
		}
	fprintf(c, "\n};\n");
}

/* The pytorch contract's float32 scales, laid out as tiled_channel_array
 * does (lanes past a group's last channel hold 0). */
static void tiled_scale_array(FILE *c, Graph *g, const Node *n, int64_t G, int64_t ocg, int nr)
{
	const ConvAttr *a = &n->u.conv;
	int64_t tiles = cg_round_up(ocg, nr) / nr;
	fprintf(c, "static const float %s_scale[%lld] = { /* pytorch contract: (s_w * s_in) * (1 / s_out) */",
	        cg_layer(g, n), LL(G * tiles * nr));
	for (int64_t gi = 0; gi < G; gi++)
		for (int64_t t = 0; t < tiles; t++)
			for (int j = 0; j < nr; j++) {
				int64_t o = gi * ocg + t * nr + j;
				fprintf(c, "%s%af,", j % 4 ? " " : "\n\t", t * nr + j < ocg ? (double)a->rq.scale[o] : 0.0);
			}
	fprintf(c, "\n};\n");
}

/* mult and shift arrays, or the float32 scales under the pytorch contract */
static void requant_arrays(FILE *c, Graph *g, const Node *n, int64_t G, int64_t ocg, int nr)
{
	if (n->u.conv.rq.scale) {
		tiled_scale_array(c, g, n, G, ocg, nr);
		return;
	}
	tiled_channel_array(c, g, n, "mult", G, ocg, nr);
	tiled_channel_array(c, g, n, "shift", G, ocg, nr);
}

/* The real values behind the folded constants, for the reader. */
static void constants_comment(FILE *c, const Node *n)
{
	const ConvAttr *a = &n->u.conv;
	int64_t oc = n->dims[1];
	fprintf(c, "/* per output channel: weight scale, real bias, M = s_in*s_w/s_out\n");
	for (int64_t o = 0; o < oc; o++)
		fprintf(c, " *   oc %3lld: s_w %.9g  b %.9g  M %.9g\n", LL(o), a->wscale[o],
		        a->bias && a->bias->dtype == DT_F32 ? (double)ir_const_f32(a->bias, o) : 0.0, a->rq.real[o]);
	fprintf(c, " */\n");
}

/* Weights [group][tile][ky][kx][ic][nr], zero in lanes past the group. */
static void conv_weights(FILE *c, Graph *g, const Node *n, const ConvGeom *q, int nr)
{
	const Const *w = n->u.conv.weight;
	const int8_t *src = w->data;
	int64_t icg = q->IC / q->G, ocg = q->OC / q->G, kk = (int64_t)q->KH * q->KW;
	int64_t tiles = cg_round_up(ocg, nr) / nr;
	fprintf(c, "static const int8_t %s_w[%lld] = { /* [group][%d channels][ky][kx][ic][%d] */", cg_layer(g, n),
	        LL(q->G * tiles * kk * icg * nr), nr, nr);
	for (int64_t gi = 0; gi < q->G; gi++)
		for (int64_t t = 0; t < tiles; t++) {
			fprintf(c, "\n\t/* channels %lld..%lld */", LL(gi * ocg + t * nr),
			        LL(gi * ocg + (t * nr + nr < ocg ? t * nr + nr : ocg) - 1));
			for (int64_t k = 0; k < kk; k++)
				for (int64_t i = 0; i < icg; i++) {
					fprintf(c, "\n\t");
					for (int j = 0; j < nr; j++) {
						int64_t o = gi * ocg + t * nr + j;
						int v = t * nr + j < ocg ? src[(o * icg + i) * kk + k] : 0;
						fprintf(c, "%d,%s", v, j + 1 < nr ? " " : "");
					}
				}
		}
	fprintf(c, "\n};\n");
}

/* Depthwise weights [ky][kx][channel], channels padded to whole tiles. */
static void dw_weights(FILE *c, Graph *g, const Node *n, const ConvGeom *q)
{
	const int8_t *src = n->u.conv.weight->data;
	int64_t kk = (int64_t)q->KH * q->KW, cp = cg_round_up(q->OC, NR);
	fprintf(c, "static const int8_t %s_w[%lld] = { /* [ky][kx][channel] */", cg_layer(g, n), LL(kk * cp));
	for (int64_t k = 0; k < kk; k++) {
		fprintf(c, "\n\t/* ky %lld, kx %lld */", LL(k / q->KW), LL(k % q->KW));
		for (int64_t ch = 0; ch < cp; ch++)
			fprintf(c, "%s%d,", ch % 16 ? " " : "\n\t", ch < q->OC ? src[ch * kk + k] : 0);
	}
	fprintf(c, "\n};\n");
}

/* ---- shared pieces of kernel bodies ---- */

static void signature(FILE *c, Graph *g, const Node *n)
{
	fprintf(c, "static void %s(const %s *restrict x, %s *restrict y%s)\n{\n", cg_layer(g, n),
	        cg_ctype(n->in[0]->dtype), cg_ctype(n->dtype), n->scratch_bytes ? ", unsigned char *restrict scratch" : "");
}

static void clamp_vectors(FILE *c, const Node *n)
{
	fprintf(c, "\tconst int32x4_t vzp = vdupq_n_s32(%d), vlo = vdupq_n_s32(%d), vhi = vdupq_n_s32(%d);\n",
	        (int)n->zp, (int)n->lo, (int)n->hi);
}

static void pad_copy(FILE *c, const ConvGeom *q, const Node *x)
{
	fprintf(c, "\t/* the input inside a border of its zero point (%d): %lldx%lldx%lldx%lld NHWC */\n", (int)x->zp,
	        LL(q->N), LL(q->PH), LL(q->PW), LL(q->IC));
	fprintf(c, "\tqrt_pad_nhwc(x, scratch, %lld, %lld, %lld, %lld, %d, %d, %d, %d, %d);\n", LL(q->N), LL(q->IH),
	        LL(q->IW), LL(q->IC), q->pad[0], q->pad[1], q->pad[2], q->pad[3], (int)x->zp);
	fprintf(c, "\tconst %s *restrict xp = (const %s *)scratch;\n", cg_ctype(x->dtype), cg_ctype(x->dtype));
}

/* Requantizes accumulators vacc<prefix>x0123.. (nq quads) with the tile's
 * mult/shift vectors, then packs them into vout<prefix>. */
static void requant_pack(FILE *c, const Node *n, const char *ind, const char *prefix, int nq, const Lanes *y)
{
	for (int k = 0; k < nq; k++)
		if (n->u.conv.rq.scale)
			fprintf(c, "%svacc%s%s = qrt_requant_fp32_x4(vacc%s%s, vscale%s, vzp, vlo, vhi);\n", ind, prefix,
			        quad[k], prefix, quad[k], quad[k]);
		else
			fprintf(c, "%svacc%s%s = qrt_requant_x4(vacc%s%s, vmult%s, vshift%s, vzp, vlo, vhi);\n", ind, prefix,
			        quad[k], prefix, quad[k], quad[k], quad[k]);
	if (nq == 4)
		fprintf(c, "%sconst %s vout%s = qrt_pack_%s_x16(vacc%s0123, vacc%s4567, vacc%s89AB, vacc%sCDEF);\n", ind,
		        y->v16, prefix, y->sfx, prefix, prefix, prefix, prefix);
	else
		fprintf(c, "%sconst %s vout%s = qrt_pack_%s_x8(vacc%s0123, vacc%s4567);\n", ind, y->v8, prefix, y->sfx,
		        prefix, prefix);
}

static void load_mult_shift(FILE *c, Graph *g, const Node *n, const char *ind, const char *idx, int nq)
{
	const char *L = cg_layer(g, n);
	for (int k = 0; k < nq; k++)
		if (n->u.conv.rq.scale)
			fprintf(c, "%sconst float32x4_t vscale%s = vld1q_f32(%s_scale + %s + %d);\n", ind, quad[k], L, idx, 4 * k);
		else
			fprintf(c, "%sconst int32x4_t vmult%s = vld1q_s32(%s_mult + %s + %d), vshift%s = vld1q_s32(%s_shift + %s + %d);\n",
			        ind, quad[k], L, idx, 4 * k, quad[k], L, idx, 4 * k);
}

/* "8 + 4 + 1" */
static const char *lane_sum(Graph *g, int n)
{
	char buf[32] = "";
	for (int b = 8; b; b >>= 1)
		if (n & b)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%d", buf[0] ? " + " : "", b);
	return arena_strdup(g->arena, buf);
}

/* ---- conv and linear: 4 pixels x 16 channels outer product ---- */

static void emit_conv_body(FILE *c, Graph *g, const Node *n, const ConvGeom *q, int mr, int nr)
{
	const char *L = cg_layer(g, n);
	Lanes y = lanes(n->dtype);
	int64_t icg = q->IC / q->G, ocg = q->OC / q->G, tiles = cg_round_up(ocg, nr) / nr;
	int64_t kk = (int64_t)q->KH * q->KW, rem = ocg % nr;
	int nq = nr / 4;
	const char *ind = q->G > 1 ? "\t\t\t\t" : "\t\t\t", *gi_oc = "", *gi_lane = "", *gi_ic = "";
	if (q->G > 1) {
		fprintf(c, "\t\t\tfor (int gi = 0; gi < %lld; gi++)\n", LL(q->G));
		gi_oc = arena_printf(g->arena, "%lld * gi", LL(ocg));
		gi_lane = arena_printf(g->arena, "%lld * gi", LL(tiles * nr));
		gi_ic = arena_printf(g->arena, "%lld * gi", LL(icg));
	}
	if (tiles > 1) {
		fprintf(c, "%sfor (int t = 0; t < %lld; t++) {\n", ind, LL(tiles));
		fprintf(c, "%s\tconst int oc = %s%s%d * t; /* the tile's first output channel */\n", ind, gi_oc,
		        q->G > 1 ? " + " : "", nr);
		fprintf(c, "%s\tconst int lane = %s%s%d * t; /* its first lane in bias, mult, shift */\n", ind, gi_lane,
		        q->G > 1 ? " + " : "", nr);
	} else {
		fprintf(c, "%s{\n", ind);
		fprintf(c, "%s\tconst int oc = %s; /* the first output channel%s */\n", ind, q->G > 1 ? gi_oc : "0",
		        q->G > 1 ? " of the group" : "");
		fprintf(c, "%s\tconst int lane = %s; /* its first lane in bias, mult, shift */\n", ind,
		        q->G > 1 ? gi_lane : "0");
	}
	fprintf(c, "%s\tconst int8_t *w = %s_w + %lld * lane;\n", ind, L, LL(kk * icg));
	for (int k = 0; k < nq; k++)
		fprintf(c, "%s\tint32x4_t vacc0x%s = vld1q_s32(%s_bias + lane + %d);\n", ind, quad[k], L, 4 * k);
	for (int j = 1; j < mr; j++)
		for (int k = 0; k < nq; k++)
			fprintf(c, "%s\tint32x4_t vacc%dx%s = vacc0x%s;\n", ind, j, quad[k], quad[k]);
	const char *in2 = arena_printf(g->arena, "%s\t\t", ind);
	if (kk > 1) {
		fprintf(c, "%s\tfor (int ky = 0; ky < %d; ky++)\n", ind, q->KH);
		fprintf(c, "%s\tfor (int kx = 0; kx < %d; kx++) {\n", ind, q->KW);
		fprintf(c, "%s\t\tconst int k = ky * %lld + kx * %lld%s%s; /* tap offset in the input */\n", ind,
		        LL((int64_t)q->DH * q->PW * q->IC), LL((int64_t)q->DW * q->IC), q->G > 1 ? " + " : "", gi_ic);
	} else {
		fprintf(c, "%s\t{\n%s\t\tconst int k = %s; /* 1x1: the pixel itself */\n", ind, ind, q->G > 1 ? gi_ic : "0");
	}
	fprintf(c, "%sfor (int ic = 0; ic < %lld; ic++, w += %d) {\n", in2, LL(icg), nr);
	if (nr == 16) {
		fprintf(c, "%s\tconst int8x16_t vw = vld1q_s8(w);\n", in2);
		fprintf(c, "%s\tconst int16x8_t vw01234567 = vmovl_s8(vget_low_s8(vw));\n", in2);
		fprintf(c, "%s\tconst int16x8_t vw89ABCDEF = vmovl_high_s8(vw);\n", in2);
	} else {
		fprintf(c, "%s\tconst int16x8_t vw01234567 = vmovl_s8(vld1_s8(w));\n", in2);
	}
	for (int j = 0; j < mr; j++) {
		fprintf(c, "%s\tconst int16_t x%dk = x%d[k + ic];\n", in2, j, j);
		for (int h = 0; h < nq / 2; h++) {
			const char *vw = h ? "vw89ABCDEF" : "vw01234567";
			fprintf(c, "%s\tvacc%dx%s = vmlal_n_s16(vacc%dx%s, vget_low_s16(%s), x%dk);\n", in2, j, quad[2 * h], j,
			        quad[2 * h], vw, j);
			fprintf(c, "%s\tvacc%dx%s = vmlal_high_n_s16(vacc%dx%s, %s, x%dk);\n", in2, j, quad[2 * h + 1], j,
			        quad[2 * h + 1], vw, j);
		}
	}
	fprintf(c, "%s}\n%s\t}\n", in2, ind);
	load_mult_shift(c, g, n, arena_printf(g->arena, "%s\t", ind), "lane", nq);
	for (int j = 0; j < mr; j++)
		requant_pack(c, n, arena_printf(g->arena, "%s\t", ind), arena_printf(g->arena, "%dx", j), nq, &y);
	const char *ind2 = arena_printf(g->arena, "%s\t%s", ind, rem && tiles > 1 ? "\t" : "");
	if (rem && tiles > 1)
		fprintf(c, "%s\tif (t < %lld) {\n", ind, LL(tiles - 1));
	if (!rem || tiles > 1)
		for (int j = mr - 1; j >= 0; j--)
			fprintf(c, "%svst1%s_%s(y%d + oc, vout%dx);\n", ind2, nr == 16 ? "q" : "", y.sfx, j, j);
	if (rem && tiles > 1)
		fprintf(c, "%s\t} else {\n", ind);
	if (rem) {
		fprintf(c, "%s/* the last %lld channels: %s */\n", ind2, LL(rem), lane_sum(g, (int)rem));
		for (int j = mr - 1; j >= 0; j--)
			if (nr == 16)
				fprintf(c, "%sqrt_store_%s_first(y%d + oc, vout%dx, %lld);\n", ind2, y.sfx, j, j, LL(rem));
			else
				fprintf(c, "%sqrt_store_%s_first(y%d + oc, vcombine_%s(vout%dx, vout%dx), %lld);\n", ind2, y.sfx, j,
				        y.sfx, j, j, LL(rem));
	}
	if (rem && tiles > 1)
		fprintf(c, "%s\t}\n", ind);
	fprintf(c, "%s}\n", ind);
}

static void emit_conv(FILE *c, Graph *g, const Node *n)
{
	ConvGeom q = conv_geom(n);
	const Node *xn = n->in[0];
	Lanes x = lanes(xn->dtype), y = lanes(n->dtype);
	int mr = q.OW >= MR ? MR : (int)q.OW, nr = conv_nr(&q);
	int64_t pwic = q.PW * q.IC, swic = (int64_t)q.SW * q.IC;
	constants_comment(c, n);
	conv_weights(c, g, n, &q, nr);
	tiled_channel_array(c, g, n, "bias", q.G, q.OC / q.G, nr);
	requant_arrays(c, g, n, q.G, q.OC / q.G, nr);
	signature(c, g, n);
	if (q.padded)
		pad_copy(c, &q, xn);
	else
		fprintf(c, "\tconst %s *restrict xp = x;\n", x.t);
	clamp_vectors(c, n);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n", LL(q.N));
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(q.OH));
	fprintf(c, "\t\tconst %s *xrow = xp + (b * %lld + oy * %d) * %lld;\n", x.t, LL(q.PH), q.SH, LL(pwic));
	fprintf(c, "\t\t%s *yrow = y + (b * %lld + oy) * %lld;\n", y.t, LL(q.OH), LL(q.OW * q.OC));
	fprintf(c, "\t\tfor (int ox = 0; ox < %lld; ox += %d) {\n", LL(q.OW), mr);
	if (q.OW % mr)
		fprintf(c, "\t\t\t/* past the row's end a slot recomputes pixel %lld and rewrites the same bytes */\n",
		        LL(q.OW - 1));
	for (int j = 0; j < mr; j++) {
		if (j == 0)
			fprintf(c, "\t\t\tconst %s *x0 = xrow + ox * %lld;\n\t\t\t%s *y0 = yrow + ox * %lld;\n", x.t, LL(swic), y.t,
			        LL(q.OC));
		else if (q.OW % mr == 0)
			fprintf(c, "\t\t\tconst %s *x%d = x%d + %lld;\n\t\t\t%s *y%d = y%d + %lld;\n", x.t, j, j - 1, LL(swic), y.t,
			        j, j - 1, LL(q.OC));
		else
			fprintf(c, "\t\t\tconst int ox%d = ox + %d < %lld ? ox + %d : %lld;\n"
			           "\t\t\tconst %s *x%d = xrow + ox%d * %lld;\n\t\t\t%s *y%d = yrow + ox%d * %lld;\n",
			        j, j, LL(q.OW), j, LL(q.OW - 1), x.t, j, j, LL(swic), y.t, j, j, LL(q.OC));
	}
	emit_conv_body(c, g, n, &q, mr, nr);
	fprintf(c, "\t\t}\n\t}\n}\n");
}

/* ---- depthwise conv: 16 channels a vector ---- */

/* One tile of `width` (16 or 8) channels starting at c; `store` lanes kept. */
static void emit_dw_tile(FILE *c, Graph *g, const Node *n, const ConvGeom *q, const char *ind, int width, int store)
{
	const char *L = cg_layer(g, n);
	Lanes x = lanes(n->in[0]->dtype), y = lanes(n->dtype);
	int nq = width / 4;
	int64_t cp = cg_round_up(q->OC, NR);
	for (int k = 0; k < nq; k++)
		fprintf(c, "%sint32x4_t vacc%s = vld1q_s32(%s_bias + c + %d);\n", ind, quad[k], L, 4 * k);
	fprintf(c, "%sconst int8_t *w = %s_w + c;\n", ind, L);
	fprintf(c, "%sfor (int ky = 0; ky < %d; ky++)\n", ind, q->KH);
	fprintf(c, "%sfor (int kx = 0; kx < %d; kx++, w += %lld) {\n", ind, q->KW, LL(cp));
	fprintf(c, "%s\tconst %s *px = xw + ky * %lld + kx * %lld + c;\n", ind, x.t,
	        LL((int64_t)q->DH * q->PW * q->IC), LL((int64_t)q->DW * q->IC));
	for (int h = 0; h < width / 8; h++) {
		const char *lo = quad[2 * h], *hi = quad[2 * h + 1];
		fprintf(c, "%s\tconst int16x8_t vx%s%s = qrt_load_%s_x8(px + %d);\n", ind, lo, hi, x.sfx, 8 * h);
		fprintf(c, "%s\tconst int16x8_t vw%s%s = vmovl_s8(vld1_s8(w + %d));\n", ind, lo, hi, 8 * h);
		fprintf(c, "%s\tvacc%s = vmlal_s16(vacc%s, vget_low_s16(vx%s%s), vget_low_s16(vw%s%s));\n", ind, lo, lo, lo,
		        hi, lo, hi);
		fprintf(c, "%s\tvacc%s = vmlal_high_s16(vacc%s, vx%s%s, vw%s%s);\n", ind, hi, hi, lo, hi, lo, hi);
	}
	fprintf(c, "%s}\n", ind);
	load_mult_shift(c, g, n, ind, "c", nq);
	requant_pack(c, n, ind, "", nq, &y);
	if (store == width)
		fprintf(c, "%svst1%s_%s(yp + c, vout);\n", ind, width == 16 ? "q" : "", y.sfx);
	else if (width == 16)
		fprintf(c, "%sqrt_store_%s_first(yp + c, vout, %d); /* %s */\n", ind, y.sfx, store, lane_sum(g, store));
	else
		fprintf(c, "%sqrt_store_%s_first(yp + c, vcombine_%s(vout, vout), %d); /* %s */\n", ind, y.sfx, y.sfx, store,
		        lane_sum(g, store));
}

static void emit_dwconv(FILE *c, Graph *g, const Node *n)
{
	ConvGeom q = conv_geom(n);
	const Node *xn = n->in[0];
	Lanes x = lanes(xn->dtype), y = lanes(n->dtype);
	int64_t full = q.OC / NR * NR, rem = q.OC % NR;
	constants_comment(c, n);
	dw_weights(c, g, n, &q);
	tiled_channel_array(c, g, n, "bias", 1, q.OC, NR);
	requant_arrays(c, g, n, 1, q.OC, NR);
	signature(c, g, n);
	pad_copy(c, &q, xn);
	clamp_vectors(c, n);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oy = 0; oy < %lld; oy++)\n", LL(q.N), LL(q.OH));
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++) {\n", LL(q.OW));
	fprintf(c, "\t\tconst %s *xw = xp + ((b * %lld + oy * %d) * %lld + ox * %d) * %lld; /* window's top left */\n",
	        x.t, LL(q.PH), q.SH, LL(q.PW), q.SW, LL(q.IC));
	fprintf(c, "\t\t%s *yp = y + ((b * %lld + oy) * %lld + ox) * %lld;\n", y.t, LL(q.OH), LL(q.OW), LL(q.OC));
	if (full) {
		fprintf(c, "\t\tfor (int c = 0; c < %lld; c += 16) {\n", LL(full));
		emit_dw_tile(c, g, n, &q, "\t\t\t", 16, 16);
		fprintf(c, "\t\t}\n");
	}
	if (rem) {
		fprintf(c, "\t\t{\n\t\t\t/* the last %lld channels; loads past them read scratch slack, their lanes are "
		           "dropped */\n\t\t\tconst int c = %lld;\n", LL(rem), LL(full));
		emit_dw_tile(c, g, n, &q, "\t\t\t", rem > 8 ? 16 : 8, (int)rem);
		fprintf(c, "\t\t}\n");
	}
	fprintf(c, "\t}\n}\n");
}

/* ---- add ---- */

static void emit_add_step(FILE *c, const Node *n, const char *ind, int width, const char *i)
{
	Lanes a = lanes(n->in[0]->dtype), b = lanes(n->in[1]->dtype), y = lanes(n->dtype);
	for (int h = 0; h < width / 8; h++) {
		fprintf(c, "%sconst int16x8_t va%s%s = vsubq_s16(qrt_load_%s_x8(a + %s + %d), vzp_a);\n", ind, quad[2 * h],
		        quad[2 * h + 1], a.sfx, i, 8 * h);
		fprintf(c, "%sconst int16x8_t vb%s%s = vsubq_s16(qrt_load_%s_x8(b + %s + %d), vzp_b);\n", ind, quad[2 * h],
		        quad[2 * h + 1], b.sfx, i, 8 * h);
	}
	for (int k = 0; k < width / 4; k++) {
		const char *hl = k % 2 ? "vmovl_high_s16(" : "vmovl_s16(vget_low_s16(";
		const char *close = k % 2 ? ")" : "))";
		const char *src = k / 2 ? "89ABCDEF" : "01234567";
		fprintf(c, "%sconst int32x4_t vy%s = %s(%sva%s%s, vmult_a, %svb%s%s, vmult_b, vshift, vzp, vlo, vhi);\n",
		        ind, quad[k], n->u.add.away ? "qrt_add_away_x4" : "qrt_add_x4", hl, src, close, hl, src, close);
	}
	if (width == 16)
		fprintf(c, "%svst1q_%s(y + %s, qrt_pack_%s_x16(vy0123, vy4567, vy89AB, vyCDEF));\n", ind, y.sfx, i, y.sfx);
	else
		fprintf(c, "%svst1_%s(y + %s, qrt_pack_%s_x8(vy0123, vy4567));\n", ind, y.sfx, i, y.sfx);
}

static void emit_add(FILE *c, Graph *g, const Node *n)
{
	const AddAttr *a = &n->u.add;
	const Node *xa = n->in[0], *xb = n->in[1];
	int64_t E = ir_numel(n), e16 = E / 16 * 16, e8 = E / 8 * 8;
	fprintf(c, "/* y may be a's or b's buffer (pass_plan runs add in place), so no restrict:\n"
	           " * each step loads its elements of a and b before it stores them in y */\n");
	fprintf(c, "static void %s(const %s *a, const %s *b, %s *y)\n{\n", cg_layer(g, n),
	        cg_ctype(xa->dtype), cg_ctype(xb->dtype), cg_ctype(n->dtype));
	fprintf(c, "\t/* M_a = %.9g, M_b = %.9g, one shared shift%s */\n", a->real_a, a->real_b,
	        a->away ? "; pytorch contract: QNNPACK's 22-bit multipliers, ties away from zero" : "");
	if (e8) {
		fprintf(c, "\tconst int16x8_t vzp_a = vdupq_n_s16(%d), vzp_b = vdupq_n_s16(%d);\n", (int)xa->zp,
		        (int)xb->zp);
		fprintf(c, "\tconst int32x4_t vmult_a = vdupq_n_s32(%d), vmult_b = vdupq_n_s32(%d), vshift = vdupq_n_s32(%d);\n",
		        (int)a->mult_a, (int)a->mult_b, a->shift);
		clamp_vectors(c, n);
	}
	if (e16) {
		fprintf(c, "\tfor (int i = 0; i < %lld; i += 16) {\n", LL(e16));
		emit_add_step(c, n, "\t\t", 16, "i");
		fprintf(c, "\t}\n");
	}
	if (e8 > e16) {
		fprintf(c, "\t{\n\t\t/* elements %lld..%lld */\n", LL(e16), LL(e8 - 1));
		emit_add_step(c, n, "\t\t", 8, arena_printf(g->arena, "%lld", LL(e16)));
		fprintf(c, "\t}\n");
	}
	if (E > e8)
		fprintf(c, "\tfor (int i = %lld; i < %lld; i++) /* the last %lld: scalar */\n"
		           "\t\ty[i] = (%s)%s(a[i] - %d, %d, b[i] - %d, %d, %d, %d, %d, %d);\n",
		        LL(e8), LL(E), LL(E - e8), cg_ctype(n->dtype), a->away ? "qrt_add_away" : "qrt_add", (int)xa->zp,
		        (int)a->mult_a, (int)xb->zp,
		        (int)a->mult_b, a->shift, (int)n->zp, (int)n->lo, (int)n->hi);
	fprintf(c, "}\n");
}

/* ---- pooling: vectors over channels ---- */

/* for ky, kx: skip taps outside the input; px points at the tap's pixel. */
static void pool_taps_open(FILE *c, const Node *n, const char *ind)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	fprintf(c, "%sfor (int ky = 0; ky < %d; ky++)\n%sfor (int kx = 0; kx < %d; kx++) {\n", ind, p->kh, ind, p->kw);
	fprintf(c, "%s\tconst int iy = oy * %d - %d + ky * %d, ix = ox * %d - %d + kx * %d;\n", ind, p->stride[0],
	        p->pad[0], p->dilation[0], p->stride[1], p->pad[1], p->dilation[1]);
	fprintf(c, "%s\tif (iy < 0 || iy >= %lld || ix < 0 || ix >= %lld)\n%s\t\tcontinue;\n", ind, LL(x->dims[2]),
	        LL(x->dims[3]), ind);
	fprintf(c, "%s\tconst %s *px = xb + (iy * %lld + ix) * %lld;\n", ind, cg_ctype(x->dtype), LL(x->dims[3]),
	        LL(x->dims[1]));
}

static void pool_loops(FILE *c, const Node *n)
{
	const Node *x = n->in[0];
	int64_t C = x->dims[1];
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oy = 0; oy < %lld; oy++)\n", LL(n->dims[0]),
	        LL(n->dims[2]));
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++) {\n", LL(n->dims[3]));
	fprintf(c, "\t\tconst %s *xb = x + b * %lld;\n", cg_ctype(x->dtype), LL(x->dims[2] * x->dims[3] * C));
	fprintf(c, "\t\t%s *yp = y + ((b * %lld + oy) * %lld + ox) * %lld;\n", cg_ctype(n->dtype), LL(n->dims[2]),
	        LL(n->dims[3]), LL(C));
}

static void emit_maxpool(FILE *c, Graph *g, const Node *n)
{
	Lanes y = lanes(n->dtype);
	int64_t C = n->dims[1], c16 = C / 16 * 16, c8 = C / 8 * 8;
	const char *qmin = n->dtype == DT_U8 ? "0" : "-128";
	signature(c, g, n);
	fprintf(c, "\t/* every window holds an element of the input (checked at compile time) */\n");
	pool_loops(c, n);
	if (c16) {
		fprintf(c, "\t\tfor (int c = 0; c < %lld; c += 16) {\n", LL(c16));
		fprintf(c, "\t\t\t%s vmax = vdupq_n_%s(%s);\n", y.v16, y.sfx, qmin);
		pool_taps_open(c, n, "\t\t\t");
		fprintf(c, "\t\t\t\tvmax = vmaxq_%s(vmax, vld1q_%s(px + c));\n\t\t\t}\n", y.sfx, y.sfx);
		fprintf(c, "\t\t\tvst1q_%s(yp + c, vmax);\n\t\t}\n", y.sfx);
	}
	if (c8 > c16) {
		fprintf(c, "\t\t{\n\t\t\t/* channels %lld..%lld */\n\t\t\t%s vmax = vdup_n_%s(%s);\n", LL(c16), LL(c8 - 1), y.v8,
		        y.sfx, qmin);
		pool_taps_open(c, n, "\t\t\t");
		fprintf(c, "\t\t\t\tvmax = vmax_%s(vmax, vld1_%s(px + %lld));\n\t\t\t}\n", y.sfx, y.sfx, LL(c16));
		fprintf(c, "\t\t\tvst1_%s(yp + %lld, vmax);\n\t\t}\n", y.sfx, LL(c16));
	}
	if (C > c8) {
		fprintf(c, "\t\tfor (int c = %lld; c < %lld; c++) { /* the last %lld: scalar */\n", LL(c8), LL(C), LL(C - c8));
		fprintf(c, "\t\t\tint32_t m = %s;\n", qmin);
		pool_taps_open(c, n, "\t\t\t");
		fprintf(c, "\t\t\t\tif (px[c] > m)\n\t\t\t\t\tm = px[c];\n\t\t\t}\n\t\t\typ[c] = (%s)m;\n\t\t}\n", y.t);
	}
	fprintf(c, "\t}\n}\n");
}

static void emit_avgpool(FILE *c, Graph *g, const Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	const char *L = cg_layer(g, n);
	Lanes xl = lanes(x->dtype), y = lanes(n->dtype);
	int64_t C = n->dims[1], c8 = C / 8 * 8;
	int area = p->kh * p->kw;
	int fixed = p->rq.mult[area] != 0 && (p->count_include_pad || p->rq.mult[1] == 0);
	if (!fixed) {
		fprintf(c, "static const int32_t %s_mult[%d] = { /* [cnt]: M = s_in/(s_out*cnt) */", L, p->rq.n);
		for (int i = 0; i < p->rq.n; i++)
			fprintf(c, "%s%d,", i % 8 ? " " : "\n\t", (int)p->rq.mult[i]);
		fprintf(c, "\n};\nstatic const int32_t %s_shift[%d] = {", L, p->rq.n);
		for (int i = 0; i < p->rq.n; i++)
			fprintf(c, "%s%d,", i % 16 ? " " : "\n\t", (int)p->rq.shift[i]);
		fprintf(c, "\n};\n");
	}
	signature(c, g, n);
	if (c8) {
		fprintf(c, "\tconst int16x8_t vzp_x = vdupq_n_s16(%d);\n", (int)x->zp);
		clamp_vectors(c, n);
	}
	if (fixed)
		fprintf(c, "\tconst int32_t mult = %d, shift = %d; /* M = %.9g = s_in/(s_out*%d) */\n", (int)p->rq.mult[area],
		        (int)p->rq.shift[area], p->rq.real[area], area);
	pool_loops(c, n);
	if (!fixed) {
		fprintf(c, "\t\tint cnt = 0; /* in-bounds elements of the window */\n");
		pool_taps_open(c, n, "\t\t");
		fprintf(c, "\t\t\t(void)px;\n\t\t\tcnt++;\n\t\t}\n");
		fprintf(c, "\t\tconst int32_t mult = %s_mult[cnt], shift = %s_shift[cnt];\n", L, L);
	}
	if (c8) {
		fprintf(c, "\t\tconst int32x4_t vmult = vdupq_n_s32(mult), vshift = vdupq_n_s32(shift);\n");
		fprintf(c, "\t\tfor (int c = 0; c < %lld; c += 8) {\n", LL(c8));
		fprintf(c, "\t\t\tint32x4_t vsum0123 = vdupq_n_s32(0), vsum4567 = vdupq_n_s32(0);\n");
		pool_taps_open(c, n, "\t\t\t");
		fprintf(c, "\t\t\t\tconst int16x8_t vq = vsubq_s16(qrt_load_%s_x8(px + c), vzp_x);\n", xl.sfx);
		fprintf(c, "\t\t\t\tvsum0123 = vaddw_s16(vsum0123, vget_low_s16(vq));\n");
		fprintf(c, "\t\t\t\tvsum4567 = vaddw_high_s16(vsum4567, vq);\n\t\t\t}\n");
		fprintf(c, "\t\t\tvsum0123 = qrt_requant_even_x4(vsum0123, vmult, vshift, vzp, vlo, vhi);\n");
		fprintf(c, "\t\t\tvsum4567 = qrt_requant_even_x4(vsum4567, vmult, vshift, vzp, vlo, vhi);\n");
		fprintf(c, "\t\t\tvst1_%s(yp + c, qrt_pack_%s_x8(vsum0123, vsum4567));\n\t\t}\n", y.sfx, y.sfx);
	}
	if (C > c8) {
		fprintf(c, "\t\tfor (int c = %lld; c < %lld; c++) { /* the last %lld: scalar */\n", LL(c8), LL(C), LL(C - c8));
		fprintf(c, "\t\t\tint32_t sum = 0;\n");
		pool_taps_open(c, n, "\t\t\t");
		fprintf(c, "\t\t\t\tsum += px[c] - %d;\n\t\t\t}\n", (int)x->zp);
		fprintf(c, "\t\t\typ[c] = (%s)qrt_requant_even(sum, mult, shift, %d, %d, %d);\n\t\t}\n", y.t, (int)n->zp,
		        (int)n->lo, (int)n->hi);
	}
	fprintf(c, "\t}\n}\n");
}

/* ---- entry points ---- */

void cg_neon_prologue(FILE *c, Graph *g, const CgOptions *o)
{
	(void)g;
	(void)o;
	fprintf(c, "#include \"qrt_neon.h\" /* NEON forms of the qrt.h primitives; includes <arm_neon.h> */\n");
}

void cg_neon_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o)
{
	if (!n->kernel || !strstr(n->kernel, "__neon")) { /* portable, or a shared kernel (quantize_x16) */
		cg_c_emit_node(c, g, n, o);
		return;
	}
	cg_layer_comment(c, g, n, o);
	fprintf(c, "/* kernel %s: %s */\n", n->kernel, n->kernel_note ? n->kernel_note : "");
	switch (n->op) {
	case OP_CONV2D:
	case OP_LINEAR:
		if (cg_is_depthwise(n))
			emit_dwconv(c, g, n);
		else
			emit_conv(c, g, n);
		break;
	case OP_ADD: emit_add(c, g, n); break;
	case OP_MAXPOOL2D: emit_maxpool(c, g, n); break;
	case OP_AVGPOOL2D:
	case OP_GLOBAL_AVGPOOL: emit_avgpool(c, g, n); break;
	default: die("neon: no kernel %s for %s", n->kernel, op_info[n->op].name);
	}
}
