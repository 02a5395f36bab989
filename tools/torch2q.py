#!/usr/bin/python3
"""torch2q -- export a converted (quantized) PyTorch model to qcc's .q language.

Python API (run with Debian's /usr/bin/python3, which has torch):

    import sys; sys.path.insert(0, "tools"); import torch2q
    torch2q.export(qmodel, example_input, "net.q")       # writes net.q + net_w/*.npy
    # -> an Export: .text (the .q), .names {q tensor name: fx node name}, .gm

Command line:

    /usr/bin/python3 tools/torch2q.py model.pt --input-shape 1,3,32,32 -o net.q
        [--name NET] [--import-path DIR] [--import MODULE]

model.pt is a *whole* converted model saved with torch.save(qmodel, path)
(not a state_dict, not TorchScript: a scripted model has lost the module
structure the exporter reads).  Unpickling needs the model's classes: put
their file's directory on --import-path and name the module with --import.

What it accepts: a model quantized in eager mode (QuantStub/DeQuantStub,
fuse_modules, prepare or prepare_qat, calibrate, convert) or in FX mode
(prepare_fx/convert_fx), with per-channel or per-tensor int8 weights and
quint8/qint8 activations.  The converted model is traced with torch.fx
(quantized modules are leaves) and run once on example_input, which gives
every tensor's shape, dtype, scale and zero point exactly as torch computes
them.  Every .q tensor is named after the module (or FX node) that produces
it; --trace-layers output and tools/layer_diff.py use those names.

Mapping (torch -> .q):
    Quantize / quantize_per_tensor          quantize(x) : u8|i8(scale, zp)
    QuantizedConv2d, ConvReLU2d             conv2d(..., weight=i8(w, scale, axis=0), bias=f32) [+ relu]
    QuantizedLinear, LinearReLU             linear(...) [+ relu]
    ReLU, ReLU6, Hardtanh, clamp            relu, relu6, clamp  (in the input's domain)
    QFunctional add / add_relu / cat        add [+ relu], concat(axis=1)
    MaxPool2d, AvgPool2d                    maxpool2d, avgpool2d
    AdaptiveAvgPool2d(1)                    global_avgpool
    flatten, view/reshape                   flatten, reshape
    Identity, Dropout, contiguous           (nothing: an alias)
    DeQuantize / dequantize()               dequantize
Anything else stops the export with an error naming the module path and
type; nothing is written then (the .q and its weight directory are written
to temporary names and renamed at the end).
"""

import argparse
import copy
import importlib
import io
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

try:
    import torch.ao.nn.quantized as nnq
    import torch.ao.nn.intrinsic.quantized as nniq
except ImportError:                                    # torch < 1.13
    import torch.nn.quantized as nnq
    import torch.nn.intrinsic.quantized as nniq


class ExportError(Exception):
    """The model holds something the exporter (or qcc) cannot express."""


QDTYPE = {torch.quint8: "u8", torch.qint8: "i8"}
RESERVED = {"model", "input", "output", "true", "false", "symmetric"}


def _tname(obj):
    t = obj if isinstance(obj, type) else type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def _fname(fn):
    mod = getattr(fn, "__module__", None) or ""
    return f"{mod}.{getattr(fn, '__name__', repr(fn))}".lstrip(".")


def _npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def _pair(v):
    v = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    return str(int(v[0])) if v[0] == v[1] else f"[{int(v[0])}, {int(v[1])}]"


def _qp(t):
    """.q qparams of a quantized per-tensor torch tensor."""
    if t.dtype not in QDTYPE:
        raise ExportError(f"dtype {t.dtype} is not supported (qcc activations are quint8 or qint8)")
    if t.qscheme() not in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        raise ExportError(f"activation qscheme {t.qscheme()} is not per-tensor")
    return f"{QDTYPE[t.dtype]}(scale={float(t.q_scale())!r}, zp={int(t.q_zero_point())})"


def _same_q(a, b):
    return (a.dtype == b.dtype and float(a.q_scale()) == float(b.q_scale())
            and int(a.q_zero_point()) == int(b.q_zero_point()))


