model undefined
input image : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(imgae)
b = relu(a)
c = add(image, bogus)
output b, c, nothing
