"""Notebook 07's figures draw the comparison they exist for."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from cifake_utils.robustness import plots


def test_held_out_figure_shows_each_loss_with_its_interval_against_zero():
    table = pd.DataFrame(
        {
            "accuracy_baseline": [0.907, 0.9527],
            "accuracy_without": [0.882, 0.9063],
            "difference": [-0.025, -0.0464],
            "difference_low": [-0.0344, -0.0772],
            "difference_high": [-0.0156, -0.0155],
            "p_holm": [0.023, 0.026],
            "seeds": [3, 3],
        },
        index=pd.Index(["airplane", "cat"], name="held-out class"),
    )
    ax = plots.plot_held_out(table).axes[0]
    assert [t.get_text() for t in ax.texts] == [
        "90.70% → 88.20%, Holm p = 0.023",
        "95.27% → 90.63%, Holm p = 0.026",
    ]
    low, high = ax.get_xlim()
    assert low < -7.72 and high > 0  # every interval and the zero line in view
    assert "95% Welch interval over seeds" in ax.get_xlabel()


def test_trivial_classifier_figure_puts_the_tree_beside_the_regression():
    table = pd.DataFrame(
        {
            "accuracy": [0.5075, 0.8056],
            "tree_accuracy": [0.5537, 0.7019],
            "tree_accuracy_low": [0.5467, 0.6955],
            "tree_accuracy_high": [0.5606, 0.7082],
        },
        index=["JPEG file size", "all three together"],
    )
    ax = plots.plot_trivial_classifiers(table, {"CNN2D": 0.947}).axes[0]
    assert len(ax.containers) >= 2  # one bar set each, the tree's with error bars
    labels = [t.get_text() for t in ax.texts]
    assert {"50.7", "80.6", "55.4", "70.2"} <= set(labels)
    assert ax.get_xlim() == (50, 100)


def test_corruption_example_titles_wrap_long_names():
    images = np.zeros((2, 32, 32, 3), dtype=np.uint8)
    fig = plots.plot_corruption_examples(
        images, ["REAL", "FAKE"], {"PNG (control)": images, "8x enlarged then shrunk": images}
    )
    assert fig.axes[1].get_title() == "8x enlarged\nthen shrunk"


def test_corruption_examples_show_each_pixels_change_from_the_control():
    images = np.full((1, 32, 32, 3), 100, dtype=np.uint8)
    moved = images.copy()
    moved[0, 0, 0] = (90, 100, 140)  # |change| 10, 0, 40: mean 50 / 3 levels
    fig = plots.plot_corruption_examples(images, ["REAL"], {"PNG": images, "moved": moved})
    change = fig.axes[3].get_images()[0].get_array()  # row 2 (changes), column 2
    assert change[0, 0] == pytest.approx(50 / 3)
    assert float(change.sum()) == pytest.approx(50 / 3)  # no other pixel moved
    assert fig.axes[2].get_images()[0].get_array().max() == 0  # the control against itself


def test_photographs_are_ordered_by_p_fake_and_framed_by_the_agreed_verdict():
    pixels = np.zeros((3, 32, 32, 3), dtype=np.uint8)
    verdicts = pd.DataFrame(
        [
            {"photograph": photo, "architecture": "cnn2d", "seed": seed, "p_fake": p}
            for photo, values in (
                ("a.png", (0.9, 0.8)),
                ("b.png", (0.1, 0.2)),
                ("c.png", (0.4, 0.6)),
            )
            for seed, p in enumerate(values)
        ]
    )
    verdicts["called_real"] = verdicts["p_fake"] < 0.5
    fig = plots.plot_photographs(pixels, ["a.png", "b.png", "c.png"], verdicts)
    shown = fig.axes[:3]
    assert [ax.get_title().splitlines()[0] for ax in shown] == ["b", "c", "a"]  # 0.15, 0.5, 0.85
    frames = [ax.spines["left"].get_edgecolor() for ax in shown]
    assert frames[0] == to_rgba("#1f77b4") and frames[2] == to_rgba("#d62728")
    assert frames[1] == to_rgba("grey")  # one seed each way
    assert shown[1].get_title().splitlines()[1] == "CNN2D: 0.50 (1/2 FAKE)"
