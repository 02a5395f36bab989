#!/bin/sh
# Measures qcc on a ResNet-18-size model (11.7M parameters), generated here
# and never committed:
#
#   sh tools/bigmodel.sh [QCC] [WORKDIR]      (defaults: build/qcc, a temp dir)
#
# Prints qcc's time, and gcc -O2's time and peak memory on the generated C,
# for weights inline (the default) and --weights=separate, and checks them
# against the goals of issue 6: qcc < 1 s, gcc < 60 s and < 2 GiB.  A
# measurement, not a test.  The verdict is on CPU time (user + sys), which
# does not depend on what else the machine runs; wall time is printed beside
# it.  Exit status 1 if a goal is missed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
qcc=$(cd "$(dirname "${1:-$root/build/qcc}")" && pwd)/$(basename "${1:-$root/build/qcc}")
work=${2:-$(mktemp -d)}
cc=${CC:-gcc}
[ -x "$qcc" ] || { echo "no qcc at $qcc: cmake -S . -B build && cmake --build build --target qcc"; exit 2; }
mkdir -p "$work"
cd "$work"
/usr/bin/python3 "$root/tools/gen_resnet18.py" "$work"
fail=0
# measure LABEL LIMIT_S LIMIT_KB CMD...: one run under /usr/bin/time
measure() {
	label=$1 limit_s=$2 limit_kb=$3
	shift 3
	/usr/bin/time -f "%e %U %S %M" -o time.txt "$@"
	read -r wall user sys kb < time.txt
	verdict=$(awk -v u="$user" -v s="$sys" -v k="$kb" -v ls="$limit_s" -v lk="$limit_kb" \
		'BEGIN { print (u + s < ls && k < lk) ? "ok" : "MISSED" }')
	[ "$verdict" = ok ] || fail=1
	printf '%-34s %6.2f s wall  %6.2f s cpu  %7d MB peak   (goal < %s s, < %d MB) %s\n' "$label" "$wall" \
		"$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((kb / 1024)) "$limit_s" $((limit_kb / 1024)) "$verdict"
}
"$qcc" resnet18.q --stats | tail -4
measure "qcc resnet18.q" 1 2097152 "$qcc" resnet18.q -o resnet18.c
echo "resnet18.c: $(wc -c < resnet18.c) bytes"
measure "$cc -O2 -c resnet18.c" 60 2097152 $cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$root/runtime" \
	-c resnet18.c -o resnet18.o
measure "qcc --weights=separate" 1 2097152 "$qcc" resnet18.q -o sep.c --weights=separate
measure "$cc -O2 -c sep.c" 60 2097152 $cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$root/runtime" -c sep.c -o sep.o
measure "$cc -O2 -c sep_weights.c" 60 2097152 $cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$root/runtime" \
	-c sep_weights.c -o sep_weights.o
# it links: every weight symbol resolves
$cc -std=c99 -O2 -I"$root/runtime" -c "$root/runtime/qrt.c" -o qrt.o
$cc -shared -o libresnet18.so resnet18.o qrt.o 2>/dev/null || $cc -r -o all.o resnet18.o qrt.o
$cc -r -o sep_all.o sep.o sep_weights.o qrt.o
[ "$(nm -u sep_all.o | grep -c _bytes || true)" = 0 ] || { echo "unresolved weight symbols"; fail=1; }
echo "work dir: $work"
exit $fail
