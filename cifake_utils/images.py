"""Decode one CIFAKE JPEG into a 32x32x3 uint8 array, or say precisely why it cannot be."""

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from .constants import IMAGE_SIZE
from .errors import ImageDecodeError

JPEG_MAGIC = b"\xff\xd8\xff"


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
