/* The AVX-512 VNNI target (Cascade Lake, Ice Lake, Sapphire Rapids, Zen 4):
 * vpdpbusd kernels with the requantization fused in, for conv2d (groups 1:
 * 3x3, 1x1, the 3-channel stem, any kernel), linear, depthwise conv2d, add,
 * max pooling and global average pooling.  Every other node, and any node these kernels
 * do not take, uses the portable kernel of emit_c.c.
 *
 * The multiply: vpdpbusd multiplies four u8 x s8 pairs per int32 lane and
 * adds them to the lane WITHOUT intermediate saturation (vpdpbusds, the
 * saturating form, is never used), so a u8 input and int8 weights give the
 * exact int32 sums of the contract.  An i8 input is offset to u8 by +128
 * (x ^ 0x80) when it is copied, and the bias absorbs it: B' = B - 128*sum(w).
 * B' is stored modulo 2^32: int32 additions wrap, and the final sum is the
 * contract's accumulator, which qcc proved fits int32.
 *
 * Output must equal the portable kernel's bit for bit: padding reads as the
 * input zero point (a zp-filled padded copy of the input in the arena
 * scratch, so the inner loops have no bounds checks), weights of padding
 * channels and taps are 0, and requantization is qrt_requant_x16
 * (runtime/qrt_avx512.h): 64-bit products, vpsravq and a 64-bit clamp to
 * [lo-zp, hi-zp] before narrowing.  Channel remainders are masked stores.
 *
 * Speed (bench/README.md):
 *  - conv/linear: MR pixels x 16*NV channels register tiles (MR up to 7,
 *    9, 14, 24 for NV = 4, 3, 2, 1, chosen per layer by a cycle model of
 *    the row and its remainder) with compile-time shapes; the weights are
 *    prepacked as [oc tile][kernel row][quad][oc lane][4 bytes], one
 *    broadcast quad of input per pixel and step.  The k loop of each
 *    microkernel is one inline-asm statement with every accumulator in a
 *    fixed zmm register (gcc, given intrinsics, copied and spilled them:
 *    20 % slower on l2); the sums leave through a 64-byte-aligned stack
 *    array to the intrinsics requantization.  QRT_ASM_X16=0 (and the SIMDe
 *    build) compute the same sums with qrt_conv_sums_x16.  When a layer's
 *    weights pass 1 MB (L2), each k step also prefetches (prefetcht1) a line
 *    of the next oc tile's weights, spreading their L3 traffic over the
 *    current tile's rows.  1x1 stride-1
 *    convs and linear are one GEMM over all OH*OW pixels (cg_conv_geom).
 *  - requantization: when narrow_requant_ok proves zp + rshr(acc*M) fits
 *    int32 for every reachable accumulator, qrt_scale_x16 narrows first and
 *    the saturating packs (vpackssdw, vpackuswb/vpacksswb) are the clamp;
 *    64 channels leave as one (masked) 64-byte store.
 *  - depthwise: 64-channel groups whose tap quads are built with in-lane
 *    zmm unpacks (see the section below), 3 vpdpbusd per 16 channels and
 *    pixel for 3x3, 4 pixels a step with the weights and the requantization
 *    constants as memory operands (registers hold the 16 sums), the packed
 *    requantization; 16-channel blocks after the last group.
 *  - --contract=pytorch: conv (groups 1) and linear requantize with
 *    qrt_requant_fp32_x16 (embedded round-to-nearest-even, MXCSR-proof)
 *    into the packed store, u8 adds with qrt_add_away_x16; depthwise stays
 *    on the portable kernel.
 *  - add: 32 elements a step in int16 lanes, vpmaddwd with the multipliers
 *    split in 16-bit halves (qrt_add_x32); max pooling: 64 channels a
 *    vector, the tap loops bounded to the input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

#define LL(x) ((long long)(x))

static const char *dt_tag(DType t) { return t == DT_U8 ? "u8s8" : "s8s8"; }

/* The input offset that makes it u8 for vpdpbusd, and its zero point there. */
static int x_offset(const Node *n) { return n->in[0]->dtype == DT_I8 ? 128 : 0; }
static int x_zp_u8(const Node *n) { return (int)n->in[0]->zp + x_offset(n); }

static int64_t weight_sum(const Node *n, int64_t o)
{
	const Const *w = n->u.conv.weight;
	int64_t k = w->count / w->dims[0], s = 0;
	const int8_t *d = w->data;
	for (int64_t i = 0; i < k; i++)
		s += d[o * k + i];
	return s;
}

/* An int32 literal; INT32_MIN cannot be written as one. */
static void print_i32(FILE *c, int32_t v)
{
	if (v == INT32_MIN)
		fprintf(c, "(-2147483647 - 1)");
	else
		fprintf(c, "%d", (int)v);
}

/* Per-channel constants, `count` entries (channels past `real` are padding:
 * bias 0, multiplier 0, shift 32).  The bias is B' = B - xoff*sum(w) mod 2^32. */
static void bias_constants(FILE *c, Graph *g, const Node *n, int64_t count, int64_t real)
{
	const ConvAttr *a = &n->u.conv;
	int xoff = x_offset(n);
	fprintf(c, "static const int32_t %s_bias[%lld] __attribute__((aligned(64))) = {\n", cg_layer(g, n), LL(count));
	if (xoff)
		fprintf(c, "\t/* folded bias - 128*sum(w): the input is offset by +128 to u8 (mod 2^32) */\n");
	else
		fprintf(c, "\t/* folded bias rne(b/(s_in*s_w)) - zp_in*sum(w) */\n");
	for (int64_t o = 0; o < count; o++) {
		fprintf(c, "%s", o % 8 ? " " : "\t");
		int64_t v = o < real ? a->bias_q[o] - (int64_t)xoff * weight_sum(n, o) : 0;
		print_i32(c, (int32_t)(uint32_t)(uint64_t)v);
		fprintf(c, ",%s", o % 8 == 7 || o + 1 == count ? "\n" : "");
	}
	fprintf(c, "};\n");
}

/* The pytorch contract's float32 scales (s_w *f s_in) *f (1 /f s_out), 0
 * past the real channels. */
static void scale_constants(FILE *c, Graph *g, const Node *n, int64_t count, int64_t real)
{
	const Requant *rq = &n->u.conv.rq;
	fprintf(c, "/* pytorch contract: QNNPACK's float32 scales (s_w * s_in) * (1 / s_out) */\n");
	fprintf(c, "static const float %s_scale[%lld] __attribute__((aligned(64))) = {\n", cg_layer(g, n), LL(count));
	for (int64_t o = 0; o < count; o++)
		if (o < real)
			fprintf(c, "\t%af, /* [%lld] %.9g */\n", (double)rq->scale[o], LL(o), (double)rq->scale[o]);
		else
			fprintf(c, "\t0.0f, /* [%lld] padding */\n", LL(o));
	fprintf(c, "};\n");
}

static void channel_constants(FILE *c, Graph *g, const Node *n, int64_t count, int64_t real)
{
	const ConvAttr *a = &n->u.conv;
	const char *L = cg_layer(g, n);
	bias_constants(c, g, n, count, real);
	fprintf(c, "static const int32_t %s_mult[%lld] __attribute__((aligned(64))) = {\n", L, LL(count));
	for (int64_t o = 0; o < count; o++)
		if (o < real)
			fprintf(c, "\t%d, /* [%lld] M = %.9g */\n", (int)a->rq.mult[o], LL(o), a->rq.real[o]);
		else
			fprintf(c, "\t0, /* [%lld] padding */\n", LL(o));
	fprintf(c, "};\nstatic const int32_t %s_shift[%lld] __attribute__((aligned(64))) = {", L, LL(count));
	for (int64_t o = 0; o < count; o++)
		fprintf(c, "%s%d,", o % 16 ? " " : "\n\t", o < real ? (int)a->rq.shift[o] : 32);
	fprintf(c, "\n};\n");
}

/* Whether every accumulator the layer can produce requantizes to a value
 * that fits int32 with the zero point added: |acc| <= |B| + sum|w| * max|x -
 * zx| over the input dtype's range, |rshr(acc*mult, n)| <= |acc*mult|/2^n +
 * 1.  Then qrt_scale_x16 narrows before the clamp, and the clamp is the
 * saturating pack (plus a byte min/max for a narrower [lo, hi]). */
static int narrow_requant_ok(const Node *n)
{
	const ConvAttr *a = &n->u.conv;
	const Const *w = a->weight;
	int32_t xlo, xhi;
	ir_dtype_range(n->in[0]->dtype, &xlo, &xhi);
	double zx = (double)n->in[0]->zp, xr = zx - xlo > xhi - zx ? zx - xlo : xhi - zx;
	int64_t oc = w->dims[0], k = w->count / oc;
	const int8_t *d = w->data;
	for (int64_t o = 0; o < oc; o++) {
		double sw = 0;
		for (int64_t i = 0; i < k; i++)
			sw += d[o * k + i] < 0 ? -d[o * k + i] : d[o * k + i];
		double acc = fabs((double)a->bias_q[o]) + sw * xr;
		double r = acc * fabs((double)a->rq.mult[o]) / ldexp(1.0, a->rq.shift[o]) + 1;
		if (r + 256 > 2147483000.0) /* < 2^31 with a margin for the double arithmetic */
			return 0;
	}
	return 1;
}

/* The vpdpbusd bias of each lane (B' as in channel_constants) and the
 * QrtScale16 table of each 16 lanes; chan[l] is lane l's channel, or -1
 * for a padding lane (bias 0, mult 0). */
static void lane_constants(FILE *c, Graph *g, const Node *n, int64_t count, const int64_t *chan)
{
	const ConvAttr *a = &n->u.conv;
	const char *L = cg_layer(g, n);
	int xoff = x_offset(n);
	fprintf(c, "static const int32_t %s_bias[%lld] __attribute__((aligned(64))) = {\n", L, LL(count));
	fprintf(c, xoff ? "\t/* folded bias - 128*sum(w): the input is offset by +128 to u8 (mod 2^32) */\n"
	                : "\t/* folded bias rne(b/(s_in*s_w)) - zp_in*sum(w) */\n");
	for (int64_t l = 0; l < count; l++) {
		int64_t o = chan[l];
		int64_t v = o >= 0 ? a->bias_q[o] - (int64_t)xoff * weight_sum(n, o) : 0;
		fprintf(c, "%s", l % 8 ? " " : "\t");
		print_i32(c, (int32_t)(uint32_t)(uint64_t)v);
		fprintf(c, ",%s", l % 8 == 7 || l + 1 == count ? "\n" : "");
	}
	fprintf(c, "};\n/* mult, 2^(shift-1) and shift of the even and the odd lanes of each 16 */\n");
	fprintf(c, "static const QrtScale16 %s_rq[%lld] __attribute__((aligned(64))) = {\n", L, LL(count / 16));
	static const char *field[6] = {"me", "mo", "re", "ro", "ne", "no"};
	for (int64_t b = 0; b < count / 16; b++) {
		fprintf(c, "\t{ /* lanes %lld..%lld */\n", LL(16 * b), LL(16 * b + 15));
		for (int f = 0; f < 6; f++) {
			fprintf(c, "\t\t{");
			for (int j = 0; j < 8; j++) {
				int64_t o = chan[16 * b + 2 * j + (f & 1)];
				int sh = o >= 0 ? a->rq.shift[o] : 32;
				long long v = f < 2 ? (o >= 0 ? a->rq.mult[o] : 0) : f < 4 ? 1LL << (sh - 1) : sh;
				fprintf(c, "%s%lldLL", j ? ", " : "", v);
			}
			fprintf(c, "}, /* %s */\n", field[f]);
		}
		fprintf(c, "\t},\n");
	}
	fprintf(c, "};\n");
	int k = 0;
	for (int64_t l = 0; l < count; l++)
		if (chan[l] >= 0)
			fprintf(c, "%s[%lld] M = %.9g", k++ % 4 ? ", " : k > 1 ? " */\n/* " : "/* ", LL(chan[l]), a->rq.real[chan[l]]);
	fprintf(c, "%s", k ? " */\n" : "");
}

