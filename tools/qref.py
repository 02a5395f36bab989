#!/usr/bin/python3
"""qref -- an independent numpy reference for qcc's integer contract.

Written from the language reference in README.md and docs/arithmetic.md only (never from the
compiler's sources), so that it does not share the compiler's bugs.

Run with Debian's interpreter (it has numpy):

    /usr/bin/python3 tools/qref.py NET.q --in in0.bin [--in ...] \
        --out out0.bin [--out ...] [--dump DIR]

or import it:  m = qref.load("net.q");  outs = m.run([x0, x1, ...])

Everything is computed in logical NCHW layout.  Integer work is done in
np.int64 (or Python ints), compile-time real-number work in Python floats
(IEEE double) where the contract says double and in np.float32 where it says
float32.

Deliberate choice: conv/linear accumulators are formed the "unfolded" way,

    acc[c] = rne(b[c] / (s_x * s_w[c])) + sum_k (x[k] - z_x) * (w[c,k] - z_w[c])

with padding = z_x, which is the same integer as the contract's folded
B[c] + sum x*w - z_w*sum x form; the folded B[c] is only computed to reproduce
the compile-time "B[c] outside int32" error.
"""

import argparse
import math
import os
import sys

import numpy as np

F32 = np.float32
I64 = np.int64
EPS32 = F32(2.0 ** -23)          # torch.finfo(torch.float32).eps

# dtype name -> (qmin, qmax, numpy dtype)
QDTYPES = {
    "u8": (0, 255, np.uint8),
    "i8": (-128, 127, np.int8),
}
NP_DTYPES = {"f32": np.float32, "u8": np.uint8, "i8": np.int8}

# Order used to compute the folded bias of a conv/linear followed by a
# batchnorm.  "torch" = torch.nn.utils.fusion.fuse_conv_bn_weights:
#     b' = (b - mean) * rsqrt * gamma + beta           (float32, left to right)
# "doc" = docs/arithmetic.md literally:  b' = A * (b - mean) + beta.
BN_FOLD_BIAS_ORDER = "torch"


class QrefError(Exception):
    """A compile-time error (the .q file is rejected)."""


# --------------------------------------------------------------------------
# Small exact helpers
# --------------------------------------------------------------------------

def llround(x):
    """C llround: nearest integer, ties away from zero (exact on doubles)."""
    x = float(x)
    ax = abs(x)
    r = math.floor(ax)
    if ax - r >= 0.5:             # ax - floor(ax) is exact
        r += 1
    return -r if x < 0 else r


def rne_f(x):
    """Round a double (or float32 value) to nearest, ties to even -> int."""
    x = float(x)
    if not math.isfinite(x):
        raise QrefError("cannot round non-finite value %r" % x)
    return int(round(x))          # Python's round() is exact half-to-even


def sat(v, lo, hi):
    return np.minimum(np.maximum(v, lo), hi)


def rshr_even(p, n):
    """p / 2^n rounded to nearest, ties to even (average pooling)."""
    p = np.asarray(p, dtype=I64)
    n = np.asarray(n, dtype=I64)
    q = p >> n                          # floor
    r = p - (q << n)                    # remainder in [0, 2^n)
    half = I64(1) << (n - 1)
    up = (r > half) | ((r == half) & ((q & 1) == 1))
    return q + up.astype(I64)


def rshr(p, n):
    """(p + 2^(n-1)) >> n on int64 (flooring shift): round half toward +inf."""
    p = np.asarray(p, dtype=I64)
    n = np.asarray(n, dtype=I64)
    return (p + (I64(1) << (n - 1))) >> n


def qnnpack_requant(acc, s_w, s_x, s_y, bshape):
    """pytorch contract: PyTorch QNNPACK's conv/linear requantization.
    scale = (s_w *f s_x) *f (1.0f /f s_y), all float32; the accumulator is
    converted to float32, multiplied once, rounded to nearest even."""
    scale = (np.asarray(s_w, dtype=F32) * F32(s_x)) * (F32(1.0) / F32(s_y))
    v = acc.astype(F32) * scale.astype(F32).reshape(bshape)
    assert v.dtype == F32
    v = np.clip(v, F32(-2147483520.0), F32(2147483520.0))
    return np.rint(v).astype(I64)      # numpy rint: ties to even


def qnnpack_add(da, s_a, db, s_b, s_y):
    """pytorch contract: PyTorch QNNPACK's u8 add.  The ratios are float32;
    the larger one's binary exponent e gives shift = 21 - e, each multiplier
    is rint(ratio * 2^shift) (< 2^22), and the sum is shifted right with
    rounding to nearest, ties away from zero."""
    ra = F32(F32(s_a) / F32(s_y))
    rb = F32(F32(s_b) / F32(s_y))
    _, e = math.frexp(float(max(ra, rb)))     # max = f * 2^e, 0.5 <= f < 1
    shift = 22 - e
    if not (1 <= shift <= 62):
        raise QrefError("add ratio %r outside the pytorch contract's range" % float(max(ra, rb)))
    ma = rne_f(float(ra) * 2.0 ** shift)       # exact scaling, then ties to even
    mb = rne_f(float(rb) * 2.0 ** shift)
    p = da * ma + db * mb
    half = I64(1) << (shift - 1)
    mag = (np.abs(p) + half) >> shift           # |p| rounded half up = ties away
    return np.where(p < 0, -mag, mag)


def derive_mn(M):
    """Encode a real multiplier M as (m, n) per docs/arithmetic.md."""
    M = float(M)
    if not math.isfinite(M):
        raise QrefError("requantization multiplier %r is not finite" % M)
    if abs(M) >= 2.0 ** 30:
        raise QrefError("requantization multiplier %r is out of range" % M)
    if abs(M) < 2.0 ** -32:
        return 0, 1
    f, e = math.frexp(M)          # M = f * 2^e, 0.5 <= |f| < 1
    m = llround(f * 2.0 ** 31)    # exact scaling by a power of two
    if abs(m) == 2 ** 31:
        m //= 2                   # exact: m is +-2^31
        e += 1
    n = 31 - e
    if not (1 <= n <= 62):
        # Only reachable for M within half a Q31 step below 2^30.
        raise QrefError("requantization multiplier %r is out of range "
                        "(n = %d)" % (M, n))
    assert 2 ** 30 <= abs(m) < 2 ** 31
    return m, n


def derive_shared_mn(Ms):
    """add: n from the largest |M|, every m = llround(M * 2^n)."""
    big = max(abs(float(M)) for M in Ms)
    _, n = derive_mn(big)
    ms = [llround(math.ldexp(float(M), n)) for M in Ms]
    return ms, n


def f32_inv(s):
    """(float)(1.0f / (float)s)"""
    return F32(1.0) / F32(s)


def quant_bound(value, qp):
    """sat(z + rne(value *f (1.0f/s)), qmin, qmax) -- clamp bounds."""
    with np.errstate(over="ignore", invalid="ignore"):
        v = F32(value) * f32_inv(qp.scale)
    v = float(v)
    if math.isnan(v):
        r = 0
    elif math.isinf(v):
        return qp.qmax if v > 0 else qp.qmin
    else:
        r = rne_f(v)
    return int(min(max(qp.zp + r, qp.qmin), qp.qmax))


# --------------------------------------------------------------------------
# Quantization parameters
# --------------------------------------------------------------------------

class QP:
    """Per-tensor activation qparams. scale is a Python float (double)."""

    def __init__(self, dtype, scale, zp):
        if dtype not in QDTYPES:
            raise QrefError("bad quantized dtype %r" % dtype)
        self.dtype = dtype
        self.qmin, self.qmax, self.np = QDTYPES[dtype]
        self.scale = float(scale)
        self.zp = int(zp)
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise QrefError("scale must be finite and positive: %r" % scale)
        if not (self.qmin <= self.zp <= self.qmax):
            raise QrefError("zero point %d out of range for %s" % (zp, dtype))

    def same(self, other):
        return (other is not None and self.dtype == other.dtype
                and self.scale == other.scale and self.zp == other.zp)

    def __repr__(self):
        return "%s(scale=%r, zp=%d)" % (self.dtype, self.scale, self.zp)


