"""Encode arrays and figures for pages: PNG bytes as data URIs, never files on disk."""

import base64
import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image


def png_data_uri(pixels: np.ndarray, scale: int = 1) -> str:
    """A uint8 RGB array as a `data:image/png` URI, optionally upsampled (nearest)."""
    image = Image.fromarray(pixels)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def figure_data_uri(fig: Figure) -> str:
    """A matplotlib Figure as a `data:image/png` URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
