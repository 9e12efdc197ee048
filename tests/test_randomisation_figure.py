"""The per-seed similarity figure of the model-randomisation check."""

import numpy as np
import pandas as pd

from cifake_utils.explain.geometry import Grid
from cifake_utils.explain.plots import (
    ANOTHER_SEED,
    plot_randomisation,
    plot_randomisation_similarity,
)


def test_each_seed_shows_its_signed_and_sign_invariant_similarity():
    depths = ["up to fake_probability", "up to hidden", "up to conv2", "up to conv1"]
    table = pd.DataFrame(
        [
            {"method": m, "seed": s, "randomised": d, "mean_spearman": rho}
            for m in ("Grad-CAM", "Score-CAM")
            for s, sign in ((0, 1), (1, -1))
            for d, rho in zip(depths, (0.9 * sign, 0.5, 0.1, 0.0), strict=True)
        ]
    )
    fig = plot_randomisation_similarity(table, "CNN2D")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["Grad-CAM", "Score-CAM"]
    lines = axes[0].get_lines()
    signed = [line for line in lines if line.get_label().endswith("signed ρ")]
    absolute = [line for line in lines if line.get_label().endswith("|ρ|")]
    assert len(signed) == len(absolute) == 2
    assert signed[1].get_ydata()[0] == -0.9 and absolute[1].get_ydata()[0] == 0.9
    assert [t.get_text() for t in axes[0].get_xticklabels()] == [
        "output",
        "+ dense",
        "+ conv2",
        "+ conv1",
    ]
    # the mean |ρ| over the two seeds, the check's quantity: 0.9, 0.5, 0.1, 0.0
    (mean,) = axes[0].containers
    assert mean.get_label() == "mean |ρ|, 95% interval over seeds"
    assert list(mean.lines[0].get_ydata()) == [0.9, 0.5, 0.1, 0.0]


def test_another_seeds_maps_stand_beside_the_randomisations_with_their_similarity():
    rng = np.random.default_rng(0)
    trained = rng.random((1, 13, 13))
    images = np.zeros((1, 32, 32, 3), dtype=np.uint8)
    grid = Grid(cells=13, start=1.5, step=2.0, size=32)
    reversed_map = trained.max() - trained  # ranks every cell the other way: ρ = -1
    stages = {"trained": trained, f"{ANOTHER_SEED} 1": reversed_map}
    fig = plot_randomisation(images, stages, grid, ["true REAL"])
    assert fig.axes[1].get_title() == "trained, seed 1, same labels\n(the reference)"
    assert fig.axes[1].texts[0].get_text() == "ρ = -1.00"
