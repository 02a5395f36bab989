/* Compile-time arithmetic shared by the passes.  Every formula here is
 * stated in docs/arithmetic.md; keep the two in step. */
#include <float.h>
#include <math.h>

#include "ir.h"

/* Ties to even, as C's nearbyint in the default rounding mode, without
 * depending on the current rounding mode. */
int64_t quant_rne(double x)
{
	/* The common case without libm: big models round millions of weights. */
	if (fabs(x) < 4503599627370496.0) { /* 2^52: the fraction is representable */
		int64_t i = (int64_t)x;     /* toward zero, exact here */
		if ((double)i > x)
			i--;                    /* floor */
		double d = x - (double)i;   /* exact */
		return d > 0.5 || (d == 0.5 && (i & 1)) ? i + 1 : i;
	}
	double f = floor(x);
	double d = x - f;
	if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
		f += 1.0;
	return (int64_t)f;
}

/* M = f * 2^e, 0.5 <= |f| < 1; mult = llround(f * 2^31), shift = 31 - e. */
int quant_multiplier(double M, int32_t *mult, int8_t *shift)
{
	if (!(fabs(M) < 1073741824.0)) /* 2^30; also rejects NaN */
		return -1;
	if (fabs(M) < 0x1p-32) {
		/* |acc * M| < 1/2 for every int32 acc: the exact result is 0. */
		*mult = 0;
		*shift = 1;
		return 0;
	}
	int e;
	double f = frexp(M, &e);
	int64_t m = llround(f * 2147483648.0);
	if (m == INT64_C(2147483648) || m == -INT64_C(2147483648)) {
		m /= 2;
		e += 1;
	}
	if (31 - e < 1)
		return -1; /* within half a Q31 step of 2^30: rounds to 2^30 */
	if (31 - e > 62)
		die("multiplier %g gives shift %d", M, 31 - e);
	*mult = (int32_t)m;
	*shift = (int8_t)(31 - e);
	return 0;
}

float quant_inv_scale(double scale)
{
	return 1.0f / (float)scale;
}

/* sat(zp + rne(real *f (1.0f/s)), qmin, qmax), as PyTorch's quantize_val. */
int32_t quant_clamp_bound(double real, double scale, int32_t zp, DType t)
{
	int32_t qmin, qmax;
	if (!ir_dtype_range(t, &qmin, &qmax))
		die("clamp bound for dtype %s", ir_dtype_name(t));
	if (isinf(real))
		return real > 0 ? qmax : qmin;
	float v = (float)real * quant_inv_scale(scale);
	if (isnan(v))
		return zp;                    /* 0 * inf, for a scale below 1/FLT_MAX: NaN maps to z */
	if (fabsf(v) >= 2147483648.0f)
		return v > 0 ? qmax : qmin;   /* saturates, also when the product overflowed float32;
	                                 quant_rne could not convert it */
	double q = (double)zp + (double)quant_rne((double)v);
	if (q < qmin)
		return qmin;
	if (q > qmax)
		return qmax;
	return (int32_t)q;
}

/* PyTorch's MinMaxObserver._calculate_qparams, in float32. */
int quant_range_qparams(double min, double max, int symmetric, DType t, double *scale, int32_t *zp)
{
	int32_t qmin, qmax;
	if (!ir_dtype_range(t, &qmin, &qmax) || !(min <= max) || !isfinite(min) || !isfinite(max))
		return -1;
	float min_neg = (float)min < 0.0f ? (float)min : 0.0f;
	float max_pos = (float)max > 0.0f ? (float)max : 0.0f;
	float s;
	if (symmetric) {
		float amax = -min_neg > max_pos ? -min_neg : max_pos;
		s = amax / ((float)(qmax - qmin) / 2.0f);
	} else {
		s = (max_pos - min_neg) / (float)(qmax - qmin);
	}
	if (!isfinite(s))
		return -1;   /* the range overflows float32 (max=1e308): no scale */
	if (s < FLT_EPSILON)
		s = FLT_EPSILON;
	*scale = s;
	if (symmetric) {
		*zp = t == DT_U8 ? 128 : 0;
		return 0;
	}
	float r = min_neg / s;
	int64_t z = (int64_t)qmin - quant_rne((double)r);
	*zp = (int32_t)(z < qmin ? qmin : z > qmax ? qmax : z);
	return 0;
}

void requant_init(Arena *a, Requant *rq, int n)
{
	rq->n = n;
	rq->real = arena_alloc(a, (size_t)n * sizeof *rq->real);
	rq->mult = arena_alloc(a, (size_t)n * sizeof *rq->mult);
	rq->shift = arena_alloc(a, (size_t)n * sizeof *rq->shift);
	rq->scale = NULL;
}
