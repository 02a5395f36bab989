/* qrt_neon: the primitives of qrt.h on AArch64 Advanced SIMD lanes.
 *
 * Each function here is the vector form of the qrt.h function of the same
 * name, with a lane suffix (_x2: two int64 lanes, _x4: four int32 lanes),
 * as gemmlowp's fixedpoint_neon.h mirrors fixedpoint.h.  Lane for lane they
 * compute exactly what the scalar reference computes; tests/kernels/
 * test_qrt_neon.c checks that on random and edge values, zero tolerance.
 *
 * Why the arithmetic is exact:
 * - acc * mult is formed by vmull_s32 in int64, as qrt_requant does.
 * - vrshlq_s64(p, -n) is SRSHL, a rounding shift right: (p + 2^(n-1)) >> n
 *   computed without intermediate overflow, arithmetic (flooring) shift.
 *   That is qrt_rshr, ties toward +inf, for every 1 <= n <= 62.
 * - vshlq_s64(p, -n) (SSHL by a negative count) is floor(p / 2^n).
 * - The rounded value may exceed int32 when M >= 1.  vqmovn_s64 saturates
 *   it to int32 and vqaddq_s32 adds the zero point saturating; since lo and
 *   hi lie well inside int32 and |zp| <= 255, a saturated value clamps to
 *   the same bound the exact one would: sat(zp + v, lo, hi) is unchanged. */
#ifndef QRT_NEON_H
#define QRT_NEON_H

#if !(defined(__aarch64__) && defined(__ARM_NEON))
#error "qrt_neon.h needs AArch64 Advanced SIMD (compile for aarch64)"
#endif

#include <arm_neon.h>
#include <string.h>

#include "qrt.h"

/* qrt_rshr on two lanes; shift in 1..62. */
static inline int64x2_t qrt_rshr_x2(int64x2_t p, int64x2_t shift)
{
	return vrshlq_s64(p, vnegq_s64(shift));
}

/* qrt_rshr_even on two lanes: p / 2^n to nearest, ties to even.  As the
 * scalar form: floor((p + 2^(n-1) - 1 + (floor(p / 2^n) & 1)) / 2^n). */
static inline int64x2_t qrt_rshr_even_x2(int64x2_t p, int64x2_t shift)
{
	const int64x2_t vone = vdupq_n_s64(1);
	const int64x2_t nshift = vnegq_s64(shift);
	const int64x2_t q = vshlq_s64(p, nshift);
	const int64x2_t half_minus_one = vsubq_s64(vshlq_s64(vone, vsubq_s64(shift, vone)), vone);
	return vshlq_s64(vaddq_s64(vaddq_s64(p, half_minus_one), vandq_s64(q, vone)), nshift);
}

/* Four int64 lanes to int32, saturating (see the note at the top). */
static inline int32x4_t qrt_narrow_x4(int64x2_t v01, int64x2_t v23)
{
	return vqmovn_high_s64(vqmovn_s64(v01), v23);
}

/* sat(zp + v, lo, hi) on four lanes, v already saturated to int32. */
static inline int32x4_t qrt_clamp_zp_x4(int32x4_t v, int32x4_t zp, int32x4_t lo, int32x4_t hi)
{
	return vminq_s32(vmaxq_s32(vqaddq_s32(v, zp), lo), hi);
}

/* qrt_requant on four lanes: sat(zp + rshr(acc * mult, shift), lo, hi).
 * mult and shift are per lane (per output channel). */
static inline int32x4_t qrt_requant_x4(int32x4_t acc, int32x4_t mult, int32x4_t shift, int32x4_t zp,
                                       int32x4_t lo, int32x4_t hi)
{
	const int64x2_t p01 = vmull_s32(vget_low_s32(acc), vget_low_s32(mult));
	const int64x2_t p23 = vmull_high_s32(acc, mult);
	const int64x2_t v01 = qrt_rshr_x2(p01, vmovl_s32(vget_low_s32(shift)));
	const int64x2_t v23 = qrt_rshr_x2(p23, vmovl_high_s32(shift));
	return qrt_clamp_zp_x4(qrt_narrow_x4(v01, v23), zp, lo, hi);
}

