# qparams: scale=/zp=, range=[min, max] [symmetric]
model syn_qparams
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) : u8(scale==0.1)
b = relu(x) : u8(0.1)
c = relu(x) : u8(scale=0.1, symmetric)
d = relu(x) : u8(range=[0, 1], scale=0.1)
e = relu(x) : u8(range=[1, 0])
f = relu(x) : u8(range=[0])
g = relu(x) : u8(scale=0.1, zp=0, bias=1)
h = relu(x) : u8(zp=0)
i = relu(x) : u8(scale="0.1")
j = relu(x) : u8(range=[-1e999, 1])
output a
