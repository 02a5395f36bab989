# Depthwise 3x3 and 5x5 at stride 1 and 2 on 13 channels (no multiple of
# any vector width), a float input quantized from a range, relu6, a
# batchnorm folded into a depthwise conv, an i8 symmetric activation, and a
# standalone batchnorm after a conv that has its own qparams.
model depthwise
input x : f32[1,13,10,9]
q = quantize(x) : u8(range=[-2.0, 3.0])
a = conv2d(q, weight="w/dw3.w.npy", bias="w/dw3.b.npy", pad=1, groups=13)
ar = relu6(a) : u8(scale=0.03, zp=0)
b = conv2d(ar, weight="w/dw3s2.w.npy", bias="w/dw3s2.b.npy", stride=2, pad=1, groups=13) : u8(scale=0.05, zp=10)
c = conv2d(b, weight="w/dw5.w.npy", bias="w/dw5.b.npy", pad=2, groups=13)
cb = batchnorm(c, gamma="w/dwbn.g.npy", beta="w/dwbn.b.npy", mean="w/dwbn.m.npy", var="w/dwbn.v.npy")
cr = relu(cb) : u8(scale=0.04, zp=0)
d = conv2d(cr, weight="w/dw5s2.w.npy", bias="w/dw5s2.b.npy", stride=2, pad=2, groups=13) : i8(range=[-1.0, 1.0], symmetric)
p = conv2d(d, weight="w/pw.w.npy") : u8(scale=0.05, zp=128)
bn2 = batchnorm(p, gamma="w/dwbn.g.npy", beta="w/dwbn.b.npy", mean="w/dwbn.m.npy", var="w/dwbn.v.npy") : u8(scale=0.05, zp=128)
y = dequantize(bn2)
output y
