"""The demo's image set: CIFAKE test images written as files, and photos that are not CIFAKE."""

from pathlib import Path

import matplotlib
import numpy as np
import sklearn
from PIL import Image

from ..constants import CIFAR10_CLASSES, LABELS
from ..data.loading import CifakeSplit


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
