"""The beyond-the-paper detector (VGG-BN): its architecture, Grad-CAM placement and a seeded
smoke training run on real CIFAKE images."""

from dataclasses import replace

import keras
import numpy as np
import pytest

from cifake_utils.explain import cam, geometry
from cifake_utils.models import training
from cifake_utils.models.architectures import ARCHITECTURES, BEYOND, build_model

VGG = BEYOND["vgg_bn"]


def test_vgg_bn_is_a_sequential_batchnorm_net_with_one_sigmoid_output():
    model = build_model(VGG)
    assert model.output_shape == (None, 1)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 2 * len(VGG.stage_widths)
    assert kinds.count("BatchNormalization") == 2 * len(VGG.stage_widths)
    assert "Add" not in kinds and "Flatten" not in kinds and "Dense" in kinds[-1:]
    widths = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert widths == [w for w in VGG.stage_widths for _ in (0, 1)]
    # 3x3 kernels without bias, 4 BatchNorm numbers per channel, one sigmoid unit on GAP
    expected, previous = 0, 3
    for width in VGG.stage_widths:
        expected += 9 * previous * width + 9 * width * width + 2 * 4 * width
        previous = width
    assert model.count_params() == expected + previous + 1


def test_the_paper_models_are_unchanged_by_the_new_family():
    model = build_model(ARCHITECTURES["cnn2d"])
    assert [layer.name for layer in model.layers][1:5] == ["conv1", "pool1", "conv2", "pool2"]
    assert model.count_params() == 84_001


def test_grad_cam_looks_at_the_last_feature_map_and_places_it():
    assert cam.target_layer(build_model(ARCHITECTURES["modified_cnn2d"])) == "conv2"
    model = build_model(VGG)
    layer = cam.target_layer(model)
    assert layer == f"s{len(VGG.stage_widths)}_relu2"
    grid = geometry.receptive_field_grid(model, layer)
    # "same" convolutions keep the centres; each 2x2 pool halves the cells before the target
    assert (grid.cells, grid.step, grid.start) == (8, 4.0, 1.5)


@pytest.fixture(scope="module")
def small_arrays(cifake):
    """512 training and 256 validation real images, both labels."""
    train = cifake.train.subset(np.arange(0, 100_000, 195)[:512])
    validation = cifake.train.subset(np.arange(97, 100_000, 390)[:256])
    return (train.images, train.labels), (validation.images, validation.labels)


def test_seeded_smoke_training_repeats_and_explains(small_arrays, tmp_path):
    recipe = training.TrainConfig(
        epochs=1, batch_size=64, optimizer="adamw", weight_decay=5e-4, patience=None, seed=1
    )
    small = replace(VGG, stage_widths=(8, 16, 16))
    runs = [
        training.train_model(small, recipe, *small_arrays, tmp_path / name, "checksum")
        for name in ("a", "b")
    ]
    for a, b in zip(runs[0].model.get_weights(), runs[1].model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    images = small_arrays[1][0][:4]
    maps = cam.class_activation_maps(runs[0].model, images)
    assert maps.shape == (4, 32, 32) and np.all(maps >= 0)
    reloaded = training.load_run(training.save_run(runs[0], tmp_path / "saved"))
    assert reloaded.model_config == small
    np.testing.assert_allclose(
        reloaded.model.predict(images, verbose=0), runs[0].model.predict(images, verbose=0)
    )
