"""Write machine-readable results (JSON, CSV) under a profile's metrics folder."""

import json
from pathlib import Path

import numpy as np
import pandas as pd


def _plain(value):
    """JSON-ready copy of numpy scalars, arrays and paths."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return value.as_posix()
    return value


def save_json(payload: dict, path: Path) -> Path:
    """Write `payload` as indented JSON (numpy values converted) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(payload), indent=2, sort_keys=True) + "\n")
    return path


def save_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV (index included) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path)
    return path


def load_json(path: Path) -> dict:
    """Read back a JSON file written by `save_json` (findings are written from the saved file,
    so that they say what a reader of the metrics sees)."""
    return json.loads(Path(path).read_text())


def records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON records, its index as columns unless it is the default 0, 1, ... range."""
    if isinstance(table.index, pd.RangeIndex) and table.index.name is None:
        return table.to_dict(orient="records")
    return table.reset_index().to_dict(orient="records")


def save_results(path: Path, **parts) -> Path:
    """Save a notebook's results as one JSON file: each table as records (`records`), every
    other value as it is."""
    payload = {
        name: records(part) if isinstance(part, pd.DataFrame) else part
        for name, part in parts.items()
    }
    return save_json(payload, path)
