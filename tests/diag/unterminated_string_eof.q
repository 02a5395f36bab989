model unterminated_eof
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
c = conv2d(x, weight="npy/w.npy