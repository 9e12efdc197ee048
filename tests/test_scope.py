"""The scope rule and the temperature: what every answer of the detector leads with."""

import io
from dataclasses import replace

import keras
import numpy as np
import pytest
import skimage
from keras import layers
from PIL import Image

from cifake_utils.detector import reference, scope
from cifake_utils.detector.predict import predict_image
from cifake_utils.evaluation.metrics import expected_calibration_error
from cifake_utils.models.calibration import apply_temperature, fit_temperature

ASTRONAUT = skimage.data.__path__[0] + "/astronaut.png"  # 512x512, shipped with scikit-image


@pytest.mark.parametrize("true_temperature", [0.5, 2.0])
def test_temperature_is_fitted_on_both_sides_of_one(true_temperature):
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, 20_000)
    labels = rng.random(20_000) < 1 / (1 + np.exp(-z / true_temperature))
    raw = 1 / (1 + np.exp(-z))
    fitted = fit_temperature(raw, labels)
    assert fitted == pytest.approx(true_temperature, rel=0.1)
    calibrated = apply_temperature(raw, fitted)
    assert expected_calibration_error(labels, calibrated) < expected_calibration_error(labels, raw)
    np.testing.assert_array_equal(calibrated >= 0.5, raw >= 0.5)  # verdicts never change


def test_the_scope_keeps_95_percent_of_validation_images():
    # 95%: the usual operating point of a feature-distance detector (Lee et al., 2018, report
    # detection at 95% of in-distribution images kept); notebook 06 and the web page quote it.
    assert scope.KEEP_IN_SCOPE == 0.95


def decoded(real_jpegs, *groups: str) -> np.ndarray:
    return np.stack(
        [np.asarray(Image.open(io.BytesIO(data))) for g in groups for _, data in real_jpegs[g]]
    )


def test_fit_scope_keeps_11_of_12_validation_images_at_its_threshold(real_jpegs):
    # A real Keras model whose features (the input of its output layer) are the mean colour.
    inputs = keras.Input((32, 32, 3))
    colour = layers.GlobalAveragePooling2D(name="colour")(inputs)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(colour))
    train_images = decoded(real_jpegs, "train/REAL", "train/FAKE")
    labels = np.repeat(np.array([0, 1], np.uint8), 6)
    validation = decoded(real_jpegs, "test/REAL", "test/FAKE")
    fitted = scope.fit_scope(model, (train_images, labels), validation)
    assert fitted["keep"] == 0.95 and fitted["layer"] == "colour"
    assert fitted["train_images"] == 12 and fitted["validation_images"] == 12
    real_mean = train_images[:6].mean(axis=(0, 1, 2)) / 255  # float32 in the model
    np.testing.assert_allclose(fitted["means"][0], real_mean, rtol=1e-5)
    distances = scope.mahalanobis(validation.mean(axis=(1, 2)) / 255, fitted)
    assert fitted["log_median"] == pytest.approx(np.median(np.log(distances)), rel=1e-4)
    scores = np.sort(scope.atypicality(distances, fitted))
    # numpy's 0.95 quantile of 12 values sits at 0.95 * 11 = 10.45: between the 11th and 12th
    # smallest, so 11 of the 12 validation images (91.7%) are kept.
    expected = scores[10] + 0.45 * (scores[11] - scores[10])
    assert fitted["threshold"] == pytest.approx(expected, rel=1e-4)
    assert np.sum(scores <= fitted["threshold"]) == 11


def test_the_gaussian_has_class_means_and_a_tied_covariance():
    # Each class is the four corners (0 or 2, 0 or 4) around its mean, (1, 2) and (11, 2):
    # centred, every row is (+-1, +-2), so the shared covariance is diag(1, 4).
    corners = np.array([[0, 0], [2, 0], [0, 4], [2, 4]], dtype=float)
    features = np.vstack([corners, corners + [10, 0]])
    gaussian = scope.fit_gaussian(features, np.repeat([0, 1], 4))
    np.testing.assert_allclose(gaussian["means"], [[1, 2], [11, 2]])
    # A ridge of 1e-6 times the mean variance (2.5) keeps a dead unit invertible.
    np.testing.assert_allclose(gaussian["precision"], np.diag([1 / 1.0000025, 1 / 4.0000025]))
    # (1, 6) is (0, 4) from class 0: 4^2 / 4 = 4; from class 1 (-10, 4): 100 + 4; the nearer.
    # (6, 2) is (+-5, 0) from both: 25.
    distances = scope.mahalanobis(np.array([[1.0, 6.0], [6.0, 2.0]]), gaussian)
    np.testing.assert_allclose(distances, [4.0, 25.0], rtol=1e-5)


