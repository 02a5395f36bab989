# accumulation that can overflow int32, and a bias that does after folding
model overflow
input x : u8[1,70000] (scale=0.1, zp=0)
input y : u8[1,2] (scale=1e-3, zp=0)
a = linear(x, weight=i8("npy/deep.npy", scale=0.001, axis=0)) : u8(scale=0.1, zp=0)
b = linear(y, weight=i8([[1, 1]], scale=1e-6, axis=0), bias=[5e3]) : u8(scale=0.1, zp=0)
output a, b
