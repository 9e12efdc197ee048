"""Figures of the test-set evaluation; each function returns a matplotlib Figure, unsaved."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sklearn import metrics as skm

from ..constants import CIFAR10_CLASSES, LABELS
from ..data.loading import CifakeSplit
from .findings import prediction_interval


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


def plot_paper_comparison(
    headline: pd.DataFrame, accuracies: dict[str, dict[str, list[float]]]
) -> Figure:
    """One panel per paper model, on an axis of its own so that its gap shows: every seed's test
    accuracy under the untuned and the tuned recipe, the tuned mean, the 95% prediction interval
    for one new tuned run, and the paper's single run.

    `accuracies` maps a model's display name to {"untuned recipe": [...], "tuned recipe": [...]}
    in percent. The paper reports one run, so it is read against the prediction interval, not
    against the interval of our mean.
    """
    models = list(headline.index)
    fig = Figure(figsize=(5.2 * len(models), 3.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(models)))
    rows = {"tuned recipe": 2, "untuned recipe": 1, "paper (one run)": 0}
    for ax, model in zip(axes, models, strict=True):
        row = headline.loc[model]
        low, high = prediction_interval(row["tuned_mean"], row["tuned_std"], row["tuned_seeds"])
        if np.isfinite(low):
            ax.errorbar(
                row["tuned_mean"],
                rows["tuned recipe"] + 0.3,
                xerr=[[row["tuned_mean"] - low], [high - row["tuned_mean"]]],
                fmt="none",
                ecolor="#2171b5",
                capsize=5,
                label="95% prediction interval for one tuned run",
            )
        for recipe, colour in (("untuned recipe", "#9ecae1"), ("tuned recipe", "#2171b5")):
            values = accuracies[model].get(recipe, [])
            ax.scatter(
                values,
                np.full(len(values), rows[recipe]),
                s=40,
                color=colour,
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
                label=f"one seed, {recipe}" if model == models[0] else None,
            )
            if values:
                ax.plot([np.mean(values)] * 2, [rows[recipe] - 0.25, rows[recipe] + 0.25], "k-")
        ax.scatter(
            row["paper"],
            rows["paper (one run)"],
            marker="D",
            s=60,
            color="#cb181d",
            zorder=3,
            label="paper",
        )
        ax.axvline(row["paper"], color="#cb181d", linestyle=":", linewidth=1)
        shown = [
            row["paper"],
            low,
            high,
            *accuracies[model].get("tuned recipe", []),
            *accuracies[model].get("untuned recipe", []),
        ]
        shown = [v for v in shown if np.isfinite(v)]
        margin = 0.1 * (max(shown) - min(shown)) + 0.1
        ax.set_xlim(min(shown) - margin, max(shown) + margin)
        ax.set_ylim(-0.6, 2.7)
        ax.set_yticks(list(rows.values()), list(rows))
        ax.set_xlabel("test accuracy (%)")
        ax.set_title(
            f"{model}: paper {row['paper']:.2f}%, ours {row['tuned_mean']:.2f}% (mean)", fontsize=10
        )
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    handles.append(Line2D([], [], color="black"))
    labels.append("mean over seeds")
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig


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
