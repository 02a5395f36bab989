# warnings: activation bounds beyond the output dtype have no effect
model warn_bound
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu6(x) : u8(scale=0.01, zp=0)
b = clamp(x, min=-100, max=1) : u8(scale=0.05, zp=10)
c = relu6(x) : u8(scale=0.0235, zp=0)
output a, b, c
