/* A generic driver for any qcc-generated model, through its qrt_model
 * descriptor.  Build with -DQCC_MODEL=<prefix>_model.
 *
 *   run_model --in in0.bin [--in in1.bin ...] [--out out0.bin ...] [--print]
 *
 * Inputs and outputs are raw little-endian tensors of the declared dtypes
 * in NCHW order, the same files tools/qref.py reads and writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrt.h"

extern const qrt_model QCC_MODEL;

static size_t elem_size(int dtype) { return dtype == QRT_F32 ? 4 : 1; }

static void *read_file(const char *path, size_t want)
{
	FILE *f = fopen(path, "rb");
	void *buf = malloc(want ? want : 1);
	if (!f || !buf || fread(buf, 1, want, f) != want || fgetc(f) != EOF) {
		fprintf(stderr, "run_model: %s: cannot read exactly %zu bytes\n", path, want);
		exit(2);
	}
	fclose(f);
	return buf;
}

static void print_tensor(const qrt_tensor_info *t, const void *data)
{
	printf("%s:", t->name);
	for (size_t i = 0; i < t->numel; i++) {
		if (t->dtype == QRT_F32)
			printf(" %.9g", (double)((const float *)data)[i]);
		else if (t->dtype == QRT_U8)
			printf(" %u", ((const uint8_t *)data)[i]);
		else
			printf(" %d", ((const int8_t *)data)[i]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	const qrt_model *m = &QCC_MODEL;
	const char *in_paths[16], *out_paths[16];
	int nin = 0, nout = 0, print = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--in") && i + 1 < argc && nin < 16)
			in_paths[nin++] = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc && nout < 16)
			out_paths[nout++] = argv[++i];
		else if (!strcmp(argv[i], "--print"))
			print = 1;
		else {
			fprintf(stderr, "usage: %s --in FILE... [--out FILE...] [--print]\n", argv[0]);
			return 2;
		}
	}
	if (nin != m->ninputs || (nout && nout != m->noutputs)) {
		fprintf(stderr, "run_model: model %s has %d input(s) and %d output(s)\n", m->name, m->ninputs, m->noutputs);
		return 2;
	}
	const void *ins[16];
	void *outs[16];
	for (int i = 0; i < nin; i++)
		ins[i] = read_file(in_paths[i], m->inputs[i].numel * elem_size(m->inputs[i].dtype));
	for (int i = 0; i < m->noutputs; i++)
		outs[i] = calloc(m->outputs[i].numel, elem_size(m->outputs[i].dtype));
	void *arena = aligned_alloc(QRT_ARENA_ALIGN, (m->arena_size + QRT_ARENA_ALIGN - 1) / QRT_ARENA_ALIGN * QRT_ARENA_ALIGN + QRT_ARENA_ALIGN);
	if (m->run(ins, outs, arena) != 0) {
		fprintf(stderr, "run_model: the model returned an error\n");
		return 1;
	}
	for (int i = 0; i < m->noutputs; i++) {
		if (print)
			print_tensor(&m->outputs[i], outs[i]);
		if (i < nout) {
			FILE *f = fopen(out_paths[i], "wb");
			size_t bytes = m->outputs[i].numel * elem_size(m->outputs[i].dtype);
			if (!f || fwrite(outs[i], 1, bytes, f) != bytes || fclose(f)) {
				fprintf(stderr, "run_model: cannot write %s\n", out_paths[i]);
				return 2;
			}
		}
	}
	for (int i = 0; i < nin; i++)
		free((void *)ins[i]);
	for (int i = 0; i < m->noutputs; i++)
		free(outs[i]);
	free(arena);
	return 0;
}