/* The clamp and pack of four scaled vectors a, b, c, d into 64 bytes `out`:
 * the saturating pack is the dtype's clamp; a narrower [lo, hi] adds a
 * byte min/max. */
static void emit_pack(FILE *c, const Node *n, const char *ind, const char *out, const char *v[4])
{
	int u8 = n->dtype == DT_U8;
	int32_t dlo, dhi;
	ir_dtype_range(n->dtype, &dlo, &dhi);
	fprintf(c, "%s__m512i %s = qrt_pack_%s_x64(%s, %s, %s, %s);\n", ind, out, u8 ? "u8" : "i8", v[0], v[1], v[2], v[3]);
	if (n->lo > dlo)
		fprintf(c, "%s%s = _mm512_max_ep%s8(%s, _mm512_set1_epi8(%d));\n", ind, out, u8 ? "u" : "i", out, (int)(int8_t)n->lo);
	if (n->hi < dhi)
		fprintf(c, "%s%s = _mm512_min_ep%s8(%s, _mm512_set1_epi8(%d));\n", ind, out, u8 ? "u" : "i", out, (int)(int8_t)n->hi);
}

/* ---- conv2d (groups 1) and linear: MR pixels x NR = 16*NV channels ---- */

typedef struct ConvPlan {
	CgGeom g;
	int per_tap;              /* dilation_w > 1: one segment per (ky,kx) instead of per ky */
	int64_t cstride;          /* bytes per pixel in what the kernel reads */
	int64_t lseg, lq;         /* bytes of a segment; quads, rounded up */
	int64_t nseg;
	int direct;               /* reads x itself: u8, unpadded, no partial quad */
	int nv, mr;               /* vectors of 16 channels per full tile; pixels per tile */
	int64_t nr, tfull, tail;  /* channels per full tile; full tiles; channels in the last */
	int nvt;                  /* vectors of the last, partial tile */
	int narrow;               /* narrow_requant_ok, or fp32: a packed 64-byte store */
	int fp32;                 /* pytorch contract: qrt_requant_fp32_x16 with the _scale array */
	int pf;                   /* the weights pass L2: each k step prefetches a line of the next oc tile's */
} ConvPlan;

/* The most pixels a tile of nv vectors takes: m*nv accumulators, the
 * broadcast and at least one weight register within the 32 zmm. */
static const int mr_max[5] = {0, 24, 14, 9, 7};

/* Weight vectors a tile keeps in registers; the rest are vpdpbusd memory
 * operands. */
static int conv_wregs(int m, int nv)
{
	int room = 31 - m * nv;
	return room < nv ? room : nv;
}

/* A model of one tile's cycles, to choose the pixels per tile: per quad,
 * two vpdpbusd a cycle, or the loads, or the latency of one chain when
 * there are few; plus the requantization and the call. */
static double tile_cost(int m, int nv, int64_t steps)
{
	int dp = m * nv, w = conv_wregs(m, nv);
	double loads = w + m + (double)(nv - w) * m;
	double step = dp / 2.0 > loads / 2.0 ? dp / 2.0 : loads / 2.0;
	if (step < 4)
		step = 4;
	return (double)steps * step + 3.0 * dp + 20;
}

static ConvPlan conv_plan(const Node *n)
{
	ConvPlan p;
	p.g = cg_conv_geom(n);
	p.per_tap = p.g.dw > 1;
	p.cstride = p.per_tap ? cg_round_up(p.g.IC, 4) : p.g.IC;
	p.lseg = p.per_tap ? p.cstride : p.g.kw * p.g.IC;
	p.lq = (p.lseg + 3) / 4;
	p.nseg = p.per_tap ? (int64_t)p.g.kh * p.g.kw : p.g.kh;
	int padded = p.g.pt || p.g.pl || p.g.pb || p.g.pr;
	p.direct = !x_offset(n) && !padded && p.cstride == p.g.IC && p.lseg % 4 == 0;
	int64_t nvec = (p.g.OC + 15) / 16;
	p.nv = nvec < 4 ? (int)nvec : 4;
	/* pixels per tile: the fewest modelled cycles for a row of OW */
	int64_t steps = p.nseg * p.lq;
	double best = 0;
	p.mr = 1;
	for (int m = 1; m <= mr_max[p.nv]; m++) {
		int64_t full = p.g.OW / m, rem = p.g.OW % m;
		double cost = (double)full * tile_cost(m, p.nv, steps) + (rem ? tile_cost((int)rem, p.nv, steps) : 0);
		if (m == 1 || cost <= best)
			best = cost, p.mr = m;
	}
	p.nr = 16 * p.nv;
	p.tfull = p.g.OC / p.nr;
	p.tail = p.g.OC % p.nr;
	p.nvt = (int)((p.tail + 15) / 16);
	p.fp32 = n->u.conv.rq.scale != NULL;
	p.pf = (p.tfull + (p.tail > 0)) * p.nr * p.nseg * p.lq * 4 > ((int64_t)1 << 20) && p.tfull > 1;
	p.narrow = p.fp32 || narrow_requant_ok(n);
	return p;
}

/* The padded copy, plus 4 bytes: a segment's last quad may read up to 3
 * bytes past it (times zero weights). */
static int64_t conv_scratch(const ConvPlan *p)
{
	return p->direct ? 0 : cg_round_up(p->g.IHp * p->g.IWp * p->cstride + 4, 64);
}

/* Whether every constant the asm k loop encodes (displacements, strides,
 * the quad count) fits a sign-extended 32-bit immediate, with room. */
static int conv_asm_ok(const ConvPlan *p)
{
	const CgGeom *G = &p->g;
	int64_t ystep = G->dh * G->IWp * p->cstride, xtap = G->dw * p->cstride, xpix = G->sw * p->cstride;
	int64_t big = (int64_t)1 << 30;
	return ystep < big && xtap * G->kw < big && xpix * mr_max[p->nv] < big && p->lq * 4 < big;
}

static void select_conv(Graph *g, Node *n)
{
	ConvPlan p = conv_plan(n);
	if (!conv_asm_ok(&p)) {
		n->kernel_note = "strides or the reduction too long for the avx512vnni microkernel's 32-bit immediates";
		return;
	}
	const char *tag = dt_tag(n->in[0]->dtype);
	if (n->op == OP_LINEAR)
		n->kernel = arena_printf(g->arena, "linear_%s_%dx%lld__avx512vnni", tag, p.mr, LL(p.nr));
	else
		n->kernel = arena_printf(g->arena, "conv%dx%d_%s_%dx%lld__avx512vnni", p.g.kh, p.g.kw, tag, p.mr, LL(p.nr));
	n->kernel_note = arena_printf(g->arena, "vpdpbusd, u8 x s8 quads, no saturation; %s%s%s",
	                              p.direct ? "reads the input in place" : "zp-padded u8 copy of the input",
	                              x_offset(n) ? ", i8 input +128 with the bias - 128*sum(w)" : "",
	                              p.fp32 ? "; pytorch contract: qrt_requant_fp32_x16" : "");
	n->scratch_bytes = conv_scratch(&p);
}

/* Weight of output channel o at byte j of segment s (0 past the segment,
 * past the real input channels or past OC). */
static int conv_w(const Node *n, const ConvPlan *p, int64_t o, int64_t s, int64_t j)
{
	if (o >= p->g.OC || j >= p->lseg)
		return 0;
	int64_t ky, kx, ic;
	if (p->per_tap)
		ky = s / p->g.kw, kx = s % p->g.kw, ic = j;
	else
		ky = s, kx = j / p->g.IC, ic = j % p->g.IC;
	if (ic >= p->g.IC)
		return 0;
	const int8_t *w = n->u.conv.weight->data;
	return w[((o * p->g.IC + ic) * p->g.kh + ky) * p->g.kw + kx];
}

static void conv_weights(FILE *c, Graph *g, const Node *n, const ConvPlan *p)
{
	const char *L = cg_layer(g, n);
	int64_t ntiles = p->tfull + (p->tail > 0);
	int64_t count = (p->tfull * p->nr + p->nvt * 16) * p->nseg * p->lq * 4;
	fprintf(c, "/* Weights packed for vpdpbusd: [oc tile][%s %lld][quad %lld][oc lane][4 bytes],\n"
	           " * tiles of %lld channels%s; a segment is %s (%lld bytes, padded to %lld).\n"
	           " * Bytes past the segment, past the input channels or past oc %lld are 0. */\n",
	        p->per_tap ? "tap" : "ky", LL(p->nseg), LL(p->lq), LL(p->nr),
	        p->tail ? arena_printf(g->arena, " (the last %lld, in %d vector%s)", LL(p->tail), p->nvt, p->nvt > 1 ? "s" : "")
	                : "",
	        p->per_tap ? "one tap's input channels" : "one kernel row, KW*IC contiguous bytes", LL(p->lseg),
	        LL(p->lq * 4), LL(p->g.OC - 1));
	fprintf(c, "static const int8_t %s_w[%lld] __attribute__((aligned(64))) = {", L, LL(count));
	for (int64_t t = 0; t < ntiles; t++) {
		int64_t o0 = t * p->nr, lanes = t < p->tfull ? p->nr : p->nvt * 16;
		for (int64_t s = 0; s < p->nseg; s++) {
			fprintf(c, "\n\t/* oc %lld..%lld, %s %lld */", LL(o0), LL(o0 + lanes - 1), p->per_tap ? "tap" : "ky", LL(s));
			for (int64_t k = 0; k < p->lq; k++)
				for (int64_t o = o0; o < o0 + lanes; o++) {
					if ((o - o0) % 8 == 0)
						fprintf(c, "\n\t");
					for (int j = 0; j < 4; j++)
						fprintf(c, "%d,%s", conv_w(n, p, o, s, 4 * k + j), j == 3 && (o - o0) % 8 != 7 ? "  " : j < 3 ? " " : "");
				}
		}
	}
	fprintf(c, "\n};\n");
	count = p->tfull * p->nr + p->nvt * 16;
	if (p->fp32) {
		bias_constants(c, g, n, count, p->g.OC);
		scale_constants(c, g, n, count, p->g.OC);
		return;
	}
	if (!p->narrow) {
		channel_constants(c, g, n, count, p->g.OC);
		return;
	}
	int64_t *chan = malloc((size_t)count * sizeof *chan);
	for (int64_t l = 0; l < count; l++)
		chan[l] = l < p->g.OC ? l : -1;
	lane_constants(c, g, n, count, chan);
	free(chan);
}

/* The k loop of an m x 16*nv tile as one asm statement: accumulator
 * (i, v) lives in zmm(i*nv + v) from the bias load to the store into acc;
 * the first wregs weight vectors of a quad are loaded into the registers
 * after them, the others are memory operands; the broadcast quad takes the
 * next register.  In assembly because gcc, given the same intrinsics,
 * copies accumulators between registers and spills them every step. */
