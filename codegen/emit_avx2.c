/* The AVX2 target (Haswell and later, Zen): register-blocked int16
 * vpmaddwd kernels with the requantization fused in, for conv2d (groups 1),
 * linear, depthwise conv2d, add and maxpool.  Every other node, and any node
 * whose shape these kernels do not take, uses the portable kernel of
 * emit_c.c.
 *
 * The multiply: vpmaddubsw (u8 x s8 pairs summed into int16) saturates
 * (255*127*2 = 64770 > 32767), so these kernels never use it.  They widen the
 * input to int16 into a zero-point-padded scratch copy and use vpmaddwd
 * (int16 x int16 pairs summed into int32), which cannot saturate for 8-bit
 * operands.  The price is small: a vpmaddubsw needs a second vpmaddwd (by
 * ones) to widen its int16 sums to int32, so both sequences issue one
 * multiply per 16 MACs (bench/peak.c: 130 and 113 GMAC/s on a Zen 5 core).
 * The kernel note reports what vpmaddubsw would have done with the layer's
 * weights and input range (a vpmaddubsw kernel for the layers where it
 * provably cannot saturate is not written).
 *
 * Conv/linear tiles: MR pixels x NR = 8*NV output channels, NV = 1, 2 or 3
 * (MR = 8, 6, 4): MR*NV int32 accumulators stay in ymm registers through the
 * whole K loop.  A k step broadcasts one int16 pair of each pixel's input
 * (vpbroadcastd from the scratch) and multiplies it by the NV weight vectors
 * of that pair (prepacked [pair][NR channels] x int16 pair); the steps are
 * inline assembly (emit_conv_steps) so that every vpaddd lands in its
 * accumulator's register, two pairs a loop iteration.  1x1 stride-1 convs
 * and linear widen one pixel tile at a time (L1-resident scratch); the
 * others widen the whole padded input once.
 *
 * Depthwise: 16 channels of one output pixel, tap pairs interleaved by
 * vpunpck{l,h}wd.  Maxpool: byte maxima, 32 channels a vector.
 *
 * Requantization: every shift >= 32 (|M| < 1/2, almost every layer): from a
 * table of compile-time constants per 8 channels (qrt_requant_hi_tab_x8:
 * the odd lanes' multipliers, int64 rounding terms with the output zero
 * point folded in when every shift <= 53, the shifts), 8 instructions per 8
 * outputs when the clamp is the dtype's whole range and the saturating packs
 * that follow do it, 10 otherwise; else the exact 64-bit qrt_requant_x8.
 *
 * The output must equal the portable kernel's bit for bit: accumulation is
 * exact int32 (any order: qcc proves no partial sum leaves int32), padding
 * reads as the input zero point, and requantization is the arithmetic of
 * qrt_requant (runtime/qrt_avx2.h, tested lane for lane). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

#define LL(x) ((long long)(x))

/* Every channel's shift >= 32 once a zero multiplier's shift (any shift
 * gives 0) is raised to 32: then qrt_requant_hi_x8 is exact. */
static int shifts_hi(const Requant *rq)
{
	for (int i = 0; i < rq->n; i++)
		if (rq->mult[i] && rq->shift[i] < 32)
			return 0;
	return 1;
}

static int shift_of(const Requant *rq, int i, int hi) { return !rq->mult[i] ? (hi ? 0 : 32) : rq->shift[i] - (hi ? 32 : 0); }

/* What vpmaddubsw would do: it pairs consecutive weights of a row (in the
 * portable [OC][KH][KW][IC] order) against u8 inputs (i8 inputs offset by
 * +128) and saturates each pair sum to int16. */
static const char *maddubs_note(Graph *g, const Node *n)
{
	const Const *w = n->u.conv.weight;
	const Node *x = n->in[0];
	int off = x->dtype == DT_I8 ? 128 : 0;
	int64_t xlo = x->lo + off, xhi = x->hi + off, OC = w->dims[0], K = w->count / OC, kk = n->u.conv.kh * n->u.conv.kw;
	int64_t icg = K / kk, worst = 0;
	int64_t wo = 0, wa = 0, wb = 0, wx = 0;
	const int8_t *d = w->data;
	for (int64_t o = 0; o < OC; o++)
		for (int64_t j = 0; j + 1 < K; j += 2) {
			/* row index j in [KH][KW][IC] order -> [IC][KH][KW] storage */
			int64_t ja = (j % icg) * kk + j / icg, jb = ((j + 1) % icg) * kk + (j + 1) / icg;
			int a = d[o * K + ja], b = d[o * K + jb];
			int64_t hi = (a > 0 ? a * xhi : a * xlo) + (b > 0 ? b * xhi : b * xlo);
			int64_t lo = (a < 0 ? a * xhi : a * xlo) + (b < 0 ? b * xhi : b * xlo);
			int64_t m = hi > -lo ? hi : -lo;
			if (m > worst)
				worst = m, wo = o, wa = a, wb = b, wx = xhi;
		}
	const char *in = arena_printf(g->arena, "input %s [%d, %d]%s", ir_dtype_name(x->dtype), (int)x->lo, (int)x->hi,
	                              off ? " (+128 as u8)" : "");
	if (K < 2)
		return arena_printf(g->arena, "vpmaddwd on int16-widened input (exact); one term per output (K = 1): "
		                              "no pair to saturate, %s", in);
	if (worst > 32767)
		return arena_printf(g->arena,
		                    "vpmaddwd on int16-widened input (exact); vpmaddubsw could saturate: oc %lld pair (%lld,%lld) "
		                    "x %lld = %lld > 32767; %s",
		                    LL(wo), LL(wa), LL(wb), LL(wx), LL(worst), in);
	return arena_printf(g->arena,
	                    "vpmaddwd on int16-widened input (exact); vpmaddubsw would not saturate here (worst pair "
	                    "|sum| %lld <= 32767, %s), not used: one exact kernel for every layer",
	                    LL(worst), in);
}

/* ---- conv2d (groups 1) and linear: MR pixels x NR = 8*NV channels ---- */

typedef struct ConvPlan {
	CgGeom g;
	int nv, mr;               /* vectors of 8 channels per tile; pixels per tile */
	int64_t nr, ntiles;       /* channels per tile; tiles (the last may be partial) */
	int per_tap;              /* dilation_w > 1: one segment per (ky,kx) instead of per ky */
	int64_t lseg, lp;         /* int16 per segment; rounded up to a pair */
	int64_t nseg;
	int hi;                   /* qrt_requant_hi_x8 */
	int streamed;             /* 1x1, stride 1, unpadded (and linear): the input is widened one
	                             pixel tile at a time into an L1-sized scratch, not all at once */
} ConvPlan;

