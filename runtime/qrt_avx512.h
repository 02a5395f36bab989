/* qrt_avx512: the AVX-512 (F/BW/VL + VNNI) forms of the qrt.h primitives,
 * sixteen int32 lanes at a time.  Same names with a lane suffix
 * (qrt_requant_x16 is qrt_requant on 16 lanes); each lane computes exactly
 * what the scalar primitive computes, bit for bit, for every argument the
 * scalar one accepts (docs/arithmetic.md).
 *
 * AVX-512 has what the contract needs natively: a signed 32x32->64 multiply
 * (vpmuldq, even dword lanes), 64-bit arithmetic shifts by a per-lane count
 * (vpsravq) and 64-bit min/max (vpminsq/vpmaxsq).  So the requantization is
 * done in 64 bits, even and odd lanes apart, clamped to [lo-zp, hi-zp]
 * before it is narrowed: exact for every multiplier, including |M| >= 1
 * where the shifted product exceeds int32.
 *
 * Built with -DQRT_SIMDE instead of the -mavx512* flags, the same code runs
 * on any x86-64 through SIMDe's portable implementations (slowly): that is
 * how it is tested on machines without AVX-512.  The few intrinsics SIMDe
 * 0.7 lacks are defined below, in plain C, only in that build. */
#ifndef QRT_AVX512_H
#define QRT_AVX512_H

#include <string.h>

#include "qrt.h"

#if defined(QRT_SIMDE)
/* 512-bit vectors passed by value without -mavx512f: the psABI warning is
 * moot for static inline functions in one emulated translation unit */
#pragma GCC diagnostic ignored "-Wpsabi"
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include "qrt_simde_compat.h"
#else
#include <immintrin.h>
#endif

/* The attribute of a generated microkernel: not inlined, so nothing of the
 * caller's is live around its accumulators; on gcc, register-pressure-aware
 * scheduling (its default x86 schedule spills accumulators of a 6x64 tile). */
#if defined(__GNUC__) && !defined(__clang__)
#define QRT_KERNEL_X16 __attribute__((noinline, optimize("schedule-insns", "sched-pressure")))
#else
#define QRT_KERNEL_X16 __attribute__((noinline))
#endif

/* The asm constraint that ties a vector to a register in a microkernel's
 * empty asm statements (a zmm register; memory in the SIMDe build, whose
 * vectors are structs). */
#if defined(QRT_SIMDE)
#define QRT_TIE_X16 "+m"
#else
#define QRT_TIE_X16 "+v"
#endif

/* Four consecutive bytes (one input quad: 4 channels, or 4 taps) broadcast
 * to all 16 dword lanes, the u8 operand of vpdpbusd.  p need not be
 * aligned. */
static inline __m512i qrt_broadcast_u8x4_x16(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, sizeof v);
	return _mm512_set1_epi32(v);
}

/* QRT_ASM_X16: 1 when the conv microkernels run their k loops as inline
 * assembly (GNU C on a real AVX-512 target), 0 for the intrinsics form of
 * the same sums (qrt_conv_sums_x16; the SIMDe build has no vpdpbusd to
 * assemble).  Define it to 0 to build the intrinsics form natively. */
#ifndef QRT_ASM_X16
#if defined(__GNUC__) && !defined(QRT_SIMDE)
#define QRT_ASM_X16 1
#else
#define QRT_ASM_X16 0
#endif
#endif

/* The int32 sums of an m-pixel x 16*nv-channel conv tile, the intrinsics
 * form of a microkernel's assembly k loop, with the same operands:
 * acc[i][c] = bias[c] + sum over the kh*kw segments (ky, kx) and quads q of
 * dot(x[ky*ystep + kx*xtap + i*xpix + 4q .. +3], w[...][c][0..3]), w packed
 * [segment][quad][16*nv channels][4 bytes].  acc is [m][16*nv], aligned. */
