#!/usr/bin/python3
"""End-to-end check of one .q network: qcc -> C -> cc -Werror -> run, and the
output compared byte for byte with the independent reference tools/qref.py
on the shipped input (if any) and on N random inputs.

  check_model.py --qcc build/qcc --q samples/lenet/lenet.q --work DIR
                 [--cc gcc --cc clang] [--qcc-flag=-O0 ...] [--n 20]
                 [--input samples/lenet/input.bin] [--target avx2]
                 [--sanitize] [--compile-check neon ...]

With --target T (other than c) every build of T is also compared with the
portable (c) build: memcmp-equal, and both equal to qref.  --target neon
cross-compiles with aarch64-linux-gnu-gcc and runs under qemu-aarch64;
--target avx512vnni-simde builds the avx512vnni output with -DQRT_SIMDE,
which runs it on any x86-64 through SIMDe's emulation of AVX-512;
--target avx512vnni-noasm builds it natively with -DQRT_ASM_X16=0 (the conv
sums from intrinsics instead of inline assembly).

--sanitize builds the generated code, the runtime and the driver with
-fsanitize=address,undefined (reports fatal, leaks included).
--compile-check T only compiles T's output (model.c and qrt.c) with the
same -Werror flags, with every --cc (for neon: aarch64-linux-gnu-gcc, and
clang --target=aarch64-linux-gnu when clang is one of them).

Exits 1 on any difference: the tolerance is zero.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import qref  # noqa: E402

NP = {"f32": np.float32, "u8": np.uint8, "i8": np.int8}
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
ISA_FLAGS = {
    "c": [],
    "avx2": ["-mavx2", "-mfma"],
    "avx512vnni": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"],
    "neon": [],
    # the avx512vnni output on any x86-64: AVX-512 emulated by SIMDe (slow; for testing)
    "avx512vnni-simde": ["-DQRT_SIMDE", "-Wno-psabi"],
    # natively, with the conv sums from intrinsics instead of inline asm
    "avx512vnni-noasm": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-DQRT_ASM_X16=0"],
}
QCC_TARGET = {"avx512vnni-simde": "avx512vnni", "avx512vnni-noasm": "avx512vnni"}
CROSS = {"neon": ("aarch64-linux-gnu-gcc", ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"])}
CROSS_CLANG = {"neon": ["--target=aarch64-linux-gnu"]}
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]
# any report is fatal, with a status (86) the driver never returns itself
SANITIZE_ENV = {"ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:exitcode=86:detect_stack_use_after_return=1",
                "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=86",
                "LSAN_OPTIONS": "exitcode=86"}


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write("FAILED: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
        sys.exit(1)
    return r


def compile_model(args, cc, target, extra=()):
    """qcc + cc -c of the model and the runtime; returns the object files."""
    tag = os.path.basename(cc) + "".join(extra).replace("=", "_").replace("-", "")
    base = os.path.join(args.work, "%s-%s%s" % (target, tag, "".join(args.qcc_flag)))
    os.makedirs(base, exist_ok=True)
    c_file = os.path.join(base, "model.c")
    run([args.qcc, args.q, "-o", c_file, "--prefix=qnet", "--target=" + QCC_TARGET.get(target, target)] + args.qcc_flag)
    objs = []
    for src in (c_file, os.path.join(ROOT, "runtime", "qrt.c")):
        obj = os.path.join(base, os.path.basename(src) + ".o")
        run([cc] + list(extra) + CFLAGS + ISA_FLAGS[target] + args.san +
            ["-I", os.path.join(ROOT, "runtime"), "-c", src, "-o", obj])
        objs.append(obj)
    return base, objs


def build(args, cc, target):
    """qcc + cc; returns the command that runs the model (a list)."""
    prefix = []
    if target in CROSS:
        cc, prefix = CROSS[target]
    base, objs = compile_model(args, cc, target)
    exe = os.path.join(base, "run_model")
    run([cc, "-O2", "-DQCC_MODEL=qnet_model", "-I", os.path.join(ROOT, "runtime")] + args.san +
        [os.path.join(ROOT, "tests", "driver", "run_model.c")] + objs + ["-o", exe])
    return prefix + [exe]


def compile_check(args, ccs, target):
    """The -Werror compile of target's output with every compiler that builds for it."""
    if target in CROSS:
        builds = [(CROSS[target][0], [])] + [(cc, CROSS_CLANG[target]) for cc in ccs if "clang" in cc]
    else:
        builds = [(cc, []) for cc in ccs]
    for cc, extra in builds:
        compile_model(args, cc, target, extra)
    return ["%s %s" % (cc, " ".join(extra)) for cc, extra in builds]