def qparams_from_range(dtype, lo, hi, symmetric):
    """PyTorch MinMaxObserver._calculate_qparams, float32 arithmetic."""
    qmin, qmax, _ = QDTYPES[dtype]
    mn, mx = F32(lo), F32(hi)
    if not (np.isfinite(mn) and np.isfinite(mx)) or mn > mx:
        raise QrefError("bad range [%r, %r]" % (lo, hi))
    min_neg = min(mn, F32(0))
    max_pos = max(mx, F32(0))
    if symmetric:
        max_pos = max(-min_neg, max_pos)
        scale = F32(max_pos / F32((qmax - qmin) / 2.0))
        scale = max(scale, EPS32)
        zp = 128 if dtype == "u8" else 0
    else:
        scale = F32((max_pos - min_neg) / F32(qmax - qmin))
        scale = max(scale, EPS32)
        zp = qmin - rne_f(F32(min_neg / scale))
        zp = min(max(zp, qmin), qmax)
    return QP(dtype, float(scale), zp)


# --------------------------------------------------------------------------
# Lexer
# --------------------------------------------------------------------------

class Tok:
    __slots__ = ("kind", "val", "line")

    def __init__(self, kind, val, line):
        self.kind, self.val, self.line = kind, val, line

    def __repr__(self):
        return "Tok(%s,%r,@%d)" % (self.kind, self.val, self.line)


def _is_id_start(c):
    return c.isascii() and (c.isalpha() or c == "_")


def _is_id_char(c):
    return c.isascii() and (c.isalnum() or c in "_.")


def tokenize(text):
    toks = []
    i, n, line, depth = 0, len(text), 1, 0
    while i < n:
        c = text[i]
        if c == "\n":
            if depth == 0:
                toks.append(Tok("nl", None, line))
            line += 1
            i += 1
        elif c in " \t\r\f\v":
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "([":
            depth += 1
            toks.append(Tok(c, c, line))
            i += 1
        elif c in ")]":
            depth = max(depth - 1, 0)
            toks.append(Tok(c, c, line))
            i += 1
        elif c in ",=:":
            toks.append(Tok(c, c, line))
            i += 1
        elif c == '"':
            i += 1
            buf = []
            while True:
                if i >= n or text[i] == "\n":
                    raise QrefError("line %d: unterminated string" % line)
                ch = text[i]
                if ch == "\\":
                    if i + 1 < n and text[i + 1] in '"\\':
                        buf.append(text[i + 1])
                        i += 2
                        continue
                    raise QrefError("line %d: bad escape in string" % line)
                if ch == '"':
                    i += 1
                    break
                buf.append(ch)
                i += 1
            toks.append(Tok("str", "".join(buf), line))
        elif (c.isdigit() or c in "+-."):
            j = i
            if text[j] in "+-":
                j += 1
            k = j
            if (k + 1 < n and text[k] == "0" and text[k + 1] in "xX"):
                k += 2
                s = k
                while k < n and text[k] in "0123456789abcdefABCDEF":
                    k += 1
                if k == s:
                    raise QrefError("line %d: bad hex number" % line)
                val = int(text[s:k], 16)
                is_float = False
            else:
                s = k
                while k < n and text[k].isdigit():
                    k += 1
                intpart = text[s:k]
                is_float = False
                if k < n and text[k] == ".":
                    is_float = True
                    k += 1
                    while k < n and text[k].isdigit():
                        k += 1
                digits = text[s:k].replace(".", "")
                if not digits:
                    raise QrefError("line %d: unexpected %r" % (line, c))
                if k < n and text[k] in "eE":
                    e = k + 1
                    if e < n and text[e] in "+-":
                        e += 1
                    if e < n and text[e].isdigit():
                        is_float = True
                        k = e
                        while k < n and text[k].isdigit():
                            k += 1
                if is_float:
                    val = float(text[s:k])
                elif len(intpart) > 1 and intpart[0] == "0":
                    val = int(intpart, 8)           # C-style octal
                else:
                    val = int(intpart)
            if k < n and _is_id_char(text[k]):
                raise QrefError("line %d: bad number %r" % (line, text[i:k + 1]))
            if text[i] == "-":
                val = -val
            toks.append(Tok("num", val, line))
            i = k
        elif _is_id_start(c):
            j = i + 1
            while j < n and _is_id_char(text[j]):
                j += 1
            toks.append(Tok("id", text[i:j], line))
            i = j
        else:
            raise QrefError("line %d: unexpected character %r" % (line, c))
    toks.append(Tok("nl", None, line))
    toks.append(Tok("eof", None, line))
    return toks


# --------------------------------------------------------------------------
# Parser -> list of statements
# --------------------------------------------------------------------------
# Values:  ("num", v) ("str", s) ("list", [values]) ("id", name)
#          ("call", fname, [positional values], {name: value})

class Parser:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, k=0):
        return self.t[self.i + k]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, kind, val=None):
        tok = self.next()
        if tok.kind != kind or (val is not None and tok.val != val):
            raise QrefError("line %d: expected %s%s, got %r" % (
                tok.line, kind, "" if val is None else " " + repr(val), tok.val))
        return tok

    def value(self):
        tok = self.peek()
        if tok.kind == "num":
            self.next()
            return ("num", tok.val)
        if tok.kind == "str":
            self.next()
            return ("str", tok.val)
        if tok.kind == "[":
            self.next()
            items = []
            while self.peek().kind != "]":
                items.append(self.value())
                if self.peek().kind == ",":
                    self.next()
                elif self.peek().kind != "]":
                    raise QrefError("line %d: expected , or ]" % self.peek().line)
            self.next()
            return ("list", items)
        if tok.kind == "id":
            self.next()
            if self.peek().kind == "(":
                pos, kw = self.args()
                return ("call", tok.val, pos, kw)
            return ("id", tok.val)
        raise QrefError("line %d: unexpected %r" % (tok.line, tok.val))

    def args(self):
        self.expect("(")
        pos, kw = [], {}
        while self.peek().kind != ")":
            if self.peek().kind == "id" and self.peek(1).kind == "=":
                name = self.next().val
                self.next()
                if name in kw:
                    raise QrefError("duplicate argument %s" % name)
                kw[name] = self.value()
            else:
                # flags such as `symmetric` may follow named arguments
                if kw and not (self.peek().kind == "id" and self.peek(1).kind in (",", ")")):
                    raise QrefError("line %d: positional after named argument"
                                    % self.peek().line)
                pos.append(self.value())
            if self.peek().kind == ",":
                self.next()
            elif self.peek().kind != ")":
                raise QrefError("line %d: expected , or )" % self.peek().line)
        self.next()
        return pos, kw

    def end_stmt(self):
        tok = self.next()
        if tok.kind != "nl":
            raise QrefError("line %d: junk at end of statement: %r" % (tok.line, tok.val))

    def program(self):
        stmts = []
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                break
            if tok.kind == "nl":
                self.next()
                continue
            if tok.kind != "id":
                raise QrefError("line %d: unexpected %r" % (tok.line, tok.val))
            if tok.val == "model" and self.peek(1).kind == "id":
                self.next()
                stmts.append(("model", self.next().val))
                self.end_stmt()
            elif tok.val == "input" and self.peek(1).kind == "id":
                self.next()
                name = self.next().val
                self.expect(":")
                dtype = self.expect("id").val
                shape = self.value()
                if shape[0] != "list":
                    raise QrefError("line %d: input shape expected" % tok.line)
                qargs = None
                if self.peek().kind == "(":
                    qargs = self.args()
                stmts.append(("input", name, dtype, shape, qargs, tok.line))
                self.end_stmt()
            elif tok.val == "output":
                self.next()
                names = [self.expect("id").val]
                while self.peek().kind == ",":
                    self.next()
                    names.append(self.expect("id").val)
                stmts.append(("output", names))
                self.end_stmt()
            else:
                name = self.next().val
                self.expect("=")
                op = self.expect("id").val
                pos, kw = self.args()
                ann = None
                if self.peek().kind == ":":
                    self.next()
                    dt = self.expect("id").val
                    qargs = self.args() if self.peek().kind == "(" else None
                    ann = (dt, qargs)
                stmts.append(("op", name, op, pos, kw, ann, tok.line))
                self.end_stmt()
        return stmts


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

