#!/usr/bin/python3
"""The zoo's agreement test: PyTorch quantized model vs qcc, per network.

    /usr/bin/python3 tests/zoo/run_zoo.py --qcc build/qcc --work DIR NET [NET ...]
                                          [--n 20] [--seed 99] [--cc gcc]

For every NET (tests/zoo/nets.py): build and convert it in PyTorch (qnnpack,
1 thread, fixed seeds), export it with tools/torch2q.py into DIR/NET/,
compile it with qcc (portable target, --contract=pytorch unless --contract
says otherwise) and cc, run it on the example input
plus N random inputs and compare the quantized output with the torch
model's: max |diff| <= 1 LSB, >= 99.9 % identical elements, identical
top-1 on every input.  Prints one table row per network (and appends it to
DIR/agreement.md).  Exit 1 if a network fails, 2 on a setup error.
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "tools")]
import nets      # noqa: E402
import torch2q   # noqa: E402

MAX_DIFF_LSB = 1
MIN_IDENTICAL = 0.999
CFLAGS = ["-std=c11", "-O2"]   # run_model.c needs aligned_alloc


def sh(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("failed: %s\n%s%s" % (" ".join(cmd), r.stdout[-3000:], r.stderr[-3000:]))
    return r


def compile_model(qcc, cc, qfile, work, extra_qcc=(), extra_cc=()):
    """qcc + cc -> the generic runner (tests/driver/run_model.c)."""
    c = os.path.join(work, "model.c")
    sh([qcc, qfile, "-o", c, "--prefix=qnet", *extra_qcc])
    exe = os.path.join(work, "run_model")
    rt = os.path.join(ROOT, "runtime")
    sh([cc, *CFLAGS, "-I", rt, "-DQCC_MODEL=qnet_model", *extra_cc, c, os.path.join(rt, "qrt.c"),
        os.path.join(ROOT, "tests", "driver", "run_model.c"), "-o", exe])
    return exe


def run_q(exe, x, scale, zp, qmin, qmax, shape, work):
    """Run the compiled model on x; its f32 output as quantized integers."""
    fin, fout = os.path.join(work, "in.bin"), os.path.join(work, "out.bin")
    x.numpy().astype("<f4").tofile(fin)
    sh([exe, "--in", fin, "--out", fout])
    y = np.fromfile(fout, dtype="<f4").reshape(shape)
    q = np.rint(y.astype(np.float64) / scale).astype(np.int64) + zp
    back = (q - zp).astype(np.float32) * np.float32(scale)
    if not np.array_equal(back, y) or q.min() < qmin or q.max() > qmax:
        raise RuntimeError(f"{fout} is not a dequantized tensor with scale={scale!r}, zp={zp}")
    return q


def check(name, a):
    work = os.path.join(a.work, name)
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    net = nets.build(name)
    qfile = os.path.join(work, f"{name}.q")
    ex = torch2q.export(net.qmodel, net.example, qfile)
    t1 = time.time()
    exe = compile_model(a.qcc, a.cc, qfile, work, extra_qcc=["--contract=" + a.contract])
    t2 = time.time()
    qout = ex.quantized_outputs()[0]
    xs = [net.example] + list(net.inputs(a.n, a.seed).split(1))
    max_diff, same, total, top1_bad = 0, 0, 0, []
    for i, x in enumerate(xs):
        with torch.no_grad():
            y = net.qmodel(x)                          # the user's model itself
        qt_t = ex.capture(x)[qout]
        assert torch.equal(qt_t.dequantize(), y), "traced graph differs from the model"
        qt = qt_t.int_repr().numpy().astype(np.int64)
        info = torch.iinfo(qt_t.dtype)
        qr = run_q(exe, x, qt_t.q_scale(), qt_t.q_zero_point(), info.min, info.max, qt.shape, work)
        d = np.abs(qr - qt)
        max_diff = max(max_diff, int(d.max()))
        same += int((d == 0).sum())
        total += d.size
        if qt.size > 1 and int(qt.argmax()) != int(qr.argmax()):
            top1_bad.append(i)
    t3 = time.time()
    ident = same / total
    ok = max_diff <= MAX_DIFF_LSB and ident >= MIN_IDENTICAL and not top1_bad
    row = (f"| {name} | {len(xs)} | {total} | {max_diff} | {100 * ident:.3f} % | "
           f"{len(xs) - len(top1_bad)}/{len(xs)} | {'PASS' if ok else 'FAIL'} |")
    print(row + f"   (torch+export {t1 - t0:.0f}s, qcc+cc {t2 - t1:.0f}s, runs {t3 - t2:.0f}s)", flush=True)
    with open(os.path.join(a.work, "agreement.md"), "a") as f:
        f.write(row + "\n")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--contract", choices=("pytorch", "integer"), default="pytorch",
                    help="qcc's arithmetic (default pytorch: QNNPACK's float32 requantization)")
    ap.add_argument("nets", nargs="+", choices=list(nets.NETS))
    a = ap.parse_args(argv)
    os.makedirs(a.work, exist_ok=True)
    print("| network | inputs | output elements | max \\|diff\\| (LSB) | identical | top-1 | |")
    print("|---|---|---|---|---|---|---|", flush=True)
    ok = True
    for name in a.nets:
        try:
            ok &= check(name, a)
        except (RuntimeError, torch2q.ExportError) as e:
            print(f"| {name} | setup error: {e}")
            return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
