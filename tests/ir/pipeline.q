# qcc-flags: --dump-after=all
# Every pass on a small graph: batchnorm and relu fusion into a conv with
# float weights, a quantize(dequantize()) pair with other qparams becoming a
# requantize, the same pair with equal qparams vanishing, an unused branch
# removed, and the arena plan.
model pipeline
input image : f32[1,2,3,3]
x = quantize(image) : u8(scale=0.02, zp=128)
c = conv2d(x, weight=[[[[0.5]], [[-0.25]]], [[[0.125]], [[1.0]]]], bias=[0.1, -0.2])
bn = batchnorm(c, gamma=[1.0, 2.0], beta=[0.0, 0.5], mean=[0.0, 0.25], var=[1.0, 4.0], eps=0)
r = relu(bn) : u8(scale=0.01, zp=0)
dq = dequantize(r)
rq = quantize(dq) : u8(scale=0.02, zp=0)
dq2 = dequantize(rq)
same = quantize(dq2) : u8(scale=0.02, zp=0)
unused = maxpool2d(same, kernel=2, stride=1)
p = avgpool2d(same, kernel=2, stride=1, pad=1, count_include_pad=false) : u8(scale=0.02, zp=0)
y = dequantize(p)
output y