static ConvPlan conv_plan(const Node *n)
{
	ConvPlan p;
	p.g = cg_conv_geom(n);
	int64_t nvec = (p.g.OC + 7) / 8;
	p.nv = nvec == 1 ? 1 : nvec % 2 && nvec % 3 == 0 ? 3 : 2;
	p.mr = p.nv == 1 ? 8 : p.nv == 2 ? 6 : 4; /* conv_wregs(): accumulators + registers <= 16 ymm */
	p.nr = 8 * p.nv;
	p.ntiles = (p.g.OC + p.nr - 1) / p.nr;
	p.per_tap = p.g.dw > 1;
	p.lseg = p.per_tap ? p.g.IC : p.g.kw * p.g.IC;
	p.lp = (p.lseg + 1) & ~(int64_t)1;
	p.nseg = p.per_tap ? (int64_t)p.g.kh * p.g.kw : p.g.kh;
	p.hi = shifts_hi(&n->u.conv.rq);
	p.streamed = p.g.IH == 1 && p.g.kh == 1 && p.g.kw == 1 && p.g.sw == 1 && !p.g.pl && !p.g.pr;
	return p;
}

static int64_t conv_scratch(const ConvPlan *p)
{
	if (p->streamed)
		return ((p->mr * p->g.IC + 2) * 2 + 63) / 64 * 64;
	/* + one int16 pair: an odd segment's last pair reads one past its end */
	return ((p->g.IHp * p->g.IWp * p->g.IC + 2) * 2 + 63) / 64 * 64;
}

static const char *dt_tag(DType t) { return t == DT_U8 ? "u8s8" : "s8s8"; }

static void select_conv(Graph *g, Node *n)
{
	ConvPlan p = conv_plan(n);
	/* the asm k steps address pixel i at the displacement 2*i*SW*IC: a 32-bit immediate */
	if (2 * (int64_t)p.mr * p.g.sw * p.g.IC >= (int64_t)1 << 30) {
		n->kernel_note = "a stride too long for the avx2 microkernel's 32-bit displacements";
		return;
	}
	if (n->op == OP_LINEAR)
		n->kernel = arena_printf(g->arena, "linear_%s_%dx%lld__avx2", dt_tag(n->in[0]->dtype), p.mr, LL(p.nr));
	else
		n->kernel = arena_printf(g->arena, "conv%dx%d_%s_%dx%lld__avx2", p.g.kh, p.g.kw, dt_tag(n->in[0]->dtype),
		                         p.mr, LL(p.nr));
	n->kernel_note = maddubs_note(g, n);
	n->scratch_bytes = conv_scratch(&p);
}

static void emit_i32_vec_array(FILE *c, const char *name, const int32_t *v, int64_t count, const char *what)
{
	fprintf(c, "static const int32_t %s[%lld] = { /* %s */", name, LL(count), what);
	for (int64_t i = 0; i < count; i++)
		fprintf(c, "%s%d,", i % 8 ? " " : "\n\t", (int)v[i]);
	fprintf(c, "\n};\n");
}

/* The table of qrt_requant_hi_tab_x8 for the 8 lanes m[0..8), sh[0..8)
 * (shift - 32), zero point zt folded in: the values qrt_requant_hi_tab_fill()
 * computes. */
static void rq_tab(int32_t tab[40], const int32_t *m, const int32_t *sh, int zt)
{
	for (int i = 0; i < 8; i++) {
		int64_t r = ((int64_t)1 << (31 + sh[i])) + (int64_t)zt * ((int64_t)1 << (32 + sh[i]));
		int j = (i & 1 ? 24 : 16) + (i / 2) * 2;
		tab[i] = m[i];
		tab[8 + i] = i & 1 ? 0 : m[i + 1];
		tab[j] = (int32_t)(uint32_t)(uint64_t)r;
		tab[j + 1] = (int32_t)(r >> 32);
		tab[32 + i] = sh[i];
	}
}

/* The zero point folds into the rounding terms of the tables when every
 * shift is <= 53 (qrt_avx2.h: the int64 sum then stays in range). */
static int rq_fold_zp(const Requant *rq)
{
	for (int i = 0; i < rq->n; i++)
		if (shift_of(rq, i, 1) + 32 > 53)
			return 0;
	return 1;
}

/* The requantization constants of count lanes (a multiple of 8): with hi,
 * one qrt_requant_hi_tab_x8 table of 40 int32 per 8 lanes (L_rq), n's zero
 * point folded in if rq_fold_zp(); else the multipliers (L_mult) and shifts
 * (L_shift) of qrt_requant_x8.  real[i]: lane i's real multiplier, or NAN for
 * a padding lane. */
static void emit_rq_consts(FILE *c, Graph *g, const Node *n, const char *L, const int32_t *m, const int32_t *sh,
                           const double *real, int64_t count, int hi)
{
	if (!hi) {
		fprintf(c, "static const int32_t %s_mult[%lld] = {\n", L, LL(count));
		for (int64_t o = 0; o < count; o++)
			if (!isnan(real[o]))
				fprintf(c, "\t%d, /* [%lld] M = %.9g */\n", (int)m[o], LL(o), real[o]);
			else
				fprintf(c, "\t0, /* [%lld] padding */\n", LL(o));
		fprintf(c, "};\n");
		emit_i32_vec_array(c, arena_printf(g->arena, "%s_shift", L), sh, count,
		                   "shift, 1..62 (a zero multiplier's as 32)");
		return;
	}
	int zt = rq_fold_zp(&n->u.conv.rq) ? (int)n->zp : 0;
	fprintf(c, "/* qrt_requant_hi_tab_x8 tables, 40 int32 per 8 lanes: mult, odd lanes' mult, int64\n"
	           " * 2^(shift-1) + %d*2^shift (the output zero point %s) of the even and of the odd lanes,\n"
	           " * shift - 32 (every shift >= 32) */\n", zt, zt || !n->zp ? "folded in" : "apart: some shift > 53");
	fprintf(c, "static const int32_t %s_rq[%lld] __attribute__((aligned(32))) = {", L, LL(count / 8 * 40));
	for (int64_t q = 0; q < count / 8; q++) {
		int32_t tab[40];
		rq_tab(tab, m + 8 * q, sh + 8 * q, zt);
		fprintf(c, "\n\t/* lanes %lld..%lld: M =", LL(8 * q), LL(8 * q + 7));
		for (int i = 0; i < 8; i++)
			if (!isnan(real[8 * q + i]))
				fprintf(c, " %.6g", real[8 * q + i]);
			else
				fprintf(c, " -");
		fprintf(c, " */");
		for (int i = 0; i < 40; i++)
			fprintf(c, "%s%d,", i % 8 ? " " : "\n\t", (int)tab[i]);
	}
	fprintf(c, "\n};\n");
}

/* The call that requantizes acc, lanes [8*group, 8*group + 8) of the layer
 * (as emit_rq_consts() printed its table).  With the zero
 * point folded and the clamp the whole dtype range, the clamp is left to the
 * saturating packs that follow every call. */
static const char *rq_call(Graph *g, const char *L, const Node *n, int hi, const char *acc, const char *group)
{
	if (hi) {
		int32_t dlo, dhi;
		ir_dtype_range(n->dtype, &dlo, &dhi);
		int fold = rq_fold_zp(&n->u.conv.rq);
		if (fold && n->lo == dlo && n->hi == dhi)
			return arena_printf(g->arena, "qrt_requant_hi_tab_raw_x8(%s, %s_rq + (%s) * 40)", acc, L, group);
		return arena_printf(g->arena, "qrt_requant_hi_tab_x8(%s, %s_rq + (%s) * 40, %d, %d, %d)", acc, L, group,
		                    fold ? 0 : (int)n->zp, (int)n->lo, (int)n->hi);
	}
	return arena_printf(g->arena,
	                    "qrt_requant_x8(%s, _mm256_loadu_si256((const __m256i *)(const void *)(%s_mult + (%s) * 8)),\n"
	                    "\t\t_mm256_loadu_si256((const __m256i *)(const void *)(%s_shift + (%s) * 8)), %d, %d, %d)",
	                    acc, L, group, L, group, (int)n->zp, (int)n->lo, (int)n->hi);
}

