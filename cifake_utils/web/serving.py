"""Which trained models the app can serve, the one it serves now, and their test accuracy."""

import csv
import threading
from pathlib import Path

import keras

from ..prediction import ModelInfo, default_model_path, read_model_info


class ModelRegistry:
    """The saved models in one folder; loads each (and its sidecar) once, on first use."""

    def __init__(self, models_dir: Path, metrics_dir: Path, state_file: Path):
        self.models_dir, self.metrics_dir, self.state_file = models_dir, metrics_dir, state_file
        self._loaded: dict[str, tuple[ModelInfo, keras.Model]] = {}
        self._lock = threading.Lock()
        self._test_accuracy = read_test_accuracy(metrics_dir / "04_test_metrics_per_run.csv")
        saved = state_file.read_text().strip() if state_file.is_file() else ""
        names = {info.path.stem for info in self.available()}
        self.serving = saved if saved in names else default_model_path(models_dir).stem
        self.model(self.serving)  # loaded when the app is created, not on the first request

    def available(self) -> list[ModelInfo]:
        """Every model in the folder that has its JSON sidecar."""
        return [
            read_model_info(path)
            for path in sorted(self.models_dir.glob("*.keras"))
            if path.with_suffix(".json").is_file()
        ]

    def model(self, name: str) -> tuple[ModelInfo, keras.Model]:
        """The sidecar and Keras model saved as `<name>.keras`, loaded once."""
        with self._lock:
            if name not in self._loaded:
                path = self.models_dir / f"{name}.keras"
                self._loaded[name] = (read_model_info(path), keras.models.load_model(path))
            return self._loaded[name]

    def current(self) -> tuple[ModelInfo, keras.Model]:
        """The model being served, with its sidecar."""
        return self.model(self.serving)

    def select(self, name: str) -> None:
        """Serve another saved model, chosen by name from `available()` (never a path)."""
        if name not in {info.path.stem for info in self.available()}:
            raise KeyError(name)
        self.model(name)
        self.serving = name
        self.state_file.write_text(name)

    def test_accuracy(self, info: ModelInfo) -> float | None:
        """The model's accuracy on CIFAKE's test split, from notebook 04's table, if any."""
        return self._test_accuracy.get((info.architecture, info.seed))


def read_test_accuracy(table: Path) -> dict[tuple[str, int], float]:
    """{(architecture, seed): test accuracy} from notebook 04's per-run table (empty if none)."""
    if not table.is_file():
        return {}
    with open(table) as handle:
        return {
            (row["architecture"], int(row["seed"])): float(row["accuracy"])
            for row in csv.DictReader(handle)
        }