def _list_to_py(v):
    kind = v[0]
    if kind == "num":
        return v[1]
    if kind == "list":
        return [_list_to_py(x) for x in v[1]]
    raise QrefError("list elements must be numbers, got %r" % (v,))


class Ctx:
    def __init__(self, base):
        self.base = base

    def npy(self, path):
        full = os.path.join(self.base, path)
        arr = np.load(full, allow_pickle=False)
        if arr.dtype.kind not in "fiu":
            raise QrefError("%s: unsupported dtype %s" % (path, arr.dtype))
        return arr

    def array(self, v):
        """A constant as an np.ndarray (dtype as stored / as written)."""
        if v[0] == "str":
            return self.npy(v[1])
        if v[0] == "list":
            py = _list_to_py(v)
            arr = np.array(py)
            if arr.dtype == object:
                raise QrefError("ragged inline list")
            return arr
        if v[0] == "num":
            return np.array(v[1])
        raise QrefError("expected a constant, got %r" % (v,))

    def f32(self, v):
        return np.asarray(self.array(v), dtype=np.float64).astype(F32)

    def f64(self, v):
        return np.asarray(self.array(v), dtype=np.float64)


def _as_int(v, what):
    if v[0] != "num" or not isinstance(v[1], int):
        raise QrefError("%s must be an integer, got %r" % (what, v))
    return v[1]


def _as_num(v, what):
    if v[0] != "num":
        raise QrefError("%s must be a number, got %r" % (what, v))
    return v[1]


def _pair(v, what):
    if v[0] == "num":
        x = _as_int(v, what)
        return (x, x)
    if v[0] == "list" and len(v[1]) == 2:
        return tuple(_as_int(x, what) for x in v[1])
    raise QrefError("%s: expected n or [h, w]" % what)


def _pad4(v):
    """-> (top, left, bottom, right)"""
    if v[0] == "num":
        p = _as_int(v, "pad")
        return (p, p, p, p)
    if v[0] == "list" and len(v[1]) == 2:
        h, w = (_as_int(x, "pad") for x in v[1])
        return (h, w, h, w)
    if v[0] == "list" and len(v[1]) == 4:
        return tuple(_as_int(x, "pad") for x in v[1])
    raise QrefError("pad: expected n, [h, w] or [top, left, bottom, right]")


def _bool(v, what):
    if v[0] == "id" and v[1] in ("true", "false"):
        return v[1] == "true"
    if v[0] == "num" and v[1] in (0, 1):
        return bool(v[1])
    raise QrefError("%s must be true or false" % what)


def parse_qparams(dtype, qargs):
    """Annotation / input qparams -> QP (None for f32)."""
    if dtype == "f32":
        if qargs is not None and (qargs[0] or qargs[1]):
            raise QrefError("f32 takes no qparams")
        return None
    if dtype not in QDTYPES:
        raise QrefError("bad dtype %r for a tensor" % dtype)
    if qargs is None:
        raise QrefError("%s tensor needs qparams" % dtype)
    pos, kw = qargs
    symmetric = False
    for p in pos:
        if p == ("id", "symmetric"):
            symmetric = True
        else:
            raise QrefError("unexpected qparam %r" % (p,))
    unknown = set(kw) - {"scale", "zp", "range"}
    if unknown:
        raise QrefError("unknown qparams %s" % sorted(unknown))
    if "range" in kw:
        if "scale" in kw or "zp" in kw:
            raise QrefError("range= excludes scale=/zp=")
        r = kw["range"]
        if r[0] != "list" or len(r[1]) != 2:
            raise QrefError("range=[min, max] expected")
        lo, hi = (_as_num(x, "range") for x in r[1])
        return qparams_from_range(dtype, lo, hi, symmetric)
    if symmetric:
        raise QrefError("symmetric needs range=")
    if "scale" not in kw:
        raise QrefError("qparams need scale= or range=")
    scale = _as_num(kw["scale"], "scale")
    zp = _as_int(kw["zp"], "zp") if "zp" in kw else 0
    return QP(dtype, scale, zp)


# --------------------------------------------------------------------------
# Conv-like specification (conv2d, linear, batchnorm)
# --------------------------------------------------------------------------

class ConvSpec:
    """Everything needed to evaluate one conv/linear, before or after a
    batchnorm is folded into it.  Exactly one of wf (float32 weights) or
    wq (integer weights with s_w, z_w) is set."""

    def __init__(self):
        self.x = None            # input tensor name
        self.linear = False
        self.wf = None           # float32 [OC, ICg, KH, KW] or [OUT, K]
        self.wq = None           # int64, same shape
        self.s_w = None          # float64 [OC]
        self.z_w = None          # int64 [OC]
        self.bf = None           # float32 [OC] real bias, or None
        self.bi32 = None         # accumulator-unit bias (int64 [OC]) or None
        self.stride = (1, 1)
        self.pad = (0, 0, 0, 0)
        self.dil = (1, 1)
        self.groups = 1
        self.flat_out = False    # standalone BN on a rank-2 tensor

    @property
    def oc(self):
        return (self.wf if self.wf is not None else self.wq).shape[0]


def quantize_weight_f32(wf):
    """default_per_channel_weight_observer + quantize_per_channel (float32)."""
    wf = np.asarray(wf, dtype=F32)
    oc = wf.shape[0]
    flat = wf.reshape(oc, -1)
    if flat.shape[1] == 0:
        raise QrefError("empty weight")
    if not np.all(np.isfinite(flat)):
        raise QrefError("non-finite float weight")
    amax = np.max(np.abs(flat), axis=1).astype(F32)
    scale = (amax / F32(127.5)).astype(F32)
    scale = np.maximum(scale, EPS32).astype(F32)
    inv = (F32(1.0) / scale).astype(F32)
    prod = (flat * inv[:, None]).astype(F32)
    q = np.clip(np.rint(prod), -128, 127).astype(I64)
    return q.reshape(wf.shape), scale.astype(np.float64)


def bn_params(ctx, kw):
    for k in ("gamma", "beta", "mean", "var"):
        if k not in kw:
            raise QrefError("batchnorm needs %s=" % k)
    gamma = ctx.f32(kw["gamma"]).reshape(-1)
    beta = ctx.f32(kw["beta"]).reshape(-1)
    mean = ctx.f32(kw["mean"]).reshape(-1)
    var = ctx.f32(kw["var"]).reshape(-1)
    eps = _as_num(kw["eps"], "eps") if "eps" in kw else 1e-5
    C = gamma.shape[0]
    if not (beta.shape[0] == mean.shape[0] == var.shape[0] == C):
        raise QrefError("batchnorm parameter sizes differ")
    rsqrt = (F32(1.0) / np.sqrt((var + F32(eps)).astype(F32))).astype(F32)
    A = (gamma * rsqrt).astype(F32)
    return gamma, beta, mean, var, rsqrt, A


