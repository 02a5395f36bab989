# 'output NAME {, NAME}'
model syn_output
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
output
output , x
output x,
output "x"
output x(1)
