"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import numpy as np
from matplotlib.figure import Figure

from ..decision import format_probability
from ..plots import LABEL_COLOURS, overlay_heatmap
from .predict import Prediction


def plot_predictions(predictions: dict[str, Prediction], columns: int = 3) -> Figure:
    """A grid of images, `columns` per row: each the 32x32 input beside its Grad-CAM overlay,
    titled with its name, verdict and P(FAKE) (two decimals; "≥ 0.99" / "≤ 0.01" at the ends,
    as the web page shows it)."""
    rows = -(-len(predictions) // columns)
    fig = Figure(figsize=(4.6 * columns, 2.7 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, 2 * columns, squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
    for index, (name, result) in enumerate(predictions.items()):
        row, column = divmod(index, columns)
        image_ax, heat_ax = axes[row, 2 * column], axes[row, 2 * column + 1]
        image_ax.imshow(overlay_heatmap(result.pixels, np.zeros((32, 32)), alpha=0))
        heat_ax.imshow(result.overlay)
        image_ax.set_title(name if len(name) <= 28 else name[:25] + "...", fontsize=10)
        heat_ax.set_title(
            f"{result.label}, P(FAKE) {format_probability(result.fake_probability)}",
            color=LABEL_COLOURS[result.label],
            fontsize=11,
        )
    fig.suptitle("Model input (32x32, left) and the Grad-CAM of its verdict (right)", fontsize=12)
    return fig
