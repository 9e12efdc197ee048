import numpy as np
import pytest

from cifake_utils.constants import CIFAR10_CLASSES, KAGGLE_DATASET
from cifake_utils.data.loading import DataConfig, cifar_class_from_name, load_cifake
from cifake_utils.data.sources import discover_sources, extract_jpeg_folders, sha256_file
from cifake_utils.errors import (
    ChecksumMismatchError,
    CountMismatchError,
    DatasetNotFoundError,
    ImageDecodeError,
    LayoutError,
)
from cifake_utils.paths import CIFAKE_DIR_VARIABLE, resolve_cifake_dir

from .conftest import write_zip


def test_full_cifake_has_the_published_counts_and_balance(cifake):
    assert cifake.train.images.shape == (100_000, 32, 32, 3)
    assert cifake.test.images.shape == (20_000, 32, 32, 3)
    assert cifake.train.images.dtype == np.uint8
    for split, per_label in ((cifake.train, 50_000), (cifake.test, 10_000)):
        assert np.bincount(split.labels).tolist() == [per_label, per_label]
        for label in (0, 1):
            classes = split.cifar_classes[split.labels == label]
            assert np.bincount(classes).tolist() == [per_label // 10] * 10
    assert cifake.report.checksums_verified == 4
    assert cifake.report.skipped == []


def test_names_labels_and_classes_agree(cifake):
    names = cifake.test.names
    labels = np.where(np.char.startswith(names.astype(str), "FAKE/"), 1, 0)
    np.testing.assert_array_equal(labels, cifake.test.labels)
    index = list(names).index("REAL/0000 (3).jpg")
    assert CIFAR10_CLASSES[cifake.test.cifar_classes[index]] == "bird"


def test_second_load_reads_the_cache_and_gives_the_same_arrays(cifake, shared_cifake):
    again = load_cifake(DataConfig(cifake_dir=shared_cifake), progress=False)
    assert again.report.from_cache
    assert again.checksum == cifake.checksum
    np.testing.assert_array_equal(again.test.images, cifake.test.images)
    np.testing.assert_array_equal(again.train.labels, cifake.train.labels)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("0000.jpg", 0), ("0000 (2).jpg", 1), ("4999 (10).jpg", 9), ("12 (7).JPG", 6)],
)
def test_cifar_class_is_parsed_from_the_file_name(name, expected):
    assert cifar_class_from_name(name) == expected


def test_cifar_class_suffix_out_of_range_is_rejected():
    with pytest.raises(LayoutError, match=r"0001 \(11\)\.jpg"):
        cifar_class_from_name("0001 (11).jpg")


def test_folders_split_zips_and_kaggle_archive_give_identical_data(
    make_folder_copy, small_config, real_jpegs, tmp_path
):
    folders = load_cifake(small_config(make_folder_copy()), progress=False)

    split_zips = tmp_path / "zips"
    split_zips.mkdir()
    for group, files in real_jpegs.items():
        split, label = group.split("/")
        members = {f"{group}/{name}": data for name, data in files}
        write_zip(split_zips / f"cifake_{split}_{label}.zip", members)
    from_zips = load_cifake(small_config(split_zips), progress=False)

    everything = {f"{g}/{n}": d for g, files in real_jpegs.items() for n, d in files}
    archive = write_zip(tmp_path / "archive.zip", everything)
    from_archive = load_cifake(small_config(archive), progress=False)

    for loaded in (from_zips, from_archive):
        for split in ("train", "test"):
            np.testing.assert_array_equal(loaded.split(split).images, folders.split(split).images)
            np.testing.assert_array_equal(loaded.split(split).names, folders.split(split).names)
    assert len(folders.train) == 12 and len(folders.test) == 12


def test_cifake_dir_environment_variable_is_the_setting(make_folder_copy, monkeypatch, tmp_path):
    root = make_folder_copy()
    monkeypatch.setenv(CIFAKE_DIR_VARIABLE, str(root))
    assert resolve_cifake_dir() == root
    data = load_cifake(DataConfig(cache_dir=tmp_path / "cache", expected_counts=None), False)
    assert len(data.test) == 12


