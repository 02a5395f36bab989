/* Runs the resnet8 sample on one input and prints its output.
 * ResNet-8 (CIFAR-10 shape): 3x32x32 image -> 10 class scores.
 *
 *   resnet8_demo samples/resnet8/input.bin
 *
 * input.bin holds the float32 input in NCHW order, as PyTorch gives it.
 * Everything the model needs is one arena of RESNET8_ARENA_SIZE bytes. */
#include <stdint.h>
#include <stdio.h>

#include "resnet8.h"

static float image[RESNET8_IMAGE_NUMEL];
static float scores[RESNET8_Y_NUMEL];
static unsigned char arena_bytes[RESNET8_ARENA_SIZE + RESNET8_ARENA_ALIGN];

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "input.bin", "rb");
	if (!f || fread(image, sizeof image[0], RESNET8_IMAGE_NUMEL, f) != RESNET8_IMAGE_NUMEL) {
		fprintf(stderr, "usage: %s INPUT.bin (%d float32 values)\n", argv[0], RESNET8_IMAGE_NUMEL);
		return 2;
	}
	fclose(f);
	/* the arena must be RESNET8_ARENA_ALIGN-aligned */
	void *arena = (void *)(((uintptr_t)arena_bytes + RESNET8_ARENA_ALIGN - 1) & ~(uintptr_t)(RESNET8_ARENA_ALIGN - 1));
	if (resnet8_run(image, scores, arena) != 0) {
		fprintf(stderr, "resnet8_run failed\n");
		return 1;
	}
	int best = 0;
	for (int i = 0; i < RESNET8_Y_NUMEL; i++) {
		printf("score[%d] = %.6f\n", i, (double)scores[i]);
		if (scores[i] > scores[best])
			best = i;
	}
	printf("top-1: class %d\n", best);
	return 0;
}
