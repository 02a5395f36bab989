# bytes that are not UTF-8: a Latin-1 e-acute in a comment is fine (café),
# anywhere else each malformed sequence is a stray byte
model non_utf8
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = relu(x)é
b = relu(x) À€
c = relu(x) €
d = relu(x) í €
e = relu(x) â€
output a