static void emit_conv_asm(FILE *c, const ConvPlan *p, int m, int nv)
{
	const CgGeom *G = &p->g;
	int nw = conv_wregs(m, nv), wb = m * nv, vb = m * nv + nw;
	int64_t ystep = G->dh * G->IWp * p->cstride, xtap = G->dw * p->cstride, xpix = G->sw * p->cstride;
	fprintf(c, "\tlong ky%s, k;\n\t__asm__ volatile(\n", p->per_tap ? ", kx" : "");
	for (int v = 0; v < nv; v++)
		fprintf(c, "\t\t\"vmovdqa64 %d(%%[bias]), %%%%zmm%d\\n\\t\"\n", 64 * v, v);
	for (int i = 1; i < m; i++) {
		fprintf(c, "\t\t\"");
		for (int v = 0; v < nv; v++)
			fprintf(c, "vmovdqa64 %%%%zmm%d, %%%%zmm%d\\n\\t", v, i * nv + v);
		fprintf(c, "\"\n");
	}
	fprintf(c, "\t\t\"mov $%d, %%[ky]\\n\"\n\t\t\"1:\\n\\t\"\n", G->kh);
	if (p->per_tap)
		fprintf(c, "\t\t\"mov $%d, %%[kx]\\n\"\n\t\t\"2:\\n\\t\"\n", G->kw);
	fprintf(c, "\t\t\"xor %%k[k], %%k[k]\\n\"\n\t\t\"3:\\n\\t\" /* one quad of each pixel's segment */\n");
	for (int v = 0; v < nw; v++)
		fprintf(c, "\t\t\"vmovdqa64 %d(%%[w]), %%%%zmm%d\\n\\t\"\n", 64 * v, wb + v);
	for (int i = 0; i < m; i++) {
		fprintf(c, "\t\t\"vpbroadcastd %lld(%%[x],%%[k]), %%%%zmm%d\\n\\t", LL(i * xpix), vb);
		for (int v = 0; v < nv; v++) {
			if (v < nw)
				fprintf(c, "vpdpbusd %%%%zmm%d, %%%%zmm%d, %%%%zmm%d\\n\\t", wb + v, vb, i * nv + v);
			else
				fprintf(c, "vpdpbusd %d(%%[w]), %%%%zmm%d, %%%%zmm%d\\n\\t", 64 * v, vb, i * nv + v);
		}
		fprintf(c, "\"\n");
	}
	if (p->pf)
		fprintf(c, "\t\t\"prefetcht1 (%%[pf])\\n\\t\"\n\t\t\"add $64, %%[pf]\\n\\t\"\n");
	fprintf(c, "\t\t\"add $%d, %%[w]\\n\\t\"\n\t\t\"add $4, %%[k]\\n\\t\"\n\t\t\"cmp $%lld, %%[k]\\n\\t\"\n"
	           "\t\t\"jb 3b\\n\\t\"\n", 64 * nv, LL(p->lq * 4));
	if (p->per_tap)
		fprintf(c, "\t\t\"add $%lld, %%[x]\\n\\t\"\n\t\t\"dec %%[kx]\\n\\t\"\n\t\t\"jnz 2b\\n\\t\"\n"
		           "\t\t\"add $%lld, %%[x]\\n\\t\" /* the next kernel row */\n", LL(xtap), LL(ystep - G->kw * xtap));
	else
		fprintf(c, "\t\t\"add $%lld, %%[x]\\n\\t\" /* the next kernel row */\n", LL(ystep));
	fprintf(c, "\t\t\"dec %%[ky]\\n\\t\"\n\t\t\"jnz 1b\\n\\t\"\n");
	for (int r = 0; r < m * nv; r++)
		fprintf(c, "%svmovdqa64 %%%%zmm%d, %d(%%[acc])\\n\\t%s", r % 4 ? "" : "\t\t\"", r, 64 * r,
		        r % 4 == 3 || r + 1 == m * nv ? "\"\n" : "");
	fprintf(c, "\t\t: [x] \"+r\"(x), [w] \"+r\"(w), [ky] \"=&r\"(ky), %s%s[k] \"=&r\"(k)\n"
	           "\t\t: [bias] \"r\"(bias), [acc] \"r\"(acc)\n\t\t: \"cc\", \"memory\"",
	        p->per_tap ? "[kx] \"=&r\"(kx), " : "", p->pf ? "[pf] \"+r\"(pf), " : "");
	for (int r = 0; r <= vb; r++)
		fprintf(c, "%s\"zmm%d\"", r % 8 ? ", " : ",\n\t\t  ", r);
	fprintf(c, ");\n");
}

/* One microkernel: m pixels x 16*nv channels from oc0; the last vector's
 * stores are masked by mlast (a channel remainder). */
static void emit_conv_tile(FILE *c, Graph *g, const Node *n, const ConvPlan *p, int m, int nv)
{
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	const CgGeom *G = &p->g;
	fprintf(c, "\n/* %d output pixel%s x %d output channels [oc0, oc0+%d) */\n", m, m > 1 ? "s" : "", 16 * nv, 16 * nv);
	fprintf(c, "QRT_KERNEL_X16\nstatic void %s_tile%dx%d(const uint8_t *restrict x, const int8_t *restrict w, int oc0, "
	           "%s, %s *restrict y%s)\n{\n", L, m, 16 * nv, p->narrow ? "__mmask64 mstore" : "__mmask16 mlast", ty,
	        p->pf ? ", uintptr_t pf" : "");
	fprintf(c, "\tconst int32_t *bias = %s_bias + oc0;\n", L);
	fprintf(c, "\tint32_t acc[%d] __attribute__((aligned(64))); /* the sums, [pixel][channel] */\n", m * 16 * nv);
	fprintf(c, "#if QRT_ASM_X16\n");
	emit_conv_asm(c, p, m, nv);
	fprintf(c, "#else\n%s\tqrt_conv_sums_x16(x, w, bias, acc, %d, %d, %lld, %d, %lld, %d, %lld, %lld);\n#endif\n",
	        p->pf ? "\t(void)pf;\n" : "", m, nv,
	        LL(G->sw * p->cstride), G->kh, LL(G->dh * G->IWp * p->cstride), p->per_tap ? G->kw : 1,
	        LL(p->per_tap ? G->dw * p->cstride : 0), LL(p->lq));
	if (p->narrow) {
		fprintf(c, "\t/* requantize (zp %d), clamp [%d, %d] and pack each pixel's %d channels */\n", (int)n->zp,
		        (int)n->lo, (int)n->hi, 16 * nv);
		if (p->fp32)
			fprintf(c, "\tconst float *scale = %s_scale + oc0; /* pytorch contract */\n", L);
		else
			fprintf(c, "\tconst __m512i vzp = _mm512_set1_epi32(%d);\n\tconst QrtScale16 *rq = %s_rq + oc0 / 16;\n",
			        (int)n->zp, L);
		for (int i = 0; i < m; i++) {
			char buf[4][128];
			const char *v[4];
			for (int k = 0; k < 4; k++) {
				if (k < nv && p->fp32)
					snprintf(buf[k], sizeof buf[k], "qrt_requant_fp32_x16(_mm512_load_si512((const void *)(acc + %d)), "
					         "_mm512_load_ps(scale + %d), %d, %d, %d)", (i * nv + k) * 16, 16 * k, (int)n->zp, (int)n->lo,
					         (int)n->hi);
				else if (k < nv)
					snprintf(buf[k], sizeof buf[k], "qrt_scale_x16(_mm512_load_si512((const void *)(acc + %d)), rq + %d, vzp)",
					         (i * nv + k) * 16, k);
				else
					snprintf(buf[k], sizeof buf[k], "_mm512_setzero_si512()");
				v[k] = buf[k];
			}
			fprintf(c, "\t{\n");
			emit_pack(c, n, "\t\t", "vout", v);
			fprintf(c, "\t\t_mm512_mask_storeu_epi8(y + %lld, mstore, qrt_unpack_order_x64(vout));\n\t}\n",
			        LL(i * G->OC));
		}
		fprintf(c, "}\n");
		return;
	}
	fprintf(c, "\t/* requantize: zp %d, clamp [%d, %d] */\n", (int)n->zp, (int)n->lo, (int)n->hi);
	for (int v = 0; v < nv; v++) {
		fprintf(c, "\tconst __m512i vmult%d = _mm512_load_si512((const void *)(%s_mult + oc0 + %d));\n", v, L, 16 * v);
		fprintf(c, "\tconst __m512i vshift%d = _mm512_load_si512((const void *)(%s_shift + oc0 + %d));\n", v, L, 16 * v);
	}
	for (int i = 0; i < m; i++)
		for (int v = 0; v < nv; v++) {
			fprintf(c, "\tqrt_store_x16(y + %lld, %s, qrt_requant_x16(_mm512_load_si512((const void *)(acc + %d)), "
			           "vmult%d, vshift%d, %d, %d, %d));\n",
			        LL(i * G->OC + 16 * v), v + 1 == nv ? "mlast" : "0xFFFF", (i * nv + v) * 16, v, v, (int)n->zp,
			        (int)n->lo, (int)n->hi);
		}
	fprintf(c, "}\n");
}

/* Every output row for the tiles of 16*nv channels: `head` opens the block
 * and defines t (the tile) and oc0.  The oc tile is the outer loop: its
 * weights come into cache once and serve every row (the 7x7 layers of a
 * ResNet have 2.4 MB of weights, more than L2). */
