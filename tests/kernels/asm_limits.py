#!/usr/bin/python3
"""The avx512vnni conv microkernels encode strides and displacements as
32-bit immediates of their inline assembly.  A layer whose padded input row
is past 2^31 bytes (here 32768 channels x 65537 padded columns) must fall
back to the portable kernel, and the generated file must still compile.

  asm_limits.py --qcc build/qcc --work DIR [--cc gcc]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    np.save(os.path.join(a.work, "w.npy"), np.full((1, 32768, 1, 1), 0.01, np.float32))
    q = os.path.join(a.work, "big.q")
    open(q, "w").write("model bigstride\n"
                       "input x : u8[1,32768,1,1] (scale=0.05, zp=3)\n"
                       'y = conv2d(x, weight="w.npy", pad=[0,65536,0,0]) : u8(scale=1, zp=0)\n'
                       "output y\n")
    c = os.path.join(a.work, "big.c")
    r = subprocess.run([a.qcc, q, "-o", c, "--target=avx512vnni", "--dump-ir"], capture_output=True, text=True)
    if r.returncode:
        print("qcc failed:\n" + r.stderr)
        return 1
    if "kernel: portable; strides or the reduction too long" not in r.stdout + r.stderr:
        print("expected the portable fallback for the conv; the dump says:\n" +
              "\n".join(l for l in (r.stdout + r.stderr).splitlines() if "kernel" in l))
        return 1
    r = subprocess.run([a.cc, "-std=c99", "-O1", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni",
                        "-I" + os.path.join(ROOT, "runtime"), "-c", c, "-o", c + ".o"], capture_output=True, text=True)
    if r.returncode:
        print("the generated file does not compile:\n" + r.stderr[-2000:])
        return 1
    print("asm_limits: 2^31-byte padded row -> portable conv, the file compiles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
