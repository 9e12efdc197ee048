"""The JPEG container of real CIFAKE files, and of files saved here in known ways."""

import io

import pytest
from PIL import Image

from cifake_utils.data import container
from cifake_utils.data.sources import discover_sources
from cifake_utils.errors import ImageDecodeError
from cifake_utils.paths import resolve_cifake_dir


def jpeg(quality: int, subsampling: int, progressive: bool = False) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (90, 40, 200)).save(
        buffer, "JPEG", quality=quality, subsampling=subsampling, progressive=progressive
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("quality", "subsampling", "expected"),
    [(75, 2, ("IJG q75", "4:2:0")), (90, 0, ("IJG q90", "4:4:4")), (30, 1, ("IJG q30", "4:2:2"))],
)
def test_quality_and_subsampling_are_read_back(quality, subsampling, expected):
    found = container.jpeg_container(jpeg(quality, subsampling), "x.jpg")
    assert (found["tables"], found["subsampling"]) == expected and not found["progressive"]
    assert container.jpeg_container(jpeg(quality, subsampling, True), "x.jpg")["progressive"]


def test_a_file_that_is_no_jpeg_is_named():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "PNG")
    with pytest.raises(ImageDecodeError, match="x.png: a PNG file"):
        container.jpeg_container(buffer.getvalue(), "x.png")
    with pytest.raises(ImageDecodeError, match="y.jpg: unreadable JPEG header"):
        container.jpeg_container(b"\xff\xd8\xff garbage", "y.jpg")


def test_real_cifake_test_files_per_class():
    sources = discover_sources(resolve_cifake_dir())
    for source in sources:  # a few hundred files of the test split, both classes
        source.files = [f for f in source.files if f.group.startswith("test/")][:300]
    table = container.container_table(sources)
    assert set(table.index.get_level_values("label")) == {"REAL", "FAKE"}
    assert table["files"].sum() == 600
    per_label = container.containers_per_label(table)
    assert per_label["REAL"] == per_label["FAKE"] == ["IJG q75, 4:2:0, baseline"]
