# attributes past their limits: dimensions of 2^31, windows past 2^20, rank 5
model absurd_args
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
b = reshape(x, shape=[1, 2147483648])
e = maxpool2d(x, kernel=1048577)
f = reshape(x, shape=[1, 1, 1, 4, 64])
g = conv2d(x, weight="npy/w.npy", groups=4, stride=[1, 1, 1])
output x
