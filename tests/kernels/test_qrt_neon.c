/* The vector primitives of qrt_neon.h against the scalar references of
 * qrt.h, lane for lane, on edge values and random ones: zero difference.
 *
 *   aarch64-linux-gnu-gcc -std=c99 -O2 -Iruntime tests/kernels/test_qrt_neon.c -o t
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./t */
#include <stdio.h>

#include "qrt_neon.h"

static uint64_t state = 88172645463325252u;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static const int32_t edge_acc[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30),
                                   12345678, -12345678, 255, -255};
static const int32_t edge_mult[] = {0, 1 << 30, -(1 << 30), INT32_MAX, -INT32_MAX, 1518500250, -1518500250};

static int32_t pick(const int32_t *edge, int nedge)
{
	uint64_t r = next();
	if (r % 4 == 0)
		return edge[(r >> 8) % (uint64_t)nedge];
	if (r % 4 == 1)
		return (int32_t)((int64_t)(r >> 32) % 70000) - 35000;
	return (int32_t)(uint32_t)(r >> 32);
}

int main(void)
{
	long bad = 0, n = 0;
	for (int it = 0; it < 400000; it++) {
		int32_t acc[4], mult[4], shift[4], b[4], zp, lo, hi;
		for (int i = 0; i < 4; i++) {
			acc[i] = pick(edge_acc, 16);
			b[i] = pick(edge_acc, 16);
			mult[i] = pick(edge_mult, 7);
			shift[i] = 1 + (int)(next() % 62);
			if (next() % 3 == 0)
				shift[i] = 1 + (int)(next() % 8); /* many exact ties */
		}
		zp = (int32_t)(next() % 384) - 128;
		lo = (int32_t)(next() % 384) - 128;
		hi = lo + (int32_t)(next() % 200);
		/* qrt_add's operands are q - z: |a|, |b| <= 255 */
		int32_t a8[4], b8[4];
		for (int i = 0; i < 4; i++) {
			a8[i] = (int32_t)(next() % 511) - 255;
			b8[i] = (int32_t)(next() % 511) - 255;
		}
		int32_t r1[4], r2[4], r3[4];
		const int32x4_t vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
		vst1q_s32(r1, qrt_requant_x4(vld1q_s32(acc), vld1q_s32(mult), vld1q_s32(shift), vzp, vlo, vhi));
		vst1q_s32(r2, qrt_requant_even_x4(vld1q_s32(acc), vld1q_s32(mult), vld1q_s32(shift), vzp, vlo, vhi));
		vst1q_s32(r3, qrt_add_x4(vld1q_s32(a8), vld1q_s32(mult), vld1q_s32(b8), vld1q_s32(b), vdupq_n_s32(shift[0]),
		                         vzp, vlo, vhi));
		for (int i = 0; i < 4; i++, n += 3) {
			int32_t w1 = qrt_requant(acc[i], mult[i], shift[i], zp, lo, hi);
			int32_t w2 = qrt_requant_even(acc[i], mult[i], shift[i], zp, lo, hi);
			int32_t w3 = qrt_add(a8[i], mult[i], b8[i], b[i], shift[0], zp, lo, hi);
			if (r1[i] != w1 || r2[i] != w2 || r3[i] != w3) {
				if (bad++ < 10)
					printf("acc %d mult %d shift %d zp %d [%d,%d]: requant %d/%d even %d/%d add %d/%d\n",
					       acc[i], mult[i], shift[i], zp, lo, hi, r1[i], w1, r2[i], w2, r3[i], w3);
			}
		}
	}
	/* unclamped: the full int32 range of the rounded value */
	for (int it = 0; it < 200000; it++) {
		int32_t acc[4], mult[4], shift[4], r[4];
		for (int i = 0; i < 4; i++) {
			acc[i] = pick(edge_acc, 16);
			mult[i] = pick(edge_mult, 7);
			shift[i] = 1 + (int)(next() % 62);
		}
		const int32x4_t vz = vdupq_n_s32(0), vlo = vdupq_n_s32(INT32_MIN + 256), vhi = vdupq_n_s32(INT32_MAX - 256);
		vst1q_s32(r, qrt_requant_x4(vld1q_s32(acc), vld1q_s32(mult), vld1q_s32(shift), vz, vlo, vhi));
		for (int i = 0; i < 4; i++, n++)
			if (r[i] != qrt_requant(acc[i], mult[i], shift[i], 0, INT32_MIN + 256, INT32_MAX - 256) && bad++ < 10)
				printf("wide: acc %d mult %d shift %d: %d\n", acc[i], mult[i], shift[i], r[i]);
	}
	/* the pytorch contract: float32 requantization and QNNPACK's add */
	for (int it = 0; it < 400000; it++) {
		int32_t acc[4], ma[4], mb[4], a8[4], b8[4], r[4], r2[4];
		float scale[4];
		for (int i = 0; i < 4; i++) {
			acc[i] = pick(edge_acc, 16);
			scale[i] = (float)(next() % 0x1000000 + 1) * (1.0f / 16777216.0f) * (float)(1 << (next() % 8)) /
			           (float)(1 << (next() % 24));
			ma[i] = (int32_t)(next() % (1u << 22));
			mb[i] = (int32_t)(next() % (1u << 22));
			a8[i] = (int32_t)(next() % 511) - 255;
			b8[i] = (int32_t)(next() % 511) - 255;
		}
		int32_t zp = (int32_t)(next() % 256), lo = (int32_t)(next() % 128), hi = lo + (int32_t)(next() % 128);
		int sh = 1 + (int)(next() % 40);
		const int32x4_t vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(lo), vhi = vdupq_n_s32(hi);
		vst1q_s32(r, qrt_requant_fp32_x4(vld1q_s32(acc), vld1q_f32(scale), vzp, vlo, vhi));
		vst1q_s32(r2, qrt_add_away_x4(vld1q_s32(a8), vld1q_s32(ma), vld1q_s32(b8), vld1q_s32(mb), vdupq_n_s32(sh),
		                              vzp, vlo, vhi));
		for (int i = 0; i < 4; i++, n += 2) {
			int32_t w = qrt_requant_fp32(acc[i], scale[i], zp, lo, hi);
			int32_t w2 = qrt_add_away(a8[i], ma[i], b8[i], mb[i], sh, zp, lo, hi);
			if ((r[i] != w || r2[i] != w2) && bad++ < 10)
				printf("fp32: acc %d scale %a: %d/%d; add_away %d*%d + %d*%d >> %d: %d/%d\n", acc[i],
				       (double)scale[i], r[i], w, a8[i], ma[i], b8[i], mb[i], sh, r2[i], w2);
		}
	}
	printf("qrt_neon: %ld lane results, %ld differ from qrt.h\n", n, bad);
	return bad != 0;
}
