model unknown_op
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = conv2(x, weight="npy/w.npy")
b = Relu(x)
c = i8(x)
d = relu(x) : u8(scale=0.1, zp=0) : u8(scale=0.1, zp=0)
output x
