import numpy as np

from cifake_utils.data import audit
from cifake_utils.data.loading import CifakeData


def with_copied_image(data: CifakeData, train_index: int, test_index: int) -> CifakeData:
    """A small real CifakeData in which one test image is a pixel copy of a train image."""
    train = data.train.subset(np.arange(0, 100_000, 5_000))
    test = data.test.subset(np.arange(0, 20_000, 1_000))
    test.images[test_index] = train.images[train_index]
    return CifakeData(train, test, data.checksum, data.report)


def test_audit_finds_a_planted_cross_split_duplicate(cifake):
    small = with_copied_image(cifake, train_index=3, test_index=17)
    duplicates = audit.duplicate_images(small)
    assert len(duplicates) == 2
    assert set(duplicates["split"]) == {"train", "test"}
    table = audit.summarise_duplicates(duplicates)
    assert table["sets"].tolist() == [1]
    assert bool(table["cross_split"].iloc[0])
    mask = audit.find_test_images_in_train(small)
    assert np.flatnonzero(mask).tolist() == [17]


def test_audit_of_distinct_images_is_empty(cifake):
    small = CifakeData(
        cifake.train.subset(np.arange(3)),
        cifake.test.subset(np.arange(3)),
        cifake.checksum,
        cifake.report,
    )
    assert audit.duplicate_images(small).empty
    assert audit.summarise_duplicates(audit.duplicate_images(small)).empty
    assert not audit.find_test_images_in_train(small).any()


def test_full_audit_is_consistent(cifake):
    duplicates = audit.duplicate_images(cifake)
    table = audit.summarise_duplicates(duplicates)
    assert table["images"].sum() == len(duplicates)
    assert (duplicates.groupby("group").size() >= 2).all()
    in_train = audit.find_test_images_in_train(cifake)
    flagged = set(cifake.test.names[in_train])
    cross = duplicates[duplicates["split"] == "test"]
    train_groups = set(duplicates.loc[duplicates["split"] == "train", "group"])
    expected = set(cross.loc[cross["group"].isin(train_groups), "name"])
    assert flagged == expected
    # Every flagged test image really has an identical train image.
    train_digests = set(audit.pixel_digests(cifake.train))
    flagged_images = cifake.test.subset(np.flatnonzero(in_train))
    assert all(digest in train_digests for digest in audit.pixel_digests(flagged_images))
