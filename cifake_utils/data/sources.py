"""Find the CIFAKE image files in a Kaggle `archive.zip`, the split zips or extracted folders."""

import hashlib
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..constants import KAGGLE_URL, LABELS, SPLITS
from ..errors import ChecksumMismatchError, DatasetNotFoundError, LayoutError

# A CIFAKE member path: "train/REAL/0001 (2).jpg". Kaggle's archive.zip and our split zips
# both use exactly these paths, so one pattern covers zips and extracted folders.
MEMBER_PATTERN = re.compile(r"^(train|test)/(REAL|FAKE)/([^/]+)$")
GROUPS = tuple(f"{split}/{label}" for split in SPLITS for label in LABELS)
LAYOUT_HELP = (
    "Expected layout: train/REAL, train/FAKE, test/REAL and test/FAKE, each holding the "
    "32x32 JPEGs, either as extracted folders or inside zips (Kaggle's archive.zip or "
    f"cifake_<split>_<LABEL>.zip). Download CIFAKE from {KAGGLE_URL} and set CIFAKE_DIR "
    "to the folder (or the zip)."
)
_CHUNK = 1 << 20


def is_system_file(path: str) -> bool:
    """True for files that archivers and desktops add (macOS resource forks, .DS_Store)."""
    parts = path.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


@dataclass(frozen=True)
class ImageFile:
    """One image file of CIFAKE: where it is and what its path says about it."""

    group: str  # "train/REAL" etc.
    name: str  # file name inside the class folder, e.g. "0001 (2).jpg"
    size: int  # bytes on disk (uncompressed size inside a zip)

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}"


class ZipSource:
    """CIFAKE images stored in one zip (all four groups or only some)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            raise LayoutError(f"{path}: not a readable zip file ({error})") from None
        self.files: list[ImageFile] = []
        self.unexpected: list[str] = []
        self.system_files: list[str] = []
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            if is_system_file(info.filename):
                self.system_files.append(info.filename)
                continue
            match = MEMBER_PATTERN.match(info.filename)
            if match is None:
                self.unexpected.append(info.filename)
                continue
            group = f"{match[1]}/{match[2]}"
            self.files.append(ImageFile(group, match[3], info.file_size))
        if not self.files:
            example = self.unexpected[0] if self.unexpected else "nothing"
            raise LayoutError(
                f"{path}: this zip has another layout; it holds no member like "
                f"'train/REAL/0000.jpg' (first member: {example!r}). {LAYOUT_HELP}"
            )

    def describe(self) -> str:
        return f"zip {self.path.name}"

    def read(self, image: ImageFile) -> bytes:
        return self._zip.read(image.path)

    @cached_property
    def checksum(self) -> str:
        """SHA-256 of the zip file, as `sha256sum` prints it."""
        return sha256_file(self.path)


class FolderSource:
    """CIFAKE images extracted into `root/{train,test}/{REAL,FAKE}/`."""

    def __init__(self, root: Path):
        self.path = root
        self.files: list[ImageFile] = []
        self.unexpected: list[str] = []
        self.system_files: list[str] = []
        missing = [group for group in GROUPS if not (root / group).is_dir()]
        if missing:
            raise DatasetNotFoundError(
                f"{root}: class folder(s) missing: {', '.join(missing)}. {LAYOUT_HELP}"
            )
        for group in GROUPS:
            for entry in sorted((root / group).iterdir()):
                relative = f"{group}/{entry.name}"
                if is_system_file(relative):
                    self.system_files.append(relative)
                elif entry.is_file():
                    self.files.append(ImageFile(group, entry.name, entry.stat().st_size))
                else:
                    self.unexpected.append(relative)

    def describe(self) -> str:
        return f"folder {self.path}"

    def read(self, image: ImageFile) -> bytes:
        return (self.path / image.path).read_bytes()

    @cached_property
    def checksum(self) -> str:
        """SHA-256 over every image's path and bytes, in a fixed order."""
        digest = hashlib.sha256()
        for image in sorted(self.files, key=lambda image: image.path):
            digest.update(image.path.encode() + b"\0")
            digest.update(self.read(image))
        return digest.hexdigest()


Source = ZipSource | FolderSource


def discover_sources(cifake_dir: Path) -> list[Source]:
    """Open what `cifake_dir` holds and check that each of the four groups is there once.

    `cifake_dir` may be a zip, a folder with `train/` and `test/` folders (these win when
    present), or a folder of zips. Raises DatasetNotFoundError or LayoutError with the
    missing part and the expected layout.
    """
    if not cifake_dir.exists():
        raise DatasetNotFoundError(f"CIFAKE not found: {cifake_dir} does not exist. {LAYOUT_HELP}")
    if cifake_dir.is_file():
        sources: list[Source] = [ZipSource(cifake_dir)]
    elif (cifake_dir / "train").exists() or (cifake_dir / "test").exists():
        sources = [FolderSource(cifake_dir)]
    else:
        zips = sorted(cifake_dir.glob("*.zip"))
        if not zips:
            raise DatasetNotFoundError(
                f"CIFAKE not found in {cifake_dir}: no train/ or test/ folder and no zip. "
                f"{LAYOUT_HELP}"
            )
        sources = [ZipSource(path) for path in zips]
    check_groups(sources, cifake_dir)
    return sources


def check_groups(sources: list[Source], cifake_dir: Path) -> None:
    """Every group must come from exactly one source: none missing, none ambiguous."""
    providers: dict[str, list[str]] = {group: [] for group in GROUPS}
    for source in sources:
        for group in sorted({image.group for image in source.files}):
            providers[group].append(source.describe())
    missing = [group for group, found in providers.items() if not found]
    if missing:
        raise DatasetNotFoundError(
            f"CIFAKE in {cifake_dir} is incomplete: no image found for {', '.join(missing)}. "
            f"{LAYOUT_HELP}"
        )
    doubled = {group: found for group, found in providers.items() if len(found) > 1}
    if doubled:
        detail = "; ".join(f"{group} in {' and '.join(found)}" for group, found in doubled.items())
        raise LayoutError(
            f"CIFAKE in {cifake_dir} is ambiguous: {detail}. Keep one copy of each group."
        )


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_checksum_list(path: Path) -> dict[str, str]:
    """Parse a `sha256sum` listing into {file name: hex digest}."""
    listed = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-fA-F]{64}", parts[0]):
            raise LayoutError(f"{path}: line {number} is not '<sha256>  <file>': {line!r}")
        listed[parts[1].lstrip("*").strip()] = parts[0].lower()
    return listed


def verify_checksums(sources: list[Source], checksums: dict[str, str], listing: Path) -> int:
    """Compare each zip named in SHA256SUMS with its listed digest; return how many matched."""
    verified = 0
    for source in sources:
        expected = checksums.get(source.path.name)
        if not isinstance(source, ZipSource) or expected is None:
            continue
        actual = source.checksum
        if actual != expected:
            raise ChecksumMismatchError(
                f"{source.path}: SHA-256 {actual} differs from {expected} listed in {listing}; "
                "the file is damaged or not the published one. Download it again."
            )
        verified += 1
    return verified


def extract_jpeg_folders(sources: list[Source], target: Path, split: str) -> Path:
    """Write `split`'s JPEG bytes, unchanged, to `target/<split>/<LABEL>/`; return that folder.

    Skips the work when the folder already holds as many files as the sources.
    """
    wanted = [(s, image) for s in sources for image in s.files if image.group.startswith(split)]
    root = target / split
    if root.is_dir() and sum(1 for _ in root.glob("*/*")) == len(wanted):
        return root
    for source, image in wanted:
        path = target / image.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read(image))
    return root
