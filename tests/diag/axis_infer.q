# concat's axis may be negative, as torch.cat's: -3 of a rank-4 tensor is 1
model axis_infer
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = concat(x, x, axis=0) : u8(scale=0.05, zp=128)
d = conv2d(x, weight=i8("npy/w_i8.npy", scale=[0.1, 0.2], axis=3), groups=4) : u8(scale=0.1, zp=0)
e = concat(x, x, axis=-3) : u8(scale=0.05, zp=128)
f = concat(x, x, axis=-1) : u8(scale=0.05, zp=128)
output a, d, e, f
