"""Figures of the test-set evaluation; each function returns a matplotlib Figure, unsaved."""

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from sklearn import metrics as skm

from ..constants import CIFAR10_CLASSES, LABELS
from ..data.loading import CifakeSplit


def plot_confusion_matrices(matrices: dict[str, np.ndarray]) -> Figure:
    """One confusion matrix per model: counts, with the row share in brackets."""
    fig = Figure(figsize=(5 * len(matrices), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(matrices)))
    for ax, (title, matrix) in zip(axes, matrices.items(), strict=True):
        shares = matrix / matrix.sum(axis=1, keepdims=True)
        text = np.array(
            [[f"{matrix[i, j]:,}\n({shares[i, j]:.1%})" for j in range(2)] for i in range(2)]
        )
        sns.heatmap(
            shares,
            annot=text,
            fmt="",
            cmap="Blues",
            vmin=0,
            vmax=1,
            cbar=False,
            xticklabels=LABELS,
            yticklabels=LABELS,
            ax=ax,
        )
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(title)
    fig.suptitle("Confusion matrices, seed 0, test split, threshold P(FAKE) ≥ 0.5 (row shares)")
    fig.tight_layout()
    return fig


Grouped = dict[str, dict[int, np.ndarray]]  # {architecture's name: {seed: P(FAKE)}}


def _seed_legend(name: str, values: list[float], metric: str) -> str:
    if len(values) == 1:
        return f"{name}: {metric} {values[0]:.4f} (1 seed)"
    return (
        f"{name}: {metric} {np.mean(values):.4f}, seeds {min(values):.4f}–{max(values):.4f} "
        f"({len(values)} seeds)"
    )


def plot_roc_curves(y_true: np.ndarray, grouped: Grouped) -> Figure:
    """ROC curves (FAKE as the positive class), one colour per architecture and one thin line
    per seed, on a log false-positive axis so that the low-error end where the models differ
    is visible; mean AUC and its range over seeds in the legend."""
    fig = Figure(figsize=(6.4, 5))
    ax = fig.subplots()
    handles = []
    for colour, (name, runs) in zip(sns.color_palette("colorblind"), grouped.items(), strict=False):
        aucs = []
        for probability in runs.values():
            fpr, tpr, _ = skm.roc_curve(y_true, probability)
            ax.plot(fpr, tpr, color=colour, lw=0.9, alpha=0.8)
            aucs.append(skm.roc_auc_score(y_true, probability))
        handles.append(Line2D([], [], color=colour, label=_seed_legend(name, aucs, "AUC")))
    real = int(np.sum(y_true == LABELS.index("REAL")))
    ax.set_xscale("log")
    ax.set_xlim(1 / real, 1)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3, which="both", lw=0.5)
    ax.set_xlabel("false positive rate: share of REAL test images called FAKE (log scale)")
    ax.set_ylabel("true positive rate: share of FAKE test images called FAKE")
    ax.set_title("ROC on the test split, one line per seed")
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    return fig


def plot_precision_recall_curves(y_true: np.ndarray, grouped: Grouped) -> Figure:
    """Precision-recall curves with each class in turn as the positive one, one colour per
    architecture and one thin line per seed; precision zoomed to the range the curves use up to
    95% recall; mean average precision and its range over seeds in the legend."""
    fig = Figure(figsize=(12, 4.8))
    axes = fig.subplots(1, 2, sharey=True)
    lowest = 1.0
    for ax, positive in zip(axes, LABELS, strict=True):
        is_positive = y_true == LABELS.index(positive)
        handles = []
        for colour, (name, runs) in zip(
            sns.color_palette("colorblind"), grouped.items(), strict=False
        ):
            aps = []
            for probability in runs.values():
                score = probability if positive == "FAKE" else 1.0 - probability
                precision, recall, _ = skm.precision_recall_curve(is_positive, score)
                ax.plot(recall, precision, color=colour, lw=0.9, alpha=0.8)
                lowest = min(lowest, float(precision[recall <= 0.95].min()))
                aps.append(skm.average_precision_score(is_positive, score))
            handles.append(Line2D([], [], color=colour, label=_seed_legend(name, aps, "AP")))
        ax.set_xlabel("recall: share of the positive class found")
        ax.set_title(f"test split, {positive} as the positive class, one line per seed")
        ax.grid(alpha=0.3, lw=0.5)
        ax.legend(handles=handles, fontsize=8, loc="lower left")
    axes[0].set_ylabel("precision: share of the calls that are right")
    axes[0].set_ylim(max(0.5, np.floor(lowest * 20) / 20 - 0.05), 1.005)
    fig.tight_layout()
    return fig


