"""Decoding images: CIFAKE's own 32x32 JPEGs, and any user image shrunk the way CIFAKE's were.

User images arrive from the command line and from the web app, so reading them is bounded:
the file's bytes, the pixels it declares, and the memory its decoding may take are all
checked before any pixel is decoded. Large JPEGs (phone photos of 48-200 megapixels) are
decoded at 1/2, 1/4 or 1/8 scale by the JPEG decoder itself (Pillow's draft mode), which costs
almost nothing and keeps far more detail than the 32x32 result needs.
"""

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from .constants import IMAGE_SIZE
from .errors import CifakeDataError, ImageDecodeError

JPEG_MAGIC = b"\xff\xd8\xff"

MAX_BYTES = 50 * 2**20  # larger files are refused before they are read
MAX_JPEG_PIXELS = 200_000_000  # JPEGs (and phones' MPO) decode at reduced size up to this
MAX_OTHER_PIXELS = 40_000_000  # PNG, WebP, BMP and GIF decode at full size
MAX_WORKING_BYTES = 96 * 2**20  # decoded pixels plus one working copy, per image
DRAFT_MIN_SIDE = 512  # draft mode keeps at least this many pixels on the shorter side
READABLE_FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "BMP", "GIF"}
# Bytes per pixel of each mode once decoded ("P" becomes RGBA before shrinking).
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 4, "LA": 2, "La": 2, "I;16": 2, "I;16B": 2,
                    "I;16L": 2, "I": 4, "F": 4, "RGB": 3, "YCbCr": 3, "RGBA": 4, "RGBa": 4,
                    "CMYK": 4, "LAB": 3, "HSV": 3}  # fmt: skip
# Downscaling by a large factor with area averaging (BOX) rather than point sampling: CIFAKE's
# images were made by shrinking larger ones, and aliasing would add exactly the high-frequency
# energy that separates REAL from FAKE in notebook 01.
RESAMPLING = Image.Resampling.BOX

# Pillow's own bomb guard fires from 89 MP, below the phone photos accepted here; our limits
# above are checked before decoding and are the ones that apply.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_JPEG_PIXELS)


class ImageReadError(CifakeDataError):
    """A file or upload that cannot be read as an image; the message is one line for a user."""


def decode_cifake_jpeg(data: bytes, name: str) -> np.ndarray:
    """Return the RGB pixels of a 32x32 JPEG; raise ImageDecodeError naming `name` otherwise.

    The size is read from the header before any pixel is decoded, so an oversized file
    is refused without being decompressed.
    """
    if not data:
        raise ImageDecodeError(f"{name}: empty file (0 bytes), not a JPEG image")
    if not data.startswith(JPEG_MAGIC):
        raise ImageDecodeError(
            f"{name}: not a JPEG image (starts with {data[:8]!r} instead of FF D8 FF)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.size != (IMAGE_SIZE, IMAGE_SIZE):
                    width, height = image.size
                    raise ImageDecodeError(
                        f"{name}: image is {width}x{height} pixels, CIFAKE images are "
                        f"{IMAGE_SIZE}x{IMAGE_SIZE}"
                    )
                image.load()
                rgb = image if image.mode == "RGB" else image.convert("RGB")
                return np.asarray(rgb, dtype=np.uint8).copy()
    except ImageDecodeError:
        raise
    except Image.DecompressionBombError as error:
        raise ImageDecodeError(
            f"{name}: refused as a possible decompression bomb ({error})"
        ) from None
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Warning) as error:
        raise ImageDecodeError(f"{name}: corrupt or truncated JPEG ({error})") from None


