"""Train any CNN2D variant from a config: seeded, deterministic, resumable, one line per epoch."""

import json
import math
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from ..data.pipeline import make_dataset
from ..machine import machine_info
from . import store
from .architectures import ModelConfig, build_model

RESULT_FILE = "result.json"
KEY_FILE = "key.json"  # in a checkpoint folder: the key of the run whose state it holds
# Keras 3's fit (steps_per_epoch=None) makes two iterators of the training set per epoch: one
# when an epoch ends and another when the next begins. Each draws a shuffling order, so a
# resumed run skips two per finished epoch (the resume test fails if Keras changes this).
ITERATORS_PER_EPOCH = 2


OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("constant", "cosine")
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

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r}: choose one of {OPTIMIZERS}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule {self.schedule!r}: choose one of {SCHEDULES}")
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
            "machine": self.machine or machine_info(),
            "key": self.key,
            "key_inputs": self.key_inputs,
            "calibration": self.calibration,
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

    def __init__(self, folder: Path, patience: int | None):
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
        self.history_path.write_text(json.dumps(self.history))
        if self.patience is None:  # a fixed budget: the last epoch's weights are kept
            return
        losses = self.history["val_loss"]
        best = int(np.argmin(losses))
        if best == len(losses) - 1:
            self.model.save(self.best_path)
        if len(losses) - 1 - best >= self.patience:
            self.model.stop_training = True


