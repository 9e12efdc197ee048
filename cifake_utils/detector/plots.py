"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import numpy as np
from matplotlib.figure import Figure

from ..plots import LABEL_COLOURS, overlay_heatmap
from .predict import Prediction


def plot_predictions(predictions: dict[str, Prediction]) -> Figure:
    """One column per image: the 32x32 input upsampled, and its Grad-CAM overlay, with verdict."""
    fig = Figure(figsize=(2.2 * len(predictions), 4.9))
    axes = fig.subplots(2, len(predictions), squeeze=False)
    for column, (name, result) in enumerate(predictions.items()):
        axes[0, column].imshow(overlay_heatmap(result.pixels, np.zeros((32, 32)), alpha=0))
        axes[0, column].set_title(name, fontsize=7)
        axes[1, column].imshow(result.overlay)
        axes[1, column].set_xlabel(
            f"{result.label}\nP(FAKE) {result.fake_probability:.3f}",
            color=LABEL_COLOURS[result.label],
            fontsize=9,
        )
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].set_ylabel("model input (32x32)")
    axes[1, 0].set_ylabel("Grad-CAM of the verdict")
    fig.tight_layout()
    return fig
