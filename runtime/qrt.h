/* qrt: the tiny runtime that qcc-generated code includes and links.
 *
 * This header is the scalar reference of every arithmetic primitive of
 * docs/arithmetic.md.  SIMD headers (qrt_avx2.h, ...) export vector forms
 * under the same names with a lane suffix, and tests demand zero difference
 * from these.  Plain C99; no libm, no allocation. */
#ifndef QRT_H
#define QRT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define QRT_VERSION "0.1.0"
#define QRT_ARENA_ALIGN 64 /* every arena buffer offset is a multiple of this */

/* floor(p / 2^n) without relying on >> of a negative value. */
static inline int64_t qrt_floor_shift(int64_t p, int n)
{
	return p >= 0 ? p >> n : ~((~p) >> n);
}

/* rshr(p, n) = (p + 2^(n-1)) >> n: one rounding, ties toward +inf.
 * 1 <= n <= 62 and |p| < 2^62, so the addition cannot overflow. */
static inline int64_t qrt_rshr(int64_t p, int n)
{
	return qrt_floor_shift(p + ((int64_t)1 << (n - 1)), n);
}

/* p / 2^n to nearest, ties to even: average pooling, where a sum divided
 * by the window size lands on exact ties often (as PyTorch rounds them). */
static inline int64_t qrt_rshr_even(int64_t p, int n)
{
	int64_t q = qrt_floor_shift(p, n);
	return qrt_floor_shift(p + ((int64_t)1 << (n - 1)) - 1 + (q & 1), n);
}

/* sat(zp + rshr(acc * mult, shift), lo, hi): the requantization of every
 * conv, linear, requantize and matmul. */
static inline int32_t qrt_requant(int32_t acc, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi)
{
	int64_t v = qrt_rshr((int64_t)acc * mult, shift) + zp;
	return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

/* Average pooling's requantization: as qrt_requant, ties to even. */
static inline int32_t qrt_requant_even(int32_t acc, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi)
{
	int64_t v = qrt_rshr_even((int64_t)acc * mult, shift) + zp;
	return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

/* add: one rounding of the sum of the two rescaled inputs. */
static inline int32_t qrt_add(int32_t a, int32_t mult_a, int32_t b, int32_t mult_b, int shift, int32_t zp,
                              int32_t lo, int32_t hi)
{
	int64_t v = qrt_rshr((int64_t)a * mult_a + (int64_t)b * mult_b, shift) + zp;
	return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

/* Round a float to the nearest integer, ties to even, for |v| < 2^31.
 * Done on v's bits, with no float arithmetic after v was computed: the
 * FPU rounding mode does not matter, and a compiler that contracts a*b+c
 * into a fused multiply-add (gcc's default outside strict ISO modes) finds
 * no addition to fuse the product v = a*b into. */
static inline int32_t qrt_rne_f32(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof u);
	const int e = (int)(u >> 23 & 0xFF) - 150;         /* |v| = mant * 2^e */
	const int32_t mant = (int32_t)(u & 0x7FFFFF) | 0x800000;
	int32_t r;
	if (e >= 0)
		r = mant << e;                             /* |v| < 2^31: e <= 7 */
	else if (e < -24)
		r = 0;                                     /* |v| < 0.5, zeros, denormals */
	else {
		r = mant >> -e;
		const int32_t rem = mant & ((INT32_C(1) << -e) - 1), half = INT32_C(1) << (-e - 1);
		r += rem > half || (rem == half && (r & 1));
	}
	return u >> 31 ? -r : r;
}

/* The pytorch contract's requantization (docs/arithmetic.md): one float32
 * product, rounded to nearest even, as PyTorch's QNNPACK kernels do it. */
static inline int32_t qrt_requant_fp32(int32_t acc, float scale, int32_t zp, int32_t lo, int32_t hi)
{
	const float v = (float)acc * scale;
	if (!(v > -2147483520.0f))                         /* also NaN: not reachable */
		return lo;
	if (v > 2147483520.0f)
		return hi;
	const int64_t q = (int64_t)qrt_rne_f32(v) + zp;
	return q < lo ? lo : q > hi ? hi : (int32_t)q;
}

/* The pytorch contract's add (QNNPACK's): 22-bit multipliers, one shift,
 * the sum rounded to nearest with ties away from zero. */
static inline int32_t qrt_add_away(int32_t a, int32_t mult_a, int32_t b, int32_t mult_b, int shift, int32_t zp,
                                   int32_t lo, int32_t hi)
{
	const int64_t p = (int64_t)a * mult_a + (int64_t)b * mult_b;
	const int64_t v = qrt_floor_shift(p + ((int64_t)1 << (shift - 1)) - (p < 0), shift) + zp;
	return v < lo ? lo : v > hi ? hi : (int32_t)v;
}

/* quantize: sat(zp + rne(x * inv), lo, hi); NaN gives zp. */
static inline int32_t qrt_quantize_f32(float x, float inv, int32_t zp, int32_t lo, int32_t hi)
{
	float v = x * inv;
	if (v != v)
		return zp < lo ? lo : zp > hi ? hi : zp;
	if (v < -1073741824.0f)
		return lo;
	if (v > 1073741824.0f)
		return hi;
	int32_t q = qrt_rne_f32(v) + zp;
	return q < lo ? lo : q > hi ? hi : q;
}

static inline float qrt_dequantize(int32_t q, int32_t zp, float scale)
{
	return (float)(q - zp) * scale;
}

static inline int32_t qrt_clamp(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A description of a generated model, for generic drivers and tests. */
enum { QRT_F32 = 1, QRT_U8 = 2, QRT_I8 = 3 };

typedef struct qrt_tensor_info {
	const char *name;
	int dtype;            /* QRT_* */
	int rank;
	int dims[4];          /* logical, NCHW for rank 4 */
	size_t numel;
	double scale;         /* quantized tensors only */
	int zero_point;
} qrt_tensor_info;

typedef struct qrt_model {
	const char *name;
	size_t arena_size;    /* bytes; the arena must be QRT_ARENA_ALIGN-aligned */
	int ninputs, noutputs;
	const qrt_tensor_info *inputs, *outputs;
	/* Runs with inputs[i] / outputs[i] pointing at tensors of the declared
	 * dtypes in NCHW order.  Returns 0, or -1 if either array, an entry or
	 * the arena is NULL or the arena misaligned (arena_size 0: the arena
	 * argument is ignored).  Reentrant with separate arenas. */
	int (*run)(const void *const *inputs, void *const *outputs, void *arena);
} qrt_model;

const char *qrt_version(void);

#endif
