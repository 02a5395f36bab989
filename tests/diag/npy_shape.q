# .npy files of the wrong shape for where they are used
model npy_shape
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
input v : u8[1, 9](scale=0.1, zp=0)
a = conv2d(x, weight="npy/w.npy", groups=4, bias="npy/scales4.npy") : u8(scale=0.1, zp=0)
b = conv2d(x, weight="npy/w.npy", groups=4, bias="npy/b3.npy") : u8(scale=0.1, zp=0)
c = linear(v, weight="npy/w.npy") : u8(scale=0.1, zp=0)
d = batchnorm(x, gamma="npy/b3.npy", beta="npy/b3.npy", mean="npy/b3.npy", var="npy/b3.npy") : u8(scale=0.1, zp=0)
e = conv2d(x, weight="npy/b3.npy") : u8(scale=0.1, zp=0)
output b, c, d, e
