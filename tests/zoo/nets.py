"""The zoo: real network shapes defined in PyTorch, quantized in eager mode.

Every network is built from a fixed seed: random weights, batchnorm running
statistics measured on synthetic data, random batchnorm affine parameters,
then fuse_modules + prepare + calibrate + convert with engine qnnpack.
Nothing here is stored in the repository; build(name) regenerates the same
converted model on every run.

    nets.build(name) -> Net(qmodel, example_input, inputs(n, seed))
"""

import copy

import torch
import torch.nn as nn
from torch.ao.quantization import (DeQuantStub, FixedQParamsObserver, MinMaxObserver,
                                   MovingAverageMinMaxObserver, PerChannelMinMaxObserver,
                                   QConfig, QuantStub, convert, fuse_modules, prepare)

# Per-channel symmetric int8 weights, quint8 activations over 0..255.
WEIGHT = PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
QCONFIG = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8), weight=WEIGHT)
# reduce_range: activations over 0..127 (what fbgemm's default qconfig does)
QCONFIG_RR = QConfig(activation=MovingAverageMinMaxObserver.with_args(dtype=torch.quint8, reduce_range=True),
                     weight=WEIGHT)


def setup_torch():
    torch.backends.quantized.engine = "qnnpack"
    torch.set_num_threads(1)


# --------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------

class CBR(nn.Sequential):
    """conv + BN [+ ReLU]: fused by fuse_modules."""

    def __init__(self, cin, cout, k, stride=1, pad=None, groups=1, relu=True, dilation=1, bias=False):
        pad = (k // 2) * dilation if pad is None else pad
        layers = [nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, groups=groups, bias=bias),
                  nn.BatchNorm2d(cout)]
        if relu:
            layers.append(nn.ReLU())
        super().__init__(*layers)


class LR(nn.Sequential):
    """linear + ReLU: fused by fuse_modules."""

    def __init__(self, cin, cout):
        super().__init__(nn.Linear(cin, cout), nn.ReLU())


class Act6(nn.Module):
    """relu6 / hardtanh(0, 6) left unfused.  .contiguous() works around
    torch 1.13 qnnpack's clamp bug on channels_last tensors (see
    samples/gen_samples.py); a no-op on values, an alias for the exporter."""

    def __init__(self, kind="relu6"):
        super().__init__()
        self.act = nn.ReLU6() if kind == "relu6" else nn.Hardtanh(0.0, 6.0)

    def forward(self, x):
        return self.act(x.contiguous())


def fuse_list(model):
    names = []
    for path, m in model.named_modules():
        if isinstance(m, (CBR, LR)):
            names.append([f"{path}.{i}" for i in range(len(m))])
    return names


# --------------------------------------------------------------------------
# the networks
# --------------------------------------------------------------------------

