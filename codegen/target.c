/* The target table.  A target supplies emit_node; the shared emitter does
 * the rest.  SIMD targets fall back to cg_c_emit_node per layer. */
#include <string.h>

#include "ir.h"

static const Target targets[] = {
	{"c", "-std=c99", NULL, cg_c_emit_node},
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
