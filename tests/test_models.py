import pytest
from keras import layers

from cifake_utils.models.architectures import (
    ARCHITECTURES,
    build_cnn2d,
    build_model,
    build_modified_cnn2d,
)


def layer_types(model) -> list[type]:
    return [type(layer) for layer in model.layers]


def test_cnn2d_has_the_papers_layers_in_order_and_parameter_count():
    model = build_cnn2d()
    assert layer_types(model) == [
        layers.InputLayer,
        layers.Conv2D,
        layers.MaxPooling2D,
        layers.Conv2D,
        layers.MaxPooling2D,
        layers.Flatten,
        layers.Dense,
        layers.Dense,
    ]
    conv1, conv2 = model.get_layer("conv1"), model.get_layer("conv2")
    assert (conv1.filters, conv1.kernel_size, conv2.filters) == (32, (3, 3), 32)
    # conv 3*3*3*32+32, conv 3*3*32*32+32, dense 6*6*32*64+64, output 64+1
    assert model.count_params() == 896 + 9_248 + 73_792 + 65
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 1)
    assert model.get_layer("fake_probability").activation.__name__ == "sigmoid"


def test_modified_cnn2d_pools_globally_and_drops_out_before_the_head():
    model = build_modified_cnn2d()
    assert layer_types(model)[5:] == [
        layers.GlobalAveragePooling2D,
        layers.Dropout,
        layers.Dense,
        layers.Dense,
    ]
    assert model.get_layer("dropout").rate == 0.5
    assert model.count_params() == 896 + 9_248 + (32 * 64 + 64) + 65


@pytest.mark.parametrize(
    ("name", "gap", "dropout", "parameters"),
    [
        ("cnn2d", False, False, 84_001),
        ("cnn2d_gap", True, False, 12_321),
        ("cnn2d_dropout", False, True, 84_001),
        ("modified_cnn2d", True, True, 12_321),
    ],
)
def test_ablation_covers_each_change_alone_and_both(name, gap, dropout, parameters):
    model = build_model(ARCHITECTURES[name])
    types = layer_types(model)
    assert (layers.GlobalAveragePooling2D in types) == gap
    assert (layers.Flatten in types) == (not gap)
    assert (layers.Dropout in types) == dropout
    assert model.count_params() == parameters
    assert model.name == name