class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.c1 = nn.Sequential(CBR(1, 6, 5, pad=2), nn.MaxPool2d(2))
        self.c2 = nn.Sequential(CBR(6, 16, 5, pad=0), nn.MaxPool2d(2))
        self.f1, self.f2, self.f3 = LR(400, 120), LR(120, 84), nn.Linear(84, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.c2(self.c1(self.quant(x)))
        x = torch.flatten(x, 1)
        return self.dequant(self.f3(self.f2(self.f1(x))))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, add_relu=False):
        super().__init__()
        self.a = CBR(cin, cout, 3, stride)
        self.b = CBR(cout, cout, 3, 1, relu=False)
        self.short = CBR(cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else None
        self.skip = nn.quantized.FloatFunctional()
        self.add_relu = add_relu
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.b(self.a(x))
        s = x if self.short is None else self.short(x)
        if self.add_relu:
            return self.skip.add_relu(y, s)
        return self.relu(self.skip.add(y, s))


class ResNet8(nn.Module):
    """MLPerf Tiny image classification (CIFAR-10)."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.stem = CBR(3, 16, 3)
        self.s1, self.s2, self.s3 = BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.s3(self.s2(self.s1(self.stem(self.quant(x)))))
        return self.dequant(self.fc(torch.flatten(self.pool(x), 1)))


class ResNet18(nn.Module):
    """torchvision's resnet18 shape, blocks ending in add_relu as in
    torchvision's quantizable ResNet."""

    def __init__(self, classes=1000):
        super().__init__()
        self.quant = QuantStub()
        self.stem = CBR(3, 64, 7, 2)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(cin, cout, stride, True), BasicBlock(cout, cout, 1, True)))
            cin = cout
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, classes)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.maxpool(self.stem(self.quant(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.dequant(self.fc(torch.flatten(self.pool(x), 1)))


class DSCNN(nn.Module):
    """MLPerf Tiny keyword spotting DS-CNN (small): 49x10 MFCC input."""

    def __init__(self, classes=12):
        super().__init__()
        self.quant = QuantStub()
        self.stem = CBR(1, 64, (10, 4), 2, pad=(5, 1))
        self.blocks = nn.Sequential(*[nn.Sequential(CBR(64, 64, 3, groups=64), CBR(64, 64, 1))
                                      for _ in range(4)])
        self.drop = nn.Dropout(0.4)
        self.pool = nn.AvgPool2d((25, 5))
        self.fc = nn.Linear(64, classes)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.pool(self.drop(self.blocks(self.stem(self.quant(x)))))
        return self.dequant(self.fc(x.view(x.size(0), -1)))


def _dw_sep(cin, cout, stride):
    """MobileNetV1 unit: conv+BN with relu6 left unfused, twice."""
    return nn.Sequential(CBR(cin, cin, 3, stride, groups=cin, relu=False), Act6(),
                         CBR(cin, cout, 1, relu=False), Act6())


class MobileNetV1(nn.Module):
    """MobileNetV1, width 0.25, 96x96 (MLPerf Tiny visual wake words)."""

    def __init__(self, alpha=0.25, classes=2):
        super().__init__()
        c = lambda n: int(n * alpha)  # noqa: E731
        self.quant = QuantStub()
        self.stem = nn.Sequential(CBR(3, c(32), 3, 2, relu=False), Act6())
        cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
        units, cin = [], c(32)
        for cout, s in cfg:
            units.append(_dw_sep(cin, c(cout), s))
            cin = c(cout)
        self.features = nn.Sequential(*units)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.features(self.stem(self.quant(x)))
        return self.dequant(self.fc(torch.flatten(self.pool(x), 1)))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hid = cin * t
        layers = []
        if t != 1:
            layers += [CBR(cin, hid, 1, relu=False), Act6()]
        layers += [CBR(hid, hid, 3, stride, groups=hid, relu=False), Act6("hardtanh"),
                   CBR(hid, cout, 1, relu=False)]
        self.conv = nn.Sequential(*layers)
        self.res = stride == 1 and cin == cout
        self.skip = nn.quantized.FloatFunctional()

    def forward(self, x):
        return self.skip.add(x, self.conv(x)) if self.res else self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision's mobilenet_v2 (width 1.0, 224x224), relu6 unfused."""

    def __init__(self, classes=1000):
        super().__init__()
        self.quant = QuantStub()
        feats, cin = [CBR(3, 32, 3, 2, relu=False), Act6()], 32
        for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)):
            for i in range(n):
                feats.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        feats += [CBR(cin, 1280, 1, relu=False), Act6()]
        self.features = nn.Sequential(*feats)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.features(self.quant(x))
        return self.dequant(self.classifier(torch.flatten(self.pool(x), 1)))


class Edge(nn.Module):
    """The bridge's traps in one net (see README, "The PyTorch bridge"):
    input qparams (10.0395, 22), whose range makes c1's per-channel weight
    scales ~1e-6..1e-5; a large
    BN-folded float bias; relu6 with 6/scale > 255; an add of two tensors
    with different qparams; a concat; dilation; an avgpool with padding;
    output zero point 111; reduce_range activation observers."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.c1 = CBR(3, 16, 3, relu=False, bias=True)
        self.c2 = CBR(16, 16, 3, relu=False)
        self.act = Act6()
        self.c3 = CBR(16, 16, 3, dilation=2)
        self.skip = nn.quantized.FloatFunctional()
        self.c4 = CBR(16, 8, 1, 2)
        self.pool = nn.AvgPool2d(3, 2, 1, count_include_pad=False)
        self.cat = nn.quantized.FloatFunctional()
        self.mp = nn.MaxPool2d(3, 2, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.c1(self.quant(x))
        y = self.act(self.c2(x))
        z = self.skip.add(y, self.c3(y))
        w = self.cat.cat([self.pool(z), self.c4(z)], 1)
        w = self.gap(self.mp(w))
        return self.dequant(self.fc(torch.flatten(w, 1)))

    def customise(self, g):
        """Plant the traps into the batchnorms (their statistics are measured
        again afterwards, so the folded weights keep these scales)."""
        with torch.no_grad():
            self.c1[1].bias.copy_(3000.0 * torch.randn(16, generator=g))   # large folded bias
            self.c2[1].weight.mul_(0.1)                  # c2's output range ~ +-0.5: 6/scale > 255
            self.c2[1].bias.mul_(0.1)

    qconfigs = {"": QCONFIG_RR,
                "quant": QConfig(activation=FixedQParamsObserver.with_args(scale=10.0395, zero_point=22),
                                 weight=WEIGHT),
                "fc": QConfig(activation=FixedQParamsObserver.with_args(scale=0.05, zero_point=111),
                              weight=WEIGHT)}


class EdgeI8(nn.Module):
    """qint8 activations: quantize to qint8, pools, relu6, add, cat."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.mp = nn.MaxPool2d(2)
        self.ap = nn.AvgPool2d(2)
        self.act = Act6()
        self.skip = nn.quantized.FloatFunctional()
        self.cat = nn.quantized.FloatFunctional()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a, b = self.mp(x), self.act(self.ap(x))
        y = self.cat.cat([self.skip.add(a, b), a], 1)
        return self.dequant(torch.flatten(self.gap(y), 1))

    qconfigs = {"": QConfig(activation=MinMaxObserver.with_args(dtype=torch.qint8), weight=WEIGHT)}


# name: (class, input shape, input kind, qconfig, calibration batches x size, big)
NETS = {
    "lenet": (LeNet, (1, 1, 28, 28), "image", QCONFIG_RR, 2),
    "resnet8": (ResNet8, (1, 3, 32, 32), "image", QCONFIG, 2),
    "dscnn": (DSCNN, (1, 1, 49, 10), "mfcc", QCONFIG, 2),
    "mobilenetv1_025": (MobileNetV1, (1, 3, 96, 96), "image", QCONFIG, 2),
    "mobilenetv2": (MobileNetV2, (1, 3, 224, 224), "image", QCONFIG, 1),
    "resnet18": (ResNet18, (1, 3, 224, 224), "image", QCONFIG, 1),
    "edge": (Edge, (1, 3, 16, 16), "wide", None, 2),
    "edge_i8": (EdgeI8, (1, 4, 8, 8), "image", None, 2),
}
BIG = ("mobilenetv2", "resnet18")
SEED = {n: 4000 + i for i, n in enumerate(NETS)}


def inputs(name, n, seed):
    """n synthetic inputs [n, C, H, W] for net `name`."""
    _, (_, c, h, w), kind, _, _ = NETS[name]
    g = torch.Generator().manual_seed(seed)
    if kind == "mfcc":
        return 8.0 * torch.randn(n, c, h, w, generator=g) - 2.0
    if kind == "wide":
        return -200.0 + 2400.0 * torch.rand(n, c, h, w, generator=g)
    lo = nn.functional.interpolate(torch.randn(n, c, max(h // 8, 1), max(w // 8, 1), generator=g),
                                   size=(h, w), mode="bilinear", align_corners=False)
    return lo + 0.3 * torch.randn(n, c, h, w, generator=g)


def _measure_bn(model, name):
    """BN running statistics measured on synthetic inputs."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None                      # cumulative average
    model.train()
    with torch.no_grad():
        for k in range(2):
            model(inputs(name, 8, SEED[name] * 10 + k))
    model.eval()


def _init_bn(model, name, g):
    """Measured BN statistics, random affine parameters (|gamma| in
    [0.5, 1.5], 20 % negative; beta ~ N(0, 0.2))."""
    _measure_bn(model, name)
    with torch.no_grad():
        for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
            c = bn.num_features
            sign = torch.where(torch.rand(c, generator=g) < 0.2, -1.0, 1.0)
            bn.weight.copy_(sign * (0.5 + torch.rand(c, generator=g)))
            bn.bias.copy_(0.2 * torch.randn(c, generator=g))
    if hasattr(model, "customise"):
        model.customise(g)
        _measure_bn(model, name)


class Net:
    def __init__(self, name, qmodel, example):
        self.name = name
        self.qmodel = qmodel
        self.example = example

    def inputs(self, n, seed):
        return inputs(self.name, n, seed)


def build(name):
    setup_torch()
    cls, shape, _, qconfig, calib = NETS[name]
    torch.manual_seed(SEED[name])
    g = torch.Generator().manual_seed(SEED[name] + 1)
    fm = cls().eval()
    if any(isinstance(m, nn.BatchNorm2d) for m in fm.modules()):
        _init_bn(fm, name, g)
    qm = fuse_modules(fm, fuse_list(fm), inplace=False) if fuse_list(fm) else copy.deepcopy(fm)
    if qconfig is not None:
        qm.qconfig = qconfig
    else:
        for path, qc in cls.qconfigs.items():
            (qm.get_submodule(path) if path else qm).qconfig = qc
    qm = prepare(qm)
    with torch.no_grad():
        for k in range(calib):
            qm(inputs(name, 8, SEED[name] * 10 + 5 + k))
    qm = convert(qm).eval()
    return Net(name, qm, inputs(name, 1, SEED[name] + 7))
