# qcc-flags: --dump-after=requant
# Batchnorm folded into int8 weights, with a negative gamma (by hand):
#   var + eps = 3 + 1 = 4 -> rsqrt = 0.5;  A = gamma * rsqrt = [-1, 2]
#   s_w' = s_w * A = [0.5 * -1, 0.25 * 2] = [-0.5, 0.5]   (the int8 weights stay)
#   b' = ((0 - mean) * rsqrt) * gamma + beta = [((0-1)*0.5)*-2 + 0.5, 0 + 0] = [1.5, 0]
#   s_x s_w' = 0.5 * [-0.5, 0.5] = [-0.25, 0.25];  rne(b'/(s_x s_w')) = [-6, 0]
#   B = [-6 - 0*(1+1), 0 - 0*(1-1)] = [-6, 0] (zp_x = 0)
#   M = [-0.25, 0.25] / 0.125 = [-2, 2] -> mult -2^30 / 2^30, shift 29
model bn_negative_gamma
input x : u8[1,2] (scale=0.5, zp=0)
l = linear(x, weight=i8([[1, 1], [1, -1]], scale=[0.5, 0.25], axis=0))
b = batchnorm(l, gamma=[-2, 4], beta=[0.5, 0], mean=[1, 0], var=[3, 3], eps=1) : u8(scale=0.125, zp=128)
output b
