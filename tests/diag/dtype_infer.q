# dtypes as inferred
model dtype_infer
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
input f : f32[1, 4, 8, 8]
input s : i8[1, 4, 8, 8](scale=0.05, zp=0)
a = quantize(x) : u8(scale=0.1, zp=0)
b = dequantize(x) : u8(scale=0.1, zp=0)
e = add(x, s) : u8(scale=0.1, zp=0)
g = add(x, f) : u8(scale=0.1, zp=0)
output a, b, e, g
