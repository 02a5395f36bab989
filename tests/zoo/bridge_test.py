#!/usr/bin/python3
"""The exporter's other entry points, each checked end to end.

    /usr/bin/python3 tests/zoo/bridge_test.py --qcc build/qcc --work DIR

1. FX mode: a small residual net (conv+bn+relu, depthwise, add, maxpool,
   adaptive avgpool, flatten, linear) quantized with prepare_fx/convert_fx
   (qnnpack, per-channel weights), exported with torch2q.export, compiled
   by qcc --contract=pytorch and compared with the torch model on 21
   inputs: the zoo's bar (max|diff| <= 1, >= 99.9 % identical, same top-1).
2. The command line: the zoo's resnet8, torch.save()d whole and exported
   by `tools/torch2q.py model.pt --input-shape ... -o net.q --import nets`,
   and built by a function, `--factory bridge_test:resnet8_model`; each
   compiled and compared the same way.
3. Refusal: a model holding a module the exporter does not support
   (quantized Hardswish) must stop with an error naming the module's path
   and type, exit 1, and write nothing: an existing net.q stays
   byte-identical and no weight directory appears.
Exit 0 when all three hold.
"""

import argparse
import copy
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]
import nets      # noqa: E402
import run_zoo   # noqa: E402
import torch2q   # noqa: E402


class FxNet(nn.Module):
    """Plain float modules: FX mode inserts the quant/dequant itself."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(16, 16, 3, 1, 1, groups=16), nn.BatchNorm2d(16), nn.ReLU())
        self.pw = nn.Sequential(nn.Conv2d(16, 16, 1), nn.BatchNorm2d(16))
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(x + self.pw(self.dw(x)))
        x = self.gap(self.pool(x))
        return self.fc(torch.flatten(x, 1))


def fx_model():
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.manual_seed(5)
    fm = FxNet().eval()
    g = torch.Generator().manual_seed(6)
    with torch.no_grad():
        for bn in (m for m in fm.modules() if isinstance(m, nn.BatchNorm2d)):
            bn.weight.copy_(0.5 + torch.rand(bn.num_features, generator=g))
            bn.bias.copy_(0.2 * torch.randn(bn.num_features, generator=g))
            bn.running_mean.copy_(0.1 * torch.randn(bn.num_features, generator=g))
            bn.running_var.copy_(0.5 + torch.rand(bn.num_features, generator=g))
    example = torch.randn(1, 3, 32, 32, generator=g)
    qm = prepare_fx(fm, get_default_qconfig_mapping("qnnpack"), example_inputs=(example,))
    with torch.no_grad():
        for _ in range(8):
            qm(torch.randn(8, 3, 32, 32, generator=g))
    return convert_fx(qm).eval(), example


def agree(qmodel, example, qfile, work, a, n=20):
    """Compile qfile, run torch and qcc on example + n random inputs."""
    exe = run_zoo.compile_model(a.qcc, "gcc", qfile, work, extra_qcc=["--contract=pytorch"])
    g = torch.Generator().manual_seed(11)
    xs = [example] + [torch.randn(example.shape, generator=g) for _ in range(n)]
    same = total = worst = 0
    top1 = True
    for x in xs:
        with torch.no_grad():
            y = qmodel(x)
        ex = torch2q.capture(torch2q.trace(qmodel), x)
        qt = [v for v in ex.values() if isinstance(v, torch.Tensor) and v.is_quantized][-1]
        assert torch.equal(qt.dequantize(), y), "the last quantized tensor is not the output"
        want = qt.int_repr().numpy().astype(np.int64)
        info = torch.iinfo(qt.dtype)
        got = run_zoo.run_q(exe, x, qt.q_scale(), qt.q_zero_point(), info.min, info.max, want.shape, work)
        d = np.abs(got - want)
        worst = max(worst, int(d.max()))
        same += int((d == 0).sum())
        total += d.size
        top1 &= int(want.argmax()) == int(got.argmax())
    ok = worst <= 1 and same / total >= 0.999 and top1
    print(f"  {len(xs)} inputs, {total} outputs: max|diff| {worst}, identical {100 * same / total:.3f} %, "
          f"top-1 {'same' if top1 else 'DIFFERS'}: {'PASS' if ok else 'FAIL'}")
    return ok


def check_fx(a):
    print("1. FX mode (prepare_fx/convert_fx)")
    work = os.path.join(a.work, "fx")
    os.makedirs(work, exist_ok=True)
    qm, example = fx_model()
    qfile = os.path.join(work, "fxnet.q")
    torch2q.export(qm, example, qfile)
    text = open(qfile).read()
    assert "add(" in text and "conv2d(" in text and "linear(" in text, text
    return agree(qm, example, qfile, work, a)


def resnet8_model():
    """A --factory for the command line: the zoo's converted resnet8."""
    nets.setup_torch()
    return nets.build("resnet8").qmodel


def cli(args, work):
    r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tools", "torch2q.py"), *args,
                        "--import-path", HERE], capture_output=True, text=True, cwd=work)
    print("  " + (r.stdout + r.stderr).strip().replace("\n", "\n  "))
    return r


def check_cli(a):
    ok = True
    net = nets.build("resnet8")
    shape = ",".join(str(d) for d in net.example.shape)
    for how in ("model.pt", "--factory"):
        print(f"2. tools/torch2q.py {how} -o net.q")
        work = os.path.join(a.work, "cli_" + how.strip("-").replace(".", "_"))
        os.makedirs(work, exist_ok=True)
        qfile = os.path.join(work, "net.q")
        if how == "model.pt":
            pt = os.path.join(work, "resnet8.pt")
            torch.save(net.qmodel, pt)
            args = [pt, "--import", "nets"]
        else:
            args = ["--factory", "bridge_test:resnet8_model"]
        r = cli(args + ["--input-shape", shape, "-o", qfile], work)
        if r.returncode != 0 or not os.path.exists(qfile):
            print("  FAIL: the exporter did not succeed")
            ok = False
            continue
        ok &= agree(net.qmodel, net.example, qfile, work, a)
    return ok


class WithHardswish(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 4, 3)
        self.act = nn.Hardswish()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.act(self.conv(self.quant(x))))


def hardswish_model():
    """A --factory: a converted model holding a quantized Hardswish."""
    nets.setup_torch()
    torch.manual_seed(0)
    m = WithHardswish().eval()
    m.qconfig = torch.ao.quantization.get_default_qconfig("qnnpack")
    m = torch.ao.quantization.prepare(copy.deepcopy(m))
    with torch.no_grad():
        m(torch.randn(4, 3, 8, 8))
    return torch.ao.quantization.convert(m).eval()


def check_refusal(a):
    print("3. an unsupported module: clear error, nothing written")
    work = os.path.join(a.work, "refuse")
    os.makedirs(work, exist_ok=True)
    qfile = os.path.join(work, "bad.q")
    with open(qfile, "w") as f:
        f.write("# an existing file the failed export must not touch\n")
    before = open(qfile, "rb").read()
    r = cli(["--factory", "bridge_test:hardswish_model", "--input-shape", "1,3,8,8", "-o", qfile], work)
    err = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    ok = (r.returncode == 1 and "module 'act'" in err and "Hardswish" in err and "not supported" in err
          and open(qfile, "rb").read() == before and not os.path.exists(os.path.join(work, "bad_w")))
    print("  " + ("PASS" if ok else "FAIL: expected exit 1, a message naming module 'act' (Hardswish), "
                  "bad.q untouched and no bad_w/"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    nets.setup_torch()
    results = [check_fx(a), check_cli(a), check_refusal(a)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
