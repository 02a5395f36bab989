# a conv whose output is materialised needs qparams
model no_qparams
input x : u8[1,1,4,4] (scale=0.1, zp=0)
a = conv2d(x, weight=[[[[1.0]]]])
b = add(a, x) : u8(scale=0.1, zp=0)
output b
