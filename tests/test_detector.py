"""One image in, verdict out: the function the command, the web app and notebook 06 share."""

import numpy as np
import pytest

from cifake_utils.detector.predict import predict_image
from cifake_utils.images import ImageReadError

# The decision rule itself (0.5, fixed before any result) is tested in test_decision.py.


def test_predict_image_gives_scope_verdict_calibrated_probability_and_overlay(
    tiny_detector, cifake, tmp_path
):
    path = tmp_path / "test.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError):
        predict_image(tiny_detector, path)
    image = cifake.test.images[15_000]
    from_array = predict_image(tiny_detector, image)
    # The model's own sigmoid output, on pixels scaled to [0, 1] as in training.
    raw = float(tiny_detector.model(image[None].astype(np.float32) / 255.0)[0, 0])
    assert from_array.raw_fake_probability == pytest.approx(raw, rel=1e-5)
    temperature = tiny_detector.info.temperature
    assert temperature != 1.0
    # Dividing the logit ln(p / (1 - p)) by T gives p^(1/T) / (p^(1/T) + (1 - p)^(1/T)).
    fake, real = raw ** (1 / temperature), (1 - raw) ** (1 / temperature)
    expected = fake / (fake + real)
    assert from_array.fake_probability == pytest.approx(expected, rel=1e-5)
    assert from_array.label == ("FAKE" if from_array.fake_probability >= 0.5 else "REAL")
    assert from_array.scope.original_size == (32, 32)
    assert from_array.scope.score is not None and from_array.scope.threshold > 0
    assert from_array.heatmap.shape == (32, 32) and from_array.heatmap.max() <= 1.0
    assert from_array.overlay.shape == (128, 128, 3)
    np.testing.assert_array_equal(from_array.pixels, image)
