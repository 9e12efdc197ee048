"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import numpy as np
from matplotlib.figure import Figure

from ..decision import format_probability
from ..plots import LABEL_COLOURS, overlay_heatmap
from .predict import Prediction


def plot_predictions(predictions: dict[str, Prediction], columns: int = 3) -> Figure:
    """A grid of images, `columns` per row: each the 32x32 input beside its Grad-CAM overlay,
    titled with its name, verdict and calibrated P(FAKE) (two decimals; "≥ 0.99" / "≤ 0.01" at
    the ends, as the web page shows it), or "out of scope" with the score in grey."""
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
        score = f"{result.label}, P(FAKE) {format_probability(result.fake_probability)}"
        in_scope = result.scope.in_scope
        heat_ax.set_title(
            score if in_scope else f"out of scope\n(score: {score})",
            color=LABEL_COLOURS[result.label] if in_scope else "#777777",
            fontsize=11 if in_scope else 9,
        )
    fig.suptitle(
        "Model input (32x32, left) and the Grad-CAM of its score (right); P(FAKE) calibrated",
        fontsize=12,
    )
    return fig


def plot_scope_examples(examples: list[tuple[np.ndarray, str]], columns: int = 6) -> Figure:
    """Images from outside CIFAKE as the model sees them (32x32), each captioned with its set
    and the scope rule's decision (in brackets: the feature atypicality)."""
    rows = -(-len(examples) // columns)
    fig = Figure(figsize=(2.3 * columns, 2.4 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, (pixels, caption) in zip(axes.ravel(), examples, strict=False):
        ax.imshow(pixels, interpolation="nearest")
        colour = "#2e7d32" if "in scope" in caption else "#8a4b00"
        ax.set_title(caption, fontsize=8, color=colour)
    fig.suptitle("The scope rule on images from outside CIFAKE (green: in scope)", fontsize=12)
    return fig