def test_only_a_32x32_image_passes_the_size_rule():
    assert scope.size_reason((32, 32), {}) is None
    measured = {
        "shrunk": {"cnn2d": (0.946, 0.912), "vgg_bn": (0.955, 0.931)},
        "enlarged": {"cnn2d": (0.946, 0.581)},
    }
    shrunk = scope.size_reason((4032, 3024), measured)
    assert shrunk.startswith(
        "the image is 4032x3024 and had to be cropped to its centre square and shrunk to 32x32"
    )
    assert "enlarged CIFAKE test images 8x (bicubic) and shrank them back" in shrunk
    assert "accuracy went from 94.6–95.5% to 91.2–93.1% (chance is 50%)" in shrunk
    enlarged = scope.size_reason((16, 16), measured)
    assert enlarged.startswith("the image is 16x16 and had to be enlarged to 32x32")
    assert (
        "2x down-and-up resampling to take the detectors' accuracy on CIFAKE from 94.6% to 58.1%"
        in (enlarged)
    )
    assert "8x" not in enlarged
    # Without a measurement of its kind the reason is the size alone.
    assert scope.size_reason((64, 64), {"enlarged": measured["enlarged"]}) == (
        "the image is 64x64 and had to be shrunk to 32x32"
    )
    # The centre square decides: 32 pixels on its short side is a crop without resampling,
    # 33 is shrunk and 31 enlarged, and a non-square image is cropped first.
    assert scope.size_reason((32, 64), measured) == (
        "the image is 32x64: only its centre 32x32 square was kept"
    )
    assert scope.size_reason((33, 33), {}) == "the image is 33x33 and had to be shrunk to 32x32"
    assert scope.size_reason((31, 31), {}) == ("the image is 31x31 and had to be enlarged to 32x32")
    assert scope.size_reason((64, 48), {}) == (
        "the image is 64x48 and had to be cropped to its centre square and shrunk to 32x32"
    )
    assert scope.size_reason((48, 20), {}) == (
        "the image is 48x20 and had to be cropped to its centre square and enlarged to 32x32"
    )


def test_assess_leads_with_each_reason_it_finds():
    inside = scope.assess((32, 32), 1.0, 2.0, {})
    assert inside.in_scope and inside.summary == "in scope"
    far = scope.assess((32, 32), 3.0, 2.0, {})
    assert not far.in_scope and far.reasons == (
        "its features are less typical of CIFAKE's training images than those of 95% of "
        "CIFAKE's validation images (atypicality 3.00 > 2.00)",
    )
    assert scope.assess((32, 32), 2.0, 2.0, {}).in_scope  # at the threshold: kept
    both = scope.assess((64, 64), 3.0, 2.0, {})
    assert len(both.reasons) == 2 and both.summary.startswith("out of scope: the image is 64x64")
    no_reference = scope.assess((32, 32), None, None, {})
    assert no_reference.in_scope
    # In brief, for a figure: each reason in a few words, in the same order.
    assert both.brief == "resized from 64x64; atypical features (3.00 > 2.00)"
    assert far.brief == "atypical features (3.00 > 2.00)" and inside.brief == ""


def test_threshold_keeps_the_chosen_share_of_validation_images(tiny_trained_run, cifake):
    reference = tiny_trained_run.calibration["scope"]
    validation = cifake.train.subset(np.arange(25, 100_000, 250))
    extractor = scope.feature_model(tiny_trained_run.model)
    distances = scope.mahalanobis(scope.features(extractor, validation.images), reference)
    scores = scope.atypicality(distances, reference)
    kept = np.mean(scores <= reference["threshold"])
    # 95% of the 400 validation images: 380, the threshold fitted on these very images.
    assert reference["keep"] == 0.95 and np.sum(scores <= reference["threshold"]) == 380
    assert kept == 0.95
    assert np.median(np.log(distances)) == pytest.approx(reference["log_median"])
    # Images of nothing like CIFAKE (uniform noise) are less typical than validation images.
    noise = np.random.default_rng(0).integers(0, 256, (200, 32, 32, 3), dtype=np.uint8)
    noise_distances = scope.mahalanobis(scope.features(extractor, noise), reference)
    assert np.median(scope.atypicality(noise_distances, reference)) > np.median(scores)


