"""The corruption grid and the shortcut controls, on real CIFAKE test images."""

import numpy as np
import pytest

from cifake_utils.robustness import corruptions, grid, shortcuts


@pytest.fixture(scope="module")
def images(cifake):
    return cifake.test.images[np.arange(0, 20_000, 500)]  # 20 REAL, 20 FAKE


@pytest.mark.parametrize("name", list(corruptions.GRID) + list(corruptions.FILTERS))
def test_each_transformation_is_seeded_and_keeps_shape_and_dtype(images, name):
    transform = (corruptions.GRID | corruptions.FILTERS)[name]
    first = transform(images, 3)
    assert first.shape == images.shape and first.dtype == np.uint8
    np.testing.assert_array_equal(first, transform(images, 3))


def test_the_lossless_control_changes_no_pixel(images):
    np.testing.assert_array_equal(corruptions.GRID["PNG (control)"](images, 0), images)


def test_the_other_transformations_change_pixels(images):
    for name, transform in corruptions.GRID.items():
        if name != "PNG (control)":
            assert not np.array_equal(transform(images, 0), images), name


def test_noise_depends_on_the_seed_and_greyscale_is_grey(images):
    noisy = corruptions.gaussian_noise
    assert not np.array_equal(noisy(images, 0, 4.0), noisy(images, 1, 4.0))
    grey = corruptions.greyscale(images)
    np.testing.assert_array_equal(grey[..., 0], grey[..., 1])
    shifted = corruptions.shift(images, pixels=1)
    np.testing.assert_array_equal(shifted[:, 1:, 1:], images[:, :-1, :-1])


def test_stronger_jpeg_moves_pixels_further(images):
    def error(quality):
        return np.abs(corruptions.jpeg(images, quality=quality).astype(int) - images).mean()

    assert error(30) > error(50) > error(90) > error(95) > 0
    # CIFAKE's own files re-encode almost unchanged at quality 75: they were saved at it.
    assert error(75) < error(95)


def test_low_and_high_pass_split_the_image(images):
    low = corruptions.low_pass(images).astype(int)
    high = corruptions.high_pass(images).astype(int) - 128
    assert np.abs(low + high - images.astype(int)).mean() < 1.5  # up to rounding and clipping
    assert shortcuts.high_frequency_energy(corruptions.low_pass(images)).mean() < (
        shortcuts.high_frequency_energy(images).mean()
    )


def test_best_threshold_separates_shifted_scores():
    labels = np.array([0, 0, 0, 1, 1, 1])
    probability = np.array([0.60, 0.62, 0.65, 0.70, 0.80, 0.90])  # all above 0.5
    threshold = grid.best_threshold(labels, probability)
    assert 0.65 < threshold < 0.70


def test_corrupted_metrics_on_a_real_model(tiny_trained_model, cifake, images):
    labels = cifake.test.labels[np.arange(0, 20_000, 500)]
    result = grid.corrupted_metrics(
        tiny_trained_model, (images, labels), (images, labels), corruptions.GRID["blur σ 1"]
    )
    assert 0 <= result["accuracy"] <= 1 and 0 <= result["roc_auc"] <= 1
    assert result["accuracy_retuned"] >= result["accuracy"] - 1e-9  # tuned on the same images
    control = grid.corrupted_metrics(
        tiny_trained_model, (images, labels), (images, labels), corruptions.GRID["PNG (control)"]
    )
    plain = grid.corrupted_metrics(
        tiny_trained_model, (images, labels), (images, labels), lambda x, s: x
    )
    assert control["accuracy"] == plain["accuracy"] and control["roc_auc"] == plain["roc_auc"]


def test_trivial_classifiers_on_simple_statistics(cifake):
    train = cifake.train.subset(np.arange(0, 100_000, 100))
    test = cifake.test.subset(np.arange(0, 20_000, 50))
    features = shortcuts.feature_sets(train.images, train.file_sizes)
    assert features["colour histogram"].shape == (1_000, 48)
    np.testing.assert_allclose(features["colour histogram"].reshape(1_000, 3, 16).sum(axis=2), 1.0)
    table = shortcuts.trivial_classifiers(
        features, train.labels, shortcuts.feature_sets(test.images, test.file_sizes), test.labels
    )
    assert list(table.index) == [
        "JPEG file size",
        "high-frequency energy",
        "colour histogram",
        "all three together",
    ]
    assert table["accuracy"].between(0, 1).all() and table["roc_auc"].between(0, 1).all()
