import numpy as np
import pytest

from cifake_utils.data import splits
from cifake_utils.data.audit import find_test_images_in_train, pixel_digests
from cifake_utils.data.loading import CifakeData, DataConfig, load_cifake
from cifake_utils.errors import CifakeDataError
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import Profile


@pytest.fixture(scope="module")
def full_splits(cifake):
    return splits.make_splits(cifake, splits.SplitConfig(seed=0))


def test_validation_is_carved_from_train_and_disjoint(cifake, full_splits):
    # Whole groups of identical images are drawn, so the sizes are 10% give or take a few.
    assert abs(len(full_splits.validation) - 10_000) <= 20
    assert len(full_splits.train) + len(full_splits.validation) == 100_000
    assert np.intersect1d(full_splits.train, full_splits.validation).size == 0
    together = np.union1d(full_splits.train, full_splits.validation)
    np.testing.assert_array_equal(together, np.arange(100_000))


def test_validation_is_stratified_by_label_and_class(cifake, full_splits):
    strata = splits.strata(cifake.train)[full_splits.validation]
    counts = np.bincount(strata, minlength=20)
    # Groups of identical images are drawn whole (a few FAKE groups hold dozens of images),
    # so a stratum can gain or lose a group's worth.
    assert np.all(np.abs(counts - 500) <= 20), counts
    assert (counts == 500).sum() >= 15


def test_no_validation_image_has_a_pixel_identical_copy_in_train(cifake, full_splits):
    digests = pixel_digests(cifake.train)
    groups = splits.duplicate_groups(cifake.train)
    assert len(np.unique(groups)) < len(groups)  # CIFAKE has duplicates to keep together
    assert not set(digests[full_splits.validation]) & set(digests[full_splits.train])
    # Some duplicate groups do land in validation, whole.
    sizes = np.bincount(groups)
    assert (sizes[groups[full_splits.validation]] > 1).any()


def test_official_test_split_is_untouched(cifake, full_splits):
    np.testing.assert_array_equal(full_splits.test, np.arange(20_000))


def test_deduplicated_test_drops_exactly_the_images_seen_in_train(cifake, full_splits):
    in_train = find_test_images_in_train(cifake)
    np.testing.assert_array_equal(full_splits.test_deduplicated, np.flatnonzero(~in_train))
    assert 0 < in_train.sum() < 1_000


def test_same_seed_same_splits_other_seed_other_splits(cifake, full_splits):
    again = splits.make_splits(cifake, splits.SplitConfig(seed=0))
    np.testing.assert_array_equal(again.validation, full_splits.validation)
    other = splits.make_splits(cifake, splits.SplitConfig(seed=1))
    assert not np.array_equal(other.validation, full_splits.validation)


def test_smoke_sizes_are_balanced_subsets(cifake):
    smoke = splits.make_splits(
        cifake, splits.SplitConfig(train_images=2_000, test_images=1_000, seed=0)
    )
    assert len(smoke.train) + len(smoke.validation) == 2_000
    assert abs(len(smoke.validation) - 200) <= 5
    assert len(smoke.test) == 1_000
    assert np.bincount(cifake.test.labels[smoke.test]).tolist() == [500, 500]
    assert set(smoke.test_deduplicated) <= set(smoke.test)
    sizes = splits.split_sizes(cifake, smoke)
    assert sizes.loc["test", "total"] == 1_000
    assert abs(sizes.loc["train", "REAL"] - 900) <= 5


def test_saved_splits_round_trip_and_refuse_other_data(cifake, full_splits, tmp_path):
    path = tmp_path / "splits" / "splits.npz"
    splits.save_splits(full_splits, path, DataConfig())
    loaded = splits.load_splits(path, cifake)
    for name in ("train", "validation", "test", "test_deduplicated"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(full_splits, name))
    assert loaded.config == full_splits.config
    other = CifakeData(cifake.train, cifake.test, "f" * 64, cifake.report)
    with pytest.raises(CifakeDataError, match="rerun notebook 01"):
        splits.load_splits(path, other)


def test_loading_missing_splits_says_which_notebook_makes_them(cifake, tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 01 first"):
        splits.load_splits(tmp_path / "none.npz", cifake)


def test_later_notebooks_read_the_data_as_notebook_01_did(
    make_folder_copy, small_config, tmp_path, monkeypatch
):
    """A lenient run with its own data folder: notebooks 02-06 get the same data and splits."""
    root = make_folder_copy()
    (root / "train" / "FAKE" / "broken.jpg").write_bytes(b"not a jpeg")
    config = small_config(root, lenient=True)
    monkeypatch.setenv("CIFAKE_CACHE_DIR", str(config.cache_dir))
    data = load_cifake(config, progress=False)
    assert data.report.skipped  # the broken file was skipped, so the checksum is lenient's
    made = splits.Splits(
        train=np.arange(0, len(data.train) - 3),
        validation=np.arange(len(data.train) - 3, len(data.train)),
        test=np.arange(len(data.test)),
        test_deduplicated=np.arange(len(data.test)),
        data_checksum=data.checksum,
        config=splits.SplitConfig(),
    )
    profile = Profile("t", None, None, tmp_path / "out", tmp_path / "out" / "nb")
    splits.save_splits(made, profile.splits_path, config)
    study = load_study_data(profile)
    assert study.data.checksum == data.checksum
    np.testing.assert_array_equal(study.splits.validation, made.validation)
    assert len(study.test) == len(made.test)
