"""Exceptions raised for bad CIFAKE input; each message names the offending file."""


class CifakeDataError(Exception):
    """Base class of every data problem this package reports."""


class DatasetNotFoundError(CifakeDataError):
    """No CIFAKE copy, or only part of one, was found where the setting points."""


class LayoutError(CifakeDataError):
    """A zip or folder does not have the Kaggle CIFAKE layout."""


class ImageDecodeError(CifakeDataError):
    """One file is not a valid 32x32 JPEG image."""


class ChecksumMismatchError(CifakeDataError):
    """A source file's SHA-256 differs from the one listed in SHA256SUMS."""


class CountMismatchError(CifakeDataError):
    """A split/class holds another number of images than CIFAKE has."""