class RandomState(keras.callbacks.Callback):
    """Save the random state that weights do not hold, so that a resumed run is bit-identical.

    Keras's backup restores weights and optimiser, but not the seed generators of Dropout and
    the augmentation layers, and a seeded `tf.data` shuffle restarts its sequence of epoch
    orders with every `fit`. This saves the layers' generator states after each epoch and, on
    resuming at epoch k, restores epoch k's states and draws k throwaway epoch orders, so the
    run goes on exactly as if it had never stopped.
    """

    def __init__(self, folder: Path, train_dataset: tf.data.Dataset):
        super().__init__()
        self.folder, self.train_dataset = folder / "random_state", train_dataset

    def generators(self) -> list:
        return [sg for layer in self.model._flatten_layers() for sg in layer._seed_generators]

    def on_train_begin(self, logs=None):
        resumed_at = self.model._initial_epoch or 0  # set by BackupAndRestore, which runs first
        if not resumed_at:
            return
        saved = np.load(self.folder / f"epoch_{resumed_at}.npz")
        for k, generator in enumerate(self.generators()):
            generator.state.assign(saved[str(k)])
        for _ in range(ITERATORS_PER_EPOCH * resumed_at):
            iter(self.train_dataset)  # each new iterator draws the next order

    def on_epoch_end(self, epoch, logs=None):
        self.folder.mkdir(parents=True, exist_ok=True)
        states = {str(k): np.asarray(g.state.value) for k, g in enumerate(self.generators())}
        np.savez(self.folder / f"epoch_{epoch + 1}.npz", **states)


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
    """Binary cross-entropy (optionally label-smoothed) on the sigmoid output.

    `jit_compile` is Keras's XLA switch ("auto": off on a CPU-only machine); only the
    training-speed benchmark changes it.
    """
    model.compile(
        optimizer=make_optimizer(config, steps_per_epoch),
        loss=keras.losses.BinaryCrossentropy(label_smoothing=config.label_smoothing),
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
    model = build_model(model_config, train_config.augmentation, train_config.seed)
    steps_per_epoch = math.ceil(len(train[1]) / train_config.batch_size)
    compile_model(model, train_config, steps_per_epoch)
    name = f"{model_config.name}_seed{train_config.seed}"
    train_ds = make_dataset(*train, train_config.batch_size, shuffle=True, seed=train_config.seed)
    val_ds = make_dataset(*validation, batch_size=512)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    (checkpoint_dir / KEY_FILE).write_text(json.dumps({"key": store.run_key(inputs)}))
    state = ResumableRun(checkpoint_dir, train_config.patience)
    all_callbacks = [
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        RandomState(checkpoint_dir, train_ds),
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
    return store.key_inputs(model_config, train_config, digest, threads)


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
        sidecar.write_text(summary)
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
    workers: int = 1,
    reuse: Path | None = None,
) -> list[TrainingRun]:
    """Train one architecture once per seed (see `train_jobs` for `workers` and `reuse`)."""
    jobs = [(model_config, replace(train_config, seed=seed)) for seed in seeds]
    return train_jobs(jobs, train, validation, checkpoint_root, data_checksum, workers, reuse=reuse)


Job = tuple[ModelConfig, TrainConfig]


def job_folder(checkpoint_root: Path, job: Job) -> Path:
    """Where one job keeps its resumable state."""
    model_config, train_config = job
    return checkpoint_root / f"{model_config.name}_seed{train_config.seed}"


def job_name(job: Job) -> str:
    model_config, train_config = job
    return f"{model_config.name}_seed{train_config.seed}"


def train_jobs(
    jobs: list[Job],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_root: Path,
    data_checksum: str,
    workers: int = 1,
    folders: list[Path] | None = None,
    subsets: list[np.ndarray | None] | None = None,
    reuse: Path | None = None,
) -> list[TrainingRun]:
    """Train each (architecture, recipe) job and return the runs in the jobs' order.

    Each job keeps its state in its entry of `folders` (default: `job_folder`) and trains on
    the training images at its entry of `subsets` (None: all of them; validation is shared).
    A job whose model is saved in `reuse` under the key this call would train it with is
    loaded from there instead. With `workers` > 1 the jobs run in that many fresh processes
    with cpu_count // workers threads each. A job's numbers depend on its thread count (its
    key and sidecar record it), so a recipe is compared only with runs made the same way.
    """
    folders = folders or [job_folder(checkpoint_root, job) for job in jobs]
    subsets = subsets or [None] * len(jobs)
    threads = max(1, (os.cpu_count() or 1) // workers)
    runs: dict[int, TrainingRun] = {}
    if reuse is not None:
        for k, (job, subset) in enumerate(zip(jobs, subsets, strict=True)):
            digest = store.data_digest(*subset_of(train, subset), *validation)
            key = store.run_key(store.key_inputs(*job, digest, threads))
            if (saved := store.matching_model(reuse, job_name(job), key)) is not None:
                print(f"{job_name(job)}: reused {saved} (same key)", flush=True)
                runs[k] = load_run(saved)
    pending = [k for k in range(len(jobs)) if k not in runs]
    if workers > 1 and pending:  # even for one job, so that its thread count is the same
        train_in_processes(
            [jobs[k] for k in pending],
            [folders[k] for k in pending],
            train,
            validation,
            checkpoint_root,
            data_checksum,
            workers,
            [subsets[k] for k in pending],
        )
    for k in pending:  # after the workers, each is loaded from its finished state
        runs[k] = train_model(
            *jobs[k],
            subset_of(train, subsets[k]),
            validation,
            folders[k],
            data_checksum,
            workers=workers,
            threads=threads,
        )
    return [runs[k] for k in range(len(jobs))]


def subset_of(
    arrays: tuple[np.ndarray, np.ndarray], indices: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) at `indices` (all of them when None)."""
    if indices is None:
        return arrays
    return arrays[0][indices], arrays[1][indices]


def train_in_processes(
    jobs, folders, train, validation, checkpoint_root, data_checksum, workers, subsets=None
):
    """Run `train_model` for every job in `workers` spawned processes; results stay on disk."""
    # A folder of this call's own: two searches may share `checkpoint_root` at the same time.
    checkpoint_root.mkdir(parents=True, exist_ok=True)
    arrays_dir = Path(tempfile.mkdtemp(prefix=f"arrays_{data_checksum[:16]}_", dir=checkpoint_root))
    paths = []
    for name, array in zip(("x", "y", "val_x", "val_y"), (*train, *validation), strict=True):
        path = arrays_dir / f"{name}.npy"
        np.save(path, array)
        paths.append(path)
    subset_paths = []
    for k, subset in enumerate(subsets or [None] * len(jobs)):
        subset_paths.append(None if subset is None else arrays_dir / f"subset_{k}.npy")
        if subset is not None:
            np.save(subset_paths[-1], np.asarray(subset))
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")  # TensorFlow must not be forked
    # Longest budgets first, so that the workers finish close together.
    order = sorted(range(len(jobs)), key=lambda k: -jobs[k][1].epochs)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [
            pool.submit(
                train_job_in_worker,
                jobs[k],
                paths,
                folders[k],
                data_checksum,
                (workers, threads),
                subset_paths[k],
            )
            for k in order
        ]
        for future in futures:
            future.result()  # re-raises a worker's error here
    shutil.rmtree(arrays_dir)


def train_job_in_worker(
    job: Job,
    paths: list[Path],
    folder: Path,
    data_checksum: str,
    layout: tuple[int, int],
    subset_path: Path | None = None,
) -> None:
    """A worker process's entry point: set its threads, memory-map the arrays, train.

    `layout` is (workers side by side, threads each)."""
    workers, threads = layout
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    x, y, val_x, val_y = (np.load(path, mmap_mode="r") for path in paths)
    subset = None if subset_path is None else np.load(subset_path)
    train_model(
        *job,
        subset_of((np.asarray(x), np.asarray(y)), subset),
        (np.asarray(val_x), np.asarray(val_y)),
        folder,
        data_checksum,
        workers=workers,
        threads=threads,
    )


def by_architecture(runs: list[TrainingRun]) -> dict[str, list[TrainingRun]]:
    """The runs grouped by architecture, in first-seen order."""
    grouped: dict[str, list[TrainingRun]] = {}
    for run in runs:
        grouped.setdefault(run.model_config.name, []).append(run)
    return grouped


def summarise_runs(runs: list[TrainingRun]) -> pd.DataFrame:
    """One row per run: architecture, seed, parameters, epochs, validation metrics and the
    training accuracy of the kept epoch (how far the model fits its own training images)."""
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
                "train_accuracy": run.history["accuracy"][run.best_epoch - 1],
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
            "train_accuracy_mean": grouped["train_accuracy"].mean(),
            "epochs_mean": grouped["epochs_trained"].mean(),
            "seeds": grouped["seed"].count(),
        }
    )