def test_missing_dataset_says_where_to_get_it(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        load_cifake(DataConfig(cifake_dir=tmp_path / "nowhere"), progress=False)
    message = str(error.value)
    assert "nowhere does not exist" in message
    assert KAGGLE_DATASET in message
    assert "train/REAL" in message


def test_folder_without_cifake_is_explained(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match="no train/ or test/ folder and no zip"):
        load_cifake(DataConfig(cifake_dir=tmp_path / "empty"), progress=False)


def test_missing_class_folder_is_named(make_folder_copy, small_config):
    root = make_folder_copy()
    for path in (root / "test" / "FAKE").iterdir():
        path.unlink()
    (root / "test" / "FAKE").rmdir()
    with pytest.raises(DatasetNotFoundError, match="class folder.* missing: test/FAKE"):
        load_cifake(small_config(root), progress=False)


def test_zip_with_another_layout_is_named(tmp_path, small_config, real_jpegs):
    other = write_zip(tmp_path / "photos.zip", {"images/cat.jpg": real_jpegs["test/REAL"][0][1]})
    with pytest.raises(LayoutError, match=r"photos\.zip: this zip has another layout"):
        load_cifake(small_config(other), progress=False)


def test_group_in_two_zips_is_ambiguous(tmp_path, small_config, real_jpegs):
    everything = {f"{g}/{n}": d for g, files in real_jpegs.items() for n, d in files}
    write_zip(tmp_path / "archive.zip", everything)
    write_zip(
        tmp_path / "cifake_test_REAL.zip", {f"test/REAL/{n}": d for n, d in real_jpegs["test/REAL"]}
    )
    with pytest.raises(LayoutError, match="test/REAL in zip archive.zip and zip cifake_test_REAL"):
        load_cifake(small_config(tmp_path), progress=False)


def test_checksum_mismatch_names_the_zip(tmp_path, small_config, real_jpegs):
    everything = {f"{g}/{n}": d for g, files in real_jpegs.items() for n, d in files}
    archive = write_zip(tmp_path / "archive.zip", everything)
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  archive.zip\n")
    with pytest.raises(ChecksumMismatchError, match=r"archive\.zip: SHA-256 [0-9a-f]{64} differs"):
        load_cifake(small_config(tmp_path), progress=False)
    (tmp_path / "SHA256SUMS").write_text(f"{sha256_file(archive)}  archive.zip\n")
    assert load_cifake(small_config(tmp_path), progress=False).report.checksums_verified == 1


def test_wrong_counts_are_reported_per_group(make_folder_copy, tmp_path):
    config = DataConfig(cifake_dir=make_folder_copy(), cache_dir=tmp_path / "cache")
    with pytest.raises(CountMismatchError, match="train/REAL: 6 files, expected 50000"):
        load_cifake(config, progress=False)


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("broken.jpg", "truncated", "corrupt or truncated JPEG"),
        ("notes.jpg", b"these are notes, not pixels", "not a JPEG image"),
        ("empty.jpg", b"", "empty file"),
    ],
)
def test_bad_file_stops_a_strict_load_and_is_skipped_by_a_lenient_one(
    make_folder_copy, small_config, real_jpegs, tmp_path, file_name, content, reason
):
    root = make_folder_copy()
    if content == "truncated":
        content = real_jpegs["train/REAL"][0][1][:300]
    (root / "train" / "REAL" / file_name).write_bytes(content)
    with pytest.raises(ImageDecodeError, match=rf"train/REAL/{file_name}: {reason}"):
        load_cifake(small_config(root), progress=False)
    assert not list((tmp_path / "cache").glob("*/meta.json")), "a failed load left a cache"

    data = load_cifake(small_config(root, lenient=True), progress=False)
    assert len(data.train) == 12
    assert [entry["file"] for entry in data.report.skipped] == [f"train/REAL/{file_name}"]
    assert reason in data.report.skipped[0]["reason"]


def test_stray_folder_inside_a_class_folder_is_refused(make_folder_copy, small_config):
    root = make_folder_copy()
    (root / "test" / "REAL" / "extra").mkdir()
    with pytest.raises(LayoutError, match="test/REAL/extra"):
        load_cifake(small_config(root), progress=False)


def test_system_files_are_ignored_but_counted(make_folder_copy, small_config):
    root = make_folder_copy()
    (root / "train" / "FAKE" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    data = load_cifake(small_config(root), progress=False)
    assert data.report.ignored_system_files == 1
    assert len(data.train) == 12


def test_changed_source_gets_a_new_cache_entry(make_folder_copy, small_config, real_jpegs):
    root = make_folder_copy()
    first = load_cifake(small_config(root), progress=False)
    name, data = real_jpegs["test/FAKE"][5]
    (root / "test" / "FAKE" / f"copy {name}").write_bytes(data)
    second = load_cifake(small_config(root), progress=False)
    assert second.checksum != first.checksum
    assert not second.report.from_cache
    assert len(second.test) == len(first.test) + 1


def test_extracted_jpeg_folders_hold_the_original_bytes(tmp_path, real_jpegs):
    everything = {f"{g}/{n}": d for g, files in real_jpegs.items() for n, d in files}
    archive = write_zip(tmp_path / "archive.zip", everything)
    root = extract_jpeg_folders(discover_sources(archive), tmp_path / "out", "test")
    assert root == tmp_path / "out" / "test"
    written = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes() for p in root.glob("*/*")}
    assert written == {k: v for k, v in everything.items() if k.startswith("test/")}
