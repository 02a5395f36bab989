#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/).

    /usr/bin/python3 tests/fuzz/make_corpus.py

corpus/compile/: every .q of samples/, tests/nets, tests/ir and tests/diag,
each behind a selector byte (see fuzz_compile.c).  Their .npy references
are rewritten relative to the source root, which is where fuzz_compile
resolves them (it serves every .npy under samples/ and tests/ from memory).
A network that compiles gets one copy per target, with the option bits
rotated, named ok_*; a bad input gets one, named bad_*.

corpus/npy/: small .npy files of every dtype, rank and header version the
reader takes, and the bad ones of tests/diag/npy but deep.npy (70 kB).

The outputs are committed; rerunning reproduces them byte for byte.
"""
import glob
import os
import re
import shutil

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
STRING = re.compile(rb'"([^"\n]*\.npy)"')


def rebase(text, qdir):
    """"w/c1.w.npy" -> "samples/lenet/w/c1.w.npy" (relative to ROOT)."""
    rel = os.path.relpath(qdir, ROOT).encode()
    return STRING.sub(lambda m: b'"%s"' % os.path.normpath(os.path.join(rel, m.group(1))), text)


def compile_seeds():
    out = os.path.join(OUT, "compile")
    os.makedirs(out, exist_ok=True)
    good = sorted(glob.glob(os.path.join(ROOT, "samples", "*", "*.q")) +
                  glob.glob(os.path.join(ROOT, "tests", "nets", "*.q")) +
                  glob.glob(os.path.join(ROOT, "tests", "ir", "*.q")))
    good = [q for q in good if b"# golden-of:" not in open(q, "rb").read()]   # a pointer to a sample
    bad = sorted(glob.glob(os.path.join(ROOT, "tests", "diag", "*.q")))
    n = 0
    for q in good + bad:
        with open(q, "rb") as f:
            text = rebase(f.read(), os.path.dirname(q))
        # ok_*: must compile to C (the ctest counts them)
        name = ("ok_" if q in good else "bad_") + os.path.basename(os.path.dirname(q)) + "_" + os.path.basename(q)[:-2]
        for target in range(4 if q in good else 1):
            # bits 0-1 target, 2 -O0, 3 static arena, 4 separate weights, 5 trace,
            # 6 pytorch contract; printable: '@'..'_' (pytorch contract, no
            # trace) or ' '..'?' (integer contract, trace)
            sel = target | ((n * 5) & 0x1C) | (0x40 if n % 2 == 0 else 0x20)
            n += 1
            with open(os.path.join(out, "%s_%d" % (name, target)), "wb") as f:
                f.write(bytes([sel]) + text)


def npy_seeds():
    out = os.path.join(OUT, "npy")
    os.makedirs(out, exist_ok=True)

    def save(name, a):
        np.save(os.path.join(out, name), a, allow_pickle=False)

    save("f4_rank1.npy", np.array([0.5, -1.25, 3.0], dtype="<f4"))
    save("f4_rank4.npy", (np.arange(2 * 1 * 3 * 3, dtype="<f4") / 8).reshape(2, 1, 3, 3))
    save("f8_rank2.npy", np.array([[0.1, 0.2], [0.3, 0.4]], dtype="<f8"))
    save("f8_scalar.npy", np.array(0.25, dtype="<f8"))
    save("i1_rank2.npy", np.arange(-3, 3, dtype="|i1").reshape(2, 3))
    save("i4_rank1.npy", np.array([-2147483648, -1, 0, 2147483647], dtype="<i4"))
    v2 = os.path.join(out, "f4_v2.npy")
    with open(v2, "wb") as f:
        np.lib.format.write_array(f, np.array([1.0, 2.0], dtype="<f4"), version=(2, 0))
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "diag", "npy", "*.npy"))):
        if os.path.getsize(p) < 4096:
            shutil.copyfile(p, os.path.join(out, "diag_" + os.path.basename(p)))


if __name__ == "__main__":
    compile_seeds()
    npy_seeds()
