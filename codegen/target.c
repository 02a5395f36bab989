/* The target table.  A target chooses a kernel per node (select) and
 * emits it (emit_node); the shared emitter in emit.c does the rest.  SIMD
 * targets fall back to the portable kernels of emit_c.c node by node. */
#include <string.h>

#include "ir.h"

void cg_neon_prologue(FILE *c, Graph *g, const CgOptions *o);      /* emit_neon.c */

void cg_avx2_emit_prologue(FILE *c, Graph *g, const CgOptions *o); /* emit_avx2.c */
void cg_vnni_emit_prologue(FILE *c, Graph *g, const CgOptions *o); /* emit_vnni.c */

static const Target targets[] = {
	{.name = "c", .cflags = "-std=c99", .emit_node = cg_c_emit_node, .pytorch_kernels = 1},
	{.name = "avx2",
	 .cflags = "-std=c99 -mavx2 -mfma",
	 .guard = "defined(__AVX2__)",
	 .select = cg_avx2_select,
	 .emit_prologue = cg_avx2_emit_prologue,
	 .emit_node = cg_avx2_emit_node,
	 .quantize_x16 = 1},
	{.name = "avx512vnni",
	 .cflags = "-std=c99 -mavx512f -mavx512bw -mavx512vl -mavx512vnni",
	 .guard = "(defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VNNI__)) || "
	          "defined(QRT_SIMDE)",
	 .select = cg_vnni_select,
	 .emit_prologue = cg_vnni_emit_prologue,
	 .emit_node = cg_vnni_emit_node,
	 .pytorch_kernels = 1,
	 .quantize_x16 = 1},
	{.name = "neon",
	 .cflags = "-std=c99 (aarch64: Advanced SIMD is always on)",
	 .guard = "defined(__aarch64__) && defined(__ARM_NEON)",
	 .select = cg_neon_select,
	 .emit_prologue = cg_neon_prologue,
	 .emit_node = cg_neon_emit_node,
	 .pytorch_kernels = 1,
	 .quantize_x16 = 1},
};

const Target *cg_find_target(const char *name)
{
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (strcmp(targets[i].name, name) == 0)
			return &targets[i];
	return NULL;
}

void cg_list_targets(FILE *out)
{
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		fprintf(out, "%s%s", i ? ", " : "", targets[i].name);
}
