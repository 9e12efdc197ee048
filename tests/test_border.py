"""The per-image border cue: gaps, the fitted threshold and its test on real images."""

import numpy as np

from cifake_utils.data import border


def framed(inside: float, ring: float) -> np.ndarray:
    image = np.full((32, 32, 3), inside, dtype=np.uint8)
    image[:4], image[-4:], image[:, :4], image[:, -4:] = ring, ring, ring, ring
    return image


def test_gap_is_border_minus_centre_per_image():
    images = np.stack([framed(200, 50), framed(10, 30)])
    np.testing.assert_allclose(border.border_minus_centre(images, ring=4), [-150.0, 20.0])


def test_threshold_takes_the_side_that_separates():
    gaps = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    assert border.fit_threshold(gaps, np.array([1, 1, 1, 0, 0, 0])) == (0.0, -1)
    assert border.fit_threshold(gaps, np.array([0, 0, 0, 1, 1, 1])) == (0.0, 1)


def test_border_cue_on_cifake_is_scored_on_the_test_split(cifake):
    cue = border.border_cue(cifake.train, cifake.test, ring=4)
    assert cue["test_images"] == 20_000
    assert cue["accuracy_low"] < cue["accuracy"] < cue["accuracy_high"]
    # Mean gaps of opposite signs, as in the mean images of notebook 01.
    assert cue["per_class"]["REAL"]["mean_gap"] > 0 > cue["per_class"]["FAKE"]["mean_gap"]
    assert 0.5 < cue["accuracy"] < 0.7 and cue["p_value"] < 1e-10
