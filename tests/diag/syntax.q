# Several syntax errors: each bad statement is skipped up to its newline
# and parsing goes on, so all of them are reported in one run.
model syntax
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x x)
b = relu(x) : u8(scale=0.05 zp=128)
c = maxpool2d(x, kernel=2,
              stride=2 pad=0)
d = 5
e = relu(a)
output x y
f = conv2d(x, weight="npy/w.npy", pad=[1, 1)
output e
