/* qrt_quantize_f32_x16 of one ISA header against the scalar
 * qrt_quantize_f32 of qrt.h, lane for lane: zero difference.  Built once
 * per ISA: -DQRT_ISA_AVX2, -DQRT_ISA_AVX512 (natively or with
 * -DQRT_SIMDE), -DQRT_ISA_NEON (cross-compiled, run under qemu).  Inputs:
 * random bit patterns (NaN, infinities, denormals, huge values), exact
 * ties of x * inv, and ordinary values, for u8 and s8 zero points and
 * clamp bounds. */
#include <stdio.h>
#include <string.h>

#if defined(QRT_ISA_AVX2)
#include "qrt_avx2.h"
#elif defined(QRT_ISA_AVX512)
#include "qrt_avx512.h"
#elif defined(QRT_ISA_NEON)
#include "qrt_neon.h"
#else
#error "define QRT_ISA_AVX2, QRT_ISA_AVX512 or QRT_ISA_NEON"
#endif

static uint64_t state = 0x9E3779B97F4A7C15u;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static float random_float(float inv)
{
	uint64_t r = next();
	uint32_t u = (uint32_t)(r >> 32);
	float f;
	switch (r % 4) {
	case 0: /* any bit pattern */
		memcpy(&f, &u, sizeof f);
		return f;
	case 1: /* x such that x * inv lands on (or next to) a .5 tie */
		f = ((float)((int32_t)(u % 600) - 300) + 0.5f) / inv;
		memcpy(&u, &f, sizeof u);
		u += (uint32_t)(r >> 8) % 3 - 1;
		memcpy(&f, &u, sizeof f);
		return f;
	default: /* ordinary activations */
		return ((float)(int32_t)(u % 200001) - 100000.0f) * 1e-4f;
	}
}

int main(void)
{
	long n = 0, bad = 0;
	for (int it = 0; it < 300000; it++) {
		float x[16], inv;
		uint32_t u = (uint32_t)next();
		inv = (float)(u % 1000000 + 1) * 1e-3f;
		int s8 = (int)(next() & 1);
		int32_t qmin = s8 ? -128 : 0, qmax = s8 ? 127 : 255;
		int32_t zp = qmin + (int32_t)(next() % 256);
		int32_t lo = qmin, hi = qmax;
		if (next() % 3 == 0) { /* a fused relu/relu6 clamp */
			lo = zp;
			hi = lo + (int32_t)(next() % (uint64_t)(qmax - lo + 1));
		}
		for (int i = 0; i < 16; i++)
			x[i] = random_float(inv);
		unsigned char out[16];
		qrt_quantize_f32_x16(x, inv, zp, lo, hi, out);
		for (int i = 0; i < 16; i++, n++) {
			int32_t want = qrt_quantize_f32(x[i], inv, zp, lo, hi);
			int32_t got = s8 ? (int32_t)(signed char)out[i] : (int32_t)out[i];
			if (got != want && bad++ < 10)
				printf("x %a inv %a zp %d [%d,%d]: %d, scalar %d\n", (double)x[i], (double)inv, zp, lo, hi, got,
				       want);
		}
	}
	printf("qrt_quantize_f32_x16: %ld lanes, %ld differ from qrt_quantize_f32\n", n, bad);
	return bad != 0;
}
