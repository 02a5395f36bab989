"""Benchmark networks: eager-mode PyTorch models, quantized post-training,
and their export to .q (for qcc) and to QDQ ONNX (for ONNX Runtime).

Weights are random at fixed seeds (batchnorm statistics randomised too, so
that folding is not trivial); calibration is on random inputs.  Nothing here
is trained: the nets are for timing and for checking qcc against torch.

  mobilenetv2  MobileNetV2-style, 224x224, width 1.0 (ReLU instead of ReLU6:
               eager-mode fusion fuses conv+bn+relu only)
  resnet18     ResNet-18-style, 224x224 (basic blocks, 1x1 stride-2 shortcuts)
"""

import copy
import os

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import (DeQuantStub, MinMaxObserver, QConfig, QuantStub, convert,
                                   default_per_channel_weight_observer, fuse_modules, prepare)

QCONFIG = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=False),
                  weight=default_per_channel_weight_observer)


class CBR(nn.Sequential):
    """conv (no bias) + batchnorm [+ relu]; fused to one quantized conv."""

    def __init__(self, cin, cout, k, stride=1, groups=1, relu=True):
        mods = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        if relu:
            mods.append(nn.ReLU())
        super().__init__(*mods)
        self.relu = relu

    def fuse_names(self, prefix):
        return [[f"{prefix}.0", f"{prefix}.1"] + ([f"{prefix}.2"] if self.relu else [])]


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = CBR(cin, cout, 3, stride)
        self.b = CBR(cout, cout, 3, 1, relu=False)
        self.sc = CBR(cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else None
        self.add = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        return self.add.add_relu(self.b(self.a(x)), self.sc(x) if self.sc is not None else x)


class InvRes(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hid = cin * t
        self.expand = CBR(cin, hid, 1) if t != 1 else None
        self.dw = CBR(hid, hid, 3, stride, groups=hid)
        self.proj = CBR(hid, cout, 1, relu=False)
        self.res = stride == 1 and cin == cout
        self.add = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        y = self.proj(self.dw(self.expand(x) if self.expand is not None else x))
        return self.add.add(y, x) if self.res else y


class Net(nn.Module):
    def __init__(self, stem, blocks, head, classes=1000):
        super().__init__()
        self.quant, self.dequant = QuantStub(), DeQuantStub()
        self.stem = stem
        self.blocks = nn.Sequential(*blocks)
        self.head = head
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(self.fc_in, classes)

    def forward(self, x):
        x = self.stem(self.quant(x))
        x = self.blocks(x)
        if self.head is not None:
            x = self.head(x)
        return self.dequant(self.fc(torch.flatten(self.pool(x), 1)))

    def fuse_list(self):
        out = []
        for name, m in self.named_modules():
            if isinstance(m, CBR):
                out += m.fuse_names(name)
        return out


def mobilenetv2():
    cfg = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
           (6, 320, 1, 1)]
    blocks, cin = [], 32
    for t, c, n, s in cfg:
        for i in range(n):
            blocks.append(InvRes(cin, c, s if i == 0 else 1, t))
            cin = c
    Net.fc_in = 1280
    return Net(CBR(3, 32, 3, 2), blocks, CBR(320, 1280, 1))


def resnet18():
    blocks, cin = [], 64
    for c, s in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        blocks.append(Basic(cin, c, s))
        cin = c
    Net.fc_in = 512
    stem = nn.Sequential(CBR(3, 64, 7, 2), nn.MaxPool2d(3, 2, 1))
    return Net(stem, blocks, None)


NETS = {"mobilenetv2": (mobilenetv2, 224), "resnet18": (resnet18, 224)}


def build(name, seed=7):
    """Returns (float model, prepared model, calibration inputs, one input)."""
    torch.manual_seed(seed)
    ctor, size = NETS[name]
    fm = ctor().eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in fm.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=g))
                m.bias.copy_(0.2 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(c, generator=g))
                m.running_var.copy_(0.5 + torch.rand(c, generator=g))
    calib = torch.rand(4, 3, size, size, generator=g) * 2 - 1
    x = torch.rand(1, 3, size, size, generator=g) * 2 - 1
    pm = fuse_modules(fm, fm.fuse_list(), inplace=False)
    pm.qconfig = QCONFIG
    pm = prepare(pm)
    with torch.no_grad():
        pm(calib)
    return pm, x