/* Weight of output channel o at position j of segment s (0 past the row,
 * past the segment or past OC). */
static int conv_w(const Node *n, const ConvPlan *p, int64_t o, int64_t s, int64_t j)
{
	const ConvAttr *a = &n->u.conv;
	if (o >= p->g.OC || j >= p->lseg)
		return 0;
	int64_t ky, kx, ic;
	if (p->per_tap)
		ky = s / p->g.kw, kx = s % p->g.kw, ic = j;
	else
		ky = s, kx = j / p->g.IC, ic = j % p->g.IC;
	const int8_t *w = a->weight->data;
	return w[((o * p->g.IC + ic) * p->g.kh + ky) * p->g.kw + kx];
}

static void conv_constants(FILE *c, Graph *g, const Node *n, const ConvPlan *p)
{
	const ConvAttr *a = &n->u.conv;
	const char *L = cg_layer(g, n);
	int64_t npair = p->lp / 2, OCp = p->ntiles * p->nr;
	fprintf(c, "/* Weights packed for vpmaddwd: [tile %lld][%s %lld][pair %lld][oc %lld] x int16 pair,\n"
	           " * a segment being %s (%lld int16, padded to %lld).  Channels past %lld are 0. */\n",
	        LL(p->ntiles), p->per_tap ? "tap" : "ky", LL(p->nseg), LL(npair), LL(p->nr),
	        p->per_tap ? "one tap's IC input channels" : "one kernel row, KW*IC contiguous inputs", LL(p->lseg),
	        LL(p->lp), LL(p->g.OC));
	int64_t count = p->ntiles * p->nseg * npair * p->nr * 2;
	fprintf(c, "static const int16_t %s_w[%lld] __attribute__((aligned(64))) = {", L, LL(count));
	for (int64_t t = 0; t < p->ntiles; t++)
		for (int64_t s = 0; s < p->nseg; s++) {
			fprintf(c, "\n\t/* oc %lld..%lld, %s %lld */", LL(t * p->nr), LL(t * p->nr + p->nr - 1),
			        p->per_tap ? "tap" : "ky", LL(s));
			for (int64_t k = 0; k < npair; k++) {
				fprintf(c, "\n\t");
				for (int64_t o = t * p->nr; o < (t + 1) * p->nr; o++)
					fprintf(c, "%d, %d,%s", conv_w(n, p, o, s, 2 * k), conv_w(n, p, o, s, 2 * k + 1),
					        o + 1 < (t + 1) * p->nr ? " " : "");
			}
		}
	fprintf(c, "\n};\n");
	int32_t *b = calloc((size_t)OCp * 3, sizeof *b), *m = b + OCp, *sh = m + OCp;
	double *real = calloc((size_t)OCp, sizeof *real);
	for (int64_t o = 0; o < OCp; o++) {
		b[o] = o < p->g.OC ? a->bias_q[o] : 0;
		m[o] = o < p->g.OC ? a->rq.mult[o] : 0;
		sh[o] = o < p->g.OC ? shift_of(&a->rq, (int)o, p->hi) : p->hi ? 0 : 32;
		real[o] = o < p->g.OC ? a->rq.real[o] : NAN;
	}
	emit_i32_vec_array(c, arena_printf(g->arena, "%s_bias", L), b, OCp,
	                   "folded bias rne(b/(s_in*s_w)) - zp_in*sum(w), 8 channels a line");
	emit_rq_consts(c, g, n, L, m, sh, real, OCp, p->hi);
	free(real);
	free(b);
}

/* The padded int16 copy of image b of the input, in the scratch. */
static void emit_fill(FILE *c, const Node *x, const CgGeom *g, int64_t cstride, const char *img)
{
	const char *widen = x->dtype == DT_U8 ? "qrt_widen_u8_i16" : "qrt_widen_i8_i16";
	int64_t row = g->IWp * cstride;
	fprintf(c, "\t/* int16 copy of the input, padded (t%d l%d b%d r%d) with the input zero point %d */\n", g->pt, g->pl,
	        g->pb, g->pr, (int)x->zp);
	if (g->pt)
		fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n\t\txp[i] = %d;\n", LL(g->pt * row), (int)x->zp);
	fprintf(c, "\tfor (int iy = 0; iy < %lld; iy++) {\n", LL(g->IH));
	fprintf(c, "\t\tint16_t *row = xp + (iy + %d) * %lld;\n", g->pt, LL(row));
	if (g->pl)
		fprintf(c, "\t\tfor (int i = 0; i < %lld; i++)\n\t\t\trow[i] = %d;\n", LL(g->pl * cstride), (int)x->zp);
	if (cstride == g->IC)
		fprintf(c, "\t\t%s(row + %lld, %s + iy * %lld, %lld);\n", widen, LL(g->pl * cstride), img, LL(g->IW * g->IC),
		        LL(g->IW * g->IC));
	else {
		fprintf(c, "\t\tfor (int ix = 0; ix < %lld; ix++) {\n", LL(g->IW));
		fprintf(c, "\t\t\t%s(row + (ix + %d) * %lld, %s + (iy * %lld + ix) * %lld, %lld);\n", widen, g->pl,
		        LL(cstride), img, LL(g->IW), LL(g->IC), LL(g->IC));
		fprintf(c, "\t\t\tfor (int i = %lld; i < %lld; i++) /* channels past %lld: 0 */\n", LL(g->IC), LL(cstride),
		        LL(g->IC));
		fprintf(c, "\t\t\t\trow[(ix + %d) * %lld + i] = 0;\n\t\t}\n", g->pl, LL(cstride));
	}
	if (g->pr)
		fprintf(c, "\t\tfor (int i = 0; i < %lld; i++)\n\t\t\trow[%lld + i] = %d;\n", LL(g->pr * cstride),
		        LL((g->pl + g->IW) * cstride), (int)x->zp);
	fprintf(c, "\t}\n");
	if (g->pb)
		fprintf(c, "\tfor (int i = 0; i < %lld; i++)\n\t\txp[%lld + i] = %d;\n", LL(g->pb * row),
		        LL((g->pt + g->IH) * row), (int)x->zp);
}

static const char *pack_fn(DType t, int n16) { return t == DT_U8 ? (n16 ? "qrt_pack_u8_x16" : "qrt_pack_u8_x8") : (n16 ? "qrt_pack_i8_x16" : "qrt_pack_i8_x8"); }

/* Weight vectors of a tile kept in registers: all nv unless m*nv
 * accumulators + nv weights + the broadcast + the product would pass the 16
 * ymm registers; the rest are vpmaddwd memory operands. */
static int conv_wregs(int m, int nv)
{
	int room = 16 - m * nv - 1 - (nv > 1);
	return room < nv ? room : nv;
}

