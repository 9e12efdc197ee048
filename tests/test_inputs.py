"""What notebooks 02, 03, 07 and 08 train from: the training and validation splits, and never
an image of the test split."""

import hashlib

import numpy as np
import pytest

from cifake_utils.data.loading import load_cifake
from cifake_utils.data.splits import SplitConfig, Splits, save_splits
from cifake_utils.project.inputs import StudyData, load_study_data
from cifake_utils.project.profiles import Profile

# Indices into a 12-image training pool and a 12-image test split (6 REAL, then 6 FAKE).
TRAIN = np.array([0, 1, 2, 3, 6, 7, 8, 9])
VALIDATION = np.array([4, 5, 10, 11])
TEST = np.array([0, 5, 6, 11])


@pytest.fixture
def study(make_folder_copy, small_config) -> StudyData:
    """Real CIFAKE images (the first 6 of each group) with hand-made splits."""
    data = load_cifake(small_config(make_folder_copy()), progress=False)
    assert len(data.train) == len(data.test) == 12
    splits = Splits(TRAIN, VALIDATION, TEST, TEST[1:], data.checksum, SplitConfig())
    return StudyData(data, splits)


def pixel_digests(images: np.ndarray) -> set[str]:
    return {hashlib.sha256(image.tobytes()).hexdigest() for image in images}


def test_training_data_holds_train_and_validation_and_no_test_image(study, tmp_path):
    profile = Profile("t", None, None, tmp_path / "out", tmp_path / "nb", workers=3)
    given = study.training_data(profile)
    train, test = study.data.train, study.data.test
    np.testing.assert_array_equal(given.train[0], train.images[TRAIN])
    np.testing.assert_array_equal(given.train[1], train.labels[TRAIN])
    np.testing.assert_array_equal(given.validation[0], train.images[VALIDATION])
    np.testing.assert_array_equal(given.validation[1], train.labels[VALIDATION])
    # No pixel of the test split reaches training, as training or as validation images.
    test_pixels = pixel_digests(test.images)
    assert len(test_pixels) == 12
    assert test_pixels.isdisjoint(pixel_digests(given.train[0]))
    assert test_pixels.isdisjoint(pixel_digests(given.validation[0]))
    assert given.checkpoint_root == profile.checkpoints_dir
    assert given.data_checksum == study.data.checksum
    assert given.workers == 3
    assert given.reuse == tmp_path / "out" / "models"


def test_training_data_options_set_checkpoints_checksum_and_reuse(study, tmp_path):
    profile = Profile("t", None, None, tmp_path / "out", tmp_path / "nb")
    given = study.training_data(profile, folder="recipes", data_checksum="abc", reuse=False)
    assert given.checkpoint_root == profile.checkpoints_dir / "recipes"
    assert given.data_checksum == "abc" and given.reuse is None and given.workers == 1
    fresh = Profile("t", None, None, tmp_path / "out", tmp_path / "nb", fresh=True)
    assert study.training_data(fresh).reuse is None  # FRESH=1 reuses no saved model


def test_each_split_comes_from_its_own_source(study):
    train, test = study.data.train, study.data.test
    images, labels = study.arrays("validation")
    np.testing.assert_array_equal(images, train.images[VALIDATION])
    np.testing.assert_array_equal(labels, train.labels[VALIDATION])
    images, labels = study.arrays("test")
    np.testing.assert_array_equal(images, test.images[TEST])
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])  # indices 0, 5 REAL; 6, 11 FAKE
    np.testing.assert_array_equal(study.arrays("test_deduplicated")[0], test.images[TEST[1:]])
    np.testing.assert_array_equal(study.test.images, test.images[TEST])
    assert list(study.test.names) == list(test.names[TEST])


def test_load_study_data_reads_notebook_01s_splits_of_the_same_data(
    make_folder_copy, small_config, tmp_path, monkeypatch
):
    config = small_config(make_folder_copy())
    monkeypatch.setenv("CIFAKE_CACHE_DIR", str(config.cache_dir))  # the copy's own cache
    profile = Profile("t", None, None, tmp_path / "out", tmp_path / "nb")
    with pytest.raises(FileNotFoundError, match="run notebook 01 first"):
        load_study_data(profile)
    data = load_cifake(config, progress=False)
    save_splits(
        Splits(TRAIN, VALIDATION, TEST, TEST[1:], data.checksum, SplitConfig()),
        profile.splits_path,
        config,
    )
    study = load_study_data(profile)
    assert study.data.checksum == data.checksum
    given = study.training_data(profile)
    np.testing.assert_array_equal(given.validation[0], data.train.images[VALIDATION])
    np.testing.assert_array_equal(study.test.images, data.test.images[TEST])
