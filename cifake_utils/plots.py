"""What every figure shares: the class colours, saving, and the heatmap overlay."""

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

LABEL_COLOURS = {"REAL": "#1f77b4", "FAKE": "#d62728"}
CHANNELS = ("red", "green", "blue")


def save_figure(fig: Figure, name: str, figures_dir: Path) -> Path:
    """Write `fig` to `figures_dir/<name>.png` and return the path."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    path = figures_dir / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def overlay_heatmap(
    image: np.ndarray, heatmap: np.ndarray, scale: int = 4, alpha: float = 0.45
) -> np.ndarray:
    """The image upsampled `scale` times (nearest) with a jet-coloured heatmap in [0, 1] on top.

    Returns uint8 RGB of shape (32 * scale, 32 * scale, 3), for figures, the demo and the app.
    """
    size = (image.shape[1] * scale, image.shape[0] * scale)
    upsampled = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.NEAREST))
    heat = Image.fromarray(np.clip(heatmap, 0, 1).astype(np.float32)).resize(
        size, Image.Resampling.BILINEAR
    )
    coloured = colormaps["jet"](np.clip(np.asarray(heat), 0, 1))[..., :3] * 255
    blended = (1 - alpha) * upsampled.astype(np.float32) + alpha * coloured
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def save_figures(figures: dict[str, Figure], figures_dir: Path) -> list[Figure]:
    """Write each figure as `<stem>.png`; return the figures, to show them in a notebook."""
    for name, fig in figures.items():
        save_figure(fig, name, figures_dir)
    return list(figures.values())


def marker_handle(
    label: str, colour: str = "black", marker: str = "o", hollow: bool = False, size: float = 7
) -> Line2D:
    """A legend entry for a scatter marker, filled or hollow."""
    face = "none" if hollow else colour
    return Line2D(
        [],
        [],
        marker=marker,
        ls="",
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=colour,
        label=label,
    )
