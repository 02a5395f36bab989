# biases that overflow int32: as written, and after folding the zero points
model bias_fold
input x : u8[1, 2](scale=1e-3, zp=128)
a = linear(x, weight=i8([[1, 1]], scale=1e-9, axis=0), bias=[1e12]) : u8(scale=0.1, zp=0)
b = linear(x, weight=i8([[-100, -100]], scale=1.0, axis=0), bias=i32([2147483647])) : u8(scale=1000, zp=0)
output a, b