/* The k steps of a tile as one asm statement: nsteps (1 or 2) int16 pairs
 * of the m input pixels (at xexpr, pixel i at + i*sw*IC), each broadcast and
 * multiplied by the nv weight vectors of that pair at w, every product added
 * into its accumulator in place.  In assembly because gcc, given the same
 * intrinsics, adds into the product's register and copies it back (a
 * vmovdqa a step per accumulator), hoists the broadcasts and spills the
 * accumulators of a 6x16 tile. */
static void emit_conv_steps(FILE *c, const ConvPlan *p, int m, int nsteps, const char *xexpr, const char *indent)
{
	int nv = p->nv, nwr = conv_wregs(m, nv);
	if (nwr < 1)
		die("avx2: a %dx%lld tile does not fit the ymm registers", m, LL(p->nr));
	fprintf(c, "%s\t__asm__(", indent);
	for (int s = 0; s < nsteps; s++) {
		int64_t wo = s * 4 * p->nr; /* bytes: 2*nr int16 a pair */
		for (int v = 0; v < nwr; v++)
			fprintf(c, "\n%s\t\t\"vmovdqa %lld(%%[w]), %%[w%d]\\n\\t\"", indent, LL(wo + 32 * v), v);
		for (int i = 0; i < m; i++) {
			fprintf(c, "\n%s\t\t\"vpbroadcastd %lld(%%[x]), %%[b]\\n\\t\"", indent,
			        LL(2 * (i * p->g.sw * p->g.IC) + 4 * s));
			for (int v = 0; v < nv; v++) {
				const char *dst = v == nv - 1 ? "%[b]" : "%[t]";
				if (v < nwr)
					fprintf(c, "\n%s\t\t\"vpmaddwd %%[w%d], %%[b], %s\\n\\t", indent, v, dst);
				else
					fprintf(c, "\n%s\t\t\"vpmaddwd %lld(%%[w]), %%[b], %s\\n\\t", indent, LL(wo + 32 * v), dst);
				fprintf(c, "vpaddd %s, %%[a%dx%d], %%[a%dx%d]\\n\\t\"", dst, i, v, i, v);
			}
		}
	}
	fprintf(c, "\n%s\t\t:", indent);
	for (int i = 0; i < m; i++)
		for (int v = 0; v < nv; v++)
			fprintf(c, "%s [a%dx%d] \"+x\"(vacc%dx%d)", i || v ? "," : "", i, v, i, v);
	fprintf(c, ",\n%s\t\t  [b] \"=&x\"(vb)", indent);
	if (nv > 1)
		fprintf(c, ", [t] \"=&x\"(vt)");
	for (int v = 0; v < nwr; v++)
		fprintf(c, ", [w%d] \"=&x\"(vw%d)", v, v);
	fprintf(c, "\n%s\t\t: [x] \"r\"(%s), [w] \"r\"(w)\n%s\t\t: \"memory\");\n", indent, xexpr, indent);
}

/* One microkernel: m pixels x NR channels; nc (a constant at each call)
 * says how many of the NR channels are real. */
static void emit_conv_tile(FILE *c, Graph *g, const Node *n, const ConvPlan *p, int m)
{
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	const CgGeom *G = &p->g;
	int nv = p->nv;
	fprintf(c, "\n/* %d output pixel%s x %lld output channels [oc0, oc0+nc) */\n", m, m > 1 ? "s" : "", LL(p->nr));
	fprintf(c, "QRT_MICROKERNEL /* the accumulators stay in registers */\nstatic void %s_tile%dx%lld(const int16_t *restrict x, const int16_t *restrict w, int oc0, int nc, "
	           "%s *restrict y)\n{\n", L, m, LL(p->nr), ty);
	for (int v = 0; v < nv; v++)
		fprintf(c, "\tconst __m256i vbias%d = _mm256_loadu_si256((const __m256i *)(const void *)(%s_bias + oc0 + %d));\n", v,
		        L, v * 8);
	for (int i = 0; i < m; i++) {
		fprintf(c, "\t__m256i");
		for (int v = 0; v < nv; v++)
			fprintf(c, "%s vacc%dx%d = vbias%d", v ? "," : "", i, v, v);
		fprintf(c, ";\n");
	}
	fprintf(c, "\t__m256i vb%s", nv > 1 ? ", vt" : "");
	for (int v = 0; v < conv_wregs(m, nv); v++)
		fprintf(c, ", vw%d", v);
	fprintf(c, "; /* the broadcast inputs, a product, the weights: scratch registers of the asm */\n");
	const char *indent = "\t\t";
	if (p->per_tap) {
		fprintf(c, "\tfor (int ky = 0; ky < %d; ky++)\n\tfor (int kx = 0; kx < %d; kx++) {\n", G->kh, G->kw);
		fprintf(c, "\t\tconst int16_t *x0 = x + ky * %lld + kx * %lld;\n", LL(G->dh * G->IWp * G->IC), LL(G->dw * G->IC));
	} else if (G->kh == 1) {
		fprintf(c, "\t{\n\t\tconst int16_t *x0 = x; /* the one segment: %lld contiguous int16 */\n", LL(p->lseg));
	} else {
		fprintf(c, "\tfor (int ky = 0; ky < %d; ky++) {\n", G->kh);
		fprintf(c, "\t\tconst int16_t *x0 = x + ky * %lld; /* kernel row ky: %lld contiguous int16 */\n",
		        LL(G->dh * G->IWp * G->IC), LL(p->lseg));
	}
	int64_t npair = p->lp / 2;
	if (npair >= 2) {
		fprintf(c, "%sfor (int k = 0; k < %lld; k += 4, w += %lld) { /* two pairs a step */\n", indent,
		        LL(npair / 2 * 4), LL(4 * p->nr));
		emit_conv_steps(c, p, m, 2, "x0 + k", indent);
		fprintf(c, "%s}\n", indent);
	}
	if (npair % 2) {
		fprintf(c, "%s{ /* the %s pair */\n", indent, npair >= 2 ? "odd last" : "one");
		emit_conv_steps(c, p, m, 1, arena_printf(g->arena, "x0 + %lld", LL(npair / 2 * 4)), indent);
		fprintf(c, "%s\tw += %lld;\n%s}\n", indent, LL(2 * p->nr), indent);
	}
	fprintf(c, "\t}\n");
	fprintf(c, "\t/* requantize: zp %d, clamp [%d, %d]%s */\n", (int)n->zp, (int)n->lo, (int)n->hi,
	        p->hi ? "; every shift >= 32" : "; some shift < 32: the exact 64-bit path");
	for (int i = 0; i < m; i++)
		for (int v = 0; v < nv; v++)
			fprintf(c, "\tvacc%dx%d = %s;\n", i, v, rq_call(g, L, n, p->hi, arena_printf(g->arena, "vacc%dx%d", i, v),
			                                                 arena_printf(g->arena, "oc0 / 8 + %d", v)));
	for (int i = 0; i < m; i++) {
		fprintf(c, "\t{\n\t\t%s *py = y + %lld;\n", ty, LL(i * G->OC));
		if (nv == 1) {
			fprintf(c, "\t\tconst __m128i vy = %s(vacc%dx0);\n", pack_fn(n->dtype, 0), i);
			fprintf(c, "\t\tif (nc == 8)\n\t\t\t_mm_storel_epi64((__m128i *)(void *)py, vy);\n");
			fprintf(c, "\t\telse\n\t\t\tqrt_store_bytes(py, vy, nc);\n");
		} else {
			fprintf(c, "\t\tconst __m128i vy01 = %s(vacc%dx0, vacc%dx1);\n", pack_fn(n->dtype, 1), i, i);
			if (nv == 3) {
				fprintf(c, "\t\tconst __m128i vy2 = %s(vacc%dx2);\n", pack_fn(n->dtype, 0), i);
				fprintf(c, "\t\tif (nc == 24) {\n\t\t\t_mm_storeu_si128((__m128i *)(void *)py, vy01);\n"
				           "\t\t\t_mm_storel_epi64((__m128i *)(void *)(py + 16), vy2);\n"
				           "\t\t} else if (nc >= 16) {\n\t\t\t_mm_storeu_si128((__m128i *)(void *)py, vy01);\n"
				           "\t\t\tqrt_store_bytes(py + 16, vy2, nc - 16);\n"
				           "\t\t} else\n\t\t\tqrt_store_bytes(py, vy01, nc);\n");
			} else {
				fprintf(c, "\t\tif (nc == 16)\n\t\t\t_mm_storeu_si128((__m128i *)(void *)py, vy01);\n");
				fprintf(c, "\t\telse\n\t\t\tqrt_store_bytes(py, vy01, nc);\n");
			}
		}
		fprintf(c, "\t}\n");
	}
	fprintf(c, "}\n");
}

/* One output row of tiles, for oc tiles [t0, t1) with nc real channels each. */
static void emit_conv_row_tiles(FILE *c, const char *L, const ConvPlan *p, const char *tiles, int64_t nc)
{
	const CgGeom *G = &p->g;
	int64_t full = G->OW / p->mr, rem = G->OW % p->mr;
	fprintf(c, "%s", tiles);
	fprintf(c, "\t\t\tconst int16_t *w = %s_w + t * %lld;\n", L, LL(p->nseg * p->lp * p->nr));
	if (full) {
		fprintf(c, "\t\t\tfor (int ox = 0; ox < %lld; ox += %d)\n", LL(full * p->mr), p->mr);
		fprintf(c, "\t\t\t\t%s_tile%dx%lld(xr + ox * %lld, w, t * %lld, %lld, yr + ox * %lld + t * %lld);\n", L, p->mr,
		        LL(p->nr), LL(G->sw * G->IC), LL(p->nr), LL(nc), LL(G->OC), LL(p->nr));
	}
	if (rem) {
		fprintf(c, "\t\t\t/* OW %% %d = %lld: the last %lld pixel%s */\n", p->mr, LL(rem), LL(rem), rem > 1 ? "s" : "");
		fprintf(c, "\t\t\t%s_tile%lldx%lld(xr + %lld, w, t * %lld, %lld, yr + %lld + t * %lld);\n", L, LL(rem), LL(p->nr),
		        LL(full * p->mr * G->sw * G->IC), LL(p->nr), LL(nc), LL(full * p->mr * G->OC), LL(p->nr));
	}
	fprintf(c, "\t\t}\n");
}

/* One pixel tile of a streamed conv: widen m pixels, then every oc tile. */
static void emit_streamed_tile(FILE *c, const char *L, const Node *n, const ConvPlan *p, int64_t m, const char *ox)
{
	const CgGeom *G = &p->g;
	int64_t tfull = G->OC / p->nr, tail = G->OC % p->nr;
	fprintf(c, "\t\t%s(xp, xb + %s * %lld, %lld);\n", n->in[0]->dtype == DT_U8 ? "qrt_widen_u8_i16" : "qrt_widen_i8_i16",
	        ox, LL(G->IC), LL(m * G->IC));
	if (tfull)
		fprintf(c, "\t\tfor (int t = 0; t < %lld; t++) /* oc tiles of %lld */\n"
		           "\t\t\t%s_tile%lldx%lld(xp, %s_w + t * %lld, t * %lld, %lld, yb + %s * %lld + t * %lld);\n",
		        LL(tfull), LL(p->nr), L, LL(m), LL(p->nr), L, LL(p->lp * p->nr), LL(p->nr), LL(p->nr), ox, LL(G->OC),
		        LL(p->nr));
	if (tail)
		fprintf(c, "\t\t/* OC %% %lld = %lld: the last tile, oc %lld..%lld */\n"
		           "\t\t%s_tile%lldx%lld(xp, %s_w + %lld, %lld, %lld, yb + %s * %lld + %lld);\n",
		        LL(p->nr), LL(tail), LL(tfull * p->nr), LL(G->OC - 1), L, LL(m), LL(p->nr), L,
		        LL(tfull * p->lp * p->nr), LL(tfull * p->nr), LL(tail), ox, LL(G->OC), LL(tfull * p->nr));
}

static void emit_conv_streamed(FILE *c, Graph *g, const Node *n, const ConvPlan *p)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	const CgGeom *G = &p->g;
	int64_t full = G->OW / p->mr * p->mr, rem = G->OW % p->mr;
	fprintf(c, "\t/* %lld pixels of %lld channels; each tile of %d pixels is widened to int16 here first */\n",
	        LL(G->OW), LL(G->IC), p->mr);
	fprintf(c, "\tint16_t *restrict xp = (int16_t *)(void *)scratch; /* [%d][%lld] + 2 */\n", p->mr, LL(G->IC));
	fprintf(c, "\tfor (int i = 0; i < %lld; i++) /* incl. the pair an odd IC over-reads (times weight 0) */\n"
	           "\t\txp[i] = 0;\n", LL(p->mr * G->IC + 2));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	fprintf(c, "\tconst %s *xb = x + b * %lld;\n\t%s *yb = y + b * %lld;\n", tx, LL(G->IW * G->IC), ty,
	        LL(G->OW * G->OC));
	if (full) {
		fprintf(c, "\tfor (int ox = 0; ox < %lld; ox += %d) {\n", LL(full), p->mr);
		emit_streamed_tile(c, L, n, p, p->mr, "ox");
		fprintf(c, "\t}\n");
	}
	if (rem) {
		fprintf(c, "\t{ /* %lld %% %d = %lld: the last pixels */\n", LL(G->OW), p->mr, LL(rem));
		emit_streamed_tile(c, L, n, p, rem, arena_printf(g->arena, "%lld", LL(full)));
		fprintf(c, "\t}\n");
	}
	fprintf(c, "\t}\n}\n");
}

static void emit_conv(FILE *c, Graph *g, Node *n)
{
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	ConvPlan p = conv_plan(n);
	const CgGeom *G = &p.g;
	fprintf(c, "/* kernel %s:\n *   %s */\n", n->kernel, n->kernel_note);
	conv_constants(c, g, n, &p);
	int64_t full = G->OW / p.mr, rem = G->OW % p.mr;
	if (full)
		emit_conv_tile(c, g, n, &p, p.mr);
	if (rem)
		emit_conv_tile(c, g, n, &p, (int)rem);
	fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y, unsigned char *restrict scratch)\n{\n", L, tx, ty);
	if (p.streamed) {
		emit_conv_streamed(c, g, n, &p);
		return;
	}
	fprintf(c, "\tint16_t *restrict xp = (int16_t *)(void *)scratch; /* [%lld][%lld][%lld] */\n", LL(G->IHp),
	        LL(G->IWp), LL(G->IC));
	fprintf(c, "\txp[%lld] = xp[%lld] = 0; /* read (times a zero weight) by an odd segment's last pair */\n",
	        LL(G->IHp * G->IWp * G->IC), LL(G->IHp * G->IWp * G->IC + 1));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	fprintf(c, "\tconst %s *xb = x + b * %lld;\n", tx, LL(G->IH * G->IW * G->IC));
	emit_fill(c, n->in[0], G, G->IC, "xb");
	int64_t tfull = G->OC / p.nr, tail = G->OC % p.nr;
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++) {\n", LL(G->OH));
	fprintf(c, "\t\tconst int16_t *xr = xp + oy * %lld;\n", LL(G->sh * G->IWp * G->IC));
	fprintf(c, "\t\t%s *yr = y + (b * %lld + oy) * %lld;\n", ty, LL(G->OH), LL(G->OW * G->OC));
	if (tfull)
		emit_conv_row_tiles(c, L, &p, arena_printf(g->arena, "\t\tfor (int t = 0; t < %lld; t++) { /* oc tiles of %lld */\n",
		                                            LL(tfull), LL(p.nr)), p.nr);
	if (tail)
		emit_conv_row_tiles(c, L, &p, arena_printf(g->arena, "\t\t{ /* OC %% %lld = %lld: the last tile, oc %lld..%lld */\n"
		                                            "\t\t\tconst int t = %lld;\n",
		                                            LL(p.nr), LL(tail), LL(tfull * p.nr), LL(G->OC - 1), LL(tfull)),
		                    tail);
	fprintf(c, "\t}\n\t}\n}\n");
}

/* ---- depthwise conv2d: 16 channels x all taps, tap pairs interleaved ---- */

typedef struct DwPlan {
	CgGeom g;
	int64_t cp, nblk;         /* channels padded to 16; blocks of 16 */
	int ntap, npair;
	int hi;
} DwPlan;

static DwPlan dw_plan(const Node *n)
{
	DwPlan p;
	p.g = cg_conv_geom(n);
	p.cp = (p.g.IC + 15) / 16 * 16;
	p.nblk = p.cp / 16;
	p.ntap = p.g.kh * p.g.kw;
	p.npair = (p.ntap + 1) / 2;
	p.hi = shifts_hi(&n->u.conv.rq);
	return p;
}

/* vpunpck{l,h}wd interleave within 128-bit lanes: the low half of a block of
 * 16 channels holds channels 0-3 and 8-11, the high half 4-7 and 12-15. */
static int dw_lane(int half, int i) { return (i / 4) * 8 + half * 4 + i % 4; }

static void select_dw(Graph *g, Node *n)
{
	DwPlan p = dw_plan(n);
	n->kernel = arena_printf(g->arena, "dwconv%dx%d_%s_16c__avx2", p.g.kh, p.g.kw, dt_tag(n->in[0]->dtype));
	n->kernel_note = arena_printf(g->arena, "%s; tap pairs interleaved by vpunpcklwd/vpunpckhwd",
	                              maddubs_note(g, n));
	n->scratch_bytes = (p.g.IHp * p.g.IWp * p.cp * 2 + 63) / 64 * 64;
}

