#!/usr/bin/python3
"""Generates random single-layer cases and checks a target on each: its
build must be memcmp-equal to the portable build and to tools/qref.py.

  run_cases.py --qcc build/qcc --target avx2 --work DIR [--n 40] [--seed 1] [--inputs 4]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs", type=int, default=4)
    args = ap.parse_args()
    cases = os.path.join(args.work, "cases")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_cases.py"), cases, "--n", str(args.n),
                    "--seed", str(args.seed)], check=True)
    failed = 0
    for i in range(args.n):
        q = os.path.join(cases, "case_%03d.q" % i)
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "e2e", "check_model.py"),
                            "--qcc", args.qcc, "--q", q, "--work", os.path.join(args.work, "run%03d" % i),
                            "--target", args.target, "--n", str(args.inputs)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failed += 1
            print("FAIL %s\n%s%s" % (q, r.stdout[-2000:], r.stderr[-2000:]))
    print("%s: %d/%d random single-layer cases bit-identical to the portable build and qref (seed %d)"
          % (args.target, args.n - failed, args.n, args.seed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
