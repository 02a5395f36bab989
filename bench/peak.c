/* Int8 multiply-accumulate peak of this CPU for the instruction sequences
 * the x86 targets use, measured with 8 independent accumulator chains so
 * that throughput, not latency, is the limit.  Operands live in registers
 * (u8s8) or in a 4 KiB L1-resident buffer (the exact int16 path loads and
 * widens its activations, as a kernel does).
 *
 *   peak            prints: NAME GMACS
 *
 * Sequences:
 *   avx2_maddubs  vpmaddubsw + vpmaddwd(1) + vpaddd   32 u8*s8 MAC / step
 *                 (int16 pair sums may saturate: not bit-exact in general)
 *   avx2_int16    vpmovzxbw (load) + vpmaddwd + vpaddd  16 MAC / step, exact
 *                 (vpmovzxbw is a shuffle: on Zen it, not the multiply, is
 *                 the limit)
 *   avx2_bcast16  vpbroadcastd (load) + vpmaddwd + vpaddd  16 MAC / step,
 *                 exact: the inner step of qcc's avx2 conv kernels (one
 *                 broadcast int16 pair of inputs times 8 channels' weights)
 *   avx512_vnni   vpdpbusd zmm, 64 u8*s8 MAC / instruction into int32, exact
 *                 (no intermediate saturation); 12 chains, operands in
 *                 registers.  Printed only when the CPU has AVX512-VNNI. */
#include <stdint.h>
#include <stdio.h>

#include "timing.h"

#define STEPS 4096 /* inner steps per call, 8 chains each */

static uint8_t act[4096] __attribute__((aligned(64)));
static volatile int32_t sink;

/* Inline assembly: the compiler must neither fold the repeated products
 * (the operands never change) nor reorder the chains. */
