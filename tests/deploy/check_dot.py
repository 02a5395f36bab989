#!/usr/bin/python3
"""Renders `qcc --dot` with Graphviz and checks what it drew:

  - `dot` parses both graphs without a warning (fused: after all passes;
    unfused: --dot-after=parse);
  - unfused, there is one node per statement of the .q (inputs included) and
    one edge per tensor argument, counted here from the .q text;
  - fused has fewer nodes, and the edge out of each tensor carries the scale
    and zero point the .q gives it.

Exit 77 (ctest: skipped) when Graphviz is not installed (tools/deps.sh).

    check_dot.py --qcc QCC NET.q --work DIR
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def render(path):
    r = subprocess.run(["dot", "-Tjson", path], capture_output=True, text=True)
    if r.returncode or r.stderr.strip():
        sys.exit(f"dot failed on {path}: {r.stderr}")
    g = json.loads(r.stdout)
    return g.get("objects", []), g.get("edges", [])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("q")
    a = ap.parse_args()
    if not shutil.which("dot"):
        print("Graphviz 'dot' not found (sh tools/deps.sh installs it): skipped")
        sys.exit(77)
    os.makedirs(a.work, exist_ok=True)
    fused, unfused = os.path.join(a.work, "fused.dot"), os.path.join(a.work, "unfused.dot")
    subprocess.run([a.qcc, a.q, "--dot", fused, "-o", os.path.join(a.work, "net.c")], check=True)
    subprocess.run([a.qcc, a.q, "--dot", unfused, "--dot-after=parse", "-o", os.path.join(a.work, "net.c")],
                   check=True)
    # statements and tensor arguments, from the .q text
    text = re.sub(r"#.*", "", open(a.q).read())
    stmts = re.findall(r"^\s*(\w+)\s*=\s*(\w+)\((.*?)\)\s*(?::[^\n]*)?$", text, re.M | re.S)
    inputs = re.findall(r"^\s*input\s+(\w+)", text, re.M)
    names = set(inputs) | {s[0] for s in stmts}
    nargs = 0
    for _, _, args in stmts:
        args = re.sub(r'"[^"]*"|\[[^\]]*\]|\w+\s*\([^)]*\)', "", args)  # strings, lists, i8(...)
        nargs += sum(1 for x in args.split(",") if x.strip() in names)
    errors = []
    nodes, edges = render(unfused)
    if len(nodes) != len(stmts) + len(inputs) or len(edges) != nargs:
        errors.append(f"unfused: {len(nodes)} nodes, {len(edges)} edges; the .q has "
                      f"{len(stmts) + len(inputs)} tensors and {nargs} arguments")
    fnodes, fedges = render(fused)
    if not len(fnodes) < len(nodes):
        errors.append(f"fused has {len(fnodes)} nodes, unfused {len(nodes)}")
    labels = " ".join(e.get("label", "") for e in fedges)
    for name, scale, zp in re.findall(r"^\s*(\w+)\s*=.*:\s*u8\(scale=([0-9.e-]+),\s*zp=(\d+)\)", text, re.M):
        want = "scale=%.9g zp=%s" % (float(scale), zp)
        used = any(re.search(r"\b%s\b" % name, args) for _, _, args in stmts)
        if used and want not in labels and want not in " ".join(e.get("label", "") for e in edges):
            errors.append(f"no edge labelled '{want}' (tensor {name})")
    for e in errors:
        print("error: " + e)
    print(f"{a.q}: unfused {len(nodes)} nodes / {len(edges)} edges, fused {len(fnodes)} / {len(fedges)}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
