#!/usr/bin/python3
"""Times single conv layers (the benchmark shapes l1..l7) compiled by qcc for
the portable target and for a SIMD target, and prints GMAC/s and speedup.

  bench_layers.py --qcc build/qcc --work DIR [--target avx2] [--cc gcc] [--reps-ms 300]

Each layer is one conv2d with random int8 weights, u8 input, relu, and run
through PREFIX_run_quantized (which includes the NCHW<->NHWC boundary copies)."""
import argparse
import os
import subprocess

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHAPES = {  # H W Cin Cout k stride pad groups
    "l1": (56, 56, 16, 32, 3, 1, 1, 1), "l2": (56, 56, 64, 64, 3, 1, 1, 1), "l3": (56, 56, 96, 24, 1, 1, 0, 1),
    "l4": (56, 56, 144, 144, 3, 1, 1, 144), "l5": (224, 224, 3, 32, 3, 2, 1, 1), "l6": (32, 32, 16, 16, 3, 1, 1, 1),
    "l7": (14, 14, 384, 64, 1, 1, 0, 1)}

DRIVER = r"""
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.c" /* for the static forward(): the layer alone, no boundary copies */
/* CPU time of this thread: the machine may be shared */
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv)
{
	double budget = atof(argv[1]);
	static unsigned char x[QNET_X_NUMEL], y[QNET_Y_NUMEL];
	void *arena = aligned_alloc(64, (QNET_ARENA_SIZE + 63) / 64 * 64);
	for (size_t i = 0; i < sizeof x; i++) x[i] = (unsigned char)(rand() & 255);
	qnet_run(x, y, arena);
	(void)run_generic;
	double best = 1e9;
	for (int r = 0; r < 5; r++) {
		int n = 0; double t0 = now(), t;
		do { forward(arena); n++; } while ((t = now()) - t0 < budget / 5);
		if ((t - t0) / n < best) best = (t - t0) / n;
	}
	printf("%.9f\n", best);
	return 0;
}
"""


def make_q(d, name, s):
    h, w, ci, co, k, st, p, g = s
    rng = np.random.default_rng(1)
    os.makedirs(os.path.join(d, "w"), exist_ok=True)
    np.save(os.path.join(d, "w", name + ".w.npy"), rng.integers(-128, 128, (co, ci // g, k, k)).astype(np.int8))
    np.save(os.path.join(d, "w", name + ".s.npy"), (10 ** rng.uniform(-3, -2, co)).astype(np.float32))
    np.save(os.path.join(d, "w", name + ".b.npy"), rng.standard_normal(co).astype(np.float32))
    q = os.path.join(d, name + ".q")
    with open(q, "w") as f:
        f.write("model %s\ninput x : u8[1,%d,%d,%d] (scale=0.02, zp=3)\n" % (name, ci, h, w))
        f.write('c = conv2d(x, weight=i8("w/%s.w.npy", scale="w/%s.s.npy", axis=0), bias="w/%s.b.npy", '
                "stride=%d, pad=%d, groups=%d)\n" % (name, name, name, st, p, g))
        f.write("y = relu(c) : u8(scale=%r, zp=0)\noutput y\n" % (0.02 * 0.005 * k * k * ci / g * 4))
    oh = (h + 2 * p - k) // st + 1
    return q, oh * oh * co * k * k * ci // g


def build_run(args, q, target, d):
    os.makedirs(d, exist_ok=True)
    c = os.path.join(d, "model.c")
    subprocess.run([args.qcc, q, "-o", c, "--prefix=qnet", "--target=" + target], check=True)
    open(os.path.join(d, "main.c"), "w").write(DRIVER)
    exe = os.path.join(d, "bench")
    subprocess.run([args.cc, "-std=gnu11", "-O2", "-march=native", "-I", os.path.join(ROOT, "runtime"), "-I", d,
                    os.path.join(d, "main.c"), os.path.join(ROOT, "runtime", "qrt.c"), "-o", exe], check=True)
    return float(subprocess.run([exe, str(args.reps_ms / 1000)], check=True, capture_output=True,
                                text=True).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--target", default="avx2")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--reps-ms", type=float, default=300)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    print("layer        MACs   portable ms  %s ms  GMAC/s  speedup" % args.target)
    for name, s in SHAPES.items():
        if args.only and name not in args.only.split(","):
            continue
        q, macs = make_q(args.work, name, s)
        tc = build_run(args, q, "c", os.path.join(args.work, name + "_c"))
        ts = build_run(args, q, args.target, os.path.join(args.work, name + "_" + args.target))
        print("%-4s %12d  %10.3f  %8.3f  %6.1f  %6.1fx" % (name, macs, tc * 1e3, ts * 1e3, macs / ts / 1e9, tc / ts))


if __name__ == "__main__":
    main()
