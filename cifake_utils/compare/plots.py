"""Notebook 08's figure: test accuracy against what it costs to train, and model size."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..models.architectures import DISPLAY_NAMES
from ..robustness.plots import ARCHITECTURE_COLOURS
from .targets import FIELD, GOAL

PANELS = (
    (
        "training_pflop_mean",
        "training compute per seed (PFLOP, counted from the layers; log scale)",
    ),
    ("parameters", "parameters (log scale)"),
)


def plot_costs(table: pd.DataFrame) -> Figure:
    """Two panels: test accuracy (mean over seeds, 95% t-interval as error bars) against
    training compute per seed in PFLOP, and against parameter count; dashed lines mark the goal and
    what the field reports."""
    fig = Figure(figsize=(13, 5), layout="constrained")
    axes = fig.subplots(1, len(PANELS), sharey=True)
    accuracy = 100 * table["accuracy_mean"].to_numpy()
    errors = 100 * np.vstack(
        [table["accuracy_mean"] - table["t_low"], table["t_high"] - table["accuracy_mean"]]
    )
    errors = np.nan_to_num(errors)  # one seed: no interval
    references = {"goal of this study": GOAL} | FIELD
    for ax, (column, label) in zip(axes, PANELS, strict=True):
        for k, architecture in enumerate(table.index):
            ax.errorbar(
                table.loc[architecture, column],
                accuracy[k],
                yerr=errors[:, [k]],
                fmt="o",
                markersize=9,
                capsize=5,
                color=ARCHITECTURE_COLOURS[k % len(ARCHITECTURE_COLOURS)],
                label=DISPLAY_NAMES.get(architecture, architecture),
            )
        low, high = table[column].min(), table[column].max()
        ax.set_xscale("log")
        ax.set_xlim(low / 2, high * 2)
        # Each reference labelled on its line, alternately at the left and right end so that
        # close values do not overprint (left ones above their line, right ones below).
        ordered = sorted(references.items(), key=lambda item: item[1])
        for k, (name, value) in enumerate(ordered):
            ax.axhline(100 * value, color="grey", linewidth=1)
            left = k % 2 == 0
            ax.text(
                low / 1.9 if left else high * 1.9,
                100 * value,
                f"{name} ({100 * value:.2f}%)",
                fontsize=8,
                color="dimgrey",
                va="bottom" if left else "top",
                ha="left" if left else "right",
            )
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 1 else f"{x:g}")
        )
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(label, fontsize=11)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("test accuracy (%), 20,000 images", fontsize=11)
    lowest = np.nanmin([*(100 * table["t_low"]), *accuracy, 100 * min(FIELD.values())])
    axes[0].set_ylim(np.floor(lowest - 1), 100)  # t_low is NaN with one seed
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=len(handles), fontsize=10)
    fig.suptitle(
        "Test accuracy for the training cost and size (mean over seeds, 95% t-interval)",
        fontsize=12,
    )
    return fig
