"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import textwrap

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

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
        shown_name = textwrap.fill(name.replace("_", " "), 24).replace(" ", "_")
        image_ax.set_title(f"{shown_name}\ntrue {truths[name]}", fontsize=9)
        score = f"{result.label}, P(FAKE) {format_probability(result.fake_probability)}"
        if result.scope.in_scope:
            right = "right" if result.label == truths[name] else "WRONG"
            title, colour = f"{score}\n{right}", LABEL_COLOURS[result.label]
        else:
            reason = textwrap.shorten(result.scope.reasons[0], 80, placeholder="…")
            title, colour = (
                f"{textwrap.fill('out of scope: ' + reason, 34)}\n(score: {score})",
                "#777777",
            )
        heat_ax.set_title(title, color=colour, fontsize=9)
    scale = ScalarMappable(Normalize(0, 1), cmap="jet")
    bar = fig.colorbar(scale, ax=axes, location="bottom", shrink=0.4, aspect=40)
    bar.set_label("Grad-CAM of its score, scaled per image to [0, 1]", fontsize=9)
    fig.suptitle(
        f"{model}: model input (32x32, left) and the Grad-CAM of its score (right)\n"
        "P(FAKE) calibrated; verdicts in blue REAL, in red FAKE, in grey out of scope",
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


def plot_scope_shares(scope: pd.DataFrame) -> Figure:
    """Per set of images (`scope_study.scope_table`), the share the scope rule puts out of
    scope, in percent, with its 95% Wilson interval over the set's images (for crop sets the
    crops of one picture are not independent, so their interval is too narrow), against the
    share of CIFAKE's own test images it flags, its false-alarm rate."""
    own = scope.loc[[name for name in scope.index if name.startswith("CIFAKE test ")]]
    others = scope.drop(own.index)
    false_alarm = 100 * float(np.average(own["out_of_scope"], weights=own["count"]))
    fig = Figure(figsize=(8.5, 0.32 * len(others) + 1.6), layout="constrained")
    ax = fig.subplots()
    positions = np.arange(len(others))[::-1]
    share = 100 * others["out_of_scope"].to_numpy()
    low, high = (100 * np.array(b) for b in wilson_bounds(others["out_of_scope"], others["count"]))
    transformed = np.array([name.startswith("CIFAKE test,") for name in others.index])
    colours = np.where(transformed, "#6baed6", "#fd8d3c")
    ax.barh(positions, share, color=colours, height=0.7)
    ax.errorbar(share, positions, xerr=[share - low, high - share], fmt="none", color="black",
                capsize=2, lw=0.8)  # fmt: skip
    ax.axvline(false_alarm, color="black", ls="--", lw=1)
    ax.set_yticks(positions, [n.removeprefix("CIFAKE test, ") for n in others.index], fontsize=8)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 2, 5, 10, 25, 50, 100], ["0", "2", "5", "10", "25", "50", "100"])
    ax.set_xlabel("share put out of scope (%, 95% Wilson interval; linear to 10%, log above)")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(
        handles=[
            Patch(color="#fd8d3c", label="images from outside CIFAKE"),
            Patch(color="#6baed6", label="CIFAKE test images, transformed as in notebook 07"),
            Line2D(
                [],
                [],
                color="black",
                ls="--",
                label=f"CIFAKE's own test images flagged ({false_alarm:.1f}%)",
            ),
        ],  # fmt: skip
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    ax.set_title("How often the scope rule sets an image aside, per set of images", fontsize=10)
    return fig


def wilson_bounds(share, count, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of each share of `count` images."""
    share, count = np.asarray(share, dtype=float), np.asarray(count, dtype=float)
    centre = (share + z**2 / (2 * count)) / (1 + z**2 / count)
    half = z * np.sqrt(share * (1 - share) / count + z**2 / (4 * count**2)) / (1 + z**2 / count)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