def fold_bn(spec, ctx, kw):
    gamma, beta, mean, var, rsqrt, A = bn_params(ctx, kw)
    if A.shape[0] != spec.oc:
        raise QrefError("batchnorm has %d channels, conv has %d" % (A.shape[0], spec.oc))
    new = ConvSpec()
    new.__dict__.update(spec.__dict__)
    if spec.bi32 is not None:
        raise QrefError("folding a batchnorm into an i32 (accumulator-unit) bias "
                        "is not defined by docs/arithmetic.md")
    if spec.wf is not None:
        shape = (-1,) + (1,) * (spec.wf.ndim - 1)
        new.wf = (spec.wf * A.reshape(shape)).astype(F32)
    else:
        new.s_w = A.astype(np.float64) * spec.s_w
    b = spec.bf if spec.bf is not None else np.zeros(A.shape, F32)
    if BN_FOLD_BIAS_ORDER == "torch":
        bb = (((b - mean).astype(F32) * rsqrt).astype(F32) * gamma).astype(F32)
        new.bf = (bb + beta).astype(F32)
    else:
        new.bf = ((A * (b - mean).astype(F32)).astype(F32) + beta).astype(F32)
    return new


def standalone_bn_spec(x_name, x_shape, ctx, kw):
    gamma, beta, mean, var, rsqrt, A = bn_params(ctx, kw)
    if len(x_shape) not in (2, 4) or x_shape[1] != A.shape[0]:
        raise QrefError("batchnorm: channel count mismatch")
    spec = ConvSpec()
    spec.x = x_name
    C = A.shape[0]
    spec.wf = A.reshape(C, 1, 1, 1).astype(F32)
    # b' with b = 0, in the same float32 order as folding into a conv
    zero = np.zeros(C, F32)
    spec.bf = ((((zero - mean).astype(F32) * rsqrt).astype(F32) * gamma).astype(F32) + beta).astype(F32)
    spec.groups = C
    spec.flat_out = len(x_shape) == 2
    return spec


def conv_spec_from_args(ctx, op, x_name, kw):
    spec = ConvSpec()
    spec.x = x_name
    spec.linear = op == "linear"
    allowed = {"weight", "bias"} | (set() if spec.linear else
                                    {"stride", "pad", "dilation", "groups"})
    unknown = set(kw) - allowed
    if unknown:
        raise QrefError("%s: unknown arguments %s" % (op, sorted(unknown)))
    if "weight" not in kw:
        raise QrefError("%s needs weight=" % op)
    wv = kw["weight"]
    if wv[0] == "call":
        if wv[1] != "i8":
            raise QrefError("weight: only i8(...) is an already-quantized weight")
        pos, qkw = wv[2], wv[3]
        if len(pos) != 1:
            raise QrefError("i8(DATA, scale=..., zp=..., axis=...)")
        data = ctx.array(pos[0])
        if data.dtype.kind == "f":
            if not np.all(data == np.round(data)):
                raise QrefError("i8 data must be integers")
        wq = data.astype(I64)
        if wq.size and (wq.min() < -128 or wq.max() > 127):
            raise QrefError("i8 data out of range")
        if "scale" not in qkw:
            raise QrefError("i8 weight needs scale=")
        axis = _as_int(qkw["axis"], "axis") if "axis" in qkw else 0
        oc = wq.shape[0]
        s = ctx.f64(qkw["scale"]).reshape(-1)
        z = (ctx.array(qkw["zp"]).reshape(-1) if "zp" in qkw
             else np.zeros(1, I64))
        if s.size > 1 or z.size > 1:
            if axis != 0:
                raise QrefError("per-channel weight qparams must be on axis 0 "
                                "(output channel)")
        if s.size not in (1, oc) or z.size not in (1, oc):
            raise QrefError("weight qparams size mismatch")
        s = np.broadcast_to(s, (oc,)).astype(np.float64).copy()
        if not np.all(np.isfinite(s) & (s > 0)):
            raise QrefError("weight scales must be finite and positive")
        zf = np.broadcast_to(np.asarray(z, np.float64), (oc,))
        if not np.all(zf == np.round(zf)) or zf.min() < -128 or zf.max() > 127:
            raise QrefError("weight zero points must be int8")
        spec.wq, spec.s_w, spec.z_w = wq, s, zf.astype(I64).copy()
    else:
        arr = ctx.array(wv)
        if wv[0] == "str" and arr.dtype.kind != "f":
            raise QrefError("a non-float .npy weight needs i8(..., scale=...)")
        spec.wf = np.asarray(arr, np.float64).astype(F32) if arr.dtype != F32 else arr.copy()
    w = spec.wf if spec.wf is not None else spec.wq
    if spec.linear and w.ndim != 2:
        raise QrefError("linear weight must be [OUT, K]")
    if not spec.linear and w.ndim != 4:
        raise QrefError("conv2d weight must be [OC, IC/groups, KH, KW]")
    oc = w.shape[0]
    if "bias" in kw:
        bv = kw["bias"]
        if bv[0] == "call":
            if bv[1] != "i32" or len(bv[2]) != 1 or bv[3]:
                raise QrefError("bias: expected i32(DATA)")
            b = ctx.array(bv[2][0]).reshape(-1)
            if b.dtype.kind == "f":
                b = np.array([rne_f(v) for v in b], dtype=I64)
            b = b.astype(I64)
            if b.size and (b.min() < -2 ** 31 or b.max() >= 2 ** 31):
                raise QrefError("i32 bias out of range")
            spec.bi32 = b
        else:
            spec.bf = ctx.f32(bv).reshape(-1)
        bl = spec.bi32 if spec.bi32 is not None else spec.bf
        if bl.shape[0] != oc:
            raise QrefError("bias has %d entries, weight %d channels" % (bl.shape[0], oc))
    if not spec.linear:
        spec.stride = _pair(kw["stride"], "stride") if "stride" in kw else (1, 1)
        spec.pad = _pad4(kw["pad"]) if "pad" in kw else (0, 0, 0, 0)
        spec.dil = _pair(kw["dilation"], "dilation") if "dilation" in kw else (1, 1)
        spec.groups = _as_int(kw["groups"], "groups") if "groups" in kw else 1
        if min(spec.stride) < 1 or min(spec.dil) < 1 or min(spec.pad) < 0 or spec.groups < 1:
            raise QrefError("bad stride/dilation/pad/groups")
    return spec


# --------------------------------------------------------------------------
# Kernels (all logical NCHW, int64)
# --------------------------------------------------------------------------

def out_size(n, k, s, p0, p1, d):
    o = (n + p0 + p1 - d * (k - 1) - 1) // s + 1
    if o < 1:
        raise QrefError("output size < 1")
    return o


def conv_sum(xd, wd, stride, pad, dil, groups):
    """sum (x - z_x)(w - z_w): xd = x - z_x (int64 NCHW), wd = w - z_w
    (int64 [OC, ICg, KH, KW]); padding stands for x = z_x, i.e. xd = 0."""
    N, C, H, W = xd.shape
    OC, ICg, KH, KW = wd.shape
    if C != ICg * groups or OC % groups:
        raise QrefError("conv: channels %d, weight %s, groups %d" % (C, wd.shape, groups))
    sh, sw = stride
    dh, dw = dil
    pt, pl, pb, pr = pad
    OH = out_size(H, KH, sh, pt, pb, dh)
    OW = out_size(W, KW, sw, pl, pr, dw)
    xp = np.zeros((N, C, H + pt + pb, W + pl + pr), I64)
    xp[:, :, pt:pt + H, pl:pl + W] = xd
    acc = np.zeros((N, OC, OH, OW), I64)
    OCg = OC // groups
    for g in range(groups):
        xs = xp[:, g * ICg:(g + 1) * ICg]
        ws = wd[g * OCg:(g + 1) * OCg]
        for kh in range(KH):
            for kw in range(KW):
                h0, w0 = kh * dh, kw * dw
                patch = xs[:, :, h0:h0 + (OH - 1) * sh + 1:sh, w0:w0 + (OW - 1) * sw + 1:sw]
                # [OCg, ICg] x [N, ICg, OH, OW] -> [OCg, N, OH, OW]
                t = np.tensordot(ws[:, :, kh, kw], patch, axes=([1], [1]))
                acc[:, g * OCg:(g + 1) * OCg] += t.transpose(1, 0, 2, 3)
    return acc


