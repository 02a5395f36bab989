# warning: a multiplier below 2^-32 encodes as 0: the output is constant
model warn_multiplier
input x : u8[1, 2](scale=0.02, zp=0)
a = linear(x, weight=i8([[1, 1], [1, 1]], scale=[1e-5, 1.0], axis=0)) : u8(scale=1e6, zp=0)
r = requantize(x) : u8(scale=1e9, zp=0)
output a, r
