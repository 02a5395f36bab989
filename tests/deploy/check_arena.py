#!/usr/bin/python3
"""Checks qcc's arena plan from `qcc --stats=json`, recomputing everything
from the graph (inputs of each layer, outputs) rather than trusting qcc:

  - every in-place layer is elementwise (add, requantize, relu, relu6, clamp)
    and has its input's byte size, or is a pooling/depthwise layer whose
    raster order never writes an input pixel a later output pixel reads
    (simulated here pixel by pixel) and whose own, smaller buffer starts at
    its input's; and the input's buffer has no later reader;
  - buffers live at the same step never overlap; offsets are 64-aligned and
    inside the arena;
  - the lower bound (max over steps of the live buffers, each rounded up to
    64 bytes) equals qcc's, and the plan meets the goal: equal to the bound on
    a chain (no tensor read twice), at most 1.1x on a residual network.

    check_arena.py --qcc QCC NET.q [NET.q ...] [--flags "-O0"]
                   [--expect-inplace A,B] [--expect-not-inplace C,D]
"""
import argparse
import json
import subprocess
import sys

ELEMENTWISE = {"add", "requantize", "relu", "relu6", "clamp"}
POOLS = {"maxpool2d", "avgpool2d", "global_avgpool"}


def windowed(L, by):
    """pooling or depthwise: may run in place in raster order"""
    if L["op"] in POOLS:
        return True
    x = by[L["inputs"][0]]["output_shape"]["dims"] if L["inputs"] else None
    return L["op"] == "conv2d" and x is not None and L.get("groups", 1) > 1 and L["groups"] == x[1]


def raster_safe(L, by):
    """Simulate the raster order: output pixel after output pixel, none may
    read an input pixel that an earlier output pixel has overwritten."""
    if L["op"] == "global_avgpool":
        return True
    n, c, ih, iw = by[L["inputs"][0]]["output_shape"]["dims"]
    _, oc, oh, ow = L["output_shape"]["dims"]
    if n != 1 or oc != c:
        return False
    w = L["window"]
    (kh, kw), (sh, sw), (dh, dw), (pt, pl) = w["kernel"], w["stride"], w["dilation"], w["pad"][:2]
    written = set()
    for oy in range(oh):
        for ox in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy * sh - pt + ky * dh, ox * sw - pl + kx * dw
                    if 0 <= iy < ih and 0 <= ix < iw and iy * iw + ix in written:
                        return False
            written.add(oy * ow + ox)
    return True
ALIGN = 64


