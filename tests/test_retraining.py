"""Notebook 07's trainings: the held-out-content subsets and the blur + JPEG augmentation."""

import numpy as np
import pytest

from cifake_utils.constants import CIFAR10_CLASSES
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.degradation import RandomBlurJpeg, probability_of
from cifake_utils.models.jobs import TrainingData
from cifake_utils.models.training import TrainConfig
from cifake_utils.robustness import corruptions, findings, resampling, retraining
from cifake_utils.robustness.corruptions import CONTROL


@pytest.fixture(scope="module")
def training_labels(cifake):
    return cifake.train.labels, cifake.train.cifar_classes


def test_held_out_runs_never_see_their_class_and_all_runs_are_the_same_size(
    training_labels, tmp_path
):
    labels, classes = training_labels
    job = (ARCHITECTURES["cnn2d"], TrainConfig(epochs=1))
    runs = retraining.plan(
        job, labels, classes, ("airplane", "cat"), (0.5,), 40_000, tmp_path, seeds=(0, 1)
    )
    assert [(r.name, r.seed) for r in runs] == [
        ("all classes", 0),
        ("without airplane", 0),
        ("without cat", 0),
        ("blur + JPEG p=0.5", 0),
        ("all classes", 1),
        ("without airplane", 1),
        ("without cat", 1),
    ]
    assert {len(r.subset) for r in runs} == {40_000}
    assert all(r.job[1].seed == r.seed for r in runs)
    for run, name in zip(runs[1:3], ("airplane", "cat"), strict=True):
        assert not np.any(classes[run.subset] == CIFAR10_CLASSES.index(name))
        assert labels[run.subset].mean() == 0.5
    np.testing.assert_array_equal(runs[3].subset, runs[0].subset)
    assert not np.array_equal(runs[4].subset, runs[0].subset)  # each seed draws its own
    assert runs[3].job[1].augmentation == ("blur_jpeg_0.5",)
    assert len({r.folder for r in runs}) == len(runs)
    twins = resampling.resampled_runs(runs)
    assert [(r.name, r.seed) for r in twins] == [
        (resampling.RESAMPLED, 0),
        (resampling.RESAMPLED, 1),
    ]
    np.testing.assert_array_equal(twins[1].subset, runs[4].subset)
    assert not {r.folder for r in twins} & {r.folder for r in runs}


def test_the_held_out_and_resampling_tables_run_on_real_models(cifake, tiny_trained_model):
    test = cifake.test.subset(np.arange(0, 20_000, 37))
    models = {
        (kind, seed): tiny_trained_model
        for kind in (retraining.BASELINE, "without cat", resampling.RESAMPLED)
        for seed in (0, 1)
    }
    table = retraining.held_out_table(
        models, test.images, test.labels, test.cifar_classes, ("cat",)
    )
    assert table.loc["cat", "seeds"] == 2 and table.loc["cat", "difference"] == 0.0
    assert table.loc["cat", "test images"] == np.sum(test.cifar_classes == 3)
    assert table.loc["cat", "p_holm"] == 1.0
    # a run and its same-seed baseline train on different images: unpaired
    assert table.loc["cat", "test"] == "Welch t over seeds (unpaired)"
    resampled = resampling.resampling_table(models, (test.images, test.labels))
    assert list(resampled.index) == [
        "baseline, test as published",
        "baseline, test resampled",
        "trained resampled, test resampled",
    ]
    # the same model on the same resampled images: the two resampled rows agree
    assert resampled.iloc[1]["accuracy_mean"] == resampled.iloc[2]["accuracy_mean"]
    paired = resampling.resampling_test(models, (test.images, test.labels))
    assert paired["seeds"] == 2


def test_resampled_data_resamples_both_splits_and_keys_them_apart(cifake, tmp_path):
    images, labels = cifake.test.images[:8], cifake.test.labels[:8]
    data = TrainingData((images, labels), (images, labels), tmp_path, "abc")
    changed = resampling.resampled_data(data)
    assert changed.data_checksum == "abc-resampled2x"
    assert not np.array_equal(changed.train[0], images)
    np.testing.assert_array_equal(changed.validation[0], corruptions.resample(images))


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
        "seeds": 3,
        "accuracy_without": 0.9 + difference,
        "accuracy_baseline": 0.9,
        "difference": difference,
        "difference_low": difference - 0.01,
        "difference_high": difference + 0.01,
        "test": "Welch t over seeds (unpaired)",
        "p_value": p_value,
        "p_holm": min(1.0, 3 * p_value),
    }


