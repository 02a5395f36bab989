# tensors beyond 2^31-1 elements are rejected (generated kernels index with int)
model too_big
input x : u8[1, 3, 100000, 100000] (scale=0.1, zp=0)
input v : u8[1, 3, 40000, 40000] (scale=0.1, zp=0)
y = conv2d(v, weight=[[[[1.0]],[[1.0]],[[1.0]]], [[[1.0]],[[1.0]],[[1.0]]]]) : u8(scale=0.1, zp=0)
output y
