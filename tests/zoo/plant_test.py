#!/usr/bin/python3
"""tools/layer_diff.py must point at a planted bug.

    /usr/bin/python3 tests/zoo/plant_test.py --qcc build/qcc --work DIR

Exports the zoo's resnet8 with tools/torch2q.py, then:
  1. unchanged: layer_diff must report no divergence;
  2. one layer's per-channel weight scales multiplied by 1.25 (qparams of
     every tensor unchanged, values wrong from that layer on): layer_diff
     must name exactly that layer as the first divergence;
  3. one layer's output scale changed in the .q: again that layer.
Exit 0 when all three hold.
"""

import argparse
import os
import re
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools")]
import layer_diff  # noqa: E402
import nets        # noqa: E402
import torch2q     # noqa: E402

TARGET = "s2.a.0"          # a fused conv+bn+relu in the middle of resnet8


def run(net, qfile, a, tag):
    print(f"--- {tag}")
    _, first = layer_diff.compare(net.qmodel, net.example, qfile, list(net.inputs(3, 5).split(1)),
                                  a.qcc, os.path.join(a.work, tag))
    return first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    net = nets.build("resnet8")
    qfile = os.path.join(a.work, "resnet8.q")
    torch2q.export(net.qmodel, net.example, qfile)
    text = open(qfile).read()
    ok = True

    first = run(net, qfile, a, "clean")
    ok &= first is None

    # 2: wrong per-channel weight scales in TARGET (its conv is TARGET.conv)
    sfile = f"resnet8_w/{TARGET}.conv.s.npy"
    s = np.load(os.path.join(a.work, sfile))
    np.save(os.path.join(a.work, "planted.s.npy"), s * 1.25)
    assert f'scale="{sfile}"' in text
    q2 = os.path.join(a.work, "planted_weight.q")
    open(q2, "w").write(text.replace(f'scale="{sfile}"', 'scale="planted.s.npy"'))
    first = run(net, q2, a, "weight_scale")
    print(f"planted weight scale in {TARGET}: first divergence {first}")
    ok &= first == TARGET

    # 3: wrong output scale of TARGET
    pat = re.compile(rf"^({re.escape(TARGET)} = relu\(.*\) : u8\(scale=)([0-9.e-]+)", re.M)
    m = pat.search(text)
    assert m, "target statement not found"
    q3 = os.path.join(a.work, "planted_out.q")
    open(q3, "w").write(pat.sub(lambda m: m.group(1) + repr(float(m.group(2)) * 0.8), text, count=1))
    first = run(net, q3, a, "output_scale")
    print(f"planted output scale in {TARGET}: first divergence {first}")
    ok &= first == TARGET

    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
