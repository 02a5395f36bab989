#!/usr/bin/python3
"""The avx512vnni and avx2 conv microkernels encode strides and
displacements as 32-bit immediates of their inline assembly.  A layer whose
constants would not fit must fall back to the portable kernel, and the
generated file must still compile (before the check, gas rejected both).

  asm_limits.py --qcc build/qcc --work DIR [--cc gcc]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


CASES = [
    # avx512vnni: the padded input row (32768 channels x 65537 columns) is
    # the k loop's 'add $ystep': past 2^31
    ("avx512vnni", ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"], (1, 32768, 1, 1),
     "input x : u8[1,32768,1,1] (scale=0.05, zp=3)\n"
     'y = conv2d(x, weight="w.npy", pad=[0,65536,0,0]) : u8(scale=1, zp=0)\n',
     "strides or the reduction too long"),
    # avx2: pixel i of a tile at the displacement 2*i*SW*IC = 2*7*2^20*256
    ("avx2", ["-mavx2", "-mfma"], (1, 256, 1, 1),
     "input x : u8[1,256,1,7340033] (scale=0.05, zp=3)\n"
     'y = conv2d(x, weight="w.npy", stride=[1,1048576]) : u8(scale=1, zp=0)\n',
     "a stride too long"),
]


def check(a, target, flags, wshape, body, note):
    d = os.path.join(a.work, target)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "w.npy"), np.full(wshape, 0.01, np.float32))
    q = os.path.join(d, "big.q")
    open(q, "w").write("model bigstride\n" + body + "output y\n")
    c = os.path.join(d, "big.c")
    r = subprocess.run([a.qcc, q, "-o", c, "--target=" + target, "--dump-ir"], capture_output=True, text=True)
    if r.returncode:
        print("%s: qcc failed:\n%s" % (target, r.stderr))
        return 1
    if "kernel: portable; " + note not in r.stdout + r.stderr:
        print("%s: expected the portable fallback for the conv; the dump says:\n%s" % (target, "\n".join(
            l for l in (r.stdout + r.stderr).splitlines() if "kernel" in l)))
        return 1
    r = subprocess.run([a.cc, "-std=c99", "-O1", *flags, "-I" + os.path.join(ROOT, "runtime"), "-c", c, "-o",
                        c + ".o"], capture_output=True, text=True)
    if r.returncode:
        print("%s: the generated file does not compile:\n%s" % (target, r.stderr[-2000:]))
        return 1
    print("asm_limits: %s: portable conv, the file compiles" % target)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    a = ap.parse_args()
    return 1 if sum(check(a, *case) for case in CASES) else 0


if __name__ == "__main__":
    sys.exit(main())
