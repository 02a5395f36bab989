/* samples/resnet8/main.c for a model compiled with --static-arena: the same
 * output format, but resnet8_run takes no arena. */
#include <stdio.h>

#include "resnet8.h"

static float image[RESNET8_IMAGE_NUMEL];
static float scores[RESNET8_Y_NUMEL];

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "input.bin", "rb");
	if (!f || fread(image, sizeof image[0], RESNET8_IMAGE_NUMEL, f) != RESNET8_IMAGE_NUMEL)
		return 2;
	fclose(f);
#if !RESNET8_STATIC_ARENA
#error "compile the model with qcc --static-arena"
#endif
	if (resnet8_run(image, scores) != 0)
		return 1;
	int best = 0;
	for (int i = 0; i < RESNET8_Y_NUMEL; i++) {
		printf("score[%d] = %.6f\n", i, (double)scores[i]);
		if (scores[i] > scores[best])
			best = i;
	}
	printf("top-1: class %d\n", best);
	return 0;
}
