"""Training curves of one or more runs, and the recipe search."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def plot_training_curves(histories: dict[str, dict[str, list[float]]]) -> Figure:
    """Loss and accuracy per epoch, training (dashed) and validation (solid), one colour a run."""
    fig = Figure(figsize=(12, 4))
    axes = fig.subplots(1, 2)
    colours = [f"C{k}" for k in range(10)]
    for (name, history), colour in zip(histories.items(), colours * 10, strict=False):
        epochs = np.arange(1, len(history["loss"]) + 1)
        for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
            ax.plot(epochs, history[metric], ls="--", color=colour, alpha=0.7)
            ax.plot(epochs, history[f"val_{metric}"], color=colour, label=name, marker=".")
    for ax, metric in zip(axes, ("binary cross-entropy", "accuracy"), strict=True):
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[0].set_title("loss: training dashed, validation solid")
    axes[1].set_title("accuracy: training dashed, validation solid")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_recipe_search(search: pd.DataFrame, display_names: dict[str, str]) -> Figure:
    """Validation accuracy of every run of the recipe search, one panel per architecture.

    Bars are in search order (top to bottom); the dashed line is the untuned recipe and the
    chosen recipe's bar is outlined in black.
    """
    architectures = list(dict.fromkeys(search["architecture"]))
    heights = [int((search["architecture"] == a).sum()) for a in architectures]
    fig = Figure(figsize=(11, 0.42 * max(heights) + 1.6))
    axes = fig.subplots(1, len(architectures), squeeze=False)[0]
    for ax, architecture in zip(axes, architectures, strict=True):
        rows = search[search["architecture"] == architecture].reset_index(drop=True)
        accuracy = 100 * rows["val_accuracy"].to_numpy()
        positions = np.arange(len(rows))[::-1]
        untuned = accuracy[(rows["stage"] == "untuned").to_numpy()][0]
        colours = ["#2ca02c" if value > untuned else "#d62728" for value in accuracy]
        colours[int(np.flatnonzero((rows["stage"] == "untuned").to_numpy())[0])] = "grey"
        bars = ax.barh(positions, accuracy, color=colours, alpha=0.8)
        for bar, chosen in zip(bars, rows["chosen"].astype(bool), strict=True):
            if chosen:
                bar.set_edgecolor("black")
                bar.set_linewidth(2)
        for position, value in zip(positions, accuracy, strict=True):
            ax.text(value + 0.05, position, f"{value:.2f}", va="center", fontsize=8)
        ax.axvline(untuned, ls="--", color="grey", lw=1)
        labels = (rows["stage"] + ": " + rows["change"]).tolist()
        ax.set_yticks(positions, labels)
        ax.tick_params(axis="y", labelsize=8)
        low = min(accuracy.min(), untuned) - 1.0
        ax.set_xlim(low, accuracy.max() + 0.8)
        ax.set_xlabel("validation accuracy (%), seed 0")
        ax.set_title(display_names.get(architecture, architecture))
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        "Recipe search, one change at a time (green: above the untuned recipe, dashed; "
        "outlined: chosen)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
