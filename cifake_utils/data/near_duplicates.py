"""Test images with a near-duplicate in the training split: the same picture shifted, re-cropped,
re-coloured or re-encoded, which the exact-pixel audit (`audit`) misses. For CIFAR-10, ciFAIR
(Barz & Denzler, 2020) found such copies of 3.25% of the test images in the training set.

Each image is reduced to a 64-bit perceptual hash (pHash): the signs, against their median, of
the 8x8 lowest frequencies of its grey-level DCT. Two images are as far apart as the number of
bits in which their hashes differ (0 to 64); the threshold below which a pair counts as the same
picture is chosen by looking at pairs at each distance (notebook 01's figure).
"""

import numpy as np
import pandas as pd
from scipy.fft import dctn

from ..constants import LABELS
from .loading import CifakeSplit

HASH_SIZE = 8  # 8x8 lowest frequencies: 64 bits
GREY = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luma weights
# In notebook 01's figure every drawn pair within 4 bits is the same picture, about half the
# pairs at 6 bits are, and most at 8 bits are two pictures of one kind of scene: 4 bits keeps the
# drawn pairs free of look-alikes. Re-encoding and re-colouring stay within it, but a one-pixel
# shift or crop can move a copy beyond it, so the group misses some copies.
NEAR_DUPLICATE_BITS = 4


def perceptual_hashes(images: np.ndarray) -> np.ndarray:
    """One 64-bit pHash per (n, h, w, 3) image, as uint64."""
    grey = images.astype(np.float32) @ GREY.astype(np.float32)
    low = dctn(grey, axes=(1, 2), norm="ortho")[:, :HASH_SIZE, :HASH_SIZE]
    low = low.reshape(len(images), -1)
    median = np.median(low[:, 1:], axis=1, keepdims=True)  # the DC term sets only brightness
    bits = np.packbits(low > median, axis=1)
    return bits.view(">u8").ravel().astype(np.uint64)


def nearest(
    queries: np.ndarray, pool: np.ndarray, chunk: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """For each query hash, the index of the pool hash with the fewest differing bits (the
    first on ties) and that number of bits."""
    index = np.empty(len(queries), dtype=np.int64)
    distance = np.empty(len(queries), dtype=np.uint8)
    for start in range(0, len(queries), chunk):
        bits = np.bitwise_count(queries[start : start + chunk, None] ^ pool[None, :])
        index[start : start + chunk] = bits.argmin(axis=1)
        distance[start : start + chunk] = bits.min(axis=1)
    return index, distance


def nearest_training_images(train: CifakeSplit, test: CifakeSplit) -> pd.DataFrame:
    """Per test image (by its position in the test split): its nearest training image by pHash,
    the distance in bits, and both images' labels and file names."""
    index, distance = nearest(perceptual_hashes(test.images), perceptual_hashes(train.images))
    return pd.DataFrame(
        {
            "test_name": test.names,
            "test_label": [LABELS[k] for k in test.labels],
            "train_index": index,
            "train_name": train.names[index],
            "train_label": [LABELS[k] for k in train.labels[index]],
            "distance_bits": distance,
        }
    ).rename_axis("test_index")


def distance_counts(nearest_table: pd.DataFrame, up_to: int) -> pd.DataFrame:
    """Test images per class whose nearest training image is at each distance up to `up_to`
    bits, and the cumulative share of the class."""
    table = pd.crosstab(nearest_table["distance_bits"], nearest_table["test_label"])
    table = table.reindex(range(up_to + 1), fill_value=0)
    sizes = nearest_table["test_label"].value_counts()
    shares = table.cumsum() / sizes
    return pd.concat({"images": table, "cumulative share": shares}, axis=1)


def example_pairs(
    nearest_table: pd.DataFrame, distances: list[int], per_distance: int, seed: int = 0
) -> dict[int, list[tuple[int, int]]]:
    """Up to `per_distance` (test index, train index) pairs at each distance, drawn seeded."""
    rng = np.random.default_rng(seed)
    pairs = {}
    for bits in distances:
        rows = nearest_table.index[nearest_table["distance_bits"] == bits].to_numpy()
        chosen = np.sort(rng.choice(rows, min(per_distance, len(rows)), replace=False))
        pairs[bits] = [(int(i), int(nearest_table.at[i, "train_index"])) for i in chosen]
    return pairs


def summary(nearest_table: pd.DataFrame, threshold: int) -> dict:
    """The threshold and, per class, the test images with a training image within it."""
    near = nearest_table["distance_bits"] <= threshold
    return {
        "threshold_bits": threshold,
        "images": near.groupby(nearest_table["test_label"]).sum().astype(int).to_dict(),
        "class_size": nearest_table["test_label"].value_counts().to_dict(),
    }
