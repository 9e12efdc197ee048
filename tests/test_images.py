import io

import numpy as np
import pytest
from PIL import Image

from cifake_utils.errors import ImageDecodeError
from cifake_utils.images import decode_cifake_jpeg

from .conftest import jpeg_bytes


def test_decode_real_cifake_jpeg_gives_32x32_rgb_uint8(real_jpegs):
    name, data = real_jpegs["train/FAKE"][0]
    pixels = decode_cifake_jpeg(data, name)
    assert pixels.shape == (32, 32, 3)
    assert pixels.dtype == np.uint8
    assert pixels.std() > 0


def test_decode_converts_grayscale_to_rgb():
    pixels = decode_cifake_jpeg(jpeg_bytes(mode="L"), "grey.jpg")
    assert pixels.shape == (32, 32, 3)
    assert np.all(pixels[..., 0] == pixels[..., 1])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"just some text, not an image\n", "not a JPEG image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a JPEG image"),
        (jpeg_bytes(size=(64, 48)), "64x48 pixels"),
    ],
)
def test_decode_rejects_bad_input_naming_the_file(data, message):
    with pytest.raises(ImageDecodeError, match=rf"^train/REAL/bad\.jpg: .*{message}"):
        decode_cifake_jpeg(data, "train/REAL/bad.jpg")


def test_decode_rejects_truncated_jpeg(real_jpegs):
    _, data = real_jpegs["test/REAL"][0]
    with pytest.raises(ImageDecodeError, match=r"^cut\.jpg: corrupt or truncated JPEG"):
        decode_cifake_jpeg(data[: len(data) // 2], "cut.jpg")


def test_decode_rejects_corrupt_jpeg(real_jpegs):
    _, data = real_jpegs["test/FAKE"][0]
    corrupt = data[:20] + bytes(range(256)) * 4
    with pytest.raises(ImageDecodeError, match=r"^noise\.jpg: corrupt or truncated JPEG"):
        decode_cifake_jpeg(corrupt, "noise.jpg")


def test_decode_refuses_huge_image_without_decoding_it():
    # A 20,000 x 20,000 header would need 1.2 GB to decode; the size check comes first.
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    marker = data.index(b"\xff\xc0")  # baseline start-of-frame: height and width follow
    data[marker + 5 : marker + 9] = (20_000).to_bytes(2, "big") * 2
    with pytest.raises(ImageDecodeError, match=r"^bomb\.jpg: .*decompression bomb"):
        decode_cifake_jpeg(bytes(data), "bomb.jpg")
