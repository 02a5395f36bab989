#!/usr/bin/python3
"""Checks `qcc --stats` against numbers derived here, not taken from qcc:

  - each conv/linear: MACs = output elements x weight elements per output
    channel, from the .npy the .q names; weight bytes = that .npy's element
    count; folded constants = 9 bytes per output channel (int32 bias, int32
    multiplier, int8 shift) plus 4 per channel with a weight zero point;
  - ResNet-8's total: 12.5M MACs, the figure MLPerf Tiny publishes for it;
  - totals add up (flash = weights + constants + code, RAM = arena + stack),
    the table and the JSON agree, every layer names its kernel.

    check_stats.py --qcc QCC NET.q [NET.q ...]
"""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np


def weights_of(q):
    """statement name -> weight .npy path, from the .q text."""
    text = open(q).read()
    out = {}
    for m in re.finditer(r'^(\w+)\s*=\s*(?:conv2d|linear)\((.*?)\)\s*(?::|$)', text, re.M | re.S):
        w = re.search(r'weight\s*=\s*(?:i8\()?"([^"]+)"', m.group(2))
        if w:
            out[m.group(1)] = os.path.join(os.path.dirname(q), w.group(1))
    return out


def check(qcc, q, errors):
    st = json.loads(subprocess.run([qcc, q, "--stats=json"], check=True, capture_output=True, text=True).stdout)
    table = subprocess.run([qcc, q, "--stats"], check=True, capture_output=True, text=True).stdout
    wfiles = weights_of(q)
    t = st["totals"]
    macs = 0
    for L in st["layers"]:
        if L["op"] == "matmul":  # [M,K] x [K,N]
            macs += int(np.prod(L["output_shape"]["dims"])) * L["input_shapes"][0]["dims"][1]
            continue
        if L["op"] not in ("conv2d", "linear"):
            if L["weight_bytes"]:
                errors.append(f"{q}: {L['name']} ({L['op']}) has weights")
            continue
        source = (L["fused"] or f"{L['op']} {L['name']}").split(" + ")[0].split()[1]
        if source not in wfiles:  # inline weights, or a lone batchnorm made a conv
            macs += L["macs"]
            continue
        w = np.load(wfiles[source])
        out = int(np.prod(L["output_shape"]["dims"]))
        want = out * int(np.prod(w.shape[1:]))
        oc = w.shape[0]
        if L["macs"] != want:
            errors.append(f"{q}: {L['name']}: {L['macs']} MACs, expected {want}")
        if L["weight_bytes"] != w.size:
            errors.append(f"{q}: {L['name']}: {L['weight_bytes']} weight bytes, expected {w.size}")
        if L["const_bytes"] not in (9 * oc, 13 * oc):
            errors.append(f"{q}: {L['name']}: {L['const_bytes']} constant bytes for {oc} channels")
        macs += want
    if t["macs"] != macs:
        errors.append(f"{q}: total {t['macs']} MACs, layers add up to {macs}")
    if os.path.basename(q) == "resnet8.q" and not 12.4e6 < t["macs"] < 12.6e6:
        errors.append(f"{q}: ResNet-8 has 12.5M MACs, qcc says {t['macs']}")
    if t["flash_bytes"] != t["weight_bytes"] + t["const_bytes"] + t["code_bytes_estimate"]:
        errors.append(f"{q}: flash does not add up")
    if t["ram_bytes"] != t["arena_bytes"] + t["stack_bytes_estimate"]:
        errors.append(f"{q}: RAM does not add up")
    if t["arena_bytes"] < t["arena_bound_bytes"]:
        errors.append(f"{q}: arena below its lower bound")
    for key, label in (("macs", "total macs"), ("flash_bytes", "flash"), ("ram_bytes", "ram")):
        m = re.search(r"^%s\s+(\d+)" % label, table, re.M)
        if not m or int(m.group(1)) != t[key]:
            errors.append(f"{q}: table '{label}' disagrees with the JSON {t[key]}")
    if not re.search(r"^arena\s+%d bytes planned, lower bound %d " % (t["arena_bytes"], t["arena_bound_bytes"]),
                      table, re.M):
        errors.append(f"{q}: table has no 'arena ... planned, lower bound ...' line")
    for L in st["layers"]:
        if L["op"] != "input" and (not L["kernel"] or L["simd"] not in ("portable", st["target"])):
            errors.append(f"{q}: {L['name']}: kernel {L['kernel']!r} path {L['simd']!r}")
    print(f"{q}: {t['macs']} MACs, flash {t['flash_bytes']}, RAM {t['ram_bytes']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("nets", nargs="+")
    a = ap.parse_args()
    errors = []
    for q in a.nets:
        check(a.qcc, q, errors)
    for e in errors:
        print("error: " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
