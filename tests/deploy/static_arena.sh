#!/bin/sh
# static_arena.sh QCC WORKDIR
# ResNet-8 built three ways must print the same scores: the default (caller's
# arena, weights inline), --static-arena with --weights=separate (two .c
# files), and the generic qrt_model descriptor of the static build (which
# must ask for no arena).  All with gcc -std=c99 -Wall -Wextra -Werror -pedantic.
set -eu
qcc=$1 work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
s=$root/samples/resnet8
cflags="-std=c99 -O2 -Wall -Wextra -Werror -pedantic -I$root/runtime -I$work"
mkdir -p "$work/a" "$work/b"
"$qcc" "$s/resnet8.q" -o "$work/a/resnet8.c"
gcc $cflags -I"$work/a" "$s/main.c" "$work/a/resnet8.c" "$root/runtime/qrt.c" -o "$work/a/demo"
"$qcc" "$s/resnet8.q" -o "$work/b/resnet8.c" --static-arena --weights=separate
[ -f "$work/b/resnet8_weights.c" ] || { echo "no resnet8_weights.c"; exit 1; }
if grep -q '_bytes\[.*"' "$work/b/resnet8.c"; then echo "weights still in resnet8.c"; exit 1; fi
grep -q 'int resnet8_run(const float \*image, float \*y);' "$work/b/resnet8.h" ||
	{ echo "resnet8_run still takes an arena"; exit 1; }
gcc $cflags -I"$work/b" "$root/tests/deploy/static_main.c" "$work/b/resnet8.c" "$work/b/resnet8_weights.c" \
	"$root/runtime/qrt.c" -o "$work/b/demo"
"$work/a/demo" "$s/input.bin" > "$work/a/out.txt"
"$work/b/demo" "$s/input.bin" > "$work/b/out.txt"
diff "$work/a/out.txt" "$work/b/out.txt"
# the descriptor of the static build: arena_size 0, run ignores the arena
cat > "$work/b/desc.c" <<'C'
#include <stdio.h>
#include "resnet8.h"
int main(void)
{
	static float in[RESNET8_IMAGE_NUMEL], out[RESNET8_Y_NUMEL];
	const void *ins[1] = {in};
	void *outs[1] = {out};
	if (resnet8_model.arena_size != 0 || RESNET8_ARENA_SIZE <= 0)
		return 1;
	return resnet8_model.run(ins, outs, NULL) != 0;
}
C
gcc $cflags -I"$work/b" "$work/b/desc.c" "$work/b/resnet8.c" "$work/b/resnet8_weights.c" "$root/runtime/qrt.c" \
	-o "$work/b/desc"
"$work/b/desc"
echo "static arena + separate weights: same scores as the default build ($(tail -1 "$work/a/out.txt"))"
