model duplicate
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
r = relu(x)
r = relu6(x)
x = relu(r)
output r, r
