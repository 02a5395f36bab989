#!/usr/bin/python3
"""run_diag.py QCC CASE.q -- one diagnostic golden.

Runs qcc on CASE.q from inside its directory, with the extra arguments in
CASE.args if there is one, and checks:
  - stderr equals CASE.err byte for byte (caret lines included);
  - the exit status is CASE.status's number (default 1), and qcc was not
    killed by a signal;
  - qcc's peak RSS is within 64 MiB + 16 x the input's size (the .q and
    the .npy files beside it): memory bounded by the input;
  - it took less than 20 s;
  - when it fails, an existing -o target is left byte-identical and no
    header or temporary file is left behind; when it succeeds (a case
    with warnings only), the C and the header were written.
QCC_DIAG_RSS_BASE_MIB overrides the 64 MiB base (sanitizer builds).
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

TIME_LIMIT = 20.0


def input_bytes(name):
    total = os.path.getsize(name + ".q")
    if os.path.isdir("npy"):
        total += sum(os.path.getsize(os.path.join("npy", f)) for f in os.listdir("npy"))
    return total


def main():
    qcc, case = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.chdir(os.path.dirname(os.path.abspath(case)))
    name = os.path.basename(case)[:-2]
    want_status = 1
    if os.path.exists(name + ".status"):
        want_status = int(open(name + ".status").read())
    args = open(name + ".args").read().split() if os.path.exists(name + ".args") else []
    want_err = open(name + ".err", "rb").read()
    base_mib = int(os.environ.get("QCC_DIAG_RSS_BASE_MIB", "64"))
    rss_bound_kib = base_mib * 1024 + 16 * input_bytes(name) // 1024
    fail = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.c")
        precious = b"precious: must survive a failed compile\n"
        with open(out, "wb") as f:
            f.write(precious)
        start = time.monotonic()
        r = subprocess.run([qcc, name + ".q", "-o", out] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIME_LIMIT * 3)
        took = time.monotonic() - start
        rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if r.returncode < 0:
            fail.append("qcc was killed by signal %d" % -r.returncode)
        elif r.returncode != want_status:
            fail.append("exit status %d, want %d" % (r.returncode, want_status))
        if r.stderr != want_err:
            sys.stdout.writelines(__import__("difflib").unified_diff(
                want_err.decode("utf-8", "replace").splitlines(True),
                r.stderr.decode("utf-8", "replace").splitlines(True), name + ".err", "stderr"))
            fail.append("stderr differs from %s.err (above: - expected, + actual)" % name)
        if rss_kib > rss_bound_kib:
            fail.append("peak RSS %d KiB, above the bound %d KiB" % (rss_kib, rss_bound_kib))
        if took > TIME_LIMIT:
            fail.append("took %.1f s, more than %.0f s" % (took, TIME_LIMIT))
        left = sorted(set(os.listdir(tmp)) - {"out.c"})
        if want_status != 0:
            if open(out, "rb").read() != precious:
                fail.append("the existing output file was modified")
            if left:
                fail.append("files left behind: %s" % " ".join(left))
        elif open(out, "rb").read() == precious or left != ["out.h"]:
            fail.append("a successful run must write out.c and out.h (found: %s)" % " ".join(sorted(os.listdir(tmp))))
    print("%s: exit %d, %.2f s, peak RSS %d KiB (bound %d)" % (name, r.returncode, took, rss_kib, rss_bound_kib))
    for f in fail:
        print("FAIL:", f)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
