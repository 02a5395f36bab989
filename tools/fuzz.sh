#!/bin/sh
# tools/fuzz.sh TARGET [RUNS] [SECONDS] [LIBFUZZER-FLAG...]
#
# Builds the libFuzzer targets under ASan+UBSan with clang in build-fuzz/
# (cmake -DQCC_FUZZ=ON) and runs one on a single core, at low priority:
#   compile  .q text -> parse, verify, every pass, C for one of the targets
#   npy      bytes -> the .npy reader
# RUNS (default 1000000) and SECONDS (default 3600) bound the run; it
# stops at whichever comes first.  Seeds: tests/fuzz/corpus/TARGET and
# tests/fuzz/regress/TARGET (read only); what the fuzzer finds goes to
# build-fuzz/corpus/TARGET, crashes/leaks/timeouts to build-fuzz/artifacts/.
# Prints libFuzzer's final statistics, how far the inputs got (compile:
# how many parsed, passed each pass, compiled to C), then the execution
# count.
#   tools/fuzz.sh compile 10000000 5400
set -eu
target=${1:?usage: tools/fuzz.sh compile|npy [RUNS] [SECONDS] [FLAGS...]}
runs=${2:-1000000}
secs=${3:-3600}
[ $# -ge 3 ] && shift 3 || shift $#
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QCC_FUZZ_BUILD:-$root/build-fuzz}
case $target in compile|npy) ;; *) echo "fuzz.sh: unknown target '$target' (compile or npy)" >&2; exit 2;; esac

mkdir -p "$build/corpus/$target" "$build/artifacts/$target"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DQCC_FUZZ=ON -DBUILD_TESTING=OFF > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
nice cmake --build "$build" --target "fuzz_$target" -j1 > "$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }

log=${QCC_FUZZ_LOG:-$build/fuzz_$target.log}
dict=
[ -f "$root/tests/fuzz/$target.dict" ] && dict=-dict=$root/tests/fuzz/$target.dict
# -max_len 4096: every seed fits; longer inputs only slow the search down.
# -timeout 10: an input that takes longer is a hang.
set +e
QCC_FUZZ_STATS=1 nice -n 10 "$build/fuzz_$target" "$build/corpus/$target" "$root/tests/fuzz/corpus/$target" \
    "$root/tests/fuzz/regress/$target" \
    -runs="$runs" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target/" $dict "$@" > "$log" 2>&1
status=$?
set -e
grep -E '^(Done|stat::|INFO: Seed|SUMMARY|fuzz_compile: |==[0-9]+==ERROR|.*runtime error)' "$log" || true
echo "fuzz_$target: exit status $status; $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1) executions (log: $log)"
exit $status
