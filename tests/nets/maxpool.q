# Max pooling on the SIMD targets against the portable kernel and qref:
# every channel remainder of a 32-channel vector (53 = 32 + 16 + 5,
# 21 = 16 + 5), u8 and i8, padding (which never wins), dilation, stride 1
# and 2, windows with a single in-bounds tap (b's corners).
model maxpool
input x : u8[1,53,9,11] (scale=0.05, zp=7)
input z : i8[1,21,7,6] (scale=0.03, zp=-5)
a = maxpool2d(x, kernel=3, stride=2, pad=1)
b = maxpool2d(z, kernel=2, stride=1, pad=1)
d = maxpool2d(x, kernel=3, stride=1, pad=1, dilation=2)
f = maxpool2d(z, kernel=3, stride=2)
output a, b, d, f
