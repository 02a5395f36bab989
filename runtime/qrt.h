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

/* Round a float to the nearest integer, ties to even, for |v| < 2^31,
 * independent of the FPU rounding mode. */
static inline int32_t qrt_rne_f32(float v)
{
	int32_t i = (int32_t)v; /* toward zero */
	if ((float)i > v)
		i--; /* now floor(v) */
	float d = v - (float)i;
	if (d > 0.5f || (d == 0.5f && (i & 1)))
		i++;
	return i;
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
	 * dtypes in NCHW order.  Returns 0, or -1 on a NULL or misaligned pointer. */
	int (*run)(const void *const *inputs, void *const *outputs, void *arena);
} qrt_model;

const char *qrt_version(void);

#endif
