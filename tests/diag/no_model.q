# the model statement is missing
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
r = relu(x)
output r
