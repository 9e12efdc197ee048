"""Notebook 07's trainings: the held-out-content subsets and the blur + JPEG augmentation."""

import numpy as np
import pytest

from cifake_utils.constants import CIFAR10_CLASSES
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.degradation import RandomBlurJpeg, probability_of
from cifake_utils.models.training import TrainConfig
from cifake_utils.robustness import findings, retraining
from cifake_utils.robustness.corruptions import CONTROL


@pytest.fixture(scope="module")
def training_labels(cifake):
    return cifake.train.labels, cifake.train.cifar_classes


def test_held_out_runs_never_see_their_class_and_all_runs_are_the_same_size(
    training_labels, tmp_path
):
    labels, classes = training_labels
    job = (ARCHITECTURES["cnn2d"], TrainConfig(epochs=1))
    runs = retraining.plan(job, labels, classes, ("airplane", "cat"), (0.5,), 40_000, tmp_path)
    assert [r.name for r in runs] == [
        "all classes",
        "without airplane",
        "without cat",
        "blur + JPEG p=0.5",
    ]
    assert {len(r.subset) for r in runs} == {40_000}
    for run, name in zip(runs[1:3], ("airplane", "cat"), strict=True):
        assert not np.any(classes[run.subset] == CIFAR10_CLASSES.index(name))
        assert labels[run.subset].mean() == 0.5
    np.testing.assert_array_equal(runs[3].subset, runs[0].subset)
    assert runs[3].job[1].augmentation == ("blur_jpeg_0.5",)
    assert len({r.folder for r in runs}) == len(runs)


def test_balanced_indices_are_seeded_and_refuse_too_few(training_labels):
    labels, _ = training_labels
    first = retraining.balanced_indices(labels, 1_000, seed=1)
    np.testing.assert_array_equal(first, retraining.balanced_indices(labels, 1_000, seed=1))
    assert not np.array_equal(first, retraining.balanced_indices(labels, 1_000, seed=2))
    with pytest.raises(ValueError, match="only"):
        retraining.balanced_indices(labels, 1_000, 0, allowed=np.arange(len(labels)) < 100)


def test_blur_jpeg_is_seeded_changes_training_images_and_is_identity_at_inference(cifake):
    images = cifake.test.images[:16].astype("float32") / 255.0
    first = np.asarray(RandomBlurJpeg(1.0, seed=3)(images, training=True))
    again = np.asarray(RandomBlurJpeg(1.0, seed=3)(images, training=True))
    np.testing.assert_array_equal(first, again)
    assert all(not np.allclose(a, b) for a, b in zip(first, images, strict=True))
    assert first.shape == images.shape and 0 <= first.min() and first.max() <= 1
    np.testing.assert_array_equal(RandomBlurJpeg(1.0)(images, training=False), images)
    model = build_model(ARCHITECTURES["cnn2d"], ("blur_jpeg_0.1",))
    assert model.get_layer("augment_blur_jpeg").probability == 0.1


@pytest.mark.parametrize("name", ["blur_jpeg_0", "blur_jpeg_1.5", "blur_0.5"])
def test_blur_jpeg_names_are_checked(name):
    with pytest.raises(ValueError):
        probability_of(name)


def held_out_row(difference, p_value):
    return {
        "held-out class": "cat",
        "accuracy_without": 0.9 + difference,
        "accuracy_baseline": 0.9,
        "difference": difference,
        "p_value": p_value,
    }


@pytest.mark.parametrize(
    ("difference", "p_value", "verdict", "reading"),
    [
        (-0.05, 0.001, "worse", "part of what it uses is the content it was trained on"),
        (0.02, 0.001, "better", "does not depend on having seen the content"),
        (-0.01, 0.4, "not significantly different", "does not depend on having seen"),
    ],
)
def test_held_out_findings_follow_the_test(difference, p_value, verdict, reading):
    text = findings.held_out_sentence([held_out_row(difference, p_value)])
    assert f": {verdict})" in text and reading in text


def test_augmentation_findings_state_the_clean_cost_and_the_worst_case_gain():
    def row(model, corruption, accuracy):
        return {"architecture": model, "corruption": corruption, "accuracy": accuracy}

    summary = [
        row(retraining.BASELINE, CONTROL, 0.92),
        row(retraining.BASELINE, "blur σ 1", 0.60),
        row("blur + JPEG p=0.5", CONTROL, 0.90),
        row("blur + JPEG p=0.5", "blur σ 1", 0.85),
    ]
    text = findings.augmentation_sentence(summary, retraining.BASELINE)
    assert (
        text.startswith("Blur + JPEG augmentation")
        and "unaugmented (all classes): clean 92.00%" in text
    )
    assert "p=0.5 changes clean accuracy by -2.00 points and the worst case by +25.00" in text


def test_photograph_findings_say_when_every_seed_agrees():
    share = {"architecture": "cnn2d", "photographs": 13, "seeds": 3, "always_fake": ""}
    same = findings.photograph_sentence(
        [share | {"share_called_real": 0.5, "share_min": 0.5, "share_max": 0.5}]
    )
    assert "calls 50% (the same share on all 3 seeds) REAL" in same
    spread = findings.photograph_sentence(
        [share | {"share_called_real": 0.5, "share_min": 0.4, "share_max": 0.6}]
    )
    assert "(per seed 40–60%)" in spread
    kinds = {"scenes": 8, "textures": 5, "scene_share_called_real": 0.25}
    kinds |= {"texture_share_called_real": 1.0, "share_min": 0.5, "share_max": 0.5}
    split = findings.photograph_sentence([share | kinds | {"share_called_real": 0.5}])
    assert "(25% of the 8 scenes and 100% of the 5 textures, over seeds)" in split
