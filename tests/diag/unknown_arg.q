model unknown_arg
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
c = conv2d(x, weight="npy/w.npy", strides=2)
p = maxpool2d(x, kernel=2, kernel=3)
r = relu(x, inplace=true)
q = maxpool2d(x, 2)
s = sigmoid(x)
t = conv2d(x, weight="npy/w.npy", pad="same")
u = avgpool2d(x, kernel=2, count_include_pad=1)
output c
