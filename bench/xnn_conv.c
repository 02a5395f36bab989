/* Times one XNNPACK convolution (qc8: signed int8 activations, per-channel
 * int8 weights), single-threaded (no threadpool).
 *
 *   xnn_conv DIR H W CIN COUT K STRIDE PAD GROUPS IN_ZP IN_SCALE OUT_ZP OUT_SCALE
 *
 * DIR holds w.bin (int8 [COUT][K][K][CIN/GROUPS], i.e. XNNPACK's
 * [groups][group_oc][kh][kw][group_ic]), b.bin (int32 [COUT], accumulator
 * units) and s.bin (float32 [COUT] weight scales).  Zero points are int8
 * (a u8 zero point minus 128).  Prints "run MIN MEDIAN" in seconds per call,
 * or "n/a REASON" on failure. */
#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xnnpack.h>

#include "timing.h"

static void *load(const char *dir, const char *name, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	void *b = malloc(n);
	FILE *f = fopen(path, "rb");
	if (!b || !f || fread(b, 1, n, f) != n) {
		printf("n/a cannot read %zu bytes from %s\n", n, path);
		exit(0);
	}
	fclose(f);
	return b;
}

static void run(void *op)
{
	xnn_run_operator(op, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 14) {
		fprintf(stderr, "usage: xnn_conv DIR H W CIN COUT K STRIDE PAD GROUPS IN_ZP IN_SCALE OUT_ZP OUT_SCALE\n");
		return 2;
	}
	const char *dir = argv[1];
	int h = atoi(argv[2]), w = atoi(argv[3]), cin = atoi(argv[4]), cout = atoi(argv[5]);
	int k = atoi(argv[6]), stride = atoi(argv[7]), pad = atoi(argv[8]), groups = atoi(argv[9]);
	int in_zp = atoi(argv[10]), out_zp = atoi(argv[12]);
	float in_scale = (float)atof(argv[11]), out_scale = (float)atof(argv[13]);
	int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
	size_t wn = (size_t)cout * k * k * (cin / groups);
	int8_t *weights = load(dir, "w.bin", wn);
	int32_t *bias = load(dir, "b.bin", 4 * (size_t)cout);
	float *scales = load(dir, "s.bin", 4 * (size_t)cout);
	/* XNNPACK may read a little past the end of the input */
	int8_t *x = calloc((size_t)h * w * cin + 64, 1);
	int8_t *y = calloc((size_t)oh * ow * cout + 64, 1);
	for (size_t i = 0; i < (size_t)h * w * cin; i++)
		x[i] = (int8_t)((i * 2654435761u) >> 24);
	if (xnn_initialize(NULL) != xnn_status_success) {
		printf("n/a xnn_initialize failed (CPU not supported?)\n");
		return 0;
	}
	xnn_operator_t op = NULL;
	enum xnn_status st = xnn_create_convolution2d_nhwc_qc8(
		pad, pad, pad, pad, k, k, stride, stride, 1, 1, groups, cin / groups, cout / groups,
		cin, cout, (int8_t)in_zp, in_scale, scales, weights, bias, (int8_t)out_zp, out_scale,
		-128, 127, 0, &op);
	if (st != xnn_status_success) {
		printf("n/a xnn_create_convolution2d_nhwc_qc8 failed (status %d)\n", (int)st);
		return 0;
	}
	st = xnn_setup_convolution2d_nhwc_qc8(op, 1, h, w, x, y, NULL);
	if (st != xnn_status_success) {
		printf("n/a xnn_setup_convolution2d_nhwc_qc8 failed (status %d)\n", (int)st);
		return 0;
	}
	double mn, med;
	qb_measure(run, op, &mn, &med);
	printf("run %.9g %.9g\n", mn, med);
	xnn_delete_operator(op);
	return 0;
}