static inline void qrt_conv_sums_x16(const uint8_t *x, const int8_t *w, const int32_t *bias, int32_t *acc, int m,
                                     int nv, ptrdiff_t xpix, int kh, ptrdiff_t ystep, int kw, ptrdiff_t xtap, int lq)
{
	for (int i = 0; i < m; i++)
		for (int v = 0; v < nv; v++)
			_mm512_store_si512((void *)(acc + (i * nv + v) * 16), _mm512_load_si512((const void *)(bias + 16 * v)));
	for (int ky = 0; ky < kh; ky++)
		for (int kx = 0; kx < kw; kx++)
			for (int q = 0; q < lq; q++, w += 64 * nv)
				for (int i = 0; i < m; i++) {
					const __m512i vx = qrt_broadcast_u8x4_x16(x + ky * ystep + kx * xtap + i * xpix + 4 * q);
					for (int v = 0; v < nv; v++) {
						int32_t *a = acc + (i * nv + v) * 16;
						const __m512i vw = _mm512_load_si512((const void *)(w + 64 * v));
						_mm512_store_si512((void *)a, _mm512_dpbusd_epi32(_mm512_load_si512((const void *)a), vx, vw));
					}
				}
}

/* The exact products acc*mult of the even dword lanes and of the odd dword
 * lanes, as int64. */
static inline void qrt_mul_x16(__m512i acc, __m512i mult, __m512i *even, __m512i *odd)
{
	*even = _mm512_mul_epi32(acc, mult);
	*odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(mult, 32));
}

/* 2^(n-1) in each int64 lane, n (1..62) in the lane. */
static inline __m512i qrt_round_x8(__m512i n)
{
	const __m512i one = _mm512_set1_epi64(1);
	return _mm512_sllv_epi64(one, _mm512_sub_epi64(n, one));
}

/* sat(v, lo - zp, hi - zp) on 8 int64 lanes. */
static inline __m512i qrt_sat_x8(__m512i v, int32_t zp, int32_t lo, int32_t hi)
{
	v = _mm512_max_epi64(v, _mm512_set1_epi64((long long)lo - zp));
	return _mm512_min_epi64(v, _mm512_set1_epi64((long long)hi - zp));
}

/* Even-lane and odd-lane int64 results (each within int32) back into 16
 * int32 lanes in order, plus zp. */
static inline __m512i qrt_interleave_zp_x16(__m512i even, __m512i odd, int32_t zp)
{
	const __m512i v = _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, _mm512_slli_epi64(odd, 32));
	return _mm512_add_epi32(v, _mm512_set1_epi32(zp));
}

/* The shift (1..62) of the even and of the odd dword lanes, as int64. */
static inline void qrt_split_shift_x16(__m512i shift, __m512i *even, __m512i *odd)
{
	*even = _mm512_and_si512(shift, _mm512_set1_epi64(0xFFFFFFFF));
	*odd = _mm512_srli_epi64(shift, 32);
}

/* qrt_requant on 16 lanes: sat(zp + rshr((int64)acc*mult, shift), lo, hi),
 * mult and shift (1..62) per lane. */
static inline __m512i qrt_requant_x16(__m512i acc, __m512i mult, __m512i shift, int32_t zp, int32_t lo, int32_t hi)
{
	__m512i pe, po, ne, no;
	qrt_mul_x16(acc, mult, &pe, &po);
	qrt_split_shift_x16(shift, &ne, &no);
	/* |p| < 2^62 and 2^(n-1) <= 2^61: the sums cannot overflow */
	const __m512i ve = _mm512_srav_epi64(_mm512_add_epi64(pe, qrt_round_x8(ne)), ne);
	const __m512i vo = _mm512_srav_epi64(_mm512_add_epi64(po, qrt_round_x8(no)), no);
	return qrt_interleave_zp_x16(qrt_sat_x8(ve, zp, lo, hi), qrt_sat_x8(vo, zp, lo, hi), zp);
}

/* rshr_even(p, n) on 8 int64 lanes: floor((p + 2^(n-1) - 1 + (floor(p/2^n) & 1)) / 2^n). */
static inline __m512i qrt_rshr_even_x8(__m512i p, __m512i n)
{
	const __m512i one = _mm512_set1_epi64(1);
	const __m512i odd = _mm512_and_si512(_mm512_srav_epi64(p, n), one);
	const __m512i q = _mm512_add_epi64(_mm512_add_epi64(p, qrt_round_x8(n)), _mm512_sub_epi64(odd, one));
	return _mm512_srav_epi64(q, n);
}

