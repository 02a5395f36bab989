model per_channel
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = conv2d(x, weight=i8("npy/w_i8.npy", scale=[0.1, 0.2, 0.3, 0.4], zp=[0, 0, 0]))
b = conv2d(x, weight=i8("npy/w_i8.npy", scale=[0.1, 0.2], zp=0))
c = conv2d(x, weight=i8("npy/w_i8.npy", scale="npy/scales4.npy", zp=[1, 2, 3, 4, 5]))
d = relu(x) : u8(scale=[0.05, 0.1], zp=0)
e = relu(x) : u8(scale=0.05, zp=0, axis=1)
output a
