# A bracket left open: the error is at the next statement, which is then
# read normally.
model unclosed
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = maxpool2d(x, kernel=[2, 2)
b = relu(x)
c = avgpool2d(b, kernel=2,
              stride=2
d = relu(c)
output b, d, e