/* qrt_requant_even on four lanes (average pooling: ties to even). */
static inline int32x4_t qrt_requant_even_x4(int32x4_t acc, int32x4_t mult, int32x4_t shift, int32x4_t zp,
                                            int32x4_t lo, int32x4_t hi)
{
	const int64x2_t p01 = vmull_s32(vget_low_s32(acc), vget_low_s32(mult));
	const int64x2_t p23 = vmull_high_s32(acc, mult);
	const int64x2_t v01 = qrt_rshr_even_x2(p01, vmovl_s32(vget_low_s32(shift)));
	const int64x2_t v23 = qrt_rshr_even_x2(p23, vmovl_high_s32(shift));
	return qrt_clamp_zp_x4(qrt_narrow_x4(v01, v23), zp, lo, hi);
}

/* qrt_add on four lanes: one rounding of a * mult_a + b * mult_b. */
static inline int32x4_t qrt_add_x4(int32x4_t a, int32x4_t mult_a, int32x4_t b, int32x4_t mult_b, int32x4_t shift,
                                   int32x4_t zp, int32x4_t lo, int32x4_t hi)
{
	int64x2_t p01 = vmull_s32(vget_low_s32(a), vget_low_s32(mult_a));
	int64x2_t p23 = vmull_high_s32(a, mult_a);
	p01 = vmlal_s32(p01, vget_low_s32(b), vget_low_s32(mult_b));
	p23 = vmlal_high_s32(p23, b, mult_b);
	const int64x2_t v01 = qrt_rshr_x2(p01, vmovl_s32(vget_low_s32(shift)));
	const int64x2_t v23 = qrt_rshr_x2(p23, vmovl_high_s32(shift));
	return qrt_clamp_zp_x4(qrt_narrow_x4(v01, v23), zp, lo, hi);
}

/* qrt_requant_fp32 on four lanes (the pytorch contract): one float32
 * product per lane, rounded to nearest even by FCVTNS, which ignores the
 * FPCR rounding mode and saturates like the scalar form's clamp. */
static inline int32x4_t qrt_requant_fp32_x4(int32x4_t acc, float32x4_t scale, int32x4_t zp, int32x4_t lo,
                                            int32x4_t hi)
{
	return qrt_clamp_zp_x4(vcvtnq_s32_f32(vmulq_f32(vcvtq_f32_s32(acc), scale)), zp, lo, hi);
}

/* qrt_add_away on four lanes: (p + 2^(n-1) - (p < 0)) >> n, ties away from zero. */
static inline int32x4_t qrt_add_away_x4(int32x4_t a, int32x4_t mult_a, int32x4_t b, int32x4_t mult_b,
                                        int32x4_t shift, int32x4_t zp, int32x4_t lo, int32x4_t hi)
{
	int64x2_t p01 = vmull_s32(vget_low_s32(a), vget_low_s32(mult_a));
	int64x2_t p23 = vmull_high_s32(a, mult_a);
	p01 = vmlal_s32(p01, vget_low_s32(b), vget_low_s32(mult_b));
	p23 = vmlal_high_s32(p23, b, mult_b);
	const int64x2_t n01 = vmovl_s32(vget_low_s32(shift)), n23 = vmovl_high_s32(shift);
	const int64x2_t one = vdupq_n_s64(1);
	/* p >> 63 is -1 for a negative sum: the tie then rounds down, away from zero */
	p01 = vaddq_s64(vaddq_s64(p01, vshlq_s64(one, vsubq_s64(n01, one))), vshrq_n_s64(p01, 63));
	p23 = vaddq_s64(vaddq_s64(p23, vshlq_s64(one, vsubq_s64(n23, one))), vshrq_n_s64(p23, 63));
	return qrt_clamp_zp_x4(qrt_narrow_x4(vshlq_s64(p01, vnegq_s64(n01)), vshlq_s64(p23, vnegq_s64(n23))), zp, lo,
	                       hi);
}

/* ---- loads: eight activations widened to int16 (u8 255 fits) ---- */

static inline int16x8_t qrt_load_u8_x8(const uint8_t *p)
{
	return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p)));
}

static inline int16x8_t qrt_load_s8_x8(const int8_t *p)
{
	return vmovl_s8(vld1_s8(p));
}

/* ---- packing: int32 lanes already clamped to the dtype's range ---- */

static inline uint8x16_t qrt_pack_u8_x16(int32x4_t v0, int32x4_t v1, int32x4_t v2, int32x4_t v3)
{
	const int16x8_t v01 = vmovn_high_s32(vmovn_s32(v0), v1);
	const int16x8_t v23 = vmovn_high_s32(vmovn_s32(v2), v3);
	return vqmovun_high_s16(vqmovun_s16(v01), v23);
}