def test_atypicality_is_two_sided():
    reference = {"log_median": np.log(100.0)}
    scores = scope.atypicality(np.array([100.0, 1000.0, 10.0]), reference)
    np.testing.assert_allclose(scores, [0.0, np.log(10), np.log(10)])


def test_a_large_photograph_is_out_of_scope_with_its_size(tiny_detector):
    answer = predict_image(tiny_detector, ASTRONAUT, resampling={"cnn2d": (0.95, 0.58)})
    assert not answer.scope.in_scope
    assert answer.scope.original_size == (512, 512)
    assert answer.scope.reasons[0].startswith("the image is 512x512 and had to be shrunk")
    # The score is still there, secondary, and still the verdict of its probability.
    assert answer.label == ("FAKE" if answer.fake_probability >= 0.5 else "REAL")


def test_robustness_metrics_give_the_resampling_accuracy_per_architecture():
    grid = [
        {"architecture": "cnn2d", "corruption": "2x down-and-up", "accuracy": 0.58},
        {"architecture": "cnn2d", "corruption": "8x enlarged then shrunk", "accuracy": 0.91},
        {"architecture": "cnn2d", "corruption": "4x enlarged then shrunk", "accuracy": 0.93},
        {"architecture": "cnn2d", "corruption": "JPEG q50", "accuracy": 0.9},
        {"architecture": "cnn2d", "corruption": "PNG (control)", "accuracy": 0.95},
    ]
    assert scope.resampling_accuracies({"grid": grid}) == {
        "enlarged": {"cnn2d": (0.95, 0.58)},
        "shrunk": {"cnn2d": (0.95, 0.91)},
    }
    assert scope.resampling_accuracies({"grid": grid[1:]}) == {"shrunk": {"cnn2d": (0.95, 0.91)}}
    assert scope.resampling_accuracies(None) == {}


def test_a_calibration_of_another_version_is_fitted_again(tiny_trained_run, cifake):
    train = cifake.train.subset(np.arange(0, 100_000, 500))
    validation = cifake.train.subset(np.arange(25, 100_000, 250))
    arrays = (train.images, train.labels), (validation.images, validation.labels)
    assert reference.calibrate_run(tiny_trained_run, *arrays) is tiny_trained_run
    older = replace(tiny_trained_run, calibration={"temperature": 1.0})
    refitted = reference.calibrate_run(older, *arrays)
    assert refitted.calibration["version"] == reference.CALIBRATION_VERSION
    assert (
        refitted.calibration["temperature"] != 1.0 and "log_median" in refitted.calibration["scope"]
    )


def test_assess_keeps_the_score_and_threshold_it_judged():
    judged = scope.assess((32, 32), 1.5, 2.0, {})
    assert (judged.score, judged.threshold, judged.original_size) == (1.5, 2.0, (32, 32))


def test_atypicality_is_the_log_distance_from_the_median_worked_by_hand():
    # |log(d) - log_median|: d = e^2 against a median of e^3 is 1 away; d = 0.5 below one is
    # measured too (log 0.5 = -0.693147), and a zero distance stops at the floor 1e-12.
    reference = {"log_median": 3.0}
    found = scope.atypicality(np.array([np.e**2, 0.5, 0.0]), reference)
    assert found == pytest.approx([1.0, 3.0 + 0.693147, 3.0 - np.log(1e-12)], abs=1e-6)


def test_a_summary_without_a_grid_measures_no_resizing():
    assert scope.resampling_accuracies({"photographs": []}) == {}


def test_shares_equal_to_a_tenth_of_a_point_print_once():
    assert scope._span([0.9451, 0.94549]) == "94.5%"  # both round to 0.945
    assert scope._span([0.9454, 0.9456]) == "94.5–94.6%"


def test_the_shrunk_reason_says_how_notebook_07_measured_it():
    reason = scope.size_reason((4032, 3024), {"shrunk": {"cnn2d": (0.946, 0.912)}})
    assert reason == (
        "the image is 4032x3024 and had to be cropped to its centre square and shrunk to 32x32; "
        "notebook 07 enlarged CIFAKE test images 8x (bicubic) and shrank them back as this check "
        "does: the detectors' accuracy went from 94.6% to 91.2% (chance is 50%); a photograph "
        "shrunk from its own full size "
        "was not tested"
    )


def test_log_distance_floors_a_zero_distance_only():
    logs = scope.log_distance(np.array([0.0, 1e-20, 0.5, 4.0]))
    np.testing.assert_allclose(logs, [-27.631021, -27.631021, -0.693147, 1.386294], rtol=1e-6)