static void emit_conv_rows(FILE *c, const char *L, const char *ty, const ConvPlan *p, const char *head, int nv,
                           const char *mask)
{
	const CgGeom *G = &p->g;
	int64_t full = G->OW / p->mr, rem = G->OW % p->mr, tb = p->nseg * p->lq * 4 * p->nr;
	/* with pf: call j of the tile prefetches the 64-byte lines [j*S, (j+1)*S) of the next tile's weights, S = 64
	 * a k step (prefetch never faults: past the array it only wastes a line) */
	int64_t cpr = full + (rem > 0), sb = p->nseg * p->lq * 64;
	char pf0[96];
	snprintf(pf0, sizeof pf0, ", (uintptr_t)w + %lld + (uintptr_t)(oy * %lld + ", LL(tb), LL(cpr));
	fprintf(c, "%s", head);
	fprintf(c, "\t\tconst int8_t *w = %s_w + t * %lld;\n", L, LL(tb));
	fprintf(c, "\t\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(G->OH));
	fprintf(c, "\t\t\tconst uint8_t *xr = xb + oy * %lld;\n", LL(G->sh * G->IWp * p->cstride));
	fprintf(c, "\t\t\t%s *yr = yb + oy * %lld;\n", ty, LL(G->OW * G->OC));
	if (full) {
		fprintf(c, "\t\t\tfor (int ox = 0; ox < %lld; ox += %d)\n", LL(full * p->mr), p->mr);
		fprintf(c, "\t\t\t\t%s_tile%dx%d(xr + ox * %lld, w, oc0, %s, yr + ox * %lld + oc0", L, p->mr, 16 * nv,
		        LL(G->sw * p->cstride), mask, LL(G->OC));
		if (p->pf)
			fprintf(c, "%sox / %d) * %lld", pf0, p->mr, LL(sb));
		fprintf(c, ");\n");
	}
	if (rem) {
		fprintf(c, "\t\t\t/* OW %% %d = %lld: the last %lld pixel%s */\n", p->mr, LL(rem), LL(rem), rem > 1 ? "s" : "");
		fprintf(c, "\t\t\t%s_tile%lldx%d(xr + %lld, w, oc0, %s, yr + %lld + oc0", L, LL(rem), 16 * nv,
		        LL(full * p->mr * G->sw * p->cstride), mask, LL(full * p->mr * G->OC));
		if (p->pf)
			fprintf(c, "%s%lld) * %lld", pf0, LL(full), LL(sb));
		fprintf(c, ");\n");
	}
	fprintf(c, "\t\t}\n\t}\n");
}

/* The u8 copy of image xb, padded (t l b r) with the input zero point. */
static void emit_fill(FILE *c, const Node *n, const CgGeom *g, int64_t cs, const char *xb, const char *dst)
{
	int zpu = x_zp_u8(n);
	int64_t row = g->IWp * cs;
	const char *copy = n->in[0]->dtype == DT_U8 ? "qrt_copy_u8" : "qrt_copy_i8_as_u8";
	fprintf(c, "\t/* u8 copy of the input%s, padded (t%d l%d b%d r%d) with the zero point %d%s */\n",
	        x_offset(n) ? " + 128" : "", g->pt, g->pl, g->pb, g->pr, zpu,
	        cs > g->IC ? "; channels rounded up to a quad, the extra ones 0" : "");
	if (g->pt)
		fprintf(c, "\tmemset(%s, %d, %lld);\n", dst, zpu, LL(g->pt * row));
	fprintf(c, "\tfor (int iy = 0; iy < %lld; iy++) {\n", LL(g->IH));
	fprintf(c, "\t\tuint8_t *row = %s + (iy + %d) * %lld;\n", dst, g->pt, LL(row));
	if (g->pl)
		fprintf(c, "\t\tmemset(row, %d, %lld);\n", zpu, LL(g->pl * cs));
	if (cs == g->IC)
		fprintf(c, "\t\t%s(row + %lld, %s + iy * %lld, %lld);\n", copy, LL(g->pl * cs), xb, LL(g->IW * g->IC),
		        LL(g->IW * g->IC));
	else {
		fprintf(c, "\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(g->IW));
		fprintf(c, "\t\t\t%s(row + (ix + %d) * %lld, %s + (iy * %lld + ix) * %lld, %lld);\n", copy, g->pl, LL(cs), xb,
		        LL(g->IW), LL(g->IC), LL(g->IC));
		fprintf(c, "\t\t\tmemset(row + (ix + %d) * %lld + %lld, 0, %lld); /* channels past %lld */\n\t\t}\n", g->pl,
		        LL(cs), LL(g->IC), LL(cs - g->IC), LL(g->IC));
	}
	if (g->pr)
		fprintf(c, "\t\tmemset(row + %lld, %d, %lld);\n", LL((g->pl + g->IW) * cs), zpu, LL(g->pr * cs));
	fprintf(c, "\t}\n");
	if (g->pb)
		fprintf(c, "\tmemset(%s + %lld, %d, %lld);\n", dst, LL((g->pt + g->IH) * row), zpu, LL(g->pb * row));
}

static void emit_conv(FILE *c, Graph *g, Node *n)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	ConvPlan p = conv_plan(n);
	const CgGeom *G = &p.g;
	fprintf(c, "/* kernel %s:\n *   %s */\n", n->kernel, n->kernel_note);
	conv_weights(c, g, n, &p);
	int64_t full = G->OW / p.mr, rem = G->OW % p.mr;
	/* the microkernels the rows call: full and remainder pixels, for the
	 * full tiles and for the partial last tile (which may share them) */
	int ms[2] = {full ? p.mr : 0, (int)rem};
	for (int k = 0; k < 2; k++) {
		if (!ms[k])
			continue;
		if (p.tfull)
			emit_conv_tile(c, g, n, &p, ms[k], p.nv);
		if (p.tail && !(p.tfull && p.nvt == p.nv))
			emit_conv_tile(c, g, n, &p, ms[k], p.nvt);
	}
	if (p.direct)
		fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y)\n{\n", L, tx, ty);
	else
		fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y, unsigned char *restrict scratch)\n{\n", L,
		        tx, ty);
	if (!p.direct) {
		int64_t bytes = G->IHp * G->IWp * p.cstride;
		fprintf(c, "\tuint8_t *restrict xp = scratch; /* [%lld][%lld][%lld] */\n", LL(G->IHp), LL(G->IWp),
		        LL(p.cstride));
		fprintf(c, "\tmemset(xp + %lld, 0, 4); /* read (times zero weights) by a segment's last quad */\n", LL(bytes));
	}
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	if (p.direct) {
		fprintf(c, "\tconst uint8_t *xb = x + b * %lld; /* u8, unpadded, whole quads: read in place */\n",
		        LL(G->IH * G->IW * G->IC));
	} else {
		fprintf(c, "\tconst %s *xin = x + b * %lld;\n", tx, LL(G->IH * G->IW * G->IC));
		emit_fill(c, n, G, p.cstride, "xin", "xp");
		fprintf(c, "\tconst uint8_t *xb = xp;\n");
	}
	fprintf(c, "\t%s *yb = y + b * %lld;\n", ty, LL(G->OH * G->OW * G->OC));
	if (p.tfull)
		emit_conv_rows(c, L, ty, &p,
		              arena_printf(g->arena, "\tfor (int t = 0; t < %lld; t++) { /* oc tiles of %lld */\n"
		                                     "\t\tconst int oc0 = t * %lld;\n", LL(p.tfull), LL(p.nr), LL(p.nr)),
		              p.nv, p.narrow ? (p.nv == 4 ? "~0ULL" : arena_printf(g->arena, "0x%llXULL", (1ULL << (16 * p.nv)) - 1))
		                        : "0xFFFF");
	if (p.tail) {
		int last = (int)(p.tail - 16 * (p.nvt - 1));
		emit_conv_rows(c, L, ty, &p,
		              arena_printf(g->arena, "\t{ /* OC %% %lld = %lld: the last tile, oc %lld..%lld */\n"
		                                     "\t\tconst int t = %lld, oc0 = %lld;\n",
		                           LL(p.nr), LL(p.tail), LL(p.tfull * p.nr), LL(G->OC - 1), LL(p.tfull),
		                           LL(p.tfull * p.nr)),
		              p.nvt,
		              p.narrow ? (p.tail == 64 ? "~0ULL"
		                                       : arena_printf(g->arena, "0x%llXULL /* %lld channels */",
		                                                      (1ULL << p.tail) - 1, LL(p.tail)))
		              : last == 16 ? "0xFFFF"
		                           : arena_printf(g->arena, "0x%04X /* %d channels */", (1u << last) - 1, last));
	}
	fprintf(c, "\t}\n}\n");
}

/* ---- depthwise conv2d: 16 channels a vector, 4 taps of a row per vpdpbusd ----
 *
 * The scratch holds the padded input expanded along kx: for every padded
 * pixel (iy, ix) and channel c, the quad x(iy, ix + j*dw, c), j = 0..3.  A
 * kernel row's taps kx = 4q..4q+3 at output column ox are then one aligned
 * 64-byte load (16 channels x 4 taps) at ix = ox*sw + 4q*dw, and one
 * vpdpbusd against the taps' weights (0 past KW): a 3x3 kernel is 3
 * vpdpbusd per 16 channels, with no shuffle in the loop.  The expansion
 * (four byte rows interleaved, qrt_interleave4_u8) is done once per
 * padded input pixel. */

typedef struct DwPlan {
	CgGeom g;
	int64_t cp, nblk;         /* channels rounded up to 16; blocks of 16 */
	int nq;                   /* quads per kernel row: ceil(KW / 4) */
	int mr;                   /* output pixels per step */
	int64_t row_bytes;        /* expanded bytes of one padded input row */
} DwPlan;

static DwPlan dw_plan(const Node *n)
{
	DwPlan p;
	p.g = cg_conv_geom(n);
	p.cp = cg_round_up(p.g.IC, 16);
	p.nblk = p.cp / 16;
	p.nq = (p.g.kw + 3) / 4;
	/* weights stay in registers across the row: kh*nq of them */
	p.mr = p.g.kh * p.nq <= 4 ? 8 : 4;
	p.row_bytes = p.g.IWp * p.cp * 4;
	return p;
}

/* The expanded input, then one padded row of the plain input (with 3*dw
 * pixels of zero point past the right edge for the last quads). */
static int64_t dw_expanded_bytes(const DwPlan *p) { return cg_round_up(p->g.IHp * p->row_bytes, 64); }
static int64_t dw_row_bytes(const DwPlan *p) { return (p->g.IWp + 3 * p->g.dw) * p->cp; }

static void select_dw(Graph *g, Node *n)
{
	DwPlan p = dw_plan(n);
	n->kernel = arena_printf(g->arena, "dwconv%dx%d_%s_%dx16c__avx512vnni", p.g.kh, p.g.kw, dt_tag(n->in[0]->dtype),
	                         p.mr);
	n->kernel_note = arena_printf(g->arena, "vpdpbusd over 4 taps of a kernel row per channel lane (%d per 16 "
	                              "channels and pixel), input expanded along kx in the scratch%s",
	                              p.g.kh * p.nq, x_offset(n) ? "; i8 input +128 with the bias - 128*sum(w)" : "");
	n->scratch_bytes = dw_expanded_bytes(&p) + cg_round_up(dw_row_bytes(&p), 64);
}

static void dw_weights(FILE *c, Graph *g, const Node *n, const DwPlan *p)
{
	const CgGeom *G = &p->g;
	const int8_t *w = n->u.conv.weight->data;
	fprintf(c, "/* Weights [block of 16 channels][ky %d][quad %d][channel lane][taps kx = 4q..4q+3];\n"
	           " * taps past KW = %d and channels past %lld are 0. */\n", G->kh, p->nq, G->kw, LL(G->IC));
	fprintf(c, "static const int8_t %s_w[%lld] __attribute__((aligned(64))) = {", cg_layer(g, n),
	        LL(p->nblk * G->kh * p->nq * 64));
	for (int64_t b = 0; b < p->nblk; b++)
		for (int ky = 0; ky < G->kh; ky++)
			for (int q = 0; q < p->nq; q++) {
				fprintf(c, "\n\t/* channels %lld..%lld, ky %d, kx %d..%d */", LL(b * 16), LL(b * 16 + 15), ky, 4 * q,
				        4 * q + 3);
				for (int i = 0; i < 16; i++) {
					int64_t ch = b * 16 + i;
					fprintf(c, i % 8 ? "  " : "\n\t");
					for (int j = 0; j < 4; j++) {
						int kx = 4 * q + j;
						fprintf(c, "%d,%s", ch < G->IC && kx < G->kw ? w[(ch * G->kh + ky) * G->kw + kx] : 0,
						        j < 3 ? " " : "");
					}
				}
			}
	fprintf(c, "\n};\n");
	channel_constants(c, g, n, p->cp, G->IC);
}

