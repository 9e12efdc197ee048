"""Seeded, stratified index splits of the cached arrays, saved for the later notebooks."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..constants import CIFAR10_CLASSES, EXPECTED_COUNTS, LABELS
from ..errors import CifakeDataError
from .audit import find_test_images_in_train, pixel_digests
from .loading import CifakeData, CifakeSplit, DataConfig

_INDEX_NAMES = ("train", "validation", "test", "test_deduplicated")


@dataclass(frozen=True)
class SplitConfig:
    """How the study's subsets are drawn from CIFAKE."""

    validation_fraction: float = 0.1  # of the training images, held out for model choice
    train_images: int | None = None  # None: all 100,000 (smoke runs take a subset)
    test_images: int | None = None  # None: all 20,000
    seed: int = 0  # every random choice below derives from this


@dataclass(frozen=True)
class Splits:
    """Indices into `CifakeData.train` / `.test`; the official test split is never shuffled."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    test_deduplicated: np.ndarray  # `test` minus images whose pixels also occur in train
    data_checksum: str
    config: SplitConfig


def strata(split: CifakeSplit) -> np.ndarray:
    """One stratum per (label, CIFAR-10 class): 20 in all."""
    return split.labels.astype(np.int64) * len(CIFAR10_CLASSES) + split.cifar_classes


def stratified_sample(split: CifakeSplit, size: int | None, seed: int) -> np.ndarray:
    """Sorted indices of `size` images drawn with the strata's proportions (all if None)."""
    everything = np.arange(len(split))
    if size is None or size >= len(split):
        return everything
    sample, _ = train_test_split(
        everything, train_size=size, stratify=strata(split), random_state=seed
    )
    return np.sort(sample)


def sample_per_label(split: CifakeSplit, per_label: int, seed: int) -> dict[str, np.ndarray]:
    """Up to `per_label` indices of each label, stratified by CIFAR-10 class: {"REAL": ...}."""
    picked = {}
    for index, label in enumerate(LABELS):
        pool = np.flatnonzero(split.labels == index)
        within = stratified_sample(split.subset(pool), min(per_label, len(pool)), seed)
        picked[label] = pool[within]
    return picked


def balanced_subset(
    arrays: tuple[np.ndarray, np.ndarray], size: int | None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`size` images, half of each label, drawn without replacement (seeded), in their
    original order; the arrays themselves when `size` is None or not smaller."""
    images, labels = arrays
    if size is None or size >= len(labels):
        return arrays
    rng = np.random.default_rng(seed)
    chosen = np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(labels == label), size // 2, replace=False)
                for label in (0, 1)
            ]
        )
    )
    return images[chosen], labels[chosen]


def duplicate_groups(split: CifakeSplit) -> np.ndarray:
    """A group number per image: images with identical pixels share one, the rest are alone."""
    _, groups = np.unique(pixel_digests(split), return_inverse=True)
    return groups


def carve_validation(
    split: CifakeSplit, pool: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split `pool` into (train, validation), stratified, never parting identical images.

    Whole groups of pixel-identical images are drawn, so no validation image has a copy in
    train (the stratum of a group is that of its first image).
    """
    groups = duplicate_groups(split.subset(pool))
    _, first = np.unique(groups, return_index=True)
    train_groups, validation_groups = train_test_split(
        groups[first],
        test_size=fraction,
        stratify=strata(split)[pool][first],
        random_state=seed,
    )
    in_validation = np.isin(groups, validation_groups)
    return pool[~in_validation], pool[in_validation]


def make_splits(data: CifakeData, config: SplitConfig = SplitConfig()) -> Splits:
    """Carve a stratified validation split from train; keep test and its deduplicated view."""
    pool = stratified_sample(data.train, config.train_images, config.seed)
    train, validation = carve_validation(data.train, pool, config.validation_fraction, config.seed)
    test = stratified_sample(data.test, config.test_images, config.seed)
    in_train = find_test_images_in_train(data)
    return Splits(
        train=np.sort(train),
        validation=np.sort(validation),
        test=test,
        test_deduplicated=test[~in_train[test]],
        data_checksum=data.checksum,
        config=config,
    )


def save_splits(splits: Splits, path: Path, data_config: DataConfig) -> None:
    """Write the indices to `path` (.npz); beside it (.json) the split config, the checksum and
    how the data was read, so that later notebooks load the same data (`read_data_config`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        train=splits.train,
        validation=splits.validation,
        test=splits.test,
        test_deduplicated=splits.test_deduplicated,
    )
    meta = {
        "data_checksum": splits.data_checksum,
        "config": asdict(splits.config),
        "data_config": {
            "cifake_dir": None if data_config.cifake_dir is None else str(data_config.cifake_dir),
            "lenient": data_config.lenient,
            "expected_counts": data_config.expected_counts,
        },
        "sizes": {name: int(len(getattr(splits, name))) for name in _INDEX_NAMES},
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")


def read_data_config(path: Path) -> DataConfig:
    """How the data behind the splits at `path` was read: the CIFAKE_DIR setting as given
    (never resolved, so no machine's path is saved), strictness and expected counts."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no saved splits; run notebook 01 first")
    saved = json.loads(path.with_suffix(".json").read_text()).get("data_config", {})
    return DataConfig(
        cifake_dir=saved.get("cifake_dir"),
        lenient=saved.get("lenient", False),
        expected_counts=saved.get("expected_counts", dict(EXPECTED_COUNTS)),
    )


def load_splits(path: Path, data: CifakeData) -> Splits:
    """Read splits saved by `save_splits`; refuse them if they were made from other data."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no saved splits; run notebook 01 first")
    meta = json.loads(path.with_suffix(".json").read_text())
    if meta["data_checksum"] != data.checksum:
        raise CifakeDataError(
            f"{path} was made from data {meta['data_checksum'][:16]}, not the loaded "
            f"{data.checksum[:16]}; rerun notebook 01"
        )
    with np.load(path) as arrays:
        indices = {name: arrays[name] for name in _INDEX_NAMES}
    return Splits(**indices, data_checksum=data.checksum, config=SplitConfig(**meta["config"]))


def split_arrays(data: CifakeData, splits: Splits, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 images, labels) of one of "train", "validation", "test", "test_deduplicated"."""
    source = data.test if name.startswith("test") else data.train
    indices = getattr(splits, name)
    return source.images[indices], source.labels[indices]


def selected_images(data: CifakeData, splits: Splits) -> tuple[CifakeSplit, CifakeSplit]:
    """The training pool (train + validation) and the test images a profile works on."""
    pool = np.sort(np.concatenate([splits.train, splits.validation]))
    return data.train.subset(pool), data.test.subset(splits.test)


def split_sizes(data: CifakeData, splits: Splits) -> pd.DataFrame:
    """Images per label in each split, with totals."""
    sources = {
        "train": data.train,
        "validation": data.train,
        "test": data.test,
        "test_deduplicated": data.test,
    }
    rows = {}
    for name in _INDEX_NAMES:
        labels = sources[name].labels[getattr(splits, name)]
        counts = np.bincount(labels, minlength=len(LABELS))
        rows[name] = {label: int(count) for label, count in zip(LABELS, counts, strict=True)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["total"] = table.sum(axis=1)
    return table
