# dtypes as written
model dtype
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
input f : f32[1, 4, 8, 8]
c = relu(x) : i32(scale=0.1, zp=0)
d = conv2d(x, weight="npy/w.npy", groups=4) : f32
h = quantize(f) : f32
i = relu(x) : q8(scale=0.1, zp=0)
output x
