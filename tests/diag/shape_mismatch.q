model shape_mismatch
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
input y : u8[1, 4, 4, 4](scale=0.05, zp=128)
input m : u8[3, 5](scale=0.05, zp=128)
a = add(x, y) : u8(scale=0.1, zp=0)
b = concat(x, y) : u8(scale=0.1, zp=0)
c = matmul(m, m) : u8(scale=0.1, zp=0)
d = conv2d(y, weight="npy/w.npy", groups=4, pad=0, dilation=2) : u8(scale=0.1, zp=0)
e = maxpool2d(x, kernel=2, pad=2)
f = conv2d(x, weight="npy/w.npy", groups=3) : u8(scale=0.1, zp=0)
g = conv2d(x, weight="npy/w.npy", groups=4, bias=[1.0, 2.0, 3.0]) : u8(scale=0.1, zp=0)
i = linear(m, weight=[[1.0, 2.0]]) : u8(scale=0.1, zp=0)
output a, b, c, d, e, f, g, i
