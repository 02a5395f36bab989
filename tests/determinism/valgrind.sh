#!/bin/sh
# valgrind.sh QCC NET.q WORK
# qcc under valgrind's memcheck on every output mode at once: no read of an
# uninitialised byte, no invalid access, no definite leak (any is an error,
# status 99); and the outputs equal those of a plain run.
set -u
qcc=$1 q=$2 work=$3
command -v valgrind >/dev/null || { echo "valgrind is not installed (tools/deps.sh installs it)"; exit 1; }
rm -rf "$work" && mkdir -p "$work/vg" "$work/plain" || exit 1
for d in vg plain; do
	run=
	[ $d = vg ] && run="valgrind -q --error-exitcode=99 --track-origins=yes --leak-check=full --errors-for-leak-kinds=definite"
	# shellcheck disable=SC2086
	$run "$qcc" "$q" -o "$work/$d/m.c" --weights=separate --trace-layers --stats-json="$work/$d/m.json" \
		--dot "$work/$d/m.dot" --dump-ir --stats >"$work/$d/stdout" 2>"$work/$d/stderr"
	status=$?
	if [ $status != 0 ]; then
		echo "qcc ($d) exited with $status:"; cat "$work/$d/stderr"; exit 1
	fi
done
if [ -s "$work/vg/stderr" ]; then
	echo "valgrind reported:"; cat "$work/vg/stderr"; exit 1
fi
for f in m.c m.h m_weights.c m.json m.dot stdout; do
	cmp "$work/vg/$f" "$work/plain/$f" || exit 1
done
echo "$(basename "$q"): memcheck clean; outputs under valgrind equal the plain run's"
