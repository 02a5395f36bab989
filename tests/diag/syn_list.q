# lists: '[' [VALUE {, VALUE} [,]] ']'
model syn_list
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = linear(x, weight=[1 2])
b = linear(x, weight=[, 1])
c = linear(x, weight=[1, , 2])
d = linear(x, weight=[1, (2)])
e = maxpool2d(x, kernel=[2, 2,])
output e
