model bn_args
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
b = batchnorm(x, gamma=[1.0, 1, 1, 1], beta=[0.0, 0, 0, 0], mean=[0.0, 0, 0, 0], var=[1.0, 1, 1, 1], eps=-1) : u8(scale=0.1, zp=0)
c = batchnorm(x, gamma=[1.0, 1, 1, 1], beta=[0.0, 0, 0, 0], mean=[0.0, 0, 0, 0]) : u8(scale=0.1, zp=0)
output x
