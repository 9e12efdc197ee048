"""Train any CNN2D variant from a config: seeded, deterministic, resumable, one line per epoch."""

import json
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from ..data.pipeline import make_dataset
from .architectures import ModelConfig, build_model

RESULT_FILE = "result.json"


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained; chosen on the validation split only."""

    epochs: int = 30  # upper bound: early stopping picks the epoch on validation loss
    batch_size: int = 64
    optimizer: str = "adam"  # any name keras.optimizers.get accepts
    learning_rate: float = 1e-3
    patience: int = 3  # epochs without a better validation loss before stopping
    seed: int = 0  # weights, dropout and the shuffling order all derive from it


@dataclass(frozen=True)
class TrainingRun:
    """A trained model with its configs, history and the validation metrics of its best epoch."""

    model: keras.Model
    model_config: ModelConfig
    train_config: TrainConfig
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    best_epoch: int  # 1-based epoch whose weights the model holds
    data_checksum: str
    seconds: float

    @property
    def name(self) -> str:
        return f"{self.model_config.name}_seed{self.train_config.seed}"

    @property
    def epochs_trained(self) -> int:
        return len(self.history["loss"])

    @property
    def validation(self) -> dict[str, float]:
        index = self.best_epoch - 1
        return {
            "loss": self.history["val_loss"][index],
            "accuracy": self.history["val_accuracy"][index],
        }

    def summary(self) -> dict:
        """What the JSON sidecar beside the saved model holds."""
        return {
            "architecture": self.model_config.name,
            "parameters": int(self.model.count_params()),
            "seed": self.train_config.seed,
            "data_checksum": self.data_checksum,
            "epochs_trained": self.epochs_trained,
            "best_epoch": self.best_epoch,
            "validation": self.validation,
            "seconds": round(self.seconds, 1),
            "model_config": asdict(self.model_config),
            "train_config": asdict(self.train_config),
            "history": self.history,
            "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
        }


class EpochLine(keras.callbacks.Callback):
    """Print one line per epoch instead of Keras's per-step progress bar."""

    def __init__(self, name: str, epochs: int):
        super().__init__()
        self.name, self.epochs = name, epochs

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        print(
            f"{self.name} epoch {epoch + 1:2d}/{self.epochs}  loss {logs['loss']:.4f}  "
            f"acc {logs['accuracy']:.4f}  val_loss {logs['val_loss']:.4f}  "
            f"val_acc {logs['val_accuracy']:.4f}  {time.perf_counter() - self.start:.0f} s",
            flush=True,
        )


class ResumableRun(keras.callbacks.Callback):
    """Keep the per-epoch history on disk, checkpoint the best epoch, and stop early.

    Its state lives in `epochs.json`, so after an interruption (with BackupAndRestore
    restoring weights and optimiser) the best epoch and the patience count carry on.
    """

    def __init__(self, folder: Path, patience: int):
        super().__init__()
        self.folder, self.patience = folder, patience
        self.history_path = folder / "epochs.json"
        self.best_path = folder / "best.keras"

    def on_train_begin(self, logs=None):
        self.history = (
            json.loads(self.history_path.read_text()) if self.history_path.is_file() else {}
        )
        self.first_epoch = True

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch:  # resumed at `epoch`: drop anything recorded after the backup
            self.history = {key: values[:epoch] for key, values in self.history.items()}
            self.first_epoch = False

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        losses = self.history["val_loss"]
        best = int(np.argmin(losses))
        if best == len(losses) - 1:
            self.model.save(self.best_path)
        self.history_path.write_text(json.dumps(self.history))
        if len(losses) - 1 - best >= self.patience:
            self.model.stop_training = True


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def compile_model(model: keras.Model, config: TrainConfig) -> None:
    """Binary cross-entropy on the sigmoid output, with the configured optimiser."""
    optimizer = keras.optimizers.get(
        {"class_name": config.optimizer, "config": {"learning_rate": config.learning_rate}}
    )
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])


