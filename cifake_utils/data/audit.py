"""Find images whose decoded pixels occur more than once, within and across splits."""

import hashlib

import numpy as np
import pandas as pd

from ..constants import LABELS
from .loading import CifakeData, CifakeSplit


def pixel_digests(split: CifakeSplit) -> np.ndarray:
    """A 128-bit digest of each image's decoded pixels, as hex strings."""
    return np.array(
        [hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest() for image in split.images]
    )


def duplicate_images(data: CifakeData) -> pd.DataFrame:
    """Every image whose exact pixels occur elsewhere in CIFAKE, one row each.

    Columns: digest, group (a number per set of identical images), split, label, name, index
    (position in its split).
    """
    frames = []
    for split_name in ("train", "test"):
        split = data.split(split_name)
        frames.append(
            pd.DataFrame(
                {
                    "digest": pixel_digests(split),
                    "split": split_name,
                    "label": np.array(LABELS)[split.labels],
                    "name": split.names,
                    "index": np.arange(len(split)),
                }
            )
        )
    everything = pd.concat(frames, ignore_index=True)
    duplicated = everything[everything.duplicated("digest", keep=False)].copy()
    duplicated["group"] = duplicated.groupby("digest", sort=True).ngroup()
    return duplicated.sort_values(["group", "split", "label", "name"]).reset_index(drop=True)


def summarise_duplicates(duplicates: pd.DataFrame) -> pd.DataFrame:
    """Sets of identical images counted by where their copies sit.

    `where` joins the split/label places of one set ("train/REAL" for copies inside
    train/REAL, "test/REAL + train/REAL" for a test image also in train).
    """
    columns = ["where", "cross_split", "cross_class", "sets", "images"]
    if duplicates.empty:
        return pd.DataFrame(columns=columns)
    places = duplicates.assign(place=duplicates["split"] + "/" + duplicates["label"])
    per_set = places.groupby("group").agg(
        where=("place", lambda p: " + ".join(sorted(set(p)))),
        splits=("split", "nunique"),
        labels=("label", "nunique"),
        images=("name", "size"),
    )
    table = (
        per_set.groupby("where")
        .agg(
            cross_split=("splits", lambda s: bool((s > 1).any())),
            cross_class=("labels", lambda s: bool((s > 1).any())),
            sets=("images", "size"),
            images=("images", "sum"),
        )
        .reset_index()
        .sort_values(["cross_split", "cross_class", "where"])
    )
    return table[columns].reset_index(drop=True)


def find_test_images_in_train(data: CifakeData) -> np.ndarray:
    """Boolean mask over the test split: True where the same pixels also occur in train."""
    train_digests = set(pixel_digests(data.train))
    return np.array([digest in train_digests for digest in pixel_digests(data.test)])
