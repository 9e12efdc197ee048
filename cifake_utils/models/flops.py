"""Training compute counted from the layers, in floating-point operations: a cost that does not
depend on which CPU a run happened to train on.

Two operations per multiply-add of every convolution and dense layer (biases, batch norm,
activations and pooling are left out: they are a few percent of a convolution's work); a
training step as three forward passes (the forward pass, and the backward pass's gradients with
respect to activations and to weights); times the images seen.
"""

import keras
from keras import layers

TRAINING_PASSES = 3  # forward, backward to activations, backward to weights


def _spatial(shape: tuple) -> int:
    """Output positions of a (batch, h, w, c) shape."""
    return int(shape[1]) * int(shape[2])


def layer_flops(layer: keras.layers.Layer) -> int:
    """Operations of one image through `layer` (0 for layers without multiply-adds)."""
    if isinstance(layer, layers.DepthwiseConv2D):
        height, width = layer.kernel_size
        channels = int(layer.input.shape[-1]) * layer.depth_multiplier
        return 2 * height * width * channels * _spatial(layer.output.shape)
    if isinstance(layer, layers.Conv2D):
        height, width = layer.kernel_size
        inputs = int(layer.input.shape[-1]) // layer.groups
        return 2 * height * width * inputs * layer.filters * _spatial(layer.output.shape)
    if isinstance(layer, layers.Dense):
        return 2 * int(layer.input.shape[-1]) * layer.units
    if hasattr(layer, "layers"):  # a nested model
        return sum(layer_flops(inner) for inner in layer.layers)
    return 0


def forward_flops(model: keras.Model) -> int:
    """Operations of one image's forward pass through `model`."""
    return sum(layer_flops(layer) for layer in model.layers)


def training_flops(model: keras.Model, images_seen: int) -> int:
    """Operations to train `model` on `images_seen` images (epochs x training images)."""
    return TRAINING_PASSES * forward_flops(model) * images_seen
