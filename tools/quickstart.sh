#!/bin/sh
# Quick start: build qcc, compile the ResNet-8 sample to C, build that C
# with the runtime, and run it on the sample's shipped input.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target qcc
mkdir -p build/quickstart
./build/qcc samples/resnet8/resnet8.q -o build/quickstart/resnet8.c
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -Iruntime -Ibuild/quickstart \
   samples/resnet8/main.c build/quickstart/resnet8.c runtime/qrt.c -o build/quickstart/resnet8_demo
./build/quickstart/resnet8_demo samples/resnet8/input.bin