/* The expansion of image xin into the scratch, row by row. */
static void emit_dw_fill(FILE *c, const Node *n, const DwPlan *p)
{
	const CgGeom *G = &p->g;
	int zpu = x_zp_u8(n);
	int64_t cp = p->cp, dw = G->dw;
	const char *copy = n->in[0]->dtype == DT_U8 ? "qrt_copy_u8" : "qrt_copy_i8_as_u8";
	fprintf(c, "\t/* the padded input (zero point %d%s) expanded along kx: quads x(iy, ix + j*%lld) */\n", zpu,
	        x_offset(n) ? ", +128 to u8" : "", LL(dw));
	fprintf(c, "\tfor (int iy = 0; iy < %lld; iy++) {\n", LL(G->IHp));
	fprintf(c, "\t\tuint8_t *e = xe + iy * %lld;\n", LL(p->row_bytes));
	fprintf(c, "\t\tif (iy < %d || iy >= %lld) { /* a padding row */\n", G->pt, LL(G->pt + G->IH));
	fprintf(c, "\t\t\tmemset(e, %d, %lld);\n\t\t\tcontinue;\n\t\t}\n", zpu, LL(p->row_bytes));
	fprintf(c, "\t\t/* the padded row, %lld pixels of %lld channels */\n", LL(G->IWp + 3 * dw), LL(cp));
	if (G->pl)
		fprintf(c, "\t\tmemset(rb, %d, %lld);\n", zpu, LL(G->pl * cp));
	if (cp == G->IC)
		fprintf(c, "\t\t%s(rb + %lld, xin + (iy - %d) * %lld, %lld);\n", copy, LL(G->pl * cp), G->pt,
		        LL(G->IW * G->IC), LL(G->IW * G->IC));
	else {
		fprintf(c, "\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(G->IW));
		fprintf(c, "\t\t\t%s(rb + (ix + %d) * %lld, xin + ((iy - %d) * %lld + ix) * %lld, %lld);\n", copy, G->pl,
		        LL(cp), G->pt, LL(G->IW), LL(G->IC), LL(G->IC));
		fprintf(c, "\t\t\tmemset(rb + (ix + %d) * %lld + %lld, 0, %lld); /* channels past %lld */\n\t\t}\n", G->pl,
		        LL(cp), LL(G->IC), LL(cp - G->IC), LL(G->IC));
	}
	fprintf(c, "\t\tmemset(rb + %lld, %d, %lld);\n", LL((G->pl + G->IW) * cp), zpu, LL((G->pr + 3 * dw) * cp));
	fprintf(c, "\t\tfor (int ix = 0; ix < %lld; ix++)\n", LL(G->IWp));
	fprintf(c, "\t\t\tfor (int c = 0; c < %lld; c += 16) {\n", LL(cp));
	fprintf(c, "\t\t\t\tconst uint8_t *s = rb + ix * %lld + c;\n", LL(cp));
	fprintf(c, "\t\t\t\tqrt_interleave4_u8(e + (ix * %lld + c) * 4,\n", LL(cp));
	for (int j = 0; j < 4; j++)
		fprintf(c, "\t\t\t\t                   _mm_loadu_si128((const __m128i *)(const void *)(s + %lld))%s\n",
		        LL(j * dw * cp), j < 3 ? "," : ");");
	fprintf(c, "\t\t\t}\n\t}\n");
}

/* m output pixels of one block of 16 channels, from column ox. */
static void emit_dw_pixels(FILE *c, const Node *n, const DwPlan *p, int m, const char *ox, const char *ind)
{
	const CgGeom *G = &p->g;
	int64_t px = G->sw * p->cp * 4, dy = G->dh * p->row_bytes, dq = 4 * G->dw * p->cp * 4;
	fprintf(c, "%sconst uint8_t *e0 = e + %s * %lld;\n", ind, ox, LL(px));
	fprintf(c, "%s__m512i", ind);
	for (int i = 0; i < m; i++)
		fprintf(c, "%s vacc%d = vbias", i ? "," : "", i);
	fprintf(c, ";\n");
	for (int ky = 0; ky < G->kh; ky++)
		for (int q = 0; q < p->nq; q++)
			for (int i = 0; i < m; i++)
				fprintf(c, "%svacc%d = _mm512_dpbusd_epi32(vacc%d, _mm512_load_si512((const void *)(e0 + %lld)), vw%d_%d);\n",
				        ind, i, i, LL(i * px + ky * dy + q * dq), ky, q);
	fprintf(c, "%s/* requantize: zp %d, clamp [%d, %d] */\n", ind, (int)n->zp, (int)n->lo, (int)n->hi);
	for (int i = 0; i < m; i++)
		fprintf(c, "%sqrt_store_x16(y + (%s + %d) * %lld, m, qrt_requant_x16(vacc%d, vmult, vshift, %d, %d, %d));\n",
		        ind, ox, i, LL(G->OC), i, (int)n->zp, (int)n->lo, (int)n->hi);
}

static void emit_dw(FILE *c, Graph *g, Node *n)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	DwPlan p = dw_plan(n);
	const CgGeom *G = &p.g;
	fprintf(c, "/* kernel %s:\n *   %s */\n", n->kernel, n->kernel_note);
	dw_weights(c, g, n, &p);
	int64_t full = G->OW / p.mr, rem = G->OW % p.mr;
	fprintf(c, "\n/* One output row of one block of 16 channels (the lanes of m); e is the\n"
	           " * expanded input row oy*%d at the block, y the output row at the block. */\n", G->sh);
	fprintf(c, "static void %s_row(const uint8_t *restrict e, int blk, __mmask16 m, %s *restrict y)\n{\n", L, ty);
	fprintf(c, "\tconst int8_t *w = %s_w + blk * %d;\n", L, G->kh * p.nq * 64);
	for (int ky = 0; ky < G->kh; ky++)
		for (int q = 0; q < p.nq; q++)
			fprintf(c, "\tconst __m512i vw%d_%d = _mm512_load_si512((const void *)(w + %d)); /* ky %d, kx %d..%d */\n",
			        ky, q, (ky * p.nq + q) * 64, ky, 4 * q, 4 * q + 3);
	fprintf(c, "\tconst __m512i vbias = _mm512_load_si512((const void *)(%s_bias + blk * 16));\n", L);
	fprintf(c, "\tconst __m512i vmult = _mm512_load_si512((const void *)(%s_mult + blk * 16));\n", L);
	fprintf(c, "\tconst __m512i vshift = _mm512_load_si512((const void *)(%s_shift + blk * 16));\n", L);
	if (full) {
		fprintf(c, "\tfor (int ox = 0; ox < %lld; ox += %d) {\n", LL(full * p.mr), p.mr);
		emit_dw_pixels(c, n, &p, p.mr, "ox", "\t\t");
		fprintf(c, "\t}\n");
	}
	if (rem) {
		fprintf(c, "\t{ /* OW %% %d = %lld: the last %lld pixel%s */\n", p.mr, LL(rem), LL(rem), rem > 1 ? "s" : "");
		emit_dw_pixels(c, n, &p, (int)rem, arena_printf(g->arena, "%lld", LL(full * p.mr)), "\t\t");
		fprintf(c, "\t}\n");
	}
	fprintf(c, "}\n");

	fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y, unsigned char *restrict scratch)\n{\n", L, tx, ty);
	fprintf(c, "\tuint8_t *restrict xe = scratch;       /* [%lld][%lld][%lld][4] */\n", LL(G->IHp), LL(G->IWp),
	        LL(p.cp));
	fprintf(c, "\tuint8_t *restrict rb = scratch + %lld; /* [%lld][%lld] */\n", LL(dw_expanded_bytes(&p)),
	        LL(G->IWp + 3 * G->dw), LL(p.cp));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	fprintf(c, "\tconst %s *xin = x + b * %lld;\n", tx, LL(G->IH * G->IW * G->IC));
	emit_dw_fill(c, n, &p);
	int64_t bfull = G->IC / 16, tail = G->IC % 16;
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(G->OH));
	fprintf(c, "\t\tconst uint8_t *e = xe + oy * %lld;\n", LL(G->sh * p.row_bytes));
	fprintf(c, "\t\t%s *yr = y + (b * %lld + oy) * %lld;\n", ty, LL(G->OH), LL(G->OW * G->OC));
	if (bfull)
		fprintf(c, "\t\tfor (int blk = 0; blk < %lld; blk++)\n\t\t\t%s_row(e + blk * 64, blk, 0xFFFF, yr + blk * 16);\n",
		        LL(bfull), L);
	if (tail)
		fprintf(c, "\t\t/* C %% 16 = %lld: channels %lld..%lld */\n\t\t%s_row(e + %lld, %lld, 0x%04X, yr + %lld);\n",
		        LL(tail), LL(bfull * 16), LL(G->IC - 1), L, LL(bfull * 64), LL(bfull), (1u << tail) - 1,
		        LL(bfull * 16));
	fprintf(c, "\t}\n\t}\n}\n");
}

/* ---- depthwise, row-streamed: 64-channel groups, packed requantization ----
 *
 * Used when narrow_requant_ok.  The expanded rows (quads of kx taps, as
 * above) live in a ring of (KH-1)*DH+1 rows that each output row extends by
 * the input rows it newly needs, so the scratch stays cache-sized.  A group
 * of 64 channels is expanded with zmm unpacks (vpunpck[lh]bw, then
 * [lh]wd) that work within 128-bit lanes: expanded vector k of a group
 * holds, in 128-bit lane L, the quads of channels 16L+4k..16L+4k+3.  The
 * weights and per-lane constants are prepacked in that order, and the
 * in-lane saturating packs of the four requantized vectors put the 64
 * channels back in order (no permute).  Channels past the last full group
 * go 16 at a time in channel order (qrt_interleave4_u8), as above. */

typedef struct Dw2Plan {
	CgGeom g;
	int64_t cp;               /* channels rounded up to 16 */
	int64_t ng, nt;           /* full groups of 64; blocks of 16 after them */
	int nq;                   /* quads per kernel row */
	int ring;                 /* expanded rows kept: (KH-1)*DH+1 */
	int64_t row_bytes;        /* one expanded padded row: IWp * cp * 4 */
	int yexp;                 /* IC % 16 == 0: quads along ky, built per output row from the input itself */
	int A, Q;                 /* taps per quad-row: KH (kx quads) or KW (ky quads); quads: ceil(KW/4) or ceil(KH/4) */
	int P;                    /* expanded rows a row function reads */
	int pair;                 /* yexp, stride and dilation 1 in y, KH <= 3: one expansion of 4 rows serves two
	                             output rows, the second with the taps one byte later (weights _w1) */
} Dw2Plan;

static Dw2Plan dw2_plan(const Node *n)
{
	Dw2Plan p;
	p.g = cg_conv_geom(n);
	p.cp = cg_round_up(p.g.IC, 16);
	p.ng = p.g.IC / 64;
	p.nt = (p.cp - 64 * p.ng) / 16;
	p.nq = (p.g.kw + 3) / 4;
	p.ring = (p.g.kh - 1) * p.g.dh + 1;
	p.row_bytes = p.g.IWp * p.cp * 4;
	p.yexp = p.g.IC % 16 == 0;
	p.A = p.yexp ? p.g.kw : p.g.kh;
	p.Q = p.yexp ? (p.g.kh + 3) / 4 : p.nq;
	p.P = p.yexp ? p.Q : p.g.kh;
	p.pair = p.yexp && p.g.kh <= 3 && p.g.sh == 1 && p.g.dh == 1 && p.g.OH >= 2;
	return p;
}

static int64_t dw2_ring_bytes(const Dw2Plan *p) { return cg_round_up((p->yexp ? p->Q : p->ring) * p->row_bytes, 64); }
static int64_t dw2_rb_bytes(const Dw2Plan *p)
{
	return cg_round_up(p->yexp ? p->g.IW * p->cp : (p->g.IWp + 3 * p->g.dw) * p->cp, 64);
}

/* Lane l of the vector that holds 16 channels at byte offset 4*c0 of an
 * expanded pixel: its channel. */
static int64_t dw2_chan(const Dw2Plan *p, int64_t c0, int l)
{
	if (c0 < 64 * p->ng) { /* group c0/64, vector k */
		int64_t g = c0 / 64, k = c0 % 64 / 16;
		return 64 * g + 16 * (l / 4) + 4 * k + l % 4;
	}
	return c0 + l;
}

static void dw2_weights(FILE *c, Graph *g, const Node *n, const Dw2Plan *p)
{
	const CgGeom *G = &p->g;
	const int8_t *w = n->u.conv.weight->data;
	int64_t nvec = p->cp / 16;
	fprintf(c, "/* Weights [vector of 16 lanes][ky %d][quad %d][lane][taps kx = 4q..4q+3]; a full group's\n"
	           " * vector k has in 128-bit lane L the channels 16L+4k..16L+4k+3; taps past KW = %d and\n"
	           " * channels past %lld are 0. */\n", G->kh, p->nq, G->kw, LL(G->IC));
	if (p->yexp)
		fprintf(c, "/* (quads along ky here: [vector][kx][quad][lane][taps ky = 4q..4q+3]) */\n");
	for (int shifted = 0; shifted <= p->pair; shifted++) {
		if (shifted)
			fprintf(c, "/* The same with each tap one byte later: in a quad of the input rows oy-%d..oy+%d, the taps\n"
			           " * of output row oy+1. */\n", G->pt, 3 - G->pt);
		fprintf(c, "static const int8_t %s_w%s[%lld] __attribute__((aligned(64))) = {", cg_layer(g, n), shifted ? "1" : "",
		        LL(nvec * p->A * p->Q * 64));
		for (int64_t v = 0; v < nvec; v++)
			for (int a = 0; a < p->A; a++)
				for (int q = 0; q < p->Q; q++) {
					fprintf(c, "\n\t/* lanes %lld..%lld, %s %d, %s %d..%d */", LL(v * 16), LL(v * 16 + 15),
					        p->yexp ? "kx" : "ky", a, p->yexp ? "ky" : "kx", 4 * q - shifted, 4 * q + 3 - shifted);
					for (int l = 0; l < 16; l++) {
						int64_t ch = dw2_chan(p, 16 * v, l);
						fprintf(c, l % 8 ? "  " : "\n\t");
						for (int j = 0; j < 4; j++) {
							int ky = p->yexp ? 4 * q + j - shifted : a, kx = p->yexp ? a : 4 * q + j;
							int wv = ch < G->IC && kx < G->kw && ky >= 0 && ky < G->kh ? w[(ch * G->kh + ky) * G->kw + kx] : 0;
							fprintf(c, "%d,%s", wv, j < 3 ? " " : "");
						}
					}
				}
		fprintf(c, "\n};\n");
	}
	int64_t *chan = malloc((size_t)p->cp * sizeof *chan);
	for (int64_t l = 0; l < p->cp; l++) {
		int64_t ch = dw2_chan(p, l / 16 * 16, (int)(l % 16));
		chan[l] = ch < G->IC ? ch : -1;
	}
	lane_constants(c, g, n, p->cp, chan);
	free(chan);
}

/* m pixels of nv vectors (4: a full group; 1: a block of 16), from column
 * ox; the vectors' expanded data at byte offset `off` of each pixel. */
