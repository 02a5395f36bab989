model bad_scale
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) : u8(scale=0, zp=0)
b = relu(x) : u8(scale=-0.25, zp=0)
c = relu(x) : u8(scale=1e999, zp=0)
d = relu(x) : u8(scale=1e-320, zp=0)
e = conv2d(x, weight=i8("npy/w_i8.npy", scale=[0.1, 0, 0.1, 0.1]))
f = conv2d(x, weight=i8("npy/w_i8.npy", scale="npy/w.npy"))
g = conv2d(x, weight=i8("npy/w_i8.npy", scale="npy/scales_nan.npy"))
output a
