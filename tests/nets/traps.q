# The known traps of integer inference, end to end against tools/qref.py:
# - int8 weights of -128 (and 127) against u8 activations of 255: pairs of
#   products that overflow int16 (AVX2 vpmaddubsw saturates);
# - padding that must read as the input zero point (zp 250), not 0;
# - requantization multipliers >= 1 (1.5: every odd accumulator is a .5 tie,
#   and 20) and below 2^-32;
# - relu6 whose 6/s + zp is far above 255; relu clamping at zp 200, not 0;
# - a large float bias (5e8 accumulator units);
# - three inputs.
model traps
input x : u8[1,16,5,5] (scale=0.02, zp=0)
input y : u8[1,16,5,5] (scale=0.02, zp=250)
input z : u8[1,1,4,4] (scale=0.02, zp=128)
s = conv2d(x, weight=i8("w/sat.w.npy", scale="w/sat.s.npy", axis=0), pad=1) : u8(scale=0.008, zp=128)
bb = conv2d(x, weight=i8("w/sat.w.npy", scale="w/sat.s.npy", axis=0), bias="w/big_bias.b.npy", pad=1) : u8(scale=1.0, zp=128)
big = conv2d(z, weight=i8([[[[1]]]], scale=[0.1], axis=0)) : u8(scale=0.0001, zp=0)
ties = conv2d(z, weight=i8([[[[1]]], [[[-3]]]], scale=[0.75, 0.25], axis=0)) : u8(scale=0.01, zp=128)
tiny = conv2d(x, weight=i8("w/sat.w.npy", scale="w/sat.s.npy", axis=0), pad=1) : u8(scale=1e6, zp=3)
pz = conv2d(y, weight=i8("w/sat.w.npy", scale="w/sat.s.npy", axis=0), pad=2, dilation=2)
pr6 = relu6(pz) : u8(scale=0.0005, zp=0)
pr = conv2d(y, weight=i8("w/sat.w.npy", scale="w/sat.s.npy", axis=0), stride=2, pad=1)
prr = relu(pr) : u8(scale=0.002, zp=200)
output s, bb, big, ties, tiny, pr6, prr