static void emit_dw2_pixels(FILE *c, const Node *n, const Dw2Plan *p, int m, int nv, const char *ox)
{
	const CgGeom *G = &p->g;
	int64_t px = G->sw * p->cp * 4, dq = 4 * G->dw * p->cp * 4;
	for (int i = 0; i < m; i++)
		for (int k = 0; k < nv; k++)
			fprintf(c, "\t\t__m512i vacc%dx%d = vbias%d;\n", i, k, k);
	for (int a = 0; a < p->A; a++)
		for (int q = 0; q < p->Q; q++)
			for (int k = 0; k < nv; k++) {
				char wv[64];
				if (nv == 1)
					snprintf(wv, sizeof wv, "vw%d_%d_%d", a, q, k);
				else
					snprintf(wv, sizeof wv, "_mm512_load_si512((const void *)(w + %d))", ((k * p->A + a) * p->Q + q) * 64);
				int64_t off = p->yexp ? a * G->dw * p->cp * 4 : q * dq;
				for (int i = 0; i < m; i++)
					fprintf(c, "\t\tvacc%dx%d = _mm512_dpbusd_epi32(vacc%dx%d, _mm512_load_si512((const void *)(e%d + "
					           "(%s + %d) * %lld + %lld)), %s);\n",
					        i, k, i, k, p->yexp ? q : a, ox, i, LL(px), LL(off + 64 * k), wv);
			}
	if (nv == 4) {
		/* a group: the constants are memory operands (every register is taken) */
		fprintf(c, "\t\t/* requantize (zp %d), clamp [%d, %d], pack */\n", (int)n->zp, (int)n->lo, (int)n->hi);
		for (int i = 0; i < m; i++)
			for (int k = 0; k < nv; k++)
				fprintf(c, "\t\tvacc%dx%d = qrt_scale_x16(vacc%dx%d, rq + %d, vzp);\n", i, k, i, k, k);
	} else {
	for (int t = 0; t < m * nv; t++)
		fprintf(c, "%s QRT_TIE_X16(vacc%dx%d)%s", t % 12 ? "," : "\t\t__asm__(\"\" :", t / nv, t % nv,
		        t % 12 == 11 || t + 1 == m * nv ? ");\n" : "");
	fprintf(c, "\t\t/* requantize (zp %d; each vector's constants loaded once for the %d pixels), clamp [%d, %d], "
	           "pack */\n", (int)n->zp, m, (int)n->lo, (int)n->hi);
	}
	for (int k = 0; k < nv && nv != 4; k++) {
		fprintf(c, "\t\t{\n");
		static const char *f[6] = {"me", "mo", "re", "ro", "ne", "no"};
		for (int j = 0; j < 6; j++)
			fprintf(c, "\t\t\tconst __m512i v%s = _mm512_load_si512((const void *)rq[%d].%s);\n", f[j], k, f[j]);
		for (int i = 0; i < m; i++)
			fprintf(c, "\t\t\tvacc%dx%d = qrt_scale_regs_x16(vacc%dx%d, vme, vmo, vre, vro, vne, vno, vzp);\n", i, k, i, k);
		fprintf(c, "\t\t}\n");
	}
	for (int i = 0; i < m; i++) {
		char buf[4][64];
		const char *v[4];
		for (int k = 0; k < 4; k++) {
			if (k < nv)
				snprintf(buf[k], sizeof buf[k], "vacc%dx%d", i, k);
			else
				snprintf(buf[k], sizeof buf[k], "_mm512_setzero_si512()");
			v[k] = buf[k];
		}
		fprintf(c, "\t\t{\n");
		emit_pack(c, n, "\t\t\t", "vout", v);
		if (nv == 4)
			fprintf(c, "\t\t\t_mm512_storeu_si512((void *)(y + (%s + %d) * %lld), vout);\n\t\t}\n", ox, i, LL(G->OC));
		else
			fprintf(c, "\t\t\t_mm512_mask_storeu_epi8(y + (%s + %d) * %lld, m, qrt_unpack_order_x64(vout));\n\t\t}\n",
			        ox, i, LL(G->OC));
	}
}

/* The row function of nv vectors (4: group; 1: block), m pixels a step. */
static void emit_dw2_row(FILE *c, Graph *g, const Node *n, const Dw2Plan *p, int nv, int m)
{
	const CgGeom *G = &p->g;
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	fprintf(c, "\nQRT_KERNEL_X16 /* one output row of %s; e0.. the expanded input rows of ky = 0.. */\n",
	        nv == 4 ? "a group of 64 channels" : "a block of 16 channels (the lanes of m)");
	fprintf(c, "static void %s_%s(", L, nv == 4 ? "group" : "block");
	for (int e = 0; e < p->P; e++)
		fprintf(c, "const uint8_t *restrict e%d, ", e);
	fprintf(c, "int64_t c0, %s%s *restrict y, const int8_t *restrict w)\n{\n", nv == 4 ? "" : "__mmask64 m, ", ty);
	for (int e = 0; e < p->P; e++)
		fprintf(c, "\te%d += c0 * 4;\n", e);
	fprintf(c, "\ty += c0;\n\tw += c0 * %d;\n", p->A * p->Q * 4);
	fprintf(c, "\tconst int32_t *bias = %s_bias + c0;\n\tconst QrtScale16 *rq = %s_rq + c0 / 16;\n", L, L);
	fprintf(c, "\tconst __m512i vzp = _mm512_set1_epi32(%d);\n", (int)n->zp);
	for (int k = 0; k < nv; k++)
		fprintf(c, "\tconst __m512i vbias%d = _mm512_load_si512((const void *)(bias + %d));\n", k, 16 * k);
	if (nv == 1)
		for (int a = 0; a < p->A; a++)
			for (int q = 0; q < p->Q; q++)
				for (int k = 0; k < nv; k++)
					fprintf(c, "\t__m512i vw%d_%d_%d = _mm512_load_si512((const void *)(w + %d));\n", a, q, k,
					        ((k * p->A + a) * p->Q + q) * 64);
	int64_t full = G->OW / m * m, rem = G->OW % m;
	if (full) {
		fprintf(c, "\tfor (int ox = 0; ox < %lld; ox += %d) {\n", LL(full), m);
		if (nv == 4) /* keeps gcc from hoisting the weights and constants out of the loop (and spilling them) */
			fprintf(c, "\t\t__asm__(\"\" : \"+r\"(w), \"+r\"(rq));\n");
		emit_dw2_pixels(c, n, p, m, nv, "ox");
		fprintf(c, "\t}\n");
	}
	if (rem) {
		fprintf(c, "\t{ /* OW %% %d = %lld: the last pixels */\n", m, LL(rem));
		emit_dw2_pixels(c, n, p, (int)rem, nv, arena_printf(g->arena, "%lld", LL(full)));
		fprintf(c, "\t}\n");
	}
	fprintf(c, "}\n");
}

/* Expands padded input row iy (xin's image) into e. */
static void emit_dw2_expand(FILE *c, const Node *n, const Dw2Plan *p)
{
	const CgGeom *G = &p->g;
	int zpu = x_zp_u8(n);
	int64_t cp = p->cp, dw = G->dw;
	const char *copy = n->in[0]->dtype == DT_U8 ? "qrt_copy_u8" : "qrt_copy_i8_as_u8";
	fprintf(c, "\t\t\tif (iy < %d || iy >= %lld) { /* a padding row */\n", G->pt, LL(G->pt + G->IH));
	fprintf(c, "\t\t\t\tmemset(e, %d, %lld);\n\t\t\t\tcontinue;\n\t\t\t}\n", zpu, LL(p->row_bytes));
	if (G->pl)
		fprintf(c, "\t\t\tmemset(rb, %d, %lld);\n", zpu, LL(G->pl * cp));
	if (cp == G->IC)
		fprintf(c, "\t\t\t%s(rb + %lld, xin + (iy - %d) * %lld, %lld);\n", copy, LL(G->pl * cp), G->pt,
		        LL(G->IW * G->IC), LL(G->IW * G->IC));
	else {
		fprintf(c, "\t\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(G->IW));
		fprintf(c, "\t\t\t\t%s(rb + (ix + %d) * %lld, xin + ((iy - %d) * %lld + ix) * %lld, %lld);\n", copy, G->pl,
		        LL(cp), G->pt, LL(G->IW), LL(G->IC), LL(G->IC));
		fprintf(c, "\t\t\t\tmemset(rb + (ix + %d) * %lld + %lld, 0, %lld); /* channels past %lld */\n\t\t\t}\n",
		        G->pl, LL(cp), LL(G->IC), LL(cp - G->IC), LL(G->IC));
	}
	fprintf(c, "\t\t\tmemset(rb + %lld, %d, %lld);\n", LL((G->pl + G->IW) * cp), zpu, LL((G->pr + 3 * dw) * cp));
	fprintf(c, "\t\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(G->IWp));
	fprintf(c, "\t\t\t\tconst uint8_t *s = rb + ix * %lld;\n\t\t\t\tuint8_t *d = e + ix * %lld;\n", LL(cp), LL(cp * 4));
	if (p->ng) {
		fprintf(c, "\t\t\t\tfor (int c = 0; c < %lld; c += 64) { /* in-lane unpacks: see above */\n", LL(64 * p->ng));
		for (int j = 0; j < 4; j++)
			fprintf(c, "\t\t\t\t\tconst __m512i r%d = _mm512_loadu_si512((const void *)(s + c + %lld));\n", j,
			        LL(j * dw * cp));
		fprintf(c, "\t\t\t\t\tconst __m512i r01l = _mm512_unpacklo_epi8(r0, r1), r01h = _mm512_unpackhi_epi8(r0, r1);\n"
		           "\t\t\t\t\tconst __m512i r23l = _mm512_unpacklo_epi8(r2, r3), r23h = _mm512_unpackhi_epi8(r2, r3);\n"
		           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4), _mm512_unpacklo_epi16(r01l, r23l));\n"
		           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 64), _mm512_unpackhi_epi16(r01l, r23l));\n"
		           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 128), _mm512_unpacklo_epi16(r01h, r23h));\n"
		           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 192), _mm512_unpackhi_epi16(r01h, r23h));\n"
		           "\t\t\t\t}\n");
	}
	if (p->nt) {
		fprintf(c, "\t\t\t\tfor (int c = %lld; c < %lld; c += 16)\n", LL(64 * p->ng), LL(cp));
		fprintf(c, "\t\t\t\t\tqrt_interleave4_u8(d + c * 4,\n");
		for (int j = 0; j < 4; j++)
			fprintf(c, "\t\t\t\t\t                   _mm_loadu_si128((const __m128i *)(const void *)(s + c + %lld))%s\n",
			        LL(j * dw * cp), j < 3 ? "," : ");");
	}
	fprintf(c, "\t\t\t}\n");
}

static void select_dw2(Graph *g, Node *n)
{
	Dw2Plan p = dw2_plan(n);
	n->kernel = arena_printf(g->arena, "dwconv%dx%d_%s_64c__avx512vnni", p.g.kh, p.g.kw, dt_tag(n->in[0]->dtype));
	const char *how = p.yexp ? arena_printf(g->arena, "vpdpbusd over 4 taps of a kernel column per channel lane "
	                                                  "(quads along ky, from 4 input rows), %s, ",
	                                        p.pair ? "one expansion for two output rows" : "expanded per output row")
	                         : arena_printf(g->arena, "vpdpbusd over 4 taps of a kernel row per channel lane, "
	                                                  "expanded into a ring of %d rows, ", p.ring);
	n->kernel_note = arena_printf(g->arena, "%sgroups of 64 channels expanded with in-lane unpacks, requantization "
	                              "narrowed to int32 and packed%s", how,
	                              x_offset(n) ? "; i8 input +128 with the bias - 128*sum(w)" : "");
	n->scratch_bytes = dw2_ring_bytes(&p) + dw2_rb_bytes(&p);
}

/* Quads along ky, built for each output row straight from the input: for
 * quad q, padded pixel ix and channel c, (x(iy0+4q*dh), x(iy0+(4q+1)*dh),
 * ...) with iy0 = oy*sh - pt; rows and columns outside the image read the
 * zero point (rows past KH are multiplied by zero weights). */
