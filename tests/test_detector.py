"""One image in, verdict out: the function the command, the web app and notebook 06 share."""

import numpy as np
import pytest

from cifake_utils.decision import THRESHOLD, predict_labels, verdict
from cifake_utils.detector.predict import predict_image
from cifake_utils.images import ImageReadError
from cifake_utils.models.calibration import apply_temperature
from cifake_utils.models.inference import predict_fake_probability


def test_one_threshold_decides_labels_and_verdicts():
    probabilities = np.array([0.0, THRESHOLD - 1e-9, THRESHOLD, 1.0])
    np.testing.assert_array_equal(predict_labels(probabilities), [0, 0, 1, 1])
    assert [verdict(p) for p in probabilities] == ["REAL", "REAL", "FAKE", "FAKE"]


def test_predict_image_gives_scope_verdict_calibrated_probability_and_overlay(
    tiny_detector, cifake, tmp_path
):
    path = tmp_path / "test.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError):
        predict_image(tiny_detector, path)
    image = cifake.test.images[15_000]
    from_array = predict_image(tiny_detector, image)
    assert from_array.label in {"REAL", "FAKE"}
    assert 0.0 <= from_array.fake_probability <= 1.0
    assert from_array.label == verdict(from_array.fake_probability)
    raw = predict_fake_probability(tiny_detector.model, image[None])[0]
    assert from_array.raw_fake_probability == pytest.approx(raw)
    temperature = tiny_detector.info.temperature
    assert temperature != 1.0
    expected = apply_temperature(np.array([raw]), temperature)[0]
    assert from_array.fake_probability == pytest.approx(expected)
    assert from_array.scope.original_size == (32, 32)
    assert from_array.scope.score is not None and from_array.scope.threshold > 0
    assert from_array.heatmap.shape == (32, 32) and from_array.heatmap.max() <= 1.0
    assert from_array.overlay.shape == (128, 128, 3)
    np.testing.assert_array_equal(from_array.pixels, image)
