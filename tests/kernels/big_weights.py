#!/usr/bin/python3
"""A conv whose weights pass 1 MB (512 x 256 x 3 x 3 = 1.18 MB), where the
avx512vnni microkernels prefetch the next oc tile's weights into L2 from
their k loop: end to end through tests/e2e/check_model.py, bit-identical
to the portable build and to qref.

  big_weights.py --qcc build/qcc --work DIR [--target avx512vnni]
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
    ap.add_argument("--target", default="avx512vnni")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(11)
    np.save(os.path.join(a.work, "w.npy"), (rng.standard_normal((512, 256, 3, 3)) * 0.05).astype(np.float32))
    np.save(os.path.join(a.work, "b.npy"), (rng.standard_normal(512) * 0.5).astype(np.float32))
    q = os.path.join(a.work, "big.q")
    open(q, "w").write("model bigw\n"
                       "input x : u8[1,256,5,6] (scale=0.05, zp=7)\n"
                       'y = conv2d(x, weight="w.npy", bias="b.npy", pad=1) : u8(scale=0.6, zp=120)\n'
                       "output y\n")
    r = subprocess.run([a.qcc, q, "-o", os.path.join(a.work, "probe.c"), "--target=" + a.target],
                       capture_output=True, text=True)
    if r.returncode or "prefetcht1" not in open(os.path.join(a.work, "probe.c")).read():
        print("expected the k loop to prefetch (qcc: %s)" % (r.stderr or "ok"))
        return 1
    return subprocess.run([sys.executable, os.path.join(ROOT, "tests", "e2e", "check_model.py"), "--qcc", a.qcc,
                           "--q", q, "--work", os.path.join(a.work, "run"), "--target", a.target, "--cc", "gcc",
                           "--n", "2"]).returncode


if __name__ == "__main__":
    sys.exit(main())
