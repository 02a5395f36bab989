#!/usr/bin/python3
"""Random single-layer test cases for the SIMD targets.

  gen_cases.py OUTDIR [--n 40] [--seed 1]

Writes OUTDIR/case_NNN.q (+ OUTDIR/w/*.npy), each one layer (sometimes with
a fused batchnorm/activation) at a shape chosen to hit remainders: channels
1..33, widths 1..11, kernels 1x1..5x5 and rectangular ones, strides 1..2,
symmetric and asymmetric padding, dilation, groups and depthwise, u8 and i8
inputs with non-zero zero points, weights full of -128/127, multipliers from
below 2^-32 to above 1, negative multipliers (batchnorm with gamma < 0 on
int8 weights), relu/relu6/clamp bounds, avg/max/global pooling, add,
concat, requantize, linear.  run_cases.py compiles each for a target and
compares it with the portable build and with tools/qref.py.
"""
import argparse
import os

import numpy as np


class Gen:
    def __init__(self, out, rng):
        self.out, self.rng, self.k = out, rng, 0

    def npy(self, tag, a):
        self.k += 1
        name = "w/%s_%d.npy" % (tag, self.k)
        np.save(os.path.join(self.out, name), a)
        return name

    def act_q(self, dtype=None):
        dtype = dtype or self.rng.choice(["u8", "i8"])
        lo, hi = (0, 255) if dtype == "u8" else (-128, 127)
        scale = float(np.float32(10 ** self.rng.uniform(-2.5, -0.5)))
        return dtype, scale, int(self.rng.integers(lo, hi + 1))

    def weights_i8(self, shape):
        r = self.rng.random()
        if r < 0.3:   # extremes: the vpmaddubsw trap
            return self.rng.choice(np.array([-128, 127, -127, 0], np.int8), size=shape).astype(np.int8)
        return self.rng.integers(-128, 128, size=shape).astype(np.int8)

    def out_q_for(self, s_in, s_w):
        """An output scale giving M = s_in*s_w/s_out in an interesting range."""
        kind = self.rng.random()
        if kind < 0.1:
            M = 10 ** self.rng.uniform(0, 1.2)          # M >= 1
        elif kind < 0.15:
            M = 1e-11                                   # below 2^-32: encoded as 0
        else:
            M = 10 ** self.rng.uniform(-4, -1.5)
        return float(np.float32(s_in * s_w / M))


def qstr(dtype, scale, zp):
    return "%s(scale=%r, zp=%d)" % (dtype, scale, zp)


