/* qrt_avx512.h against qrt.h: every vector primitive, lane by lane, on
 * random and extreme arguments; zero differences allowed.  Without AVX-512
 * hardware it runs under SIMDe:
 *   cc -std=c99 -O2 -Wno-psabi -DQRT_SIMDE -Iruntime tests/kernels/test_qrt_avx512.c -o t && ./t
 * and natively with -mavx512f -mavx512bw -mavx512vl -mavx512vnni. */
#include <stdio.h>
#include <stdlib.h>

#include "qrt_avx512.h"

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* int32 values biased towards the edges that matter. */
static int32_t edge32(void)
{
	static const int32_t e[] = {0, 1, -1, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), 255, -128};
	return rnd() % 4 == 0 ? e[rnd() % 10] : (int32_t)rnd() >> (rnd() % 31);
}

static int32_t mult31(void)
{
	if (rnd() % 16 == 0)
		return 0;
	int32_t m = (int32_t)((1u << 30) + rnd() % (1u << 30));
	return rnd() & 1 ? -m : m;
}

static __m512i load16(const int32_t *p) { return _mm512_loadu_si512((const void *)p); }

int main(void)
{
	long bad = 0, n = 0;
	for (int it = 0; it < 100000; it++) {
		int32_t acc[16], mult[16], shift[16], out[16];
		int32_t zp = (int32_t)(rnd() % 384) - 128, lo = (int32_t)(rnd() % 256) - 128, hi = lo + (int32_t)(rnd() % 200);
		for (int i = 0; i < 16; i++) {
			acc[i] = edge32();
			mult[i] = mult31();
			shift[i] = 1 + (int32_t)(rnd() % 62);
		}
		_mm512_storeu_si512((void *)out, qrt_requant_x16(load16(acc), load16(mult), load16(shift), zp, lo, hi));
		for (int i = 0; i < 16; i++, n++)
			bad += out[i] != qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
		_mm512_storeu_si512((void *)out, qrt_requant_even_x16(load16(acc), load16(mult), load16(shift), zp, lo, hi));
		for (int i = 0; i < 16; i++, n++)
			bad += out[i] != qrt_requant_even(acc[i], mult[i], shift[i], zp, lo, hi);
		/* add: operands are differences of 8-bit values */
		int32_t a8[16], b8[16];
		for (int i = 0; i < 16; i++)
			a8[i] = (int32_t)(rnd() % 511) - 255, b8[i] = (int32_t)(rnd() % 511) - 255;
		int sh = 1 + (int)(rnd() % 62);
		_mm512_storeu_si512((void *)out, qrt_add_x16(load16(a8), mult[0], load16(b8), mult[1], sh, zp, lo, hi));
		for (int i = 0; i < 16; i++, n++)
			bad += out[i] != qrt_add(a8[i], mult[0], b8[i], mult[1], sh, zp, lo, hi);
		/* masked byte store of in-range lanes */
		unsigned char bytes[16], want[16];
		int k = (int)(rnd() % 17);
		for (int i = 0; i < 16; i++)
			out[i] = (int32_t)(rnd() % 384) - 128, bytes[i] = want[i] = 0xA5;
		for (int i = 0; i < k; i++)
			want[i] = (unsigned char)out[i];
		qrt_store_x16(bytes, qrt_mask_x16(k), load16(out));
		for (int i = 0; i < 16; i++, n++)
			bad += bytes[i] != want[i];
	}
	/* the narrowed requantization and the saturating pack of 64 channels,
	 * for accumulators whose result fits int32 (what qcc proves first) */
	static QrtScale16 sc[4] __attribute__((aligned(64)));
	for (int it = 0; it < 20000; it++) {
		int32_t acc[64], mult[64], shift[64];
		int u8 = (int)(rnd() & 1);
		int32_t dlo = u8 ? 0 : -128, dhi = u8 ? 255 : 127;
		int32_t zp = dlo + (int32_t)(rnd() % 256), lo = dlo + (int32_t)(rnd() % 256), hi = dlo + (int32_t)(rnd() % 256);
		if (rnd() % 2)
			lo = dlo, hi = dhi;
		if (lo > hi) {
			int32_t t = lo;
			lo = hi, hi = t;
		}
		for (int i = 0; i < 64; i++) {
			mult[i] = mult31();
			shift[i] = 1 + (int32_t)(rnd() % 62);
			/* |acc*mult| / 2^shift < 2^30: |acc| < 2^(shift-1), and < 2^31 */
			int64_t lim = shift[i] >= 32 ? INT32_MAX : (1LL << (shift[i] - 1)) - 1;
			acc[i] = (int32_t)((int64_t)edge32() % (lim + 1));
		}
		for (int b = 0; b < 4; b++)
			for (int j = 0; j < 8; j++)
				for (int odd = 0; odd < 2; odd++) {
					int ch = 16 * b + 2 * j + odd;
					(odd ? sc[b].mo : sc[b].me)[j] = mult[ch];
					(odd ? sc[b].ro : sc[b].re)[j] = 1LL << (shift[ch] - 1);
					(odd ? sc[b].no : sc[b].ne)[j] = shift[ch];
				}
		const __m512i vzp = _mm512_set1_epi32(zp);
		__m512i v[4];
		for (int b = 0; b < 4; b++)
			v[b] = qrt_scale_x16(load16(acc + 16 * b), &sc[b], vzp);
		__m512i p = u8 ? qrt_pack_u8_x64(v[0], v[1], v[2], v[3]) : qrt_pack_i8_x64(v[0], v[1], v[2], v[3]);
		p = u8 ? _mm512_min_epu8(_mm512_max_epu8(p, _mm512_set1_epi8((char)lo)), _mm512_set1_epi8((char)hi))
		       : _mm512_min_epi8(_mm512_max_epi8(p, _mm512_set1_epi8((char)lo)), _mm512_set1_epi8((char)hi));
		unsigned char got[64];
		int k = (int)(rnd() % 65);
		memset(got, 0xA5, sizeof got);
		_mm512_mask_storeu_epi8(got, k == 64 ? ~0ULL : (1ULL << k) - 1, qrt_unpack_order_x64(p));
		for (int i = 0; i < 64; i++, n++)
			bad += got[i] != (i < k ? (unsigned char)qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi) : 0xA5);
	}
	/* the int16 add of 32 lanes, from bytes to bytes, where qrt_add_x32_ok
	 * holds (multipliers with their high half within int16, 17 <= shift
	 * <= 46), with masked loads and stores; the edges of the split too */
	static const int32_t medge[] = {INT32_MAX - 32768, INT32_MAX - 32767, INT32_MIN, INT32_MIN + 32768, 32767,
	                                -32768, 65535, 1 << 30, 0, 1};
	long tried = 0;
	for (int it = 0; it < 40000; it++) {
		int32_t ma = rnd() % 4 == 0 ? medge[rnd() % 10] : rnd() % 2 ? mult31() : (int32_t)rnd() >> (rnd() % 31);
		int32_t mb = rnd() % 4 == 0 ? medge[rnd() % 10] : rnd() % 2 ? mult31() : (int32_t)rnd() >> (rnd() % 31);
		int sh = 1 + (int)(rnd() % 62);
		/* the high half, rounded to nearest: within int16? */
		int ok = sh >= 17 && sh <= 46;
		for (int j = 0; j < 2; j++) {
			int64_t h = qrt_floor_shift((int64_t)(j ? mb : ma) + 32768, 16);
			ok &= h >= -32768 && h <= 32767;
		}
		if (qrt_add_x32_ok(ma, mb, sh) != ok) {
			bad++;
			continue;
		}
		if (!ok)
			continue;
		tried++;
		int u8 = (int)(rnd() & 1);
		int32_t dlo = u8 ? 0 : -128;
		int32_t za = dlo + (int32_t)(rnd() % 256), zb = dlo + (int32_t)(rnd() % 256), zp = dlo + (int32_t)(rnd() % 256);
		int32_t lo = dlo + (int32_t)(rnd() % 256), hi = dlo + (int32_t)(rnd() % 256);
		if (rnd() % 2)
			lo = dlo, hi = dlo + 255;
		if (lo > hi) {
			int32_t t = lo;
			lo = hi, hi = t;
		}
		uint8_t qa[32], qb[32], got[32];
		for (int i = 0; i < 32; i++)
			qa[i] = (uint8_t)rnd(), qb[i] = (uint8_t)rnd();
		int k = (int)(rnd() % 33);
		__mmask32 m = k == 32 ? ~(__mmask32)0 : (__mmask32)((1u << k) - 1);
		__m512i va = u8 ? qrt_load_u8_x32(qa, m) : qrt_load_i8_x32((const int8_t *)qa, m);
		__m512i vb = u8 ? qrt_load_u8_x32(qb, m) : qrt_load_i8_x32((const int8_t *)qb, m);
		va = _mm512_sub_epi16(va, _mm512_set1_epi16((short)za));
		vb = _mm512_sub_epi16(vb, _mm512_set1_epi16((short)zb));
		memset(got, 0xA5, sizeof got);
		qrt_store_x32(got, m, qrt_add_x32(va, vb, ma, mb, sh, zp, lo, hi));
		for (int i = 0; i < 32; i++, n++) {
			int32_t xa = u8 ? qa[i] : (int8_t)qa[i], xb = u8 ? qb[i] : (int8_t)qb[i];
			bad += got[i] != (i < k ? (uint8_t)qrt_add(xa - za, ma, xb - zb, mb, sh, zp, lo, hi) : 0xA5);
		}
	}
	if (tried < 1000) {
		printf("qrt_add_x32: only %ld cases met qrt_add_x32_ok\n", tried);
		bad++;
	}
	/* the quad interleave of four 16-byte rows */
	uint8_t rows[4][16], quads[64];
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 16; i++)
			rows[r][i] = (uint8_t)rnd();
	qrt_interleave4_u8(quads, _mm_loadu_si128((const __m128i *)(const void *)rows[0]),
	                   _mm_loadu_si128((const __m128i *)(const void *)rows[1]),
	                   _mm_loadu_si128((const __m128i *)(const void *)rows[2]),
	                   _mm_loadu_si128((const __m128i *)(const void *)rows[3]));
	for (int i = 0; i < 64; i++, n++)
		bad += quads[i] != rows[i % 4][i / 4];
	/* the pytorch contract: float32 requantization and QNNPACK's add (ties
	 * away from zero; 22-bit multipliers, and Q31 ones too) */
	for (int it = 0; it < 100000; it++) {
		int32_t acc[16], a8[16], b8[16], out[16], out2[16];
		float scale[16];
		for (int i = 0; i < 16; i++) {
			acc[i] = edge32();
			if (rnd() % 8 == 0) /* exact ties: acc * 2^-k */
				scale[i] = 1.0f / (float)(1u << (1 + rnd() % 20));
			else
				scale[i] = (float)(rnd() % 0x1000000 + 1) * (1.0f / 16777216.0f) * (float)(1 << (rnd() % 8)) /
				           (float)(1 << (rnd() % 24));
			a8[i] = (int32_t)(rnd() % 511) - 255, b8[i] = (int32_t)(rnd() % 511) - 255;
		}
		int32_t zp = (int32_t)(rnd() % 384) - 128, lo = (int32_t)(rnd() % 256) - 128, hi = lo + (int32_t)(rnd() % 200);
		int32_t ma = rnd() & 1 ? (int32_t)(rnd() % (1u << 22)) : mult31(), mb = rnd() & 1 ? (int32_t)(rnd() % (1u << 22)) : mult31();
		int sh = 1 + (int)(rnd() % 62);
		if (rnd() % 4 == 0) { /* exact ties: a*mult_a at an odd multiple of 2^(sh-1), b*mult_b at 2^sh */
			sh = 10 + (int)(rnd() % 20);
			ma = (int32_t)(2 * (rnd() % 4) + 1) << (sh - 1);
			mb = (int32_t)(rnd() % 3) << sh;
			if (rnd() & 1)
				ma = -ma;
		}
		_mm512_storeu_si512((void *)out, qrt_requant_fp32_x16(load16(acc), _mm512_loadu_ps(scale), zp, lo, hi));
		_mm512_storeu_si512((void *)out2, qrt_add_away_x16(load16(a8), ma, load16(b8), mb, sh, zp, lo, hi));
		for (int i = 0; i < 16; i++, n += 2) {
			bad += out[i] != qrt_requant_fp32(acc[i], scale[i], zp, lo, hi);
			bad += out2[i] != qrt_add_away(a8[i], ma, b8[i], mb, sh, zp, lo, hi);
		}
	}
	printf("qrt_avx512: %ld of %ld lanes differ from qrt.h\n", bad, n);
	return bad != 0;
}
