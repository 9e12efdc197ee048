"""The demo's image set (CIFAKE test images written as files, photos that are not CIFAKE) and
the summary of the model it demonstrates."""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import sklearn
from PIL import Image

from ..constants import CIFAR10_CLASSES, LABELS
from ..data.loading import CifakeSplit
from ..models.saved import ModelInfo
from .predict import Prediction


def write_cifake_examples(test: CifakeSplit, folder: Path, per_label: int, seed: int) -> list[Path]:
    """Save `per_label` random test images of each label as PNG files, named by their origin."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index, label in enumerate(LABELS):
        pool = np.flatnonzero(test.labels == index)
        for chosen in np.sort(rng.choice(pool, size=per_label, replace=False)):
            klass = CIFAR10_CLASSES[test.cifar_classes[chosen]]
            path = folder / f"cifake_test_{label}_{chosen:05d}_{klass}.png"
            Image.fromarray(test.images[chosen]).save(path)
            paths.append(path)
    return paths


def bundled_photos() -> list[Path]:
    """Real photographs that ship with installed packages (no download): not from CIFAKE."""
    sklearn_images = Path(sklearn.__file__).parent / "datasets" / "images"
    matplotlib_images = Path(matplotlib.get_data_path()) / "sample_data"
    return [
        sklearn_images / "china.jpg",
        sklearn_images / "flower.jpg",
        matplotlib_images / "grace_hopper.jpg",
    ]


def model_summary(info: ModelInfo) -> pd.Series:
    """What notebook 06 shows of the served model: its file, training, calibration and scope."""
    reference = info.scope_reference or {}
    return pd.Series(
        {
            "path": str(info.path),
            "architecture": info.architecture,
            "seed": info.seed,
            "validation accuracy": info.validation_accuracy,
            "temperature": info.temperature,
            "feature atypicality threshold": reference.get("threshold"),
            "reference training images": reference.get("train_images"),
        },
        name="value",
    )


def prediction_table(results: dict[str, Prediction]) -> pd.DataFrame:
    """One row per image: its scope (and why not), the verdict, calibrated and raw P(FAKE)."""
    return pd.DataFrame(
        [
            {
                "image": name,
                "in scope": result.scope.in_scope,
                "why not": "; ".join(result.scope.reasons),
                "verdict": result.label,
                "P(FAKE)": result.fake_probability,
                "raw P(FAKE)": result.raw_fake_probability,
            }
            for name, result in results.items()
        ]
    ).set_index("image")