def random_input(rng, dtype, shape, qp):
    if dtype == "f32":
        return rng.uniform(-3.0, 3.0, size=shape).astype(np.float32)
    lo, hi = (0, 255) if dtype == "u8" else (-128, 127)
    return rng.integers(lo, hi + 1, size=shape).astype(NP[dtype])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--q", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", action="append")
    ap.add_argument("--qcc-flag", action="append", default=[])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--target", default="c")
    ap.add_argument("--sanitize", action="store_true")
    ap.add_argument("--compile-check", action="append", default=[])
    args = ap.parse_args()
    ccs = args.cc or ["gcc"]
    args.san = []
    checked = []
    for t in args.compile_check:
        checked += ["%s (%s)" % (t, b.strip()) for b in compile_check(args, ccs, t)]
    if args.sanitize:
        args.san = SANITIZE
        os.environ.update(SANITIZE_ENV)

    contract = "integer"
    for f in args.qcc_flag:
        if f.startswith("--contract="):
            contract = f.split("=", 1)[1]
    model = qref.load(args.q, contract)
    targets = ["c"] if args.target == "c" else ["c", args.target]
    exes = []
    for t in targets:
        for cc in (ccs if t not in CROSS else ["cross"]):
            exes.append(build(args, cc, t))
    rng = np.random.default_rng(12345)
    cases = []
    if args.input:
        cases.append([np.fromfile(p, dtype=NP[d]).reshape(s)
                      for p, (_, d, s, _) in zip(args.input, model.inputs)])
    for _ in range(args.n):
        cases.append([random_input(rng, d, s, qp) for (_, d, s, qp) in model.inputs])

    total = 0
    for k, ins in enumerate(cases):
        want = model.run(ins)
        in_files = []
        for i, a in enumerate(ins):
            p = os.path.join(args.work, "in%d.bin" % i)
            a.tofile(p)
            in_files += ["--in", p]
        for exe in exes:
            out_files = [os.path.join(args.work, "out%d.bin" % i) for i in range(len(want))]
            env = None
            if args.sanitize and exe[0] == "qemu-aarch64":
                # LeakSanitizer cannot run under qemu-user (it needs ptrace);
                # leaks are checked on the native builds
                env = dict(os.environ, ASAN_OPTIONS=SANITIZE_ENV["ASAN_OPTIONS"].replace("detect_leaks=1",
                                                                                          "detect_leaks=0"))
            run(exe + in_files + sum([["--out", p] for p in out_files], []), env=env)
            for i, (p, w) in enumerate(zip(out_files, want)):
                got = open(p, "rb").read()
                w = np.ascontiguousarray(w)
                if got != w.tobytes():
                    g = np.frombuffer(got, dtype=w.dtype).reshape(w.shape)
                    bad = np.flatnonzero(g.view(np.uint8 if w.dtype.itemsize == 1 else np.uint32).ravel()
                                         != w.view(np.uint8 if w.dtype.itemsize == 1 else np.uint32).ravel())
                    print("MISMATCH %s case %d output %d: %d of %d elements differ; first at %d: qcc %r, qref %r"
                          % (exe[-1], k, i, bad.size, w.size, bad[0], g.ravel()[bad[0]], w.ravel()[bad[0]]))
                    return 1
                total += w.size
    print("%s: %d cases x %d build(s) (targets %s%s), %d output elements, all bit-identical to qref%s"
          % (os.path.basename(args.q), len(cases), len(exes), "+".join(targets),
             ", under ASan+UBSan" if args.sanitize else "", total,
             " and to the portable build" if len(targets) > 1 else ""))
    for c in checked:
        print("compiled -Werror: %s" % c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
