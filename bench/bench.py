#!/usr/bin/python3
"""qcc benchmark: per-layer and whole-network int8 inference, side by side.

    sh bench/run.sh [--quick] [--only layers|nets|peak]   (see bench/README.md)

One run measures, single-threaded and with one timing protocol (warm-up,
then the minimum and median of 15 samples of >= 20 ms each):
  * qcc-generated C for each target runnable here (c, avx2; avx512vnni and
    neon are only generated/compiled),
  * PyTorch quantized (engine onednn, one thread, channels_last quint8),
  * XNNPACK qc8 convolution (Debian libxnnpack, no threadpool),
  * ONNX Runtime CPU (onnxruntime-node from npm, one intra-op thread),
and the int8 MAC peak of this CPU (bench/peak.c).  Prints the tables and
writes BUILD/results.md.  Weights are random at fixed seeds and generated
here, into the build directory: nothing generated is committed.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNTIME = os.path.join(ROOT, "runtime")

# name H W Cin Cout k stride pad groups
LAYERS = [
    ("l1", 56, 56, 16, 32, 3, 1, 1, 1),
    ("l2", 56, 56, 64, 64, 3, 1, 1, 1),
    ("l3", 56, 56, 96, 24, 1, 1, 0, 1),
    ("l4", 56, 56, 144, 144, 3, 1, 1, 144),
    ("l5", 224, 224, 3, 32, 3, 2, 1, 1),
    ("l6", 32, 32, 16, 16, 3, 1, 1, 1),
    ("l7", 14, 14, 384, 64, 1, 1, 0, 1),
]

# qcc targets: (name, C flags, runnable on this machine?)
TARGETS = [
    ("c", ["-O2", "-std=c11"]),
    ("avx2", ["-O2", "-std=c11", "-mavx2", "-mfma"]),
    ("avx512vnni", ["-O2", "-std=c11", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"]),
]
CC = os.environ.get("CC", "gcc")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, cwd=None, timeout=600):
    """Runs cmd; returns (ok, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "", str(e)
    return p.returncode == 0, p.stdout, p.stderr


def first_line(s):
    s = s.strip().splitlines()
    return s[0][:160] if s else ""


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":")[1].split())
    except OSError:
        pass
    return set()


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":")[1].strip()
    except OSError:
        pass
    return platform.processor()


FLAGS = cpu_flags()
RUNNABLE = {"c": True, "avx2": {"avx2", "fma"} <= FLAGS,
            "avx512vnni": {"avx512f", "avx512bw", "avx512vl", "avx512_vnni"} <= FLAGS}


