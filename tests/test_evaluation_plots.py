"""Notebook 04's figures draw what they exist for: one colour per architecture, every seed."""

import matplotlib.colors as mcolors
import numpy as np

from cifake_utils.evaluation import plots
from cifake_utils.evaluation import tables as evaluation

RNG = np.random.default_rng(0)
Y = np.repeat([0, 1], 200)


def grouped():
    def seed(shift):
        return np.clip(Y * 0.6 + 0.2 + RNG.normal(0, 0.2 + shift, len(Y)), 0, 1)

    return {"CNN2D": {0: seed(0), 1: seed(0.01)}, "Modified CNN2D": {0: seed(0.1)}}


def test_roc_curves_give_each_architecture_one_colour_and_each_seed_a_line():
    fig = plots.plot_roc_curves(Y, grouped())
    (ax,) = fig.axes
    assert len(ax.lines) == 3 and ax.get_xscale() == "log"
    colours = [mcolors.to_hex(line.get_color()) for line in ax.lines]
    assert colours[0] == colours[1] != colours[2]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("CNN2D: AUC ") and "(2 seeds)" in legend[0]
    assert "(1 seed)" in legend[1]
    assert ax.get_xlim()[0] == 1 / 200  # one REAL image in 200


def test_precision_recall_curves_share_the_colours_and_zoom_precision():
    fig = plots.plot_precision_recall_curves(Y, grouped())
    assert [len(ax.lines) for ax in fig.axes] == [3, 3]
    low, high = fig.axes[0].get_ylim()
    assert 0.5 <= low < 1 and high > 1


def test_per_class_accuracy_draws_the_interval_of_every_class():
    classes = np.arange(len(Y)) % 10
    tables = {
        name: evaluation.per_cifar_class_table(Y, classes, list(runs.values()))
        for name, runs in grouped().items()
    }
    fig = plots.plot_per_class_accuracy(tables)
    real, fake = fig.axes
    assert [t.get_text() for t in real.get_yticklabels()][0] == "airplane"
    assert "accuracy (%)" in real.get_xlabel()
    assert len(real.containers) == len(fake.containers) == 2  # one errorbar set per architecture