def train_model(
    model_config: ModelConfig,
    train_config: TrainConfig,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_dir: Path,
    data_checksum: str,
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> TrainingRun:
    """Train one model on uint8 (images, labels) arrays and return the best epoch's model.

    `checkpoint_dir` holds this run's state: an interrupted run resumes from its last
    finished epoch, and a finished run with the same configs and data is loaded, not redone.
    Extra `callbacks` run after the built-in ones.
    """
    finished = load_finished_run(checkpoint_dir, model_config, train_config, data_checksum)
    if finished is not None:
        print(f"{finished.name}: already trained in {checkpoint_dir}, loaded", flush=True)
        return finished
    set_seed(train_config.seed)
    model = build_model(model_config)
    compile_model(model, train_config)
    name = f"{model_config.name}_seed{train_config.seed}"
    train_ds = make_dataset(*train, train_config.batch_size, shuffle=True, seed=train_config.seed)
    val_ds = make_dataset(*validation, batch_size=512)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    state = ResumableRun(checkpoint_dir, train_config.patience)
    all_callbacks = [
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        state,
        EpochLine(name, train_config.epochs),
        *(callbacks or []),
    ]
    start = time.perf_counter()
    model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=train_config.epochs,
        callbacks=all_callbacks,
        shuffle=False,  # the dataset shuffles itself, seeded
        verbose=0,
    )
    seconds = time.perf_counter() - start
    history = state.history
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    model.load_weights(state.best_path)
    run = TrainingRun(
        model, model_config, train_config, history, best_epoch, data_checksum, seconds
    )
    save_run(run, checkpoint_dir, stem="final")
    return run


def save_run(run: TrainingRun, folder: Path, stem: str | None = None) -> Path:
    """Save `<stem>.keras` and its summary `<stem>.json` in `folder`; return the model path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or run.name
    path = folder / f"{stem}.keras"
    run.model.save(path)
    (folder / f"{stem}.json").write_text(json.dumps(run.summary(), indent=2) + "\n")
    return path


def load_finished_run(
    checkpoint_dir: Path, model_config: ModelConfig, train_config: TrainConfig, checksum: str
) -> TrainingRun | None:
    """The finished run in `checkpoint_dir` if it was made with these configs and data."""
    summary_path = checkpoint_dir / "final.json"
    if not summary_path.is_file():
        return None
    summary = json.loads(summary_path.read_text())
    same = (
        summary["data_checksum"] == checksum
        and summary["model_config"] == json.loads(json.dumps(asdict(model_config)))
        and summary["train_config"] == asdict(train_config)
    )
    if not same:
        shutil.rmtree(checkpoint_dir)  # stale state from another config would be resumed
        return None
    return run_from_summary(keras.models.load_model(checkpoint_dir / "final.keras"), summary)


def run_from_summary(model: keras.Model, summary: dict) -> TrainingRun:
    """Rebuild a TrainingRun from a model and the summary saved beside it."""
    model_config = ModelConfig(
        **{**summary["model_config"], "input_shape": tuple(summary["model_config"]["input_shape"])}
    )
    return TrainingRun(
        model=model,
        model_config=model_config,
        train_config=TrainConfig(**summary["train_config"]),
        history=summary["history"],
        best_epoch=summary["best_epoch"],
        data_checksum=summary["data_checksum"],
        seconds=summary["seconds"],
    )


def load_run(path: Path) -> TrainingRun:
    """Load a model saved by `save_run` (path of the .keras file) with its summary."""
    summary = json.loads(path.with_suffix(".json").read_text())
    return run_from_summary(keras.models.load_model(path), summary)


def train_seeds(
    model_config: ModelConfig,
    train_config: TrainConfig,
    seeds: tuple[int, ...],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_root: Path,
    data_checksum: str,
) -> list[TrainingRun]:
    """Train one architecture once per seed."""
    runs = []
    for seed in seeds:
        config = replace(train_config, seed=seed)
        folder = checkpoint_root / f"{model_config.name}_seed{seed}"
        runs.append(train_model(model_config, config, train, validation, folder, data_checksum))
    return runs


def summarise_runs(runs: list[TrainingRun]) -> pd.DataFrame:
    """One row per run: architecture, seed, parameters, epochs and validation metrics."""
    return pd.DataFrame(
        [
            {
                "architecture": run.model_config.name,
                "seed": run.train_config.seed,
                "parameters": run.model.count_params(),
                "epochs_trained": run.epochs_trained,
                "best_epoch": run.best_epoch,
                "val_accuracy": run.validation["accuracy"],
                "val_loss": run.validation["loss"],
                "minutes": run.seconds / 60,
            }
            for run in runs
        ]
    )


def mean_and_spread(runs_table: pd.DataFrame) -> pd.DataFrame:
    """Per architecture: parameters, validation accuracy mean and std over seeds, seeds."""
    grouped = runs_table.groupby("architecture", sort=False)
    return pd.DataFrame(
        {
            "parameters": grouped["parameters"].first(),
            "val_accuracy_mean": grouped["val_accuracy"].mean(),
            "val_accuracy_std": grouped["val_accuracy"].std(ddof=1),
            "epochs_mean": grouped["epochs_trained"].mean(),
            "seeds": grouped["seed"].count(),
        }
    )