/* qrt_requant_even (ties to even: average pooling) on 16 lanes. */
static inline __m512i qrt_requant_even_x16(__m512i acc, __m512i mult, __m512i shift, int32_t zp, int32_t lo,
                                           int32_t hi)
{
	__m512i pe, po, ne, no;
	qrt_mul_x16(acc, mult, &pe, &po);
	qrt_split_shift_x16(shift, &ne, &no);
	return qrt_interleave_zp_x16(qrt_sat_x8(qrt_rshr_even_x8(pe, ne), zp, lo, hi),
	                             qrt_sat_x8(qrt_rshr_even_x8(po, no), zp, lo, hi), zp);
}

/* The adds on 16 lanes: the 64-bit sums p = a*mult_a + b*mult_b, then
 * floor((p + 2^(shift-1) - (away && p < 0)) / 2^shift) + zp, clamped. */
static inline __m512i qrt_add_round_x16(__m512i a, int32_t mult_a, __m512i b, int32_t mult_b, int shift, int32_t zp,
                                        int32_t lo, int32_t hi, int away)
{
	__m512i ae, ao, be, bo;
	qrt_mul_x16(a, _mm512_set1_epi32(mult_a), &ae, &ao);
	qrt_mul_x16(b, _mm512_set1_epi32(mult_b), &be, &bo);
	const __m512i n = _mm512_set1_epi64(shift), r = qrt_round_x8(n);
	const __m512i pe = _mm512_add_epi64(ae, be), po = _mm512_add_epi64(ao, bo);
	const __m512i re = away ? _mm512_sub_epi64(r, _mm512_srli_epi64(pe, 63)) : r;
	const __m512i ro = away ? _mm512_sub_epi64(r, _mm512_srli_epi64(po, 63)) : r;
	const __m512i ve = _mm512_srav_epi64(_mm512_add_epi64(pe, re), n);
	const __m512i vo = _mm512_srav_epi64(_mm512_add_epi64(po, ro), n);
	return qrt_interleave_zp_x16(qrt_sat_x8(ve, zp, lo, hi), qrt_sat_x8(vo, zp, lo, hi), zp);
}

/* qrt_add on 16 lanes: sat(zp + rshr(a*mult_a + b*mult_b, shift), lo, hi). */
static inline __m512i qrt_add_x16(__m512i a, int32_t mult_a, __m512i b, int32_t mult_b, int shift, int32_t zp,
                                  int32_t lo, int32_t hi)
{
	return qrt_add_round_x16(a, mult_a, b, mult_b, shift, zp, lo, hi, 0);
}

/* The pytorch contract's requantization (qrt_requant_fp32) on 16 lanes:
 * (float)acc and the product with the lane's scale rounded to nearest even
 * by the instructions themselves (embedded rounding: MXCSR cannot change
 * them, and there is no addition for a compiler to fuse), clamped to
 * [lo - zp, hi - zp] (integers, so clamping before rounding is clamping
 * after), rounded to nearest even, plus zp. */
#define QRT_RNE_SAE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC) /* a constant expression, as clang demands */
static inline __m512i qrt_requant_fp32_x16(__m512i acc, __m512 scale, int32_t zp, int32_t lo, int32_t hi)
{
	__m512 v = _mm512_mul_round_ps(_mm512_cvt_roundepi32_ps(acc, QRT_RNE_SAE), scale, QRT_RNE_SAE);
	v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps((float)(lo - zp))), _mm512_set1_ps((float)(hi - zp)));
	return _mm512_add_epi32(_mm512_cvt_roundps_epi32(v, QRT_RNE_SAE), _mm512_set1_epi32(zp));
}

/* The pytorch contract's add (qrt_add_away) on 16 lanes: ties away from
 * zero. */
