# .npy files that are not what qcc reads
model npy_format
input x : u8[1, 1, 8, 8](scale=0.05, zp=128)
a = conv2d(x, weight="npy/w_f16.npy")
b = conv2d(x, weight="npy/w.npy", bias="npy/bias_i64.npy")
c = conv2d(x, weight="npy/w_be.npy")
d = conv2d(x, weight="npy/w_fortran.npy")
e = conv2d(x, weight="npy/w_text.npy")
f = conv2d(x, weight="npy/w_rank5.npy")
g = conv2d(x, weight=i8("npy/w.npy", scale=0.1))
output a
