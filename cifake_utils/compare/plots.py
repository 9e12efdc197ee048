"""Notebook 08's figure: test accuracy against what it costs to train, and model size."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..models.architectures import DISPLAY_NAMES
from ..robustness.plots import ARCHITECTURE_COLOURS
from .targets import FIELD, GOAL, PFLOP_CAP

PANELS = (
    (
        "training_pflop_mean",
        "training compute per seed (PFLOP, counted from the layers; log scale)",
    ),
    ("parameters", "parameters (log scale)"),
)


def reference_groups(references: dict[str, float], within: float = 0.003) -> list[list]:
    """The references as (name, value) pairs by value, grouped where neighbours lie within
    `within` of each other."""
    groups: list[list] = []
    for name, value in sorted(references.items(), key=lambda item: item[1]):
        if groups and value - groups[-1][-1][1] <= within:
            groups[-1].append((name, value))
        else:
            groups.append([(name, value)])
    return groups


def plot_costs(table: pd.DataFrame, variants: dict[str, str] | None = None) -> Figure:
    """Two panels: test accuracy (mean over seeds, 95% t-interval as error bars) against
    training compute per seed in PFLOP, and against parameter count; grey lines mark the goal
    and what the field reports. `variants` maps a row that is another budget of an architecture
    in the table (its label) to that architecture: drawn open, in that architecture's colour."""
    variants = variants or {}
    colours = {
        architecture: ARCHITECTURE_COLOURS[k % len(ARCHITECTURE_COLOURS)]
        for k, architecture in enumerate(a for a in table.index if a not in variants)
    }
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
            colour = colours[variants.get(architecture, architecture)]
            ax.errorbar(
                table.loc[architecture, column],
                accuracy[k],
                yerr=errors[:, [k]],
                fmt="o",
                markersize=9,
                capsize=5,
                color=colour,
                markerfacecolor="white" if architecture in variants else colour,
                markeredgewidth=2,
                label=DISPLAY_NAMES.get(architecture, architecture),
            )
        low, high = table[column].min(), table[column].max()
        ax.set_xscale("log")
        ax.set_xlim(low / 2, high * 2)
        # Each reference a line; references within 0.3 points of each other share one label
        # (a line each, highest first), so that they do not overprint. Labels alternate: on the
        # left above the group's highest line, on the right below its lowest, so that no label
        # runs into the next group's lines.
        for k, group in enumerate(reference_groups(references)):
            for _, value in group:
                ax.axhline(100 * value, color="grey", linewidth=1)
            text = "\n".join(f"{name} ({100 * value:.2f}%)" for name, value in reversed(group))
            left = k % 2 == 0
            ax.text(
                0.01 if left else 0.99, 100 * group[-1 if left else 0][1], text, fontsize=8,
                color="dimgrey", va="bottom" if left else "top", ha="left" if left else "right",
                transform=ax.get_yaxis_transform(),
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=2,
            )  # fmt: skip
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


