# a variance that eps does not make positive
model bn_var
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = batchnorm(x, gamma=[1.0, 1, 1, 1], beta=[0.0, 0, 0, 0], mean=[0.0, 0, 0, 0], var=[1.0, -1, 1, 1]) : u8(scale=0.1, zp=0)
output a
