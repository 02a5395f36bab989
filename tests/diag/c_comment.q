# '#' is the only comment: /* */ and // are not comments
model c_comment
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x) // why
b = relu(x) /* why */
output a
