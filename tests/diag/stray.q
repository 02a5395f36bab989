# A byte no token starts with is reported and skipped; the statement
# is still checked.
model stray
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) @
b = relu(a�)
c = conv2d(b, weight=“npy/w.npy”)
d = relu(b)
output d