def check_int32(a, what):
    if a.size and (a.min() < -2 ** 31 or a.max() > 2 ** 31 - 1):
        raise QrefError("%s leaves int32" % what)


class Step:
    def __init__(self, name, kind, **kw):
        self.name = name
        self.kind = kind
        self.__dict__.update(kw)


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

FUSABLE_PRODUCERS = ("conv2d", "linear", "batchnorm", "add", "requantize")
ACTIVATIONS = ("relu", "relu6", "clamp", "hardtanh")


CONTRACTS = ("integer", "pytorch")


class Model:
    def __init__(self, text, base, contract="integer"):
        if contract not in CONTRACTS:
            raise QrefError("unknown contract %r" % contract)
        self.contract = contract
        self.ctx = Ctx(base)
        self.name = None
        self.inputs = []            # [(name, dtype, shape, qp)]
        self.outputs = []
        self.steps = []             # executable steps, in order
        self.info = {}              # name -> (dtype, shape, qp) materialised
        self.tensors = {}           # filled by run()
        self._build(Parser(tokenize(text)).program())

    # -- planning -----------------------------------------------------------
    def _build(self, stmts):
        if not stmts or stmts[0][0] != "model":
            raise QrefError("`model NAME` must come first")
        self.name = stmts[0][1]
        ops = []
        defined = set()
        for st in stmts[1:]:
            if st[0] == "model":
                raise QrefError("`model` appears twice")
            if st[0] == "output":
                self.outputs.extend(st[1])
            elif st[0] == "input":
                _, name, dtype, shape, qargs, line = st
                if name in defined:
                    raise QrefError("line %d: %s defined twice" % (line, name))
                defined.add(name)
                dims = [_as_int(d, "shape") for d in shape[1]]
                if dtype not in NP_DTYPES or any(d < 1 for d in dims):
                    raise QrefError("line %d: bad input declaration" % line)
                if dtype == "f32":
                    if qargs is not None:
                        raise QrefError("line %d: f32 input takes no qparams" % line)
                    qp = None
                else:
                    if qargs is None:
                        raise QrefError("line %d: %s input needs qparams" % (line, dtype))
                    # the language reference writes `(QPARAMS)` after the shape; accept both
                    # `(scale=.., zp=..)` and `(u8(scale=.., zp=..))`.
                    pos, kw = qargs
                    if (len(pos) == 1 and not kw and pos[0][0] == "call"
                            and pos[0][1] in QDTYPES):
                        if pos[0][1] != dtype:
                            raise QrefError("line %d: qparams dtype %s != %s"
                                            % (line, pos[0][1], dtype))
                        qargs = (pos[0][2], pos[0][3])
                    qp = parse_qparams(dtype, qargs)
                self.inputs.append((name, dtype, tuple(dims), qp))
                ops.append(("input", name))
            else:
                _, name, op, pos, kw, ann, line = st
                if name in defined:
                    raise QrefError("line %d: %s defined twice" % (line, name))
                for p in pos:
                    if p[0] == "id" and p[1] not in defined:
                        raise QrefError("line %d: %s used before definition" % (line, p[1]))
                defined.add(name)
                ops.append(st)
        for o in self.outputs:
            if o not in defined:
                raise QrefError("output %s is not defined" % o)
        if not self.outputs:
            raise QrefError("no output")

        # consumers of each name
        self.consumers = {}
        for st in ops:
            if st[0] == "op":
                for p in st[3]:
                    if p[0] == "id":
                        self.consumers.setdefault(p[1], []).append(st)

        for name, dtype, shape, qp in self.inputs:
            self.info[name] = (dtype, shape, qp)
        self.pending = {}          # name -> (kind, spec, shape) unmaterialised
        self.op_of = {}            # name -> op string
        self.deq_src = {}          # dequantize name -> its input name
        for st in ops:
            if st[0] == "input":
                self.op_of[st[1]] = "input"
                continue
            try:
                self._plan(st)
            except QrefError as e:
                if str(e).startswith("line "):
                    raise
                raise QrefError("line %d (%s = %s): %s" % (st[6], st[1], st[2], e))
        for name in self.pending:
            raise QrefError("%s has no output qparams and nothing to fuse into" % name)
        for o in self.outputs:
            if o not in self.info:
                raise QrefError("output %s is never materialised" % o)

    def _sole_consumer(self, name):
        cons = self.consumers.get(name, [])
        if len(cons) != 1 or name in self.outputs:
            return None
        return cons[0]

    def _annot(self, ann):
        """-> (given?, dtype, qp)"""
        if ann is None:
            return False, None, None
        dt, qargs = ann
        return True, dt, parse_qparams(dt, qargs)

    def _tensor_inputs(self, pos):
        names = [p[1] for p in pos if p[0] == "id"]
        extra = [p for p in pos if p[0] != "id"]
        return names, extra

    def _mat(self, name):
        if name not in self.info:
            raise QrefError("%s is not a materialised tensor (missing qparams?)" % name)
        return self.info[name]

    def _qin(self, name):
        dt, shape, qp = self._mat(name)
        if qp is None:
            raise QrefError("%s is not quantized" % name)
        return dt, shape, qp

    def _emit(self, step, dtype, shape, qp):
        self.steps.append(step)
        self.info[step.name] = (dtype, tuple(shape), qp)

    def _conv_out_shape(self, spec, xshape):
        if spec.linear:
            if len(xshape) != 2:
                raise QrefError("linear input must be [N, K]")
            w = spec.wf if spec.wf is not None else spec.wq
            if xshape[1] != w.shape[1]:
                raise QrefError("linear: K mismatch %d vs %d" % (xshape[1], w.shape[1]))
            return (xshape[0], w.shape[0])
        if spec.flat_out:
            return tuple(xshape)
        if len(xshape) != 4:
            raise QrefError("conv2d input must be rank 4")
        w = spec.wf if spec.wf is not None else spec.wq
        OC, ICg, KH, KW = w.shape
        if xshape[1] != ICg * spec.groups or OC % spec.groups:
            raise QrefError("conv2d: input channels %d, weight %s, groups %d"
                            % (xshape[1], w.shape, spec.groups))
        OH = out_size(xshape[2], KH, spec.stride[0], spec.pad[0], spec.pad[2], spec.dil[0])
        OW = out_size(xshape[3], KW, spec.stride[1], spec.pad[1], spec.pad[3], spec.dil[1])
        return (xshape[0], OC, OH, OW)

    def _finish_conv(self, name, spec, qp, lo, hi):
        """Quantize float weights, derive multipliers, emit the step."""
        xdt, xshape, xqp = self._qin(spec.x)
        if spec.wf is not None:
            wq, s_w = quantize_weight_f32(spec.wf)
            z_w = np.zeros(wq.shape[0], I64)
        else:
            wq, s_w, z_w = spec.wq, spec.s_w, spec.z_w
        oc = wq.shape[0]
        s_x = xqp.scale
        # bias term in accumulator units, PyTorch's way: the bias scale
        # s_x * s_w is a double product stored as float32, then
        # rne(b * (1.0f / scale)) in float32
        if spec.bi32 is not None:
            bterm = spec.bi32.astype(I64)
        elif spec.bf is not None:
            def bias_q(b, sw):
                if F32(b) == 0:
                    return 0
                with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                    v = F32(b) * (F32(1.0) / F32(s_x * sw))
                return rne_f(v)
            bterm = np.array([bias_q(spec.bf[c], float(s_w[c])) for c in range(oc)], dtype=object)
            for c in range(oc):
                if not (-2 ** 31 <= bterm[c] < 2 ** 31):
                    raise QrefError("folded bias of channel %d outside int32" % c)
            bterm = bterm.astype(I64)
        else:
            bterm = np.zeros(oc, I64)
        # reproduce the compile-time "B[c] outside int32" check
        K = int(np.prod(wq.shape[1:]))
        z_x = xqp.zp
        for c in range(oc):
            B = int(bterm[c]) - z_x * int(wq[c].sum()) + K * z_x * int(z_w[c])
            if not (-2 ** 31 <= B < 2 ** 31):
                raise QrefError("folded bias B[%d] = %d outside int32" % (c, B))
        mn = [derive_mn(s_x * float(s_w[c]) / qp.scale) for c in range(oc)]
        m = np.array([a for a, _ in mn], I64)
        n = np.array([b for _, b in mn], I64)
        shape = self._conv_out_shape(spec, xshape)
        step = Step(name, "conv", x=spec.x, wq=wq, z_w=z_w, bterm=bterm, m=m, n=n,
                    qp=qp, lo=lo, hi=hi, spec=spec, s_w=s_w)
        self._emit(step, qp.dtype, shape, qp)

    def _act_bounds(self, op, kw, extra, qp):
        if op == "relu":
            if kw or extra:
                raise QrefError("relu takes no arguments")
            return qp.zp, qp.qmax
        if op == "relu6":
            if kw or extra:
                raise QrefError("relu6 takes no arguments")
            with np.errstate(over="ignore"):
                v = float(F32(6.0) * f32_inv(qp.scale))
            hi = qp.qmax if math.isinf(v) else min(qp.qmax, qp.zp + rne_f(v))
            return qp.zp, hi
        if op == "clamp":
            a_name, b_name, da, db = "min", "max", None, None
        else:                       # hardtanh
            a_name, b_name, da, db = "min_val", "max_val", -1.0, 1.0
        unknown = set(kw) - {a_name, b_name}
        if unknown or extra:
            raise QrefError("%s: unexpected arguments" % op)
        a = _as_num(kw[a_name], a_name) if a_name in kw else da
        b = _as_num(kw[b_name], b_name) if b_name in kw else db
        lo = qp.qmin if a is None else quant_bound(a, qp)
        hi = qp.qmax if b is None else quant_bound(b, qp)
        return lo, hi

    def _plan(self, st):
        _, name, op, pos, kw, ann, line = st
        self.op_of[name] = op
        given, adt, aqp = self._annot(ann)
        ins, extra = self._tensor_inputs(pos)
        cons = self._sole_consumer(name)

        def want_inputs(k):
            if len(ins) != k or (extra and op not in ("adaptive_avgpool2d",)):
                raise QrefError("%s expects %d tensor input(s)" % (op, k))

        def defer_to(kinds):
            """Producer without qparams whose only consumer is one of kinds."""
            return cons is not None and cons[2] in kinds

        # ------------------------------------------------ conv2d / linear
        if op in ("conv2d", "linear"):
            want_inputs(1)
            xdt, xshape, xqp = self._qin(ins[0])
            spec = conv_spec_from_args(self.ctx, op, ins[0], kw)
            shape = self._conv_out_shape(spec, xshape)
            if not given and defer_to(("batchnorm",)):
                # no qparams of its own: folded into the batchnorm
                self.pending[name] = ("conv", spec, shape)
            elif not given and defer_to(ACTIVATIONS):
                self.pending[name] = ("conv", spec, shape)
            else:
                if not given or aqp is None:
                    raise QrefError("%s output needs quantized qparams" % op)
                self._finish_conv(name, spec, aqp, aqp.qmin, aqp.qmax)
            return

        if op == "batchnorm":
            want_inputs(1)
            src = ins[0]
            if src in self.pending and self.pending[src][0] == "conv":
                _, pspec, shape = self.pending.pop(src)
                spec = fold_bn(pspec, self.ctx, kw)
            else:
                xdt, xshape, xqp = self._qin(src)
                spec = standalone_bn_spec(src, xshape, self.ctx, kw)
                shape = xshape
            if not given and defer_to(ACTIVATIONS):
                self.pending[name] = ("conv", spec, shape)
            else:
                if not given or aqp is None:
                    raise QrefError("batchnorm output needs quantized qparams")
                self._finish_conv(name, spec, aqp, aqp.qmin, aqp.qmax)
            return

        if op in ACTIVATIONS:
            want_inputs(1)
            src = ins[0]
            if src in self.pending:
                kind, spec, shape = self.pending.pop(src)
                if not given or aqp is None:
                    raise QrefError("%s fused into %s needs qparams" % (op, src))
                lo, hi = self._act_bounds(op, kw, extra, aqp)
                if kind == "conv":
                    self._finish_conv(name, spec, aqp, lo, hi)
                elif kind == "add":
                    self._finish_add(name, spec, aqp, lo, hi)
                elif kind == "requantize":
                    self._finish_requant(name, spec, aqp, lo, hi)
                return
            xdt, xshape, xqp = self._qin(src)
            qp = aqp if given else xqp
            if qp is None:
                raise QrefError("%s output must be quantized" % op)
            lo, hi = self._act_bounds(op, kw, extra, qp)
            if qp.same(xqp):
                self._emit(Step(name, "clamp", x=src, lo=lo, hi=hi), qp.dtype, xshape, qp)
            else:
                self._finish_requant(name, src, qp, lo, hi)
            return

        if op == "add":
            want_inputs(2)
            _, sa, qa = self._qin(ins[0])
            _, sb, qb = self._qin(ins[1])
            if sa != sb:
                raise QrefError("add: shapes differ %s vs %s" % (sa, sb))
            if kw:
                raise QrefError("add takes no named arguments")
            spec = (ins[0], ins[1])
            if not given and defer_to(ACTIVATIONS):
                self.pending[name] = ("add", spec, sa)
            else:
                if not given or aqp is None:
                    raise QrefError("add output needs quantized qparams")
                self._finish_add(name, spec, aqp, aqp.qmin, aqp.qmax)
            return

        if op == "requantize":
            want_inputs(1)
            _, xshape, xqp = self._qin(ins[0])
            if kw:
                raise QrefError("requantize takes no named arguments")
            if not given and defer_to(ACTIVATIONS):
                self.pending[name] = ("requantize", ins[0], xshape)
            else:
                if not given or aqp is None:
                    raise QrefError("requantize output needs quantized qparams")
                self._finish_requant(name, ins[0], aqp, aqp.qmin, aqp.qmax)
            return

        if op == "quantize":
            want_inputs(1)
            if kw:
                raise QrefError("quantize takes no named arguments")
            if not given or aqp is None:
                raise QrefError("quantize needs output qparams")
            src = ins[0]
            xdt, xshape, xqp = self._mat(src)
            if xdt != "f32":
                raise QrefError("quantize input must be f32")
            if src in self.deq_src:
                # quantize(dequantize(q)) is a requantize (a copy when equal)
                q_src = self.deq_src[src]
                _, _, sqp = self._qin(q_src)
                if sqp.same(aqp):
                    self._emit(Step(name, "copy", x=q_src), aqp.dtype, xshape, aqp)
                else:
                    self._finish_requant(name, q_src, aqp, aqp.qmin, aqp.qmax)
                return
            self._emit(Step(name, "quantize", x=src, qp=aqp), aqp.dtype, xshape, aqp)
            return

        if op == "dequantize":
            want_inputs(1)
            if kw:
                raise QrefError("dequantize takes no named arguments")
            if given and adt != "f32":
                raise QrefError("dequantize gives f32")
            _, xshape, xqp = self._qin(ins[0])
            self.deq_src[name] = ins[0]
            self._emit(Step(name, "dequantize", x=ins[0], qp=xqp), "f32", xshape, None)
            return

        if op == "concat":
            if len(ins) < 1 or extra:
                raise QrefError("concat needs tensor inputs")
            axis = _as_int(kw["axis"], "axis") if "axis" in kw else 1
            if set(kw) - {"axis"}:
                raise QrefError("concat: unknown arguments")
            if not given or aqp is None:
                raise QrefError("concat needs output qparams")
            shapes = [self._qin(i)[1] for i in ins]
            r = len(shapes[0])
            if axis < 0:
                axis += r
            if axis != 1 or r < 2:
                raise QrefError("concat: channels (axis=1) only")
            for s in shapes:
                if len(s) != r or s[:1] != shapes[0][:1] or s[2:] != shapes[0][2:]:
                    raise QrefError("concat: shape mismatch")
            parts = []
            for i in ins:
                _, _, iqp = self._qin(i)
                if iqp.same(aqp):
                    parts.append((i, None))
                else:
                    parts.append((i, derive_mn(iqp.scale / aqp.scale)))
            shape = list(shapes[0])
            shape[1] = sum(s[1] for s in shapes)
            self._emit(Step(name, "concat", parts=parts, qp=aqp), aqp.dtype, shape, aqp)
            return

        if op in ("maxpool2d", "avgpool2d", "global_avgpool", "adaptive_avgpool2d"):
            want_inputs(1)
            xdt, xshape, xqp = self._qin(ins[0])
            if len(xshape) != 4:
                raise QrefError("%s needs a rank-4 input" % op)
            N, C, H, W = xshape
            if op in ("global_avgpool", "adaptive_avgpool2d"):
                if op == "adaptive_avgpool2d":
                    outsz = extra[0] if extra else kw.get("output_size")
                    if outsz not in (("num", 1), ("list", [("num", 1), ("num", 1)])):
                        raise QrefError("adaptive_avgpool2d: only output size 1")
                    if set(kw) - {"output_size"}:
                        raise QrefError("unknown arguments")
                elif kw:
                    raise QrefError("global_avgpool takes no named arguments")
                k, s, pad, dil, cip = (H, W), (H, W), (0, 0, 0, 0), (1, 1), True
            else:
                known = {"kernel", "stride", "pad"} | (
                    {"dilation"} if op == "maxpool2d" else {"count_include_pad"})
                if set(kw) - known or "kernel" not in kw:
                    raise QrefError("%s: bad arguments" % op)
                k = _pair(kw["kernel"], "kernel")
                s = _pair(kw["stride"], "stride") if "stride" in kw else k
                pad = _pad4(kw["pad"]) if "pad" in kw else (0, 0, 0, 0)
                dil = _pair(kw["dilation"], "dilation") if "dilation" in kw else (1, 1)
                cip = _bool(kw["count_include_pad"], "count_include_pad") \
                    if "count_include_pad" in kw else True
                if min(k) < 1 or min(s) < 1 or min(dil) < 1 or min(pad) < 0:
                    raise QrefError("bad pooling parameters")
                if max(pad[0], pad[2]) >= k[0] or max(pad[1], pad[3]) >= k[1]:
                    raise QrefError("pooling requires pad < kernel")
            OH = out_size(H, k[0], s[0], pad[0], pad[2], dil[0])
            OW = out_size(W, k[1], s[1], pad[1], pad[3], dil[1])
            shape = (N, C, OH, OW)
            if op == "maxpool2d":
                if given and not (aqp is not None and aqp.same(xqp)):
                    raise QrefError("maxpool2d output qparams must be its input's")
                self._emit(Step(name, "maxpool", x=ins[0], k=k, s=s, pad=pad, dil=dil),
                           xdt, shape, xqp)
            else:
                qp = aqp if given else xqp
                if qp is None:
                    raise QrefError("avgpool output must be quantized")
                # cnt per output position
                ones = np.ones((1, 1, H, W), I64)
                if cip:
                    cnt = np.full((OH, OW), k[0] * k[1], I64)
                else:
                    cnt = conv_sum(ones, np.ones((1, 1, k[0], k[1]), I64), s, pad,
                                   (1, 1), 1)[0, 0]
                mn = {}
                for c in np.unique(cnt):
                    c = int(c)
                    mn[c] = derive_mn(xqp.scale / (qp.scale * c))
                m = np.vectorize(lambda c: mn[int(c)][0], otypes=[object])(cnt).astype(I64)
                n = np.vectorize(lambda c: mn[int(c)][1], otypes=[object])(cnt).astype(I64)
                self._emit(Step(name, "avgpool", x=ins[0], k=k, s=s, pad=pad,
                                m=m, n=n, qp=qp), qp.dtype, shape, qp)
            return

        if op == "matmul":
            want_inputs(2)
            if kw:
                raise QrefError("matmul takes no named arguments")
            _, sa, qa = self._qin(ins[0])
            _, sb, qb = self._qin(ins[1])
            if len(sa) != 2 or len(sb) != 2 or sa[1] != sb[0]:
                raise QrefError("matmul: shapes %s x %s" % (sa, sb))
            if not given or aqp is None:
                raise QrefError("matmul needs output qparams")
            m, n = derive_mn(qa.scale * qb.scale / aqp.scale)
            self._emit(Step(name, "matmul", a=ins[0], b=ins[1], m=m, n=n, qp=aqp),
                       aqp.dtype, (sa[0], sb[1]), aqp)
            return

        if op in ("flatten", "reshape"):
            want_inputs(1)
            xdt, xshape, xqp = self._mat(ins[0])
            if op == "flatten":
                if kw:
                    raise QrefError("flatten takes no named arguments")
                shape = (xshape[0], int(np.prod(xshape[1:])))
            else:
                if set(kw) != {"shape"} or kw["shape"][0] != "list":
                    raise QrefError("reshape(x, shape=[...])")
                dims = [_as_int(d, "shape") for d in kw["shape"][1]]
                total = int(np.prod(xshape))
                if dims.count(-1) > 1 or any(d < -1 or d == 0 for d in dims):
                    raise QrefError("reshape: bad shape %s" % dims)
                if -1 in dims:
                    known = int(np.prod([d for d in dims if d != -1]))
                    if total % known:
                        raise QrefError("reshape: cannot infer -1")
                    dims[dims.index(-1)] = total // known
                if int(np.prod(dims)) != total:
                    raise QrefError("reshape: %s to %s" % (xshape, dims))
                shape = tuple(dims)
            if given and not ((aqp is None and xqp is None) or
                              (aqp is not None and aqp.same(xqp))):
                raise QrefError("%s output qparams must be its input's" % op)
            self._emit(Step(name, "reshape", x=ins[0], shape=shape), xdt, shape, xqp)
            return

        raise QrefError("unknown op %r" % op)

    def _finish_add(self, name, spec, qp, lo, hi):
        a, b = spec
        _, sa, qa = self._qin(a)
        _, sb, qb = self._qin(b)
        (ma, mb), n = derive_shared_mn([qa.scale / qp.scale, qb.scale / qp.scale])
        self._emit(Step(name, "add", a=a, b=b, ma=ma, mb=mb, n=n, qp=qp, lo=lo, hi=hi),
                   qp.dtype, sa, qp)

    def _finish_requant(self, name, src, qp, lo, hi):
        _, xshape, xqp = self._qin(src)
        m, n = derive_mn(xqp.scale / qp.scale)
        self._emit(Step(name, "requant", x=src, m=m, n=n, qp=qp, lo=lo, hi=hi),
                   qp.dtype, xshape, qp)

    # -- execution ----------------------------------------------------------
    def run(self, inputs):
        if len(inputs) != len(self.inputs):
            raise QrefError("expected %d inputs, got %d" % (len(self.inputs), len(inputs)))
        T = {}
        for (name, dtype, shape, qp), arr in zip(self.inputs, inputs):
            arr = np.asarray(arr)
            if arr.size != int(np.prod(shape)):
                raise QrefError("input %s: %d elements, expected %s" % (name, arr.size, shape))
            if dtype == "f32":
                T[name] = arr.astype(F32).reshape(shape)
            else:
                lo, hi, npdt = QDTYPES[dtype]
                a = arr.astype(np.int64)
                if a.size and (a.min() < lo or a.max() > hi):
                    raise QrefError("input %s out of %s range" % (name, dtype))
                T[name] = a.astype(npdt).reshape(shape)
        for st in self.steps:
            T[st.name] = self._exec(st, T)
            dt, shape, _ = self.info[st.name]
            assert T[st.name].shape == tuple(shape), (st.name, T[st.name].shape, shape)
            assert T[st.name].dtype == NP_DTYPES[dt], (st.name, T[st.name].dtype, dt)
        self.tensors = T
        return [T[o] for o in self.outputs]

    def _exec(self, st, T):
        k = st.kind
        if k == "conv":
            spec = st.spec
            x = T[spec.x].astype(I64)
            _, _, xqp = self.info[spec.x]
            xd = x - xqp.zp
            wd = st.wq - st.z_w.reshape((-1,) + (1,) * (st.wq.ndim - 1))
            if spec.linear or spec.flat_out:
                x4 = xd.reshape(xd.shape[0], xd.shape[1], 1, 1)
                w4 = wd.reshape(wd.shape[0], wd.shape[1], 1, 1) if spec.linear else wd
                acc = conv_sum(x4, w4, (1, 1), (0, 0, 0, 0), (1, 1), spec.groups)
                acc = acc.reshape(acc.shape[0], acc.shape[1])
                bshape = (1, -1)
            else:
                acc = conv_sum(xd, wd, spec.stride, spec.pad, spec.dil, spec.groups)
                bshape = (1, -1, 1, 1)
            check_int32(acc, "%s: sum of products" % st.name)
            acc = acc + st.bterm.reshape(bshape)
            check_int32(acc, "%s: accumulator" % st.name)
            if self.contract == "pytorch":
                y = st.qp.zp + qnnpack_requant(acc, st.s_w, xqp.scale, st.qp.scale, bshape)
            else:
                y = st.qp.zp + rshr(acc * st.m.reshape(bshape), st.n.reshape(bshape))
            return sat(y, st.lo, st.hi).astype(st.qp.np)
        if k == "requant":
            _, _, xqp = self.info[st.x]
            d = T[st.x].astype(I64) - xqp.zp
            y = st.qp.zp + rshr(d * st.m, st.n)
            return sat(y, st.lo, st.hi).astype(st.qp.np)
        if k == "clamp":
            return sat(T[st.x].astype(I64), st.lo, st.hi).astype(T[st.x].dtype)
        if k == "copy":
            return T[st.x].copy()
        if k == "add":
            _, _, qa = self.info[st.a]
            _, _, qb = self.info[st.b]
            da = T[st.a].astype(I64) - qa.zp
            db = T[st.b].astype(I64) - qb.zp
            if self.contract == "pytorch" and qa.dtype == qb.dtype == st.qp.dtype == "u8":
                y = st.qp.zp + qnnpack_add(da, qa.scale, db, qb.scale, st.qp.scale)
            else:
                y = st.qp.zp + rshr(da * st.ma + db * st.mb, st.n)
            return sat(y, st.lo, st.hi).astype(st.qp.np)
        if k == "quantize":
            x = T[st.x].astype(F32)
            inv = f32_inv(st.qp.scale)
            with np.errstate(over="ignore", invalid="ignore"):
                v = np.rint((x * inv).astype(F32))
            nan = np.isnan(v)
            v = np.where(nan, F32(0), v)
            v = np.clip(v, F32(-1e9), F32(1e9)).astype(I64)
            y = sat(st.qp.zp + v, st.qp.qmin, st.qp.qmax)
            return y.astype(st.qp.np)
        if k == "dequantize":
            d = (T[st.x].astype(I64) - st.qp.zp).astype(F32)
            return (d * F32(st.qp.scale)).astype(F32)
        if k == "concat":
            outs = []
            for name, mn in st.parts:
                if mn is None:
                    outs.append(T[name].astype(I64))
                else:
                    _, _, iqp = self.info[name]
                    d = T[name].astype(I64) - iqp.zp
                    y = st.qp.zp + rshr(d * mn[0], mn[1])
                    outs.append(sat(y, st.qp.qmin, st.qp.qmax))
            return np.concatenate(outs, axis=1).astype(st.qp.np)
        if k == "maxpool":
            x = T[st.x].astype(I64)
            N, C, H, W = x.shape
            pt, pl, pb, pr = st.pad
            NEG = -(1 << 40)
            xp = np.full((N, C, H + pt + pb, W + pl + pr), NEG, I64)
            xp[:, :, pt:pt + H, pl:pl + W] = x
            _, _, OH, OW = self.info[st.name][1]
            y = np.full((N, C, OH, OW), NEG, I64)
            for kh in range(st.k[0]):
                for kw in range(st.k[1]):
                    h0, w0 = kh * st.dil[0], kw * st.dil[1]
                    y = np.maximum(y, xp[:, :, h0:h0 + (OH - 1) * st.s[0] + 1:st.s[0],
                                         w0:w0 + (OW - 1) * st.s[1] + 1:st.s[1]])
            if (y == NEG).any():
                raise QrefError("%s: a pooling window lies entirely in padding" % st.name)
            return y.astype(T[st.x].dtype)
        if k == "avgpool":
            x = T[st.x].astype(I64)
            _, _, xqp = self.info[st.x]
            N, C, H, W = x.shape
            xd = (x - xqp.zp).reshape(N * C, 1, H, W)
            S = conv_sum(xd, np.ones((1, 1, st.k[0], st.k[1]), I64), st.s, st.pad,
                         (1, 1), 1)
            S = S.reshape(N, C, S.shape[2], S.shape[3])
            y = st.qp.zp + rshr_even(S * st.m, st.n)
            return sat(y, st.qp.qmin, st.qp.qmax).astype(st.qp.np)
        if k == "matmul":
            _, _, qa = self.info[st.a]
            _, _, qb = self.info[st.b]
            a = T[st.a].astype(I64) - qa.zp
            b = T[st.b].astype(I64) - qb.zp
            acc = a @ b
            check_int32(acc, "%s: accumulator" % st.name)
            y = st.qp.zp + rshr(acc * st.m, st.n)
            return sat(y, st.qp.qmin, st.qp.qmax).astype(st.qp.np)
        if k == "reshape":
            return T[st.x].reshape(st.shape).copy()
        raise AssertionError(k)