def plot_reliability(tables: dict[str, pd.DataFrame], eces: dict[str, float]) -> Figure:
    """Accuracy against confidence per bin (reliability diagram), and how many images each holds."""
    fig = Figure(figsize=(11, 4.6))
    axes = fig.subplots(1, 2)
    for name, table in tables.items():
        axes[0].plot(
            table["confidence"],
            table["accuracy"],
            marker="o",
            lw=1.2,
            label=f"{name} (ECE {eces[name]:.4f})",
        )
        centres = (table["low"] + table["high"]) / 2
        axes[1].plot(centres, table["count"], marker="o", lw=1.2, label=name)
    axes[0].plot([0.5, 1], [0.5, 1], color="grey", ls=":", lw=1, label="perfect calibration")
    axes[0].set_xlabel("confidence (probability of the predicted class)")
    axes[0].set_ylabel("accuracy")
    axes[0].set_title("reliability diagram, seed 0, test split, before temperature scaling")
    axes[0].legend(fontsize=7)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("confidence bin")
    axes[1].set_ylabel("images")
    axes[1].set_title("images per bin")
    axes[1].legend(fontsize=7)
    axes[1].yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes[1].yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes[1].yaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    return fig


def plot_reproduction(reproduced: pd.DataFrame, shown: list[dict[str, list[float]]]) -> Figure:
    """One panel per published number (`reproduction.reproduction_table`), on an axis of its
    own so that its gap shows: the published single run with the equivalence margin around it,
    every seed of the runs the verdict rests on (top row) with the 95% prediction interval for
    one run on other test images (`reproduction.published_run_interval`), and the model's other
    runs for context (`reproduction.shown_runs`, percent).
    The panel's title gives the verdict."""
    fig = Figure(figsize=(5.4 * len(reproduced), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(reproduced)))
    for ax, (claim, row), runs in zip(axes, reproduced.iterrows(), shown, strict=True):
        labels = [textwrap.fill(label, 26) for label in runs]
        positions = np.arange(len(runs), 0, -1)  # the judged runs on top, the paper at 0
        published, margin = row["published"], row["margin"]
        ax.axvspan(published - margin, published + margin, color="#fcbba1", alpha=0.5, lw=0)
        ax.axvline(published, color="#cb181d", linestyle=":", linewidth=1)
        ax.scatter(published, 0, marker="D", s=60, color="#cb181d", zorder=3)
        ax.errorbar(
            row["mean"],
            positions[0] + 0.3,
            xerr=[[row["mean"] - row["prediction_low"]], [row["prediction_high"] - row["mean"]]],
            fmt="none",
            ecolor="#2171b5",
            capsize=5,
        )
        for position, values in zip(positions, runs.values(), strict=True):
            judged = position == positions[0]
            colour = "#2171b5" if judged else "#bdbdbd"
            ax.scatter(
                values,
                np.full(len(values), position),
                s=36,
                color=colour,
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
            )
            ax.plot([np.mean(values)] * 2, [position - 0.25, position + 0.25], "k-")
        every = [
            published - margin,
            published + margin,
            row["prediction_low"],
            row["prediction_high"],
            *[v for values in runs.values() for v in values],
        ]
        pad = 0.08 * (max(every) - min(every)) + 0.05
        ax.set_xlim(min(every) - pad, max(every) + pad)
        ax.set_ylim(-0.6, len(runs) + 0.7)
        ax.set_yticks([*positions, 0], [*labels, "published (one run)"], fontsize=8)
        ax.set_xlabel("test accuracy (%)")
        title = textwrap.fill(f"{claim} {published:.2f}%", 48)
        ax.set_title(f"{title}\nverdict: {row['verdict']}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    handles = [
        Line2D([], [], marker="D", color="#cb181d", linestyle="none", label="published run"),
        Patch(color="#fcbba1", alpha=0.5, label=f"equivalence margin (±{margin:.2f} points)"),
        Line2D(
            [],
            [],
            marker="o",
            color="#2171b5",
            markeredgecolor="black",
            linestyle="none",
            label="one seed, runs judged",
        ),
        Line2D(
            [],
            [],
            marker="|",
            color="#2171b5",
            markersize=10,
            linestyle="none",
            label="95% interval, one run on other test images",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="#bdbdbd",
            markeredgecolor="black",
            linestyle="none",
            label="one seed, other runs (context)",
        ),
        Line2D([], [], color="black", label="mean over seeds"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig


def plot_per_class_accuracy(tables: dict[str, pd.DataFrame]) -> Figure:
    """Accuracy on the REAL and on the FAKE test images of each CIFAR-10 class, one colour per
    architecture: the mean over seeds with its 95% t-interval (`tables.per_cifar_class_table`),
    in percent, on an axis that starts where the data do."""
    fig = Figure(figsize=(11, 5.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    classes = np.arange(len(CIFAR10_CLASSES))
    offsets = np.linspace(-0.15, 0.15, len(tables))
    colours = sns.color_palette("colorblind")
    for ax, label in zip(axes, LABELS, strict=True):
        for offset, colour, (name, table) in zip(offsets, colours, tables.items(), strict=False):
            mean = 100 * table[f"{label}_mean"].to_numpy()
            error = np.vstack(
                [mean - 100 * table[f"{label}_low"], 100 * table[f"{label}_high"] - mean]
            )
            ax.errorbar(
                mean,
                classes + offset,
                xerr=np.nan_to_num(error),
                fmt="o",
                ms=4,
                capsize=2,
                color=colour,
                label=name,
            )
        ax.set_title(f"{label} test images")
        with_intervals = any(table[f"{label}_low"].notna().any() for table in tables.values())
        ax.set_xlabel(
            "accuracy (%), mean over seeds with 95% t-interval"
            if with_intervals
            else "accuracy (%)"
        )
        ax.grid(axis="x", alpha=0.3, lw=0.5)
    axes[0].set_yticks(classes, CIFAR10_CLASSES)
    axes[0].invert_yaxis()
    axes[0].set_ylabel("CIFAR-10 class")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    fig.suptitle("Accuracy per CIFAR-10 class and label, test split")
    return fig


def plot_error_gallery(
    split: CifakeSplit, indices: dict[str, np.ndarray], probability: np.ndarray, title: str = ""
) -> Figure:
    """Rows of the most confident errors of each kind, each with its P(FAKE) and CIFAR-10
    class (from the file name, as the dataset gives it for both classes), under `title`."""
    columns = max(len(chosen) for chosen in indices.values()) or 1
    fig = Figure(figsize=(1.6 * columns, 2.5 * len(indices) + 0.4), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(indices), columns, squeeze=False))
    for row, (kind, chosen) in enumerate(indices.items()):
        for column in range(columns):
            ax = axes[row, column]
            ax.set_xticks([])
            ax.set_yticks([])
            if column >= len(chosen):
                ax.axis("off")
                continue
            index = chosen[column]
            ax.imshow(split.images[index], interpolation="nearest")
            ax.set_xlabel(
                f"P(FAKE) {probability[index]:.3f}\n{CIFAR10_CLASSES[split.cifar_classes[index]]}",
                fontsize=7,
            )
        axes[row, 0].set_ylabel(kind, fontsize=9)
    if title:
        fig.suptitle(
            f"{title}\n(under each image: its P(FAKE) and its CIFAR-10 class)", fontsize=10
        )
    return fig