@pytest.mark.parametrize(
    ("difference", "p_value", "verdict", "reading"),
    [
        (-0.05, 0.001, "worse", "depends on having trained on that class's REAL and FAKE"),
        (0.02, 0.001, "better", "find no dependence on having seen the class"),
        (-0.01, 0.4, "not significantly different", "find no dependence on having seen"),
        (-0.05, 0.02, "not significantly different", "find no dependence"),  # Holm 0.06
    ],
)
def test_held_out_findings_follow_the_test(difference, p_value, verdict, reading):
    text = findings.held_out_sentence([held_out_row(difference, p_value)])
    assert f": {verdict})" in text and reading in text
    assert "means over 3 seeds" in text and "Welch t over seeds (unpaired) p =" in text
    assert "cannot tell apart" in text if verdict == "worse" else "cannot tell" not in text
    margin = 100 * (0.4 + difference) / 0.4
    assert f"{margin:.2f}% of its baseline's margin over chance" in text


@pytest.mark.parametrize(
    ("trained", "p_value", "expected"),
    [
        (0.80, 0.001, "significantly below the baseline (-12.00 points"),
        (0.915, 0.3, "not significantly below the baseline"),
    ],
)
def test_resampling_findings_follow_the_paired_test(trained, p_value, expected):
    def row(case, accuracy):
        return {"case": case, "seeds": 3, "accuracy_mean": accuracy}

    table = [
        row("baseline, test as published", 0.92),
        row("baseline, test resampled", 0.58),
        row("trained resampled, test resampled", trained),
    ]
    test = {"difference_mean": trained - 0.92, "p_value": p_value, "test": "paired t over seeds"}
    text = findings.resampling_sentence(table, test)
    assert expected in text and "58.00% for that baseline on resampled test images" in text
    assert f"keeps {(trained - 0.5) / 0.42:.0%} of the baseline's margin" in text
    assert "One seed gives no interval" in text


@pytest.mark.parametrize(
    ("low", "expected"),
    [(0.85, "not all of the cue sits in the finest band"), (0.49, "the whole cue may sit")],
)
def test_resampling_findings_say_whether_more_than_chance_survives(low, expected):
    table = [
        {"case": "baseline, test as published", "seeds": 3, "accuracy_mean": 0.92},
        {"case": "baseline, test resampled", "seeds": 3, "accuracy_mean": 0.58},
        {"case": "trained resampled, test resampled", "seeds": 3, "accuracy_mean": 0.86}
        | {"accuracy_low": low, "accuracy_high": 0.88},
    ]
    test = {"difference_mean": -0.06, "p_value": 0.001, "test": "paired t over seeds"}
    text = findings.resampling_sentence(table, test)
    assert expected in text and "this control cannot tell the two apart" in text


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
    assert "clean 92.00%, mean over the transformations 60.00%" in text  # the control left out
    assert "outside them" not in text  # every transformation here is one it trained on
    summary += [
        row(retraining.BASELINE, "greyscale", 0.80),
        row(retraining.BASELINE, "1-pixel shift", 0.90),
        row("blur + JPEG p=0.5", "greyscale", 0.84),
        row("blur + JPEG p=0.5", "1-pixel shift", 0.89),
    ]
    text = findings.augmentation_sentence(summary, retraining.BASELINE)
    summary += [
        row(retraining.BASELINE, "2x down-and-up", 0.60),
        row("blur + JPEG p=0.5", "2x down-and-up", 0.80),
    ]
    text = findings.augmentation_sentence(summary, retraining.BASELINE)
    # the resampling, low-pass like blur: +20.00; the rest: (0.84 - 0.80 + 0.89 - 0.90) / 2
    assert (
        "on the resamplings, which smooth the image as blur does (2x down-and-up) blur + JPEG "
        "p=0.5 +20.00 points, and on the rest (greyscale, 1-pixel shift) blur + JPEG p=0.5 "
        "+1.50 points (one seed each, untested)"
    ) in text


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


def test_held_out_findings_name_a_gain_and_bound_a_loss_they_cannot_rule_out():
    gain = findings.held_out_sentence([held_out_row(0.02, 0.001)])
    assert "on cat the model that never saw the class is significantly better" in gain
    unclear = findings.held_out_sentence([held_out_row(-0.01, 0.4)])
    assert "a loss of up to 2.00 points, the intervals' lower ends, cannot be ruled out" in unclear
    no_margin = held_out_row(-0.01, 0.4) | {"accuracy_baseline": 0.5, "accuracy_without": 0.49}
    assert "margin over chance" not in findings.held_out_sentence([no_margin])
