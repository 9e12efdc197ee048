"""Figures of the Grad-CAM analysis; each function returns a matplotlib Figure, unsaved."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..plots import LABEL_COLOURS, overlay_heatmap


def plot_explanations(
    images: np.ndarray,
    maps: dict[str, np.ndarray],
    captions: list[str],
    scale: int = 4,
) -> Figure:
    """One row per image: the upsampled original, then its heatmap overlay for each method.

    `maps` are normalised per image for display ({method: (n, 32, 32) in [0, 1]}).
    """
    columns = 1 + len(maps)
    fig = Figure(figsize=(2.1 * columns, 2.2 * len(images)))
    axes = fig.subplots(len(images), columns, squeeze=False)
    for row, image in enumerate(images):
        axes[row, 0].imshow(overlay_heatmap(image, np.zeros(image.shape[:2]), scale, alpha=0))
        axes[row, 0].set_ylabel(captions[row], fontsize=8)
        for column, (method, method_maps) in enumerate(maps.items(), start=1):
            axes[row, column].imshow(overlay_heatmap(image, method_maps[row], scale))
            if row == 0:
                axes[row, column].set_title(method, fontsize=10)
        if row == 0:
            axes[row, 0].set_title("image", fontsize=10)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_mean_maps(mean_maps: dict[str, np.ndarray], ring: int = 4) -> Figure:
    """Mean heatmap per group on one shared colour scale, with the border ring outlined."""
    fig = Figure(figsize=(3.4 * len(mean_maps) + 0.8, 3.4))
    axes = fig.subplots(1, len(mean_maps), squeeze=False)[0]
    top = max(float(m.max()) for m in mean_maps.values()) or 1.0
    for ax, (title, mean_map) in zip(axes, mean_maps.items(), strict=True):
        shown = ax.imshow(mean_map, cmap="inferno", vmin=0, vmax=top)
        size = mean_map.shape[0]
        ax.add_patch(_square(ring - 0.5, size - 2 * ring))
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=list(axes), fraction=0.03, label="mean map value (shared scale)")
    return fig


def _square(start: float, side: float) -> Rectangle:
    """The outline of the centre region, inside the border ring."""
    return Rectangle((start, start), side, side, fill=False, edgecolor="white", ls="--", lw=1)


def plot_deletion_insertion(curves: dict[str, dict[str, np.ndarray]], title: str) -> Figure:
    """Mean target-class probability against the fraction of pixels deleted / inserted."""
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, kind in zip(axes, ("deletion", "insertion"), strict=True):
        for method, method_curves in curves.items():
            values = method_curves[kind]
            fractions = np.linspace(0, 1, values.shape[1])
            dashed = method in ("random", "centre prior")
            ax.plot(fractions, values.mean(axis=0), label=method, ls="--" if dashed else "-")
        ax.set_xlabel(f"fraction of pixels {'deleted' if kind == 'deletion' else 'inserted'}")
        ax.set_title(f"{kind} ({'lower' if kind == 'deletion' else 'higher'} area is better)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("probability of the target class")
    axes[1].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_randomisation(images: np.ndarray, stages: dict[str, np.ndarray], scale: int = 4) -> Figure:
    """One row per image: its overlay for the trained model and each randomisation depth."""
    fig = Figure(figsize=(2.1 * len(stages), 2.2 * len(images)))
    axes = fig.subplots(len(images), len(stages), squeeze=False)
    for row, image in enumerate(images):
        for column, (stage, maps) in enumerate(stages.items()):
            axes[row, column].imshow(overlay_heatmap(image, maps[row], scale))
            axes[row, column].set_xticks([])
            axes[row, column].set_yticks([])
            if row == 0:
                axes[row, column].set_title(stage, fontsize=9)
    fig.tight_layout()
    return fig


def plot_border_shares(shares: dict[str, np.ndarray], uniform: float) -> Figure:
    """Distribution of the heatmap mass on the border ring, per group, against a uniform map."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    bins = np.linspace(0, 1, 41)
    for group, values in shares.items():
        label = group.split()[0]
        ax.hist(
            values[np.isfinite(values)],
            bins=bins,
            alpha=0.55,
            label=group,
            color=LABEL_COLOURS.get(label),
        )
    ax.axvline(uniform, color="black", ls=":", label=f"uniform map ({uniform:.3f})")
    ax.set_xlabel("share of heatmap mass on the border ring")
    ax.set_ylabel("images")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