/* Quads along ky, built for each output row straight from the input: for
 * quad q, padded pixel ix and channel c, (x(iy0+4q*dh), x(iy0+(4q+1)*dh),
 * ...) with iy0 = oy*sh - pt; rows and columns outside the image read the
 * zero point (rows past KH are multiplied by zero weights). */
static void emit_dw2_yexp(FILE *c, Graph *g, const Node *n, const Dw2Plan *p)
{
	const CgGeom *G = &p->g;
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	int zpu = x_zp_u8(n), flip = x_offset(n) != 0;
	int64_t cp = p->cp;
	fprintf(c, "\tmemset(rb, %d, %lld); /* a row of zero points: padding rows */\n", x_offset(n) ? zpu - 128 : zpu,
	        LL(G->IW * cp));
	fprintf(c, "\tconst __m512i vzq = _mm512_set1_epi8((char)%d);\n", zpu);
	fprintf(c, "\tconst uint8_t *xu = (const uint8_t *)xin;\n");
	if (p->pair)
		fprintf(c, "\tfor (int oy = 0; oy < %lld; oy += 2) { /* rows oy and oy+1 from one expansion */\n", LL(G->OH));
	else
		fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(G->OH));
	for (int q = 0; q < p->Q; q++) {
		fprintf(c, "\t\t{ /* quad %d: rows ky = %d..%d */\n\t\t\tconst uint8_t *s[4];\n", q, 4 * q, 4 * q + 3);
		fprintf(c, "\t\t\tfor (int j = 0; j < 4; j++) {\n");
		fprintf(c, "\t\t\t\tconst int iy = oy * %d - %d + (%d + j) * %d;\n", G->sh, G->pt, 4 * q, G->dh);
		fprintf(c, "\t\t\t\ts[j] = iy >= 0 && iy < %lld && %d + j < %d ? xu + iy * %lld : rb;\n", LL(G->IH), 4 * q,
		        G->kh + p->pair, LL(G->IW * cp));
		fprintf(c, "\t\t\t}\n\t\t\tuint8_t *e = xe + %lld;\n", LL(q * p->row_bytes));
		fprintf(c, "\t\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(G->IWp));
		fprintf(c, "\t\t\t\tuint8_t *d = e + ix * %lld;\n", LL(cp * 4));
		fprintf(c, "\t\t\t\tif (ix < %d || ix >= %lld) { /* a padding column */\n", G->pl, LL(G->pl + G->IW));
		fprintf(c, "\t\t\t\t\tfor (int c = 0; c < %lld; c += 64)\n\t\t\t\t\t\t_mm512_store_si512((void *)(d + c), vzq);\n",
		        LL(cp * 4));
		fprintf(c, "\t\t\t\t\tcontinue;\n\t\t\t\t}\n");
		fprintf(c, "\t\t\t\tconst int64_t o = (int64_t)(ix - %d) * %lld;\n", G->pl, LL(cp));
		const char *fl0 = flip ? "_mm512_xor_si512(" : "", *fl1 = flip ? ", _mm512_set1_epi8((char)0x80))" : "";
		if (p->ng) {
			fprintf(c, "\t\t\t\tfor (int c = 0; c < %lld; c += 64) { /* in-lane unpacks */\n", LL(64 * p->ng));
			for (int j = 0; j < 4; j++)
				fprintf(c, "\t\t\t\t\tconst __m512i r%d = %s_mm512_loadu_si512((const void *)(s[%d] + o + c))%s;\n", j,
				        fl0, j, fl1);
			fprintf(c, "\t\t\t\t\tconst __m512i r01l = _mm512_unpacklo_epi8(r0, r1), r01h = _mm512_unpackhi_epi8(r0, r1);\n"
			           "\t\t\t\t\tconst __m512i r23l = _mm512_unpacklo_epi8(r2, r3), r23h = _mm512_unpackhi_epi8(r2, r3);\n"
			           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4), _mm512_unpacklo_epi16(r01l, r23l));\n"
			           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 64), _mm512_unpackhi_epi16(r01l, r23l));\n"
			           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 128), _mm512_unpacklo_epi16(r01h, r23h));\n"
			           "\t\t\t\t\t_mm512_store_si512((void *)(d + c * 4 + 192), _mm512_unpackhi_epi16(r01h, r23h));\n"
			           "\t\t\t\t}\n");
		}
		if (p->nt) {
			const char *x0 = flip ? "_mm_xor_si128(" : "", *x1 = flip ? ", _mm_set1_epi8((char)0x80))" : "";
			fprintf(c, "\t\t\t\tfor (int c = %lld; c < %lld; c += 16)\n", LL(64 * p->ng), LL(cp));
			fprintf(c, "\t\t\t\t\tqrt_interleave4_u8(d + c * 4,\n");
			for (int j = 0; j < 4; j++)
				fprintf(c, "\t\t\t\t\t                   %s_mm_loadu_si128((const __m128i *)(const void *)(s[%d] + o + c))%s%s\n",
				        x0, j, x1, j < 3 ? "," : ");");
		}
		fprintf(c, "\t\t\t}\n\t\t}\n");
	}
	const char *es = "xe";
	for (int q = 1; q < p->Q; q++)
		es = arena_printf(g->arena, "%s, xe + %lld", es, LL(q * p->row_bytes));
	fprintf(c, "\t\t%s *yr = y + (b * %lld + oy) * %lld;\n", ty, LL(G->OH), LL(G->OW * G->OC));
	for (int r = 0; r <= p->pair; r++) {
		const char *yr = r ? arena_printf(g->arena, "yr + %lld", LL(G->OW * G->OC)) : "yr", *wt = r ? "_w1" : "_w";
		if (r && G->OH % 2)
			fprintf(c, "\t\tif (oy + 1 == %lld)\n\t\t\tbreak; /* OH is odd: the last row alone */\n", LL(G->OH));
		if (p->ng)
			fprintf(c, "\t\tfor (int64_t c0 = 0; c0 < %lld; c0 += 64)\n\t\t\t%s_group(%s, c0, %s, %s%s);\n",
			        LL(64 * p->ng), L, es, yr, L, wt);
		for (int64_t t = 0; t < p->nt; t++)
			fprintf(c, "\t\t%s_block(%s, %lld, 0xFFFFULL, %s, %s%s);\n", L, es, LL(64 * p->ng + 16 * t), yr, L, wt);
	}
	fprintf(c, "\t}\n\t}\n}\n");
}

static void emit_dw2(FILE *c, Graph *g, Node *n)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	Dw2Plan p = dw2_plan(n);
	const CgGeom *G = &p.g;
	fprintf(c, "/* kernel %s:\n *   %s */\n", n->kernel, n->kernel_note);
	dw2_weights(c, g, n, &p);
	if (p.ng)
		emit_dw2_row(c, g, n, &p, 4, 4);
	if (p.nt)
		emit_dw2_row(c, g, n, &p, 1, 8);
	fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y, unsigned char *restrict scratch)\n{\n", L, tx, ty);
	fprintf(c, "\tuint8_t *restrict xe = scratch;       /* ring of %d expanded rows [%lld][%lld][4] */\n", p.ring,
	        LL(G->IWp), LL(p.cp));
	fprintf(c, "\tuint8_t *restrict rb = scratch + %lld; /* one padded row [%lld][%lld] */\n", LL(dw2_ring_bytes(&p)),
	        LL(G->IWp + 3 * G->dw), LL(p.cp));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	fprintf(c, "\tconst %s *xin = x + b * %lld;\n", tx, LL(G->IH * G->IW * G->IC));
	if (p.yexp) {
		emit_dw2_yexp(c, g, n, &p);
		return;
	}
	fprintf(c, "\tint next = 0; /* the next padded input row to expand */\n");
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(G->OH));
	fprintf(c, "\t\tfor (; next <= oy * %d + %d; next++) {\n", G->sh, (G->kh - 1) * G->dh);
	fprintf(c, "\t\t\tconst int iy = next;\n\t\t\tuint8_t *e = xe + next %% %d * %lld;\n", p.ring, LL(p.row_bytes));
	emit_dw2_expand(c, n, &p);
	fprintf(c, "\t\t}\n");
	for (int ky = 0; ky < G->kh; ky++)
		fprintf(c, "\t\tconst uint8_t *e%d = xe + (oy * %d + %d) %% %d * %lld;\n", ky, G->sh, ky * G->dh, p.ring,
		        LL(p.row_bytes));
	fprintf(c, "\t\t%s *yr = y + (b * %lld + oy) * %lld;\n", ty, LL(G->OH), LL(G->OW * G->OC));
	const char *es = "e0";
	for (int ky = 1; ky < G->kh; ky++)
		es = arena_printf(g->arena, "%s, e%d", es, ky);
	if (p.ng)
		fprintf(c, "\t\tfor (int64_t c0 = 0; c0 < %lld; c0 += 64)\n\t\t\t%s_group(%s, c0, yr, %s_w);\n", LL(64 * p.ng), L, es, L);
	for (int64_t t = 0; t < p.nt; t++) {
		int64_t c0 = 64 * p.ng + 16 * t, nch = G->IC - c0 < 16 ? G->IC - c0 : 16;
		fprintf(c, "\t\t%s_block(%s, %lld, 0x%llXULL /* %lld channels */, yr, %s_w);\n", L, es, LL(c0),
		        (1ULL << nch) - 1, LL(nch), L);
	}
	fprintf(c, "\t}\n\t}\n}\n");
}

/* ---- add: 16 elements a step ---- */

static const char *load_fn(DType t) { return t == DT_U8 ? "qrt_load_u8_x16" : "qrt_load_i8_x16"; }

/* qrt_add_x32_ok of runtime/qrt_avx512.h: each multiplier's high half
 * (rounded to nearest) within int16, 17 <= shift <= 46. */
static int add_x32_ok(const Node *n)
{
	const AddAttr *a = &n->u.add;
	int ok = a->shift >= 17 && a->shift <= 46;
	for (int j = 0; j < 2; j++) {
		int64_t m = (j ? a->mult_b : a->mult_a) + (int64_t)32768;
		int64_t h = m >= 0 ? m / 65536 : -((-m + 65535) / 65536);
		ok &= h >= -32768 && h <= 32767;
	}
	return ok;
}

static const char *load32_fn(DType t) { return t == DT_U8 ? "qrt_load_u8_x32" : "qrt_load_i8_x32"; }

/* The add function: `lanes` (16: int32 lanes, qrt_add_x16; 32: int16
 * lanes, qrt_add_x32) elements a step, then the masked remainder; `body`
 * computes y + i from a + i and b + i, its three %s being the masks. */
static void emit_add_loop(FILE *c, Graph *g, Node *n, int lanes, const char *body)
{
	const AddAttr *a = &n->u.add;
	const Node *x = n->in[0], *z = n->in[1];
	int64_t cnt = ir_numel(n), full = cnt / lanes * lanes;
	const char *r = n->inplace ? "" : "restrict ";
	fprintf(c, "/* kernel %s: %d elements a step */\n", n->kernel, lanes);
	if (n->inplace)
		fprintf(c, "/* in place: y is %s's buffer; each %d elements are read before they are written */\n",
		        n->inplace == x ? "a" : "b", lanes);
	fprintf(c, "static void %s(const %s *%sa, const %s *%sb, %s *%sy)\n{\n", cg_layer(g, n), cg_ctype(x->dtype), r,
	        cg_ctype(z->dtype), r, cg_ctype(n->dtype), r);
	fprintf(c, "\t/* M_a = %.9g, M_b = %.9g, one shared shift */\n", a->real_a, a->real_b);
	fprintf(c, "\tconst __m512i vzp_a = _mm512_set1_epi%d(%d), vzp_b = _mm512_set1_epi%d(%d);\n", 512 / lanes,
	        (int)x->zp, 512 / lanes, (int)z->zp);
	const char *all = lanes == 32 ? "0xFFFFFFFFu" : "0xFFFF";
	if (full) {
		fprintf(c, "\tfor (int i = 0; i < %lld; i += %d) {\n", LL(full), lanes);
		fprintf(c, body, all, all, all);
		fprintf(c, "\t}\n");
	}
	if (cnt > full) {
		const char *m = arena_printf(g->arena, lanes == 32 ? "0x%08Xu" : "0x%04X",
		                             (unsigned)((1ULL << (cnt - full)) - 1));
		fprintf(c, "\t{ /* %lld %% %d = %lld: the last elements, masked */\n\t\tconst int i = %lld;\n", LL(cnt), lanes,
		        LL(cnt - full), LL(full));
		fprintf(c, body, m, m, m);
		fprintf(c, "\t}\n");
	}
	fprintf(c, "}\n");
}

