"""Load CIFAKE as uint8 arrays, decoding every JPEG once into a checksum-keyed cache."""

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import PIL
from tqdm import tqdm

from ..constants import CIFAR10_CLASSES, EXPECTED_COUNTS, LABELS, SPLITS
from ..errors import CifakeDataError, CountMismatchError, LayoutError
from ..images import decode_cifake_jpeg
from ..paths import resolve_cache_dir, resolve_cifake_dir
from .sources import (
    GROUPS,
    ImageFile,
    Source,
    discover_sources,
    read_checksum_list,
    verify_checksums,
)

CACHE_FORMAT = 1  # bump when the cached arrays change meaning
_SUFFIX = re.compile(r" \((\d+)\)\.jpe?g$", re.IGNORECASE)
_ARRAYS = ("images", "labels", "cifar_classes", "names", "file_sizes")


@dataclass(frozen=True)
class DataConfig:
    """Where CIFAKE is and how strictly to read it."""

    cifake_dir: Path | None = None  # None: $CIFAKE_DIR, else ../shared/data/cifake, data/cifake
    cache_dir: Path | None = None  # None: $CIFAKE_CACHE_DIR, else data/cache
    lenient: bool = False  # True: skip (and count) bad files instead of stopping
    # Images per group; None skips the check (for a deliberately partial copy).
    expected_counts: Mapping[str, int] | None = field(default_factory=lambda: dict(EXPECTED_COUNTS))


@dataclass(frozen=True)
class CifakeSplit:
    """The images of one split with their labels (REAL=0, FAKE=1) and provenance."""

    images: np.ndarray  # (n, 32, 32, 3) uint8
    labels: np.ndarray  # (n,) uint8, index into LABELS
    cifar_classes: np.ndarray  # (n,) uint8, index into CIFAR10_CLASSES
    names: np.ndarray  # (n,) str, "REAL/0001 (2).jpg"
    file_sizes: np.ndarray  # (n,) int32, JPEG bytes

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: np.ndarray) -> "CifakeSplit":
        """The images at `indices`, in that order."""
        return CifakeSplit(*(getattr(self, name)[indices] for name in _ARRAYS))


@dataclass(frozen=True)
class LoadReport:
    """What a load read, skipped and checked, for the notebooks to show."""

    sources: list[dict]  # {"source": description, "sha256": digest}
    checksums_verified: int  # zips whose SHA256SUMS entry matched
    skipped: list[dict]  # {"file": path, "reason": message}, lenient mode only
    ignored_system_files: int  # .DS_Store, __MACOSX/ and the like
    from_cache: bool
    seconds: float


@dataclass(frozen=True)
class CifakeData:
    """The decoded train and test splits and the checksum that identifies them."""

    train: CifakeSplit
    test: CifakeSplit
    checksum: str  # SHA-256 over the sources' checksums and the reading options
    report: LoadReport

    def split(self, name: str) -> CifakeSplit:
        return {"train": self.train, "test": self.test}[name]


def cifar_class_from_name(name: str) -> int:
    """CIFAR-10 class index from a CIFAKE file name: " (k).jpg" is class k, no suffix class 1."""
    match = _SUFFIX.search(name)
    if match is None:
        return 0
    k = int(match[1])
    if not 2 <= k <= len(CIFAR10_CLASSES):
        raise LayoutError(f"{name}: class suffix ({k}) is outside 2..{len(CIFAR10_CLASSES)}")
    return k - 1


def load_cifake(config: DataConfig = DataConfig(), progress: bool = True) -> CifakeData:
    """Return CIFAKE decoded, from the cache when the sources are unchanged.

    Raises a CifakeDataError subclass naming the file for a missing dataset, another
    layout, a checksum mismatch, a bad image (unless `config.lenient`) or wrong counts.
    """
    start = time.perf_counter()
    cifake_dir = resolve_cifake_dir(config.cifake_dir)
    sources = discover_sources(cifake_dir)
    listing = (cifake_dir if cifake_dir.is_dir() else cifake_dir.parent) / "SHA256SUMS"
    verified = 0
    if listing.is_file():
        verified = verify_checksums(sources, read_checksum_list(listing), listing)
    checksum = dataset_checksum(sources, config)
    entry = resolve_cache_dir(config.cache_dir) / checksum[:16]
    from_cache = (entry / "meta.json").is_file()
    if not from_cache:
        arrays, skipped = decode_sources(sources, config, progress)
        write_cache_entry(entry, arrays, {"checksum": checksum, "skipped": skipped})
    arrays, meta = read_cache_entry(entry, checksum)
    report = LoadReport(
        sources=[{"source": s.describe(), "sha256": s.checksum} for s in sources],
        checksums_verified=verified,
        skipped=meta["skipped"],
        ignored_system_files=sum(len(s.system_files) for s in sources),
        from_cache=from_cache,
        seconds=time.perf_counter() - start,
    )
    splits = {
        split: CifakeSplit(*(arrays[f"{split}_{name}"] for name in _ARRAYS)) for split in SPLITS
    }
    return CifakeData(splits["train"], splits["test"], checksum, report)


