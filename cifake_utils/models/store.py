"""Trained models as artifacts keyed by what made them, so that a saved model is reused only
when the same configs, data, thread layout, library versions and training code would make it.

The training code enters the key as `TRAINING_VERSION`, not as a hash of its source: a
refactor that keeps the numbers keeps the models. `tests/test_training_version.py` ties the
version to the numbers of a short seeded training on real images, so a change that moves them
fails until the version is bumped (and every model is then trained again).
"""

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

TRAINING_VERSION = 1
# Config fields added after models were saved under keys: left out of a config's JSON while at
# their default, so that every earlier key (and sidecar) stays what it was.
LATER_DEFAULTS = {"pool_dropout": 0.0, "output_units": 1, "precision": "float32"}
CPU = "cpu"  # `machine.training_device()` on a machine without a visible GPU


def data_digest(*arrays: np.ndarray) -> str:
    """SHA-256 over the exact arrays a run trains and validates on (shape, dtype and bytes)."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def as_json(config) -> dict:
    """A config as its JSON sidecar and its key hold it (tuples become lists; a field of
    `LATER_DEFAULTS` only when it differs from its default)."""
    fields = asdict(config)
    for name, default in LATER_DEFAULTS.items():
        if name in fields and fields[name] == default:
            del fields[name]
    return json.loads(json.dumps(fields))


def key_inputs(model_config, train_config, data: str, threads: int, device: str = CPU) -> dict:
    """Everything a run's weights depend on but the CPU kind (which the sidecar records). A
    run on a GPU adds `device` (`machine.training_device()`), so that its model is never taken
    for a CPU one; a CPU run's key is what it was before devices were recorded."""
    gpu = {} if device == CPU else {"device": device}
    return gpu | {
        "training_version": TRAINING_VERSION,
        "model_config": as_json(model_config),
        "train_config": as_json(train_config),
        "data": data,
        "threads": threads,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def run_key(inputs: dict) -> str:
    """The key of a run: SHA-256 of its key inputs."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def saved_key(sidecar: Path) -> str | None:
    """The key recorded in a model's sidecar (None: no sidecar, made before keys, or not
    readable as JSON)."""
    if not sidecar.is_file():
        return None
    try:
        return json.loads(sidecar.read_text()).get("key")
    except ValueError:  # not a sidecar, or a damaged one: no key to match
        return None


def matching_model(folder: Path | None, name: str, key: str) -> Path | None:
    """`<folder>/<name>.keras` when its sidecar carries `key`, else None."""
    if folder is None:
        return None
    path = folder / f"{name}.keras"
    return path if path.is_file() and saved_key(path.with_suffix(".json")) == key else None
