/* The intrinsics qrt_avx512.h uses that SIMDe 0.7 does not provide, in
 * plain C, for the QRT_SIMDE build only (testing AVX-512 code on machines
 * without it).  Each follows Intel's definition of the instruction; a
 * newer SIMDe that has one makes its definition here vanish (#ifndef). */
#ifndef QRT_SIMDE_COMPAT_H
#define QRT_SIMDE_COMPAT_H

#include <stdint.h>
#include <string.h>

/* SIMDe 0.7 aliases the vector types but not the mask type */
#define __mmask16 simde__mmask16
#define __mmask64 simde__mmask64
#define __mmask32 simde__mmask32

/* The n bytes of p that mask m selects, the others 0 (unselected bytes are
 * not read): the body of every vmovdqu8 zeroing-mask load below. */
static inline void qrt_simde_maskz_bytes(unsigned char *v, uint64_t m, const void *p, int n)
{
	for (int i = 0; i < n; i++)
		v[i] = m >> i & 1 ? ((const unsigned char *)p)[i] : 0;
}

#ifndef _mm512_srav_epi64
/* vpsravq: arithmetic shift of each int64 lane; counts > 63 fill with the sign. */
static inline __m512i qrt_simde_srav_epi64(__m512i a, __m512i n)
{
	int64_t v[8], c[8];
	memcpy(v, &a, sizeof v);
	memcpy(c, &n, sizeof c);
	for (int i = 0; i < 8; i++) {
		const uint64_t k = (uint64_t)c[i] > 63 ? 63 : (uint64_t)c[i];
		v[i] = v[i] >= 0 ? v[i] >> k : ~(~v[i] >> k);
	}
	memcpy(&a, v, sizeof v);
	return a;
}
#define _mm512_srav_epi64(a, n) qrt_simde_srav_epi64(a, n)
#endif

#ifndef _mm512_mask_cvtepi32_storeu_epi8
/* vpmovdb to memory under a mask: the low byte of each selected lane. */
static inline void qrt_simde_mask_cvtepi32_storeu_epi8(void *p, __mmask16 m, __m512i a)
{
	int32_t v[16];
	memcpy(v, &a, sizeof v);
	for (int i = 0; i < 16; i++)
		if (m >> i & 1)
			((unsigned char *)p)[i] = (unsigned char)(v[i] & 0xFF);
}
#define _mm512_mask_cvtepi32_storeu_epi8(p, m, a) qrt_simde_mask_cvtepi32_storeu_epi8(p, m, a)
#endif

#ifndef _mm512_mask_storeu_epi8
/* vmovdqu8 to memory under a mask: unselected bytes are not written. */
static inline void qrt_simde_mask_storeu_epi8(void *p, __mmask64 m, __m512i a)
{
	unsigned char v[64];
	memcpy(v, &a, sizeof v);
	for (int i = 0; i < 64; i++)
		if (m >> i & 1)
			((unsigned char *)p)[i] = v[i];
}
#define _mm512_mask_storeu_epi8(p, m, a) qrt_simde_mask_storeu_epi8(p, m, a)
#endif