def conv_case(g):
    r = g.rng
    depthwise = r.random() < 0.3
    ic = int(r.integers(1, 34))
    if depthwise:
        groups, oc = ic, ic * int(r.choice([1, 1, 2]))
    else:
        groups = int(r.choice([1, 1, 1, 2, 3])) if ic % 2 == 0 or ic % 3 == 0 else 1
        if ic % groups:
            groups = 1
        oc = groups * int(r.integers(1, 34 // groups + 1))
    kh, kw = (int(r.choice([1, 3, 5, 2, 1])), int(r.choice([1, 3, 5, 3])))
    if r.random() < 0.5:
        kw = kh
    sh, sw = int(r.choice([1, 2])), int(r.choice([1, 2]))
    dil = int(r.choice([1, 1, 1, 2]))
    pad = [int(r.integers(0, max(1, (kh - 1) * dil + 1))), int(r.integers(0, max(1, (kw - 1) * dil + 1))),
           int(r.integers(0, max(1, (kh - 1) * dil + 1))), int(r.integers(0, max(1, (kw - 1) * dil + 1)))]
    if r.random() < 0.5:
        pad = [(kh - 1) * dil // 2, (kw - 1) * dil // 2] * 2
    h = int(r.integers(max(1, (kh - 1) * dil + 1 - pad[0] - pad[2]), 12))
    w = int(r.integers(max(1, (kw - 1) * dil + 1 - pad[1] - pad[3]), 12))
    xd, xs, xz = g.act_q()
    lines = ["input x : %s[1,%d,%d,%d] (scale=%r, zp=%d)" % (xd, ic, h, w, xs, xz)]
    wshape = (oc, ic // groups, kh, kw)
    args = "stride=[%d,%d], pad=[%d,%d,%d,%d], dilation=%d, groups=%d" % (sh, sw, *pad, dil, groups)
    float_w = r.random() < 0.3
    if float_w:
        wf = (r.standard_normal(wshape) * 0.2).astype(np.float32)
        wexpr = '"%s"' % g.npy("wf", wf)
        s_w = float(np.abs(wf).max() / 127.5)
    else:
        wq = g.weights_i8(wshape)
        sc = (10 ** r.uniform(-3, -1, oc)).astype(np.float32)
        s_w = float(sc.mean())
        wexpr = 'i8("%s", scale="%s", axis=0)' % (g.npy("wq", wq), g.npy("ws", sc))
    bias = ""
    if r.random() < 0.7:
        bias = ', bias="%s"' % g.npy("b", (r.standard_normal(oc) * 0.5).astype(np.float32))
    od, os_, oz = g.act_q()
    os_ = g.out_q_for(xs, s_w)
    conv = "c = conv2d(x, weight=%s%s, %s)" % (wexpr, bias, args)
    act = r.choice(["none", "relu", "relu6", "clamp"])
    bn = r.random() < 0.3
    last = "c"
    if bn:
        gamma = (r.standard_normal(oc)).astype(np.float32)     # about half negative
        lines.append(conv)
        lines.append('b = batchnorm(c, gamma="%s", beta="%s", mean="%s", var="%s")' % (
            g.npy("g", gamma), g.npy("be", (r.standard_normal(oc) * 0.3).astype(np.float32)),
            g.npy("m", (r.standard_normal(oc) * 0.3).astype(np.float32)),
            g.npy("v", r.uniform(0.5, 2, oc).astype(np.float32))))
        last = "b"
    else:
        lines.append(conv)
    q = qstr(od, os_, oz)
    if act == "none":
        lines[-1] += " : " + q
        out = last
    else:
        a = {"relu": "relu(%s)", "relu6": "relu6(%s)",
             "clamp": "clamp(%s, min=-0.3, max=0.2)"}[act] % last
        lines.append("y = %s : %s" % (a, q))
        out = "y"
    lines.append("output " + out)
    return lines


def linear_case(g):
    r = g.rng
    k, oc = int(r.integers(1, 80)), int(r.integers(1, 34))
    xd, xs, xz = g.act_q()
    wq = g.weights_i8((oc, k))
    sc = (10 ** r.uniform(-3, -1, oc)).astype(np.float32)
    od, _, oz = g.act_q()
    os_ = g.out_q_for(xs, float(sc.mean()))
    return ["input x : %s[%d,%d] (scale=%r, zp=%d)" % (xd, int(r.integers(1, 4)), k, xs, xz),
            'y = linear(x, weight=i8("%s", scale="%s", axis=0), bias="%s") : %s' % (
                g.npy("wq", wq), g.npy("ws", sc), g.npy("b", (r.standard_normal(oc) * 0.5).astype(np.float32)),
                qstr(od, os_, oz)),
            "output y"]


def pool_case(g):
    r = g.rng
    c, h, w = int(r.integers(1, 34)), int(r.integers(2, 12)), int(r.integers(2, 12))
    xd, xs, xz = g.act_q()
    lines = ["input x : %s[1,%d,%d,%d] (scale=%r, zp=%d)" % (xd, c, h, w, xs, xz)]
    kind = r.choice(["max", "avg", "global"])
    k = int(r.integers(2, min(h, w) + 1))
    s = int(r.integers(1, 3))
    p = int(r.integers(0, k // 2 + 1))
    od, os_, oz = g.act_q(xd)
    if kind == "max":
        lines.append("y = maxpool2d(x, kernel=%d, stride=%d, pad=%d)" % (k, s, p))
    elif kind == "avg":
        cip = r.choice(["true", "false"])
        lines.append("y = avgpool2d(x, kernel=%d, stride=%d, pad=%d, count_include_pad=%s) : %s"
                     % (k, s, p, cip, qstr(od, os_, oz)))
    else:
        same = r.random() < 0.5
        lines.append("y = global_avgpool(x)" + ("" if same else " : " + qstr(od, os_, oz)))
    lines.append("output y")
    return lines


def eltwise_case(g):
    r = g.rng
    c, h, w = int(r.integers(1, 34)), int(r.integers(1, 10)), int(r.integers(1, 10))
    xd = r.choice(["u8", "i8"])
    a, b = g.act_q(xd), g.act_q(xd)
    od, os_, oz = g.act_q(xd)
    lines = ["input a : %s[1,%d,%d,%d] (scale=%r, zp=%d)" % (xd, c, h, w, a[1], a[2]),
             "input b : %s[1,%d,%d,%d] (scale=%r, zp=%d)" % (xd, c, h, w, b[1], b[2])]
    kind = r.choice(["add", "add_relu", "concat", "requantize"])
    if kind == "add":
        lines.append("y = add(a, b) : " + qstr(od, os_, oz))
    elif kind == "add_relu":
        lines.append("s = add(a, b)")
        lines.append("y = relu(s) : " + qstr(od, os_, oz))
    elif kind == "concat":
        lines.append("y = concat(a, b, axis=1) : " + qstr(od, os_, oz))
    else:
        lines.append("y = requantize(a) : " + qstr(od, os_, oz))
        lines.append("z = requantize(b) : " + qstr(od, a[1], a[2]))
        lines.append("output y, z")
        return lines
    lines.append("output y")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "w"), exist_ok=True)
    g = Gen(args.out, np.random.default_rng(args.seed))
    makers = [conv_case] * 6 + [linear_case, pool_case, eltwise_case]
    for i in range(args.n):
        body = makers[int(g.rng.integers(len(makers)))](g)
        with open(os.path.join(args.out, "case_%03d.q" % i), "w") as f:
            f.write("# generated by tests/kernels/gen_cases.py --seed %d\nmodel case_%03d\n" % (args.seed, i))
            f.write("\n".join(body) + "\n")


if __name__ == "__main__":
    main()