def measure_py(fn, warmup=0.05, sample=0.02, samples=15):
    """The protocol of bench/timing.h, in Python: (min, median) seconds/call."""
    t0 = time.perf_counter()
    warm = 0
    while True:
        fn()
        warm += 1
        t = time.perf_counter()
        if t - t0 >= warmup and warm >= 2:
            break
    per = (t - t0) / warm
    iters = 1 if per >= sample else int(sample / per) + 1
    res = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        res.append((time.perf_counter() - t0) / iters)
    res.sort()
    return res[0], res[len(res) // 2]


def parse_times(out):
    """'run MIN MED' / 'forward MIN MED' lines -> {key: (min, med)}."""
    r = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[0] in ("run", "forward"):
            r[p[0]] = (float(p[1]), float(p[2]))
    return r


# --------------------------------------------------------------------------
# qcc
# --------------------------------------------------------------------------

class Qcc:
    def __init__(self, qcc):
        self.qcc = qcc

    def build(self, qfile, outdir, prefix, target):
        """Generates and compiles one model for one target.  Returns
        (exe or None, note).  A non-runnable target is compiled only."""
        cflags = dict(TARGETS)[target]
        cfile = os.path.join(outdir, f"{prefix}_{target}.c")
        ok, out, err = sh([self.qcc, qfile, "-o", cfile, f"--target={target}", f"--prefix={prefix}"])
        if not ok:
            return None, "qcc failed: " + first_line(err or out)
        src = open(cfile).read()
        defs = [f'-DNET_C="{cfile}"', f"-DMODEL={prefix}_model"]
        if "static void forward(unsigned char *mem)" in src:
            defs.append("-DHAVE_FORWARD")
        if not RUNNABLE[target]:
            ok, out, err = sh([CC, *cflags, "-I" + RUNTIME, "-c", cfile, "-o", cfile + ".o"])
            if not ok:
                return None, "does not compile: " + first_line(err)
            return None, "compiled; not runnable on this CPU"
        exe = os.path.join(outdir, f"{prefix}_{target}.bench")
        ok, out, err = sh([CC, *cflags, "-I" + RUNTIME, "-I" + HERE, *defs,
                           os.path.join(HERE, "qcc_time.c"), os.path.join(RUNTIME, "qrt.c"), "-o", exe, "-lm"])
        if not ok:
            return None, "cc failed: " + first_line(err)
        return exe, ""

    @staticmethod
    def run(exe, infile="-", outfile=None):
        cmd = [exe, infile] + ([outfile] if outfile else [])
        ok, out, err = sh(cmd)
        if not ok:
            return None, "run failed: " + first_line(err or out)
        return parse_times(out), ""


# --------------------------------------------------------------------------
# Per-layer benchmark
# --------------------------------------------------------------------------

IN_SCALE, IN_ZP = 0.02, 128


def layer_data(spec, seed):
    name, h, w, cin, cout, k, stride, pad, groups = spec
    rng = np.random.default_rng(seed)
    wq = rng.integers(-127, 128, (cout, cin // groups, k, k)).astype(np.int8)
    ws = rng.uniform(0.001, 0.004, cout).astype(np.float32)
    bias = rng.normal(0, 0.5, cout).astype(np.float32)
    red = cin // groups * k * k
    std_y = np.sqrt(red) * IN_SCALE * 74 * 73 * float(ws.mean())
    out_scale = float(np.float32(std_y * 6 / 256))
    x = rng.integers(0, 256, (1, cin, h, w)).astype(np.uint8)
    return dict(w=wq, s=ws, b=bias, out_scale=out_scale, out_zp=128, x=x)


def layer_q(spec, d):
    name, h, w, cin, cout, k, stride, pad, groups = spec
    return (f"# benchmark layer {name}: generated by bench/bench.py\n"
            f"model {name}\n"
            f"input x : u8[1,{cin},{h},{w}] (scale={IN_SCALE!r}, zp={IN_ZP})\n"
            f'y = conv2d(x, weight=i8("w.npy", scale="s.npy", axis=0), bias="b.npy", '
            f"stride={stride}, pad={pad}, groups={groups}) : u8(scale={d['out_scale']!r}, zp={d['out_zp']})\n"
            f"output y\n")


def torch_layer(spec, d):
    """Times the layer on torch onednn; returns ((min, med), y_onednn, y_qnnpack).
    QNNPACK's output is the correctness reference: it computes in exact
    int32, while oneDNN without VNNI sums u8*s8 pairs in saturating int16."""
    import torch
    name, h, w, cin, cout, k, stride, pad, groups = spec
    x = torch._make_per_tensor_quantized_tensor(torch.from_numpy(d["x"]), IN_SCALE, IN_ZP)

    def make(engine):
        torch.backends.quantized.engine = engine
        conv = torch.nn.quantized.Conv2d(cin, cout, k, stride=stride, padding=pad, groups=groups)
        qw = torch._make_per_channel_quantized_tensor(
            torch.from_numpy(d["w"]), torch.from_numpy(d["s"].astype(np.float64)),
            torch.zeros(cout, dtype=torch.int64), 0)
        conv.set_weight_bias(qw, torch.from_numpy(d["b"]))
        conv.scale, conv.zero_point = d["out_scale"], d["out_zp"]
        return conv

    with torch.no_grad():
        y_ref = None
        try:
            y_ref = make("qnnpack")(x).int_repr().contiguous().numpy()
        except Exception:
            pass
        conv = make("onednn")
        xc = x.contiguous(memory_format=torch.channels_last)
        y = conv(xc)
        t = measure_py(lambda: conv(xc))
    return t, y.int_repr().contiguous().numpy(), y_ref


def xnn_layer(exe, spec, d, ddir):
    name, h, w, cin, cout, k, stride, pad, groups = spec
    # [groups][group_oc][kh][kw][group_ic] = OIHW with I moved last
    np.ascontiguousarray(d["w"].transpose(0, 2, 3, 1)).tofile(os.path.join(ddir, "w.bin"))
    bq = np.round(d["b"].astype(np.float64) / (IN_SCALE * d["s"].astype(np.float64))).astype(np.int32)
    bq.tofile(os.path.join(ddir, "b.bin"))
    d["s"].astype(np.float32).tofile(os.path.join(ddir, "s.bin"))
    ok, out, err = sh([exe, ddir, *map(str, (h, w, cin, cout, k, stride, pad, groups)),
                       str(IN_ZP - 128), repr(IN_SCALE), str(d["out_zp"] - 128), repr(d["out_scale"])])
    if not ok:
        return None, "xnn_conv failed: " + first_line(err or out)
    if out.startswith("n/a"):
        return None, out[4:].strip()
    return parse_times(out).get("run"), ""


def onnx_layer(spec, d, path, nhwc):
    """A QLinearConv model: u8 input, per-channel s8 weights, int32 bias,
    u8 output.  nhwc: com.microsoft QLinearConv with channels_last=1."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    name, h, w, cin, cout, k, stride, pad, groups = spec
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    bq = np.round(d["b"].astype(np.float64) / (IN_SCALE * d["s"].astype(np.float64))).astype(np.int32)
    inits = [
        numpy_helper.from_array(np.array(IN_SCALE, np.float32), "x_s"),
        numpy_helper.from_array(np.array(IN_ZP, np.uint8), "x_zp"),
        numpy_helper.from_array(d["w"], "w"),
        numpy_helper.from_array(d["s"].astype(np.float32), "w_s"),
        numpy_helper.from_array(np.zeros(cout, np.int8), "w_zp"),
        numpy_helper.from_array(np.array(d["out_scale"], np.float32), "y_s"),
        numpy_helper.from_array(np.array(d["out_zp"], np.uint8), "y_zp"),
        numpy_helper.from_array(bq, "b"),
    ]
    attrs = dict(kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=groups)
    if nhwc:
        attrs["channels_last"] = 1
        node = helper.make_node("QLinearConv", ["x", "x_s", "x_zp", "w", "w_s", "w_zp", "y_s", "y_zp", "b"],
                                ["y"], domain="com.microsoft", **attrs)
        xs, ys = [1, h, w, cin], [1, oh, ow, cout]
    else:
        node = helper.make_node("QLinearConv", ["x", "x_s", "x_zp", "w", "w_s", "w_zp", "y_s", "y_zp", "b"],
                                ["y"], **attrs)
        xs, ys = [1, cin, h, w], [1, cout, oh, ow]
    g = helper.make_graph([node], name, [helper.make_tensor_value_info("x", TensorProto.UINT8, xs)],
                          [helper.make_tensor_value_info("y", TensorProto.UINT8, ys)], inits)
    opsets = [helper.make_opsetid("", 13)] + ([helper.make_opsetid("com.microsoft", 1)] if nhwc else [])
    m = helper.make_model(g, opset_imports=opsets)
    m.ir_version = 8
    onnx.save(m, path)
    return xs


def run_ort(jobs, jobfile):
    """Runs bench/ort_time.js on jobs; returns {name: (min, med) or error str}."""
    res = {}
    if not shutil.which("node"):
        return {j["name"]: "node not found" for j in jobs}
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        return {j["name"]: "onnxruntime-node not installed (npm unavailable?)" for j in jobs}
    with open(jobfile, "w") as f:
        json.dump(jobs, f)
    ok, out, err = sh(["node", os.path.join(HERE, "ort_time.js"), jobfile], timeout=900)
    for line in out.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if "name" not in r:
            return {j["name"]: r.get("error", "?") for j in jobs}
        res[r["name"]] = r["error"] if "error" in r else (r["min"], r["median"])
    for j in jobs:
        res.setdefault(j["name"], "ort_time.js failed: " + first_line(err))
    return res


def lsb_diff(a, b):
    a = np.asarray(a, np.int32).ravel()
    b = np.asarray(b, np.int32).ravel()
    if a.shape != b.shape:
        return None
    d = np.abs(a - b)
    return int(d.max()), float((d == 0).mean() * 100)


def bench_layers(args, qcc, build):
    import torch
    torch.backends.quantized.engine = "onednn"
    torch.set_num_threads(1)
    xnn_exe = os.path.join(build, "xnn_conv")
    ok, out, err = sh([CC, "-O2", "-std=c11", "-I" + HERE, os.path.join(HERE, "xnn_conv.c"), "-o", xnn_exe,
                       "-lXNNPACK", "-lpthreadpool"])
    xnn_note = "" if ok else "cannot build against libxnnpack-dev: " + first_line(err)
    rows = []
    ort_jobs = []
    for i, spec in enumerate(LAYERS):
        name, h, w, cin, cout, k, stride, pad, groups = spec
        oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        macs = oh * ow * cout * (cin // groups) * k * k
        log(f"layer {name}: {macs / 1e6:.1f} MMAC")
        ldir = os.path.join(build, "layers", name)
        os.makedirs(ldir, exist_ok=True)
        d = layer_data(spec, 1000 + i)
        np.save(os.path.join(ldir, "w.npy"), d["w"])
        np.save(os.path.join(ldir, "s.npy"), d["s"])
        np.save(os.path.join(ldir, "b.npy"), d["b"])
        d["x"].tofile(os.path.join(ldir, "x.bin"))
        qfile = os.path.join(ldir, f"{name}.q")
        with open(qfile, "w") as f:
            f.write(layer_q(spec, d))
        row = dict(name=name, spec=spec, macs=macs, t={}, note={}, check={})
        try:
            tt, y_torch, y_ref = torch_layer(spec, d)
            row["t"]["torch"] = tt
            if y_ref is not None:
                row["check"]["qcc-torch-onednn"] = lsb_diff(y_torch, y_ref)
        except Exception as e:  # a peer failing must not stop the bench
            y_ref = None
            row["note"]["torch"] = f"{type(e).__name__}: {first_line(str(e))}"
        for target, _ in TARGETS:
            exe, note = qcc.build(qfile, ldir, name, target)
            key = "qcc-" + target
            if exe is None:
                row["note"][key] = note
                continue
            yfile = os.path.join(ldir, f"y_{target}.bin")
            times, note = Qcc.run(exe, os.path.join(ldir, "x.bin"), yfile)
            if times is None:
                row["note"][key] = note
                continue
            row["t"][key] = times.get("forward", times["run"])
            row["t"][key + "/run"] = times["run"]
            row["fwd"] = "forward" in times
            if y_ref is not None:
                row["check"][key] = lsb_diff(np.fromfile(yfile, np.uint8), y_ref)
        if xnn_note:
            row["note"]["xnnpack"] = xnn_note
        else:
            t, note = xnn_layer(xnn_exe, spec, d, ldir)
            if t is None:
                row["note"]["xnnpack"] = note
            else:
                row["t"]["xnnpack"] = t
        try:
            for nhwc in (True, False):
                path = os.path.join(ldir, f"{name}{'_nhwc' if nhwc else ''}.onnx")
                xs = onnx_layer(spec, d, path, nhwc)
                ort_jobs.append(dict(name=f"{name}{'/nhwc' if nhwc else '/nchw'}", model=path,
                                     inputs=[dict(name="x", type="uint8", dims=xs, data=None)], out=None))
        except Exception as e:
            row["note"]["ort"] = f"cannot build the ONNX model: {type(e).__name__}: {first_line(str(e))}"
        rows.append(row)
    log("layers: onnxruntime")
    ort = run_ort(ort_jobs, os.path.join(build, "layers", "ort_jobs.json"))
    for row in rows:
        nhwc, nchw = ort.get(row["name"] + "/nhwc"), ort.get(row["name"] + "/nchw")
        if isinstance(nhwc, tuple):
            row["t"]["ort"] = nhwc
            row["ort_layout"] = "NHWC"
        elif isinstance(nchw, tuple):
            row["t"]["ort"] = nchw
            row["ort_layout"] = "NCHW"
            row["note"]["ort-nhwc"] = str(nhwc)
        elif "ort" not in row["note"]:
            row["note"]["ort"] = str(nhwc if nhwc else nchw)
    return rows


# --------------------------------------------------------------------------
# Peak
# --------------------------------------------------------------------------

def bench_peak(build):
    exe = os.path.join(build, "peak")
    ok, out, err = sh([CC, "-O2", "-std=gnu11", "-I" + HERE, os.path.join(HERE, "peak.c"), "-o", exe])
    if not ok:
        return {}, "cannot build peak.c: " + first_line(err)
    if not RUNNABLE["avx2"]:
        return {}, "no AVX2 on this CPU"
    ok, out, err = sh([exe])
    if not ok:
        return {}, "peak failed: " + first_line(err)
    r = {}
    for line in out.split("\n"):
        p = line.split()
        if len(p) == 3:
            r[p[0]] = (float(p[1]), float(p[2]))   # GMAC/s at min time, at median time
    return r, ""


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

# The peak each implementation is measured against: the instruction sequence
# its x86 AVX2 kernels are built on.  qcc is bit-exact, so its kernels need
# the exact int16 path; oneDNN and MLAS use vpmaddubsw (u8*s8 pairs summed in
# int16, with weight scaling or saturation); XNNPACK's qs8/qc8 AVX2 kernels
# widen to int16 and use vpmaddwd.  qcc's avx2 kernels broadcast an int16
# pair of inputs against 8 channels' weights (avx2_bcast16).  On a CPU with
# AVX512-VNNI, oneDNN and MLAS run vpdpbusd instead: their peak is then
# avx512_vnni (peak_of()).
PEAK_OF = {"qcc-c": "avx2_bcast16", "qcc-avx2": "avx2_bcast16", "torch": "avx2_maddubs",
           "ort": "avx2_maddubs", "xnnpack": "avx2_int16"}


def peak_of(impl, peak):
    if impl in ("torch", "ort") and "avx512_vnni" in peak:
        return "avx512_vnni"
    return PEAK_OF[impl]
PEERS = ["torch", "xnnpack", "ort"]
IMPLS = ["qcc-c", "qcc-avx2", "qcc-avx512vnni"] + PEERS


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def report_layers(rows, peak):
    lines = []
    header = ["layer", "shape", "MMAC"]
    for impl in IMPLS:
        header.append(f"{impl} GMAC/s")
    for q in ("qcc-c", "qcc-avx2"):
        for p in PEERS:
            header.append(f"{q}/{p}")
    header += [f"{impl} %{peak_of(impl, peak)}" for impl in ("qcc-avx2", "torch", "xnnpack", "ort")]
    header += ["vs torch qnnpack (max LSB, %same)"]
    body = []
    notes = []
    for r in rows:
        name, h, w, cin, cout, k, stride, pad, groups = r["spec"]
        g = {}
        for impl in IMPLS:
            t = r["t"].get(impl)
            g[impl] = r["macs"] / t[1] * 1e-9 if t else None   # at the median time
        cells = [name, f"{h}x{w}x{cin}->{cout} k{k} s{stride} p{pad} g{groups}", f"{r['macs'] / 1e6:.1f}"]
        for impl in IMPLS:
            t = r["t"].get(impl)
            if t:
                cells.append(f"{g[impl]:.2f} ({r['macs'] / t[0] * 1e-9:.2f})")
            else:
                cells.append("n/a")
        for q in ("qcc-c", "qcc-avx2"):
            for p in PEERS:
                cells.append(fmt(g[q] / g[p], ".2f") if g[q] and g[p] else "n/a")
        for impl in ("qcc-avx2", "torch", "xnnpack", "ort"):
            pk = peak.get(peak_of(impl, peak))
            cells.append(f"{100 * g[impl] / pk[0]:.1f}%" if g[impl] and pk else "n/a")
        chk = [f"{k[4:]}: {v[0]}, {v[1]:.0f}%" for k, v in r["check"].items() if v]
        cells.append("; ".join(chk) if chk else "n/a")
        body.append(cells)
        for k, v in r["note"].items():
            notes.append(f"- {name} {k}: n/a: {v}")
        bc = []
        for q in ("qcc-c", "qcc-avx2"):
            if q in r["t"] and q + "/run" in r["t"] and r.get("fwd"):
                bc.append(f"{q} {1e3 * (r['t'][q + '/run'][1] - r['t'][q][1]):.3f} ms")
        if bc:
            notes.append(f"- {name} boundary copies (run() - forward(), medians): " + ", ".join(bc))
        if r.get("ort_layout") == "NCHW":
            notes.append(f"- {name} ort: NCHW QLinearConv (the NHWC contrib op failed)")
    return md_table(header, body), notes


def report_peak(peak, note):
    rows = [["avx2_maddubs", "vpmaddubsw + vpmaddwd(1) + vpaddd, 32 MAC/step (int16 pair sums may saturate)"],
            ["avx2_int16", "vpmovzxbw (load) + vpmaddwd + vpaddd, 16 MAC/step, exact"],
            ["avx2_bcast16", "vpbroadcastd (load) + 2x(vpmaddwd + vpaddd), 16 MAC/step, exact (qcc's avx2 conv step)"]]
    body = []
    for k, what in rows:
        v = peak.get(k)
        body.append([k, what, fmt(v[0] if v else None, ".1f"), fmt(v[1] if v else None, ".1f")])
    v = peak.get("avx512_vnni")
    body.append(["avx512_vnni", "vpdpbusd zmm, 64 MAC/instruction, exact (int32, no saturation)",
                 fmt(v[0], ".1f") if v else "not runnable on this CPU", fmt(v[1], ".1f") if v else "-"])
    t = md_table(["sequence", "instructions", "GMAC/s best", "GMAC/s median"], body)
    return [t, ""] + ([f"- peak: n/a: {note}"] if note else [])


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--only", choices=["layers", "nets", "peak"], action="append")
    args = ap.parse_args(argv)
    only = set(args.only or ["layers", "nets", "peak"])
    os.makedirs(args.build, exist_ok=True)
    qcc = Qcc(args.qcc)
    t0 = time.time()
    out = [f"# qcc benchmark results",
           "",
           f"Generated by `sh bench/run.sh` on {time.strftime('%Y-%m-%d %H:%M')}: {cpu_name()}, "
           f"{os.cpu_count()} logical CPUs, load average before the run "
           f"{os.getloadavg()[0]:.2f}; qcc at {git_rev()}.  Single thread everywhere.",
           "Times: warm-up, then 15 samples of >= 20 ms; GMAC/s at the median (in parentheses: at the "
           "minimum); ratios are qcc/peer throughput at the medians (> 1: qcc faster).",
           ""]
    peak, pnote = bench_peak(args.build) if "peak" in only or "layers" in only else ({}, "skipped")
    if "peak" in only:
        out += ["## Int8 peak of this CPU", ""] + report_peak(peak, pnote) + [""]
    if "layers" in only:
        rows = bench_layers(args, qcc, args.build)
        t, notes = report_layers(rows, peak)
        vt = report_vnni_layers(rows, peak)
        out += ["## Single convolution layers (NHWC, batch 1, u8 activations, per-channel int8 weights)", "",
                "qcc times `forward()` (the layer alone, NHWC in the arena); the boundary NCHW<->NHWC copies of "
                "`run()` are listed below the table.  %SEQUENCE: fraction of the best peak above of the "
                "instruction sequence each implementation's kernels use on this CPU.  "
                "vs torch qnnpack: the layer output of each qcc target and of torch onednn against torch's "
                "QNNPACK engine (exact int32 accumulation) on the same input; oneDNN on a CPU without VNNI "
                "sums u8*s8 pairs with vpmaddubsw in saturating int16, so it can differ with full-range weights.", ""]
        out += [t, ""] + notes + [""] + vt
    if "nets" in only:
        out += bench_nets(args, qcc, args.build)
    out.append(f"Total bench time: {time.time() - t0:.0f} s.")
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(args.build, "results.md"), "w") as f:
        f.write(text)
    log(f"wrote {os.path.join(args.build, 'results.md')}")


def git_rev():
    ok, out, _ = sh(["git", "-C", ROOT, "describe", "--always", "--dirty"])
    return out.strip() if ok else "unknown revision"


def net_sources(build):
    """Yields (name, qfile, onnx file or None, input, torch onednn model,
    torch qnnpack model) for every network; generation errors yield a str."""
    import torch
    sys.path.insert(0, os.path.join(ROOT, "samples"))
    sys.path.insert(0, HERE)
    import gen_samples
    import netgen
    for name in gen_samples.SAMPLES:
        try:
            sample = gen_samples.load(name)           # engine qnnpack, the samples' reference
            ref = sample.qmodel
            ndir = os.path.join(build, "nets", name)
            for rel, data in sample.files.items():
                os.makedirs(os.path.dirname(os.path.join(ndir, rel)), exist_ok=True)
                with open(os.path.join(ndir, rel), "wb") as f:
                    f.write(data)
            # the same calibrated model, converted for oneDNN
            torch.backends.quantized.engine = "onednn"
            fm = sample.float_model
            pm = fuse_modules_like(gen_samples, fm)
            with torch.no_grad():
                pm(gen_samples.random_inputs(name, gen_samples.N_CALIB, gen_samples.SEEDS[name] + 2))
            qm = netgen.convert_for(pm, "onednn")
            yield name, os.path.join(ndir, f"{name}.q"), None, sample.input, qm, ref
        except Exception as e:
            yield name, f"sample generation failed: {type(e).__name__}: {first_line(str(e))}"
    for name in netgen.NETS:
        try:
            import onnx
            pm, x = netgen.build(name)
            ndir = os.path.join(build, "nets", name)
            ex = netgen.Exporter(os.path.join(ndir, "w"))
            qm = netgen.convert_for(pm, "onednn")
            q, om = ex.export(name, qm, list(x.shape))
            with open(os.path.join(ndir, f"{name}.q"), "w") as f:
                f.write(q)
            onnx.save(om, os.path.join(ndir, f"{name}.onnx"))
            ref = netgen.convert_for(pm, "qnnpack")
            yield name, os.path.join(ndir, f"{name}.q"), os.path.join(ndir, f"{name}.onnx"), x, qm, ref
        except Exception as e:
            yield name, f"generation failed: {type(e).__name__}: {first_line(str(e))}"


def fuse_modules_like(gen_samples, fm):
    from torch.ao.quantization import fuse_modules, prepare
    pm = fuse_modules(fm, fm.fuse_list, inplace=False)
    pm.qconfig = gen_samples.QCONFIG
    return prepare(pm)


def out_lsb(y, y_ref, scale):
    """Difference of two dequantized outputs in LSBs of the output scale."""
    d = np.abs(np.round((np.asarray(y, np.float64) - np.asarray(y_ref, np.float64)) / scale)).ravel()
    return int(d.max()), float((d == 0).mean() * 100)


def bench_nets(args, qcc, build):
    import torch
    torch.set_num_threads(1)
    rows, notes, ort_jobs = [], [], []
    for item in net_sources(build):
        if isinstance(item[1], str) and len(item) == 2:
            notes.append(f"- {item[0]}: n/a: {item[1]}")
            continue
        name, qfile, onnx_file, x, qm, ref = item
        log(f"net {name}")
        ndir = os.path.dirname(qfile)
        xfile = os.path.join(ndir, "x.bin")
        x.numpy().astype("<f4").tofile(xfile)
        row = dict(name=name, t={}, check={}, note={}, shape="x".join(map(str, x.shape[1:])))
        torch.backends.quantized.engine = "onednn"
        with torch.no_grad():
            y_onednn = qm(x).numpy()
            row["t"]["torch"] = measure_py(lambda: qm(x))
            torch.backends.quantized.engine = "qnnpack"
            y_ref = ref(x).numpy()
        fc = [m for m in ref.modules() if hasattr(m, "scale") and hasattr(m, "weight")][-1]
        oscale = float(fc.scale)
        row["check"]["torch-onednn"] = out_lsb(y_onednn, y_ref, oscale)
        for target, _ in TARGETS:
            key = "qcc-" + target
            exe, note = qcc.build(qfile, ndir, name, target)
            if exe is None:
                row["note"][key] = note
                continue
            yfile = os.path.join(ndir, f"y_{target}.bin")
            times, note = Qcc.run(exe, xfile, yfile)
            if times is None:
                row["note"][key] = note
                continue
            row["t"][key] = times["run"]
            row["check"][key] = out_lsb(np.fromfile(yfile, "<f4"), y_ref, oscale)
        if onnx_file:
            ort_jobs.append(dict(name=name, model=onnx_file, out=os.path.join(ndir, "y_ort.bin"),
                                 inputs=[dict(name="image", type="float32", dims=list(x.shape), data=xfile)]))
            row["oscale"], row["y_ref"] = oscale, y_ref
        else:
            row["note"]["ort"] = "no ONNX export for the samples (only the generated nets)"
        rows.append(row)
    log("nets: onnxruntime")
    ort = run_ort(ort_jobs, os.path.join(build, "nets", "ort_jobs.json")) if ort_jobs else {}
    for row in rows:
        r = ort.get(row["name"])
        if isinstance(r, tuple):
            row["t"]["ort"] = r
            try:
                row["check"]["ort"] = out_lsb(np.fromfile(os.path.join(build, "nets", row["name"], "y_ort.bin"),
                                                          "<f4"), row["y_ref"], row["oscale"])
            except (OSError, ValueError):
                pass
        elif r is not None:
            row["note"]["ort"] = r
    header = ["network", "input", "qcc-c ms", "qcc-avx2 ms", "torch ms", "ort ms",
              "qcc-c/torch", "qcc-c/ort", "qcc-avx2/torch", "qcc-avx2/ort",
              "output vs torch qnnpack (max LSB, %same)"]
    body = []
    for r in rows:
        t = r["t"]
        med = {k: v[1] for k, v in t.items()}
        cells = [r["name"], r["shape"]]
        for k in ("qcc-c", "qcc-avx2", "torch", "ort"):
            cells.append(f"{1e3 * t[k][1]:.3f} ({1e3 * t[k][0]:.3f})" if k in t else "n/a")
        for q in ("qcc-c", "qcc-avx2"):
            for p in ("torch", "ort"):
                # speed ratio: peer time / qcc time (> 1: qcc faster)
                cells.append(f"{med[p] / med[q]:.2f}" if q in med and p in med else "n/a")
        cells.append("; ".join(f"{k}: {v[0]}, {v[1]:.0f}%" for k, v in r["check"].items() if v) or "n/a")
        body.append(cells)
        for k, v in r["note"].items():
            notes.append(f"- {r['name']} {k}: n/a: {v}")
    return (["## Whole networks (float in, float out: quantize/dequantize at the boundary included)", "",
             "ms per inference at the median (in parentheses: the minimum); qcc times `NAME_run()` "
             "(NCHW float in/out, boundary copies included), torch the converted eager-mode model on "
             "oneDNN, ort the QDQ ONNX export of the same net (fused to QLinear ops by ORT).  Ratios: "
             "peer time / qcc time (> 1: qcc faster).  Output check: dequantized logits against the same "
             "calibrated model converted for torch's QNNPACK engine (exact int32), in LSBs of the output "
             "scale; differences of 1 LSB inside the net propagate, so a deep net can differ by more.", "",
             md_table(header, body), ""] + notes + [""] + report_vnni_nets(rows))


# --------------------------------------------------------------------------
# The avx512vnni target against the peers (issue 3's goals for it)
# --------------------------------------------------------------------------

def report_vnni_layers(rows, peak):
    """Per layer: qcc-avx512vnni GMAC/s, its ratio to each peer and to the
    fastest peer (medians), and its fraction of the vpdpbusd peak."""
    q = "qcc-avx512vnni"
    if not any(q in r["t"] for r in rows):
        return []
    pk = peak.get("avx512_vnni")
    header = ["layer", "avx512vnni GMAC/s", "fastest peer", "GMAC/s"] + [f"vnni/{p}" for p in PEERS] + \
             ["vnni/fastest", "vnni %peak(vpdpbusd)"]
    body = []
    for r in rows:
        g = {k: r["macs"] / t[1] * 1e-9 for k, t in r["t"].items() if k in PEERS or k == q}
        best = max((p for p in PEERS if p in g), key=lambda p: g[p], default=None)
        t = r["t"].get(q)
        cells = [r["name"], f"{g[q]:.2f} ({r['macs'] / t[0] * 1e-9:.2f})" if t else "n/a",
                 best or "n/a", fmt(g.get(best), ".2f")]
        cells += [fmt(g[q] / g[p], ".2f") if q in g and p in g else "n/a" for p in PEERS]
        cells.append(fmt(g[q] / g[best], ".2f") if q in g and best else "n/a")
        cells.append(f"{100 * g[q] / pk[0]:.1f}%" if q in g and pk else "n/a")
        body.append(cells)
    return ["### avx512vnni against the fastest peer", "",
            "Ratios at the medians (> 1: qcc faster); %peak against the best vpdpbusd figure above.", "",
            md_table(header, body), ""]


def report_vnni_nets(rows):
    q = "qcc-avx512vnni"
    if not any(q in r["t"] for r in rows):
        return []
    body = []
    for r in rows:
        med = {k: v[1] for k, v in r["t"].items()}
        best = min((p for p in ("torch", "ort") if p in med), key=lambda p: med[p], default=None)
        t = r["t"].get(q)
        body.append([r["name"], f"{1e3 * t[1]:.3f} ({1e3 * t[0]:.3f})" if t else "n/a",
                     fmt(med["torch"] / med[q], ".2f") if q in med and "torch" in med else "n/a",
                     fmt(med["ort"] / med[q], ".2f") if q in med and "ort" in med else "n/a",
                     f"{best} {fmt(med[best] / med[q], '.2f')}" if q in med and best else "n/a"])
    return ["### avx512vnni whole networks", "",
            "ms at the median (minimum); ratios peer time / qcc time (> 1: qcc faster).", "",
            md_table(["network", "qcc-avx512vnni ms", "torch/vnni", "ort/vnni", "best of torch, ort / vnni"], body),
            ""]


if __name__ == "__main__":
    main(sys.argv[1:])
