#!/usr/bin/python3
"""Writes the weights of the hand-written test networks in tests/nets/ as
.npy files (fixed seed).  The .q files themselves are written by hand.
Run it again only to change the weights:  /usr/bin/python3 make_nets.py"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)


def save(name, a):
    np.save(os.path.join(HERE, "w", name + ".npy"), a)


def f32(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def i8(*shape):
    return rng.integers(-128, 128, size=shape).astype(np.int8)


# ops.q
save("g_conv.w", f32(8, 3, 3, 3))          # groups=2: 6 in -> 8 out, 3 per group
save("g_conv.b", f32(8, scale=0.5))
save("dil_conv.w", i8(5, 8, 3, 3))         # already-quantized, asymmetric weights
save("dil_conv.s", (rng.uniform(0.5, 2.0, 5) * 1e-3).astype(np.float32))
save("dil_conv.zp", rng.integers(-3, 4, 5).astype(np.int32))
save("dil_conv.b", f32(5))
save("fc.w", f32(7, 90))
save("fc.b", f32(7))
save("fc2.w", f32(6, 7))

# depthwise.q
for name, c, k in (("dw3", 13, 3), ("dw3s2", 13, 3), ("dw5", 13, 5), ("dw5s2", 13, 5)):
    save(name + ".w", f32(c, 1, k, k))
    save(name + ".b", f32(c, scale=0.2))
save("pw.w", f32(13, 13, 1, 1))
for p in ("g", "b", "m"):
    save("dwbn." + p, f32(13, scale=0.5) + (1.0 if p == "g" else 0.0))
save("dwbn.v", rng.uniform(0.5, 2.0, 13).astype(np.float32))

# traps.q: weights of -128 against activations of 255 (the vpmaddubsw trap)
w = np.full((4, 16, 3, 3), -128, np.int8)
w[1] = 127
w[2, ::2] = -128
w[2, 1::2] = 127
w[3] = i8(16, 3, 3)
save("sat.w", w)
save("sat.s", np.array([1e-5, 2e-5, 3e-5, 1e-4], np.float32))
save("big_bias.b", np.array([1e2, -1e2, 0.5, 40.0], np.float32))

# mbv2.q: MobileNetV2-style inverted residuals
def he(*shape):
    fan_in = int(np.prod(shape[1:]))
    return f32(*shape, scale=float(np.sqrt(2.0 / fan_in)))


save("mb_stem.w", he(16, 3, 3, 3))
save("mb_stem.b", f32(16, scale=0.1))
save("mb_b1_d.w", he(16, 1, 3, 3))
save("mb_b1_d.b", f32(16, scale=0.1))
save("mb_b1_p.w", he(8, 16, 1, 1))
save("mb_b1_p.b", f32(8, scale=0.1))
save("mb_b2_e.w", he(48, 8, 1, 1))
save("mb_b2_e.b", f32(48, scale=0.1))
save("mb_b2_d.w", he(48, 1, 3, 3))
save("mb_b2_d.b", f32(48, scale=0.1))
save("mb_b2_p.w", he(12, 48, 1, 1))
save("mb_b2_p.b", f32(12, scale=0.1))
save("mb_b3_e.w", he(72, 12, 1, 1))
save("mb_b3_e.b", f32(72, scale=0.1))
save("mb_b3_d.w", he(72, 1, 3, 3))
save("mb_b3_d.b", f32(72, scale=0.1))
save("mb_b3_p.w", he(12, 72, 1, 1))
save("mb_b3_p.b", f32(12, scale=0.1))
save("mb_b4_e.w", he(72, 12, 1, 1))
save("mb_b4_e.b", f32(72, scale=0.1))
save("mb_b4_d.w", he(72, 1, 3, 3))
save("mb_b4_d.b", f32(72, scale=0.1))
save("mb_b4_p.w", he(12, 72, 1, 1))
save("mb_b4_p.b", f32(12, scale=0.1))
save("mb_b5_e.w", he(72, 12, 1, 1))
save("mb_b5_e.b", f32(72, scale=0.1))
save("mb_b5_d.w", he(72, 1, 3, 3))
save("mb_b5_d.b", f32(72, scale=0.1))
save("mb_b5_p.w", he(16, 72, 1, 1))
save("mb_b5_p.b", f32(16, scale=0.1))
save("mb_b6_e.w", he(96, 16, 1, 1))
save("mb_b6_e.b", f32(96, scale=0.1))
save("mb_b6_d.w", he(96, 1, 3, 3))
save("mb_b6_d.b", f32(96, scale=0.1))
save("mb_b6_p.w", he(16, 96, 1, 1))
save("mb_b6_p.b", f32(16, scale=0.1))
save("mb_head.w", he(64, 16, 1, 1))
save("mb_head.b", f32(64, scale=0.1))
save("mb_fc.w", he(10, 64))
save("mb_fc.b", f32(10, scale=0.1))

# dwrows.q: depthwise with 16k channels (quads along ky; two output rows per
# expansion on avx512vnni)
for name, c, kh, kw in (("dwr3", 80, 3, 3), ("dwr2", 80, 2, 3), ("dwr1", 80, 1, 3), ("dwr3u", 144, 3, 3)):
    save(name + ".w", f32(c, 1, kh, kw))
    save(name + ".b", f32(c, scale=0.2))