def plot_search_rounds(table: pd.DataFrame) -> Figure:
    """The beyond-the-paper search (`search.beyond_round`): each candidate's validation
    accuracy against its training compute per seed, every seed a small dot and the mean over
    seeds a large one, one colour per width; grey lines mark the goal and the published test
    accuracies, which are one run each on the test split, not validation."""
    fig = Figure(figsize=(9, 5.2), layout="constrained")
    ax = fig.subplots()
    for k, (widths, runs) in enumerate(table.groupby("widths", sort=False)):
        colour = f"C{k}"
        for (_, epochs), seeds in runs.groupby(["round", "epochs"]):
            ax.scatter(seeds["pflop"], seeds["val_accuracy"], s=18, color=colour, alpha=0.6)
            ax.scatter(
                seeds["pflop"].mean(), seeds["val_accuracy"].mean(), s=90, color=colour,
                edgecolor="black", zorder=3,
            )  # fmt: skip
            ax.annotate(
                f"{epochs} epochs", (seeds["pflop"].mean(), seeds["val_accuracy"].mean()),
                xytext=(12, 10 if k % 2 == 0 else -14), textcoords="offset points", fontsize=8,
                ha="left",
            )  # fmt: skip
        ax.scatter([], [], s=90, color=colour, edgecolor="black", label=f"VGG-BN {widths}")
    references = {"goal (test)": GOAL} | {
        name if "validation" in name else f"{name} (test)": value for name, value in FIELD.items()
    }
    for k, group in enumerate(reference_groups(references)):  # close lines share one label
        for _, value in group:
            ax.axhline(100 * value, color="grey", linewidth=0.8, linestyle="--")
        text = "\n".join(f"{name}: {100 * value:.2f}%" for name, value in reversed(group))
        ax.text(
            0.01 if k % 2 == 0 else 0.99, 100 * group[-1][1], text,
            transform=ax.get_yaxis_transform(), fontsize=7, color="dimgrey",
            ha="left" if k % 2 == 0 else "right", va="bottom",
        )  # fmt: skip
    ax.set_ylim(top=100 * max(references.values()) + 0.3)  # room for the top label
    ax.set_xscale("log")
    right = max(0.6, 1.2 * table["pflop"].max())
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1.0) if t <= right]
    ax.set_xlim(0.05, right)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(PFLOP_CAP, color="black", linewidth=0.8, linestyle=":")
    ax.text(PFLOP_CAP, ax.get_ylim()[0], " the goal's cap", fontsize=8, va="bottom")
    ax.set_xlabel("training compute per seed (PFLOP), log scale")
    ax.set_ylabel("validation accuracy (%), one dot a seed, large dot the mean")
    rounds = sorted(table["round"].unique())
    title = "The beyond-the-paper search: round 1, every width at about 0.1 PFLOP per seed"
    if len(rounds) > 1:
        title += f", then the best two scaled (rounds {', '.join(str(r) for r in rounds[1:])})"
    else:
        title += ";\nround 2 (the best two scaled to 0.5 PFLOP) is still in the training queue"
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    fig.legend(loc="outside lower center", ncols=4, fontsize=9, frameon=False)
    return fig


def plot_grid_losses(grid: pd.DataFrame, line_points: float = 5.0) -> Figure:
    """The corruption grid as each model's change in accuracy at 0.5 from its own lossless
    control, in points (mean over seeds, the grid's 95% paired t-interval over seeds, which
    `grid.summarise_grid` makes simultaneous over the model's transformations), one row per
    transformation and one marker per model, with the user's warning line: so that the
    comparison between models is read off one axis that starts at no change."""
    losses = grid.dropna(subset=["accuracy_drop"])
    corruptions = list(dict.fromkeys(losses.index.get_level_values("corruption")))
    models = list(dict.fromkeys(losses.index.get_level_values("architecture")))
    fig = Figure(figsize=(9, 0.42 * len(corruptions) + 1.8), layout="constrained")
    ax = fig.subplots()
    offsets = np.linspace(-0.25, 0.25, len(models))
    for k, model in enumerate(models):
        rows = losses.xs(model, level="architecture").reindex(corruptions)
        change = -100 * rows["accuracy_drop"].to_numpy()
        errors = 100 * np.vstack(
            [rows["accuracy_drop_high"] - rows["accuracy_drop"],
             rows["accuracy_drop"] - rows["accuracy_drop_low"]]
        )  # fmt: skip
        ax.errorbar(
            change, np.arange(len(corruptions)) + offsets[k], xerr=np.nan_to_num(errors),
            fmt="o", markersize=6, capsize=3, color=ARCHITECTURE_COLOURS[k],
            label=DISPLAY_NAMES.get(model, model),
        )  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.axvline(-line_points, color="grey", linestyle="--", linewidth=1)
    ax.text(-line_points, -0.9, f" the {line_points:.0f}-point line", fontsize=8, color="dimgrey")
    ax.set_yticks(np.arange(len(corruptions)), corruptions)
    ax.set_ylim(len(corruptions) - 0.5, -1.2)
    ax.set_xlabel(
        "change in accuracy at P(FAKE) ≥ 0.5 from the model's own lossless control (points)"
    )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        "The corruption grid: what each transformation costs each model\n"
        "(mean over seeds; 95% paired t-interval over seeds, simultaneous over each model's "
        "transformations)",
        fontsize=11,
    )
    fig.legend(loc="outside lower center", ncols=len(models), fontsize=9)
    return fig