class _Recorder(fx.Interpreter):
    """Runs the traced model and keeps every node's value."""

    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}

    def run_node(self, n):
        v = super().run_node(n)
        self.values[n.name] = v
        return v


class _Tracer(fx.Tracer):
    """symbolic_trace that remembers, for every node, the path of the
    module whose forward() created it (node.meta["owner"])."""

    def __init__(self):
        super().__init__()
        self.stack = []

    def call_module(self, m, forward, args, kwargs):
        self.stack.append(self.path_of_module(m))
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self.stack.pop()

    def create_node(self, *args, **kwargs):
        node = super().create_node(*args, **kwargs)
        node.meta["owner"] = self.stack[-1] if self.stack else ""
        return node


def trace(model):
    """A torch.fx GraphModule of the converted model (quantized modules,
    fused Identity/ReLU placeholders and stubs are leaves)."""
    if isinstance(model, fx.GraphModule):
        return model
    try:
        graph = _Tracer().trace(model)
    except Exception as e:   # noqa: BLE001 -- any tracing failure is the user's model
        raise ExportError(f"torch.fx cannot trace {_tname(model)}: {e}") from e
    return fx.GraphModule(model, graph, type(model).__name__)


def capture(model_or_gm, x):
    """Run the traced model on x; {fx node name: value}."""
    gm = trace(model_or_gm)
    rec = _Recorder(gm)
    with torch.no_grad():
        rec.run(x)
    return rec.values


class Export:
    """What export() produced: the .q text, its files, and the mapping from
    .q tensor names to fx node names (for layer-by-layer comparison)."""

    def __init__(self, gm, text, files, names, outputs, qnames):
        self.gm = gm            # the traced torch.fx.GraphModule
        self.qnames = qnames    # {fx node name: .q tensor name} (aliases included)
        self.text = text        # contents of the .q file
        self.files = files      # {relative path: bytes}, the .npy weights
        self.names = names      # {.q tensor name: fx node name}, in program order
        self.outputs = outputs  # .q names of the outputs

    def capture(self, x):
        """{.q tensor name: torch value} for input x (quantized tensors for
        every layer, as torch computes them)."""
        vals = capture(self.gm, x)
        return {q: vals[f] for q, f in self.names.items()}

    def quantized_outputs(self):
        """For each output, the .q name of the quantized tensor behind it
        (the output itself, or what its dequantize reads)."""
        res = []
        out = [n for n in self.gm.graph.nodes if n.op == "output"][0].args[0]
        for n in (list(out) if isinstance(out, (tuple, list)) else [out]):
            while n.op != "placeholder" and self.qnames.get(n.name) == self.qnames.get(n.args[0].name if
                                                                                      n.args else None):
                n = n.args[0]                        # aliases
            is_deq = (n.op == "call_module" and isinstance(dict(self.gm.named_modules())[n.target], nnq.DeQuantize)) \
                or (n.op == "call_method" and n.target == "dequantize") or n.target is torch.dequantize
            res.append(self.qnames[n.args[0].name] if is_deq else self.qnames[n.name])
        return res


