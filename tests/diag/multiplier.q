# requantization multipliers outside |M| < 2^30
model multiplier
input x : u8[1,2] (scale=1000, zp=0)
a = linear(x, weight=i8([[1, 1], [1, -1]], scale=[1.0, 2.0], axis=0)) : u8(scale=1e-9, zp=0)
r = requantize(x) : u8(scale=1e-7, zp=0)
output a, r
