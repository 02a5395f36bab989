# a model without an output statement
model no_output
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x)
