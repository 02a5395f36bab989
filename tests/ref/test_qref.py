#!/usr/bin/python3
"""Unit tests of tools/qref.py (the independent numpy reference).

Run:  /usr/bin/python3 tests/ref/test_qref.py      (exit status != 0 on failure)

Every expected value here is worked out by hand (in the comments) or by
independent exact / float math inside the test -- never taken from qcc.
"""

import math
import os
import subprocess
import sys
import tempfile
import traceback
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QREF = os.path.join(ROOT, "tools", "qref.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import qref  # noqa: E402

F32 = np.float32
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def eq(got, want, what=""):
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape or not np.array_equal(got, want):
        raise AssertionError("%s\n  got  %r\n  want %r" % (what, got.tolist(), want.tolist()))


def raises(fn, what):
    try:
        fn()
    except qref.QrefError:
        return
    raise AssertionError("expected QrefError: " + what)


def half_up(fr):
    """round a Fraction to nearest, ties toward +inf (the contract's rshr)."""
    return math.floor(fr + Fraction(1, 2))


def run_q(text, inputs, files=None):
    """Write text (and .npy files) into a temp dir, load, run."""
    with tempfile.TemporaryDirectory() as d:
        for name, arr in (files or {}).items():
            np.save(os.path.join(d, name), arr)
        path = os.path.join(d, "t.q")
        with open(path, "w") as f:
            f.write(text)
        m = qref.load(path)
        outs = m.run(inputs)
        return m, outs


# ---------------------------------------------------------------- multiplier
@test
def multiplier_derivation():
    # M = 0.5 = 0.5 * 2^0      -> m = 2^30, n = 31
    eq(qref.derive_mn(0.5), (2 ** 30, 31), "M=0.5")
    # M = 1.0 = 0.5 * 2^1      -> m = 2^30, n = 30
    eq(qref.derive_mn(1.0), (2 ** 30, 30), "M=1.0")
    # M = 3.7 = 0.925 * 2^2;  0.925 * 2^31 = 1986422374.4 -> 1986422374, n = 29
    eq(qref.derive_mn(3.7), (1986422374, 29), "M=3.7")
    m, n = qref.derive_mn(3.7)
    assert abs(Fraction(m, 2 ** n) - Fraction(3.7)) <= Fraction(1, 2 ** (n + 1))
    # |M| < 2^-32 -> m = 0, n = 1
    eq(qref.derive_mn(2.0 ** -33), (0, 1), "M=2^-33")
    eq(qref.derive_mn(0.0), (0, 1), "M=0")
    # M = 2^-32 = 0.5 * 2^-31 -> n = 31 + 31 = 62
    eq(qref.derive_mn(2.0 ** -32), (2 ** 30, 62), "M=2^-32")
    # negative: -0.75 * 2^31 = -1610612736, n = 31
    eq(qref.derive_mn(-0.75), (-1610612736, 31), "M=-0.75")
    # tie in llround: f * 2^31 = 2^30 + 0.5 -> away from zero
    eq(qref.derive_mn(0.5 + 2.0 ** -32), (2 ** 30 + 1, 31), "llround tie +")
    eq(qref.derive_mn(-(0.5 + 2.0 ** -32)), (-(2 ** 30 + 1), 31), "llround tie -")
    # renormalisation: 1 - 2^-40 rounds to 2^31 -> m = 2^30, e + 1 -> n = 30
    eq(qref.derive_mn(1.0 - 2.0 ** -40), (2 ** 30, 30), "renormalise")
    # M = 2^29 is the largest power of two accepted: n = 1
    eq(qref.derive_mn(2.0 ** 29), (2 ** 30, 1), "M=2^29")
    raises(lambda: qref.derive_mn(2.0 ** 30), "M = 2^30")
    raises(lambda: qref.derive_mn(-(2.0 ** 31)), "M = -2^31")


@test
def shared_shift_for_add():
    # larger |M| = 0.5 -> n = 31; m_b = llround(0.25 * 2^31) = 2^29
    ms, n = qref.derive_shared_mn([0.5, 0.25])
    eq(ms, [2 ** 30, 2 ** 29])
    eq(n, 31)
    # larger is the second one: 3.0 = 0.75 * 2^2 -> n = 29; m_a = 0.1 * 2^29
    ms, n = qref.derive_shared_mn([0.1, 3.0])
    eq(n, 29)
    eq(ms, [round(0.1 * 2 ** 29), 3 * 2 ** 29])   # 53687091.2 -> 53687091


@test
def rshr_ties_round_half_up():
    p = np.array([1, -1, 3, -3, 5, -5, 6, -6, 7, -7, 0], np.int64)
    # n = 1: 0.5->1  -0.5->0  1.5->2  -1.5->-1  2.5->3  -2.5->-2  3->3 -3->-3 ...
    eq(qref.rshr(p, 1), [1, 0, 2, -1, 3, -2, 3, -3, 4, -3, 0], "n=1")
    # n = 2: .25->0 -.25->0 .75->1 -.75->-1 1.25->1 -1.25->-1 1.5->2 -1.5->-1 1.75->2 -1.75->-2
    eq(qref.rshr(p, 2), [0, 0, 1, -1, 1, -1, 2, -1, 2, -2, 0], "n=2")
    # n = 62 with a product near 2^62
    big = np.array([2 ** 61, -(2 ** 61), 2 ** 61 - 1, 3 * 2 ** 60], np.int64)
    eq(qref.rshr(big, 62), [1, 0, 0, 1], "n=62")   # .5->1, -.5->0, <.5->0, .75->1


# ---------------------------------------------------------------- qparams
@test
def range_qparams():
    qp = qref.qparams_from_range("u8", -1.0, 2.5, False)
    s = F32(F32(3.5) / F32(255))
    eq(qp.scale, float(s), "u8 affine scale")
    eq(qp.zp, 73, "u8 affine zp (255/3.5 = 72.857 -> 73)")
    qp = qref.qparams_from_range("i8", -1.0, 2.5, False)
    eq(qp.zp, -128 + 73, "i8 affine zp")
    qp = qref.qparams_from_range("i8", -1.0, 1.0, True)
    eq((qp.scale, qp.zp), (float(F32(F32(1) / F32(127.5))), 0), "i8 symmetric")
    qp = qref.qparams_from_range("u8", -0.5, 1.0, True)
    eq((qp.scale, qp.zp), (float(F32(F32(1) / F32(127.5))), 128), "u8 symmetric")
    qp = qref.qparams_from_range("u8", 0.5, 2.0, False)     # min clipped to 0
    eq((qp.scale, qp.zp), (float(F32(F32(2) / F32(255))), 0), "positive range")
    qp = qref.qparams_from_range("u8", 0.0, 0.0, False)     # eps floor
    eq((qp.scale, qp.zp), (2.0 ** -23, 0), "empty range")
    qp = qref.qparams_from_range("u8", -2.0, -1.0, False)   # max clipped to 0
    eq(qp.zp, 255, "negative range")
    # and through the parser
    m, (y,) = run_q("model t\ninput x : u8[2](range=[-1.0, 2.5])\n"
                    "y = dequantize(x)\noutput y\n", [np.array([73, 0], np.uint8)])
    eq(y, np.array([0.0, F32(-73) * s], F32), "range on an input")


@test
def weight_quantization():
    w = np.array([[0.5, -1.0, 0.25, 0.0039], [0, 0, 0, 0]], F32)
    q, s = qref.quantize_weight_f32(w)
    # s = 1/127.5 in float32; 1.0f/s = 127.49999 so -1.0 -> -127.49999 -> -127
    # 0.5 -> 63.749996 -> 64; 0.25 -> 31.87 -> 32; 0.0039 -> 0.497 -> 0
    eq(q, [[64, -127, 32, 0], [0, 0, 0, 0]], "w_q")
    eq(s, [float(F32(F32(1.0) / F32(127.5))), 2.0 ** -23], "s_w (eps floor)")


# ---------------------------------------------------------------- conv
CONV_X = np.array([[3, 5, 7], [4, 3, 9], [0, 6, 3]], np.uint8)
CONV_W = [[1, 0, -1], [2, 1, 0], [0, -2, 3]]


@test
def conv_3x3_zero_point_padding():
    # x: u8 scale 0.25 zp 3; w: i8 scale 0.5; bias 0.75 -> 0.75/(0.25*0.5) = 6
    # out: u8 scale 1 zp 10.  M = 0.125.
    text = """
model t
input x : u8[1,1,3,3](scale=0.25, zp=3)
c = conv2d(x, weight=i8([[[[1,0,-1],[2,1,0],[0,-2,3]]]], scale=0.5),
           bias=[0.75], pad=1)          : u8(scale=1.0, zp=10)
output c
"""
    m, (y,) = run_q(text, [CONV_X.reshape(1, 1, 3, 3)])
    # independent real-valued computation: padding is the REAL value 0
    xr = [[Fraction(1, 4) * (int(v) - 3) for v in row] for row in CONV_X]
    want = np.zeros((3, 3), np.int64)
    for i in range(3):
        for j in range(3):
            r = Fraction(3, 4)
            for a in range(3):
                for b in range(3):
                    ii, jj = i + a - 1, j + b - 1
                    if 0 <= ii < 3 and 0 <= jj < 3:
                        r += xr[ii][jj] * Fraction(1, 2) * CONV_W[a][b]
            want[i, j] = min(max(10 + half_up(r / 1), 0), 255)
    eq(y.reshape(3, 3), want, "3x3 conv vs real arithmetic")
    # by hand: corner (0,0): terms in bounds: w11*xd00 + w12*xd01 + w21*xd10 + w22*xd11
    #          = 1*0 + 0*2 + (-2)*1 + 3*0 = -2;  acc = 6 - 2 = 4;  4 * 0.125 = 0.5 -> 1
    eq(int(y[0, 0, 0, 0]), 11, "corner (tie rounds up)")
    # centre: sum w*xd = -4 + 2 - 6 = -8; acc = -2; -0.25 -> 0
    eq(int(y[0, 0, 1, 1]), 10, "centre")
    # corner (2,2): w00*xd11 + w01*xd12 + w10*xd21 + w11*xd22 = 0 + 0 + 2*3 + 0 = 6
    #   acc = 12 -> 1.5 -> 2 -> 12
    eq(int(y[0, 0, 2, 2]), 12, "corner (2,2)")


@test
def conv_per_channel_weight_zero_point_stride_dilation_groups():
    rng = np.random.default_rng(1)
    N, C, H, W = 2, 4, 7, 6
    G, OC, KH, KW = 2, 4, 3, 2
    x = rng.integers(0, 256, (N, C, H, W)).astype(np.uint8)
    w = rng.integers(-128, 128, (OC, C // G, KH, KW)).astype(np.int8)
    sw = np.array([0.5, 0.25, 0.125, 1.0])          # dyadic -> exact fractions
    zw = np.array([0, 1, -2, 3])
    b = np.array([1.0, -2.5, 0.0, 7.75], F32)
    sx, zx, sy, zy = 0.125, 100, 32.0, 7
    stride, dil, pad = (2, 1), (1, 2), (1, 0, 2, 1)   # top, left, bottom, right
    files = {"w.npy": w, "s.npy": sw, "z.npy": zw.astype(np.int8), "b.npy": b}
    text = """model t
input x : u8[2,4,7,6](scale=0.125, zp=100)
c = conv2d(x, weight=i8("w.npy", scale="s.npy", zp="z.npy", axis=0), bias="b.npy",
           stride=[2, 1], dilation=[1, 2], pad=[1, 0, 2, 1], groups=2) : i8(scale=32.0, zp=7)
output c
"""
    m, (y,) = run_q(text, [x], files)
    OH = (H + 1 + 2 - 1 * (KH - 1) - 1) // 2 + 1
    OW = (W + 0 + 1 - 2 * (KW - 1) - 1) // 1 + 1
    eq(y.shape, (N, OC, OH, OW), "shape")
    want = np.zeros((N, OC, OH, OW), np.int64)
    for n_ in range(N):
        for o in range(OC):
            g = o // (OC // G)
            for i in range(OH):
                for j in range(OW):
                    r = Fraction(float(b[o]))
                    for c in range(C // G):
                        for a in range(KH):
                            for bb in range(KW):
                                ii = i * stride[0] + a * dil[0] - pad[0]
                                jj = j * stride[1] + bb * dil[1] - pad[1]
                                if 0 <= ii < H and 0 <= jj < W:
                                    xr = Fraction(sx) * (int(x[n_, g * 2 + c, ii, jj]) - zx)
                                    wr = Fraction(sw[o]) * (int(w[o, c, a, bb]) - zw[o])
                                    r += xr * wr
                    want[n_, o, i, j] = min(max(zy + half_up(r / Fraction(sy)), -128), 127)
    eq(y, want, "grouped/strided/dilated conv vs exact real arithmetic")


@test
def conv_i32_bias_and_linear():
    # linear: x [1,3] i8 scale 1 zp 0; w i8 scale 1; i32 bias; out scale 4 -> M = 0.25
    text = """model t
input x : i8[1,3](scale=1.0, zp=-1)
l = linear(x, weight=i8([[1,2,3],[-1,0,1]], scale=1.0), bias=i32([5, -6])) : i8(scale=4.0, zp=0)
output l
"""
    m, (y,) = run_q(text, [np.array([[1, 2, 3]], np.int8)])
    # x - zp = [2,3,4]; row0: 2+6+12 = 20 + 5 = 25 -> 6.25 -> 6
    # row1: -2 + 0 + 4 = 2 - 6 = -4 -> -1
    eq(y, [[6, -1]], "linear with i32 bias")


@test
def multiplier_out_of_range_is_an_error():
    text = """model t
input x : u8[1,1](scale=1.0, zp=0)
l = linear(x, weight=i8([[1]], scale=1.0)) : u8(scale=%r, zp=0)
output l
""" % (2.0 ** -31)
    raises(lambda: run_q(text, [np.zeros((1, 1), np.uint8)]), "M = 2^31")


# ---------------------------------------------------------------- batchnorm
@test
def standalone_batchnorm_as_depthwise_conv():
    # gamma=2, var=4, eps=0 -> rsqrt = 0.5, A = 1, bias = 0
    # A quantized: s_w = f32(1/127.5), w_q = rne(1 * 127.49999) = 127
    # acc = 127*(x - 0); M = 0.5*s_w/0.5 = s_w;  y = round_half_up(127 * s_w * x)
    text = """model t
input x : u8[1,1,1,6](scale=0.5, zp=0)
b = batchnorm(x, gamma=[2.0], beta=[0.0], mean=[0.0], var=[4.0], eps=0) : u8(scale=0.5, zp=0)
output b
"""
    xs = np.array([0, 1, 2, 100, 128, 255], np.uint8)
    m, (y,) = run_q(text, [xs.reshape(1, 1, 1, 6)])
    sw = Fraction(float(F32(F32(1) / F32(127.5))))
    want = [half_up(127 * sw * int(v)) for v in xs]
    eq(want, [0, 1, 2, 100, 127, 254], "hand values")
    eq(y.reshape(-1), want, "standalone batchnorm")


@test
def batchnorm_negative_gamma_on_int8_weights():
    # w = 1 (scale 0.5), BN gamma=-1 var=1 eps=0 -> s_w' = -0.5;
    # M = 0.5 * -0.5 / 0.25 = -1 -> m = -2^30, n = 30;  y = -x (128 saturates)
    text = """model t
input x : i8[1,1,1,5](scale=0.5, zp=0)
c = conv2d(x, weight=i8([[[[1]]]], scale=0.5))
b = batchnorm(c, gamma=[-1.0], beta=[0.0], mean=[0.0], var=[1.0], eps=0) : i8(scale=0.25, zp=0)
output b
"""
    xs = np.array([-128, -1, 0, 3, 127], np.int8)
    m, (y,) = run_q(text, [xs.reshape(1, 1, 1, 5)])
    eq(y.reshape(-1), [127, 1, 0, -3, -127], "negated")
    st = [s for s in m.steps if s.name == "b"][0]
    eq((int(st.m[0]), int(st.n[0])), (-(2 ** 30), 30), "negative mantissa")


@test
def conv_bn_relu_float_weights_close_to_float_model():
    rng = np.random.default_rng(2)
    C, OC = 3, 5
    w = (rng.standard_normal((OC, C, 3, 3)) * 0.2).astype(F32)
    b = (rng.standard_normal(OC) * 0.1).astype(F32)
    g = rng.uniform(0.5, 1.5, OC).astype(F32)
    be = (rng.standard_normal(OC) * 0.1).astype(F32)
    mu = (rng.standard_normal(OC) * 0.1).astype(F32)
    var = rng.uniform(0.5, 2.0, OC).astype(F32)
    files = {"w.npy": w, "b.npy": b, "g.npy": g, "be.npy": be, "mu.npy": mu, "v.npy": var}
    text = """model t
input x : f32[1,3,6,6]
q = quantize(x) : u8(scale=0.01, zp=0)
c = conv2d(q, weight="w.npy", bias="b.npy", pad=1)
n = batchnorm(c, gamma="g.npy", beta="be.npy", mean="mu.npy", var="v.npy", eps=1e-5)
r = relu(n) : u8(scale=0.02, zp=0)
y = dequantize(r)
output y
"""
    x = rng.uniform(0, 2.5, (1, C, 6, 6)).astype(F32)
    m, (y,) = run_q(text, [x], files)
    assert "c" not in m.tensors and "n" not in m.tensors, "conv/bn must not be materialised"
    # float64 model on the quantized input
    xq = np.clip(np.rint(x / 0.01), 0, 255) * 0.01
    xp = np.pad(xq, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.zeros((OC, 6, 6))
    for o in range(OC):
        for i in range(6):
            for j in range(6):
                ref[o, i, j] = np.sum(xp[0, :, i:i + 3, j:j + 3] * w[o]) + b[o]
    A = g / np.sqrt(var.astype(np.float64) + 1e-5)
    ref = (ref - mu[:, None, None]) * A[:, None, None] + be[:, None, None]
    ref = np.clip(ref, 0, 255 * 0.02)
    err = np.abs(y[0] - ref).max()
    assert err < 3 * 0.02, "conv+bn+relu too far from float model: %g" % err
    assert y.min() >= 0


# ---------------------------------------------------------------- activations
@test
def relu6_bounds():
    text = """model t
input x : u8[7](scale=%s, zp=%d)
r = relu6(x)
output r
"""
    xs = np.array([0, 9, 10, 100, 130, 131, 255], np.uint8)
    # scale 0.01: 6 / 0.01 = 600 -> hi = min(255, 0 + 600) = 255; lo = 0
    m, (y,) = run_q(text % ("0.01", 0), [xs])
    eq(y, xs, "relu6 scale 0.01 -> hi clamps at 255")
    # scale 0.05 zp 10: 6 * (1/0.05) = 120.00000x -> 120 -> hi = 130
    m, (y,) = run_q(text % ("0.05", 10), [xs])
    eq(y, [10, 10, 10, 100, 130, 130, 130], "relu6 scale 0.05 zp 10")
    # i8, zp -100, scale 0.01: hi = min(127, -100 + 600) = 127, lo = -100
    text8 = "model t\ninput x : i8[4](scale=0.01, zp=-100)\nr = relu6(x)\noutput r\n"
    m, (y,) = run_q(text8, [np.array([-128, -100, 0, 127], np.int8)])
    eq(y, [-100, -100, 0, 127], "relu6 i8")


@test
def relu_clamp_hardtanh_standalone():
    xs = np.array([-128, -5, -3, -2, 0, 2, 3, 127], np.int8)
    t = "model t\ninput x : i8[8](scale=0.25, zp=0)\nr = %s\noutput r\n"
    m, (y,) = run_q(t % "relu(x)", [xs])
    eq(y, np.maximum(xs, 0), "relu")
    # clamp(-0.5, 0.5) at scale 0.25: lo = -2, hi = 2
    m, (y,) = run_q(t % "clamp(x, min=-0.5, max=0.5)", [xs])
    eq(y, np.clip(xs, -2, 2), "clamp")
    # hardtanh defaults -1, 1 -> [-4, 4]
    m, (y,) = run_q(t % "hardtanh(x)", [xs])
    eq(y, np.clip(xs, -4, 4), "hardtanh")
    # clamp(-0.375, 0.625): -1.5 -> -2 (even), 2.5 -> 2 (even)
    m, (y,) = run_q(t % "clamp(x, min=-0.375, max=0.625)", [xs])
    eq(y, np.clip(xs, -2, 2), "clamp bounds round half to even")


@test
def relu_with_new_qparams_is_requantize():
    # x u8 scale 0.5 zp 100; relu output scale 1 zp 0: y = sat(round_half_up((q-100)/2), 0, 255)
    text = "model t\ninput x : u8[5](scale=0.5, zp=100)\nr = relu(x) : u8(scale=1.0, zp=0)\noutput r\n"
    m, (y,) = run_q(text, [np.array([0, 99, 101, 103, 255], np.uint8)])
    eq(y, [0, 0, 1, 2, 78], "relu requantize")   # 0.5->1, 1.5->2, 77.5->78


@test
def activation_fused_into_conv():
    # conv without qparams -> relu with qparams: negative accumulators clamp at zp
    text = """model t
input x : i8[1,1,1,4](scale=1.0, zp=0)
c = conv2d(x, weight=i8([[[[1]]]], scale=1.0))
r = relu(c) : u8(scale=1.0, zp=20)
output r
"""
    m, (y,) = run_q(text, [np.array([-50, -1, 0, 100], np.int8).reshape(1, 1, 1, 4)])
    # without relu: 20 + x -> [-30, 19, 20, 120]; with relu: lo = 20
    eq(y.reshape(-1), [20, 20, 20, 120], "fused relu")
    # the same conv with its own qparams and no activation: [0 (sat), 19, 20, 120]
    text2 = text.replace("c = conv2d(x, weight=i8([[[[1]]]], scale=1.0))",
                         "c = conv2d(x, weight=i8([[[[1]]]], scale=1.0)) : u8(scale=1.0, zp=20)")
    text2 = text2.replace("r = relu(c) : u8(scale=1.0, zp=20)", "r = relu(c)")
    m, (y,) = run_q(text2, [np.array([-50, -1, 0, 100], np.int8).reshape(1, 1, 1, 4)])
    eq(y.reshape(-1), [20, 20, 20, 120], "standalone relu, equal qparams")
    eq(m.tensors["c"].reshape(-1), [0, 19, 20, 120], "conv output before relu")


# ---------------------------------------------------------------- add / concat
@test
def add_fused_relu_and_requantize_op():
    # add without qparams followed by relu with qparams: bounds [zp, 255]
    text = """model t
input a : i8[4](scale=1.0, zp=0)
input b : i8[4](i8(scale=1.0, zp=0))
s = add(a, b)
r = relu(s) : u8(scale=2.0, zp=5)
q = requantize(a) : u8(scale=4.0, zp=128)
output r, q
"""
    a = np.array([-20, 1, 3, 100], np.int8)
    b = np.array([-20, 0, 2, 100], np.int8)
    m, (r, q) = run_q(text, [a, b])
    # (a+b)/2: -20 -> -15 clamps to lo 5; 0.5 -> 1 -> 6; 2.5 -> 3 -> 8; 100 -> 105
    eq(r, [5, 6, 8, 105], "add + fused relu")
    assert "s" not in m.tensors
    # a/4: -5 -> 123; 0.25 -> 0 -> 128; 0.75 -> 1 -> 129; 25 -> 153
    eq(q, [123, 128, 129, 153], "requantize")


@test
def add_different_input_qparams():
    # a: u8 scale .5 zp 10; b: i8 scale .25 zp -3; out u8 scale 1 zp 100
    # y = 100 + round_half_up(0.5 (qa-10) + 0.25 (qb+3))
    text = """model t
input a : u8[6](scale=0.5, zp=10)
input b : i8[6](scale=0.25, zp=-3)
y = add(a, b) : u8(scale=1.0, zp=100)
output y
"""
    qa = np.array([11, 9, 10, 9, 255, 0], np.uint8)
    qb = np.array([-3, -3, -1, -1, 127, -128], np.int8)
    m, (y,) = run_q(text, [qa, qb])
    #   0.5 -> 1;  -0.5 -> 0;  0.5 -> 1;  0 -> 0;  155 -> sat 255;  -36.25 -> -36
    eq(y, [101, 100, 101, 100, 255, 64], "add hand values")


@test
def add_non_dyadic_scales_vs_real_math():
    rng = np.random.default_rng(3)
    text = """model t
input a : u8[64](scale=0.1, zp=7)
input b : u8[64](scale=0.3, zp=200)
y = add(a, b) : u8(scale=0.2, zp=50)
r = relu(y)
output r
"""
    qa = rng.integers(0, 256, 64).astype(np.uint8)
    qb = rng.integers(0, 256, 64).astype(np.uint8)
    m, (y,) = run_q(text, [qa, qb])
    for i in range(64):
        real = (0.1 * (int(qa[i]) - 7) + 0.3 * (int(qb[i]) - 200)) / 0.2
        if abs(real - math.floor(real) - 0.5) > 1e-6:       # not near a tie
            want = min(max(50 + math.floor(real + 0.5), 50), 255)
            eq(int(y[i]), want, "element %d (real %r)" % (i, real))


@test
def concat_requantizes_mismatched_inputs():
    text = """model t
input a : u8[1,2,1,1](scale=0.5, zp=0)
input b : u8[1,1,1,1](scale=1.0, zp=0)
c = concat(a, b, axis=1) : u8(scale=1.0, zp=0)
output c
"""
    m, (y,) = run_q(text, [np.array([2, 5], np.uint8).reshape(1, 2, 1, 1),
                           np.array([9], np.uint8).reshape(1, 1, 1, 1)])
    # a: 2*0.5 = 1; 5*0.5 = 2.5 -> 3 (half up); b copied
    eq(y.reshape(-1), [1, 3, 9], "concat")


# ---------------------------------------------------------------- pooling
POOL_X = np.array([[1, 2], [3, 5]], np.uint8).reshape(1, 1, 2, 2)


@test
def maxpool_padding_never_wins():
    text = """model t
input x : i8[1,1,2,2](scale=1.0, zp=0)
p = maxpool2d(x, kernel=2, stride=1, pad=1)
output p
"""
    x = np.array([[-100, -90], [-80, -70]], np.int8).reshape(1, 1, 2, 2)
    m, (y,) = run_q(text, [x])
    eq(y.reshape(3, 3), [[-100, -90, -90], [-80, -70, -70], [-80, -70, -70]], "maxpool")


@test
def avgpool_count_include_pad():
    t = """model t
input x : u8[1,1,2,2](scale=1.0, zp=0)
p = avgpool2d(x, kernel=2, stride=1, pad=1, count_include_pad=%s)
output p
"""
    m, (y,) = run_q(t % "true", [POOL_X])
    # divide by 4, ties to even: .25->0 .75->1 .5->0 / 1 2.75->3 1.75->2 / .75->1 2 1.25->1
    eq(y.reshape(3, 3), [[0, 1, 0], [1, 3, 2], [1, 2, 1]], "cip=true")
    m, (y,) = run_q(t % "false", [POOL_X])
    # divide by in-bounds count: 1 1.5->2 2 / 2 2.75->3 3.5->4 / 3 4 5
    eq(y.reshape(3, 3), [[1, 2, 2], [2, 3, 4], [3, 4, 5]], "cip=false")


@test
def global_avgpool_rounding():
    text = """model t
input x : i8[1,2,2,2](scale=1.0, zp=0)
p = global_avgpool(x) : i8(scale=1.0, zp=3)
q = adaptive_avgpool2d(x, 1)
output p, q
"""
    x = np.array([1, 2, 3, 4, -1, -2, -3, -4], np.int8).reshape(1, 2, 2, 2)
    m, (p, q) = run_q(text, [x])
    # ties to even, as PyTorch: 2.5 -> 2 (not 3), -2.5 -> -2
    eq(p.reshape(-1), [3 + 2, 3 - 2], "global avg: 2.5 -> 2, -2.5 -> -2")
    eq(q.reshape(-1), [2, -2], "adaptive alias")


# ---------------------------------------------------------------- matmul etc
@test
def matmul_by_hand():
    text = """model t
input a : u8[2,2](scale=0.5, zp=1)
input b : i8[2,2](scale=0.5, zp=0)
y = matmul(a, b) : i8(scale=1.0, zp=0)
output y
"""
    a = np.array([[1, 2], [3, 4]], np.uint8)       # a - 1 = [[0,1],[2,3]]
    b = np.array([[1, -2], [3, 5]], np.int8)
    m, (y,) = run_q(text, [a, b])
    # acc = [[3, 5], [2+9, -4+15]] = [[3,5],[11,11]]; M = 0.25
    # 0.75 -> 1, 1.25 -> 1, 2.75 -> 3
    eq(y, [[1, 1], [3, 3]], "matmul")


@test
def flatten_reshape_nchw_order():
    text = """model t
input x : u8[1,2,2,3](scale=1.0, zp=0)
f = flatten(x)
r = reshape(f, shape=[3, -1])
output f, r
"""
    x = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3)
    m, (f, r) = run_q(text, [x])
    eq(f, [list(range(12))], "flatten")
    eq(r, np.arange(12).reshape(3, 4), "reshape")


@test
def quantize_dequantize():
    text = """model t
input x : f32[8]
q = quantize(x) : u8(scale=0.5, zp=128)
d = dequantize(q)
output q, d
"""
    x = np.array([0.25, 0.75, -0.25, 1e10, -np.inf, np.nan, 1.0, -64.5], F32)
    m, (q, d) = run_q(text, [x])
    # x*2: 0.5->0, 1.5->2, -0.5->-0, sat, sat, NaN->zp, 2, -129 -> -1 (sat 0)
    eq(q, [128, 130, 128, 255, 0, 128, 130, 0], "quantize")
    eq(d, np.array([0, 1, 0, 63.5, -64, 0, 1, -64], F32), "dequantize")


@test
def quantize_of_dequantize_is_integer_requantize():
    # q = 5 at scale .5 is 2.5; to scale 1: integer requant gives 3 (half up),
    # where float quantize would give rne(2.5) = 2.
    text = """model t
input x : u8[3](scale=0.5, zp=0)
d = dequantize(x)
q = quantize(d) : u8(scale=1.0, zp=0)
s = quantize(d) : u8(scale=0.5, zp=0)
output q, s
"""
    m, (q, s) = run_q(text, [np.array([5, 3, 255], np.uint8)])
    eq(q, [3, 2, 128], "requantize (127.5 -> 128)")
    eq(s, [5, 3, 255], "equal qparams -> copy")


# ---------------------------------------------------------------- parser / CLI
@test
def tokenizer_numbers_strings_comments():
    toks = qref.tokenize('a = f(-1.5e-3, 0x10, 7, "p\\"q\\\\r", [1,\n 2]) # c\n')
    vals = [(t.kind, t.val) for t in toks]
    eq(vals[4], ("num", -1.5e-3))
    eq(vals[6], ("num", 16))
    eq(vals[8], ("num", 7))
    eq(vals[10], ("str", 'p"q\\r'))
    # only the newline after the comment and the final one are statement ends
    eq([k for k, v in vals].count("nl"), 2, "newline inside ( ) must be ignored")
    raises(lambda: qref.tokenize("x = inf_(1e)"), "bad number")
    raises(lambda: qref.loads("input x : f32[1]\noutput x\n"), "model first")
    raises(lambda: qref.loads("model t\ninput x : u8[1]\noutput x\n"), "u8 input needs qparams")


@test
def cli_roundtrip():
    text = """model t
input a : u8[1,2](scale=0.5, zp=10)
input b : f32[2]
y = dequantize(a)
q = quantize(b) : i8(scale=0.25, zp=-1)
output y, q
"""
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "t.q"), "w").write(text)
        np.array([12, 9], np.uint8).tofile(os.path.join(d, "a.bin"))
        np.array([1.0, -0.125], "<f4").tofile(os.path.join(d, "b.bin"))
        r = subprocess.run([sys.executable, QREF, os.path.join(d, "t.q"),
                            "--in", os.path.join(d, "a.bin"), "--in", os.path.join(d, "b.bin"),
                            "--out", os.path.join(d, "y.bin"), "--out", os.path.join(d, "q.bin"),
                            "--dump", os.path.join(d, "dump")], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        eq(np.fromfile(os.path.join(d, "y.bin"), "<f4"), np.array([1.0, -0.5], F32), "y.bin")
        # 1.0*4 = 4 -> 3; -0.125*4 = -0.5 -> -0 -> -1
        eq(np.fromfile(os.path.join(d, "q.bin"), np.int8), [3, -1], "q.bin")
        eq(sorted(os.listdir(os.path.join(d, "dump"))), ["a.npy", "b.npy", "q.npy", "y.npy"])


def main():
    failed = 0
    for fn in TESTS:
        try:
            fn()
            print("ok   %s" % fn.__name__)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
    print("%d/%d passed" % (len(TESTS) - failed, len(TESTS)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
