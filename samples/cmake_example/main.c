/* Runs the LeNet sample, built by an installed qcc through find_package(qcc)
 * and qcc_add_model(), on one input; prints what samples/lenet/main.c prints.
 *
 *   lenet_example INPUT.bin      (784 float32, NCHW) */
#include <stdint.h>
#include <stdio.h>

#include "lenet.h"

/* LENET_ARENA_SIZE from the generated header; CMake knows it too. */
#if defined(EXPECTED_ARENA_SIZE) && EXPECTED_ARENA_SIZE != LENET_ARENA_SIZE
#error "CMake's lenet_ARENA_SIZE disagrees with lenet.h"
#endif

static float image[LENET_IMAGE_NUMEL];
static float scores[LENET_Y_NUMEL];
static unsigned char arena_bytes[LENET_ARENA_SIZE + LENET_ARENA_ALIGN];

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "input.bin", "rb");
	if (!f || fread(image, sizeof image[0], LENET_IMAGE_NUMEL, f) != LENET_IMAGE_NUMEL) {
		fprintf(stderr, "usage: %s INPUT.bin (%d float32 values)\n", argv[0], LENET_IMAGE_NUMEL);
		return 2;
	}
	fclose(f);
	void *arena = (void *)(((uintptr_t)arena_bytes + LENET_ARENA_ALIGN - 1) & ~(uintptr_t)(LENET_ARENA_ALIGN - 1));
	if (lenet_run(image, scores, arena) != 0) {
		fprintf(stderr, "lenet_run failed\n");
		return 1;
	}
	int best = 0;
	for (int i = 0; i < LENET_Y_NUMEL; i++) {
		printf("score[%d] = %.6f\n", i, (double)scores[i]);
		if (scores[i] > scores[best])
			best = i;
	}
	printf("top-1: class %d\n", best);
	return 0;
}
