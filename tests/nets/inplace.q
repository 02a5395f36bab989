# Pooling and depthwise in place (pass_plan, ir_windowed_inplace_ok): the
# portable kernels run in raster order, so an output may start at its
# input's offset when no output pixel lands on an input pixel read later.
# Strided windows can; stride 1 with padding reads the row above and
# cannot, and neither can d5, whose 2x2 outputs all read input pixel 0.
# The e_ branch: an in-place avgpool followed by an elementwise chain run
# in place on its buffer, next to a tensor (e_mp) still read afterwards.
# ctest deploy_inplace checks which layers run in place (and recomputes the
# raster condition); e2e and simd compare every value with tools/qref.py.
model inplace
input x : u8[1,13,24,22] (scale=0.05, zp=3)
mp = maxpool2d(x, kernel=3, stride=2, pad=1)
d2 = conv2d(mp, weight="w/dw3s2.w.npy", bias="w/dw3s2.b.npy", stride=2, pad=1, groups=13) : u8(scale=0.05, zp=10)
ms1 = maxpool2d(d2, kernel=3, stride=1, pad=1)
ds1 = conv2d(ms1, weight="w/dw3.w.npy", bias="w/dw3.b.npy", pad=1, groups=13) : u8(scale=0.04, zp=5)
ap = avgpool2d(ds1, kernel=2, stride=2) : u8(scale=0.03, zp=7)
d5 = conv2d(ap, weight="w/dw5s2.w.npy", bias="w/dw5s2.b.npy", stride=2, pad=2, groups=13) : u8(scale=0.06, zp=2)
gp = global_avgpool(d5) : u8(scale=0.02, zp=4)
e_mp = maxpool2d(d2, kernel=2, stride=2)
e_ap = avgpool2d(d2, kernel=2, stride=2) : u8(scale=0.04, zp=9)
e_r = relu6(e_ap)
e_s = add(e_mp, e_r) : u8(scale=0.07, zp=20)
e_c = concat(e_s, e_mp) : u8(scale=0.07, zp=20)
y = dequantize(gp)
z = dequantize(e_c)
output y, z
