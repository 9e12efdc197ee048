"""Training curves of one or more runs."""

import numpy as np
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
