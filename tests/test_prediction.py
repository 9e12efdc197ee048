import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from cifake_utils import prediction
from cifake_utils.prediction import ImageReadError


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo(cifake) -> Image.Image:
    """A real CIFAKE test image, upscaled to 96x96 as a user's larger photo would be."""
    return Image.fromarray(cifake.test.images[123]).resize((96, 96), Image.Resampling.BICUBIC)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF"])
def test_every_supported_format_reads_as_rgb(photo, fmt):
    image = prediction.read_image(encode(photo, fmt), f"photo.{fmt.lower()}")
    assert image.mode == "RGB" and image.size == (96, 96)


def test_modes_are_converted_to_rgb(photo):
    grey = prediction.read_image(encode(photo.convert("L"), "PNG"))
    assert grey.mode == "RGB"
    palette = prediction.read_image(encode(photo.convert("P"), "PNG"))
    assert palette.mode == "RGB"
    sixteen = Image.fromarray(np.asarray(photo.convert("L"), np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    deep = prediction.read_image(encode(sixteen, "PNG"))
    np.testing.assert_array_equal(np.asarray(deep)[..., 0], np.asarray(photo.convert("L")))


def test_transparency_is_composited_on_white(photo):
    rgba = photo.convert("RGBA")
    rgba.putalpha(0)
    flattened = prediction.read_image(encode(rgba, "PNG"))
    assert (np.asarray(flattened) == 255).all()


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 20, 20))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    read = prediction.read_image(encode(image, "JPEG", exif=exif, quality=95))
    assert read.size == (20, 40)
    top = np.asarray(read)[2, 10]
    assert top[2] > 200 and top[0] < 60  # the blue half is now on top


def test_gif_first_frame_is_used():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((0, 255, 0), (255, 0, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert np.asarray(prediction.read_image(data))[0, 0, 1] > 200


def test_prepare_crops_the_centre_square_and_shrinks_by_area():
    wide = Image.new("RGB", (128, 64), (0, 0, 0))
    wide.paste((200, 100, 50), (32, 0, 96, 64))  # the centre square is one colour
    pixels = prediction.prepare_image(wide)
    assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
    assert (pixels == [200, 100, 50]).all()
    stripes = Image.fromarray(np.tile(np.array([0, 255], np.uint8), (64, 32)))
    # A 1-pixel stripe pattern averages to grey instead of aliasing to black or white.
    assert abs(int(prediction.prepare_image(stripes.convert("RGB")).mean()) - 127) <= 1


def big_png_header(width: int, height: int) -> bytes:
    """A small real PNG whose header is rewritten to declare width x height pixels."""
    data = bytearray(encode(Image.new("L", (8, 8)), "PNG"))
    start = data.index(b"IHDR")
    data[start + 4 : start + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[start : start + 17]))
    data[start + 17 : start + 21] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"not an image at all", "not an image"),
        (big_png_header(20_000, 20_000), "too large"),
        (b"%PDF-1.4\n" + b"x" * 100, "not an image"),
    ],
)
def test_bad_bytes_give_one_line_errors(data, reason):
    with pytest.raises(ImageReadError, match=rf"^upload\.png: .*{reason}") as error:
        prediction.read_image(data, "upload.png")
    assert "\n" not in str(error.value)


def test_truncated_and_missing_files(tmp_path, photo):
    path = tmp_path / "cut.jpg"
    path.write_bytes(encode(photo, "JPEG")[:300])
    with pytest.raises(ImageReadError, match="cut.jpg: corrupt or truncated"):
        prediction.read_image(path)
    with pytest.raises(ImageReadError, match="gone.png: no such file"):
        prediction.read_image(tmp_path / "gone.png")
    with pytest.raises(ImageReadError, match="not a file"):
        prediction.read_image(tmp_path)


def test_predict_image_gives_verdict_probability_and_overlay(tiny_trained_model, cifake, tmp_path):
    path = tmp_path / "test.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageReadError):
        prediction.predict_image(tiny_trained_model, path)
    image = cifake.test.images[15_000]
    from_array = prediction.predict_image(tiny_trained_model, image)
    assert from_array.label in {"REAL", "FAKE"}
    assert 0.0 <= from_array.fake_probability <= 1.0
    assert from_array.label == prediction.verdict(from_array.fake_probability)
    expected = prediction.predict_fake_probability(tiny_trained_model, image[None])[0]
    assert from_array.fake_probability == pytest.approx(expected)
    assert from_array.heatmap.shape == (32, 32) and from_array.heatmap.max() <= 1.0
    assert from_array.overlay.shape == (128, 128, 3)
    np.testing.assert_array_equal(from_array.pixels, image)
