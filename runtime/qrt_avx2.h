/* qrt_avx2: the AVX2 forms of the qrt.h primitives, eight int32 lanes at a
 * time.  Same names with a lane suffix (qrt_requant_x8 is qrt_requant on 8
 * lanes); each lane computes exactly what the scalar primitive computes, bit
 * for bit, for every argument the scalar one accepts (docs/arithmetic.md).
 *
 * AVX2 has a signed 32x32->64 multiply (vpmuldq, even lanes only) but no
 * 64-bit arithmetic shift and no 64-bit min/max; they are emulated exactly:
 *   - floor(q / 2^n) for int64 q: with s = (q < 0 ? -1 : 0),
 *     ((q ^ s) >>> n) ^ s  (a logical shift of ~q = -q-1 >= 0, then ~);
 *   - sat on int64: vpcmpgtq + vpblendvb.
 * A layer whose every shift is >= 32 (|M| < 1/2: almost every conv) uses the
 * cheaper qrt_requant_hi_x8: the high dword of q = p + 2^(n-1) is
 * floor(q / 2^32) exactly, and fits int32 (|q| < 2^62), so one vpsravd by
 * n-32 finishes the floor and the clamp is 32-bit. */
#ifndef QRT_AVX2_H
#define QRT_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "qrt.h"

/* The attribute of a generated microkernel: not inlined, so nothing of the
 * caller's is live around its accumulators; and on gcc, whose default x86
 * schedule keeps more values live than there are ymm registers (spilling an
 * accumulator in a 4x16 tile), register-pressure-aware scheduling. */
#if defined(__GNUC__) && !defined(__clang__)
#define QRT_MICROKERNEL __attribute__((noinline, optimize("schedule-insns", "sched-pressure")))
#else
#define QRT_MICROKERNEL __attribute__((noinline))
#endif

/* Two consecutive int16 (a pair of input channels) broadcast to all 8
 * dword lanes, the vpmaddwd operand.  p need not be 4-byte aligned. */
static inline __m256i qrt_broadcast_i16x2_x8(const int16_t *p)
{
	int32_t v;
	memcpy(&v, p, sizeof v);
	return _mm256_set1_epi32(v);
}

/* floor(q / 2^n) on 4 int64 lanes, n (0..63) per lane in the low 64 bits. */
static inline __m256i qrt_floor_shift_x4(__m256i q, __m256i n)
{
	const __m256i s = _mm256_cmpgt_epi64(_mm256_setzero_si256(), q);
	return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(q, s), n), s);
}

/* sat(v, lo, hi) on 4 int64 lanes. */
static inline __m256i qrt_sat_x4(__m256i v, __m256i lo, __m256i hi)
{
	v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
	return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

/* The exact products acc*mult of the even lanes (0,2,4,6) and of the odd
 * lanes (1,3,5,7), as int64. */
static inline void qrt_mul_x8(__m256i acc, __m256i mult, __m256i *even, __m256i *odd)
{
	*even = _mm256_mul_epi32(acc, mult);
	*odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(mult, 32));
}

/* 2^(n-1) in each int64 lane, for n (1..62) in the low dword of the lane. */
static inline __m256i qrt_round_x4(__m256i n)
{
	return _mm256_sllv_epi64(_mm256_set1_epi64x(1), _mm256_sub_epi64(n, _mm256_set1_epi64x(1)));
}

/* sat(zp + rshr(p, n), lo, hi) on 4 int64 lanes -> 4 int64 lanes (values
 * in [lo, hi]).  n in the low dword of each lane, upper dword 0. */
static inline __m256i qrt_rshr_sat_x4(__m256i p, __m256i n, int32_t zp, int32_t lo, int32_t hi)
{
	const __m256i v = qrt_floor_shift_x4(_mm256_add_epi64(p, qrt_round_x4(n)), n);
	const __m256i r = qrt_sat_x4(v, _mm256_set1_epi64x((int64_t)lo - zp), _mm256_set1_epi64x((int64_t)hi - zp));
	return _mm256_add_epi64(r, _mm256_set1_epi64x(zp));
}

