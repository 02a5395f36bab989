# number forms: C-style decimals only
model numbers
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) : u8(scale=0x10, zp=0)
b = relu(x) : u8(scale=1e, zp=0)
c = relu(x) : u8(scale=1.5.5, zp=0)
d = relu(x) : u8(scale=inf, zp=0)
e = relu(x) : u8(scale=nan, zp=0)
f = relu(x) : u8(scale=.5, zp=+1)
output f
