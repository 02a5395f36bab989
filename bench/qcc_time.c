/* Times one qcc-generated model.  Built once per model and target:
 *
 *   cc -O2 [target flags] -Iruntime -DNET_C='"net.c"' -DMODEL=net_model \
 *      [-DHAVE_FORWARD] bench/qcc_time.c runtime/qrt.c
 *   qcc_time [IN.bin [OUT.bin]]
 *
 * The generated file is included so that, with HAVE_FORWARD, its static
 * forward() (every layer between the boundary tensors, without the
 * NCHW<->NHWC copies) can be timed on its own.  Prints
 *   run MIN MEDIAN          seconds per call of MODEL.run (boundary copies included)
 *   forward MIN MEDIAN      seconds per call of forward() alone (if HAVE_FORWARD)
 * IN.bin (raw input 0) replaces the default pseudo-random input; OUT.bin
 * receives output 0 of one run, for checking against a reference. */
#define _POSIX_C_SOURCE 200112L
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include NET_C
#include "timing.h"

static size_t elem_size(int dtype)
{
	return dtype == QRT_F32 ? 4 : 1;
}

struct ctx {
	const void *in[8];
	void *out[8];
	unsigned char *arena;
};

static void call_run(void *p)
{
	struct ctx *c = p;
	MODEL.run(c->in, c->out, c->arena);
}

#ifdef HAVE_FORWARD
static void call_forward(void *p)
{
	forward(((struct ctx *)p)->arena);
}
#endif

int main(int argc, char **argv)
{
	struct ctx c;
	if (MODEL.ninputs > 8 || MODEL.noutputs > 8)
		return 2;
	c.arena = aligned_alloc(QRT_ARENA_ALIGN, (MODEL.arena_size + QRT_ARENA_ALIGN) / QRT_ARENA_ALIGN * QRT_ARENA_ALIGN);
	for (int i = 0; i < MODEL.ninputs; i++) {
		size_t n = MODEL.inputs[i].numel * elem_size(MODEL.inputs[i].dtype);
		unsigned char *b = malloc(n);
		uint32_t s = 12345u + (uint32_t)i;
		for (size_t k = 0; k < n; k++) {
			s = s * 1664525u + 1013904223u;
			b[k] = (unsigned char)(s >> 24);
		}
		if (MODEL.inputs[i].dtype == QRT_F32)
			for (size_t k = 0; k < MODEL.inputs[i].numel; k++)
				((float *)b)[k] = (float)(b[4 * k] % 200) / 100.0f - 0.5f;
		if (i == 0 && argc > 1 && strcmp(argv[1], "-") != 0) {
			FILE *f = fopen(argv[1], "rb");
			if (!f || fread(b, 1, n, f) != n) {
				fprintf(stderr, "qcc_time: cannot read %zu bytes from %s\n", n, argv[1]);
				return 2;
			}
			fclose(f);
		}
		c.in[i] = b;
	}
	for (int i = 0; i < MODEL.noutputs; i++)
		c.out[i] = malloc(MODEL.outputs[i].numel * elem_size(MODEL.outputs[i].dtype));
	if (MODEL.run(c.in, c.out, c.arena) != 0) {
		fprintf(stderr, "qcc_time: run failed\n");
		return 1;
	}
	if (argc > 2) {
		FILE *f = fopen(argv[2], "wb");
		size_t n = MODEL.outputs[0].numel * elem_size(MODEL.outputs[0].dtype);
		if (!f || fwrite(c.out[0], 1, n, f) != n)
			return 3;
		fclose(f);
	}
	double mn, med;
	qb_measure(call_run, &c, &mn, &med);
	printf("run %.9g %.9g\n", mn, med);
#ifdef HAVE_FORWARD
	qb_measure(call_forward, &c, &mn, &med);
	printf("forward %.9g %.9g\n", mn, med);
#endif
	return 0;
}
