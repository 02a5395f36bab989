#!/usr/bin/python3
"""layer_diff -- where does a qcc model part ways with its PyTorch original?

    /usr/bin/python3 tools/layer_diff.py model.pt --input-shape 1,3,32,32 \
        --q net.q [--qcc build/qcc] [--n 5] [--seed 0] [--work DIR] \
        [--import-path DIR --import MODULE]

or from Python:  layer_diff.compare(qmodel, example_input, "net.q", inputs, qcc=...)

It exports the converted torch model in memory with tools/torch2q.py (to
learn which torch node produces each .q tensor), compiles net.q -- the
exported file, or one you edited -- with `qcc --trace-layers`, runs both
on the same inputs, and prints one row per layer present in both, in
program order:

    layer            shape            max|diff|  identical   cosine    note

max|diff| and identical compare the integers (qcc's NHWC dump turned back
to NCHW); cosine compares the dequantized values (each side with its own
qparams).  A layer whose qparams differ from torch's is noted.  The first
layer that diverges -- qparams differ or max|diff| > 1 LSB -- is printed
last ("first divergence: NAME"): the layers before it agree to rounding.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import torch2q  # noqa: E402

# The driver: runs the model once, writing every traced layer to DIR.
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "model.h"

static FILE *manifest;
static const char *dir;
static int count;

static void dump(const char *name, const void *data, size_t bytes, const qrt_tensor_info *t)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%d.bin", dir, count);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, bytes, f) != bytes || fclose(f)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	fprintf(manifest, "%d %s %d %d %d %d %d %d %.17g %d\n", count++, name, t->dtype, t->rank, t->dims[0],
	        t->dims[1], t->dims[2], t->dims[3], t->scale, t->zero_point);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const qrt_model *m = &qnet_model;
	dir = argv[2];
	char path[4096];
	snprintf(path, sizeof path, "%s/manifest.txt", dir);
	manifest = fopen(path, "w");
	FILE *f = fopen(argv[1], "rb");
	float *x = malloc(m->inputs[0].numel * sizeof *x);
	float *y = malloc(m->outputs[0].numel * 4 + 4);
	void *arena = aligned_alloc(QRT_ARENA_ALIGN, (m->arena_size / QRT_ARENA_ALIGN + 1) * QRT_ARENA_ALIGN);
	if (!manifest || !f || !x || !y || !arena || fread(x, sizeof *x, m->inputs[0].numel, f) != m->inputs[0].numel)
		return 2;
	qnet_trace = dump;
	const void *ins[1] = {x};
	void *outs[1] = {y};
	return m->run(ins, outs, arena) || fclose(manifest) ? 1 : 0;
}
"""


def build_traced(qcc, qfile, work, cc="gcc"):
    c = os.path.join(work, "model.c")
    r = subprocess.run([qcc, qfile, "-o", c, "--prefix=qnet", "--trace-layers"], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"qcc failed:\n{r.stderr}")
    drv = os.path.join(work, "trace_main.c")
    with open(drv, "w") as f:
        f.write(DRIVER)
    exe = os.path.join(work, "traced")
    rt = os.path.join(ROOT, "runtime")
    r = subprocess.run([cc, "-std=c11", "-O2", "-I", rt, "-I", work, drv, c, os.path.join(rt, "qrt.c"), "-o", exe],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"cc failed:\n{r.stderr}")
    return exe


def run_traced(exe, x, work):
    """{name: (int array NCHW, scale, zp)} of one run."""
    d = tempfile.mkdtemp(dir=work)
    fin = os.path.join(d, "in.bin")
    x.numpy().astype("<f4").tofile(fin)
    r = subprocess.run([exe, fin, d], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"traced model failed: {r.stderr}")
    out = {}
    for line in open(os.path.join(d, "manifest.txt")):
        k, name, dt, rank, *rest = line.split()
        dims = [int(v) for v in rest[:4]][:int(rank)]
        scale, zp = float(rest[4]), int(rest[5])
        np_dt = {1: "<f4", 2: np.uint8, 3: np.int8}[int(dt)]
        a = np.fromfile(os.path.join(d, f"{k}.bin"), dtype=np_dt)
        if int(rank) == 4:
            n, c, h, w = dims
            a = a.reshape(n, h, w, c).transpose(0, 3, 1, 2)
        else:
            a = a.reshape(dims)
        out[name] = (a, scale, zp)
    return out


