"""Notebooks 02 and 03's training figures draw what they exist for, from the committed tables."""

import numpy as np
import pandas as pd
import pytest

from cifake_utils.models import plots
from cifake_utils.paths import project_root
from cifake_utils.search import budget_curve, epoch_budget
from tests.test_recipes import budget_curves

METRICS = project_root() / "outputs" / "metrics"
NAMES = {"cnn2d": "CNN2D", "modified_cnn2d": "Modified CNN2D"}


def test_the_epoch_budget_figure_stars_the_budget_trained_apart_from_the_rules():
    sweep = pd.read_csv(METRICS / "epoch_budget.csv")
    budgets = epoch_budget.budget_table(sweep)
    cnn2d = budgets[(budgets["architecture"] == "cnn2d") & budgets["chosen"]].iloc[0]
    assert (cnn2d["budget"], cnn2d["trained_epochs"]) == (20, 10)  # EPOCH_CAP
    fig = plots.plot_epoch_budget(sweep, budgets, NAMES)
    first = fig.axes[0]
    stars = [c for c in first.collections if c.get_offsets().shape[0] and c.get_sizes()[0] == 110]
    picks = [c for c in first.collections if c.get_sizes()[0] == 260]
    assert [tuple(s.get_offsets()[0])[0] for s in stars] == [10]  # trained, not the marked 20
    assert [tuple(r.get_offsets()[0])[0] for r in picks] == [20]
    # 20 epochs is the largest budget swept and CNN2D still gains there: a square, not a ring
    assert bool(cnn2d["still_rising"])
    assert "40,000 training images" in fig.get_suptitle()
    gains = [t.get_text() for t in first.texts]
    assert gains == ["+1.42", "+0.32"]  # 92.44 -> 93.85 -> 94.17, validation points


def test_the_ablation_curves_keep_each_schedule_on_its_own_axis():
    short = {"val_accuracy": [0.9] * 10}
    long = {"val_accuracy": [0.9] * 40}
    fig = plots.plot_ablation_curves(
        {"cnn2d": [short, short, short], "modified_cnn2d": [long, long]}, NAMES
    )
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [len(ax.lines) for ax in visible] == [3 + 1, 2 + 1]  # the seeds and the final mean
    assert visible[0].texts[0].get_text() == "final mean 90.00%"
    assert visible[0].get_ylim() == (85.0, 91.5)
    assert visible[0].get_title() == "CNN2D: 10 epochs, 3 seeds"
    assert visible[1].get_title() == "Modified CNN2D: 40 epochs, 2 seeds"
    assert visible[1].lines[0].get_xdata()[-1] == 40


def test_the_budget_curves_star_the_trained_budget_and_ring_the_plateau():
    curve = budget_curves()
    plateaus = budget_curve.plateau_table(
        curve, {"cnn2d": 0.25, "modified_cnn2d": 0.26}, {"cnn2d": 10, "modified_cnn2d": 40}
    )
    spreads = {"cnn2d": [94.56, 94.81], "modified_cnn2d": [93.35, 93.34]}
    fig = plots.plot_budget_curves(curve, plateaus, spreads, NAMES)
    first = fig.axes[0]
    points = [c for c in first.collections if hasattr(c, "get_sizes") and c.get_sizes().size]
    stars = [c for c in points if c.get_sizes()[0] == 220]
    rings = [c for c in points if c.get_sizes()[0] == 260]
    assert [s.get_offsets()[0][0] for s in stars] == [10]
    assert [r.get_offsets()[0][0] for r in rings] == [40]
    assert first.get_title() == (
        "CNN2D: levels off at 40 epochs by the rule\n"
        "(the next doubling gains less than 0.25 points)"
    )
    # Both panels span the same accuracy range, so that equal rises look equal.
    spans = [np.subtract(*ax.get_ylim()[::-1]) for ax in fig.axes if ax.get_ylabel()]
    assert spans[0] == pytest.approx(spans[1])
    assert [t.get_text() for t in first.texts] == ["+0.61", "+0.35", "-0.01"]
    assert "validation accuracy (%)" in first.get_ylabel()


def test_training_curves_draw_the_mean_over_runs_and_the_fit():
    # Two runs of three epochs: validation 0.80/0.90/0.92 and 0.84/0.92/0.94, means
    # 82/91/93%; the fit 0.95 is a star at the last epoch.
    histories = {
        "seed0": {"val_accuracy": [0.80, 0.90, 0.92], "accuracy": [0.7, 0.85, 0.9]},
        "seed1": {"val_accuracy": [0.84, 0.92, 0.94], "accuracy": [0.72, 0.87, 0.92]},
    }
    ax = plots.plot_training_curves(histories, fit=0.95).axes[0]
    validation, training, fit = ax.lines
    assert list(validation.get_ydata()) == pytest.approx([82.0, 91.0, 93.0])
    assert list(training.get_ydata()) == pytest.approx([71.0, 86.0, 91.0])
    assert (fit.get_xdata()[0], fit.get_ydata()[0]) == (3, 95.0)
    assert "dropout" not in ax.get_title()
    assert ax.get_ylim()[0] < 70  # the first epoch is not clipped
