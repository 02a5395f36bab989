#!/usr/bin/python3
"""Generate qcc's sample networks from PyTorch eager-mode quantized models.

    /usr/bin/python3 samples/gen_samples.py [NAME ...]      (default: all)

For every sample NAME in SAMPLES this builds a small float CNN with fixed
seeds, quantizes it with PyTorch's eager-mode flow (fuse_modules, prepare,
calibrate on fixed synthetic inputs, convert; engine 'qnnpack'), and writes

    samples/NAME/NAME.q        the network in the .q language (README.md, "The language")
    samples/NAME/w/*.npy       its constants
    samples/NAME/input.bin     one example input, raw float32 NCHW
    samples/NAME/NAME.pt       the float and the converted torch models' state
                               dicts, so that tests can load the very models
                               the sample was exported from

The three samples exercise different parts of the language:

  lenet    already-quantized int8 weights with per-channel scales taken from
           the converted model (`weight=i8("w/c1.w.npy", scale=..., axis=0)`),
           float biases, fused conv/linear+relu, maxpool, flatten.
  resnet8  float weights and explicit `batchnorm(...)` + `relu(...)`
           statements from the *unfused* float model; qcc folds BN and
           quantizes the weights itself.  Residual `add` with its own qparams,
           followed by a standalone relu; 1x1 shortcut convs; global_avgpool.
  dsnet    float weights + batchnorm, depthwise (groups=C) and pointwise convs,
           relu6 and hardtanh(0, 6) as standalone activations in the conv's
           output domain, an inverted-residual add without activation.

Every activation's scale/zero point in the .q is the one of the converted
torch model (i.e. of the calibrated observers), written with repr() so the
float32 value round-trips exactly.

Training is float arithmetic whose last bits depend on the CPU's vector
width, so build(NAME) (train, calibrate, convert) reproduces a sample only on
the CPU kind that made it.  load(NAME) rebuilds the models from NAME.pt with
no training and exports them again; tests/torch/compare_torch.py uses it and
checks that the export is byte for byte the committed sample, on any CPU.
"""

import io
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import (DeQuantStub, MinMaxObserver, QConfig,
                                   QuantStub, convert,
                                   default_per_channel_weight_observer,
                                   fuse_modules, prepare)

SAMPLES = ("lenet", "resnet8", "dsnet")
HERE = os.path.dirname(os.path.abspath(__file__))

# Activations: per-tensor affine quint8 over the full 0..255 range; weights:
# per-channel symmetric qint8 (scale = max|w| / 127.5).
QCONFIG = QConfig(
    activation=MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=False),
    weight=default_per_channel_weight_observer)

N_CALIB = 32            # calibration batch size


def setup_torch():
    """Deterministic single-threaded QNNPACK execution."""
    torch.backends.quantized.engine = "qnnpack"
    torch.set_num_threads(1)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

INPUT_SHAPE = {"lenet": (1, 1, 28, 28), "resnet8": (1, 3, 32, 32),
               "dsnet": (1, 3, 32, 32)}


