model clamp_args
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
c = clamp(x, min=1e999)
d = hardtanh(x, min_val=2, max_val=1)
e = clamp(x)
f = clamp(x, min="0")
output x