#ifndef _mm_maskz_loadu_epi8
/* vmovdqu8 with a zeroing mask: unselected bytes are not read. */
static inline __m128i qrt_simde_maskz_loadu_epi8(__mmask16 m, const void *p)
{
	unsigned char v[16];
	qrt_simde_maskz_bytes(v, m, p, 16);
	__m128i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm_maskz_loadu_epi8(m, p) qrt_simde_maskz_loadu_epi8(m, p)
#endif

#ifndef _mm512_cvtepu8_epi32
/* vpmovzxbd */
static inline __m512i qrt_simde_cvtepu8_epi32(__m128i a)
{
	unsigned char b[16];
	int32_t v[16];
	memcpy(b, &a, sizeof b);
	for (int i = 0; i < 16; i++)
		v[i] = b[i];
	__m512i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm512_cvtepu8_epi32(a) qrt_simde_cvtepu8_epi32(a)
#endif

#ifndef _mm512_cvtepi8_epi32
/* vpmovsxbd */
static inline __m512i qrt_simde_cvtepi8_epi32(__m128i a)
{
	signed char b[16];
	int32_t v[16];
	memcpy(b, &a, sizeof b);
	for (int i = 0; i < 16; i++)
		v[i] = b[i];
	__m512i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm512_cvtepi8_epi32(a) qrt_simde_cvtepi8_epi32(a)
#endif

/* SIMDe 0.7 aliases vpmaddwd's name to its masked form's four arguments */
#undef _mm512_madd_epi16
#define _mm512_madd_epi16(a, b) simde_mm512_madd_epi16(a, b)

#ifndef _mm512_maskz_loadu_epi8
/* vmovdqu8 (64 bytes) with a zeroing mask: unselected bytes are not read. */
static inline __m512i qrt_simde_maskz_loadu_epi8_512(__mmask64 m, const void *p)
{
	unsigned char v[64];
	qrt_simde_maskz_bytes(v, m, p, 64);
	__m512i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm512_maskz_loadu_epi8(m, p) qrt_simde_maskz_loadu_epi8_512(m, p)
#endif

#ifndef _mm256_maskz_loadu_epi8
/* vmovdqu8 (32 bytes) with a zeroing mask: unselected bytes are not read. */
static inline __m256i qrt_simde_maskz_loadu_epi8_256(__mmask32 m, const void *p)
{
	unsigned char v[32];
	qrt_simde_maskz_bytes(v, m, p, 32);
	__m256i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm256_maskz_loadu_epi8(m, p) qrt_simde_maskz_loadu_epi8_256(m, p)
#endif

#ifndef _mm512_cvtepu8_epi16
/* vpmovzxbw */
static inline __m512i qrt_simde_cvtepu8_epi16(__m256i a)
{
	unsigned char b[32];
	int16_t v[32];
	memcpy(b, &a, sizeof b);
	for (int i = 0; i < 32; i++)
		v[i] = b[i];
	__m512i r;
	memcpy(&r, v, sizeof r);
	return r;
}
#define _mm512_cvtepu8_epi16(a) qrt_simde_cvtepu8_epi16(a)
#endif

#ifndef _mm512_mask_cvtepi16_storeu_epi8
/* vpmovwb to memory under a mask: the low byte of each selected lane. */
static inline void qrt_simde_mask_cvtepi16_storeu_epi8(void *p, __mmask32 m, __m512i a)
{
	int16_t v[32];
	memcpy(v, &a, sizeof v);
	for (int i = 0; i < 32; i++)
		if (m >> i & 1)
			((unsigned char *)p)[i] = (unsigned char)(v[i] & 0xFF);
}
#define _mm512_mask_cvtepi16_storeu_epi8(p, m, a) qrt_simde_mask_cvtepi16_storeu_epi8(p, m, a)
#endif

#ifndef _mm512_sra_epi32
/* vpsrad by the count in the low 64 bits of n; counts > 31 fill with the sign. */
static inline __m512i qrt_simde_sra_epi32(__m512i a, __m128i n)
{
	int32_t v[16];
	uint64_t c;
	memcpy(v, &a, sizeof v);
	memcpy(&c, &n, sizeof c);
	const int k = c > 31 ? 31 : (int)c;
	for (int i = 0; i < 16; i++)
		v[i] = v[i] >= 0 ? v[i] >> k : ~(~v[i] >> k);
	memcpy(&a, v, sizeof v);
	return a;
}
#define _mm512_sra_epi32(a, n) qrt_simde_sra_epi32(a, n)
#endif
#ifndef _mm512_srai_epi32
#define _mm512_srai_epi32(a, k) _mm512_sra_epi32(a, _mm_cvtsi32_si128(k))
#endif

/* vmovdqa32/64 fault on an address that is not 64-byte aligned; SIMDe's
 * load does not check, so the emulated build checks for it. */
static inline __m512i qrt_simde_load_si512(const void *p)
{
	if ((uintptr_t)p % 64)
		__builtin_trap();
	return simde_mm512_load_si512(p);
}
#undef _mm512_load_si512
#define _mm512_load_si512(p) qrt_simde_load_si512(p)

#ifndef _MM_FROUND_NO_EXC
#define _MM_FROUND_NO_EXC SIMDE_MM_FROUND_NO_EXC
#endif

/* vrndscaleps to the nearest integer, ties to even -- the only rounding
 * qrt_avx512.h asks for -- without SIMDe's libm call (the runtime needs no
 * libm): values of 2^23 and more, infinities and NaN are already "integers"
 * and pass unchanged. */
static inline __m512 qrt_simde_round_nearest_ps(__m512 a)
{
	float f[16];
	memcpy(f, &a, sizeof f);
	for (int i = 0; i < 16; i++)
		if (f[i] > -8388608.0f && f[i] < 8388608.0f)
			f[i] = (float)qrt_rne_f32(f[i]);
	memcpy(&a, f, sizeof f);
	return a;
}
#undef _mm512_roundscale_ps
#define _mm512_roundscale_ps(a, imm8) qrt_simde_round_nearest_ps(a)

#ifndef _mm512_cvttps_epi32
/* vcvttps2dq: each float lane to int32, toward zero (the callers pass
 * values already rounded and within int32). */
static inline __m512i qrt_simde_cvttps_epi32(__m512 a)
{
	float f[16];
	int32_t v[16];
	__m512i r;
	memcpy(f, &a, sizeof f);
	for (int i = 0; i < 16; i++)
		v[i] = (int32_t)f[i];
	memcpy(&r, v, sizeof v);
	return r;
}
#define _mm512_cvttps_epi32(a) qrt_simde_cvttps_epi32(a)
#endif

#ifndef _mm512_mul_round_ps
/* The rounding argument is always round-to-nearest-even here, the default
 * mode SIMDe's plain forms compute in. */
#define _mm512_mul_round_ps(a, b, r) ((void)(r), simde_mm512_mul_ps(a, b))
#endif
#ifndef _mm512_cvt_roundepi32_ps
/* vcvtdq2ps to nearest even: C's conversion in the default mode */
static inline __m512 qrt_simde_cvt_rne_epi32_ps(__m512i a)
{
	int32_t v[16];
	float f[16];
	__m512 r;
	memcpy(v, &a, sizeof v);
	for (int i = 0; i < 16; i++)
		f[i] = (float)v[i];
	memcpy(&r, f, sizeof f);
	return r;
}
#define _mm512_cvt_roundepi32_ps(a, r) ((void)(r), qrt_simde_cvt_rne_epi32_ps(a))
#endif
#ifndef _mm512_cvt_roundps_epi32
/* vcvtps2dq to nearest even (the callers pass values within int32) */
static inline __m512i qrt_simde_cvt_rne_ps_epi32(__m512 a)
{
	float f[16];
	int32_t v[16];
	__m512i r;
	memcpy(f, &a, sizeof f);
	for (int i = 0; i < 16; i++)
		v[i] = qrt_rne_f32(f[i]);
	memcpy(&r, v, sizeof v);
	return r;
}
#define _mm512_cvt_roundps_epi32(a, r) ((void)(r), qrt_simde_cvt_rne_ps_epi32(a))
#endif

#endif
