"""Figures of the test-set evaluation; each function returns a matplotlib Figure, unsaved."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
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
    fig.tight_layout()
    return fig


def plot_roc_curves(y_true: np.ndarray, probabilities: dict[str, np.ndarray]) -> Figure:
    """ROC curves (FAKE as the positive class) with their AUC in the legend."""
    fig = Figure(figsize=(5.5, 5))
    ax = fig.subplots()
    for name, probability in probabilities.items():
        fpr, tpr, _ = skm.roc_curve(y_true, probability)
        auc = skm.roc_auc_score(y_true, probability)
        ax.plot(fpr, tpr, lw=1.2, label=f"{name} (AUC {auc:.4f})")
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1)
    ax.set_xlabel("false positive rate (REAL called FAKE)")
    ax.set_ylabel("true positive rate (FAKE called FAKE)")
    ax.set_title("ROC, test split")
    ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_precision_recall_curves(
    y_true: np.ndarray, probabilities: dict[str, np.ndarray]
) -> Figure:
    """Precision-recall curves with each class in turn as the positive one."""
    fig = Figure(figsize=(11, 4.6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, positive in zip(axes, LABELS, strict=True):
        for name, probability in probabilities.items():
            is_positive = y_true == LABELS.index(positive)
            score = probability if positive == "FAKE" else 1.0 - probability
            precision, recall, _ = skm.precision_recall_curve(is_positive, score)
            ap = skm.average_precision_score(is_positive, score)
            ax.plot(recall, precision, lw=1.2, label=f"{name} (AP {ap:.4f})")
        ax.set_xlabel("recall")
        ax.set_title(f"{positive} as the positive class")
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("precision")
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
    axes[0].set_title("reliability diagram, test split")
    axes[0].legend(fontsize=7)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("confidence bin")
    axes[1].set_ylabel("images")
    axes[1].set_title("images per bin")
    fig.tight_layout()
    return fig


def plot_paper_comparison(headline: pd.DataFrame, best_variant: dict | None = None) -> Figure:
    """Test accuracy per model: the paper's number, our untuned and tuned recipes (mean with the
    95% t-interval over seeds as error bars), and optionally the best variant.

    Accuracy alone: on these balanced classes the paper's weighted recall equals accuracy and
    its weighted precision and F1 sit within hundredths of a point of it. The axis starts at
    50%, chance level, so bar lengths compare what each model adds over guessing.
    """
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    ax = fig.subplots()
    groups = list(headline.index) + ([best_variant["model"]] if best_variant else [])
    sources = [
        ("paper", "#bbbbbb", "//"),
        ("untuned recipe", "#9ecae1", None),
        ("tuned recipe", "#2171b5", None),
    ]
    width = 0.26
    for k, (source, colour, hatch) in enumerate(sources):
        values, lower, upper, positions = [], [], [], []
        for g, group in enumerate(groups):
            value, low, high = _accuracy(headline, best_variant, group, source)
            if value is None:
                continue
            positions.append(g + (k - 1) * width)
            values.append(value)
            lower.append(value - low if low is not None else 0)
            upper.append(high - value if high is not None else 0)
        has_interval = source != "paper"
        drawn = ax.bar(
            positions,
            [v - 50 for v in values],
            width,
            bottom=50,
            color=colour,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.5,
            label=source,
            yerr=[lower, upper] if has_interval else None,
            capsize=4 if has_interval else 0,
        )
        ax.bar_label(drawn, labels=[f"{v:.2f}" for v in values], fontsize=9, padding=3)
    ax.set_xticks(range(len(groups)), groups, fontsize=11)
    ax.set_ylim(50, 101)
    ax.set_ylabel("test accuracy (%), axis from chance (50%)")
    ax.set_title(
        "Reported vs reproduced test accuracy (20,000 images); error bars: 95% t-interval "
        "over seeds",
        fontsize=11,
    )
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _accuracy(
    headline: pd.DataFrame, best_variant: dict | None, group: str, source: str
) -> tuple[float | None, float | None, float | None]:
    """(value, low, high) in percent of one bar; None where the bar does not exist."""
    if group in headline.index:
        row = headline.loc[group]
        if source == "paper":
            return float(row["paper"]), None, None
        if source == "untuned recipe":  # an earlier run: its mean only
            return float(row["untuned_mean"]), None, None
        low, high = row["tuned_t_low"], row["tuned_t_high"]
        interval = (None, None) if np.isnan(low) else (float(low), float(high))
        return float(row["tuned_mean"]), *interval
    if source != "tuned recipe":
        return None, None, None
    low, high = best_variant["t_low"], best_variant["t_high"]
    interval = (None, None) if np.isnan(low) else (float(low), float(high))
    return float(best_variant["mean"]), *interval


def plot_per_class_accuracy(table: pd.DataFrame, title: str) -> Figure:
    """Heatmap of accuracy per CIFAR-10 class on REAL and FAKE images."""
    fig = Figure(figsize=(4.8, 5.5))
    ax = fig.subplots()
    sns.heatmap(
        table.astype(float),
        annot=True,
        fmt=".3f",
        cmap="viridis",
        ax=ax,
        cbar_kws={"label": "accuracy"},
    )
    ax.set_title(title)
    ax.set_xlabel("true label")
    fig.tight_layout()
    return fig


def plot_error_gallery(
    split: CifakeSplit, indices: dict[str, np.ndarray], probability: np.ndarray
) -> Figure:
    """Rows of the most confident errors of each kind, each with its P(FAKE) and class."""
    columns = max(len(chosen) for chosen in indices.values()) or 1
    fig = Figure(figsize=(1.6 * columns, 2.1 * len(indices)))
    axes = np.atleast_2d(fig.subplots(len(indices), columns, squeeze=False))
    for row, (title, chosen) in enumerate(indices.items()):
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
        axes[row, 0].set_ylabel(title, fontsize=9)
    fig.tight_layout()
    return fig
