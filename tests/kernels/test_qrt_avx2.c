/* qrt_avx2.h against qrt.h: every vector primitive, lane by lane, on random
 * and extreme arguments; zero differences allowed.
 *   cc -std=c99 -O2 -mavx2 -mfma -Iruntime tests/kernels/test_qrt_avx2.c -o t && ./t */
#include <stdio.h>
#include <stdlib.h>

#include "qrt_avx2.h"

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

int main(void)
{
	long bad = 0, n = 0;
	for (int it = 0; it < 400000; it++) {
		int32_t acc[8], mult[8], shift[8], shift_hi[8], out[8];
		int32_t zp = (int32_t)(rnd() % 384) - 128, lo = (int32_t)(rnd() % 256) - 128, hi = lo + (int32_t)(rnd() % 200);
		int hi_only = it & 1;
		for (int i = 0; i < 8; i++) {
			acc[i] = edge32();
			mult[i] = mult31();
			shift[i] = hi_only ? 32 + (int32_t)(rnd() % (it & 2 ? 22 : 31)) : 1 + (int32_t)(rnd() % 62);
			shift_hi[i] = shift[i] - 32;
		}
		const __m256i va = _mm256_loadu_si256((const __m256i *)acc), vm = _mm256_loadu_si256((const __m256i *)mult);
		const __m256i vs = _mm256_loadu_si256((const __m256i *)shift);
		_mm256_storeu_si256((__m256i *)out, qrt_requant_x8(va, vm, vs, zp, lo, hi));
		for (int i = 0; i < 8; i++, n++)
			bad += out[i] != qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
		_mm256_storeu_si256((__m256i *)out, qrt_requant_even_x8(va, vm, vs, zp, lo, hi));
		for (int i = 0; i < 8; i++, n++)
			bad += out[i] != qrt_requant_even(acc[i], mult[i], shift[i], zp, lo, hi);
		if (hi_only) {
			_mm256_storeu_si256((__m256i *)out,
			                    qrt_requant_hi_x8(va, vm, _mm256_loadu_si256((const __m256i *)shift_hi), zp, lo, hi));
			for (int i = 0; i < 8; i++, n++)
				bad += out[i] != qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
			/* the table form, zp apart and (every shift <= 53) folded in */
			int32_t tab[40] __attribute__((aligned(32)));
			int fold = 1;
			for (int i = 0; i < 8; i++)
				fold &= shift[i] <= 53;
			qrt_requant_hi_tab_fill(tab, mult, shift_hi, 0);
			_mm256_storeu_si256((__m256i *)out, qrt_requant_hi_tab_x8(va, tab, zp, lo, hi));
			for (int i = 0; i < 8; i++, n++)
				bad += out[i] != qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
			if (fold) {
				qrt_requant_hi_tab_fill(tab, mult, shift_hi, zp);
				_mm256_storeu_si256((__m256i *)out, qrt_requant_hi_tab_x8(va, tab, 0, lo, hi));
				for (int i = 0; i < 8; i++, n++)
					bad += out[i] != qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
				/* unclamped, then the saturating packs as the clamp to the dtype */
				const __m256i raw = qrt_requant_hi_tab_raw_x8(va, tab);
				uint8_t u[16];
				int8_t s8[16];
				_mm_storeu_si128((__m128i *)u, qrt_pack_u8_x8(raw));
				_mm_storeu_si128((__m128i *)s8, qrt_pack_i8_x8(raw));
				for (int i = 0; i < 8; i++, n += 2) {
					bad += u[i] != qrt_requant(acc[i], mult[i], shift[i], zp, 0, 255);
					bad += s8[i] != qrt_requant(acc[i], mult[i], shift[i], zp, -128, 127);
				}
			}
		}
		/* add: operands are differences of 8-bit values */
		int32_t a8[8], b8[8];
		for (int i = 0; i < 8; i++)
			a8[i] = (int32_t)(rnd() % 511) - 255, b8[i] = (int32_t)(rnd() % 511) - 255;
		int sh = 1 + (int)(rnd() % 62);
		_mm256_storeu_si256((__m256i *)out, qrt_add_x8(_mm256_loadu_si256((const __m256i *)a8), mult[0],
		                                               _mm256_loadu_si256((const __m256i *)b8), mult[1], sh, zp, lo, hi));
		for (int i = 0; i < 8; i++, n++)
			bad += out[i] != qrt_add(a8[i], mult[0], b8[i], mult[1], sh, zp, lo, hi);
	}
	printf("qrt_avx2: %ld of %ld lanes differ from qrt.h\n", bad, n);
	return bad != 0;
}
