"""Notebook 09's figure: each template model's accuracy under the three measures against the
paper's single run."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..models.architectures import DISPLAY_NAMES
from .protocol import MEASURES

COLOURS = {"official_test": "#2171b5", "own_held_out": "#6baed6", "fresh_split": "#fd8d3c"}


def plot_protocol(table: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """One panel per model: each seed's accuracy under (a), (b) and (c), the 95% prediction
    interval for one run of each, and the paper's number as a red line."""
    models = list(dict.fromkeys(summary["architecture"]))
    fig = Figure(figsize=(5.6 * len(models), 3.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(models), sharex=True))
    rows = {measure: len(MEASURES) - 1 - k for k, measure in enumerate(MEASURES)}
    for ax, model in zip(axes, models, strict=True):
        for row in summary[summary["architecture"] == model].itertuples():
            y = rows[row.measure]
            values = table[(table["architecture"] == model) & (table["measure"] == row.measure)]
            ax.scatter(
                values["accuracy"],
                np.full(len(values), y),
                s=36,
                color=COLOURS[row.measure],
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
                label="one seed" if row.measure == "official_test" else None,
            )
            ax.errorbar(
                row.accuracy_mean,
                y + 0.28,
                xerr=[
                    [row.accuracy_mean - row.prediction_low],
                    [row.prediction_high - row.accuracy_mean],
                ],
                fmt="none",
                ecolor="black",
                capsize=4,
                label="95% prediction interval for one run" if y == 0 else None,
            )
        published = summary.loc[summary["architecture"] == model, "published"].iloc[0]
        ax.axvline(published, color="#cb181d", linestyle=":", linewidth=1.5, label="the paper")
        ax.set_yticks(list(rows.values()), [MEASURES[m] for m in rows], fontsize=9)
        ax.set_ylim(-0.6, len(MEASURES) - 0.3)
        ax.set_xlabel("accuracy (%)")
        ax.set_title(f"{DISPLAY_NAMES[model]}: the paper {published:.2f}%", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig
