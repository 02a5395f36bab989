/* The compile-time multiplier derivation and the runtime primitives,
 * checked against exact rational arithmetic (128-bit integers), never
 * against qcc's own output. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "qrt.h"

__extension__ typedef __int128 i128;

static int failures;
#define EXPECT(cond, ...)                                                                  \
	do {                                                                                   \
		if (!(cond)) {                                                                     \
			failures++;                                                                    \
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                                                  \
			fputc('\n', stderr);                                                           \
		}                                                                                  \
	} while (0)

/* M is a double, hence exactly f53 * 2^e2.  Checks |mult/2^shift - M| <= 2^-(shift+1)
 * exactly: |mult * 2^s2 - f53 * 2^(shift + e2 + s2)| <= 2^(s2-1) for a common s2. */
static void check_encoding(double M)
{
	int32_t mult;
	int8_t shift;
	EXPECT(quant_multiplier(M, &mult, &shift) == 0, "M=%a rejected", M);
	EXPECT(shift >= 1 && shift <= 62, "M=%a shift %d", M, shift);
	if (fabs(M) < 0x1p-32) {
		EXPECT(mult == 0, "tiny M=%a gives mult %d", M, mult);
		return;
	}
	int64_t am = mult < 0 ? -(int64_t)mult : mult;
	EXPECT(am >= (INT64_C(1) << 30) && am < (INT64_C(1) << 31), "M=%a mult %d not normalised", M, mult);
	EXPECT((mult < 0) == (M < 0), "M=%a sign", M);
	int e;
	double f = frexp(M, &e);
	int64_t f53 = (int64_t)ldexp(f, 53); /* exact */
	int e2 = e - 53;                     /* M = f53 * 2^e2 */
	/* compare mult * 2^64 with f53 * 2^(shift + e2 + 64); shift + e2 + 64 >= 0 here */
	int sh = shift + e2 + 64;
	EXPECT(sh >= 0 && sh < 126, "exponent %d", sh);
	i128 lhs = (i128)mult * ((i128)1 << 64); /* multiplications: mult and f53 may be negative */
	i128 rhs = (i128)f53 * ((i128)1 << sh);
	i128 diff = lhs - rhs;
	if (diff < 0)
		diff = -diff;
	EXPECT(diff <= ((i128)1 << 63), "M=%a: mult %d shift %d is not the nearest Q31 value", M, mult, shift);
}

/* qrt_requant must equal floor((acc*m + 2^(n-1)) / 2^n), saturated. */
static void check_requant(int32_t acc, int32_t m, int n, int32_t zp)
{
	i128 p = (i128)acc * m + ((i128)1 << (n - 1));
	i128 q = p >= 0 ? p >> n : -((-p + ((i128)1 << n) - 1) >> n); /* floor division */
	q += zp;
	int32_t want = q < 0 ? 0 : q > 255 ? 255 : (int32_t)q;
	int32_t got = qrt_requant(acc, m, n, zp, 0, 255);
	EXPECT(got == want, "requant(%d, %d, %d, %d) = %d, want %d", acc, m, n, zp, got, want);
}

/* qrt_rshr_even must round p / 2^n to nearest with ties to even, exactly. */
static void check_even(int64_t p, int n)
{
	i128 q = p >= 0 ? (i128)p >> n : -(((i128)-p + ((i128)1 << n) - 1) >> n); /* floor */
	i128 r = (i128)p - q * ((i128)1 << n), half = (i128)1 << (n - 1);
	i128 want = q + (r > half || (r == half && (q & 1)));
	EXPECT(qrt_rshr_even(p, n) == (int64_t)want, "rshr_even(%lld, %d) = %lld, want %lld", (long long)p, n,
	       (long long)qrt_rshr_even(p, n), (long long)want);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(void)
{
	/* Hand-known encodings. */
	int32_t m;
	int8_t s;
	quant_multiplier(0.5, &m, &s);
	EXPECT(m == 1073741824 && s == 31, "0.5 -> %d >> %d", m, s);
	quant_multiplier(1.0, &m, &s);
	EXPECT(m == 1073741824 && s == 30, "1.0 -> %d >> %d", m, s);
	quant_multiplier(0.75, &m, &s);
	EXPECT(m == 1610612736 && s == 31, "0.75 -> %d >> %d", m, s);
	quant_multiplier(-0.75, &m, &s);
	EXPECT(m == -1610612736 && s == 31, "-0.75 -> %d >> %d", m, s);
	/* f * 2^31 rounds up to 2^31: renormalised to 2^30 with one less shift. */
	quant_multiplier(nextafter(1.0, 0.0), &m, &s);
	EXPECT(m == 1073741824 && s == 30, "1-ulp -> %d >> %d", m, s);
	EXPECT(quant_multiplier(0x1p30, &m, &s) == -1, "2^30 must be rejected");
	EXPECT(quant_multiplier(INFINITY, &m, &s) == -1, "inf must be rejected");
	EXPECT(quant_multiplier(NAN, &m, &s) == -1, "nan must be rejected");
	/* Within half a Q31 step below 2^30 the encoding rounds up to 2^30: rejected. */
	EXPECT(quant_multiplier(nextafter(0x1p30, 0), &m, &s) == -1, "2^30 - ulp must be rejected");
	EXPECT(quant_multiplier(0x1p30 - 0.5, &m, &s) == 0 && s == 1 && m == 2147483647, "2^30 - 1/2: %d >> %d", m, s);
	EXPECT(quant_multiplier(0x1p-32, &m, &s) == 0 && s == 62 && m == 1073741824, "2^-32: %d >> %d", m, s);
	quant_multiplier(0x1p-33, &m, &s);
	EXPECT(m == 0, "2^-33 is encoded as 0, got %d", m);

	/* Random multipliers across the whole accepted range, both signs. */
	for (int i = 0; i < 200000; i++) {
		double M = ldexp(0.5 + (double)(next() >> 11) * 0x1p-54, (int)(next() % 64) - 33);
		if (M >= 0x1p30)
			continue;
		check_encoding(next() & 1 ? -M : M);
	}

	/* Rounding: ties go toward +inf, exactly one rounding. */
	EXPECT(qrt_rshr(1, 1) == 1, "0.5 -> 1");
	EXPECT(qrt_rshr(-1, 1) == 0, "-0.5 -> 0");
	EXPECT(qrt_rshr(-3, 1) == -1, "-1.5 -> -1");
	EXPECT(qrt_rshr(3, 1) == 2, "1.5 -> 2");
	EXPECT(qrt_rshr(-5, 2) == -1, "-1.25 -> -1");
	EXPECT(qrt_rshr(-6, 2) == -1, "-1.5 -> -1");
	EXPECT(qrt_rshr(-7, 2) == -2, "-1.75 -> -2");
	EXPECT(qrt_rshr(INT64_C(0x3FFFFFFFFFFFFFFF), 62) == 1, "near 2^62");
	for (int i = 0; i < 1000000; i++) {
		int32_t acc = (int32_t)next();
		int32_t mm = (int32_t)(next() | 0x40000000u);
		if (next() & 1)
			mm = -mm;
		check_requant(acc >> (next() % 31), mm, 1 + (int)(next() % 62), (int32_t)(next() % 256));
	}

	/* Average pooling rounds ties to even: 0.5 -> 0, 1.5 -> 2, -0.5 -> 0, -1.5 -> -2, 2.5 -> 2. */
	EXPECT(qrt_rshr_even(1, 1) == 0 && qrt_rshr_even(3, 1) == 2 && qrt_rshr_even(-1, 1) == 0, "even ties");
	EXPECT(qrt_rshr_even(-3, 1) == -2 && qrt_rshr_even(5, 1) == 2 && qrt_rshr_even(-5, 1) == -2, "even ties");
	EXPECT(qrt_rshr_even(96, 6) == 2 && qrt_rshr_even(32, 6) == 0 && qrt_rshr_even(33, 6) == 1, "sum/64");
	for (int i = 0; i < 1000000; i++) {
		int64_t p = (int64_t)(next() >> (2 + next() % 60));
		check_even(next() & 1 ? -p : p, 1 + (int)(next() % 62));
	}

	/* quantize rounds ties to even, saturates, maps NaN to the zero point. */
	EXPECT(qrt_rne_f32(2.5f) == 2 && qrt_rne_f32(3.5f) == 4 && qrt_rne_f32(-2.5f) == -2, "rne ties");
	EXPECT(qrt_rne_f32(-0.5f) == 0 && qrt_rne_f32(0.49999997f) == 0 && qrt_rne_f32(-1.5f) == -2, "rne");
	/* qrt_rne_f32 works on the bits; the FPU's nearbyintf (default mode: to
	 * nearest even) is the reference, on 4M random floats below 2^31 and
	 * every tie k + 0.5 up to 2^23. */
	for (int i = 0; i < 4000000; i++) {
		uint32_t u = (uint32_t)next();
		float v;
		memcpy(&v, &u, sizeof v);
		if (!(fabsf(v) < 2147483520.0f))
			continue;
		EXPECT(qrt_rne_f32(v) == (int32_t)nearbyintf(v), "rne_f32(%a)", (double)v);
	}
	for (int32_t k = -(1 << 23); k < (1 << 23); k += 1 + (int32_t)(next() % 97))
		EXPECT(qrt_rne_f32((float)k + 0.5f) == (int32_t)nearbyintf((float)k + 0.5f), "tie %d.5", k);

	/* The pytorch contract's requantization: one float32 product, rounded to
	 * even, then the zero point and the clamp. */
	for (int i = 0; i < 1000000; i++) {
		int32_t acc = (int32_t)next() >> (next() % 31);
		float scale = ldexpf((float)(next() % 0x1000000 + 1), -(int)(next() % 40) - 10);
		int32_t zp = (int32_t)(next() % 256), want;
		float v = (float)acc * scale;
		double r = nearbyint((double)v) + zp;
		want = r < 0 ? 0 : r > 255 ? 255 : (int32_t)r;
		EXPECT(qrt_requant_fp32(acc, scale, zp, 0, 255) == want, "requant_fp32(%d, %a)", acc, (double)scale);
	}

	/* The pytorch contract's add, against QNNPACK's own formulation: the
	 * remainder under a mask, compared with a threshold, minus one for
	 * negative sums (ties away from zero). */
	for (int i = 0; i < 1000000; i++) {
		int32_t a = (int32_t)(next() % 511) - 255, b = (int32_t)(next() % 511) - 255;
		int32_t ma = (int32_t)(next() % (1u << 22)), mb = (int32_t)(next() % (1u << 22));
		int shift = 13 + (int)(next() % 19);
		int32_t acc = a * ma + b * mb, mask = (int32_t)((UINT32_C(1) << shift) - 1);
		int32_t rem = (acc & mask) - (acc < 0), thr = mask >> 1;
		int32_t want = (int32_t)qrt_floor_shift(acc, shift) + (rem > thr) + 100;
		want = want < 0 ? 0 : want > 255 ? 255 : want;
		EXPECT(qrt_add_away(a, ma, b, mb, shift, 100, 0, 255) == want, "add_away(%d,%d,%d,%d,%d)", a, ma, b, mb, shift);
	}

	EXPECT(qrt_quantize_f32(1e30f, 1.0f, 3, 0, 255) == 255, "+big saturates");
	EXPECT(qrt_quantize_f32(-INFINITY, 1.0f, 3, 0, 255) == 0, "-inf saturates");
	EXPECT(qrt_quantize_f32(NAN, 1.0f, 3, 0, 255) == 3, "nan -> zp");
	EXPECT(qrt_quantize_f32(0.25f, 2.0f, 10, 0, 255) == 10, "0.5 -> 0 (even) + 10");
	EXPECT(qrt_quantize_f32(0.75f, 2.0f, 10, 0, 255) == 12, "1.5 -> 2 + 10");

	/* relu6 bound: 6/s + zp above 255 clamps to 255, never wraps. */
	EXPECT(quant_clamp_bound(6.0, 0.01, 0, DT_U8) == 255, "relu6 at s=0.01");
	EXPECT(quant_clamp_bound(6.0, 0.05, 10, DT_U8) == 130, "relu6 at s=0.05, zp 10");
	EXPECT(quant_clamp_bound(6.0, 0.01, 0, DT_I8) == 127, "relu6 i8");
	EXPECT(quant_clamp_bound(-1.0, 0.01, 0, DT_I8) == -100, "clamp lo i8");
	/* A scale below 1/FLT_MAX has 1.0f/s = inf (found by fuzzing: the
	 * product went to quant_rne as inf): x * inf saturates, 0 * inf is
	 * NaN, which maps to the zero point, as qrt_quantize_f32 does. */
	EXPECT(quant_clamp_bound(6.0, 1e-45, 10, DT_U8) == 255, "relu6 at s=1e-45");
	EXPECT(quant_clamp_bound(-1.0, 1e-45, 10, DT_U8) == 0, "clamp lo at s=1e-45");
	EXPECT(quant_clamp_bound(0.0, 1e-45, 10, DT_U8) == 10, "0 at s=1e-45 -> zp");
	EXPECT(quant_clamp_bound(1e9, 1e-30, -3, DT_I8) == 127, "1e9 at s=1e-30 overflows float32");
	EXPECT(quant_clamp_bound(-0.5, 1e-38, -8, DT_I8) == -128, "-0.5 at s=1e-38: -5e37, past int64");

	/* A range beyond float32 has no scale (found by fuzzing: range=[-1.0,
	 * 1e308] gave an infinite scale, which the verifier rejects). */
	{
		double s_inf;
		int32_t z_inf;
		EXPECT(quant_range_qparams(-1.0, 1e308, 1, DT_I8, &s_inf, &z_inf) == -1, "range up to 1e308");
		EXPECT(quant_range_qparams(-3e38, 3e38, 0, DT_U8, &s_inf, &z_inf) == -1, "range wider than FLT_MAX");
		EXPECT(quant_range_qparams(-1e38, 1e38, 0, DT_U8, &s_inf, &z_inf) == 0 && isfinite(s_inf), "range 2e38");
	}

	/* PyTorch MinMaxObserver: affine u8 over [-1, 2.5] gives scale 3.5/255 and zp rne(1/scale) = 73. */
	double sc;
	int32_t zp;
	quant_range_qparams(-1.0, 2.5, 0, DT_U8, &sc, &zp);
	EXPECT(sc == (double)(3.5f / 255.0f) && zp == 73, "range u8: %.9g %d", sc, zp);
	quant_range_qparams(-1.0, 0.5, 1, DT_I8, &sc, &zp);
	EXPECT(sc == (double)(1.0f / 127.5f) && zp == 0, "symmetric i8: %.9g %d", sc, zp);
	quant_range_qparams(0.0, 0.0, 0, DT_U8, &sc, &zp);
	EXPECT(sc == (double)FLT_EPSILON && zp == 0, "empty range: eps floor");

	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	else
		printf("test_quant: all checks passed\n");
	return failures != 0;
}