static inline __m512i qrt_add_away_x16(__m512i a, int32_t mult_a, __m512i b, int32_t mult_b, int shift, int32_t zp,
                                       int32_t lo, int32_t hi)
{
	return qrt_add_round_x16(a, mult_a, b, mult_b, shift, zp, lo, hi, 1);
}

/* qrt_add on 32 int16 lanes, for the multipliers and shifts where
 * qrt_add_x32_ok holds.  a and b hold q - zp of the inputs (|.| <= 255).
 * Each multiplier is split m = h*2^16 + l with l its sign-extended low 16
 * bits and h within int16, so a*m_a + b*m_b = 2^16*H + L where
 * H = a*h_a + b*h_b and L = a*l_a + b*l_b are exact int32 (vpmaddwd on the
 * interleaved (a, b) pairs, |H|, |L| < 2^25).  With s >= 17,
 *   rshr(2^16*H + L, s) = floor((H + 2^(s-17) + floor(L/2^16)) / 2^(s-16)),
 * nested floors by powers of two composing exactly; s <= 46 keeps the sum
 * within int32.  The result is zp + that, clamped to [lo, hi], as int16
 * lanes in the order of a and b (the unpacks and vpackssdw are both
 * in-lane, so they undo each other's order).  Saturating to int16 before
 * adding zp (|zp| <= 255) with saturation cannot move a value across
 * [lo, hi] (a subset of [-128, 255]). */
static inline int qrt_add_split_m(int32_t m, int32_t *h, int32_t *l)
{
	*l = (int32_t)(m & 0xFFFF) - ((m & 0x8000) ? 0x10000 : 0);
	*h = (int32_t)(((int64_t)m - *l) / 65536);
	return *h >= -32768 && *h <= 32767;
}

static inline int qrt_add_x32_ok(int32_t mult_a, int32_t mult_b, int shift)
{
	int32_t h, l;
	return shift >= 17 && shift <= 46 && qrt_add_split_m(mult_a, &h, &l) && qrt_add_split_m(mult_b, &h, &l);
}

static inline __m512i qrt_add_x32(__m512i a, __m512i b, int32_t mult_a, int32_t mult_b, int shift, int32_t zp,
                                  int32_t lo, int32_t hi)
{
	int32_t ha, la, hb, lb;
	qrt_add_split_m(mult_a, &ha, &la);
	qrt_add_split_m(mult_b, &hb, &lb);
	const __m512i mh = _mm512_set1_epi32((int32_t)((uint32_t)(ha & 0xFFFF) | (uint32_t)(hb & 0xFFFF) << 16));
	const __m512i ml = _mm512_set1_epi32((int32_t)((uint32_t)(la & 0xFFFF) | (uint32_t)(lb & 0xFFFF) << 16));
	const __m512i r = _mm512_set1_epi32((int32_t)1 << (shift - 17));
	const __m128i n = _mm_cvtsi32_si128(shift - 16);
	const __m512i p0 = _mm512_unpacklo_epi16(a, b), p1 = _mm512_unpackhi_epi16(a, b);
	const __m512i q0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_madd_epi16(p0, mh), r),
	                                    _mm512_srai_epi32(_mm512_madd_epi16(p0, ml), 16));
	const __m512i q1 = _mm512_add_epi32(_mm512_add_epi32(_mm512_madd_epi16(p1, mh), r),
	                                    _mm512_srai_epi32(_mm512_madd_epi16(p1, ml), 16));
	const __m512i v = _mm512_adds_epi16(_mm512_packs_epi32(_mm512_sra_epi32(q0, n), _mm512_sra_epi32(q1, n)),
	                                    _mm512_set1_epi16((short)zp));
	return _mm512_min_epi16(_mm512_max_epi16(v, _mm512_set1_epi16((short)lo)), _mm512_set1_epi16((short)hi));
}

/* 32 bytes (the lanes of mask m; others 0) to 32 int16 lanes, and 32 int16
 * lanes within [-128, 255] to their low bytes (the lanes of m). */
static inline __m512i qrt_load_u8_x32(const uint8_t *p, __mmask32 m)
{
	return _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, p));
}

static inline __m512i qrt_load_i8_x32(const int8_t *p, __mmask32 m)
{
	return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, p));
}

static inline void qrt_store_x32(void *p, __mmask32 m, __m512i v)
{
	_mm512_mask_cvtepi16_storeu_epi8(p, m, v);
}

/* The requantization constants of 16 channels for qrt_scale_x16, split into
 * the even and the odd dword lanes as int64: mult (vpmuldq reads the low
 * dword), the rounding term 2^(shift-1) and the shift (1..62).  Channels
 * past the real ones have mult 0. */
typedef struct QrtScale16 {
	int64_t me[8], mo[8], re[8], ro[8], ne[8], no[8];
} QrtScale16;

/* zp + rshr((int64)acc*mult, shift) on 16 lanes, narrowed to int32: exact
 * when qcc proved |rshr(acc*mult, shift)| + |zp| < 2^31 for every
 * accumulator the layer can produce (the clamp then happens in the pack,
 * qrt_pack_u8_x64 / qrt_pack_i8_x64). */
static inline __m512i qrt_scale_regs_x16(__m512i acc, __m512i me, __m512i mo, __m512i re, __m512i ro, __m512i ne,
                                         __m512i no, __m512i vzp)
{
	const __m512i pe = _mm512_mul_epi32(acc, me);
	const __m512i po = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), mo);
	/* |p| < 2^62 and 2^(n-1) <= 2^61: the sums cannot overflow */
	const __m512i qe = _mm512_srav_epi64(_mm512_add_epi64(pe, re), ne);
	const __m512i qo = _mm512_srav_epi64(_mm512_add_epi64(po, ro), no);
	/* the low dwords of the even and the odd results, in lane order */
	const __m512i idx = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8, 22, 6, 20, 4, 18, 2, 16, 0);
	return _mm512_add_epi32(_mm512_permutex2var_epi32(qe, idx, qo), vzp);
}

static inline __m512i qrt_scale_x16(__m512i acc, const QrtScale16 *s, __m512i vzp)
{
	return qrt_scale_regs_x16(acc, _mm512_load_si512((const void *)s->me), _mm512_load_si512((const void *)s->mo),
	                          _mm512_load_si512((const void *)s->re), _mm512_load_si512((const void *)s->ro),
	                          _mm512_load_si512((const void *)s->ne), _mm512_load_si512((const void *)s->no), vzp);
}

/* Four vectors of 16 int32 lanes -> 64 bytes, saturated to u8 (i8): within
 * each 128-bit lane L the result holds lanes 4L..4L+3 of v0, v1, v2, v3 in
 * that order (vpackssdw and vpackuswb/vpacksswb work within 128-bit lanes).
 * Saturating to int16 and then to u8 is saturating to u8 at once, so this
 * is the clamp to the dtype's range. */
static inline __m512i qrt_pack_u8_x64(__m512i v0, __m512i v1, __m512i v2, __m512i v3)
{
	return _mm512_packus_epi16(_mm512_packs_epi32(v0, v1), _mm512_packs_epi32(v2, v3));
}

static inline __m512i qrt_pack_i8_x64(__m512i v0, __m512i v1, __m512i v2, __m512i v3)
{
	return _mm512_packs_epi16(_mm512_packs_epi32(v0, v1), _mm512_packs_epi32(v2, v3));
}

/* The packed bytes of four channel-ordered vectors (v0: channels 0-15,
 * v1: 16-31, ...) back in channel order: dword j (channels 4j..4j+3) is
 * dword 4*(j%4) + j/4 of the pack. */
static inline __m512i qrt_unpack_order_x64(__m512i v)
{
	const __m512i idx = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
	return _mm512_permutexvar_epi32(idx, v);
}

/* 16 int32 lanes already within [-128, 255] (the clamp put them in the
 * output dtype's range) -> their low bytes, the lanes of mask m only
 * (vpmovdb with a mask: a channel remainder is a masked store). */
static inline void qrt_store_x16(void *p, __mmask16 m, __m512i v)
{
	_mm512_mask_cvtepi32_storeu_epi8(p, m, v);
}

/* 16 bytes (the lanes of mask m; others 0) to 16 int32 lanes. */
static inline __m512i qrt_load_u8_x16(const uint8_t *p, __mmask16 m)
{
	return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p));
}

static inline __m512i qrt_load_i8_x16(const int8_t *p, __mmask16 m)
{
	return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p));
}

/* The low n (0..16) lanes. */
static inline __mmask16 qrt_mask_x16(int n)
{
	return (__mmask16)((1u << n) - 1);
}

/* Four 16-byte rows a, b, c, d (16 channels at four taps) -> 64 bytes of
 * quads, channel i's quad (a[i], b[i], c[i], d[i]) at dst + 4i: the u8
 * operand of a vpdpbusd that sums four taps per channel lane. */
static inline void qrt_interleave4_u8(uint8_t *dst, __m128i a, __m128i b, __m128i c, __m128i d)
{
	const __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
	const __m128i cd_lo = _mm_unpacklo_epi8(c, d), cd_hi = _mm_unpackhi_epi8(c, d);
	_mm_storeu_si128((__m128i *)(void *)dst, _mm_unpacklo_epi16(ab_lo, cd_lo));
	_mm_storeu_si128((__m128i *)(void *)(dst + 16), _mm_unpackhi_epi16(ab_lo, cd_lo));
	_mm_storeu_si128((__m128i *)(void *)(dst + 32), _mm_unpacklo_epi16(ab_hi, cd_hi));
	_mm_storeu_si128((__m128i *)(void *)(dst + 48), _mm_unpackhi_epi16(ab_hi, cd_hi));
}

/* n bytes of an 8-bit activation to the u8 domain of vpdpbusd: copied (u8)
 * or offset by +128 (i8: x ^ 0x80 == x + 128 as a byte). */
static inline void qrt_copy_u8(uint8_t *d, const uint8_t *s, int n)
{
	memcpy(d, s, (size_t)n);
}

static inline void qrt_copy_i8_as_u8(uint8_t *d, const int8_t *s, int n)
{
	const __m512i flip = _mm512_set1_epi8((char)0x80);
	int i = 0;
	for (; i + 64 <= n; i += 64)
		_mm512_storeu_si512((void *)(d + i), _mm512_xor_si512(_mm512_loadu_si512((const void *)(s + i)), flip));
	for (; i < n; i++)
		d[i] = (uint8_t)(s[i] + 128);
}

/* qrt_quantize_f32 on 16 floats, their bytes (u8 or s8 bit patterns) to
 * out.  vroundscaleps rounds to nearest even whatever MXCSR says; the
 * clamp to [lo - zp, hi - zp] happens on floats, so an infinity or a huge
 * value saturates as in the scalar form, and a NaN gives the zero point. */
static inline void qrt_quantize_f32_x16(const float *x, float inv, int32_t zp, int32_t lo, int32_t hi, void *out)
{
	const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x), _mm512_set1_ps(inv));
	const __mmask16 number = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
	__m512 r = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	r = _mm512_min_ps(_mm512_max_ps(r, _mm512_set1_ps((float)(lo - zp))), _mm512_set1_ps((float)(hi - zp)));
	const __m512i q = _mm512_add_epi32(_mm512_cvttps_epi32(r), _mm512_set1_epi32(zp));
	const __m512i z = _mm512_set1_epi32(zp < lo ? lo : zp > hi ? hi : zp);
	const __m512i y = _mm512_mask_blend_epi32(number, z, q);
	/* every value is in [-128, 255]: keep the low byte of each */
	const __m256i a = _mm512_castsi512_si256(y), b = _mm512_extracti64x4_epi64(y, 1);
	const __m128i low = _mm_set1_epi16(0xFF);
	const __m128i wa = _mm_and_si128(_mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1)), low);
	const __m128i wb = _mm_and_si128(_mm_packs_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1)), low);
	_mm_storeu_si128((__m128i *)out, _mm_packus_epi16(wa, wb));
}

#endif
