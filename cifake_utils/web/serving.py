"""Which trained models the app can serve, the one it serves now, and their test accuracy."""

import csv
import json
import threading
from pathlib import Path

from flask import Flask, current_app

from ..detector.scope import resampling_accuracies
from ..models.saved import Detector, ModelInfo, available_models, default_model_path, load_detector
from .instance import write_private


class ModelRegistry:
    """The saved models in one folder; loads each (and its sidecar) once, on first use."""

    def __init__(self, models_dir: Path, metrics_dir: Path, state_file: Path):
        self.models_dir, self.state_file = models_dir, state_file
        self._loaded: dict[str, Detector] = {}
        self._lock = threading.Lock()
        self._test_accuracy = read_test_accuracy(metrics_dir / "04_test_metrics_per_run.csv")
        # Notebook 07's measurements: what a user is told about an image's scope.
        self.robustness = read_json(metrics_dir / "07_robustness.json")
        self.resampling = resampling_accuracies(self.robustness)
        # Notebook 08's grid adds the beyond model to what the user is told.
        self.beyond = read_json(metrics_dir / "08_beyond.json")
        self._available = available_models(models_dir)
        saved = state_file.read_text().strip() if state_file.is_file() else ""
        names = {info.path.stem for info in self._available}
        self.serving = saved if saved in names else default_model_path(models_dir).stem
        self.detector(self.serving)  # loaded when the app is created, not on the first request

    def available(self) -> list[ModelInfo]:
        """Every model in the folder that has its JSON sidecar (read once)."""
        return self._available

    def detector(self, name: str) -> Detector:
        """The model saved as `<name>.keras` with its sidecar, loaded once."""
        with self._lock:
            if name not in self._loaded:
                path = self.models_dir / f"{name}.keras"
                self._loaded[name] = load_detector(path, self.models_dir)
            return self._loaded[name]

    def current(self) -> Detector:
        """The model being served, with its sidecar."""
        return self.detector(self.serving)

    def select(self, name: str) -> None:
        """Serve another saved model, chosen by name from `available()` (never a path)."""
        if name not in {info.path.stem for info in self._available}:
            raise KeyError(name)
        self.detector(name)
        self.serving = name
        write_private(self.state_file, name)

    def test_accuracy(self, info: ModelInfo) -> float | None:
        """The model's accuracy on CIFAKE's test split, from notebook 04's table, if any."""
        return self._test_accuracy.get((info.architecture, info.seed))


def read_json(path: Path) -> dict | None:
    """A metrics file's content (None when the notebook that writes it has not run)."""
    return json.loads(path.read_text()) if path.is_file() else None


def read_test_accuracy(table: Path) -> dict[tuple[str, int], float]:
    """{(architecture, seed): test accuracy} from notebook 04's per-run table (empty if none)."""
    if not table.is_file():
        return {}
    with open(table) as handle:
        return {
            (row["architecture"], int(row["seed"])): float(row["accuracy"])
            for row in csv.DictReader(handle)
        }


def init_app(app: Flask) -> None:
    """Load the served model once, when the app is created."""
    app.extensions["cifake_models"] = ModelRegistry(
        Path(app.config["MODELS_DIR"]),
        Path(app.config["METRICS_DIR"]),
        Path(app.instance_path) / "serving_model.txt",
    )


def registry() -> ModelRegistry:
    """The registry of the app handling the current request."""
    return current_app.extensions["cifake_models"]
