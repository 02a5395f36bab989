model inputs
input a : u8[1, 3, 8, 8]
input b : f32[1, 3, 8, 8](scale=0.1, zp=0)
input c : u8[1, 0, 8, 8](scale=0.1, zp=0)
input d : f32[1, 3, 2147483648]
input e : f32[65536, 65536, 65536, 65536]
input f : i32[4]
input g : f32[1, 2, 3, 4, 5]
output a
