# Depthwise convolutions whose channels are a multiple of 16: the
# avx512vnni kernel builds its tap quads along ky, and with stride and
# dilation 1 in y and KH <= 3 one expansion of four input rows serves two
# output rows (the second through the weights shifted by one byte).  Odd
# and even output heights (the last row alone), KH 3, 2 and 1, an i8 input
# (offset to u8 by +128) and a u8 one with two 64-channel groups and a
# 16-channel block.
model dwrows
input x : i8[1,80,7,9] (scale=0.04, zp=-5)
input u : u8[1,144,4,6] (scale=0.03, zp=120)
d3 = conv2d(x, weight="w/dwr3.w.npy", bias="w/dwr3.b.npy", pad=1, groups=80) : i8(scale=0.05, zp=3)
d2 = conv2d(x, weight="w/dwr2.w.npy", bias="w/dwr2.b.npy", pad=[0,1,0,1], groups=80) : u8(scale=0.04, zp=128)
d1 = conv2d(x, weight="w/dwr1.w.npy", bias="w/dwr1.b.npy", pad=[1,1,1,1], groups=80) : i8(scale=0.03, zp=0)
e3 = conv2d(u, weight="w/dwr3u.w.npy", bias="w/dwr3u.b.npy", pad=1, groups=144)
r3 = relu6(e3) : u8(scale=0.03, zp=0)
output d3, d2, d1, r3
