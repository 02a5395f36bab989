/* Runs the dsnet sample on one input and prints its output.
 * depthwise-separable (MobileNet-style) net with relu6: 3x32x32 -> 10 scores.
 *
 *   dsnet_demo samples/dsnet/input.bin
 *
 * input.bin holds the float32 input in NCHW order, as PyTorch gives it.
 * Everything the model needs is one arena of DSNET_ARENA_SIZE bytes. */
#include <stdint.h>
#include <stdio.h>

#include "dsnet.h"

static float image[DSNET_IMAGE_NUMEL];
static float scores[DSNET_Y_NUMEL];
static unsigned char arena_bytes[DSNET_ARENA_SIZE + DSNET_ARENA_ALIGN];

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "input.bin", "rb");
	if (!f || fread(image, sizeof image[0], DSNET_IMAGE_NUMEL, f) != DSNET_IMAGE_NUMEL) {
		fprintf(stderr, "usage: %s INPUT.bin (%d float32 values)\n", argv[0], DSNET_IMAGE_NUMEL);
		return 2;
	}
	fclose(f);
	/* the arena must be DSNET_ARENA_ALIGN-aligned */
	void *arena = (void *)(((uintptr_t)arena_bytes + DSNET_ARENA_ALIGN - 1) & ~(uintptr_t)(DSNET_ARENA_ALIGN - 1));
	if (dsnet_run(image, scores, arena) != 0) {
		fprintf(stderr, "dsnet_run failed\n");
		return 1;
	}
	int best = 0;
	for (int i = 0; i < DSNET_Y_NUMEL; i++) {
		printf("score[%d] = %.6f\n", i, (double)scores[i]);
		if (scores[i] > scores[best])
			best = i;
	}
	printf("top-1: class %d\n", best);
	return 0;
}
