"""Notebook 07's figures: the corruption grid, the shortcut controls and the photographs."""

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..models.architectures import DISPLAY_NAMES
from ..plots import LABEL_COLOURS

PANELS = (
    ("accuracy", "accuracy at P(FAKE) ≥ 0.5 (%)"),
    ("accuracy_retuned", "accuracy, threshold re-tuned\non corrupted validation (%)"),
    ("roc_auc", "ROC-AUC (%)"),
)
DIFFERENCE_LEVELS = 64  # the colour scale of a pixel's change: a quarter of the 8-bit range
ARCHITECTURE_COLOURS = ("#2171b5", "#fd8d3c", "#41ab5d", "#807dba")


def plot_grid(summary: pd.DataFrame, title: str, labels: dict[str, str] | None = None) -> Figure:
    """One panel per metric: each corruption (rows, top to bottom in the grid's order) and
    architecture (or training variant, named in the legend by `labels` where given), mean over
    seeds with the 95% t-interval over seeds (no bar with one seed); the dotted line marks each
    one's value on the lossless control (the first row)."""
    labels = DISPLAY_NAMES | (labels or {})
    corruptions = list(dict.fromkeys(summary.index.get_level_values("corruption")))
    architectures = list(dict.fromkeys(summary.index.get_level_values("architecture")))
    fig = Figure(figsize=(13, 0.42 * len(corruptions) + 1.8), layout="constrained")
    axes = fig.subplots(1, len(PANELS), sharey=True)
    height = 0.8 / len(architectures)
    for ax, (metric, label) in zip(axes, PANELS, strict=True):
        for k, architecture in enumerate(architectures):
            rows = summary.xs(architecture, level="architecture").loc[corruptions]
            values = 100 * rows[metric].to_numpy()
            low = 100 * rows[f"{metric}_low"].to_numpy()
            high = 100 * rows[f"{metric}_high"].to_numpy()
            errors = np.vstack([values - low, high - values])
            errors = None if np.isnan(errors).all() else np.nan_to_num(errors)  # one seed: none
            positions = np.arange(len(corruptions)) + (k - (len(architectures) - 1) / 2) * height
            colour = ARCHITECTURE_COLOURS[k % len(ARCHITECTURE_COLOURS)]
            ax.barh(
                positions,
                values - 50,
                height,
                left=50,
                xerr=errors,
                capsize=2,
                color=colour,
                label=labels.get(architecture, architecture),
            )
            ax.axvline(values[0], color=colour, linestyle=":", linewidth=1)
        ax.set_xlim(50, 100)
        ax.set_xlabel(label, fontsize=11)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(corruptions)), corruptions, fontsize=11)
    axes[0].invert_yaxis()
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=len(names), fontsize=11)
    seeds = (
        "one seed, no interval"
        if (summary["seeds"] == 1).all()
        else "mean over seeds, 95% t-interval over seeds"
    )
    fig.suptitle(f"{title} (axes from chance, 50%; {seeds})", fontsize=12)
    return fig


def plot_trivial_classifiers(table: pd.DataFrame, cnn_accuracy: dict[str, float]) -> Figure:
    """Test accuracy of each trivial classifier (a logistic regression and a depth-3 tree per
    feature set, with the 95% Clopper-Pearson interval where the table has it), with the CNNs'
    clean accuracy as lines."""
    fig = Figure(figsize=(8.5, 0.8 * len(table) + 1.8), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(table))
    height = 0.38
    for offset, column, label, colour in (
        (-height / 2, "accuracy", "logistic regression", "#636363"),
        (height / 2, "tree_accuracy", "depth-3 tree", "#bdbdbd"),
    ):
        if column not in table:
            continue
        values = 100 * table[column].to_numpy()
        error = None
        if f"{column}_low" in table:
            error = [values - 100 * table[f"{column}_low"], 100 * table[f"{column}_high"] - values]
        bars = ax.barh(
            positions + offset, values - 50, height, left=50, color=colour, label=label,
            xerr=error, capsize=3,
        )  # fmt: skip
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=6, fontsize=9)
    for k, (name, accuracy) in enumerate(cnn_accuracy.items()):
        colour = ARCHITECTURE_COLOURS[k % len(ARCHITECTURE_COLOURS)]
        ax.axvline(100 * accuracy, color=colour, linestyle="--", label=f"{name} (clean)")
    ax.set_yticks(positions, table.index, fontsize=11)
    ax.invert_yaxis()
    ax.set_xlim(50, 100)
    ax.set_xlabel("test accuracy (%), axis from chance (50%)", fontsize=11)
    ax.set_title("Simple image statistics alone against the CNNs", fontsize=12)
    fig.legend(loc="outside lower center", ncols=2 + len(cnn_accuracy), fontsize=9)
    return fig


