# 'NAME = OP(ARGS) [: DTYPE [(QPARAMS)]]'
model syn_def
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a =
a relu(x)
= relu(x)
b = relu
c = relu(x) :
d = relu(x) : (scale=0.1, zp=0)
e = relu(x) : u8(scale=0.1, zp=0) extra
f == relu(x)
input = relu(x)
g = 3(x)
output x
