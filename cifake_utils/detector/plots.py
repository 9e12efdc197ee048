"""Notebook 06's figure: each image as the model saw it, with its verdict and heatmap."""

import textwrap

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
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
    (`truths`), or "out of scope" with the rule's reasons in brief and the score in grey (the
    whole reasons are in the notebook's table)."""
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
            reason = result.scope.brief or result.scope.reasons[0]
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
    """Per set of images (`scope_study.scope_table`), the share the feature test flags, in
    percent, with its 95% Wilson interval over the set's images (for crop sets the crops of one
    picture are not independent, so their interval is too narrow), against the share of
    CIFAKE's own test images it flags, its false-alarm rate. Where the size rule alone sets
    more aside (`out_of_scope` above `flagged_by_features`), that part is drawn hatched. Two
    panels, each on its own linear axis: the sets from outside CIFAKE, and CIFAKE's test images
    transformed as in notebook 07, whose shares lie near the false-alarm rate."""
    own = scope.loc[[name for name in scope.index if name.startswith("CIFAKE test ")]]
    others = scope.drop(own.index)
    flagged = others.get("flagged_by_features", others["out_of_scope"])
    false_alarm = 100 * float(np.average(own["out_of_scope"], weights=own["count"]))
    transformed = np.array([name.startswith("CIFAKE test,") for name in others.index])
    panels = [
        (~transformed, "images from outside CIFAKE", "#fd8d3c", 100),
        (transformed, "CIFAKE test images, transformed as in notebook 07", "#6baed6", None),
    ]
    panels = [panel for panel in panels if panel[0].any()]
    heights = [int(panel[0].sum()) + 1 for panel in panels]
    fig = Figure(figsize=(8.5, 0.3 * sum(heights) + 2.0), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, (rows, title, colour, right) in zip(axes, panels, strict=True):
        names = others.index[rows]
        share = 100 * flagged[rows].to_numpy()
        size_only = 100 * others["out_of_scope"][rows].to_numpy() - share
        low, high = (100 * np.array(b) for b in wilson_bounds(share / 100, others["count"][rows]))
        positions = np.arange(len(names))[::-1]
        ax.barh(positions, share, color=colour, height=0.7)
        ax.barh(positions, size_only, left=share, color="white", edgecolor="grey", hatch="//",
                height=0.7, label="set aside by the size rule alone")  # fmt: skip
        ax.errorbar(share, positions, xerr=[share - low, high - share], fmt="none",
                    color="black", capsize=2, lw=0.8)  # fmt: skip
        for y, value, top in zip(positions, share, high, strict=True):
            ax.text(top, y, f" {value:.1f}%", va="center", fontsize=7)
        ax.axvline(false_alarm, color="black", ls="--", lw=1,
                   label=f"CIFAKE's own test images flagged ({false_alarm:.1f}%)")  # fmt: skip
        ax.set_yticks(positions, [n.removeprefix("CIFAKE test, ") for n in names], fontsize=8)
        ax.set_xlim(0, right or 1.5 * max(high.max(), false_alarm))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("share flagged by the feature test (%, 95% Wilson interval)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)

    handles, labels = axes[0].get_legend_handles_labels()
    if not any(label.startswith("set aside") for label in labels):
        handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.suptitle("How often the scope rule sets an image aside, per set of images", fontsize=10)
    return fig


def wilson_bounds(share, count, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of each share of `count` images."""
    share, count = np.asarray(share, dtype=float), np.asarray(count, dtype=float)
    centre = (share + z**2 / (2 * count)) / (1 + z**2 / count)
    half = z * np.sqrt(share * (1 - share) / count + z**2 / (4 * count**2)) / (1 + z**2 / count)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
