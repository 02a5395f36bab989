# 'input NAME : DTYPE[dims] [(QPARAMS)]'
model syn_input
input
input x
input x :
input x : u8
input x : u8 (scale=0.1, zp=0)
input x : u8[1, 2] scale=0.1
input x : u8[1, 2](scale=0.1, zp=0) extra
input 3 : u8[1]
input x = u8[1]
