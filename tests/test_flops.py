"""Training compute counted from the layers."""

import keras
from keras import layers

from cifake_utils.models import flops
from cifake_utils.models.architectures import BEYOND, build_model


def test_convolutions_and_dense_layers_count_two_operations_per_multiply_add():
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same")(inputs)  # 8x8 outputs x 4 filters x 3x3x3 taps
    x = layers.MaxPooling2D()(x)  # 4x4x4 = 64
    x = layers.DepthwiseConv2D(3, padding="valid")(x)  # 2x2 outputs x 4 channels x 3x3 taps
    x = layers.Flatten()(x)  # 16
    outputs = layers.Dense(2)(x)
    model = keras.Model(inputs, outputs)
    expected = 2 * (8 * 8 * 4 * 27) + 2 * (2 * 2 * 4 * 9) + 2 * (16 * 2)
    assert flops.forward_flops(model) == expected
    assert flops.training_flops(model, 10) == 3 * expected * 10


def test_nested_models_are_counted_and_the_beyond_net_matches_the_issue_scale():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    outer = keras.Sequential([keras.Input((4,)), inner, layers.Dense(1)])
    assert flops.forward_flops(outer) == 2 * 4 * 3 + 2 * 3 * 1
    vgg = build_model(BEYOND["vgg_bn"])  # 4 epochs of 90,000 images: about 0.02 PFLOP
    assert 0.015e15 < flops.training_flops(vgg, 4 * 90_000) < 0.025e15
