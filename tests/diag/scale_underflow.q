model scale_underflow
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) : u8(scale=1e-400, zp=0)
b = relu(x) : u8(scale=0e5, zp=0)
c = relu(x) : u8(scale=-0.0, zp=0)
output a