def _prototypes(name):
    """Ten fixed class prototypes per sample (the synthetic task's classes)."""
    g = torch.Generator().manual_seed(SEEDS[name] + 100)
    _, c, h, w = INPUT_SHAPE[name]
    if name == "lenet":
        # MNIST-like: 3 bright strokes (rectangles) on black per class
        protos = torch.zeros(10, c, h, w)
        for k in range(10):
            for _ in range(3):
                y0, x0 = torch.randint(4, 20, (2,), generator=g).tolist()
                hh, ww = torch.randint(2, 9, (2,), generator=g).tolist()
                protos[k, 0, y0:y0 + hh, x0:x0 + ww] = 1.0
        return protos
    # CIFAR-like: smooth random colour fields
    noise = torch.randn(10, c, h // 8, w // 8, generator=g)
    return nn.functional.interpolate(noise, size=(h, w), mode="bilinear",
                                     align_corners=False)


def dataset(name, n, seed):
    """n labelled synthetic inputs for sample `name`: (x [n,C,H,W] f32, y [n]).

    Each input is a random class prototype, randomly shifted (lenet) or
    scaled, plus structured and white noise: an easy but not trivial task,
    so the trained net has real, input-dependent decisions.
    """
    g = torch.Generator().manual_seed(seed)
    _, c, h, w = INPUT_SHAPE[name]
    protos = _prototypes(name)
    y = torch.randint(0, 10, (n,), generator=g)
    if name == "lenet":
        x = torch.empty(n, c, h, w)
        for i in range(n):
            dy, dx = torch.randint(-2, 3, (2,), generator=g).tolist()
            x[i] = torch.roll(protos[y[i]], (dy, dx), (1, 2))
        x = x * (0.6 + 0.4 * torch.rand(n, 1, 1, 1, generator=g))
        x = x + 0.15 * torch.rand(n, c, h, w, generator=g)
        return x.clamp(0, 1), y
    a = 0.7 + 0.6 * torch.rand(n, 1, 1, 1, generator=g)
    smooth = nn.functional.interpolate(torch.randn(n, c, h // 4, w // 4, generator=g),
                                       size=(h, w), mode="bilinear", align_corners=False)
    x = a * protos[y] + 0.6 * smooth + 0.3 * torch.randn(n, c, h, w, generator=g)
    return x, y


def random_inputs(name, n, seed):
    """n synthetic inputs (float32 NCHW) from the sample's input distribution."""
    return dataset(name, n, seed)[0]


# --------------------------------------------------------------------------
# Float models
# --------------------------------------------------------------------------

class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.r1 = nn.ReLU()
        self.p1 = nn.MaxPool2d(2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.r2 = nn.ReLU()
        self.p2 = nn.MaxPool2d(2)
        self.f1 = nn.Linear(400, 120)
        self.r3 = nn.ReLU()
        self.f2 = nn.Linear(120, 84)
        self.r4 = nn.ReLU()
        self.f3 = nn.Linear(84, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.p1(self.r1(self.c1(x)))
        x = self.p2(self.r2(self.c2(x)))
        x = torch.flatten(x, 1)
        x = self.r3(self.f1(x))
        x = self.r4(self.f2(x))
        return self.dequant(self.f3(x))

    fuse_list = [["c1", "r1"], ["c2", "r2"], ["f1", "r3"], ["f2", "r4"]]


class ConvBN(nn.Sequential):
    """conv (no bias) + BN [+ relu]; the unit fuse_modules fuses."""

    def __init__(self, cin, cout, k, stride=1, relu=True):
        layers = [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                  nn.BatchNorm2d(cout)]
        if relu:
            layers.append(nn.ReLU())
        super().__init__(*layers)

    def fuse_names(self, prefix):
        return [[f"{prefix}.{i}" for i in range(len(self))]]


class ResBlock(nn.Module):
    """ResNet basic block, MLPerf Tiny IC shape (one block per stage)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = ConvBN(cin, cout, 3, stride)
        self.b = ConvBN(cout, cout, 3, 1, relu=False)
        self.short = (ConvBN(cin, cout, 1, stride, relu=False)
                      if stride != 1 or cin != cout else None)
        self.skip = nn.quantized.FloatFunctional()   # QFunctional after convert
        self.relu = nn.ReLU()                        # standalone, same qparams

    def forward(self, x):
        y = self.b(self.a(x))
        s = x if self.short is None else self.short(x)
        return self.relu(self.skip.add(y, s))

    def fuse_names(self, prefix):
        names = self.a.fuse_names(prefix + ".a") + self.b.fuse_names(prefix + ".b")
        if self.short is not None:
            names += self.short.fuse_names(prefix + ".short")
        return names


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.stem = ConvBN(3, 16, 3)
        self.s1 = ResBlock(16, 16, 1)
        self.s2 = ResBlock(16, 32, 2)
        self.s3 = ResBlock(32, 64, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.stem(self.quant(x))
        x = self.s3(self.s2(self.s1(x)))
        x = torch.flatten(self.pool(x), 1)
        return self.dequant(self.fc(x))

    @property
    def fuse_list(self):
        names = self.stem.fuse_names("stem")
        for s in ("s1", "s2", "s3"):
            names += getattr(self, s).fuse_names(s)
        return names


class Act6(nn.Module):
    """relu6 or hardtanh(0, 6) applied to a contiguous (NCHW) tensor.

    Works around a bug of torch 1.13's QNNPACK clamp path (qclamp.cpp, used
    by quantized relu6 / hardtanh / clamp): on a channels_last quantized
    tensor -- which is what a QNNPACK conv returns -- it writes NHWC-ordered
    data into an output flagged contiguous (NCHW), scrambling the result (the
    same class of bug as pytorch/pytorch#46077, which fixed other
    activations).  `.contiguous()` is a no-op for the float model.  Not a
    type eager mode knows, so no observer is attached and it keeps its
    input's qparams, exactly like nnq.ReLU6.
    """

    def __init__(self, kind="relu6"):
        super().__init__()
        assert kind in ("relu6", "hardtanh")
        self.kind = kind

    def forward(self, x):
        x = x.contiguous()
        if self.kind == "relu6":
            return nn.functional.relu6(x)
        return nn.functional.hardtanh(x, 0.0, 6.0)


class DSNet(nn.Module):
    """MobileNet-style: stem, three depthwise-separable blocks, classifier.

    relu6 cannot be fused into a conv by eager-mode PyTorch, so each conv+BN
    is quantized with its own (pre-activation) qparams and relu6 / hardtanh
    run afterwards in the same quantized domain.
    """

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        # stem: conv3x3 s2 with a bias (folded together with the BN)
        self.stem = nn.Conv2d(3, 16, 3, 2, 1, bias=True)
        self.stem_bn = nn.BatchNorm2d(16)
        self.stem_act = Act6()
        # block 1: 16 -> 32, 16x16
        self.dw1, self.dw1_bn, self.dw1_act = nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False), nn.BatchNorm2d(16), Act6()
        self.pw1, self.pw1_bn, self.pw1_act = nn.Conv2d(16, 32, 1, bias=False), nn.BatchNorm2d(32), Act6()
        # block 2: 32 -> 64, stride 2 -> 8x8; hardtanh(0, 6) spelled out
        self.dw2, self.dw2_bn, self.dw2_act = nn.Conv2d(32, 32, 3, 2, 1, groups=32, bias=False), nn.BatchNorm2d(32), Act6("hardtanh")
        self.pw2, self.pw2_bn, self.pw2_act = nn.Conv2d(32, 64, 1, bias=False), nn.BatchNorm2d(64), Act6()
        # block 3: 64 -> 64 with a residual add (linear bottleneck: no act)
        self.dw3, self.dw3_bn, self.dw3_act = nn.Conv2d(64, 64, 3, 1, 1, groups=64, bias=False), nn.BatchNorm2d(64), Act6()
        self.pw3, self.pw3_bn = nn.Conv2d(64, 64, 1, bias=False), nn.BatchNorm2d(64)
        self.skip = nn.quantized.FloatFunctional()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.stem_act(self.stem_bn(self.stem(x)))
        x = self.dw1_act(self.dw1_bn(self.dw1(x)))
        x = self.pw1_act(self.pw1_bn(self.pw1(x)))
        x = self.dw2_act(self.dw2_bn(self.dw2(x)))
        x = self.pw2_act(self.pw2_bn(self.pw2(x)))
        y = self.dw3_act(self.dw3_bn(self.dw3(x)))
        y = self.pw3_bn(self.pw3(y))
        x = self.skip.add(x, y)
        x = torch.flatten(self.pool(x), 1)
        return self.dequant(self.fc(x))

    fuse_list = [[c, c + "_bn"] for c in ("stem", "dw1", "pw1", "dw2", "pw2", "dw3", "pw3")]


MODELS = {"lenet": LeNet, "resnet8": ResNet8, "dsnet": DSNet}
SEEDS = {"lenet": 1001, "resnet8": 1002, "dsnet": 1003}


N_TRAIN_STEPS = 150
BATCH = 64


def randomise_bn(model, g):
    """Random BN affine parameters: |gamma| in [0.5, 1.5] with ~25 % negative
    signs, beta ~ N(0, 0.3).  Training keeps most signs, so the folded
    per-channel scales of the sample include negative ones; the running
    mean/var are the real statistics accumulated during training."""
    with torch.no_grad():
        for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
            c = bn.num_features
            sign = torch.where(torch.rand(c, generator=g) < 0.25, -1.0, 1.0)
            bn.weight.copy_(sign * (0.5 + torch.rand(c, generator=g)))
            bn.bias.copy_(0.3 * torch.randn(c, generator=g))


def train(name, model, seed):
    """A short, deterministic training run on the synthetic task."""
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for step in range(N_TRAIN_STEPS):
        x, y = dataset(name, BATCH, seed * 1000 + step)
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


class Sample:
    """Everything build() produces for one network."""

    def __init__(self, name, float_model, qmodel, q_text, files, input_):
        self.state = {"float": float_model.state_dict(), "quant": qmodel.state_dict()}
        self.name = name
        self.float_model = float_model   # unfused float model, eval mode
        self.qmodel = qmodel             # converted (quantized) torch model
        self.q_text = q_text             # contents of NAME.q
        self.files = files               # {relative path: bytes}, incl. NAME.q
        self.input = input_              # the shipped input, [1, C, H, W]


def build(name):
    """Build, calibrate and convert sample `name`; export it to .q + .npy."""
    setup_torch()
    seed = SEEDS[name]
    torch.manual_seed(seed)             # weight init
    g = torch.Generator().manual_seed(seed + 1)
    fm = MODELS[name]()
    randomise_bn(fm, g)
    train(name, fm, seed)
    calib = random_inputs(name, N_CALIB, seed + 2)

    # eager-mode post-training quantization on a copy; fm stays unfused float
    qm = fuse_modules(fm, fm.fuse_list, inplace=False)
    qm.qconfig = QCONFIG
    qm = prepare(qm)
    with torch.no_grad():
        qm(calib)
    qm = convert(qm)
    qm.eval()

    return export(name, fm, qm)


def quantized_skeleton(name, fm):
    """fuse, prepare, a token calibration, convert: the module structure of
    the converted model (its qparams are whatever the token run gives)."""
    qm = fuse_modules(fm, fm.fuse_list, inplace=False)
    qm.qconfig = QCONFIG
    qm = prepare(qm)
    with torch.no_grad():
        qm(random_inputs(name, 2, 0))
    qm = convert(qm)
    return qm.eval()


def load(name, root=HERE):
    """The sample's models from root/NAME/NAME.pt, exported again."""
    setup_torch()
    state = torch.load(os.path.join(root, name, f"{name}.pt"))
    fm = MODELS[name]()
    fm.load_state_dict(state["float"])
    fm.eval()
    qm = quantized_skeleton(name, fm)
    qm.load_state_dict(state["quant"])
    return export(name, fm, qm)


def export(name, fm, qm):
    """The sample's files: NAME.q, w/*.npy, input.bin."""
    ex = Exporter()
    EXPORTERS[name](ex, fm, qm)
    q_text = ex.text(name)
    files = dict(ex.files)
    files[f"{name}.q"] = q_text.encode()
    input_ = random_inputs(name, 1, SEEDS[name] + 3)
    files["input.bin"] = input_.numpy().astype("<f4").tobytes()
    return Sample(name, fm, qm, q_text, files, input_)


# --------------------------------------------------------------------------
# Export to .q
# --------------------------------------------------------------------------

def npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def qp(scale, zp):
    """Output qparams, u8; repr() round-trips the float32 scale exactly."""
    return f"u8(scale={float(scale)!r}, zp={int(zp)})"


def pair(v):
    """stride/pad tuple -> .q value (`n` when square)."""
    v = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    return str(v[0]) if v[0] == v[1] else f"[{v[0]}, {v[1]}]"


class Exporter:
    """Accumulates .q statements and the .npy files they reference."""

    def __init__(self):
        self.lines = []
        self.files = {}

    def npy(self, fname, arr, dtype):
        path = f"w/{fname}.npy"
        self.files[path] = npy_bytes(np.asarray(arr, dtype=dtype))
        return f'"{path}"'

    def f32(self, fname, t):
        return self.npy(fname, t.detach().numpy(), "<f4")

    def stmt(self, s):
        self.lines.append(s)

    def comment(self, s):
        self.lines.append(f"# {s}")

    def text(self, name):
        return "\n".join(self.lines) + "\n"

    # -- building blocks ---------------------------------------------------

    def conv_float(self, out, x, conv, qparams=None):
        """conv2d with float weights (and bias if the conv has one)."""
        args = [x, f"weight={self.f32(out + '.w', conv.weight)}"]
        if conv.bias is not None:
            args.append(f"bias={self.f32(out + '.b', conv.bias)}")
        args.append(f"stride={pair(conv.stride)}")
        args.append(f"pad={pair(conv.padding)}")
        if conv.groups != 1:
            args.append(f"groups={conv.groups}")
        tail = f" : {qparams}" if qparams else ""
        self.stmt(f"{out} = conv2d({', '.join(args)}){tail}")

    def batchnorm(self, out, x, bn, qparams=None):
        tail = f" : {qparams}" if qparams else ""
        self.stmt(f"{out} = batchnorm({x},\n"
                  f"    gamma={self.f32(out + '.g', bn.weight)}, beta={self.f32(out + '.b', bn.bias)},\n"
                  f"    mean={self.f32(out + '.m', bn.running_mean)}, var={self.f32(out + '.v', bn.running_var)},\n"
                  f"    eps={bn.eps!r}){tail}")

    def i8_weight(self, base, qw):
        """An already-quantized per-channel weight: int8 data + f32 scales."""
        assert qw.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric)
        assert qw.q_per_channel_axis() == 0
        assert torch.all(qw.q_per_channel_zero_points() == 0)
        data = self.npy(base + ".w", qw.int_repr().numpy(), "|i1")
        # the observer computes scales in float32; torch stores them as double
        s = qw.q_per_channel_scales().numpy()
        assert np.array_equal(s.astype(np.float32).astype(np.float64), s)
        scale = self.npy(base + ".s", s, "<f4")
        return f"i8({data}, scale={scale}, axis=0)"


def quant_stmt(ex, qm, shape):
    ex.stmt(f"input image : f32[{', '.join(map(str, shape))}]")
    ex.stmt(f"x = quantize(image) : {qp(qm.quant.scale.item(), qm.quant.zero_point.item())}")


def export_lenet(ex, fm, qm):
    """LeNet with int8 weights + per-channel scales from the converted model."""
    ex.comment("LeNet-5 style MNIST classifier, generated by samples/gen_samples.py")
    ex.comment("weights: int8 per-channel, as converted by PyTorch (qnnpack); biases float")
    ex.stmt("model lenet")
    quant_stmt(ex, qm, INPUT_SHAPE["lenet"])

    def linear(out, x, mod):
        ex.stmt(f"{out} = linear({x}, weight={ex.i8_weight(out, mod.weight())},\n"
                f"    bias={ex.f32(out + '.b', mod.bias())}) : {qp(mod.scale, mod.zero_point)}")

    # conv+relu were fused by torch; the fused module's qparams are the relu's.
    # Here the relu is written as its own statement carrying those qparams.
    ex.stmt(f"c1 = conv2d(x, weight={ex.i8_weight('c1', qm.c1.weight())},\n"
            f"    bias={ex.f32('c1.b', qm.c1.bias())}, stride=1, pad={pair(qm.c1.padding)})")
    ex.stmt(f"r1 = relu(c1) : {qp(qm.c1.scale, qm.c1.zero_point)}")
    ex.stmt("p1 = maxpool2d(r1, kernel=2, stride=2)")
    # second conv: the fused conv+relu written as a relu with qparams too,
    # then the fully-connected part: linear with qparams, relu without
    ex.stmt(f"c2 = conv2d(p1, weight={ex.i8_weight('c2', qm.c2.weight())},\n"
            f"    bias={ex.f32('c2.b', qm.c2.bias())})")
    ex.stmt(f"r2 = relu(c2) : {qp(qm.c2.scale, qm.c2.zero_point)}")
    ex.stmt("p2 = maxpool2d(r2, kernel=2)")
    ex.stmt("f = flatten(p2)")
    ex.stmt(f"f1 = linear(f, weight={ex.i8_weight('f1', qm.f1.weight())},\n"
            f"    bias={ex.f32('f1.b', qm.f1.bias())})")
    ex.stmt(f"r3 = relu(f1) : {qp(qm.f1.scale, qm.f1.zero_point)}")
    ex.stmt(f"f2 = linear(r3, weight={ex.i8_weight('f2', qm.f2.weight())},\n"
            f"    bias={ex.f32('f2.b', qm.f2.bias())})")
    ex.stmt(f"r4 = relu(f2) : {qp(qm.f2.scale, qm.f2.zero_point)}")
    linear("logits", "r4", qm.f3)
    ex.stmt("y = dequantize(logits)")
    ex.stmt("output y")


def export_resnet8(ex, fm, qm):
    """ResNet-8: float weights and explicit BN from the unfused float model."""
    ex.comment("ResNet-8 (MLPerf Tiny image classification shape), CIFAR-10 input")
    ex.comment("generated by samples/gen_samples.py: float weights + batchnorm;")
    ex.comment("qcc folds the batchnorms and quantizes the weights per channel")
    ex.stmt("model resnet8")
    quant_stmt(ex, qm, INPUT_SHAPE["resnet8"])

    def convbn(out, x, f_seq, q_mod):
        """ConvBN unit: conv2d, batchnorm [, relu]; qparams from the fused
        quantized module (its output is the relu's / the BN's)."""
        ex.conv_float(out + "_c", x, f_seq[0])
        if len(f_seq) == 3:
            ex.batchnorm(out + "_bn", out + "_c", f_seq[1])
            ex.stmt(f"{out} = relu({out}_bn) : {qp(q_mod.scale, q_mod.zero_point)}")
        else:
            ex.batchnorm(out, out + "_c", f_seq[1], qp(q_mod.scale, q_mod.zero_point))
        return out

    x = convbn("stem", "x", fm.stem, qm.stem[0])
    for s in ("s1", "s2", "s3"):
        fb, qb = getattr(fm, s), getattr(qm, s)
        ex.comment(f"stage {s[1]}: {fb.a[0].in_channels} -> {fb.a[0].out_channels}, stride {fb.a[0].stride[0]}")
        a = convbn(f"{s}_a", x, fb.a, qb.a[0])
        b = convbn(f"{s}_b", a, fb.b, qb.b[0])
        sc = x if fb.short is None else convbn(f"{s}_sc", x, fb.short, qb.short[0])
        ex.stmt(f"{s}_add = add({b}, {sc}) : {qp(qb.skip.scale, qb.skip.zero_point)}")
        ex.stmt(f"{s} = relu({s}_add)")
        x = s
    ex.stmt(f"gap = global_avgpool({x})")
    ex.stmt("f = flatten(gap)")
    ex.stmt(f"fc = linear(f, weight={ex.f32('fc.w', fm.fc.weight)}, bias={ex.f32('fc.b', fm.fc.bias)})"
            f" : {qp(qm.fc.scale, qm.fc.zero_point)}")
    ex.stmt("y = dequantize(fc)")
    ex.stmt("output y")


def export_dsnet(ex, fm, qm):
    """Depthwise-separable net: float weights + BN, relu6/hardtanh unfused."""
    ex.comment("Depthwise-separable (MobileNet-style) net, CIFAR-10 input")
    ex.comment("generated by samples/gen_samples.py: float weights + batchnorm;")
    ex.comment("each conv+BN has its own qparams, relu6 clamps in that domain")
    ex.stmt("model dsnet")
    quant_stmt(ex, qm, INPUT_SHAPE["dsnet"])
    x = "x"
    for n in ("stem", "dw1", "pw1", "dw2", "pw2", "dw3", "pw3"):
        conv, bn, q = getattr(fm, n), getattr(fm, n + "_bn"), getattr(qm, n)
        ex.conv_float(n + "_c", x, conv)
        ex.batchnorm(n + "_bn", n + "_c", bn, qp(q.scale, q.zero_point))
        act = getattr(fm, n + "_act", None)
        if act is not None and act.kind == "relu6":
            ex.stmt(f"{n} = relu6({n}_bn)")
        elif act is not None:
            ex.stmt(f"{n} = hardtanh({n}_bn, min_val=0.0, max_val=6.0)")
        else:
            assert act is None          # pw3: linear bottleneck
        x = n if act is not None else n + "_bn"
        if n == "pw2":
            block_in = x
    ex.comment("inverted residual: block 3 input + its linear bottleneck, no activation")
    ex.stmt(f"res = add({block_in}, {x}) : {qp(qm.skip.scale, qm.skip.zero_point)}")
    ex.stmt("gap = adaptive_avgpool2d(res, 1)")
    ex.stmt("f = flatten(gap)")
    ex.stmt(f"fc = linear(f, weight={ex.f32('fc.w', fm.fc.weight)}, bias={ex.f32('fc.b', fm.fc.bias)})"
            f" : {qp(qm.fc.scale, qm.fc.zero_point)}")
    ex.stmt("y = dequantize(fc)")
    ex.stmt("output y")


EXPORTERS = {"lenet": export_lenet, "resnet8": export_resnet8, "dsnet": export_dsnet}


def write(sample, root=HERE):
    """Write a sample's files under root/NAME, replacing its old w/*.npy."""
    d = os.path.join(root, sample.name)
    wdir = os.path.join(d, "w")
    os.makedirs(wdir, exist_ok=True)
    for f in os.listdir(wdir):
        if f.endswith(".npy"):
            os.remove(os.path.join(wdir, f))
    for rel, data in sorted(sample.files.items()):
        with open(os.path.join(d, rel), "wb") as fh:
            fh.write(data)
    torch.save(sample.state, os.path.join(d, f"{sample.name}.pt"))


def main(argv):
    names = argv or list(SAMPLES)
    for name in names:
        if name not in MODELS:
            sys.exit(f"unknown sample {name!r}; known: {', '.join(SAMPLES)}")
        s = build(name)
        write(s)
        nbytes = sum(len(b) for r, b in s.files.items() if r.startswith("w/"))
        print(f"{name}: {len(s.files)} files, weights {nbytes} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
