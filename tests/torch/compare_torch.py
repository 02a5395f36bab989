#!/usr/bin/python3
"""Agreement test: PyTorch's quantized model vs a qcc model runner.

    /usr/bin/python3 tests/torch/compare_torch.py --sample NAME \
        --runner "PATH [ARGS...]" [--n 20] [--seed S] [--workdir DIR]

1. Loads sample NAME's float and converted torch models from
   samples/NAME/NAME.pt (samples/gen_samples.py load(): no training, so any
   CPU gets the same models), exports them again and checks that the files
   -- NAME.q, w/*.npy, input.bin -- are byte-for-byte the committed ones in
   samples/NAME/, so the torch model this test compares against is provably
   the one the sample describes.
2. Runs the shipped input.bin plus N random inputs (drawn from the sample's
   input distribution, fixed --seed) through the torch quantized model and
   through the runner:  `PATH [ARGS...] --in in.bin --out out.bin`
   (raw little-endian NCHW float32 in, the model's f32 output out) -- the
   compiled qcc model, or tests/torch/qref_runner.sh for the reference.
3. Compares the *quantized* final output.  The samples end in
   `y = dequantize(logits)`, and y = (float)(q - z) * (float)s exactly, so
   q = rne(y / s) + z is recovered from the runner's f32 output (and the
   recovery is checked to be exact).  The torch side reads the final
   quantized module's int_repr() directly.

Pass criteria (over all inputs): max |diff| <= 1 LSB, >= 99.9 % identical
elements, identical top-1 (argmax of q) for every input.  Exit status 0 on
pass, 1 on a disagreement, 2 on a setup error (drifted sample, runner fails).
"""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "samples"))
import gen_samples  # noqa: E402  (samples/gen_samples.py)

MAX_DIFF_LSB = 1
MIN_IDENTICAL = 0.999
DEFAULT_SEED = 777


def final_module(sample):
    """The quantized module producing the value the .q dequantizes."""
    return sample.qmodel.f3 if sample.name == "lenet" else sample.qmodel.fc


def check_committed(sample):
    """Byte-for-byte check of the rebuilt export against samples/NAME/."""
    d = os.path.join(ROOT, "samples", sample.name)
    bad = []
    for rel, data in sorted(sample.files.items()):
        p = os.path.join(d, rel)
        if not os.path.exists(p):
            bad.append(f"missing {p}")
        elif open(p, "rb").read() != data:
            bad.append(f"differs {p}")
    wdir = os.path.join(d, "w")
    extra = sorted(f"w/{f}" for f in os.listdir(wdir)
                   if f"w/{f}" not in sample.files) if os.path.isdir(wdir) else []
    bad += [f"stale (not generated) {os.path.join(d, f)}" for f in extra]
    return bad


def torch_q(sample, x):
    """(q [1, K] int64, scale, zp) of the final quantized module for input x."""
    mod = final_module(sample)
    got = []
    h = mod.register_forward_hook(lambda m, i, o: got.append(o))
    try:
        with torch.no_grad():
            y = sample.qmodel(x)
    finally:
        h.remove()
    q = got[0]
    # the torch model's own output must be that tensor, dequantized
    assert torch.equal(y, q.dequantize())
    return q.int_repr().numpy().astype(np.int64), q.q_scale(), q.q_zero_point()


def runner_q(cmd, x, scale, zp, shape, workdir, idx):
    """Run the runner on x; return its output as quantized integers."""
    fin = os.path.join(workdir, f"in{idx}.bin")
    fout = os.path.join(workdir, f"out{idx}.bin")
    x.numpy().astype("<f4").tofile(fin)
    if os.path.exists(fout):
        os.remove(fout)
    r = subprocess.run(cmd + ["--in", fin, "--out", fout],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0 or not os.path.exists(fout):
        raise RuntimeError(f"runner failed (status {r.returncode}) on {fin}:\n"
                           f"{r.stdout}{r.stderr}")
    y = np.fromfile(fout, dtype="<f4")
    if y.size != int(np.prod(shape)):
        raise RuntimeError(f"runner wrote {y.size} floats, expected {shape}")
    y = y.reshape(shape)
    q = np.rint(y.astype(np.float64) / scale).astype(np.int64) + zp
    # y must be exactly a dequantized value: (float)(q - z) * (float)s
    back = (q - zp).astype(np.float32) * np.float32(scale)
    if not np.array_equal(back, y) or q.min() < 0 or q.max() > 255:
        raise RuntimeError(f"runner output {fout} is not a dequantized u8 "
                           f"tensor with scale={scale!r}, zp={zp}")
    return q


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", required=True, choices=gen_samples.SAMPLES)
    ap.add_argument("--runner", required=True,
                    help="runner command (split like a shell would); it is "
                         "called with --in IN.bin --out OUT.bin appended")
    ap.add_argument("--n", type=int, default=20, help="random inputs (default 20)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--workdir", help="keep inputs/outputs here (default: temp dir)")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="print every input's result")
    a = ap.parse_args(argv)
    cmd = shlex.split(a.runner)

    sample = gen_samples.load(a.sample)
    bad = check_committed(sample)
    if bad:
        print(f"FAIL {a.sample}: the committed sample does not match what "
              f"samples/gen_samples.py load() exports from NAME.pt (regenerate it?):")
        print("\n".join("  " + b for b in bad))
        return 2

    xs = [sample.input] + list(gen_samples.random_inputs(a.sample, a.n, a.seed).split(1))
    tmp = None
    if a.workdir:
        os.makedirs(a.workdir, exist_ok=True)
        workdir = a.workdir
    else:
        tmp = tempfile.TemporaryDirectory(prefix="compare_torch_")
        workdir = tmp.name

    max_diff, n_same, n_elems, top1_bad = 0, 0, 0, []
    try:
        for i, x in enumerate(xs):
            qt, s, z = torch_q(sample, x)
            qr = runner_q(cmd, x, s, z, qt.shape, workdir, i)
            d = np.abs(qr - qt)
            max_diff = max(max_diff, int(d.max()))
            n_same += int((d == 0).sum())
            n_elems += d.size
            t1t, t1r = int(qt.argmax()), int(qr.argmax())
            if t1t != t1r:
                top1_bad.append(i)
            if a.verbose or d.max() > 0:
                label = "input.bin" if i == 0 else f"random {i - 1}"
                print(f"  [{i:3d}] {label:11s} max|diff| {int(d.max())}  "
                      f"differing {int((d != 0).sum())}/{d.size}  top-1 torch {t1t} runner {t1r}"
                      + ("" if d.max() == 0 else f"\n        torch  {qt.ravel().tolist()}"
                                                  f"\n        runner {qr.ravel().tolist()}"))
    except RuntimeError as e:
        print(f"FAIL {a.sample}: {e}")
        return 2
    finally:
        if tmp:
            tmp.cleanup()

    ident = n_same / n_elems
    ok = max_diff <= MAX_DIFF_LSB and ident >= MIN_IDENTICAL and not top1_bad
    print(f"{'PASS' if ok else 'FAIL'} {a.sample}: {len(xs)} inputs "
          f"(input.bin + {a.n} random, seed {a.seed}), {n_elems} output elements: "
          f"max|diff| {max_diff} LSB, identical {100 * ident:.2f} % "
          f"({n_elems - n_same} differ), top-1 agreement {len(xs) - len(top1_bad)}/{len(xs)}"
          + (f" (differs on inputs {top1_bad})" if top1_bad else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
