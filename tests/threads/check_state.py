#!/usr/bin/python3
"""Generated code keeps no hidden state: its object files define no writable
data (.data, .bss, thread-local or common symbols) besides what a flag asks
for -- PREFIX_trace with --trace-layers, the arena with --static-arena.

  check_state.py --qcc build/qcc --work DIR NET.q...

Every net, every target (neon with aarch64-linux-gnu-gcc), at -O0, where
nothing is optimised away; and runtime/qrt.c, which must define none.
Read-only data, including pointers the loader relocates (.data.rel.ro), is
not state.  Exits 1 on any unexpected writable symbol.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RT = os.path.join(ROOT, "runtime")
TARGETS = {
    "c": ("gcc", "objdump", []),
    "avx2": ("gcc", "objdump", ["-mavx2", "-mfma"]),
    "avx512vnni": ("gcc", "objdump", ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"]),
    "neon": ("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objdump", []),
}
VARIANTS = {"default": [], "trace": ["--trace-layers"], "static": ["--static-arena"]}
# value, 7 flag characters, section, size, name
SYM = re.compile(r"^[0-9a-f]+ (.{7}) (\S+)\s+[0-9a-f]+\s+(\S+)$")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write("FAILED: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
        sys.exit(1)
    return r.stdout


def writable(section):
    if section.startswith(".data.rel.ro"):
        return False
    return section == "*COM*" or re.match(r"^\.(t?data|t?bss)(\.|$)", section) is not None


def state_symbols(objdump, obj):
    """Names of the objects the file defines in writable sections."""
    names = set()
    for line in run([objdump, "-t", obj]).splitlines():
        m = SYM.match(line)
        if m and writable(m.group(2)) and "d" not in m.group(1)[5:] and "f" not in m.group(1)[5:]:
            names.add(m.group(3))
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("nets", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bad = checked = 0
    for t, (cc, objdump, isa) in TARGETS.items():
        for opt in ("-O0",):
            obj = os.path.join(args.work, "qrt-%s%s.o" % (t, opt))
            run([cc, "-std=c99", opt, "-fno-common"] + isa + ["-c", os.path.join(RT, "qrt.c"), "-o", obj])
            got = state_symbols(objdump, obj)
            checked += 1
            if got:
                print("STATE runtime/qrt.c (%s %s): %s" % (t, opt, ", ".join(sorted(got))))
                bad += 1
    for q in args.nets:
        name = os.path.splitext(os.path.basename(q))[0]
        for t, (cc, objdump, isa) in TARGETS.items():
            for v, flags in VARIANTS.items():
                c = os.path.join(args.work, "%s-%s-%s.c" % (name, t, v))
                run([args.qcc, q, "-o", c, "--prefix=m", "--target=" + t] + flags)
                want = {"default": set(), "trace": {"m_trace"}, "static": {"arena_storage"}}[v]
                for opt in ("-O0",):
                    obj = c[:-2] + opt + ".o"
                    run([cc, "-std=c99", opt, "-fno-common", "-I", RT] + isa + ["-c", c, "-o", obj])
                    got = state_symbols(objdump, obj)
                    checked += 1
                    if got != want:
                        print("STATE %s (%s, %s, %s): writable %s, want %s" % (
                            name, t, " ".join(flags) or "no flags", opt, sorted(got) or "none", sorted(want) or "none"))
                        bad += 1
    if bad:
        return 1
    print("%d object files (%d nets x %d targets x %d flag sets, and qrt.c; -O0): no writable data "
          "but m_trace with --trace-layers and arena_storage with --static-arena"
          % (checked, len(args.nets), len(TARGETS), len(VARIANTS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
