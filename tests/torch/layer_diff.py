#!/usr/bin/python3
"""Diagnostic: per-layer torch vs qref comparison of a sample's intermediates.

    /usr/bin/python3 tests/torch/layer_diff.py --sample NAME [--n 20] [--seed S]
                                                [--qref PATH]

Runs the shipped input plus N random inputs through the sample's torch
quantized model (rebuilt by samples/gen_samples.py) and through the numpy
reference tools/qref.py (imported; --qref to use another copy), and prints,
for every quantized tensor the two have in common, the largest integer
difference and how many elements differ.  The first row with differences
is where the two implementations part ways.
"""

import argparse
import importlib.util
import os
import sys

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "samples"))
import gen_samples  # noqa: E402


def tensor_map(name):
    """[(torch module path, .q tensor name)] in execution order.  A module
    path ending in '.add' names a FloatFunctional/QFunctional add."""
    if name == "lenet":
        return [("quant", "x"), ("c1", "r1"), ("p1", "p1"), ("c2", "r2"),
                ("p2", "p2"), ("f1", "r3"), ("f2", "r4"), ("f3", "logits")]
    if name == "resnet8":
        m = [("quant", "x"), ("stem.0", "stem")]
        for b in ("s1", "s2", "s3"):
            m += [(f"{b}.a.0", f"{b}_a"), (f"{b}.b.0", f"{b}_b")]
            if b != "s1":
                m.append((f"{b}.short.0", f"{b}_sc"))
            m += [(f"{b}.skip.add", f"{b}_add"), (b, b)]
        return m + [("pool", "gap"), ("fc", "fc")]
    if name == "dsnet":
        m = [("quant", "x")]
        for n in ("stem", "dw1", "pw1", "dw2", "pw2", "dw3", "pw3"):
            m.append((n, n + "_bn"))
            if n != "pw3":
                m.append((n + "_act", n))
        return m + [("skip.add", "res"), ("pool", "gap"), ("fc", "fc")]
    raise ValueError(name)


def capture(qmodel, mapping):
    """Install hooks; returns the dict they fill: module path -> output."""
    got = {}
    mods = dict(qmodel.named_modules())
    for path, _ in mapping:
        if path.endswith(".add") or path == "skip.add":
            owner = mods[path[:-len(".add")]] if "." in path[:-4] else mods["skip"]
            orig = owner.add

            def add(a, b, _orig=orig, _p=path):
                got[_p] = _orig(a, b)
                return got[_p]
            owner.add = add          # instance attribute shadows the method
        else:
            mods[path].register_forward_hook(
                lambda m, i, o, _p=path: got.__setitem__(_p, o))
    return got


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", required=True, choices=gen_samples.SAMPLES)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=777)
    ap.add_argument("--qref", default=os.path.join(ROOT, "tools", "qref.py"))
    a = ap.parse_args(argv)

    spec = importlib.util.spec_from_file_location("qref", a.qref)
    qref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(qref)

    s = gen_samples.load(a.sample)
    ref = qref.load(os.path.join(ROOT, "samples", a.sample, a.sample + ".q"))
    mapping = tensor_map(a.sample)
    got = capture(s.qmodel, mapping)
    xs = [s.input] + list(gen_samples.random_inputs(a.sample, a.n, a.seed).split(1))
    stats = {p: [0, 0, 0] for p, _ in mapping}      # max, differing, total
    for x in xs:
        got.clear()
        with torch.no_grad():
            s.qmodel(x)
        ref.run([x.numpy()])
        for path, qname in mapping:
            r = np.asarray(ref.tensors[qname]).astype(np.int64)
            t = got[path].int_repr().numpy().astype(np.int64).reshape(r.shape)
            d = np.abs(t - r)
            st = stats[path]
            st[0] = max(st[0], int(d.max()))
            st[1] += int((d != 0).sum())
            st[2] += d.size
    print(f"{a.sample}: torch vs qref over {len(xs)} inputs")
    for path, qname in mapping:
        mx, nd, n = stats[path]
        print(f"  {path:12s} {qname:8s} max|diff| {mx}  differing {nd}/{n} ({100 * nd / n:.3f} %)")


if __name__ == "__main__":
    main()