static void emit_dw(FILE *c, Graph *g, Node *n)
{
	const ConvAttr *a = &n->u.conv;
	const char *L = cg_layer(g, n), *tx = cg_ctype(n->in[0]->dtype), *ty = cg_ctype(n->dtype);
	DwPlan p = dw_plan(n);
	const CgGeom *G = &p.g;
	const int8_t *w = a->weight->data;
	fprintf(c, "/* kernel %s:\n *   %s */\n", n->kernel, n->kernel_note);
	fprintf(c, "/* Weights [block of 16 channels][tap pair][lo: ch 0-3,8-11 | hi: ch 4-7,12-15] x (w[tap a], w[tap b]);\n"
	           " * an odd last tap pairs with 0; channels past %lld are 0. */\n", LL(G->IC));
	fprintf(c, "static const int16_t %s_w[%lld] __attribute__((aligned(64))) = {", L, LL(p.nblk * p.npair * 32));
	for (int64_t b = 0; b < p.nblk; b++)
		for (int k = 0; k < p.npair; k++) {
			fprintf(c, "\n\t/* channels %lld..%lld, taps %d,%d */\n\t", LL(b * 16), LL(b * 16 + 15), 2 * k,
			        2 * k + 1 < p.ntap ? 2 * k + 1 : -1);
			for (int half = 0; half < 2; half++)
				for (int i = 0; i < 8; i++) {
					int64_t ch = b * 16 + dw_lane(half, i);
					int wa = ch < G->IC ? w[ch * p.ntap + 2 * k] : 0;
					int wb = ch < G->IC && 2 * k + 1 < p.ntap ? w[ch * p.ntap + 2 * k + 1] : 0;
					fprintf(c, "%d, %d,%s", wa, wb, half == 1 && i == 7 ? "" : i == 7 ? "\n\t" : " ");
				}
		}
	fprintf(c, "\n};\n");
	int64_t np = p.cp;
	int32_t *bias = calloc((size_t)np * 3, sizeof *bias), *m = bias + np, *sh = m + np;
	double *real = calloc((size_t)np, sizeof *real);
	for (int64_t ch = 0; ch < np; ch++) {
		int64_t blk = ch / 16, j = ch % 16, src = blk * 16 + dw_lane(j / 8, j % 8);
		int ok = src < G->IC;
		bias[ch] = ok ? a->bias_q[src] : 0;
		m[ch] = ok ? a->rq.mult[src] : 0;
		sh[ch] = ok ? shift_of(&a->rq, (int)src, p.hi) : p.hi ? 0 : 32;
		real[ch] = ok ? a->rq.real[src] : NAN;
	}
	fprintf(c, "/* per-channel constants in the same lo/hi lane order: lanes of block b are channels\n"
	           " * b*16 + {0,1,2,3,8,9,10,11 | 4,5,6,7,12,13,14,15} */\n");
	emit_i32_vec_array(c, arena_printf(g->arena, "%s_bias", L), bias, np, "folded bias");
	emit_rq_consts(c, g, n, L, m, sh, real, np, p.hi);
	free(bias);
	free(real);
	fprintf(c, "\n/* 16 channels of one output pixel; x points at the window's top-left, channel 16*blk */\n");
	fprintf(c, "static inline void %s_block(const int16_t *restrict x, int blk, int nc, %s *restrict y)\n{\n", L, ty);
	fprintf(c, "\tconst int16_t *w = %s_w + blk * %d;\n", L, p.npair * 32);
	fprintf(c, "\t__m256i vacc_lo = _mm256_loadu_si256((const __m256i *)(const void *)(%s_bias + blk * 16));\n", L);
	fprintf(c, "\t__m256i vacc_hi = _mm256_loadu_si256((const __m256i *)(const void *)(%s_bias + blk * 16 + 8));\n", L);
	for (int k = 0; k < p.npair; k++) {
		int ta = 2 * k, tb = 2 * k + 1;
		int64_t oa = ((ta / G->kw) * G->dh * G->IWp + (ta % G->kw) * G->dw) * p.cp;
		fprintf(c, "\t{ /* taps %d (ky %d, kx %d)", ta, ta / G->kw, ta % G->kw);
		if (tb < p.ntap)
			fprintf(c, " and %d (ky %d, kx %d) */\n", tb, tb / G->kw, tb % G->kw);
		else
			fprintf(c, " and none (odd tap count: paired with 0) */\n");
		fprintf(c, "\t\tconst __m256i va = _mm256_loadu_si256((const __m256i *)(const void *)(x + %lld));\n", LL(oa));
		if (tb < p.ntap)
			fprintf(c, "\t\tconst __m256i vb = _mm256_loadu_si256((const __m256i *)(const void *)(x + %lld));\n",
			        LL(((tb / G->kw) * G->dh * G->IWp + (tb % G->kw) * G->dw) * p.cp));
		else
			fprintf(c, "\t\tconst __m256i vb = _mm256_setzero_si256();\n");
		fprintf(c, "\t\tvacc_lo = _mm256_add_epi32(vacc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(va, vb), "
		           "_mm256_load_si256((const __m256i *)(const void *)(w + %d))));\n", k * 32);
		fprintf(c, "\t\tvacc_hi = _mm256_add_epi32(vacc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(va, vb), "
		           "_mm256_load_si256((const __m256i *)(const void *)(w + %d))));\n\t}\n", k * 32 + 16);
	}
	fprintf(c, "\t/* requantize: zp %d, clamp [%d, %d] */\n", (int)n->zp, (int)n->lo, (int)n->hi);
	for (int h = 0; h < 2; h++)
		fprintf(c, "\tvacc_%s = %s;\n", h ? "hi" : "lo",
		        rq_call(g, L, n, p.hi, h ? "vacc_hi" : "vacc_lo", arena_printf(g->arena, "blk * 2 + %d", h)));
	fprintf(c, "\t/* packs: lane 0 = channels 0-7, lane 1 = 8-15 (int16), then bytes, then the two lanes' low halves */\n");
	fprintf(c, "\tconst __m256i v16 = _mm256_packs_epi32(vacc_lo, vacc_hi);\n");
	fprintf(c, "\tconst __m256i v8 = %s(v16, v16);\n", n->dtype == DT_U8 ? "_mm256_packus_epi16" : "_mm256_packs_epi16");
	fprintf(c, "\tconst __m128i vy = _mm256_castsi256_si128(_mm256_permute4x64_epi64(v8, 0x08));\n");
	fprintf(c, "\tif (nc == 16)\n\t\t_mm_storeu_si128((__m128i *)(void *)y, vy);\n\telse\n\t\tqrt_store_bytes(y, vy, nc);\n}\n");

	fprintf(c, "\nstatic void %s(const %s *restrict x, %s *restrict y, unsigned char *restrict scratch)\n{\n", L, tx, ty);
	fprintf(c, "\tint16_t *restrict xp = (int16_t *)(void *)scratch; /* [%lld][%lld][%lld] */\n", LL(G->IHp),
	        LL(G->IWp), LL(p.cp));
	fprintf(c, "\tfor (int b = 0; b < %lld; b++) {\n", LL(G->N));
	fprintf(c, "\tconst %s *xb = x + b * %lld;\n", tx, LL(G->IH * G->IW * G->IC));
	emit_fill(c, n->in[0], G, p.cp, "xb");
	int64_t bfull = G->IC / 16, tail = G->IC % 16;
	fprintf(c, "\tfor (int oy = 0; oy < %lld; oy++)\n\tfor (int ox = 0; ox < %lld; ox++) {\n", LL(G->OH), LL(G->OW));
	fprintf(c, "\t\tconst int16_t *px = xp + oy * %lld + ox * %lld;\n", LL(G->sh * G->IWp * p.cp), LL(G->sw * p.cp));
	fprintf(c, "\t\t%s *py = y + ((b * %lld + oy) * %lld + ox) * %lld;\n", ty, LL(G->OH), LL(G->OW), LL(G->IC));
	if (bfull)
		fprintf(c, "\t\tfor (int blk = 0; blk < %lld; blk++)\n\t\t\t%s_block(px + blk * 16, blk, 16, py + blk * 16);\n",
		        LL(bfull), L);
	if (tail)
		fprintf(c, "\t\t/* C %% 16 = %lld: channels %lld..%lld */\n\t\t%s_block(px + %lld, %lld, %lld, py + %lld);\n",
		        LL(tail), LL(bfull * 16), LL(G->IC - 1), L, LL(bfull * 16), LL(bfull), LL(tail), LL(bfull * 16));
	fprintf(c, "\t}\n\t}\n}\n");
}

/* ---- add: 8 elements a step ---- */

static void emit_add(FILE *c, Graph *g, Node *n)
{
	const AddAttr *a = &n->u.add;
	const Node *x = n->in[0], *z = n->in[1];
	int64_t cnt = ir_numel(n), full = cnt / 8 * 8;
	fprintf(c, "/* kernel %s */\n", n->kernel);
	/* no restrict: pass_plan may give y the buffer of a or b; each group of 8
	 * is read before it is written */
	fprintf(c, "static void %s(const %s *a, const %s *b, %s *y)\n{\n", cg_layer(g, n),
	        cg_ctype(x->dtype), cg_ctype(z->dtype), cg_ctype(n->dtype));
	fprintf(c, "\t/* M_a = %.9g, M_b = %.9g, one shared shift */\n", a->real_a, a->real_b);
	fprintf(c, "\tconst __m256i vzp_a = _mm256_set1_epi32(%d), vzp_b = _mm256_set1_epi32(%d);\n", (int)x->zp,
	        (int)z->zp);
	fprintf(c, "\tfor (int i = 0; i < %lld; i += 8) {\n", LL(full));
	fprintf(c, "\t\tconst __m256i va = _mm256_sub_epi32(%s(_mm_loadl_epi64((const __m128i *)(const void *)(a + i))), vzp_a);\n",
	        x->dtype == DT_U8 ? "_mm256_cvtepu8_epi32" : "_mm256_cvtepi8_epi32");
	fprintf(c, "\t\tconst __m256i vb = _mm256_sub_epi32(%s(_mm_loadl_epi64((const __m128i *)(const void *)(b + i))), vzp_b);\n",
	        z->dtype == DT_U8 ? "_mm256_cvtepu8_epi32" : "_mm256_cvtepi8_epi32");
	fprintf(c, "\t\tconst __m256i vy = qrt_add_x8(va, %d, vb, %d, %d, %d, %d, %d);\n", (int)a->mult_a, (int)a->mult_b,
	        a->shift, (int)n->zp, (int)n->lo, (int)n->hi);
	fprintf(c, "\t\t_mm_storel_epi64((__m128i *)(void *)(y + i), %s(vy));\n\t}\n", pack_fn(n->dtype, 0));
	if (cnt > full)
		fprintf(c, "\t/* %lld %% 8 = %lld: the last elements with the scalar qrt_add */\n"
		           "\tfor (int i = %lld; i < %lld; i++)\n"
		           "\t\ty[i] = (%s)qrt_add(a[i] - %d, %d, b[i] - %d, %d, %d, %d, %d, %d);\n",
		        LL(cnt), LL(cnt - full), LL(full), LL(cnt), cg_ctype(n->dtype), (int)x->zp, (int)a->mult_a, (int)z->zp,
		        (int)a->mult_b, a->shift, (int)n->zp, (int)n->lo, (int)n->hi);
	fprintf(c, "}\n");
}

