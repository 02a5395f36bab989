# a matmul whose int32 accumulator can overflow: depth 40000 of u8 x u8
model matmul_depth
input a : u8[1, 40000](scale=0.05, zp=0)
input b : u8[40000, 1](scale=0.05, zp=0)
c = matmul(a, b) : u8(scale=1, zp=0)
output c