def plot_photographs(pixels: np.ndarray, names: list[str], verdicts: pd.DataFrame) -> Figure:
    """Each photograph at 32x32 (as the models see it), ordered by the mean P(FAKE) over every
    model and seed, with each architecture's mean P(FAKE) over seeds and how many seeds call it
    FAKE; its frame is the verdict every run agrees on (REAL or FAKE colour), grey where the
    runs disagree. Every photograph is real, so REAL is the right verdict for all."""
    columns = 7
    rows = int(np.ceil(len(names) / columns))
    fig = Figure(figsize=(2.0 * columns, 2.5 * rows + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.axis("off")
    mean_p_fake = verdicts.groupby("photograph")["p_fake"].mean()
    order = sorted(range(len(names)), key=lambda k: mean_p_fake[names[k]])
    for ax, k in zip(axes, order, strict=False):
        name, runs = names[k], verdicts[verdicts["photograph"] == names[k]]
        ax.axis("on")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.imshow(pixels[k], interpolation="nearest")
        agreed = {"REAL" if real else "FAKE" for real in runs["called_real"]}
        colour = LABEL_COLOURS[agreed.pop()] if len(agreed) == 1 else "grey"
        for spine in ax.spines.values():
            spine.set(edgecolor=colour, linewidth=4)
        lines = [name.rsplit(".", 1)[0]]
        for architecture, group in runs.groupby("architecture", sort=False):
            fake_seeds = int((~group["called_real"]).sum())
            short = "Mod." if architecture == "modified_cnn2d" else DISPLAY_NAMES[architecture]
            lines.append(f"{short}: {group['p_fake'].mean():.2f} ({fake_seeds}/{len(group)} FAKE)")
        ax.set_title("\n".join(lines), fontsize=9)
    fig.suptitle(
        "Real photographs that are not CIFAR-10, shrunk to 32x32, by mean P(FAKE): each model's "
        "mean over seeds\nand its seeds called FAKE (P(FAKE) ≥ 0.5); frame: blue where every "
        "run says REAL (right), red where every run says FAKE, grey where they disagree",
        fontsize=11,
    )
    return fig


def plot_corruption_examples(
    images: np.ndarray, titles: list[str], corrupted: dict[str, np.ndarray]
) -> Figure:
    """A few 8-bit test images under each transformation (columns), at 32x32, upscaled without
    smoothing so that the pixels the models see stay visible; under each image, how far every
    pixel moved from the first column (the control), on one scale in 8-bit levels, so that
    the changes too small to see in the images (JPEG q95, noise σ 2) are visible."""
    control = next(iter(corrupted.values()))
    fig = Figure(
        figsize=(1.1 * len(corrupted) + 1.2, 2.3 * len(images) + 0.8), layout="constrained"
    )
    axes = fig.subplots(2 * len(images), len(corrupted), squeeze=False)
    for column, (name, batch) in enumerate(corrupted.items()):
        for row in range(len(images)):
            picture, change = axes[2 * row, column], axes[2 * row + 1, column]
            picture.imshow(batch[row], interpolation="nearest")
            moved = np.abs(batch[row].astype(float) - control[row].astype(float))
            shown = change.imshow(
                moved.mean(axis=-1),
                cmap="magma",
                vmin=0,
                vmax=DIFFERENCE_LEVELS,
                interpolation="nearest",
            )
            for ax in (picture, change):
                ax.set_xticks([])
                ax.set_yticks([])
            if row == 0:
                # a no-break space keeps "σ 1" together
                wrapped = textwrap.wrap(name.replace("σ ", "σ\u00a0"), 11)
                picture.set_title("\n".join(wrapped), fontsize=9)
            if column == 0:
                picture.set_ylabel(titles[row], fontsize=9)
                change.set_ylabel("change", fontsize=8)
    bar = fig.colorbar(shown, ax=axes, shrink=0.5, pad=0.01)
    bar.set_label(f"|change| from the control (8-bit levels, capped at {DIFFERENCE_LEVELS})")
    fig.suptitle(
        "The transformations, applied alike to REAL and FAKE test images "
        "(each image above its change from the control)",
        fontsize=12,
    )
    return fig


def plot_held_out(table: pd.DataFrame) -> Figure:
    """Per held-out class, what never seeing it costs: the accuracy on its test images of the
    models trained without it minus the baselines trained on all classes (mean over seeds,
    points), with the 95% Welch interval of the difference and its Holm-adjusted p; each
    class's two accuracies are written beside it."""
    fig = Figure(figsize=(8, 0.9 * len(table) + 1.9), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(table))
    difference = 100 * table["difference"].to_numpy()
    below = table["difference"] - table["difference_low"]
    above = table["difference_high"] - table["difference"]
    errors = 100 * np.vstack([below, above])
    ax.errorbar(
        difference, positions, xerr=errors, fmt="o", color="#2171b5", capsize=5, markersize=8
    )
    ax.axvline(0, color="black", linewidth=0.8)
    for k, (_, row) in enumerate(table.iterrows()):
        ax.annotate(
            f"{100 * row['accuracy_baseline']:.2f}% → {100 * row['accuracy_without']:.2f}%, "
            f"Holm p = {row['p_holm']:.2g}",
            (difference[k], k), xytext=(0, 12), textcoords="offset points", ha="center",
            fontsize=9,
        )  # fmt: skip
    ax.set_yticks(positions, table.index, fontsize=11)
    ax.invert_yaxis()
    ax.set_ylim(len(table) - 0.4, -0.7)
    low = min(float(np.min(100 * table["difference_low"])), 0.0)
    ax.set_xlim(low * 1.25 - 0.5, 1.0)
    ax.set_xlabel(
        "accuracy without the class minus with it (points; 95% Welch interval over seeds)",
        fontsize=10,
    )
    ax.set_ylabel("held-out CIFAR-10 class", fontsize=11)
    seeds = int(table["seeds"].iloc[0])
    ax.set_title(f"CNN2D on content it never saw during training ({seeds} seeds each, Welch t)")
    ax.grid(alpha=0.3, axis="x")
    return fig