def convert_for(pm, engine):
    torch.backends.quantized.engine = engine
    qm = convert(copy.deepcopy(pm))
    return qm.eval()


# --------------------------------------------------------------------------
# Export: .q text + .npy files, and a QDQ ONNX graph, from the converted model
# --------------------------------------------------------------------------

class Exporter:
    def __init__(self, wdir):
        self.wdir = wdir
        os.makedirs(wdir, exist_ok=True)
        self.lines = []
        self.nodes, self.inits = [], []
        self.qp = {}   # tensor name -> (scale, zp)

    # ONNX helpers -----------------------------------------------------------
    def init(self, name, arr):
        from onnx import numpy_helper
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def node(self, op, ins, outs, **attrs):
        from onnx import helper
        self.nodes.append(helper.make_node(op, ins, outs, **attrs))

    def qdq(self, src, name, scale, zp):
        """float src -> Q -> name (u8) -> DQ -> name_f; returns name_f."""
        self.init(name + "_s", np.array(scale, np.float32))
        self.init(name + "_zp", np.array(zp, np.uint8))
        self.node("QuantizeLinear", [src, name + "_s", name + "_zp"], [name])
        self.node("DequantizeLinear", [name, name + "_s", name + "_zp"], [name + "_f"])
        self.qp[name] = (scale, zp)
        return name + "_f"

    # ops --------------------------------------------------------------------
    def qstr(self, scale, zp):
        return f"u8(scale={float(scale)!r}, zp={int(zp)})"

    def weights(self, name, m):
        w = m.weight()
        wq = w.int_repr().numpy().astype(np.int8)
        ws = w.q_per_channel_scales().numpy().astype(np.float32)
        b = m.bias().detach().numpy().astype(np.float32)
        np.save(os.path.join(self.wdir, f"{name}.w.npy"), wq)
        np.save(os.path.join(self.wdir, f"{name}.s.npy"), ws)
        np.save(os.path.join(self.wdir, f"{name}.b.npy"), b)
        return wq, ws, b

    def weight_dq(self, name, x, wq, ws, b):
        s_in = self.qp[x][0]
        self.init(name + "_w", wq)
        self.init(name + "_ws", ws)
        self.init(name + "_wzp", np.zeros(len(ws), np.int8))
        self.node("DequantizeLinear", [name + "_w", name + "_ws", name + "_wzp"], [name + "_wf"], axis=0)
        bq = np.round(b.astype(np.float64) / (s_in * ws.astype(np.float64))).astype(np.int32)
        self.init(name + "_b", bq)
        self.init(name + "_bs", (s_in * ws.astype(np.float64)).astype(np.float32))
        self.init(name + "_bzp", np.zeros(len(ws), np.int32))
        self.node("DequantizeLinear", [name + "_b", name + "_bs", name + "_bzp"], [name + "_bf"], axis=0)

    def conv(self, name, x, m):
        relu = type(m).__name__ == "ConvReLU2d"
        wq, ws, b = self.weights(name, m)
        st, pd, gr = m.stride[0], m.padding[0], m.groups
        arg = (f'weight=i8("w/{name}.w.npy", scale="w/{name}.s.npy", axis=0), bias="w/{name}.b.npy", '
               f"stride={st}, pad={pd}, groups={gr}")
        if relu:
            self.lines.append(f"{name}_c = conv2d({x}, {arg})")
            self.lines.append(f"{name} = relu({name}_c) : {self.qstr(m.scale, m.zero_point)}")
        else:
            self.lines.append(f"{name} = conv2d({x}, {arg}) : {self.qstr(m.scale, m.zero_point)}")
        self.weight_dq(name, x, wq, ws, b)
        k = wq.shape[2]
        self.node("Conv", [x + "_f", name + "_wf", name + "_bf"], [name + "_acc"], kernel_shape=[k, k],
                  strides=[st, st], pads=[pd] * 4, group=gr)
        src = name + "_acc"
        if relu:
            self.node("Relu", [src], [name + "_r"])
            src = name + "_r"
        self.qdq(src, name, m.scale, m.zero_point)
        return name

    def add(self, name, a, b, f, relu):
        if relu:
            self.lines.append(f"{name}_s = add({a}, {b}) : {self.qstr(f.scale, f.zero_point)}")
            self.lines.append(f"{name} = relu({name}_s)")
        else:
            self.lines.append(f"{name} = add({a}, {b}) : {self.qstr(f.scale, f.zero_point)}")
        self.node("Add", [a + "_f", b + "_f"], [name + "_sum"])
        src = name + "_sum"
        if relu:
            self.node("Relu", [src], [name + "_r"])
            src = name + "_r"
        self.qdq(src, name, f.scale, f.zero_point)
        return name

    def same_qp(self, name, x, qline, onnx_op, **attrs):
        self.lines.append(f"{name} = {qline}")
        self.node(onnx_op, [x + "_f"], [name + "_o"], **attrs)
        self.qdq(name + "_o", name, *self.qp[x])
        return name

    def cbr(self, name, x, seq):
        return self.conv(name, x, seq[0])

    def block(self, name, x, blk):
        if isinstance(blk, Basic):
            y = self.cbr(name + "_b", self.cbr(name + "_a", x, blk.a), blk.b)
            s = self.cbr(name + "_sc", x, blk.sc) if blk.sc is not None else x
            return self.add(name, y, s, blk.add, relu=True)
        y = x
        if blk.expand is not None:
            y = self.cbr(name + "_e", y, blk.expand)
        y = self.cbr(name + "_p", self.cbr(name + "_dw", y, blk.dw), blk.proj)
        return self.add(name, y, x, blk.add, relu=False) if blk.res else y

    def export(self, name, qm, shape):
        from onnx import TensorProto, helper
        self.lines += [f"# {name}: generated by bench/netgen.py (random weights, fixed seed)", f"model {name}",
                       f"input image : f32[{', '.join(map(str, shape))}]",
                       f"x = quantize(image) : {self.qstr(qm.quant.scale.item(), qm.quant.zero_point.item())}"]
        self.qdq("image", "x", qm.quant.scale.item(), qm.quant.zero_point.item())
        x = "x"
        stem = qm.stem
        if isinstance(stem, CBR):
            x = self.cbr("stem", x, stem)
        else:
            x = self.cbr("stem", x, stem[0])
            mp = stem[1]
            x = self.same_qp("stem_pool", x, f"maxpool2d({x}, kernel={mp.kernel_size}, stride={mp.stride}, "
                             f"pad={mp.padding})", "MaxPool", kernel_shape=[mp.kernel_size] * 2,
                             strides=[mp.stride] * 2, pads=[mp.padding] * 4)
        for i, blk in enumerate(qm.blocks):
            x = self.block(f"b{i}", x, blk)
        if qm.head is not None:
            x = self.cbr("head", x, qm.head)
        x = self.same_qp("pool", x, f"global_avgpool({x})", "GlobalAveragePool")
        x = self.same_qp("flat", x, f"flatten({x})", "Flatten", axis=1)
        fc = qm.fc
        wq, ws, b = self.weights("fc", fc)
        self.lines.append(f'fc = linear({x}, weight=i8("w/fc.w.npy", scale="w/fc.s.npy", axis=0), '
                          f'bias="w/fc.b.npy") : {self.qstr(fc.scale, fc.zero_point)}')
        self.lines += ["y = dequantize(fc)", "output y"]
        self.weight_dq("fc", x, wq, ws, b)
        self.node("Gemm", [x + "_f", "fc_wf", "fc_bf"], ["fc_acc"], transB=1)
        self.qdq("fc_acc", "fc", fc.scale, fc.zero_point)
        g = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("fc_f", TensorProto.FLOAT, [1, wq.shape[0]])],
                              self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        return "\n".join(self.lines) + "\n", m
