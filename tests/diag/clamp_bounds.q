# clamp bounds given in the wrong order
model clamp_bounds
input x : u8[1,2] (scale=0.1, zp=0)
a = linear(x, weight=[[1.0, 1.0]])
c = clamp(a, min=1.0, max=-1.0) : u8(scale=0.1, zp=0)
output c
