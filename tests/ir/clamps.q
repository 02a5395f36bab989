# qcc-flags: --dump-after=fuse_act
# Activation bounds in the output's quantized domain, checked by hand:
#   r:  relu,  u8 zp 7            -> [7, 255]
#   r6: relu6, u8 scale 0.01 zp 0 -> 6/0.01 = 600 > 255 -> [0, 255], never wrapped
#   r6b: relu6, u8 scale 0.05 zp 10 -> 10 + 120 = 130 -> [10, 130]
#   c:  clamp(-1, 1), i8 scale 1/64 zp 0 -> [-64, 64]
#   h:  hardtanh(-0.5, 100), i8 scale 0.25 zp -8 -> [-8 - 2, min(127, -8 + 400)] = [-10, 127]
model clamps
input x : u8[1,4] (scale=0.5, zp=7)
a = linear(x, weight=[[1, 0, 0, 0], [0, 1, 0, 0]])
r = relu(a) : u8(scale=0.5, zp=7)
b = linear(x, weight=[[1, 1, 0, 0]])
r6 = relu6(b) : u8(scale=0.01, zp=0)
d = linear(x, weight=[[0, 0, 1, 1]])
r6b = relu6(d) : u8(scale=0.05, zp=10)
e = linear(x, weight=[[1, -1, 1, -1]])
c = clamp(e, min=-1, max=1) : i8(scale=0.015625, zp=0)
f = linear(x, weight=[[2, 0, 0, 1]])
h = hardtanh(f, min_val=-0.5, max_val=100) : i8(scale=0.25, zp=-8)
output r, r6, r6b, c, h
