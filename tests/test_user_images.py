import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from cifake_utils import images
from cifake_utils.images import ImageReadError, read_pixels


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo(cifake) -> Image.Image:
    """A real CIFAKE test image, upscaled to 96x96 as a user's larger photo would be."""
    return Image.fromarray(cifake.test.images[123]).resize((96, 96), Image.Resampling.BICUBIC)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF"])
def test_every_supported_format_reads_as_32x32_rgb(photo, fmt):
    pixels = read_pixels(encode(photo, fmt), f"photo.{fmt.lower()}")
    assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
    expected = images.prepare_image(photo)
    assert np.abs(pixels.astype(int) - expected).mean() < 12  # lossy formats: close, not equal


def test_lossless_formats_read_exactly_what_prepare_image_makes(photo):
    for fmt in ("PNG", "BMP"):
        np.testing.assert_array_equal(read_pixels(encode(photo, fmt)), images.prepare_image(photo))


def test_modes_are_converted_to_rgb(photo):
    grey = photo.convert("L")
    expected_grey = np.asarray(grey.resize((32, 32), Image.Resampling.BOX))
    for image in (grey, grey.convert("P")):
        pixels = read_pixels(encode(image, "PNG"))
        assert pixels.shape == (32, 32, 3)
        np.testing.assert_array_equal(pixels[..., 0], pixels[..., 2])
    sixteen = Image.fromarray(np.asarray(grey, np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    deep = read_pixels(encode(sixteen, "PNG"))
    assert np.abs(deep[..., 0].astype(int) - expected_grey).max() <= 1


def test_transparency_is_composited_on_white(photo):
    rgba = photo.convert("RGBA")
    rgba.putalpha(0)
    assert (read_pixels(encode(rgba, "PNG")) == 255).all()


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (80, 40), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 40, 40))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display: 40 wide, 80 high
    upright = Image.new("RGB", (40, 80), (255, 0, 0))
    upright.paste((0, 0, 255), (0, 0, 40, 40))  # the blue half is on top
    read = read_pixels(encode(image, "JPEG", exif=exif, quality=95))
    expected = images.prepare_image(upright)  # the centre square: top half blue
    assert np.abs(read.astype(int) - expected).mean() < 8
    assert read[2, 16, 2] > 200 and read[29, 16, 0] > 200


def test_gif_first_frame_is_used():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((0, 255, 0), (255, 0, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert read_pixels(data)[0, 0, 1] > 200


def test_prepare_crops_the_centre_square_and_shrinks_by_area():
    wide = Image.new("RGB", (128, 64), (0, 0, 0))
    wide.paste((200, 100, 50), (32, 0, 96, 64))  # the centre square is one colour
    pixels = images.prepare_image(wide)
    assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
    assert (pixels == [200, 100, 50]).all()
    stripes = Image.fromarray(np.tile(np.array([0, 255], np.uint8), (64, 32)))
    # A 1-pixel stripe pattern averages to grey instead of aliasing to black or white.
    assert abs(int(images.prepare_image(stripes.convert("RGB")).mean()) - 127) <= 1


def big_png_header(width: int, height: int, mode: str = "L") -> bytes:
    """A small real PNG whose header is rewritten to declare width x height pixels."""
    data = bytearray(encode(Image.new(mode, (8, 8)), "PNG"))
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
        read_pixels(data, "upload.png")
    assert "\n" not in str(error.value)


def test_truncated_and_missing_files(tmp_path, photo):
    path = tmp_path / "cut.jpg"
    path.write_bytes(encode(photo, "JPEG")[:300])
    with pytest.raises(ImageReadError, match="cut.jpg: corrupt or truncated"):
        read_pixels(path)
    with pytest.raises(ImageReadError, match="gone.png: no such file"):
        read_pixels(tmp_path / "gone.png")
    with pytest.raises(ImageReadError, match="not a file"):
        read_pixels(tmp_path)


def test_phone_mpo_jpegs_are_read_from_their_first_frame(photo):
    second = Image.new("RGB", photo.size, (255, 0, 0))
    data = encode(photo, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    pixels = read_pixels(data, "phone.jpg")
    assert np.abs(pixels.astype(int) - images.prepare_image(photo)).mean() < 12


def test_a_48_megapixel_phone_photo_is_read_at_reduced_size():
    """8495x5663, as a 48 MP phone camera writes it: decoded at 1/8 scale by draft mode."""
    left, right = Image.new("RGB", (4247, 5663), (200, 30, 30)), (30, 30, 200)
    photo = Image.new("RGB", (8495, 5663), right)
    photo.paste(left, (0, 0))
    pixels = read_pixels(encode(photo, "JPEG", quality=85), "phone.jpg")
    assert pixels.shape == (32, 32, 3)
    # The centre square straddles the boundary: its left part red, its right part blue.
    assert pixels[16, 2, 0] > 150 and pixels[16, 29, 2] > 150


def jpeg_header_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is rewritten to declare width x height."""
    data = bytearray(encode(Image.new("RGB", (16, 16), (9, 9, 9)), "JPEG"))
    at = data.index(b"\xff\xc0") + 5  # SOF0: length (2), precision (1), height (2), width (2)
    data[at : at + 4] = struct.pack(">HH", height, width)
    return bytes(data)


def test_jpegs_over_200_megapixels_and_big_pngs_are_refused_before_decoding():
    with pytest.raises(ImageReadError, match=r"^huge\.jpg: .*too large"):
        read_pixels(jpeg_header_declaring(20_000, 12_000), "huge.jpg")
    # 6300x6300 16-bit grey: 40 MP (under the pixel limit), but 151 MiB with a working copy.
    with pytest.raises(ImageReadError, match=r"6300x6300 I;16 image needs 151 MiB to decode"):
        read_pixels(big_png_header(6300, 6300, mode="I;16"), "deep.png")