class _Builder:
    def __init__(self, gm, values, name, wdir):
        self.gm = gm
        self.mods = dict(gm.named_modules())
        self.values = values        # fx node name -> value
        self.model = name
        self.wdir = wdir            # weights directory, relative to the .q
        self.lines = []
        self.files = {}
        self.qname = {}             # fx node name -> .q tensor name (tensors only)
        self.used = set()
        self.names = {}             # .q name -> fx node name
        self.outputs = []

    # -- names and values ------------------------------------------------
    def fresh(self, base):
        s = "".join(c if (c.isalnum() or c in "_.") else "_" for c in base) or "t"
        if not (s[0].isalpha() or s[0] == "_"):
            s = "t_" + s
        if s in RESERVED:
            s = s + "_"
        cand, k = s, 1
        while cand in self.used:
            cand, k = f"{s}_{k}", k + 1
        self.used.add(cand)
        return cand

    def define(self, node, qname):
        self.qname[node.name] = qname
        self.names[qname] = node.name

    def val(self, node):
        return self.values[node.name]

    def arg(self, node, where):
        """The .q name of a tensor argument."""
        if not isinstance(node, fx.Node) or node.name not in self.qname:
            raise ExportError(f"{where}: argument {node!r} is not a tensor the exporter produced")
        return self.qname[node.name]

    def npy(self, fname, arr):
        path = f"{self.wdir}/{fname}.npy"
        self.files[path] = _npy_bytes(arr)
        return f'"{path}"'

    def stmt(self, s):
        self.lines.append(s)

    # -- statements ------------------------------------------------------
    def weight(self, base, qw):
        if qw.dtype != torch.qint8:
            raise ExportError(f"{base}: weight dtype {qw.dtype}; qcc takes qint8 weights")
        data = self.npy(base + ".w", qw.int_repr().numpy().astype("|i1"))
        if qw.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric,
                            torch.per_channel_affine_float_qparams):
            if qw.q_per_channel_axis() != 0:
                raise ExportError(f"{base}: per-channel weight axis {qw.q_per_channel_axis()} (qcc needs 0)")
            s = qw.q_per_channel_scales().numpy().astype("<f8")
            z = qw.q_per_channel_zero_points().numpy()
            zp = "" if not z.any() else f", zp={[int(v) for v in z]}"
            return f"i8({data}, scale={self.npy(base + '.s', s)}{zp}, axis=0)"
        s, z = float(qw.q_scale()), int(qw.q_zero_point())
        return f"i8({data}, scale={s!r}" + (f", zp={z}" if z else "") + ")"

    def conv_like(self, node, mod, x, relu):
        name = self.fresh(node.target)
        qw, b = mod.weight(), mod.bias()
        inner = name + ".conv" if relu else name
        args = [x, f"weight={self.weight(inner, qw)}"]
        if b is not None:
            args.append(f"bias={self.npy(inner + '.b', b.detach().numpy().astype('<f4'))}")
        op = "linear"
        if isinstance(mod, nnq.Conv2d):
            op = "conv2d"
            if mod.padding_mode != "zeros":
                raise ExportError(f"module '{node.target}' ({_tname(mod)}): padding_mode "
                                  f"'{mod.padding_mode}' is not supported")
            args += [f"stride={_pair(mod.stride)}", f"pad={_pair(mod.padding)}"]
            if tuple(mod.dilation) != (1, 1):
                args.append(f"dilation={_pair(mod.dilation)}")
            if mod.groups != 1:
                args.append(f"groups={mod.groups}")
        qp = _qp(self.val(node))
        body = f"{op}({', '.join(args)})"
        if relu:
            # the fused module's qparams are the relu's: the conv is not materialised
            self.stmt(f"{inner} = {body}")
            self.stmt(f"{name} = relu({inner}) : {qp}")
        else:
            self.stmt(f"{name} = {body} : {qp}")
        self.define(node, name)

    def unary(self, node, base, op, x, extra="", qsame=False):
        """op(x) whose output qparams are torch's (written unless qsame and equal)."""
        name = self.fresh(base)
        out = self.val(node)
        xin = self.values[node.args[0].name] if isinstance(node.args[0], fx.Node) else None
        tail = ""
        if not (qsame and xin is not None and xin.is_quantized and _same_q(out, xin)):
            tail = f" : {_qp(out)}"
        self.stmt(f"{name} = {op}({x}{extra}){tail}")
        self.define(node, name)

    def alias(self, node, src):
        self.qname[node.name] = self.qname[src.name]

    # -- the walk --------------------------------------------------------
    def run(self, example_shape):
        self.stmt(f"model {self.model}")
        for node in self.gm.graph.nodes:
            self.visit(node, example_shape)
        return "\n".join(self.lines) + "\n"

    def visit(self, node, example_shape):
        if node.op == "placeholder":
            if node.name in self.qname or example_shape is None:
                raise ExportError("only models with one tensor input are supported")
            name = self.fresh(node.target)
            self.stmt(f"input {name} : f32[{', '.join(str(d) for d in example_shape)}]")
            self.define(node, name)
            example_shape = None
        elif node.op == "get_attr":
            return
        elif node.op == "output":
            outs = node.args[0]
            outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
            self.outputs = [self.arg(o, "model output") for o in outs]
            self.stmt(f"output {', '.join(self.outputs)}")
        elif node.op == "call_module":
            self.module(node, self.mods[node.target])
        elif node.op == "call_function":
            self.function(node, node.target, f"function {_fname(node.target)} (node '{node.name}')")
        elif node.op == "call_method":
            self.method(node)
        else:
            raise ExportError(f"fx node '{node.name}' ({node.op}) is not supported")

    def check_quantized(self, node, where):
        for a in node.args:
            # get_attr nodes are constants (FX mode passes scale/zero_point so)
            if isinstance(a, fx.Node) and a.op != "get_attr" and isinstance(self.values.get(a.name), torch.Tensor) \
                    and not self.values[a.name].is_quantized:
                raise ExportError(f"{where} runs on a float tensor: only quantized layers can be "
                                  f"exported (is it missing a qconfig, or a QuantStub before it?)")

    def module(self, node, mod):
        where = f"module '{node.target}' ({_tname(mod)})"
        x = node.args[0] if node.args else None
        if isinstance(mod, (nn.Identity, nn.Dropout)):
            self.alias(node, x)
            return
        if isinstance(mod, nnq.Quantize):
            self.unary(node, node.target, "quantize", self.arg(x, where))
            return
        if isinstance(mod, nnq.DeQuantize):
            self.unary_float(node, node.target, self.arg(x, where))
            return
        self.check_quantized(node, where)
        xs = self.arg(x, where) if isinstance(x, fx.Node) else None
        if isinstance(mod, nniq.ConvReLU2d) or isinstance(mod, nniq.LinearReLU):
            self.conv_like(node, mod, xs, relu=True)
        elif type(mod) in (nnq.Conv2d, nnq.Linear):
            self.conv_like(node, mod, xs, relu=False)
        elif isinstance(mod, (nn.ReLU6, nnq.ReLU6)):   # nnq.ReLU6 subclasses nn.ReLU: test it first
            self.unary(node, node.target, "relu6", xs, qsame=True)
        elif isinstance(mod, nn.ReLU):
            self.unary(node, node.target, "relu", xs, qsame=True)
        elif isinstance(mod, nn.Hardtanh):    # nnq.Hardtanh too
            self.unary(node, node.target, "clamp", xs,
                       f", min={float(mod.min_val)!r}, max={float(mod.max_val)!r}", qsame=True)
        elif isinstance(mod, nn.MaxPool2d):
            self.maxpool(node, where, xs, mod.kernel_size, mod.stride, mod.padding, mod.dilation,
                         mod.ceil_mode)
        elif isinstance(mod, nn.AvgPool2d):
            self.avgpool(node, where, xs, mod.kernel_size, mod.stride, mod.padding, mod.ceil_mode,
                         mod.count_include_pad, mod.divisor_override)
        elif isinstance(mod, nn.AdaptiveAvgPool2d):
            self.adaptive(node, where, xs, mod.output_size)
        elif isinstance(mod, nn.Flatten):
            self.flatten(node, where, xs, mod.start_dim, mod.end_dim)
        else:
            raise ExportError(f"{where} is not supported")

    def unary_float(self, node, base, x):
        name = self.fresh(base)
        self.stmt(f"{name} = dequantize({x})")
        self.define(node, name)

    def maxpool(self, node, where, x, k, s, p, d, ceil):
        if ceil:
            raise ExportError(f"{where}: ceil_mode=True is not supported")
        s = k if s is None or s == [] else s
        extra = f", kernel={_pair(k)}, stride={_pair(s)}"
        if _pair(p) != "0":
            extra += f", pad={_pair(p)}"
        if _pair(d) != "1":
            extra += f", dilation={_pair(d)}"
        self.unary(node, self.base(node), "maxpool2d", x, extra, qsame=True)

    def avgpool(self, node, where, x, k, s, p, ceil, cip, div):
        if ceil or div is not None:
            raise ExportError(f"{where}: ceil_mode/divisor_override are not supported")
        s = k if s is None or s == [] else s
        extra = f", kernel={_pair(k)}, stride={_pair(s)}"
        if _pair(p) != "0":
            extra += f", pad={_pair(p)}"
        if not cip and torch.backends.quantized.engine == "qnnpack":
            # torch 1.13's quantized avg_pool2d under qnnpack ignores
            # count_include_pad=False (divides by the full window): export
            # what torch computes, and say so
            self.stmt(f"# {where}: count_include_pad=False, but quantized avg_pool2d on qnnpack "
                      f"divides by the whole window; exported as torch computes it")
            print(f"torch2q: warning: {where}: quantized avg_pool2d on qnnpack ignores "
                  f"count_include_pad=False; exported with count_include_pad=true, as torch computes",
                  file=sys.stderr)
        elif not cip:
            extra += ", count_include_pad=false"
        self.unary(node, self.base(node), "avgpool2d", x, extra, qsame=True)

    def adaptive(self, node, where, x, size):
        size = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
        if size != (1, 1):
            raise ExportError(f"{where}: only output_size 1 (global average pooling) is supported")
        self.unary(node, self.base(node), "global_avgpool", x, qsame=True)

    def flatten(self, node, where, x, start, end):
        rank = self.values[node.args[0].name].dim()
        if start not in (1, 1 - rank) or end not in (-1, rank - 1):
            raise ExportError(f"{where}: only flatten(x, 1) is supported")
        self.unary(node, self.base(node), "flatten", x, qsame=True)

    def reshape(self, node, where, x):
        shape = list(self.val(node).shape)
        self.unary(node, self.base(node), "reshape", x, f", shape={shape}", qsame=True)

    def base(self, node):
        """A node's .q name: its module's path, or for a function or method
        the path of the module whose forward() called it."""
        if node.op == "call_module":
            return node.target
        return node.meta.get("owner") or node.name

    def function(self, node, fn, where):
        a = node.args
        x = a[0] if a else None
        if fn in (torch.quantize_per_tensor,):
            self.unary(node, self.base(node), "quantize", self.arg(x, where))
            return
        if fn in (torch.dequantize,):
            self.unary_float(node, self.base(node), self.arg(x, where))
            return
        if fn is getattr:
            return                                   # x.shape etc.: not a tensor
        self.check_quantized(node, where)
        kw = node.kwargs
        if fn in (torch.ops.quantized.add, torch.ops.quantized.add_relu):
            if len(a) < 2 or not all(isinstance(v, fx.Node) for v in a[:2]):
                raise ExportError(f"{where}: only tensor + tensor is supported")
            self.add(node, self.arg(a[0], where), self.arg(a[1], where),
                     fn is torch.ops.quantized.add_relu)
        elif fn is torch.ops.quantized.cat:
            dim = kw.get("dim", a[3] if len(a) > 3 else 0)
            self.cat(node, where, a[0], dim)
        elif fn in (F.relu, torch.relu):
            self.unary(node, self.base(node), "relu", self.arg(x, where), qsame=True)
        elif fn is F.relu6:
            self.unary(node, self.base(node), "relu6", self.arg(x, where), qsame=True)
        elif fn in (F.hardtanh, torch.clamp):
            lo = kw.get("min_val", kw.get("min", a[1] if len(a) > 1 else -1.0))
            hi = kw.get("max_val", kw.get("max", a[2] if len(a) > 2 else 1.0))
            self.unary(node, self.base(node), "clamp", self.arg(x, where),
                       f", min={float(lo)!r}, max={float(hi)!r}", qsame=True)
        elif fn is torch.flatten:
            self.flatten(node, where, self.arg(x, where), kw.get("start_dim", a[1] if len(a) > 1 else 0),
                         kw.get("end_dim", a[2] if len(a) > 2 else -1))
        elif fn is torch.reshape:
            self.reshape(node, where, self.arg(x, where))
        elif fn is F.max_pool2d:
            g = lambda i, k, d: kw.get(k, a[i] if len(a) > i else d)  # noqa: E731
            ks = g(1, "kernel_size", None)
            self.maxpool(node, where, self.arg(x, where), ks, g(2, "stride", None) or ks,
                         g(3, "padding", 0), g(4, "dilation", 1), g(5, "ceil_mode", False))
        elif fn is F.adaptive_avg_pool2d:
            self.adaptive(node, where, self.arg(x, where), kw.get("output_size", a[1] if len(a) > 1 else None))
        else:
            raise ExportError(f"{where} is not supported")

    def method(self, node):
        where = f"method .{node.target}() (node '{node.name}')"
        x = node.args[0]
        m = node.target
        if m in ("size", "dim"):
            return
        if m == "dequantize":
            self.unary_float(node, self.base(node), self.arg(x, where))
            return
        self.check_quantized(node, where)
        if m in ("contiguous", "clone", "detach"):
            self.alias(node, x)
        elif m in ("view", "reshape"):
            self.reshape(node, where, self.arg(x, where))
        elif m == "flatten":
            a, kw = node.args, node.kwargs
            self.flatten(node, where, self.arg(x, where), kw.get("start_dim", a[1] if len(a) > 1 else 0),
                         kw.get("end_dim", a[2] if len(a) > 2 else -1))
        elif m in ("relu", "relu_"):
            self.unary(node, self.base(node), "relu", self.arg(x, where), qsame=True)
        else:
            raise ExportError(f"{where} is not supported")

    def owner_name(self, node):
        """QFunctional ops are traced as functions; name them after the
        QFunctional module (its activation_post_process user)."""
        for u in node.users:
            if u.op == "call_module" and u.target.endswith(".activation_post_process"):
                return u.target[: -len(".activation_post_process")]
        return self.base(node)

    def add(self, node, a, b, relu):
        name = self.fresh(self.owner_name(node))
        qp = _qp(self.val(node))
        if relu:
            self.stmt(f"{name}.add = add({a}, {b}) : {qp}")
            self.stmt(f"{name} = relu({name}.add)")
        else:
            self.stmt(f"{name} = add({a}, {b}) : {qp}")
        self.define(node, name)

    def cat(self, node, where, xs, dim):
        rank = self.val(node).dim()
        if dim not in (1, 1 - rank) or rank != 4:
            raise ExportError(f"{where}: only concatenation along channels (dim=1) is supported")
        ins = ", ".join(self.arg(v, where) for v in xs)
        name = self.fresh(self.owner_name(node))
        self.stmt(f"{name} = concat({ins}, axis=1) : {_qp(self.val(node))}")
        self.define(node, name)


