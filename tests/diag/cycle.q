# The language cannot express a cycle: a name must be defined before it
# is used, so the closing edge of any cycle is a use before definition.
model cycle
input x : u8[1, 4, 8, 8](scale=0.05, zp=128)
a = add(x, b) : u8(scale=0.1, zp=0)
b = relu(a)
c = relu(c)
output b, c