/* Even-lane and odd-lane int64 results (each within int32) back into 8
 * int32 lanes in order. */
static inline __m256i qrt_interleave_x8(__m256i even, __m256i odd)
{
	return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* qrt_requant on 8 lanes: sat(zp + rshr((int64)acc*mult, shift), lo, hi),
 * mult and shift (1..62) per lane.  Exact for every multiplier, including
 * |M| >= 1 where the shifted value exceeds int32 before the clamp. */
static inline __m256i qrt_requant_x8(__m256i acc, __m256i mult, __m256i shift, int32_t zp, int32_t lo, int32_t hi)
{
	__m256i pe, po;
	qrt_mul_x8(acc, mult, &pe, &po);
	const __m256i ne = _mm256_and_si256(shift, _mm256_set1_epi64x(0xFFFFFFFF));
	const __m256i no = _mm256_srli_epi64(shift, 32);
	return qrt_interleave_x8(qrt_rshr_sat_x4(pe, ne, zp, lo, hi), qrt_rshr_sat_x4(po, no, zp, lo, hi));
}

/* qrt_requant on 8 lanes when every lane's shift is >= 32 (|M| < 1/2, or
 * mult == 0 with shift raised to 32, which gives the same 0).  shift_hi
 * holds shift - 32 per lane. */
static inline __m256i qrt_requant_hi_x8(__m256i acc, __m256i mult, __m256i shift_hi, int32_t zp, int32_t lo,
                                        int32_t hi)
{
	__m256i pe, po;
	qrt_mul_x8(acc, mult, &pe, &po);
	/* 2^(shift-1) = 2^31 * 2^(shift_hi): shift_hi < 31, so no lane overflows */
	const __m256i one = _mm256_set1_epi64x((int64_t)1 << 31);
	const __m256i se = _mm256_and_si256(shift_hi, _mm256_set1_epi64x(0xFFFFFFFF));
	const __m256i so = _mm256_srli_epi64(shift_hi, 32);
	const __m256i qe = _mm256_add_epi64(pe, _mm256_sllv_epi64(one, se));
	const __m256i qo = _mm256_add_epi64(po, _mm256_sllv_epi64(one, so));
	/* floor(q / 2^32) of every lane, in order: the high dwords */
	const __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(qe, 32), qo, 0xAA);
	const __m256i v = _mm256_add_epi32(_mm256_srav_epi32(h, shift_hi), _mm256_set1_epi32(zp));
	return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(lo)), _mm256_set1_epi32(hi));
}

/* qrt_requant_hi_x8 with every per-channel value precomputed: the form the
 * conv and depthwise kernels use (8 instructions, or 10 with the clamp,
 * instead of 16; the table reads fold into them as memory operands).  tab
 * holds, for 8 channels, 40 int32, 32-byte aligned (qrt_requant_hi_tab_fill()
 * writes them; qcc prints the same values at compile time):
 *   [0, 8)    mult per lane (vpmuldq reads lanes 0,2,4,6)
 *   [8, 16)   mult of lanes 1,3,5,7 at dwords 0,2,4,6
 *   [16, 24)  int64 2^(shift-1) + zt*2^shift of lanes 0,2,4,6
 *   [24, 32)  the same of lanes 1,3,5,7
 *   [32, 40)  shift_hi = shift - 32 per lane (0..30)
 * zt is a zero point folded into the rounding term: floor((p + 2^(s-1) +
 * zt*2^s) / 2^s) = zt + rshr(p, s) exactly.  The int64 sum stays below 2^63
 * in magnitude when zt = 0, or when |zt| <= 255 and every shift <= 53
 * (|p| < 2^62, the rest < 2^61); its high dword then fits int32.
 *
 * qrt_requant_hi_tab_raw_x8: zt + rshr(acc * mult, shift), unclamped (it
 * fits int32).  A kernel whose clamp is the whole dtype range leaves the
 * clamp to the saturating packs (vpackssdw, then vpackuswb or vpacksswb). */
