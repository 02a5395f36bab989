# qcc-flags: -O0 --dump-ir
# -O0: the relu stays a separate clamp and the conv takes its qparams with
# the full range; the batchnorm is still folded (it has no kernel of its own).
model no_fusion
input x : u8[1,1,2,2] (scale=0.1, zp=5)
c = conv2d(x, weight=[[[[1.0]]]])
b = batchnorm(c, gamma=[1.0], beta=[0.0], mean=[0.0], var=[1.0], eps=0)
r = relu(b) : u8(scale=0.1, zp=5)
output r