static inline int8x16_t qrt_pack_s8_x16(int32x4_t v0, int32x4_t v1, int32x4_t v2, int32x4_t v3)
{
	const int16x8_t v01 = vmovn_high_s32(vmovn_s32(v0), v1);
	const int16x8_t v23 = vmovn_high_s32(vmovn_s32(v2), v3);
	return vqmovn_high_s16(vqmovn_s16(v01), v23);
}

static inline uint8x8_t qrt_pack_u8_x8(int32x4_t v0, int32x4_t v1)
{
	return vqmovun_s16(vmovn_high_s32(vmovn_s32(v0), v1));
}

static inline int8x8_t qrt_pack_s8_x8(int32x4_t v0, int32x4_t v1)
{
	return vqmovn_s16(vmovn_high_s32(vmovn_s32(v0), v1));
}

/* ---- stores of the first n lanes (n < 16): the remainder of a tile ---- */

static inline void qrt_store_u8_first(uint8_t *p, uint8x16_t v, int n)
{
	if (n & 8) {
		vst1_u8(p, vget_low_u8(v));
		p += 8;
		v = vextq_u8(v, v, 8);
	}
	if (n & 4) {
		/* memcpy, not vst1q_lane_u32: p need not be 4-byte aligned */
		uint32_t w4 = vgetq_lane_u32(vreinterpretq_u32_u8(v), 0);
		memcpy(p, &w4, 4);
		p += 4;
		v = vextq_u8(v, v, 4);
	}
	if (n & 2) {
		uint16_t w2 = vgetq_lane_u16(vreinterpretq_u16_u8(v), 0);
		memcpy(p, &w2, 2);
		p += 2;
		v = vextq_u8(v, v, 2);
	}
	if (n & 1)
		vst1q_lane_u8(p, v, 0);
}

static inline void qrt_store_s8_first(int8_t *p, int8x16_t v, int n)
{
	qrt_store_u8_first((uint8_t *)p, vreinterpretq_u8_s8(v), n);
}

/* Copies an NHWC tensor of 1-byte elements into a buffer with pad_t rows
 * above, pad_b below, pad_l columns left and pad_r right, all holding the
 * zero point (the padding of the integer contract). */
static inline void qrt_pad_nhwc(const void *x, void *xp, int n, int h, int w, int c, int pad_t, int pad_l,
                                int pad_b, int pad_r, int zp)
{
	const unsigned char *src = x;
	unsigned char *dst = xp;
	const size_t row = (size_t)c * w, prow = (size_t)c * (pad_l + w + pad_r);
	for (int b = 0; b < n; b++) {
		memset(dst, zp, prow * pad_t);
		dst += prow * pad_t;
		for (int i = 0; i < h; i++, src += row, dst += prow) {
			memset(dst, zp, (size_t)c * pad_l);
			memcpy(dst + (size_t)c * pad_l, src, row);
			memset(dst + (size_t)c * pad_l + row, zp, (size_t)c * pad_r);
		}
		memset(dst, zp, prow * pad_b);
		dst += prow * pad_b;
	}
}

/* qrt_quantize_f32 on 16 floats, their bytes (u8 or s8 bit patterns) to
 * out.  FRINTN rounds to nearest even whatever FPCR says; the clamp
 * happens on floats (an infinity or a huge value saturates as in the
 * scalar form), a NaN gives the zero point. */
static inline void qrt_quantize_f32_x16(const float *x, float inv, int32_t zp, int32_t lo, int32_t hi, void *out)
{
	const float32x4_t vinv = vdupq_n_f32(inv), vlo = vdupq_n_f32((float)(lo - zp)), vhi = vdupq_n_f32((float)(hi - zp));
	const int32x4_t vzp = vdupq_n_s32(zp), z = vdupq_n_s32(zp < lo ? lo : zp > hi ? hi : zp);
	int16x8_t w[2];
	for (int h = 0; h < 2; h++) {
		int32x4_t q[2];
		for (int k = 0; k < 2; k++) {
			const float32x4_t v = vmulq_f32(vld1q_f32(x + 8 * h + 4 * k), vinv);
			const float32x4_t r = vminq_f32(vmaxq_f32(vrndnq_f32(v), vlo), vhi);
			q[k] = vbslq_s32(vceqq_f32(v, v), vaddq_s32(vcvtq_s32_f32(r), vzp), z);
		}
		w[h] = vcombine_s16(vmovn_s32(q[0]), vmovn_s32(q[1]));
	}
	/* every value is in [-128, 255]: keep the low byte of each int16 */
	vst1q_u8((uint8_t *)out, vcombine_u8(vmovn_u16(vreinterpretq_u16_s16(w[0])), vmovn_u16(vreinterpretq_u16_s16(w[1]))));
}

#endif