static inline __m256i qrt_requant_hi_tab_raw_x8(__m256i acc, const int32_t *tab)
{
	const __m256i *t = (const __m256i *)(const void *)tab;
	const __m256i qe = _mm256_add_epi64(_mm256_mul_epi32(acc, _mm256_load_si256(t)), _mm256_load_si256(t + 2));
	const __m256i qo = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_load_si256(t + 1)),
	                                    _mm256_load_si256(t + 3));
	/* floor(q / 2^32) of every lane, in order: the high dwords */
	const __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(qe, 32), qo, 0xAA);
	return _mm256_srav_epi32(h, _mm256_load_si256(t + 4));
}

/* sat(zp + rshr(acc * mult, shift), lo, hi): zp is the part of the zero
 * point not folded into tab (0 when it is). */
static inline __m256i qrt_requant_hi_tab_x8(__m256i acc, const int32_t *tab, int32_t zp, int32_t lo, int32_t hi)
{
	const __m256i v = _mm256_add_epi32(qrt_requant_hi_tab_raw_x8(acc, tab), _mm256_set1_epi32(zp));
	return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(lo)), _mm256_set1_epi32(hi));
}

/* The table of qrt_requant_hi_tab_x8 for 8 channels (shift_hi = shift - 32,
 * 0..30; a zero multiplier's shift counts as 32), zt folded in (see above). */
static inline void qrt_requant_hi_tab_fill(int32_t tab[40], const int32_t mult[8], const int32_t shift_hi[8], int32_t zt)
{
	for (int i = 0; i < 8; i++) {
		const int64_t r = ((int64_t)1 << (31 + shift_hi[i])) + (int64_t)zt * ((int64_t)1 << (32 + shift_hi[i]));
		const int j = (i & 1 ? 24 : 16) + (i / 2) * 2;
		tab[i] = mult[i];
		tab[8 + i] = i & 1 ? 0 : mult[i + 1];
		tab[j] = (int32_t)(uint32_t)(uint64_t)r;
		tab[j + 1] = (int32_t)(r >> 32);
		tab[32 + i] = shift_hi[i];
	}
}

/* qrt_requant_even (ties to even: average pooling) on 8 lanes. */
static inline __m256i qrt_rshr_even_sat_x4(__m256i p, __m256i n, int32_t zp, int32_t lo, int32_t hi)
{
	const __m256i one = _mm256_set1_epi64x(1);
	const __m256i odd = _mm256_and_si256(qrt_floor_shift_x4(p, n), one);
	const __m256i q = _mm256_add_epi64(_mm256_add_epi64(p, qrt_round_x4(n)), _mm256_sub_epi64(odd, one));
	const __m256i r = qrt_sat_x4(qrt_floor_shift_x4(q, n), _mm256_set1_epi64x((int64_t)lo - zp),
	                             _mm256_set1_epi64x((int64_t)hi - zp));
	return _mm256_add_epi64(r, _mm256_set1_epi64x(zp));
}

static inline __m256i qrt_requant_even_x8(__m256i acc, __m256i mult, __m256i shift, int32_t zp, int32_t lo,
                                          int32_t hi)
{
	__m256i pe, po;
	qrt_mul_x8(acc, mult, &pe, &po);
	const __m256i ne = _mm256_and_si256(shift, _mm256_set1_epi64x(0xFFFFFFFF));
	const __m256i no = _mm256_srli_epi64(shift, 32);
	return qrt_interleave_x8(qrt_rshr_even_sat_x4(pe, ne, zp, lo, hi), qrt_rshr_even_sat_x4(po, no, zp, lo, hi));
}

/* qrt_add on 8 lanes: sat(zp + rshr(a*mult_a + b*mult_b, shift), lo, hi). */
static inline __m256i qrt_add_x8(__m256i a, int32_t mult_a, __m256i b, int32_t mult_b, int shift, int32_t zp,
                                 int32_t lo, int32_t hi)
{
	__m256i ae, ao, be, bo;
	qrt_mul_x8(a, _mm256_set1_epi32(mult_a), &ae, &ao);
	qrt_mul_x8(b, _mm256_set1_epi32(mult_b), &be, &bo);
	const __m256i n = _mm256_set1_epi64x(shift);
	return qrt_interleave_x8(qrt_rshr_sat_x4(_mm256_add_epi64(ae, be), n, zp, lo, hi),
	                         qrt_rshr_sat_x4(_mm256_add_epi64(ao, bo), n, zp, lo, hi));
}

