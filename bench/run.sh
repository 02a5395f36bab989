#!/bin/sh
# qcc benchmark: sh bench/run.sh [--only layers|nets|peak ...]   (bench/README.md)
# Builds qcc (Release) into $QCC_BENCH_BUILD (default bench/build) unless
# QCC=/path/to/qcc is given, then runs
# every benchmark in one process and writes $QCC_BENCH_BUILD/results.md.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
# the peers: XNNPACK (and its thread pool) and python3-onnx for the ORT models
bench_need=""
[ -f /usr/include/xnnpack.h ] || bench_need="$bench_need libxnnpack-dev"
[ -f /usr/include/pthreadpool.h ] || bench_need="$bench_need libpthreadpool-dev"
/usr/bin/python3 -c 'import onnx' 2>/dev/null || bench_need="$bench_need python3-onnx"
command -v npm >/dev/null || bench_need="$bench_need npm"
if [ -n "$bench_need" ]; then
	echo "bench: installing:$bench_need"
	SUDO=
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $bench_need >/dev/null
fi
BUILD=${QCC_BENCH_BUILD:-bench/build}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
QCC=${QCC:-}
if [ -z "$QCC" ]; then
	QCC=$BUILD/qcc/qcc
	if ! { cmake -S . -B "$BUILD/qcc" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
		cmake --build "$BUILD/qcc" --target qcc -j"$(nproc)" >"$BUILD/qcc-build.log" 2>&1; }; then
		tail -5 "$BUILD/qcc-build.log" >&2
		[ -x "$QCC" ] || { echo "bench: cannot build qcc (see $BUILD/qcc-build.log)" >&2; exit 1; }
		echo "bench: WARNING: qcc does not build from this tree; using the older $QCC" >&2
	fi
fi
# ONNX Runtime for Node, if the npm registry is reachable (not committed)
if [ ! -d bench/node_modules/onnxruntime-node ] && command -v npm >/dev/null; then
	(cd bench && npm install --ignore-scripts --no-save --no-package-lock onnxruntime-node >/dev/null 2>&1) ||
		echo "bench: npm install onnxruntime-node failed; ONNX Runtime will be n/a" >&2
fi
exec /usr/bin/python3 bench/bench.py --build "$BUILD" --qcc "$QCC" "$@"
