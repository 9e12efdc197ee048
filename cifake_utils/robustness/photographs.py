"""Real photographs that are not CIFAR-10 images: do the detectors call them REAL?

They ship with installed packages (no download) under licences that allow showing them:
scikit-image's sample data (CC0 or public domain, as its `skimage.data` docstrings say),
scikit-learn's two sample images (CC BY 2.0, credited in its `datasets/images/README.txt`) and
matplotlib's portrait of Grace Hopper (a US Navy photograph, public domain). Each is shrunk to
32x32 exactly as the demo and the web app shrink an upload (`images.read_pixels`).
"""

from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import skimage
import sklearn

from ..decision import THRESHOLD
from ..images import read_pixels
from ..models.inference import predict_fake_probability


@dataclass(frozen=True)
class Photograph:
    name: str
    path: Path
    source: str  # the package that ships it
    licence: str
    kind: str = "scene"  # or "texture": a close-up of a surface, no scene to recognise


def _skimage(name: str, licence: str, kind: str = "scene") -> Photograph:
    folder = Path(skimage.__file__).parent / "data"
    return Photograph(name, folder / name, "scikit-image", licence, kind)


def _sklearn(name: str) -> Photograph:
    folder = Path(sklearn.__file__).parent / "datasets" / "images"
    return Photograph(name, folder / name, "scikit-learn", "CC BY 2.0")


def photographs() -> list[Photograph]:
    """The photographs, in a fixed order. Photographs only: drawings, micrographs and
    synthetic test patterns of the same packages are left out, as are images whose licence
    their package does not state."""
    matplotlib_folder = Path(matplotlib.get_data_path()) / "sample_data"
    return [
        _skimage("astronaut.png", "public domain (NASA)"),
        _skimage("camera.png", "CC0"),
        _skimage("chelsea.png", "CC0"),
        _skimage("coffee.png", "CC0"),
        _skimage("coins.png", "no known copyright restrictions", "texture"),
        _skimage("rocket.jpg", "public domain (SpaceX)"),
        _skimage("hubble_deep_field.jpg", "public domain (NASA)", "texture"),
        _skimage("brick.png", "CC0", "texture"),
        _skimage("grass.png", "CC0", "texture"),
        _skimage("gravel.png", "CC0", "texture"),
        _sklearn("china.jpg"),
        _sklearn("flower.jpg"),
        Photograph(
            "grace_hopper.jpg",
            matplotlib_folder / "grace_hopper.jpg",
            "matplotlib",
            "public domain (US Navy)",
        ),
    ]


def photograph_pixels(chosen: list[Photograph]) -> np.ndarray:
    """(n, 32, 32, 3) uint8: each photograph as the models see it."""
    return np.stack([read_pixels(photo.path) for photo in chosen])


def photograph_verdicts(
    models: dict[tuple[str, int], object], chosen: list[Photograph], pixels: np.ndarray
) -> pd.DataFrame:
    """P(FAKE) of every photograph under every (architecture, seed) model, one row each."""
    rows = []
    for (architecture, seed), model in models.items():
        for photo, p_fake in zip(chosen, predict_fake_probability(model, pixels), strict=True):
            rows.append(
                {
                    "photograph": photo.name,
                    "kind": photo.kind,
                    "source": photo.source,
                    "architecture": architecture,
                    "seed": seed,
                    "p_fake": float(p_fake),
                    "called_real": bool(p_fake < THRESHOLD),
                }
            )
    return pd.DataFrame(rows)


def share_called_real(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: the share of (photograph, seed) verdicts that say REAL, the mean over
    seeds of the per-seed share with its range, and the photographs every seed calls FAKE."""
    rows = []
    for architecture, group in verdicts.groupby("architecture", sort=False):
        per_seed = group.groupby("seed")["called_real"].mean()
        always_fake = group.groupby("photograph")["called_real"].sum() == 0
        kinds = {}
        if "kind" in group:  # scenes and textures apart: they need not fail alike
            for kind, rows_of_kind in group.groupby("kind"):
                kinds[f"{kind}s"] = int(rows_of_kind["photograph"].nunique())
                kinds[f"{kind}_share_called_real"] = float(rows_of_kind["called_real"].mean())
        rows.append(
            {
                "architecture": architecture,
                "photographs": group["photograph"].nunique(),
                "seeds": len(per_seed),
                "share_called_real": float(per_seed.mean()),
                "share_min": float(per_seed.min()),
                "share_max": float(per_seed.max()),
                "always_fake": ", ".join(always_fake[always_fake].index),
                **kinds,
            }
        )
    return pd.DataFrame(rows).set_index("architecture")
