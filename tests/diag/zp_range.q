model zp_range
input x : u8[1, 4, 8, 8](scale=0.05, zp=256)
a = relu(x) : u8(scale=0.05, zp=300)
b = relu(x) : i8(scale=0.05, zp=-129)
c = relu(x) : u8(scale=0.05, zp=1.5)
d = conv2d(x, weight=i8("npy/w_i8.npy", scale=0.01, zp=128))
output a
