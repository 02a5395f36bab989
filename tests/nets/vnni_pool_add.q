# The avx512vnni max pooling (64 channels a vector, masked remainders, tap
# loops bounded to the input) and add kernels (qrt_add_x32: int16 lanes,
# multipliers split in 16-bit halves; qrt_add_x16 where a multiplier's high
# half does not fit int16), end to end against tools/qref.py and the
# portable build on every target: u8 and i8, 70 and 130 channels (64k + a
# remainder), strides 1-3, symmetric, asymmetric and no padding, dilation,
# a maxpool read by a relu; adds of u8 and of i8, with relu, in place, with
# element counts of 32k + a remainder,
# and one whose M_a = 0.99999 (mult_a > 2^31 - 2^15: the x16 fallback).
model vnni_pool_add
input x : u8[1,70,9,11] (scale=0.05, zp=100)
input s : i8[1,130,6,7] (scale=0.04, zp=-3)
m1 = maxpool2d(x, kernel=3, stride=2, pad=1)
m2 = maxpool2d(x, kernel=2, stride=2)
m3 = maxpool2d(x, kernel=3, stride=1, pad=2, dilation=2)
m4 = maxpool2d(s, kernel=[3,2], stride=[1,2], pad=[1,0])
m5 = maxpool2d(s, kernel=3, stride=3, pad=1)
m6 = maxpool2d(s, kernel=2, stride=1)
r6 = relu(m6)
q2 = requantize(m1) : u8(scale=0.06, zp=20)
a1 = add(m1, q2) : u8(scale=0.07, zp=60)
q3 = requantize(m1) : u8(scale=0.04, zp=140)
a2 = add(q3, m1) : u8(scale=0.08, zp=128)
a3s = add(q2, m1)
a3 = relu(a3s) : u8(scale=0.09, zp=5)
q4 = requantize(m4) : i8(scale=0.05, zp=2)
a4 = add(m4, q4) : i8(scale=0.06, zp=-1)
a5 = add(m1, q3) : u8(scale=0.0500005, zp=90)
output m2, m3, m5, r6, a1, a2, a3, a4, a5
