"""How each CIFAKE file was saved as a JPEG: its quantisation tables, read as an IJG quality,
and its chroma subsampling, counted per split and class.

A difference between the classes here would be a label carried by the file format rather than
by the picture, the shortcut behind many "AI image detectors" (Grommelt et al., 2024). The
tables are read from each file's header; the pixels are not decoded.
"""

import io
from functools import cache

import pandas as pd
from PIL import Image, JpegImagePlugin, UnidentifiedImageError

from ..errors import ImageDecodeError
from .sources import Source

SUBSAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}  # Pillow's codes for the usual layouts
UNKNOWN_TABLES = "other tables"


def _tables(image: Image.Image) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(table) for _, table in sorted(image.quantization.items()))


@cache
def ijg_qualities() -> dict[tuple[tuple[int, ...], ...], int]:
    """{quantisation tables: IJG quality} for qualities 1-100 with luma and chroma tables, as
    libjpeg (through Pillow) scales the standard tables of the JPEG specification's Annex K."""
    found = {}
    for quality in range(1, 101):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, "JPEG", quality=quality)
        found.setdefault(_tables(Image.open(buffer)), quality)
    return found


def jpeg_container(data: bytes, name: str) -> dict[str, object]:
    """The file's quantisation tables (as 'IJG q<k>', or UNKNOWN_TABLES), chroma subsampling
    and whether it is progressive; ImageDecodeError naming `name` if it is no readable JPEG."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise ImageDecodeError(f"{name}: a {image.format} file, not a JPEG")
            quality = ijg_qualities().get(_tables(image))
            sampling = JpegImagePlugin.get_sampling(image)
            progressive = bool(image.info.get("progressive", 0))
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ImageDecodeError(f"{name}: unreadable JPEG header ({error})") from None
    return {
        "tables": UNKNOWN_TABLES if quality is None else f"IJG q{quality}",
        "subsampling": SUBSAMPLING.get(sampling, "other"),
        "progressive": progressive,
    }


def container_table(sources: list[Source]) -> pd.DataFrame:
    """Files per split, class and JPEG container (tables, subsampling, progressive)."""
    rows = []
    for source in sources:
        for image in source.files:
            split, label = image.group.split("/")
            found = jpeg_container(source.read(image), f"{source.describe()}: {image.path}")
            rows.append({"split": split, "label": label, **found})
    keys = ["split", "label", "tables", "subsampling", "progressive"]
    return pd.DataFrame(rows).groupby(keys).size().rename("files").to_frame()


def containers_per_label(table: pd.DataFrame) -> dict[str, list[str]]:
    """{label: the containers its files use}, each as 'IJG q75, 4:2:0, baseline'."""
    found: dict[str, set[str]] = {}
    for _split, label, tables, subsampling, progressive in table.index:
        kind = "progressive" if progressive else "baseline"
        found.setdefault(label, set()).add(f"{tables}, {subsampling}, {kind}")
    return {label: sorted(kinds) for label, kinds in sorted(found.items())}
