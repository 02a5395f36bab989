#!/usr/bin/python3
"""Every channel and width remainder of the avx2 (or any SIMD) kernels, checked
end to end: for each input width W in 1..9 and input channel count IC in a
set covering odd, even, < 8, 16k and 16k+1, one network reads one input
through 33 convs with OC = 1..33 (cycling 3x3 pad 1, 1x1, 3x3 stride 2,
1x3 dilation 2 and 5x5 pad 2 shapes; some with a batchnorm whose gamma is
negative, some with relu6, some with multipliers >= 1 or tiny) plus depthwise
3x3 s1/s2 and 5x5, and a linear layer.  Inputs alternate u8/i8 with non-zero
zero points, so padding must read as zp.  Each network goes through
tests/e2e/check_model.py: memcmp-equal to the portable build and to qref.

  remainders.py --qcc build/qcc --work DIR [--target avx2] [--widths 1-9]
                [--ics 1,2,...] [--pairs W:IC,...] [--cc gcc,clang]

--pairs checks only the given (width, input channels) pairs instead of every
width with every IC; --cc the compilers of each build (default both).
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINDS = ["kernel=3 pad=1", "kernel=1", "kernel=3 stride=2 pad=1", "kernel=[1,3] dilation=2 pad=[0,2]",
         "kernel=5 pad=2"]


def net(d, ic, w, seed, ocs, extras):
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(d, "w"), exist_ok=True)
    dt = "u8" if seed % 2 else "i8"
    zp = int(rng.integers(1, 250)) if dt == "u8" else int(rng.integers(-120, 120))
    h = 3 + seed % 3
    s_in = 0.02
    L = ["model rem", "input x : %s[1,%d,%d,%d] (scale=%r, zp=%d)" % (dt, ic, h, w, s_in, zp)]
    outs = []

    def save(name, a):
        np.save(os.path.join(d, "w", name), a)
        return "w/" + name

    def weights(shape):
        if rng.random() < 0.4:
            return rng.choice(np.array([-128, 127, -127, 0, 1], np.int8), size=shape).astype(np.int8)
        return rng.integers(-128, 128, size=shape).astype(np.int8)

    for oc in ocs:
        kind = KINDS[oc % len(KINDS)]
        kh, kw = (1, 3) if "[1,3]" in kind else (int(kind.split("=")[1].split()[0]),) * 2
        args = kind.replace("kernel=%s " % kind.split("=")[1].split()[0], "").replace("kernel=[1,3] ", "")
        args = "" if args.startswith("kernel") else ", " + ", ".join(args.split())
        wq = weights((oc, ic, kh, kw))
        sw = (10 ** rng.uniform(-3, -1.5, oc)).astype(np.float32)
        r = rng.random()
        M = 10 ** rng.uniform(0, 1) if r < 0.15 else 1e-11 if r < 0.2 else 10 ** rng.uniform(-4, -1.5)
        s_out = float(np.float32(s_in * float(sw.mean()) / M))
        c = 'c%d = conv2d(x, weight=i8("%s", scale="%s", axis=0), bias="%s"%s)' % (
            oc, save("w%d.npy" % oc, wq), save("s%d.npy" % oc, sw),
            save("b%d.npy" % oc, (rng.standard_normal(oc) * 2).astype(np.float32)), args)
        name = "c%d" % oc
        if oc % 3 == 0:   # batchnorm, about half the gammas negative: negative multipliers
            L.append(c)
            L.append('n%d = batchnorm(c%d, gamma="%s", beta="%s", mean="%s", var="%s")' % (
                oc, oc, save("g%d.npy" % oc, rng.standard_normal(oc).astype(np.float32)),
                save("be%d.npy" % oc, rng.standard_normal(oc).astype(np.float32)),
                save("m%d.npy" % oc, rng.standard_normal(oc).astype(np.float32)),
                save("v%d.npy" % oc, rng.uniform(0.5, 2, oc).astype(np.float32))))
            name = "n%d" % oc
        else:
            L.append(c)
        od = "u8" if oc % 2 else "i8"
        if oc % 4 == 1:
            L.append("r%d = relu6(%s) : %s(scale=%r, zp=%d)" % (oc, name, od, s_out, 0 if od == "u8" else -128))
            outs.append("r%d" % oc)
        else:
            L[-1] += " : %s(scale=%r, zp=%d)" % (od, s_out, int(rng.integers(-10, 10)) + (128 if od == "u8" else 0))
            outs.append(name)
    for k, st in ((3, 1), (3, 2), (5, 1)) if extras else ():
        wd = weights((ic, 1, k, k))
        sd = (10 ** rng.uniform(-2.5, -1.5, ic)).astype(np.float32)
        L.append('d%d%d = conv2d(x, weight=i8("%s", scale="%s", axis=0), bias="%s", groups=%d, stride=%d, pad=%d)'
                 ' : u8(scale=%r, zp=5)' % (k, st, save("dw%d%d.npy" % (k, st), wd), save("ds%d%d.npy" % (k, st), sd),
                                           save("db%d%d.npy" % (k, st), rng.standard_normal(ic).astype(np.float32)),
                                           ic, st, k // 2, float(np.float32(s_in * float(sd.mean()) * 3))))
        outs.append("d%d%d" % (k, st))
    if not extras:
        L.append("output " + ", ".join(outs))
        q = os.path.join(d, "rem.q")
        open(q, "w").write("\n".join(L) + "\n")
        return q
    L.append("f = flatten(x)")
    K = ic * h * w
    L.append('l = linear(f, weight=i8("%s", scale="%s", axis=0)) : u8(scale=%r, zp=100)' % (
        save("lw.npy", weights((17, K))), save("ls.npy", np.full(17, 0.01, np.float32)), 0.02 * 0.01 * K ** 0.5 * 8))
    outs.append("l")
    L.append("output " + ", ".join(outs))
    q = os.path.join(d, "rem.q")
    open(q, "w").write("\n".join(L) + "\n")
    return q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--target", default="avx2")
    ap.add_argument("--widths", default="1-9")
    ap.add_argument("--ics", default="1,2,3,7,8,16,17,33")
    ap.add_argument("--pairs", help="W:IC,... instead of --widths x --ics")
    ap.add_argument("--cc", default="gcc,clang")
    args = ap.parse_args()
    a, b = map(int, args.widths.split("-"))
    if args.pairs:
        pairs = [tuple(map(int, p.split(":"))) for p in args.pairs.split(",")]
        what = "W:IC " + args.pairs
    else:
        pairs = [(w, ic) for w in range(a, b + 1) for ic in map(int, args.ics.split(","))]
        what = "W %s x IC %s" % (args.widths, args.ics)
    ccs = [x for cc in args.cc.split(",") for x in ("--cc", cc)]
    failed = total = 0
    for w, ic in pairs:
        # four networks: the test driver takes at most 16 outputs
        for part, ocs in enumerate((range(1, 10), range(10, 18), range(18, 26), range(26, 34))):
            d = os.path.join(args.work, "w%d_ic%d_%d" % (w, ic, part))
            q = net(d, ic, w, w * 100 + ic + part, ocs, part == 3)
            r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "e2e", "check_model.py"), "--qcc",
                                args.qcc, "--q", q, "--work", os.path.join(d, "run"), "--target", args.target,
                                *ccs, "--n", "3"], capture_output=True, text=True)
            total += 1
            if r.returncode:
                failed += 1
                print("FAIL W=%d IC=%d (%s)\n%s%s" % (w, ic, q, r.stdout[-1500:], r.stderr[-1500:]))
    print("%s: %d/%d remainder networks (%s, OC 1..33 each; %s) bit-identical" %
          (args.target, total - failed, total, what, args.cc))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
