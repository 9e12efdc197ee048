"""Saved models: what each one's JSON sidecar says, which one is the default, and loading one.

The command, the web app and notebook 06 all load a detector through `load_detector`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from .architectures import BEYOND


@dataclass(frozen=True)
class ModelInfo:
    """A saved model and what its sidecar says about it."""

    path: Path
    architecture: str
    seed: int
    data_checksum: str
    validation_accuracy: float
    temperature: float = 1.0  # divides the logit of P(FAKE); 1: not calibrated
    scope_reference: dict | None = None  # the scope rule's feature reference (detector.scope)


@dataclass(frozen=True)
class Detector:
    """A loaded model with its sidecar."""

    info: ModelInfo
    model: keras.Model


def read_model_info(path: Path) -> ModelInfo:
    """The JSON sidecar of a saved `.keras` model; FileNotFoundError names what is missing."""
    sidecar = path.with_suffix(".json")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    if not sidecar.is_file():
        raise FileNotFoundError(f"{sidecar}: the model's JSON sidecar is missing")
    summary = json.loads(sidecar.read_text())
    calibration = summary.get("calibration") or {}
    return ModelInfo(
        path,
        summary["architecture"],
        summary["seed"],
        summary["data_checksum"],
        summary["validation"]["accuracy"],
        calibration.get("temperature", 1.0),
        calibration.get("scope"),
    )


def available_models(models_dir: Path) -> list[ModelInfo]:
    """Every `.keras` model in the folder that has its JSON sidecar, sorted by name."""
    return [
        read_model_info(path)
        for path in sorted(models_dir.glob("*.keras"))
        if path.with_suffix(".json").is_file()
    ]


def default_model_path(models_dir: Path) -> Path:
    """The seed-0 model of the paper architecture with the best mean validation accuracy.

    Chosen on validation only, like every other choice in the study. The beyond-the-paper
    model (notebook 08) is offered beside it but is the default only in a folder that holds
    nothing else: notebooks 05 and 06 explain and demonstrate the paper's served model.
    """
    infos = available_models(models_dir)
    paper = [info for info in infos if info.architecture not in BEYOND]
    infos = paper or infos
    if not infos:
        raise FileNotFoundError(f"{models_dir}: no trained model; run `make reproduce`")
    by_architecture: dict[str, list[float]] = {}
    for info in infos:
        by_architecture.setdefault(info.architecture, []).append(info.validation_accuracy)
    best = max(by_architecture, key=lambda a: np.mean(by_architecture[a]))
    candidates = sorted((i for i in infos if i.architecture == best), key=lambda i: i.seed)
    return candidates[0].path


def load_detector(path: Path | None, models_dir: Path) -> Detector:
    """The model at `path`, or the default of `models_dir` when `path` is None.

    Raises FileNotFoundError for a missing model or sidecar, ValueError for a file Keras
    cannot read.
    """
    path = Path(path) if path is not None else default_model_path(models_dir)
    info = read_model_info(path)
    return Detector(info, keras.models.load_model(path))