def load(path, contract="integer"):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return Model(text, os.path.dirname(os.path.abspath(path)), contract)


def loads(text, base=".", contract="integer"):
    return Model(text, base, contract)


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="qcc numpy reference evaluator")
    ap.add_argument("net")
    ap.add_argument("--in", dest="ins", action="append", default=[])
    ap.add_argument("--out", dest="outs", action="append", default=[])
    ap.add_argument("--dump")
    ap.add_argument("--contract", choices=CONTRACTS, default="integer")
    a = ap.parse_args(argv)
    try:
        model = load(a.net, a.contract)
        if len(a.ins) != len(model.inputs):
            raise QrefError("model has %d inputs, %d --in given"
                            % (len(model.inputs), len(a.ins)))
        if len(a.outs) > len(model.outputs):
            raise QrefError("model has %d outputs, %d --out given"
                            % (len(model.outputs), len(a.outs)))
        arrays = []
        for (name, dtype, shape, qp), path in zip(model.inputs, a.ins):
            raw = np.fromfile(path, dtype=np.dtype(NP_DTYPES[dtype]).newbyteorder("<"))
            if raw.size != int(np.prod(shape)):
                raise QrefError("%s: %d elements, input %s needs %s"
                                % (path, raw.size, name, shape))
            arrays.append(raw.reshape(shape))
        outs = model.run(arrays)
    except QrefError as e:
        print("qref: error: %s" % e, file=sys.stderr)
        return 1
    for arr, path in zip(outs, a.outs):
        np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tofile(path)
    if a.dump:
        os.makedirs(a.dump, exist_ok=True)
        for name, arr in model.tensors.items():
            np.save(os.path.join(a.dump, name + ".npy"), arr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
