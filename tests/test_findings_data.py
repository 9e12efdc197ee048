"""Notebook 01's findings follow its saved summary in both directions of every comparison."""

import numpy as np
import pytest

from cifake_utils.constants import LABELS
from cifake_utils.data import findings, stats
from cifake_utils.data.loading import CifakeSplit


def summary(
    real_gap=5.5,
    fake_gap=-6.0,
    vertical=0.4,
    horizontal=0.1,
    real_size=920,
    fake_size=925,
    border_accuracy=0.601,
    border_p=1e-180,
):
    return {
        "counts": {
            "('train', 'REAL')": 50000,
            "('train', 'FAKE')": 50000,
            "('test', 'REAL')": 10000,
            "('test', 'FAKE')": 10000,
        },
        "test_images_in_train": 378,
        "duplicate_sets": 1336,
        "pixel_statistics": {
            "ring": 4,
            "border_minus_centre": {"REAL": real_gap, "FAKE": fake_gap},
            "per_image": {
                "per_class": {
                    "REAL": {"share_border_lighter": 0.569},
                    "FAKE": {"share_border_lighter": 0.367},
                },
                "test_images": 20000,
                "accuracy": border_accuracy,
                "accuracy_low": border_accuracy - 0.007,
                "accuracy_high": border_accuracy + 0.007,
                "p_value": border_p,
            },
        },
        "spectrum": {"high_vertical": vertical, "high_horizontal": horizontal, "cutoff": 12},
        "file_sizes": {"REAL": real_size, "FAKE": fake_size},
        "jpeg_containers": {
            "FAKE": ["IJG q75, 4:2:0, baseline"],
            "REAL": ["IJG q75, 4:2:0, baseline"],
        },
        "near_duplicates": {
            "threshold_bits": 6,
            "images": {"REAL": 193, "FAKE": 509},
            "class_size": {"REAL": 10000, "FAKE": 10000},
        },
    }


def test_opposite_and_same_signed_border_gaps():
    text = findings.findings_markdown(summary())
    assert "mean REAL training image is 5.5 grey levels brighter than its centre" in text
    assert "mean FAKE one 6.0 grey levels darker than its centre (opposite signs)" in text
    same = findings.border_sentence(summary(real_gap=-2.0, fake_gap=-6.0))
    assert "2.0 grey levels darker" in same and "the same sign" in same


def test_the_border_cue_per_image_is_decided_by_its_test():
    cue = findings.border_sentence(summary())
    assert "lighter than the centre in 56.9% of REAL and 36.7% of FAKE" in cue
    assert "classifies 60.10% of the 20,000 test images (95% interval 59.40%–60.80%" in cue
    assert "above chance: per image the gap carries information about the class" in cue
    chance = findings.border_sentence(summary(border_accuracy=0.503, border_p=0.4))
    assert "not significantly different from chance" in chance and "carries" not in chance
    reversed_ = findings.border_sentence(summary(border_accuracy=0.45, border_p=1e-6))
    assert "below chance" in reversed_ and "carries information" not in reversed_
    flat = findings.border_sentence(summary(real_gap=0.01))
    assert "as bright as its centre" in flat and "sign" not in flat.split(".")[0]
    untested = summary()
    del untested["pixel_statistics"]["per_image"]
    assert "not tested here" in findings.border_sentence(untested)


@pytest.mark.parametrize(
    ("vertical", "horizontal", "axis"),
    [
        (0.4, 0.1, "vertical frequency axis than the horizontal"),
        (0.1, -0.5, "horizontal frequency axis than the vertical"),
    ],
)
def test_spectrum_direction_follows_the_numbers(vertical, horizontal, axis):
    text = findings.spectrum_sentence(summary(vertical=vertical, horizontal=horizontal))
    assert axis in text
    assert f"{vertical:+.2f} at high vertical" in text


def test_file_size_test_is_a_two_sample_ks_worked_by_hand():
    # REAL sizes 1..5 and FAKE 6..10 bytes never overlap: D = 1, and of the C(10, 5) = 252
    # equally likely labellings only 2 separate the classes completely: p = 2 / 252.
    sizes = np.arange(1, 11, dtype=np.int32)
    labels = np.repeat([LABELS.index("REAL"), LABELS.index("FAKE")], 5).astype(np.uint8)
    split = CifakeSplit(
        np.zeros((10, 32, 32, 3), np.uint8),
        labels,
        np.zeros(10, np.uint8),
        np.array([""] * 10),
        sizes,
    )
    assert stats.file_size_difference(split) == pytest.approx(
        {"ks_statistic": 1.0, "p_value": 2 / 252}
    )


def test_equal_means_with_different_distributions_are_not_called_label_free():
    differs = summary() | {"file_size_test": {"ks_statistic": 0.062, "p_value": 1e-80}}
    text = findings.file_size_sentence(differs)
    assert "within 2% of each other" in text and "but their distributions differ" in text
    assert "D = 0.062" in text
    same = summary() | {"file_size_test": {"ks_statistic": 0.004, "p_value": 0.3}}
    assert "are not shown to differ" in findings.file_size_sentence(same)


def test_file_sizes_and_balance_and_duplicates():
    assert "mean sizes within 2% of each other (925 vs 920 bytes" in findings.file_size_sentence(
        summary()
    )
    apart = findings.file_size_sentence(summary(fake_size=1000))
    assert "80 bytes larger" in apart and "tested in notebook 07" in apart
    assert "60 bytes larger than REAL" in findings.file_size_sentence(summary(fake_size=980))
    assert "30 bytes smaller than REAL" in findings.file_size_sentence(summary(fake_size=890))
    assert "as many FAKE as REAL" in findings.balance_sentence(summary())
    unbalanced = summary()
    unbalanced["counts"]["('test', 'FAKE')"] = 9000
    assert "-1,000 FAKE against REAL" in findings.balance_sentence(unbalanced)
    assert "378 of the 20,000 test images (1.9%)" in findings.duplicate_sentence(summary())


def test_the_container_sentence_says_whether_the_format_carries_the_label():
    same = findings.container_sentence(summary())
    assert "saved the same way (IJG q75, 4:2:0, baseline)" in same
    assert "subsampling, progressive or not) carry no label" in same
    apart = summary()
    apart["jpeg_containers"]["FAKE"] = ["IJG q90, 4:4:4, baseline"]
    text = findings.container_sentence(apart)
    assert "saved differently (REAL: IJG q75, 4:2:0, baseline; FAKE: IJG q90" in text
    assert "itself carries the label" in text


def test_the_near_duplicate_sentence_gives_each_class_share():
    text = findings.near_duplicate_sentence(summary())
    assert "within 6 bits" in text and "193 REAL (1.93%) and 509 FAKE (5.09%)" in text


def test_the_sentences_judge_on_p_adjusted_over_the_two_tests():
    # raw p 0.03 (border) and 0.04 (file sizes); Holm: 0.03 * 2 = 0.06, then max(0.04, 0.06)
    both = summary(border_accuracy=0.52, border_p=0.03) | {
        "file_size_test": {"ks_statistic": 0.02, "p_value": 0.04}
    }
    assert findings.adjusted_p_values(both) == pytest.approx((0.06, 0.06))
    border = findings.border_sentence(both)
    assert "p = 0.03, Holm over 01's two tests 0.06" in border
    assert "not significantly different from chance" in border
    sizes = findings.file_size_sentence(both)
    assert "p = 0.04, Holm over 01's two tests 0.06" in sizes and "are not shown to differ" in sizes