def build(model, example_input, name="net", wdir="w"):
    """Trace and convert; returns an Export (nothing is written)."""
    if isinstance(model, torch.jit.ScriptModule):
        raise ExportError("a TorchScript model cannot be exported: pass the converted nn.Module "
                          "(torch.save(model) of the module itself)")
    model.eval()
    gm = trace(model)
    values = capture(gm, example_input)
    b = _Builder(gm, values, name, wdir)
    text = b.run(tuple(example_input.shape))
    return Export(gm, text, b.files, b.names, b.outputs, b.qname)


def _write_atomic(path, text, files, wdir):
    """Write the .q and its weight directory; all or nothing."""
    d = os.path.dirname(os.path.abspath(path))
    tmp = tempfile.mkdtemp(prefix=".torch2q.", dir=d)
    try:
        tw = os.path.join(tmp, "w")
        os.makedirs(tw)
        for rel, data in files.items():
            with open(os.path.join(tw, rel[len(wdir) + 1:]), "wb") as f:
                f.write(data)
        with open(os.path.join(tmp, "q"), "w") as f:
            f.write(text)
        final_w = os.path.join(d, wdir)
        old = None
        if os.path.exists(final_w):
            old = os.path.join(tmp, "old")
            os.rename(final_w, old)
        os.rename(tw, final_w)
        os.replace(os.path.join(tmp, "q"), path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export(model, example_input, path, name=None):
    """Export a converted quantized model to path (.q) and PATHSTEM_w/*.npy.

    example_input: one float32 NCHW tensor (its shape is the .q input's).
    Returns an Export.  Raises ExportError (writing nothing) for anything
    unsupported."""
    stem = os.path.splitext(os.path.basename(path))[0]
    name = name or "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    wdir = stem + "_w"
    ex = build(model, example_input, name, wdir)
    _write_atomic(path, ex.text, ex.files, wdir)
    return ex


def _repair_unpickled(model):
    """torch 1.13's quantized conv modules pickle through their own
    __getstate__/__setstate__, which never restore nn.Module's bookkeeping
    (_modules, _parameters, hooks...), so a torch.save()d whole quantized
    model cannot even be put in eval mode.  Give every module that lacks
    them fresh, empty ones; their quantized state was restored."""
    fresh = nn.Module().__dict__
    todo = [model]
    while todo:
        m = todo.pop()
        for k, v in fresh.items():
            if k not in m.__dict__:
                m.__dict__[k] = copy.copy(v)
        todo.extend(m.__dict__["_modules"].values())
    return model


def _load_factory(spec):
    """--factory MODULE:FUNC -> FUNC() (the user's code builds the model)."""
    mod, _, fn = spec.partition(":")
    if not mod or not fn:
        raise ExportError(f"--factory wants MODULE:FUNCTION, got {spec!r}")
    return getattr(importlib.import_module(mod), fn)()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", help="a torch.save()d converted model (the whole nn.Module)")
    ap.add_argument("--factory", metavar="MODULE:FUNC",
                    help="instead of a saved model: import MODULE (see --import-path) and call FUNC(), "
                         "which returns the converted model (e.g. builds it and loads a state_dict)")
    ap.add_argument("-o", "--output", required=True, help="the .q to write (weights go to STEM_w/)")
    ap.add_argument("--input-shape", required=True, help="example input shape, e.g. 1,3,32,32")
    ap.add_argument("--name", help="model name in the .q (default: from the output file name)")
    ap.add_argument("--import-path", action="append", default=[],
                    help="directory to put on sys.path before unpickling")
    ap.add_argument("--import", dest="imports", action="append", default=[],
                    help="module to import before unpickling (defines the model's classes)")
    ap.add_argument("--engine", default="qnnpack")
    a = ap.parse_args(argv)
    sys.path[:0] = a.import_path
    for m in a.imports:
        importlib.import_module(m)
    torch.backends.quantized.engine = a.engine
    try:
        shape = tuple(int(v) for v in a.input_shape.split(","))
    except ValueError:
        ap.error(f"bad --input-shape {a.input_shape!r}")
    if (a.model is None) == (a.factory is None):
        ap.error("give a saved model file or --factory MODULE:FUNC (one of them)")
    what = a.model or a.factory
    try:
        model = _load_factory(a.factory) if a.factory else torch.load(a.model, map_location="cpu")
    except Exception as e:   # noqa: BLE001
        print(f"torch2q: error: cannot load {what}: {e}", file=sys.stderr)
        return 1
    if not isinstance(model, nn.Module):
        print(f"torch2q: error: {what} gives a {_tname(model)}, not a model "
              f"(save the module itself: torch.save(model, path))", file=sys.stderr)
        return 1
    if a.model:
        _repair_unpickled(model)
    try:
        g = torch.Generator().manual_seed(0)
        ex = export(model, torch.randn(shape, generator=g), a.output, a.name)
    except ExportError as e:
        print(f"torch2q: error: {e}", file=sys.stderr)
        return 1
    print(f"torch2q: wrote {a.output} ({len(ex.names)} tensors, {len(ex.files)} weight files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
