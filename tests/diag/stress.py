#!/usr/bin/python3
"""stress.py QCC WORKDIR CASE -- inputs too big to commit, made at test time.

Each case writes its .q into WORKDIR (the build tree), runs qcc on it and
checks the exact stderr, the exit status (a documented code, not a
signal), the time, and qcc's peak RSS against a bound proportional to the
input's size: 64 MiB + K x the .q's size, K stated per case (the source
is held three times: read, kept for messages, and in the scanner).
  huge_line_comment  a valid model with a 100 MB comment line: compiles
  huge_line_name     a 100 MB name: one error, the line echoed as a window
  deep_nesting       100000 nested brackets: one error, no stack overflow
  too_many_nodes     65537 tensors: the limit is 65536
  too_many_items     a list of 2^20 + 1 numbers: the limit is 2^20 items
  source_too_large   a 300 MB (sparse) file: refused before it is read
QCC_DIAG_RSS_BASE_MIB overrides the 64 MiB base (sanitizer builds).
"""
import os
import resource
import subprocess
import sys
import time

MB = 1000 * 1000
HEAD = "model stress\ninput x : u8[1, 4](scale=0.05, zp=0)\n"


def caret_block(line_no, echo, col):
    return " %4d | %s\n      | %s^\n" % (line_no, echo, " " * (col - 1))


def huge_line_comment(path):
    with open(path, "w") as f:
        f.write(HEAD + "r = relu(x)  # " + "c" * (100 * MB) + "\noutput r\n")
    return 0, b"", 6, 30


def huge_line_name(path):
    name = "n" * (100 * MB)
    with open(path, "w") as f:
        f.write(HEAD + "r = relu(" + name + ")\noutput x\n")
    # the caret at column 10; the echo starts at the line's start (10 - 1 <
    # 40 columns of left context) and stops after 160 bytes
    err = "%s:3:10: error: this name is %d bytes long; qcc's limit is 255\n" % (os.path.basename(path), len(name))
    err += caret_block(3, ("r = relu(" + name)[:160] + "...", 10)
    return 1, err.encode(), 6, 30


def deep_nesting(path):
    depth = 100000
    with open(path, "w") as f:
        f.write(HEAD + "w = linear(x, weight=" + "[" * depth + "1" + "]" * depth + ")\noutput x\n")
    # '(' is the first bracket: the 64th '[' is the 65th bracket, at
    # column len("w = linear(x, weight=") + 64
    col = len("w = linear(x, weight=") + 64
    line = "w = linear(x, weight=" + "[" * depth
    err = "%s:3:%d: error: brackets are nested more than 64 deep\n" % (os.path.basename(path), col)
    err += caret_block(3, "..." + line[col - 1 - 40:col - 1 - 40 + 160] + "...", 3 + 40 + 1)
    return 1, err.encode(), 64, 20


def too_many_nodes(path):
    with open(path, "w") as f:
        f.write(HEAD)
        for i in range(65535):
            f.write("r%d = relu(x)\n" % i)
        f.write("extra = relu(x)\noutput x\n")
    # x is tensor 1, r0..r65534 are 2..65536: 'extra' is number 65537
    err = "%s:65538:1: error: 'extra' would be tensor number 65537; qcc's limit is 65536 per file\n" % os.path.basename(path)
    err += " %d | extra = relu(x)\n      | ^~~~~\n" % 65538
    return 1, err.encode(), 64, 20


def too_many_items(path):
    n = (1 << 20) + 1
    with open(path, "w") as f:
        f.write(HEAD + "w = linear(x, weight=[" + ", ".join(["1"] * n) + "])\noutput x\n")
    # 5 items come before the list: the input's dims (1, 4), its scale=
    # and zp=, and linear's x; so entry 2^20 + 1 - 5 of the list is the
    # item past the limit, 3 columns per entry
    col = len("w = linear(x, weight=[") + 3 * (n - 5 - 1) + 1
    line = "w = linear(x, weight=[" + ", ".join(["1"] * n) + "])"
    err = "%s:3:%d: error: more than 1048576 arguments and list entries in one file; put large constants in .npy files\n" % (
        os.path.basename(path), col)
    err += caret_block(3, "..." + line[col - 1 - 40:], 3 + 40 + 1)
    return 1, err.encode(), 64, 20


def source_too_large(path):
    with open(path, "w") as f:
        f.truncate(300 * 1024 * 1024)   # sparse: no disk blocks, and qcc must not read it
    err = "qcc: error: '%s' is %d bytes; qcc reads .q files of at most 268435456 bytes (256 MiB)\n" % (
        os.path.basename(path), 300 * 1024 * 1024)
    return 1, err.encode(), 0, 5


CASES = {f.__name__: f for f in (huge_line_comment, huge_line_name, deep_nesting, too_many_nodes, too_many_items,
                                  source_too_large)}


def main():
    qcc, work, case = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    q = case + ".q"
    want_status, want_err, k, time_limit = CASES[case](q)
    size = os.path.getsize(q)
    bound_kib = int(os.environ.get("QCC_DIAG_RSS_BASE_MIB", "64")) * 1024 + k * size // 1024
    out = case + ".out.c"
    precious = b"precious\n"
    with open(out, "wb") as f:
        f.write(precious)
    start = time.monotonic()
    r = subprocess.run([qcc, q, "-o", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10 * time_limit)
    took = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    fail = []
    if r.returncode < 0:
        fail.append("qcc was killed by signal %d" % -r.returncode)
    elif r.returncode != want_status:
        fail.append("exit status %d, want %d" % (r.returncode, want_status))
    if r.stderr != want_err:
        fail.append("stderr differs:\n--- want\n%s--- got\n%s" % (want_err.decode()[:2000], r.stderr.decode()[:2000]))
    if rss > bound_kib:
        fail.append("peak RSS %d KiB above the bound %d KiB" % (rss, bound_kib))
    if took > time_limit:
        fail.append("took %.1f s, limit %d s" % (took, time_limit))
    written = open(out, "rb").read()
    if (want_status == 0) == (written == precious):
        fail.append("the output was %s" % ("not written" if want_status == 0 else "modified"))
    print("%s: %d bytes of source, exit %d, %.2f s, peak RSS %d KiB (bound %d KiB)" % (case, size, r.returncode, took,
                                                                                        rss, bound_kib))
    for name in (q, out, case + ".out.h"):
        if os.path.exists(name):
            os.remove(name)
    for f in fail:
        print("FAIL:", f)
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
