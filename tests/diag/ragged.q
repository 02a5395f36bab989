model ragged
input x : u8[1, 2](scale=0.05, zp=128)
a = linear(x, weight=[[1.0, 2.0], [3.0]])
b = linear(x, weight=[[1.0, 2.0], 3.0])
c = linear(x, weight=[[1.0, 2.0], [3.0, 1e39]])
d = linear(x, weight=[])
e = linear(x, weight=[[1, 2]], bias=i32([1.5]))
output a
