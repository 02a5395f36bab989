model string_escapes
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = conv2d(x, weight="")
b = conv2d(x, weight="npy\w.npy")
c = conv2d(x, weight="npy/w.npy" "x")
d = conv2d(x, weight="npy/w.npy", stride="2")
output x
