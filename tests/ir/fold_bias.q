# qcc-flags: --dump-after=requant
# Checked by hand (the golden must say exactly this):
#   s_x * s_w = 0.5 * [0.25, 0.125] = [0.125, 0.0625]
#   rne(b / (s_x s_w)) = rne([0.5/0.125, -0.25/0.0625]) = [4, -4]
#   sum(w) = [1+2+3, -1+0-128] = [6, -129];  zp_x = 10
#   B = [4 - 10*6, -4 + 10*129] = [-56, 1286]
#   M = [0.125, 0.0625] / 0.25 = [0.5, 0.25] -> mult 2^30 = 1073741824, shift [31, 32]
model fold_bias
input x : u8[1,3] (scale=0.5, zp=10)
y = linear(x, weight=i8([[1, 2, 3], [-1, 0, -128]], scale=[0.25, 0.125], axis=0),
           bias=[0.5, -0.25]) : u8(scale=0.25, zp=3)
output y