/* 32 elements a step in int16 lanes: vpmaddwd on (a, b) pairs with the
 * multipliers split in 16-bit halves (qrt_add_x32), bytes in, bytes out;
 * else 16 in int32 lanes (qrt_add_x16). */
static void emit_add(FILE *c, Graph *g, Node *n)
{
	const AddAttr *a = &n->u.add;
	const Node *x = n->in[0], *z = n->in[1];
	if (strstr(n->kernel, "_x32__"))
		emit_add_loop(c, g, n, 32, arena_printf(g->arena,
		        "\t\tconst __m512i va = _mm512_sub_epi16(%s(a + i, %%s), vzp_a);\n"
		        "\t\tconst __m512i vb = _mm512_sub_epi16(%s(b + i, %%s), vzp_b);\n"
		        "\t\tqrt_store_x32(y + i, %%s, qrt_add_x32(va, vb, %d, %d, %d, %d, %d, %d));\n",
		        load32_fn(x->dtype), load32_fn(z->dtype), (int)a->mult_a, (int)a->mult_b, a->shift, (int)n->zp,
		        (int)n->lo, (int)n->hi));
	else
		emit_add_loop(c, g, n, 16, arena_printf(g->arena,
		        "\t\tconst __m512i va = _mm512_sub_epi32(%s(a + i, %%s), vzp_a);\n"
		        "\t\tconst __m512i vb = _mm512_sub_epi32(%s(b + i, %%s), vzp_b);\n"
		        "\t\tqrt_store_x16(y + i, %%s, %s(va, %d, vb, %d, %d, %d, %d, %d));\n",
		        load_fn(x->dtype), load_fn(z->dtype), a->away ? "qrt_add_away_x16" : "qrt_add_x16", (int)a->mult_a,
		        (int)a->mult_b, a->shift, (int)n->zp, (int)n->lo, (int)n->hi));
}

/* ---- global average pooling: 16 channels a vector ---- */

static void emit_global_pool(FILE *c, Graph *g, Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	int64_t C = x->dims[1], HW = x->dims[2] * x->dims[3], full = C / 16 * 16;
	int area = p->kh * p->kw;
	fprintf(c, "/* kernel %s */\n", n->kernel);
	fprintf(c, "static void %s(const %s *restrict x, %s *restrict y)\n{\n", cg_layer(g, n), cg_ctype(x->dtype),
	        cg_ctype(n->dtype));
	fprintf(c, "\t/* M = %.9g = s_in/(s_out*%d); ties to even */\n", p->rq.real[area], area);
	fprintf(c, "\tconst __m512i vmult = _mm512_set1_epi32(%d), vshift = _mm512_set1_epi32(%d);\n",
	        (int)p->rq.mult[area], (int)p->rq.shift[area]);
	fprintf(c, "\t/* sum(q - zp) = sum(q) - %lld*%d: |sum| <= %lld*255 fits int32 */\n", LL(HW), (int)x->zp, LL(HW));
	fprintf(c, "\tconst __m512i vzp = _mm512_set1_epi32(%lld);\n", LL(HW * x->zp));
	const char *body = arena_printf(g->arena,
	        "\t\t__m512i vsum = _mm512_setzero_si512();\n"
	        "\t\tfor (int i = 0; i < %lld; i++)\n"
	        "\t\t\tvsum = _mm512_add_epi32(vsum, %s(x + (b * %lld + i) * %lld + c, %%s));\n"
	        "\t\tqrt_store_x16(y + b * %lld + c, %%s, qrt_requant_even_x16(_mm512_sub_epi32(vsum, vzp), vmult, vshift, %d, %d, %d));\n",
	        LL(HW), load_fn(x->dtype), LL(HW), LL(C), LL(C), (int)n->zp, (int)n->lo, (int)n->hi);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(n->dims[0]));
	if (full) {
		fprintf(c, "\tfor (int c = 0; c < %lld; c += 16) {\n", LL(full));
		fprintf(c, body, "0xFFFF", "0xFFFF");
		fprintf(c, "\t}\n");
	}
	if (C > full) {
		const char *m = arena_printf(g->arena, "0x%04X", (1u << (C - full)) - 1);
		fprintf(c, "\t{ /* C %% 16 = %lld: the last channels, masked */\n\t\tconst int c = %lld;\n", LL(C - full),
		        LL(full));
		fprintf(c, body, m, m);
		fprintf(c, "\t}\n");
	}
	fprintf(c, "\t}\n}\n");
}

/* ---- max pooling: 64 channels a vector ---- */

static int maxpool_ok(const Node *n)
{
	const Node *x = n->in[0];
	int32_t lo, hi;
	/* the portable kernel does not clamp: its result is the max of the taps
	 * and lo - 1, which is the taps' max when lo is the dtype's minimum */
	return cg_is_8bit(n->dtype) && x->dtype == n->dtype && n->rank == 4 && ir_dtype_range(n->dtype, &lo, &hi) &&
	       n->lo == lo && n->hi == hi && cg_pool_windows_nonempty(n);
}

/* The first and one past the last tap of output o whose element is inside
 * the input (an axis of length in): the loop bounds of the generated code. */
static void emit_tap_range(FILE *c, const char *o, const char *t0, const char *t1, int64_t in, int k, int s, int d,
                           int pad)
{
	fprintf(c, "\t\tint %s = 0, %s = %d;\n", t0, t1, k);
	fprintf(c, "\t\twhile (%s * %d - %d + %s * %d < 0)\n\t\t\t%s++;\n", o, s, pad, t0, d, t0);
	fprintf(c, "\t\twhile (%s * %d - %d + (%s - 1) * %d >= %lld)\n\t\t\t%s--;\n", o, s, pad, t1, d, LL(in), t1);
}

static void emit_maxpool(FILE *c, Graph *g, Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	const char *ty = cg_ctype(n->dtype), *max = n->dtype == DT_U8 ? "_mm512_max_epu8" : "_mm512_max_epi8";
	int64_t IH = x->dims[2], IW = x->dims[3], C = x->dims[1], OH = n->dims[2], OW = n->dims[3];
	int64_t full = C / 64 * 64;
	fprintf(c, "/* kernel %s: every window holds an input element (checked at compile time); the taps'\n"
	           " * max, 64 channels a vector, the tap loops bounded to the input */\n", n->kernel);
	fprintf(c, "static void %s(const %s *restrict x, %s *restrict y)\n{\n", cg_layer(g, n), ty, ty);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(n->dims[0]), LL(OH));
	emit_tap_range(c, "oy", "ky0", "ky1", IH, p->kh, p->stride[0], p->dilation[0], p->pad[0]);
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++) {\n", LL(OW));
	emit_tap_range(c, "ox", "kx0", "kx1", IW, p->kw, p->stride[1], p->dilation[1], p->pad[1]);
	fprintf(c, "\t\t/* the first in-bounds tap */\n");
	fprintf(c, "\t\tconst %s *xb = x + ((b * %lld + oy * %d - %d + ky0 * %d) * %lld + ox * %d - %d + kx0 * %d) * %lld;\n",
	        ty, LL(IH), p->stride[0], p->pad[0], p->dilation[0], LL(IW), p->stride[1], p->pad[1], p->dilation[1], LL(C));
	fprintf(c, "\t\t%s *yp = y + ((b * %lld + oy) * %lld + ox) * %lld;\n", ty, LL(OH), LL(OW), LL(C));
	const char *body = arena_printf(g->arena,
	        "\t\t\t__m512i vmax = _mm512_set1_epi8((char)%d);\n"
	        "\t\t\tfor (int ky = 0; ky < ky1 - ky0; ky++)\n"
	        "\t\t\tfor (int kx = 0; kx < kx1 - kx0; kx++)\n"
	        "\t\t\t\tvmax = %s(vmax, _mm512_maskz_loadu_epi8(%%s, xb + (ky * %lld + kx * %d) * %lld + c));\n"
	        "\t\t\t_mm512_mask_storeu_epi8(yp + c, %%s, vmax);\n",
	        (int)n->lo, max, LL(IW * p->dilation[0]), p->dilation[1], LL(C));
	if (full) {
		fprintf(c, "\t\tfor (int c = 0; c < %lld; c += 64) {\n", LL(full));
		fprintf(c, body, "~0ULL", "~0ULL");
		fprintf(c, "\t\t}\n");
	}
	if (C > full) {
		const char *m = arena_printf(g->arena, "0x%llXULL", (unsigned long long)((1ULL << (C - full)) - 1));
		fprintf(c, "\t\t{ /* C %% 64 = %lld: the last channels, masked */\n\t\t\tconst int c = %lld;\n", LL(C - full),
		        LL(full));
		fprintf(c, body, m, m);
		fprintf(c, "\t\t}\n");
	}
	fprintf(c, "\t}\n\t}\n}\n");
}

/* ---- the target entry points ---- */

void cg_vnni_select(Graph *g, Node *n)
{
	if (cg_simd_conv_ok(n) && (n->op == OP_LINEAR || n->u.conv.groups == 1))
		select_conv(g, n);
	else if (cg_simd_conv_ok(n) && cg_is_depthwise(n) && n->u.conv.rq.scale)
		n->kernel_note = "the pytorch contract's depthwise requantization has no avx512vnni kernel yet";
	else if (cg_simd_conv_ok(n) && cg_is_depthwise(n))
		narrow_requant_ok(n) ? select_dw2(g, n) : select_dw(g, n);
	else if (n->op == OP_ADD && cg_is_8bit(n->in[0]->dtype) && cg_is_8bit(n->in[1]->dtype) && cg_is_8bit(n->dtype))
		n->kernel = n->u.add.away ? "add_away_x16__avx512vnni" : add_x32_ok(n) ? "add_x32__avx512vnni" : "add_x16__avx512vnni";
	else if (n->op == OP_GLOBAL_AVGPOOL && cg_is_8bit(n->in[0]->dtype) && n->in[0]->rank == 4 &&
	         n->in[0]->dims[2] * n->in[0]->dims[3] <= 8421504) /* 255 * that < 2^31 */
		n->kernel = "global_avgpool_x16__avx512vnni";
	else if (n->op == OP_MAXPOOL2D && maxpool_ok(n))
		n->kernel = "maxpool_x64__avx512vnni";
}

void cg_vnni_emit_prologue(FILE *c, Graph *g, const CgOptions *o)
{
	(void)g, (void)o;
	fprintf(c, "\n/* AVX-512 VNNI kernels: vector forms of the qrt.h primitives (runtime/qrt_avx512.h).\n"
	           " * -DQRT_SIMDE builds them on any x86-64 through SIMDe, for testing. */\n"
	           "#include \"qrt_avx512.h\"\n\n");
}

void cg_vnni_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o)
{
	if (!n->kernel || strstr(n->kernel, "__avx512vnni") == NULL) {
		cg_c_emit_node(c, g, n, o);
		return;
	}
	cg_layer_comment(c, g, n, o);
	switch (n->op) {
	case OP_CONV2D:
	case OP_LINEAR:
		if (!cg_is_depthwise(n))
			emit_conv(c, g, n);
		else if (strstr(n->kernel, "_64c__"))
			emit_dw2(c, g, n);
		else
			emit_dw(c, g, n);
		break;
	case OP_ADD: emit_add(c, g, n); break;
	case OP_GLOBAL_AVGPOOL: emit_global_pool(c, g, n); break;
	case OP_MAXPOOL2D: emit_maxpool(c, g, n); break;
	default: die("avx512vnni: no kernel for %s", op_info[n->op].name);
	}
}
