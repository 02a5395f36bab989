/* Runs the lenet sample on one input and prints its output.
 * LeNet-style MNIST net: 1x28x28 digit -> 10 class scores.
 *
 *   lenet_demo samples/lenet/input.bin
 *
 * input.bin holds the float32 input in NCHW order, as PyTorch gives it.
 * Everything the model needs is one arena of LENET_ARENA_SIZE bytes. */
#include <stdint.h>
#include <stdio.h>

#include "lenet.h"

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
	/* the arena must be LENET_ARENA_ALIGN-aligned */
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
