model rank
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
input v : u8[1, 8](scale=0.1, zp=0)
b = conv2d(v, weight="npy/w.npy") : u8(scale=0.1, zp=0)
c = conv2d(x, weight=[[[1.0]]]) : u8(scale=0.1, zp=0)
d = linear(v, weight=[1.0, 1.0]) : u8(scale=0.1, zp=0)
e = maxpool2d(v, kernel=2)
f = flatten(v)
g = flatten(f)
output b, c, d, e, g
