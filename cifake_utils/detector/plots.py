"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import textwrap

import numpy as np
from matplotlib.figure import Figure

from ..decision import format_probability
from ..plots import LABEL_COLOURS, overlay_heatmap
from .predict import Prediction


def plot_predictions(
    predictions: dict[str, Prediction], truths: dict[str, str], model: str, columns: int = 3
) -> Figure:
    """A grid of images, `columns` per row: each the 32x32 input beside its Grad-CAM overlay,
    titled with its name, verdict and calibrated P(FAKE) (two decimals; "≥ 0.99" / "≤ 0.01" at
    the ends, as the web page shows it) and whether it matches the image's true class
    (`truths`), or "out of scope" with the rule's first reason and the score in grey."""
    rows = -(-len(predictions) // columns)
    fig = Figure(figsize=(4.8 * columns, 2.9 * rows + 0.5), layout="constrained")
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
        image_ax.set_title(f"{textwrap.fill(name, 24)}\ntrue {truths[name]}", fontsize=9)
        score = f"{result.label}, P(FAKE) {format_probability(result.fake_probability)}"
        if result.scope.in_scope:
            right = "right" if result.label == truths[name] else "WRONG"
            title, colour = f"{score}\n{right}", LABEL_COLOURS[result.label]
        else:
            reason = textwrap.shorten(result.scope.reasons[0], 60, placeholder="…")
            title, colour = (
                f"out of scope: {textwrap.fill(reason, 30)}\n(score: {score})",
                "#777777",
            )
        heat_ax.set_title(title, color=colour, fontsize=9)
    fig.suptitle(
        f"{model}: model input (32x32, left) and the Grad-CAM of its score (right); "
        "P(FAKE) calibrated",
        fontsize=12,
    )
    return fig


def plot_scope_examples(
    examples: list[tuple[np.ndarray, str]], threshold: float, columns: int = 5
) -> Figure:
    """One image of each set as the model sees it (32x32), captioned with the set, the share
    of the whole set the scope rule puts out of scope, and the decision on this image (in
    brackets: its feature atypicality, out of scope above `threshold`)."""
    rows = -(-len(examples) // columns)
    fig = Figure(figsize=(2.9 * columns, 2.5 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, (pixels, caption) in zip(axes.ravel(), examples, strict=False):
        ax.imshow(pixels, interpolation="nearest")
        colour = "#2e7d32" if "in scope" in caption else "#8a4b00"
        ax.set_title(textwrap.fill(caption, 34), fontsize=8, color=colour)
    fig.suptitle(
        "The scope rule on sets of outside and transformed CIFAKE test images: one example of "
        "each as the model sees it,\nwith the share of its set put out of scope (green: this "
        f"example in scope; in brackets its feature atypicality, out above {threshold:.2f})",
        fontsize=11,
    )
    return fig