def compare(qmodel, example, qfile, inputs, qcc, work=None, out=sys.stdout):
    """Print the per-layer table; returns [(name, stats)] and the first
    divergent layer's name (or None)."""
    ex = torch2q.build(qmodel, example)
    work = work or tempfile.mkdtemp(prefix="layer_diff_")
    os.makedirs(work, exist_ok=True)
    exe = build_traced(qcc, qfile, work)
    stats = {}
    for x in inputs:
        mine = run_traced(exe, x, work)
        ref = ex.capture(x)
        for name in ex.names:
            t = ref.get(name)
            if name not in mine or not isinstance(t, torch.Tensor) or not t.is_quantized:
                continue
            a, s, z = mine[name]
            b = t.int_repr().numpy().astype(np.int64).reshape(a.shape)
            a = a.astype(np.int64)
            d = np.abs(a - b)
            fa = (a - z) * s
            fb = (b - t.q_zero_point()) * t.q_scale()
            st = stats.setdefault(name, {"max": 0, "same": 0, "n": 0, "dot": 0.0, "na": 0.0, "nb": 0.0,
                                         "shape": list(b.shape), "qp": None})
            st["max"] = max(st["max"], int(d.max()))
            st["same"] += int((d == 0).sum())
            st["n"] += d.size
            st["dot"] += float((fa * fb).sum())
            st["na"] += float((fa * fa).sum())
            st["nb"] += float((fb * fb).sum())
            if abs(s - t.q_scale()) > 1e-12 * t.q_scale() or z != t.q_zero_point():
                st["qp"] = f"qparams differ: qcc ({s:.9g}, {z}) torch ({t.q_scale():.9g}, {t.q_zero_point()})"
    first = None
    print(f"{'layer':28s} {'shape':18s} {'max|diff|':>9s} {'identical':>10s} {'cosine':>10s}  note", file=out)
    rows = []
    for name in ex.names:
        if name not in stats:
            continue
        st = stats[name]
        cos = st["dot"] / np.sqrt(st["na"] * st["nb"]) if st["na"] and st["nb"] else \
            (1.0 if st["na"] == st["nb"] else 0.0)
        ident = 100.0 * st["same"] / st["n"]
        bad = st["qp"] is not None or st["max"] > 1
        note = st["qp"] or ""
        if bad and first is None:
            first = name
            note = ("<- first divergence " + note).strip()
        shape = "x".join(map(str, st["shape"]))
        print(f"{name:28s} {shape:18s} {st['max']:9d} {ident:9.3f}% {cos:10.6f}  {note}", file=out)
        rows.append((name, dict(st, cosine=cos, identical=ident)))
    print(f"first divergence: {first or 'none'}", file=out)
    return rows, first


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="a torch.save()d converted model (see tools/torch2q.py)")
    ap.add_argument("--input-shape", required=True)
    ap.add_argument("--q", required=True, help="the .q to compile and compare (exported, maybe edited)")
    ap.add_argument("--qcc", default=os.path.join(ROOT, "build", "qcc"))
    ap.add_argument("--n", type=int, default=5, help="random inputs (randn, --seed)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work")
    ap.add_argument("--import-path", action="append", default=[])
    ap.add_argument("--import", dest="imports", action="append", default=[])
    a = ap.parse_args(argv)
    sys.path[:0] = a.import_path
    for m in a.imports:
        __import__(m)
    torch.backends.quantized.engine = "qnnpack"
    torch.set_num_threads(1)
    shape = tuple(int(v) for v in a.input_shape.split(","))
    model = torch.load(a.model, map_location="cpu")
    g = torch.Generator().manual_seed(a.seed)
    xs = [torch.randn(shape, generator=g) for _ in range(a.n)]
    compare(model, xs[0], a.q, xs, a.qcc, a.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