/* ---- maxpool: 32 channels a vector ---- */

static void emit_maxpool(FILE *c, Graph *g, Node *n)
{
	const PoolAttr *p = &n->u.pool;
	const Node *x = n->in[0];
	const char *L = cg_layer(g, n), *ty = cg_ctype(n->dtype);
	int64_t IH = x->dims[2], IW = x->dims[3], C = x->dims[1], OH = n->dims[2], OW = n->dims[3];
	int u8 = n->dtype == DT_U8, init = (int)n->lo - 1 > (u8 ? 0 : -128) ? (int)n->lo - 1 : (u8 ? 0 : -128);
	int64_t c32 = C / 32 * 32, c16 = (C - c32) / 16 * 16;
	fprintf(c, "/* kernel %s: max(%d, in-bounds taps) per channel (every window has one: the\n"
	           " * portable kernel's max(lo - 1 = %d, taps)); padding never wins */\n", n->kernel, init, (int)n->lo - 1);
	/* no restrict: pass_plan may give y the buffer of x (raster order) */
	fprintf(c, "static void %s(const %s *x, %s *y)\n{\n", L, cg_ctype(x->dtype), ty);
	fprintf(c, "\tfor (int b = 0; b < %lld; b++)\n\tfor (int oy = 0; oy < %lld; oy++)\n", LL(n->dims[0]), LL(OH));
	fprintf(c, "\tfor (int ox = 0; ox < %lld; ox++) {\n", LL(OW));
	fprintf(c, "\t\t%s *py = y + ((b * %lld + oy) * %lld + ox) * %lld;\n", ty, LL(OH), LL(OW), LL(C));
	fprintf(c, "\t\tconst %s *px[%d]; /* the in-bounds taps' pixels */\n\t\tint nt = 0;\n", cg_ctype(x->dtype),
	        p->kh * p->kw);
	fprintf(c, "\t\tfor (int ky = 0; ky < %d; ky++)\n\t\tfor (int kx = 0; kx < %d; kx++) {\n", p->kh, p->kw);
	fprintf(c, "\t\t\tconst int iy = oy * %d - %d + ky * %d, ix = ox * %d - %d + kx * %d;\n", p->stride[0], p->pad[0],
	        p->dilation[0], p->stride[1], p->pad[1], p->dilation[1]);
	fprintf(c, "\t\t\tif (iy >= 0 && iy < %lld && ix >= 0 && ix < %lld)\n", LL(IH), LL(IW));
	fprintf(c, "\t\t\t\tpx[nt++] = x + ((b * %lld + iy) * %lld + ix) * %lld;\n\t\t}\n", LL(IH), LL(IW), LL(C));
	const char *mx = u8 ? "epu8" : "epi8";
	if (c32) {
		fprintf(c, "\t\tfor (int ch = 0; ch < %lld; ch += 32) {\n", LL(c32));
		fprintf(c, "\t\t\t__m256i vm = _mm256_set1_epi8(%d);\n", init);
		fprintf(c, "\t\t\tfor (int t = 0; t < nt; t++)\n\t\t\t\tvm = _mm256_max_%s(vm, "
		           "_mm256_loadu_si256((const __m256i *)(const void *)(px[t] + ch)));\n", mx);
		fprintf(c, "\t\t\t_mm256_storeu_si256((__m256i *)(void *)(py + ch), vm);\n\t\t}\n");
	}
	if (c16) {
		fprintf(c, "\t\t{ /* channels %lld..%lld */\n\t\t\t__m128i vm = _mm_set1_epi8(%d);\n", LL(c32),
		        LL(c32 + 15), init);
		fprintf(c, "\t\t\tfor (int t = 0; t < nt; t++)\n\t\t\t\tvm = _mm_max_%s(vm, "
		           "_mm_loadu_si128((const __m128i *)(const void *)(px[t] + %lld)));\n", mx, LL(c32));
		fprintf(c, "\t\t\t_mm_storeu_si128((__m128i *)(void *)(py + %lld), vm);\n\t\t}\n", LL(c32));
	}
	if (C > c32 + c16) {
		fprintf(c, "\t\tfor (int ch = %lld; ch < %lld; ch++) { /* C %% 16 = %lld: one at a time */\n",
		        LL(c32 + c16), LL(C), LL(C % 16));
		fprintf(c, "\t\t\tint32_t m = %d;\n\t\t\tfor (int t = 0; t < nt; t++)\n", init);
		fprintf(c, "\t\t\t\tm = px[t][ch] > m ? px[t][ch] : m;\n\t\t\tpy[ch] = (%s)m;\n\t\t}\n", ty);
	}
	fprintf(c, "\t}\n}\n");
}

/* ---- the target entry points ---- */

void cg_avx2_select(Graph *g, Node *n)
{
	if (cg_simd_conv_ok(n) && (n->op == OP_LINEAR || n->u.conv.groups == 1))
		select_conv(g, n);
	else if (cg_simd_conv_ok(n) && cg_is_depthwise(n))
		select_dw(g, n);
	else if (n->op == OP_ADD && cg_is_8bit(n->in[0]->dtype) && cg_is_8bit(n->in[1]->dtype) && cg_is_8bit(n->dtype))
		n->kernel = "add_x8__avx2";
	else if (n->op == OP_MAXPOOL2D && cg_is_8bit(n->in[0]->dtype) && n->dtype == n->in[0]->dtype &&
	         cg_pool_windows_nonempty(n))
		n->kernel = arena_printf(g->arena, "maxpool%dx%d_%s_32c__avx2", n->u.pool.kh, n->u.pool.kw,
		                         n->dtype == DT_U8 ? "u8" : "s8");
}

void cg_avx2_emit_prologue(FILE *c, Graph *g, const CgOptions *o)
{
	(void)g, (void)o;
	fprintf(c, "\n/* AVX2 kernels: vector forms of the qrt.h primitives (runtime/qrt_avx2.h) */\n"
	           "#include <immintrin.h>\n\n#include \"qrt_avx2.h\"\n\n");
}

void cg_avx2_emit_node(FILE *c, Graph *g, Node *n, const CgOptions *o)
{
	if (!n->kernel || strstr(n->kernel, "__avx2") == NULL) {
		cg_c_emit_node(c, g, n, o);
		return;
	}
	cg_layer_comment(c, g, n, o);
	switch (n->op) {
	case OP_CONV2D:
	case OP_LINEAR: cg_is_depthwise(n) ? emit_dw(c, g, n) : emit_conv(c, g, n); break;
	case OP_ADD: emit_add(c, g, n); break;
	case OP_MAXPOOL2D: emit_maxpool(c, g, n); break;
	default: die("avx2: no kernel for %s", op_info[n->op].name);
	}
}