def up(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def check(qcc, q, flags, expect_in=(), expect_out=()):
    out = subprocess.run([qcc, q, "--stats=json"] + flags, check=True, capture_output=True, text=True).stdout
    st = json.loads(out)
    layers = st["layers"]
    step = {L["name"]: i for i, L in enumerate(layers)}
    by = {L["name"]: L for L in layers}
    end = len(layers)
    errors = []

    # buffer of each tensor: follow aliases (free reshapes) and in-place links
    def shares(L):
        """the tensor whose buffer L writes into: its own for a windowed layer"""
        if L["alias_of"]:
            return L["alias_of"]
        return None if windowed(L, by) else L["inplace_of"]

    def buf(name):
        L = by[name]
        while shares(L):
            L = by[shares(L)]
        return L["name"]

    # run() writes the inputs (and their quantize) before forward() and
    # reads dequantized outputs after it, wherever the source puts them
    def boundary_in(L):
        return L["op"] == "input" or (L["op"] == "quantize" and by[L["inputs"][0]]["op"] == "input")

    def first_step(name):
        return 0 if boundary_in(by[name]) else step[name]

    readers = {}
    for i, L in enumerate(layers):
        for x in L["inputs"]:
            readers.setdefault(x, []).append(end if L["op"] == "dequantize" else i)
    last_read = {}  # per buffer, from the tensors it holds
    for L in layers:
        if not L["in_arena"]:
            continue
        b = buf(L["name"])
        last = max(readers.get(L["name"], [step[L["name"]]]))
        if L["name"] in st["outputs"]:
            last = end
        last_read[b] = max(last_read.get(b, step[b]), last)

    for i, L in enumerate(layers):
        x = L["inplace_of"]
        if not x:
            continue
        if windowed(L, by):
            if not raster_safe(L, by):
                errors.append(f"{L['name']}: {L['op']} in place, but its raster order overwrites input it reads later")
            if L["arena_offset"] != by[buf(x)]["arena_offset"] or L["arena_bytes"] > by[x]["arena_bytes"]:
                errors.append(f"{L['name']}: in place of {x} but not at its start, or larger")
        elif L["op"] not in ELEMENTWISE:
            errors.append(f"{L['name']}: {L['op']} runs in place")
        elif by[x]["arena_bytes"] != L["arena_bytes"]:
            errors.append(f"{L['name']}: in place of {x} of another size")
        # the input's buffer must not be read after this layer, except
        # through this layer's own output (which now owns it)
        later = [r for t in layers if t["in_arena"] and buf(t["name"]) == buf(x) and step[t["name"]] < i
                 for r in readers.get(t["name"], []) if r > i]
        if later or x in st["outputs"]:
            errors.append(f"{L['name']}: in place of {x}, which is read later (steps {later})")

    # buffers: (offset, size, first, last)
    bufs = []
    tied = {}  # windowed in-place buffer -> the input buffer it starts
    for L in layers:
        if L["inplace_of"] and windowed(L, by):
            tied[L["name"]] = buf(L["inplace_of"])
    for L in layers:
        if L["in_arena"] and not shares(L):
            bufs.append((L["name"], L["arena_offset"], L["arena_bytes"], first_step(L["name"]),
                         last_read[L["name"]]))
        if L["scratch_bytes"]:
            bufs.append((L["name"] + ".scratch", L["scratch_offset"], L["scratch_bytes"], step[L["name"]],
                         step[L["name"]]))
    arena = st["totals"]["arena_bytes"]
    for name, off, size, first, last in bufs:
        if off % ALIGN or off < 0 or off + size > arena:
            errors.append(f"{name}: offset {off} size {size} outside the {arena}-byte arena or misaligned")
    for i, a in enumerate(bufs):
        for b in bufs[i + 1:]:
            live = a[3] <= b[4] and b[3] <= a[4]
            pair = tied.get(a[0]) == b[0] or tied.get(b[0]) == a[0]
            if live and not pair and a[1] < b[1] + b[2] and b[1] < a[1] + a[2]:
                errors.append(f"{a[0]} and {b[0]} are live together and overlap")
    # a windowed in-place output sits inside its input at the step they share
    bound = max([sum(up(b[2]) for b in bufs if b[3] <= t <= b[4] and not (b[0] in tied and b[3] == t))
                 for t in range(end + 1)] + [0])
    if bound != st["totals"]["arena_bound_bytes"]:
        errors.append(f"bound: qcc says {st['totals']['arena_bound_bytes']}, recomputed {bound}")
    chain = all(len(r) == 1 for r in readers.values())
    goal = 1.0 if chain else 1.1
    ratio = arena / bound if bound else 1.0
    if ratio > goal:
        errors.append(f"arena {arena} is {ratio:.3f}x the bound {bound} (goal {goal}x for a "
                      f"{'chain' if chain else 'residual network'})")
    for name in expect_in:
        if not by[name]["inplace_of"]:
            errors.append(f"{name} was expected to run in place")
    for name in expect_out:
        if by[name]["inplace_of"]:
            errors.append(f"{name} was expected not to run in place")
        if windowed(by[name], by) and raster_safe(by[name], by):
            errors.append(f"{name}: the raster order would allow it in place")
    kind = "chain" if chain else "residual"
    print(f"{q} {' '.join(flags)}: {kind}, arena {arena}, bound {bound} ({ratio:.3f}x), "
          f"{sum(1 for L in layers if L['inplace_of'])} in place")
    for e in errors:
        print("  error: " + e)
    return not errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--flags", default="")
    ap.add_argument("--expect-inplace", default="", help="comma-separated layers that must run in place")
    ap.add_argument("--expect-not-inplace", default="",
                    help="comma-separated windowed layers that must not (and whose raster order forbids it)")
    ap.add_argument("nets", nargs="+")
    a = ap.parse_args()
    ins = [x for x in a.expect_inplace.split(",") if x]
    outs = [x for x in a.expect_not_inplace.split(",") if x]
    ok = all([check(a.qcc, q, a.flags.split(), ins, outs) for q in a.nets])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