def read_bytes(source: str | Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of a file (or the bytes given) and the name to report; checks size first."""
    if isinstance(source, bytes):
        data, name = source, name or "upload"
    else:
        path = Path(source)
        name = name or str(path)
        if not path.exists():
            raise ImageReadError(f"{name}: no such file")
        if not path.is_file():
            raise ImageReadError(f"{name}: not a file")
        if path.stat().st_size > MAX_BYTES:
            raise ImageReadError(f"{name}: file larger than {MAX_BYTES // 2**20} MiB")
        data = path.read_bytes()
    if not data:
        raise ImageReadError(f"{name}: empty file (0 bytes)")
    if len(data) > MAX_BYTES:
        raise ImageReadError(f"{name}: file larger than {MAX_BYTES // 2**20} MiB")
    return data, name


def read_pixels(source: str | Path | bytes, name: str | None = None) -> np.ndarray:
    """An image file (or its bytes) as the 32x32 RGB uint8 array the models see (see
    `read_image`, which also gives the size it had)."""
    return read_image(source, name)[0]


def read_image(
    source: str | Path | bytes, name: str | None = None
) -> tuple[np.ndarray, tuple[int, int]]:
    """An image file (or its bytes) as the 32x32 RGB uint8 array the models see, and its
    original (width, height).

    PNG, JPEG (and MPO, as phones write it), WebP, BMP and GIF (first frame); the format is
    sniffed from the bytes, never from the name. EXIF orientation is applied; grayscale,
    palette and 16-bit images are converted; transparency is composited on white; the centre
    square is shrunk by area averaging. Raises ImageReadError with a one-line reason.
    """
    data, name = read_bytes(source, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                check_declared_size(image, name)
                size = image.size
                image.seek(0)  # the first frame of a GIF or MPO
                if image.format in ("JPEG", "MPO") and min(image.size) >= 2 * DRAFT_MIN_SIDE:
                    image.draft(image.mode, (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
                check_working_memory(image, name)
                image.load()
                return prepare_image(image), size
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(f"{name}: not an image (or an unsupported format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageReadError(f"{name}: image too large to decode safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageReadError(f"{name}: corrupt or truncated image ({error})") from None


def check_declared_size(image: Image.Image, name: str) -> None:
    """Refuse an unsupported format, or more pixels than its format may have, before decoding."""
    if image.format not in READABLE_FORMATS:
        supported = ", ".join(sorted(READABLE_FORMATS - {"MPO"}))
        raise ImageReadError(f"{name}: {image.format} images are not supported; use {supported}")
    width, height = image.size
    limit = MAX_JPEG_PIXELS if image.format in ("JPEG", "MPO") else MAX_OTHER_PIXELS
    if width * height > limit:
        raise ImageReadError(
            f"{name}: {width}x{height} pixels is too large for {image.format} "
            f"(at most {limit:,} pixels)"
        )


def check_working_memory(image: Image.Image, name: str) -> None:
    """Refuse an image whose decoded pixels and one working copy exceed MAX_WORKING_BYTES."""
    width, height = image.size  # after draft mode, the reduced size
    needed = 2 * width * height * _BYTES_PER_PIXEL.get(image.mode, 4)
    if needed > MAX_WORKING_BYTES:
        raise ImageReadError(
            f"{name}: a {width}x{height} {image.mode} image needs {needed / 2**20:.0f} MiB to "
            f"decode (at most {MAX_WORKING_BYTES // 2**20} MiB); send a smaller image or a JPEG"
        )


# EXIF orientation -> the transposition that displays the image upright (as ImageOps does).
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def prepare_image(image: Image.Image) -> np.ndarray:
    """The centre square of any PIL image, shrunk to 32x32 RGB uint8 as CIFAKE's images were.

    EXIF orientation is applied first. The square is shrunk in the image's own mode and only
    the 32x32 result is converted, so no full-size converted copy is made.
    """
    transpose = _ORIENTATIONS.get(image.getexif().get(ExifTags.Base.Orientation, 1))
    if transpose is not None:
        image = image.transpose(transpose)
    if image.mode == "P":  # palette indices cannot be averaged
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    top_value = 1.0
    if image.mode.startswith("I"):  # 16- or 32-bit grey: the scale, read before shrinking
        top_value = 65535.0 if image.mode.startswith("I;16") else max(image.getextrema()[1], 1)
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    box = (left, top, left + side, top + side)
    if side == IMAGE_SIZE:
        small = image.crop(box)
    else:
        small = image.resize((IMAGE_SIZE, IMAGE_SIZE), RESAMPLING, box=box)
    return np.asarray(to_rgb(small, top_value), dtype=np.uint8).copy()


def to_rgb(image: Image.Image, top_value: float = 1.0) -> Image.Image:
    """RGB from any PIL mode; transparent pixels become white; deep grey scaled by `top_value`."""
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)  # only ever 32x32 here
        image = Image.fromarray(np.clip(np.rint(values / top_value * 255), 0, 255).astype(np.uint8))
    if image.mode == "P" or "A" in image.getbands():
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")