/* 8 int32 lanes already within [0, 255] -> 8 bytes (low half). */
static inline __m128i qrt_pack_u8_x8(__m256i v)
{
	const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return _mm_packus_epi16(w, w);
}

/* 8 int32 lanes already within [-128, 127] -> 8 bytes (low half). */
static inline __m128i qrt_pack_i8_x8(__m256i v)
{
	const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return _mm_packs_epi16(w, w);
}

/* Two such vectors (lanes 0..7, 8..15) -> 16 bytes. */
static inline __m128i qrt_pack_u8_x16(__m256i a, __m256i b)
{
	const __m128i wa = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
	const __m128i wb = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
	return _mm_packus_epi16(wa, wb);
}

static inline __m128i qrt_pack_i8_x16(__m256i a, __m256i b)
{
	const __m128i wa = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
	const __m128i wb = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
	return _mm_packs_epi16(wa, wb);
}

/* The first n (0..15) bytes of v to p: 8, 4, 2, 1 at a time. */
static inline void qrt_store_bytes(void *p, __m128i v, int n)
{
	unsigned char *d = p;
	if (n & 8) {
		_mm_storel_epi64((__m128i *)(void *)d, v);
		v = _mm_srli_si128(v, 8);
		d += 8;
	}
	if (n & 4) {
		const int32_t w = _mm_cvtsi128_si32(v);
		memcpy(d, &w, 4);
		v = _mm_srli_si128(v, 4);
		d += 4;
	}
	if (n & 2) {
		const int16_t w = (int16_t)_mm_cvtsi128_si32(v);
		memcpy(d, &w, 2);
		v = _mm_srli_si128(v, 2);
		d += 2;
	}
	if (n & 1)
		*d = (unsigned char)_mm_cvtsi128_si32(v);
}

/* n bytes to int16, 16 at a time: the padded int16 copies of conv inputs. */
static inline void qrt_widen_u8_i16(int16_t *d, const uint8_t *s, int n)
{
	int i = 0;
	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(void *)(d + i), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(s + i))));
	for (; i < n; i++)
		d[i] = s[i];
}

static inline void qrt_widen_i8_i16(int16_t *d, const int8_t *s, int n)
{
	int i = 0;
	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(void *)(d + i), _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(s + i))));
	for (; i < n; i++)
		d[i] = s[i];
}

/* qrt_quantize_f32 on 8 floats -> 8 int32 in [lo, hi].  vroundps rounds to
 * nearest even whatever MXCSR says; the clamp happens on floats (so an
 * infinity or a huge value saturates as in the scalar form), a NaN gives
 * the zero point. */
static inline __m256i qrt_quantize_f32_x8(const float *x, float inv, int32_t zp, int32_t lo, int32_t hi)
{
	const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x), _mm256_set1_ps(inv));
	const __m256 number = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
	__m256 r = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	r = _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps((float)(lo - zp))), _mm256_set1_ps((float)(hi - zp)));
	const __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(r), _mm256_set1_epi32(zp));
	const __m256i z = _mm256_set1_epi32(zp < lo ? lo : zp > hi ? hi : zp);
	return _mm256_blendv_epi8(z, q, _mm256_castps_si256(number));
}

/* 16 floats quantized, their bytes (u8 or s8 bit patterns) to out. */
static inline void qrt_quantize_f32_x16(const float *x, float inv, int32_t zp, int32_t lo, int32_t hi, void *out)
{
	const __m256i a = qrt_quantize_f32_x8(x, inv, zp, lo, hi), b = qrt_quantize_f32_x8(x + 8, inv, zp, lo, hi);
	const __m128i wa = _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
	const __m128i wb = _mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
	/* every value is in [-128, 255]: keep the low byte of each int16 */
	const __m128i low = _mm_set1_epi16(0xFF);
	_mm_storeu_si128((__m128i *)out, _mm_packus_epi16(_mm_and_si128(wa, low), _mm_and_si128(wb, low)));
}

#endif
