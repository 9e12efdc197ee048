"""Where things live: the project root, the CIFAKE data setting and the output folders."""

from __future__ import annotations  # named by `make` from any python3

import os
from pathlib import Path

CIFAKE_DIR_VARIABLE = "CIFAKE_DIR"
CACHE_DIR_VARIABLE = "CIFAKE_CACHE_DIR"


def project_root() -> Path:
    """The repository root (the package is installed in editable mode from it)."""
    return Path(__file__).resolve().parents[1]


def resolve_cifake_dir(setting: str | os.PathLike | None = None) -> Path:
    """Return where CIFAKE is: the explicit setting, then $CIFAKE_DIR, then the defaults.

    Defaults, in order: `../shared/data/cifake` beside the project, then `data/cifake`.
    Existence is checked later, by `sources.discover_sources`, which explains what is missing.
    """
    if setting is None:
        setting = os.environ.get(CIFAKE_DIR_VARIABLE) or None
    if setting is not None:
        return Path(setting).expanduser()
    root = project_root()
    shared = root.parent / "shared" / "data" / "cifake"
    return shared if shared.exists() else root / "data" / "cifake"


def resolve_cache_dir(setting: str | os.PathLike | None = None) -> Path:
    """Return the decoded-image cache folder: the setting, $CIFAKE_CACHE_DIR or data/cache."""
    if setting is None:
        setting = os.environ.get(CACHE_DIR_VARIABLE) or None
    if setting is not None:
        return Path(setting).expanduser()
    return project_root() / "data" / "cache"


def untuned_results_dir() -> Path:
    """The untuned recipe's saved test results (kept from an earlier canonical run)."""
    return project_root() / "outputs" / "untuned"
