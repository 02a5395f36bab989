/* Shared timing protocol of the C benchmarks: warm up, pick an iteration
 * count so that one sample lasts >= QB_SAMPLE_SEC, take QB_SAMPLES samples,
 * and report the minimum and the median time of one call. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

#define QB_WARMUP_SEC 0.05
#define QB_SAMPLE_SEC 0.02
#define QB_SAMPLES 15

static double qb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int qb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Times fn(ctx); writes seconds per call: *min and *median. */
static void qb_measure(void (*fn)(void *), void *ctx, double *min, double *median)
{
	double t0 = qb_now(), t;
	long warm = 0;
	do {
		fn(ctx);
		warm++;
	} while ((t = qb_now()) - t0 < QB_WARMUP_SEC || warm < 2);
	double per = (t - t0) / (double)warm;
	long iters = per >= QB_SAMPLE_SEC ? 1 : (long)(QB_SAMPLE_SEC / per) + 1;
	double samples[QB_SAMPLES];
	for (int s = 0; s < QB_SAMPLES; s++) {
		t0 = qb_now();
		for (long i = 0; i < iters; i++)
			fn(ctx);
		samples[s] = (qb_now() - t0) / (double)iters;
	}
	qsort(samples, QB_SAMPLES, sizeof samples[0], qb_cmp);
	*min = samples[0];
	*median = samples[QB_SAMPLES / 2];
}

#endif
