#!/bin/sh
# tsan.sh QCC WORK NET.q...
# test_threads.c on each net's portable and avx2 code, built with
# -fsanitize=thread (clang if present, else gcc): any data race between the
# threads running the model with separate arenas fails the test.
set -u
qcc=$1 work=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=gcc
command -v clang >/dev/null && cc=clang
mkdir -p "$work" || exit 1
for q in "$@"; do
	name=$(basename "$q" .q)
	for t in c avx2; do
		isa=
		[ $t = avx2 ] && isa="-mavx2 -mfma"
		d=$work/$name-$t
		mkdir -p "$d"
		"$qcc" "$q" -o "$d/m.c" --prefix=m --target=$t || exit 1
		# shellcheck disable=SC2086
		$cc -std=c11 -O1 -g -fsanitize=thread $isa -DQCC_MODEL=m_model -I"$root/runtime" -I"$d" \
			"$root/tests/threads/test_threads.c" "$d/m.c" "$root/runtime/qrt.c" -pthread -o "$d/t" || exit 1
		TSAN_OPTIONS=halt_on_error=1:exitcode=86 "$d/t" 4 4 || { echo "$name ($t): failed under ThreadSanitizer"; exit 1; }
	done
done
echo "ThreadSanitizer ($cc): no data race"
