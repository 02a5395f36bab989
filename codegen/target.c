/* The target table.  A target chooses a kernel per node (select) and
 * emits it (emit_node); the shared emitter in emit.c does the rest.  SIMD
 * targets fall back to the portable kernels of emit_c.c node by node. */
#include <string.h>

#include "ir.h"

void cg_neon_prologue(FILE *c, Graph *g, const CgOptions *o);      /* emit_neon.c */

void cg_avx2_emit_prologue(FILE *c, Graph *g, const CgOptions *o); /* emit_avx2.c */
void cg_vnni_emit_prologue(FILE *c, Graph *g, const CgOptions *o); /* emit_vnni.c */

static const Target targets[] = {
	{"c", "-std=c99", NULL, NULL, NULL, cg_c_emit_node, 1, 0},
	{"avx2", "-std=c99 -mavx2 -mfma", "defined(__AVX2__)", cg_avx2_select, cg_avx2_emit_prologue, cg_avx2_emit_node, 0, 1},
	{"avx512vnni", "-std=c99 -mavx512f -mavx512bw -mavx512vl -mavx512vnni",
	 "(defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VNNI__)) || "
	 "defined(QRT_SIMDE)",
	 cg_vnni_select, cg_vnni_emit_prologue, cg_vnni_emit_node, 0, 1},
	{"neon", "-std=c99 (aarch64: Advanced SIMD is always on)", "defined(__aarch64__) && defined(__ARM_NEON)",
	 cg_neon_select, cg_neon_prologue, cg_neon_emit_node, 1, 1},
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