def dataset_checksum(sources: list[Source], config: DataConfig) -> str:
    """Identify the decoded data: the sources' digests plus what changes how they are read."""
    parts = {
        "format": CACHE_FORMAT,
        "pillow": PIL.__version__,
        "lenient": config.lenient,
        "sources": sorted(source.checksum for source in sources),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def decode_sources(
    sources: list[Source], config: DataConfig, progress: bool
) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Decode every image, group by group, and check each group's count."""
    reject_unexpected_files(sources, config.lenient)
    files = {group: [] for group in GROUPS}
    for source in sources:
        for image in source.files:
            files[image.group].append((image, source))
    total = sum(len(found) for found in files.values())
    bar = tqdm(
        total=total, desc="Decoding CIFAKE", unit="img", mininterval=2.0, disable=not progress
    )
    skipped: list[dict] = []
    decoded: dict[str, list] = {}
    for group, found in files.items():
        found.sort(key=lambda pair: pair[0].name)
        decoded[group] = decode_group(found, group, config.lenient, skipped, bar)
    bar.close()
    check_counts(files, skipped, config.expected_counts)
    arrays = {}
    for split in SPLITS:
        rows = [row for label in LABELS for row in decoded[f"{split}/{label}"]]
        arrays[f"{split}_images"] = np.array([row[0] for row in rows], np.uint8).reshape(
            -1, 32, 32, 3
        )
        arrays[f"{split}_labels"] = np.array([row[1] for row in rows], dtype=np.uint8)
        arrays[f"{split}_cifar_classes"] = np.array([row[2] for row in rows], dtype=np.uint8)
        arrays[f"{split}_names"] = np.array([row[3] for row in rows], dtype=str)
        arrays[f"{split}_file_sizes"] = np.array([row[4] for row in rows], dtype=np.int32)
    return arrays, skipped


def decode_group(
    found: list[tuple[ImageFile, Source]], group: str, lenient: bool, skipped: list, bar: tqdm
) -> list[tuple]:
    """Decode one split/label group; bad files raise, or are recorded in `skipped`."""
    label = LABELS.index(group.split("/")[1])
    rows = []
    for image, source in found:
        try:
            pixels = decode_cifake_jpeg(source.read(image), f"{source.describe()}: {image.path}")
            cifar_class = cifar_class_from_name(image.name)
        except CifakeDataError as error:
            if not lenient:
                raise
            skipped.append({"file": image.path, "reason": str(error)})
        else:
            name = f"{group.split('/')[1]}/{image.name}"
            rows.append((pixels, label, cifar_class, name, image.size))
        bar.update()
    return rows


def reject_unexpected_files(sources: list[Source], lenient: bool) -> None:
    """Files outside the layout (a stray folder, a nested path) stop a strict load."""
    unexpected = [f"{s.describe()}: {path}" for s in sources for path in s.unexpected]
    if unexpected and not lenient:
        shown = "; ".join(unexpected[:3]) + (" ..." if len(unexpected) > 3 else "")
        raise LayoutError(
            f"{len(unexpected)} file(s) outside the CIFAKE layout: {shown}. Remove them or "
            "load with lenient=True to skip them."
        )


def check_counts(
    files: dict[str, list], skipped: list[dict], expected: Mapping[str, int] | None
) -> None:
    """Each group must hold CIFAKE's count of files (skipped bad files included)."""
    if expected is None:
        return
    wrong = [
        f"{group}: {len(files[group])} files, expected {expected[group]}"
        for group in GROUPS
        if len(files[group]) != expected[group]
    ]
    if wrong:
        raise CountMismatchError(
            "CIFAKE is incomplete or has extra files: "
            + "; ".join(wrong)
            + f" ({len(skipped)} bad file(s) skipped)"
        )


def write_cache_entry(entry: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write arrays and meta into `entry` atomically: a crash never leaves half a cache."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
    try:
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array, allow_pickle=False)
        meta = {**meta, "format": CACHE_FORMAT, "written_at": time.time()}
        (staging / "meta.json").write_text(json.dumps(meta, indent=1))
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(staging, entry)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_cache_entry(entry: Path, checksum: str) -> tuple[dict[str, np.ndarray], dict]:
    """Load a cache entry written by `write_cache_entry` and check it is the one asked for."""
    meta = json.loads((entry / "meta.json").read_text())
    if meta.get("checksum") != checksum or meta.get("format") != CACHE_FORMAT:
        raise CifakeDataError(f"{entry}: cache entry does not match; delete the folder")
    arrays = {}
    for split in SPLITS:
        for name in _ARRAYS:
            arrays[f"{split}_{name}"] = np.load(entry / f"{split}_{name}.npy", allow_pickle=False)
    return arrays, meta
