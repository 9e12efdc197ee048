"""Train any CNN2D variant from a config: seeded, deterministic, resumable, one line per epoch."""

import json
import math
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..data.pipeline import make_dataset
from ..machine import machine_info, training_device
from . import store
from .architectures import ModelConfig, build_model
from .callbacks import STOPPED_FILE, EpochLine, EpochMachines, RandomState, ResumableRun

RESULT_FILE = "result.json"
KEY_FILE = "key.json"  # in a checkpoint folder: the key of the run whose state it holds


OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "cosine")
PRECISIONS = ("float32", "mixed_bfloat16")
SGD_MOMENTUM = 0.9


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained; chosen on the validation split only.

    The defaults are the study's first, untuned recipe; `recipes.py` holds the tuned ones.
    """

    epochs: int = 30  # with early stopping an upper bound, without it the budget
    batch_size: int = 64
    optimizer: str = "adam"  # one of OPTIMIZERS; "sgd" uses Nesterov-free momentum 0.9
    learning_rate: float = 1e-3  # the peak rate when a schedule is used
    patience: int | None = 3  # epochs without a better validation loss; None: no early stop
    seed: int = 0  # weights, dropout, augmentation and the shuffling order derive from it
    schedule: str = "constant"  # or "cosine": linear warm-up, then cosine decay to zero
    warmup_epochs: int = 0
    weight_decay: float = 0.0  # decoupled (AdamW only)
    label_smoothing: float = 0.0
    augmentation: tuple[str, ...] = ()  # names from architectures.AUGMENTATIONS
    precision: str = "float32"  # or "mixed_bfloat16": bfloat16 compute, float32 weights

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r}: choose one of {OPTIMIZERS}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule {self.schedule!r}: choose one of {SCHEDULES}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision {self.precision!r}: choose one of {PRECISIONS}")
        if self.weight_decay and self.optimizer != "adamw":
            raise ValueError("weight_decay is decoupled weight decay: use it with adamw")
        object.__setattr__(self, "augmentation", tuple(self.augmentation))

    @property
    def early_stopping(self) -> bool:
        return self.patience is not None


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
    # The machine and thread counts it trained with (a worker's, not the process saving it).
    machine: dict | None = None
    key_inputs: dict | None = None  # what its weights depend on (`store.key_inputs`)
    # Fitted after training (detector.reference): temperature and the scope's feature reference.
    calibration: dict | None = None
    # The CPU, threads and seconds of every epoch (a resumed run may span machines).
    epoch_machines: list[dict] | None = None

    @property
    def key(self) -> str | None:
        return None if self.key_inputs is None else store.run_key(self.key_inputs)

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
        per_epoch = {} if self.epoch_machines is None else {"epoch_machines": self.epoch_machines}
        return {
            "architecture": self.model_config.name,
            "parameters": int(self.model.count_params()),
            "seed": self.train_config.seed,
            "data_checksum": self.data_checksum,
            "epochs_trained": self.epochs_trained,
            "best_epoch": self.best_epoch,
            "validation": self.validation,
            "seconds": round(self.seconds, 1),
            "model_config": store.as_json(self.model_config),
            "train_config": store.as_json(self.train_config),
            "history": self.history,
            "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
            "machine": self.machine or machine_info(),
            "key": self.key,
            "key_inputs": self.key_inputs,
            "calibration": self.calibration,
            **per_epoch,
        }


@contextmanager
def dtype_policy(precision: str):
    """Build layers under Keras's `precision` policy ("mixed_bfloat16": bfloat16 compute with
    float32 weights), then restore the policy that was in force."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def learning_rate(config: TrainConfig, steps_per_epoch: int):
    """The configured rate: a constant, or a per-step warm-up and cosine decay to zero."""
    if config.schedule == "constant":
        return config.learning_rate
    warmup = config.warmup_epochs * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate,
        decay_steps=max(1, config.epochs * steps_per_epoch - warmup),
        warmup_target=config.learning_rate if warmup else None,
        warmup_steps=warmup,
    )


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Adam, AdamW (decoupled weight decay) or SGD with momentum, at the configured rate."""
    rate = learning_rate(config, steps_per_epoch)
    if config.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=rate, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=SGD_MOMENTUM)
    return keras.optimizers.Adam(learning_rate=rate)


def compile_model(
    model: keras.Model, config: TrainConfig, steps_per_epoch: int = 1, jit_compile="auto"
) -> None:
    """Binary cross-entropy (optionally label-smoothed) on the sigmoid output; cross-entropy
    over two softmax units for the template's two-unit output (no smoothing).

    `jit_compile` is Keras's XLA switch ("auto": off on a CPU-only machine); only the
    training-speed benchmark changes it.
    """
    if model.output_shape[-1] == 2:
        if config.label_smoothing:
            raise ValueError("label smoothing is implemented for the one-unit output only")
        loss = keras.losses.SparseCategoricalCrossentropy()
    else:
        loss = keras.losses.BinaryCrossentropy(label_smoothing=config.label_smoothing)
    model.compile(
        optimizer=make_optimizer(config, steps_per_epoch),
        loss=loss,
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )


def train_model(
    model_config: ModelConfig,
    train_config: TrainConfig,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_dir: Path,
    data_checksum: str,
    callbacks: list[keras.callbacks.Callback] | None = None,
    workers: int = 1,
    threads: int | None = None,
) -> TrainingRun:
    """Train one model on uint8 (images, labels) arrays and return the best epoch's model.

    `checkpoint_dir` holds this run's state: an interrupted run resumes from its last
    finished epoch (bit-identical to an uninterrupted run), and a finished run with the same
    key is loaded, not redone. Extra `callbacks` run after the built-in ones; `workers` is how
    many runs train side by side and `threads` their threads each (None: this process's),
    both recorded in the sidecar.
    """
    inputs = run_key_inputs(model_config, train_config, train, validation, threads)
    finished = load_finished_run(checkpoint_dir, store.run_key(inputs))
    if finished is not None:
        print(f"{finished.name}: already trained in {checkpoint_dir}, loaded", flush=True)
        return finished
    set_seed(train_config.seed)
    with dtype_policy(train_config.precision):
        model = build_model(model_config, train_config.augmentation, train_config.seed)
    steps_per_epoch = math.ceil(len(train[1]) / train_config.batch_size)
    compile_model(model, train_config, steps_per_epoch)
    name = f"{model_config.name}_seed{train_config.seed}"
    train_ds = make_dataset(*train, train_config.batch_size, shuffle=True, seed=train_config.seed)
    val_ds = make_dataset(*validation, batch_size=512)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    (checkpoint_dir / KEY_FILE).write_text(json.dumps({"key": store.run_key(inputs)}))
    state = ResumableRun(checkpoint_dir, train_config.patience)
    machines = EpochMachines(checkpoint_dir)
    all_callbacks = [
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        RandomState(checkpoint_dir, train_ds),
        state,
        machines,
        EpochLine(name, train_config.epochs),
        *(callbacks or []),
    ]
    start = time.perf_counter()
    if not (checkpoint_dir / STOPPED_FILE).is_file():  # else early stopping ended it already
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
    if train_config.early_stopping:
        best_epoch = int(np.argmin(history["val_loss"])) + 1
        model.load_weights(state.best_path)
    else:
        best_epoch = len(history["loss"])
    run = TrainingRun(
        model,
        model_config,
        train_config,
        history,
        best_epoch,
        data_checksum,
        seconds,
        machine_info() | {"training_workers": workers},
        inputs,
        epoch_machines=machines.epochs,
    )
    save_run(run, checkpoint_dir, stem="final")
    return run


def run_key_inputs(
    model_config: ModelConfig,
    train_config: TrainConfig,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    threads: int | None = None,
) -> dict:
    """The key inputs of a run with `threads` threads (None: this process's)."""
    threads = threads or tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    digest = store.data_digest(*train, *validation)
    return store.key_inputs(model_config, train_config, digest, threads, training_device())


def save_run(run: TrainingRun, folder: Path, stem: str | None = None) -> Path:
    """Save `<stem>.keras` and its summary `<stem>.json` in `folder`; return the model path.

    A model already saved there under the same key is left as it is (same bytes), and so is a
    sidecar that already says the same.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or run.name
    path, sidecar = folder / f"{stem}.keras", folder / f"{stem}.json"
    summary = json.dumps(run.summary(), indent=2) + "\n"
    if run.key is None or store.matching_model(folder, stem, run.key) != path:
        run.model.save(path)
    if not sidecar.is_file() or sidecar.read_text() != summary:
        partial = sidecar.with_name(f".{sidecar.name}.partial")
        partial.write_text(summary)
        partial.replace(sidecar)  # never a half-written sidecar, whenever the run is stopped
    return path


def load_finished_run(checkpoint_dir: Path, key: str) -> TrainingRun | None:
    """The finished run in `checkpoint_dir` if it was made under `key`.

    State made under another key (other configs, data, threads or training code) is removed:
    resuming it would mix two runs.
    """
    if not checkpoint_dir.exists():
        return None
    if store.saved_key(checkpoint_dir / KEY_FILE) != key:
        shutil.rmtree(checkpoint_dir)
        return None
    final = store.matching_model(checkpoint_dir, "final", key)
    return None if final is None else load_run(final)


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
        machine=summary.get("machine"),
        key_inputs=summary.get("key_inputs"),
        calibration=summary.get("calibration"),
        epoch_machines=summary.get("epoch_machines"),
    )


def load_run(path: Path) -> TrainingRun:
    """Load a model saved by `save_run` (path of the .keras file) with its summary."""
    summary = json.loads(path.with_suffix(".json").read_text())
    return run_from_summary(keras.models.load_model(path), summary)
