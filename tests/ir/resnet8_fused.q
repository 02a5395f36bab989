# golden-of: ../../samples/resnet8/resnet8.q
# The fused IR of the ResNet-8 sample: conv+bn+relu fused, int32 biases
# folded, per-channel multiplier/shift beside their real values.
