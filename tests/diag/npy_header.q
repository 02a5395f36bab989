# .npy headers that are malformed or not what qcc reads
model npy_header
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = conv2d(x, weight="npy/w_bad_header.npy", groups=4)
b = conv2d(x, weight="npy/w_v4.npy", groups=4)
c = conv2d(x, weight="npy/w_structured.npy", groups=4)
d = conv2d(x, weight="npy/w_empty.npy", groups=4)
e = conv2d(x, weight="npy/w_extra.npy", groups=4)
f = conv2d(x, weight="npy/w_huge_header.npy", groups=4)
output a
