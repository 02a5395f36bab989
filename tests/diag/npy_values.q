# .npy contents that qcc refuses: non-finite floats, values past float32, 2^31 elements
model npy_values
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = conv2d(x, weight="npy/w_nan.npy", groups=4)
b = conv2d(x, weight="npy/w_f8_big.npy", groups=4)
c = conv2d(x, weight="npy/w_2g.npy", groups=4)
d = conv2d(x, weight=i8("npy/w_i8.npy", scale="npy/w_i8.npy"), groups=4)
e = conv2d(x, weight=i8("npy/w_i8.npy", scale=0.1, zp="npy/scales4.npy"), groups=4)
output a