static void maddubs(void *ctx)
{
	(void)ctx;
	int32_t out[8];
	/* ymm0-7: 8 accumulators; ymm8: activations; ymm9-10: weights;
	 * ymm11-14: products; ymm15: int16 ones.  One step = 2 chains of
	 * 4 independent maddubs -> maddwd -> add. */
	__asm__ volatile(
		"vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
		"vmovdqa %%ymm0, %%ymm1\n\t vmovdqa %%ymm0, %%ymm2\n\t vmovdqa %%ymm0, %%ymm3\n\t"
		"vmovdqa %%ymm0, %%ymm4\n\t vmovdqa %%ymm0, %%ymm5\n\t vmovdqa %%ymm0, %%ymm6\n\t"
		"vmovdqa %%ymm0, %%ymm7\n\t"
		"vpcmpeqw %%ymm15, %%ymm15, %%ymm15\n\t vpsrlw $15, %%ymm15, %%ymm15\n\t"
		"vpcmpeqb %%ymm8, %%ymm8, %%ymm8\n\t vpsrlw $9, %%ymm8, %%ymm8\n\t"
		"vpcmpeqb %%ymm9, %%ymm9, %%ymm9\n\t vpcmpeqb %%ymm10, %%ymm10, %%ymm10\n\t"
		"mov %[n], %%ecx\n"
		"1:\n\t"
		"vpmaddubsw %%ymm9, %%ymm8, %%ymm11\n\t vpmaddwd %%ymm15, %%ymm11, %%ymm11\n\t vpaddd %%ymm11, %%ymm0, %%ymm0\n\t"
		"vpmaddubsw %%ymm10, %%ymm8, %%ymm12\n\t vpmaddwd %%ymm15, %%ymm12, %%ymm12\n\t vpaddd %%ymm12, %%ymm1, %%ymm1\n\t"
		"vpmaddubsw %%ymm9, %%ymm8, %%ymm13\n\t vpmaddwd %%ymm15, %%ymm13, %%ymm13\n\t vpaddd %%ymm13, %%ymm2, %%ymm2\n\t"
		"vpmaddubsw %%ymm10, %%ymm8, %%ymm14\n\t vpmaddwd %%ymm15, %%ymm14, %%ymm14\n\t vpaddd %%ymm14, %%ymm3, %%ymm3\n\t"
		"vpmaddubsw %%ymm9, %%ymm8, %%ymm11\n\t vpmaddwd %%ymm15, %%ymm11, %%ymm11\n\t vpaddd %%ymm11, %%ymm4, %%ymm4\n\t"
		"vpmaddubsw %%ymm10, %%ymm8, %%ymm12\n\t vpmaddwd %%ymm15, %%ymm12, %%ymm12\n\t vpaddd %%ymm12, %%ymm5, %%ymm5\n\t"
		"vpmaddubsw %%ymm9, %%ymm8, %%ymm13\n\t vpmaddwd %%ymm15, %%ymm13, %%ymm13\n\t vpaddd %%ymm13, %%ymm6, %%ymm6\n\t"
		"vpmaddubsw %%ymm10, %%ymm8, %%ymm14\n\t vpmaddwd %%ymm15, %%ymm14, %%ymm14\n\t vpaddd %%ymm14, %%ymm7, %%ymm7\n\t"
		"dec %%ecx\n\t jnz 1b\n\t"
		"vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm3, %%ymm2, %%ymm2\n\t vpaddd %%ymm5, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm7, %%ymm6, %%ymm6\n\t vpaddd %%ymm2, %%ymm0, %%ymm0\n\t vpaddd %%ymm6, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm4, %%ymm0, %%ymm0\n\t vmovdqu %%ymm0, %[out]\n\t vzeroupper"
		: [out] "=m"(out)
		: [n] "r"(STEPS)
		: "ecx", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	sink = out[0];
}

static void int16(void *ctx)
{
	(void)ctx;
	int32_t out[8];
	/* Activations are loaded and zero-extended from an L1-resident buffer
	 * (as a kernel does); weights are int16 in registers ymm9/ymm10. */
	__asm__ volatile(
		"vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
		"vmovdqa %%ymm0, %%ymm1\n\t vmovdqa %%ymm0, %%ymm2\n\t vmovdqa %%ymm0, %%ymm3\n\t"
		"vmovdqa %%ymm0, %%ymm4\n\t vmovdqa %%ymm0, %%ymm5\n\t vmovdqa %%ymm0, %%ymm6\n\t"
		"vmovdqa %%ymm0, %%ymm7\n\t"
		"vpcmpeqw %%ymm9, %%ymm9, %%ymm9\n\t vpsrlw $9, %%ymm9, %%ymm9\n\t vpcmpeqw %%ymm10, %%ymm10, %%ymm10\n\t"
		"mov %[n], %%ecx\n"
		"1:\n\t"
		"vpmovzxbw 0(%[p]), %%ymm11\n\t vpmaddwd %%ymm9, %%ymm11, %%ymm11\n\t vpaddd %%ymm11, %%ymm0, %%ymm0\n\t"
		"vpmovzxbw 16(%[p]), %%ymm12\n\t vpmaddwd %%ymm10, %%ymm12, %%ymm12\n\t vpaddd %%ymm12, %%ymm1, %%ymm1\n\t"
		"vpmovzxbw 32(%[p]), %%ymm13\n\t vpmaddwd %%ymm9, %%ymm13, %%ymm13\n\t vpaddd %%ymm13, %%ymm2, %%ymm2\n\t"
		"vpmovzxbw 48(%[p]), %%ymm14\n\t vpmaddwd %%ymm10, %%ymm14, %%ymm14\n\t vpaddd %%ymm14, %%ymm3, %%ymm3\n\t"
		"vpmovzxbw 64(%[p]), %%ymm11\n\t vpmaddwd %%ymm9, %%ymm11, %%ymm11\n\t vpaddd %%ymm11, %%ymm4, %%ymm4\n\t"
		"vpmovzxbw 80(%[p]), %%ymm12\n\t vpmaddwd %%ymm10, %%ymm12, %%ymm12\n\t vpaddd %%ymm12, %%ymm5, %%ymm5\n\t"
		"vpmovzxbw 96(%[p]), %%ymm13\n\t vpmaddwd %%ymm9, %%ymm13, %%ymm13\n\t vpaddd %%ymm13, %%ymm6, %%ymm6\n\t"
		"vpmovzxbw 112(%[p]), %%ymm14\n\t vpmaddwd %%ymm10, %%ymm14, %%ymm14\n\t vpaddd %%ymm14, %%ymm7, %%ymm7\n\t"
		"dec %%ecx\n\t jnz 1b\n\t"
		"vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm3, %%ymm2, %%ymm2\n\t vpaddd %%ymm5, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm7, %%ymm6, %%ymm6\n\t vpaddd %%ymm2, %%ymm0, %%ymm0\n\t vpaddd %%ymm6, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm4, %%ymm0, %%ymm0\n\t vmovdqu %%ymm0, %[out]\n\t vzeroupper"
		: [out] "=m"(out)
		: [n] "r"(STEPS), [p] "r"(act)
		: "ecx", "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14");
	sink = out[0];
}

static void bcast16(void *ctx)
{
	(void)ctx;
	int32_t out[8];
	/* 4 broadcasts a step, each multiplied by 2 weight vectors (ymm9/ymm10):
	 * the shape of a 4-pixel x 16-channel tile */
	__asm__ volatile(
		"vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
		"vmovdqa %%ymm0, %%ymm1\n\t vmovdqa %%ymm0, %%ymm2\n\t vmovdqa %%ymm0, %%ymm3\n\t"
		"vmovdqa %%ymm0, %%ymm4\n\t vmovdqa %%ymm0, %%ymm5\n\t vmovdqa %%ymm0, %%ymm6\n\t"
		"vmovdqa %%ymm0, %%ymm7\n\t"
		"vpcmpeqw %%ymm9, %%ymm9, %%ymm9\n\t vpsrlw $9, %%ymm9, %%ymm9\n\t vpcmpeqw %%ymm10, %%ymm10, %%ymm10\n\t"
		"mov %[n], %%ecx\n"
		"1:\n\t"
		"vpbroadcastd 0(%[p]), %%ymm11\n\t"
		"vpmaddwd %%ymm9, %%ymm11, %%ymm12\n\t vpaddd %%ymm12, %%ymm0, %%ymm0\n\t"
		"vpmaddwd %%ymm10, %%ymm11, %%ymm13\n\t vpaddd %%ymm13, %%ymm1, %%ymm1\n\t"
		"vpbroadcastd 132(%[p]), %%ymm14\n\t"
		"vpmaddwd %%ymm9, %%ymm14, %%ymm15\n\t vpaddd %%ymm15, %%ymm2, %%ymm2\n\t"
		"vpmaddwd %%ymm10, %%ymm14, %%ymm12\n\t vpaddd %%ymm12, %%ymm3, %%ymm3\n\t"
		"vpbroadcastd 264(%[p]), %%ymm11\n\t"
		"vpmaddwd %%ymm9, %%ymm11, %%ymm13\n\t vpaddd %%ymm13, %%ymm4, %%ymm4\n\t"
		"vpmaddwd %%ymm10, %%ymm11, %%ymm15\n\t vpaddd %%ymm15, %%ymm5, %%ymm5\n\t"
		"vpbroadcastd 396(%[p]), %%ymm14\n\t"
		"vpmaddwd %%ymm9, %%ymm14, %%ymm12\n\t vpaddd %%ymm12, %%ymm6, %%ymm6\n\t"
		"vpmaddwd %%ymm10, %%ymm14, %%ymm13\n\t vpaddd %%ymm13, %%ymm7, %%ymm7\n\t"
		"dec %%ecx\n\t jnz 1b\n\t"
		"vpaddd %%ymm1, %%ymm0, %%ymm0\n\t vpaddd %%ymm3, %%ymm2, %%ymm2\n\t vpaddd %%ymm5, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm7, %%ymm6, %%ymm6\n\t vpaddd %%ymm2, %%ymm0, %%ymm0\n\t vpaddd %%ymm6, %%ymm4, %%ymm4\n\t"
		"vpaddd %%ymm4, %%ymm0, %%ymm0\n\t vmovdqu %%ymm0, %[out]\n\t vzeroupper"
		: [out] "=m"(out)
		: [n] "r"(STEPS), [p] "r"(act)
		: "ecx", "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	sink = out[0];
}

/* 12 independent vpdpbusd chains (zmm0-11) on zmm12 (u8) and zmm13-14
 * (s8): latency 4-5 cycles x up to 2 per cycle needs >= 10 in flight. */
static void vnni(void *ctx)
{
	(void)ctx;
	int32_t out[16];
	__asm__ volatile(
		"vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
		"vmovdqa64 %%zmm0, %%zmm1\n\t vmovdqa64 %%zmm0, %%zmm2\n\t vmovdqa64 %%zmm0, %%zmm3\n\t"
		"vmovdqa64 %%zmm0, %%zmm4\n\t vmovdqa64 %%zmm0, %%zmm5\n\t vmovdqa64 %%zmm0, %%zmm6\n\t"
		"vmovdqa64 %%zmm0, %%zmm7\n\t vmovdqa64 %%zmm0, %%zmm8\n\t vmovdqa64 %%zmm0, %%zmm9\n\t"
		"vmovdqa64 %%zmm0, %%zmm10\n\t vmovdqa64 %%zmm0, %%zmm11\n\t"
		"vpternlogd $0xff, %%zmm12, %%zmm12, %%zmm12\n\t vpsrlw $9, %%zmm12, %%zmm12\n\t"
		"vpternlogd $0xff, %%zmm13, %%zmm13, %%zmm13\n\t vpternlogd $0xff, %%zmm14, %%zmm14, %%zmm14\n\t"
		"mov %[n], %%ecx\n"
		"1:\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm0\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm1\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm2\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm3\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm4\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm5\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm6\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm7\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm8\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm9\n\t"
		"vpdpbusd %%zmm13, %%zmm12, %%zmm10\n\t vpdpbusd %%zmm14, %%zmm12, %%zmm11\n\t"
		"dec %%ecx\n\t jnz 1b\n\t"
		"vpaddd %%zmm1, %%zmm0, %%zmm0\n\t vpaddd %%zmm3, %%zmm2, %%zmm2\n\t vpaddd %%zmm5, %%zmm4, %%zmm4\n\t"
		"vpaddd %%zmm7, %%zmm6, %%zmm6\n\t vpaddd %%zmm9, %%zmm8, %%zmm8\n\t vpaddd %%zmm11, %%zmm10, %%zmm10\n\t"
		"vpaddd %%zmm2, %%zmm0, %%zmm0\n\t vpaddd %%zmm6, %%zmm4, %%zmm4\n\t vpaddd %%zmm10, %%zmm8, %%zmm8\n\t"
		"vpaddd %%zmm4, %%zmm0, %%zmm0\n\t vpaddd %%zmm8, %%zmm0, %%zmm0\n\t"
		"vmovdqu64 %%zmm0, %[out]\n\t vzeroupper"
		: [out] "=m"(out)
		: [n] "r"(STEPS)
		: "ecx", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14");
	sink = out[0];
}

int main(void)
{
	for (int i = 0; i < 4096; i++)
		act[i] = (uint8_t)(i * 7);
	double mn, med;
	qb_measure(maddubs, NULL, &mn, &med);
	printf("avx2_maddubs %.2f %.2f\n", 8.0 * 32 * STEPS / mn * 1e-9, 8.0 * 32 * STEPS / med * 1e-9);
	qb_measure(int16, NULL, &mn, &med);
	printf("avx2_int16 %.2f %.2f\n", 8.0 * 16 * STEPS / mn * 1e-9, 8.0 * 16 * STEPS / med * 1e-9);
	qb_measure(bcast16, NULL, &mn, &med);
	printf("avx2_bcast16 %.2f %.2f\n", 8.0 * 16 * STEPS / mn * 1e-9, 8.0 * 16 * STEPS / med * 1e-9);
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni")) {
		qb_measure(vnni, NULL, &mn, &med);
		printf("avx512_vnni %.2f %.2f\n", 12.0 * 64 * STEPS / mn * 1e-9, 12.0 * 64 * STEPS / med * 1e-9);
	}
	return 0;
}
