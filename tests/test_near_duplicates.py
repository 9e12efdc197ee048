"""Near-duplicates by pHash, on real CIFAKE images and altered copies of them."""

import io

import numpy as np
from PIL import Image

from cifake_utils.data import near_duplicates as nd


def reencoded(image: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_altered_copies_are_near_and_other_pictures_far(cifake):
    train = cifake.train.images[:2_000]
    originals = train[[10, 500, 1_500]]
    copies = np.stack(
        [
            reencoded(originals[0], 40),  # re-encoded
            np.clip(originals[1].astype(int) + 12, 0, 255).astype(np.uint8),  # brighter
            np.concatenate([originals[2][:, :1], originals[2][:, :-1]], axis=1),  # shifted
        ]
    )
    index, distance = nd.nearest(nd.perceptual_hashes(copies), nd.perceptual_hashes(train))
    assert index.tolist() == [10, 500, 1_500]  # each copy finds its original
    assert (distance[:2] <= nd.NEAR_DUPLICATE_BITS).all()  # a shift may land further out
    # most unrelated test images have no training image that close among these 2,000
    _, far = nd.nearest(nd.perceptual_hashes(cifake.test.images[:200]), nd.perceptual_hashes(train))
    assert np.mean(far > nd.NEAR_DUPLICATE_BITS) > 0.9


def test_the_nearest_table_and_its_counts(cifake):
    train, test = cifake.train.subset(np.arange(0, 100_000, 50)), cifake.test.subset(np.arange(50))
    table = nd.nearest_training_images(train, test)
    assert len(table) == 50 and set(table["test_label"]) <= {"REAL", "FAKE"}
    assert (table["train_name"] == train.names[table["train_index"]]).all()
    counts = nd.distance_counts(table, 8)
    assert counts["images"].to_numpy().sum() == (table["distance_bits"] <= 8).sum()
    assert counts["cumulative share"].to_numpy().max() <= 1.0
    pairs = nd.example_pairs(table, [int(table["distance_bits"].min())], 2)
    assert all(test_i in table.index for test_i, _ in next(iter(pairs.values())))


def test_the_summary_counts_each_class_within_the_threshold(cifake):
    train, test = cifake.train.subset(np.arange(0, 100_000, 50)), cifake.test.subset(np.arange(50))
    table = nd.nearest_training_images(train, test)
    table.loc[table.index[:3], "distance_bits"] = 0  # three planted near-duplicates
    table.loc[table.index[3:], "distance_bits"] = 20
    found = nd.summary(table, 6)
    assert sum(found["images"].values()) == 3 and sum(found["class_size"].values()) == 50
    assert nd.summary(table, 30)["images"] == found["class_size"]
