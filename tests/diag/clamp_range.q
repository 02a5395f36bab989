# clamp bounds against what the output's dtype holds
model clamp_range
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = clamp(x, min=30, max=40) : u8(scale=0.1, zp=0)
b = clamp(x, min=-40, max=-30) : u8(scale=0.1, zp=0)
c = clamp(x, min=-40, max=-30) : i8(scale=0.1, zp=0)
output a, b, c
