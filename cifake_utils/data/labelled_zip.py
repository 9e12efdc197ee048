"""Read a labelled image set from a zip in the CIFAKE layout, within size limits, in memory."""

import io
import warnings
import zipfile
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ..constants import IMAGE_SIZE, LABELS
from ..errors import CifakeDataError, LayoutError
from ..images import ImageReadError, read_pixels
from .loading import cifar_class_from_name
from .sources import MEMBER_PATTERN, is_system_file

READABLE_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}


@dataclass(frozen=True)
class ZipLimits:
    """What an uploaded zip may hold."""

    max_images: int = 25_000
    max_uncompressed_bytes: int = 256 * 2**20  # what its image members may unpack to
    max_total_pixels: int = 64_000_000  # declared pixels of all images together (25,000 x 32x32
    # CIFAKE images are 25.6 million)


@dataclass
class LabelledImages:
    """Images prepared as the model sees them, their labels, and what could not be read."""

    images: np.ndarray  # (n, 32, 32, 3) uint8
    labels: np.ndarray  # (n,) 0 REAL, 1 FAKE
    cifar_classes: np.ndarray  # (n,) CIFAR-10 class from the file name, -1 when it has none
    names: list[str]
    rejected: list[str] = field(default_factory=list)  # one line per unreadable member


def read_labelled_zip(data: bytes, limits: ZipLimits = ZipLimits()) -> LabelledImages:
    """Images under `<split>/REAL/` and `<split>/FAKE/` of a zip held in memory.

    Nothing is written to disk and member names are only matched, never opened as paths.
    Raises LayoutError, naming the member where there is one, for a non-zip, a zip over the
    limits, an encrypted member, an unsupported compression method, or no CIFAKE layout.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LayoutError("the upload is not a zip file") from None
    members = [i for i in archive.infolist() if not i.is_dir() and not is_system_file(i.filename)]
    labelled = [(info, MEMBER_PATTERN.match(info.filename)) for info in members]
    labelled = [(info, match) for info, match in labelled if match]
    if not labelled:
        raise LayoutError("the zip has no member like test/REAL/0001.jpg or test/FAKE/0001.jpg")
    if len(labelled) > limits.max_images:
        raise LayoutError(f"the zip holds {len(labelled):,} images; at most {limits.max_images:,}")
    if sum(info.file_size for info, _ in labelled) > limits.max_uncompressed_bytes:
        raise LayoutError(
            f"the zip unpacks to more than {limits.max_uncompressed_bytes // 2**20} MiB"
        )
    for info, _ in labelled:
        check_member(info)
    contents = read_members(archive, [info for info, _ in labelled], limits.max_total_pixels)
    result = LabelledImages(
        np.empty((0, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8),
        np.empty(0, np.uint8),
        np.empty(0, np.int16),
        [],
    )
    pixels, labels, classes = [], [], []
    for info, match in labelled:
        content = contents[info.filename]
        if isinstance(content, str):
            result.rejected.append(content)
            continue
        try:
            pixels.append(read_pixels(content, info.filename))
        except ImageReadError as error:
            result.rejected.append(str(error))
            continue
        labels.append(LABELS.index(match[2]))
        try:
            classes.append(cifar_class_from_name(match[3]))
        except CifakeDataError:
            classes.append(-1)
        result.names.append(info.filename)
    if pixels:
        result.images = np.stack(pixels)
        result.labels = np.array(labels, dtype=np.uint8)
        result.cifar_classes = np.array(classes, dtype=np.int16)
    return result


def check_member(info: zipfile.ZipInfo) -> None:
    """Refuse an encrypted member or one whose compression method Python cannot read."""
    if info.flag_bits & 0x1:
        raise LayoutError(f"{info.filename}: the member is encrypted; upload an unencrypted zip")
    if info.compress_type not in READABLE_COMPRESSION:
        raise LayoutError(
            f"{info.filename}: compression method {info.compress_type} is not supported; "
            "use stored or deflated members"
        )


def read_members(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], max_total_pixels: int
) -> dict[str, bytes | str]:
    """Each member's bytes (or a one-line reason it cannot be read), refusing the whole zip,
    before any pixel is decoded, when its images declare more than `max_total_pixels`."""
    contents: dict[str, bytes | str] = {}
    total = 0
    for info in members:
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            contents[info.filename] = f"{info.filename}: {error}"
            continue
        contents[info.filename] = content
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(content)) as image:  # reads the header only
                    total += image.width * image.height
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
            continue  # unreadable: read_pixels says why, for this member alone
        if total > max_total_pixels:
            raise LayoutError(
                f"the zip's images hold more than {max_total_pixels:,} pixels in all "
                f"(reached at {info.filename}); send fewer or smaller images"
            )
    return contents
