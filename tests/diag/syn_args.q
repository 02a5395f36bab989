# argument lists: [ARG {, ARG} [,]], ARG = VALUE | NAME = VALUE
model syn_args
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(, x)
b = relu(x, , )
c = conv2d(x, weight=)
d = conv2d(x, = 1)
e = conv2d(x weight="npy/w.npy")
f = conv2d(x, weight="npy/w.npy", 1 = 2)
g = maxpool2d(x, kernel=2,)
output g
