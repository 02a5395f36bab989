# shape and type errors found by inference, several in one run
model shapes
input x : u8[1,4,8,8] (scale=0.1, zp=0)
input v : f32[1,4,8,8]
a = conv2d(x, weight="npy/w.npy", groups=2) : u8(scale=0.1, zp=0)
b = add(x, a) : u8(scale=0.1, zp=0)
c = linear(x, weight=[[1.0, 2.0]]) : u8(scale=0.1, zp=0)
d = maxpool2d(v, kernel=2)
e = batchnorm(x, gamma=[1.0, 1.0], beta=[0, 0], mean=[0, 0], var=[1, 1]) : u8(scale=0.1, zp=0)
f = reshape(x, shape=[3, -1])
output a, b, c, d, e, f
