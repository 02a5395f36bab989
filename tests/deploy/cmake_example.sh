#!/bin/sh
# cmake_example.sh QCC_BUILD_DIR WORKDIR REFERENCE_DEMO
# Installs qcc from its build tree into WORKDIR/prefix, then configures,
# builds and runs samples/cmake_example (find_package(qcc) + qcc_add_model())
# against that prefix on a copy of samples/lenet, and checks:
#   - the install has bin/qcc, the runtime library and headers, the package;
#   - the example used the installed qcc and printed what the in-tree
#     samples/lenet demo (REFERENCE_DEMO) prints;
#   - touching a .npy makes the next build run qcc again; a no-op build does not.
set -eu
build=$1 work=$2 ref=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in bin/qcc include/qcc/qrt.h lib/cmake/qcc/qccConfig.cmake lib/cmake/qcc/qccConfigVersion.cmake \
         lib/cmake/qcc/QccModel.cmake lib/cmake/qcc/qccTargets.cmake; do
	[ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
ls "$prefix"/lib*/libqrt.a > /dev/null || { echo "not installed: libqrt.a"; exit 1; }
cp -r "$root/samples/lenet" "$work/model"
# a clean environment: the installed qcc must be found through the package only
env -u QCC_EXECUTABLE PATH=/usr/bin:/bin cmake -S "$root/samples/cmake_example" -B "$work/build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DQCC_EXAMPLE_MODEL="$work/model/lenet.q" > "$work/configure.log"
grep -q "qcc: $prefix/bin/qcc; lenet needs a [0-9]*-byte arena" "$work/configure.log" ||
	{ cat "$work/configure.log"; echo "the example did not use the installed qcc or found no arena size"; exit 1; }
cmake --build "$work/build" > "$work/build.log"
"$work/build/lenet_example" "$root/samples/lenet/input.bin" > "$work/out.txt"
"$ref" "$root/samples/lenet/input.bin" > "$work/ref.txt"
diff "$work/ref.txt" "$work/out.txt"
[ -f "$work/build/qcc_lenet/lenet.stats.json" ] || { echo "no lenet.stats.json"; exit 1; }
cmake --build "$work/build" > "$work/noop.log"
if grep -q "qcc .*lenet.q" "$work/noop.log"; then echo "a no-op build ran qcc"; exit 1; fi
sleep 1
touch "$work/model/w/$(ls "$work/model/w" | head -1)"
cmake --build "$work/build" > "$work/rebuild.log"
grep -q "qcc .*lenet.q" "$work/rebuild.log" || { cat "$work/rebuild.log"; echo "a changed .npy did not rerun qcc"; exit 1; }
echo "installed package: example built and ran, same output as the in-tree demo ($(tail -1 "$work/out.txt"))"
