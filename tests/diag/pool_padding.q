# a dilated max-pooling window that lies entirely in the padding: no input
# element to take the maximum of (qref refuses it too)
model pool_padding
input x : u8[1,2,3,3] (scale=0.1, zp=0)
m = maxpool2d(x, kernel=2, dilation=4, pad=1)
output m
