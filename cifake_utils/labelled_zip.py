"""Read a labelled image set from a zip in the CIFAKE layout, within size limits, in memory."""

import io
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .constants import LABELS
from .data import cifar_class_from_name
from .errors import CifakeDataError, LayoutError
from .prediction import ImageReadError, prepare_image, read_image
from .sources import MEMBER_PATTERN, is_system_file


@dataclass
class LabelledImages:
    """Images prepared as the model sees them, their labels, and what could not be read."""

    images: np.ndarray  # (n, 32, 32, 3) uint8
    labels: np.ndarray  # (n,) 0 REAL, 1 FAKE
    cifar_classes: np.ndarray  # (n,) CIFAR-10 class from the file name, -1 when it has none
    names: list[str]
    rejected: list[str] = field(default_factory=list)  # one line per unreadable member


def read_labelled_zip(data: bytes, max_images: int, max_uncompressed_bytes: int) -> LabelledImages:
    """Images under `<split>/REAL/` and `<split>/FAKE/` of a zip held in memory.

    Nothing is written to disk and member names are only matched, never opened as paths.
    Raises LayoutError for a non-zip, a zip bomb or a zip without a CIFAKE layout.
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
    if len(labelled) > max_images:
        raise LayoutError(f"the zip holds {len(labelled):,} images; at most {max_images:,}")
    if sum(info.file_size for info, _ in labelled) > max_uncompressed_bytes:
        raise LayoutError(f"the zip unpacks to more than {max_uncompressed_bytes // 2**20} MiB")
    result = LabelledImages(
        np.empty((0, 32, 32, 3), np.uint8), np.empty(0, np.uint8), np.empty(0, np.int16), []
    )
    pixels, labels, classes = [], [], []
    for info, match in labelled:
        try:
            pixels.append(prepare_image(read_image(archive.read(info), info.filename)))
        except (ImageReadError, zipfile.BadZipFile, OSError) as error:
            result.rejected.append(
                str(error) if isinstance(error, ImageReadError) else f"{info.filename}: {error}"
            )
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
