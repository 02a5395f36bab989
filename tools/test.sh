#!/bin/sh
# The full test suite: build everything, then every ctest group (unit, ref,
# ir, diag, e2e, samples, torch).
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
cd build && ctest -j"$(nproc)" --output-on-failure
