# Inputs declared after other ops, and a dequantized output defined early:
# the quantize of every input runs before forward(), and every dequantize
# after it, whatever the source order, so their buffers must stay live
# across the whole run.
model late_input
input a : f32[1,6,6,6]
qa = quantize(a) : u8(scale=0.02, zp=128)
ya = dequantize(qa)
c1 = conv2d(qa, weight="w/g_conv.w.npy", groups=2, pad=1) : u8(scale=0.05, zp=100)
c2 = maxpool2d(c1, kernel=3, stride=1, pad=1)
input b : u8[1,8,6,6] (scale=0.03, zp=7)
s = add(c2, b) : u8(scale=0.06, zp=50)
input c : f32[1,8,6,6]
qc = quantize(c) : u8(scale=0.04, zp=120)
t = add(s, qc) : u8(scale=0.08, zp=60)
y = dequantize(t)
output ya, y
