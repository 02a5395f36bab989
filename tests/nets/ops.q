# Every op and option the samples do not reach, end to end against
# tools/qref.py: a quantized (u8) input, grouped/strided/asymmetrically
# padded conv, dilated conv with asymmetric int8 weights (weight zero
# points) and an i8 output, pooling with padding both ways, concat with and
# without requantization, requantize i8 -> u8, flatten and reshape that move
# bytes (NHWC <-> NCHW order), linear, matmul of two activations, add, a
# standalone relu6, clamp, and several outputs of different dtypes.
model ops
input img : u8[1,6,9,11] (scale=0.05, zp=100)
g = conv2d(img, weight="w/g_conv.w.npy", bias="w/g_conv.b.npy",
           stride=[2,1], pad=[0,1,2,1], groups=2) : u8(scale=0.08, zp=120)
d = conv2d(g, weight=i8("w/dil_conv.w.npy", scale="w/dil_conv.s.npy", zp="w/dil_conv.zp.npy", axis=0),
           bias="w/dil_conv.b.npy", dilation=2, pad=2) : i8(scale=0.1, zp=-5)
m = maxpool2d(d, kernel=3, stride=2, pad=1)
m6 = relu6(m)
a1 = avgpool2d(g, kernel=3, stride=2, pad=1) : u8(scale=0.07, zp=110)
a2 = avgpool2d(g, kernel=3, stride=2, pad=1, count_include_pad=false) : u8(scale=0.08, zp=120)
cat = concat(a1, a2, axis=1) : u8(scale=0.07, zp=110)
rq = requantize(m6) : u8(scale=0.05, zp=128)
cat2 = concat(cat, rq) : u8(scale=0.06, zp=100)
gp = global_avgpool(cat2) : u8(scale=0.03, zp=90)
f = flatten(rq)
fc1 = linear(f, weight="w/fc.w.npy", bias="w/fc.b.npy")
fr = relu(fc1) : u8(scale=0.1, zp=0)
r4 = reshape(f, shape=[1, 3, 5, -1])
ad = add(r4, r4) : u8(scale=0.09, zp=60)
ar = relu(ad)
ra = reshape(gp, shape=[3, 7])
rb = reshape(fr, shape=[7, 1])
mm = matmul(ra, rb) : u8(scale=0.2, zp=7)
fc2 = linear(fr, weight="w/fc2.w.npy")
cl = clamp(fc2, min=-0.5, max=0.5) : i8(scale=0.01, zp=3)
out2 = dequantize(cl)
output mm, out2, m6, ar
