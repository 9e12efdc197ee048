"""The callbacks every training run uses: one line per epoch, resumable history with early
stopping, and the random state that makes a resumed run bit-identical."""

import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ..machine import boot_id, cpu_model, training_device

# Keras 3's fit (steps_per_epoch=None) makes two iterators of the training set per epoch: one
# when an epoch ends and another when the next begins. Each draws a shuffling order, so a
# resumed run skips two per finished epoch (the resume test fails if Keras changes this).
ITERATORS_PER_EPOCH = 2
STOPPED_FILE = "stopped"  # written when early stopping ends a run: a resume trains no more


class EpochLine(keras.callbacks.Callback):
    """Print one line per epoch instead of Keras's per-step progress bar (of a long run, one
    line every few epochs, at most about LINES, plus the first and the last)."""

    LINES = 25

    def __init__(self, name: str, epochs: int):
        super().__init__()
        self.name, self.epochs = name, epochs
        self.every = max(1, epochs // self.LINES)

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done not in (1, self.epochs):
            return
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
        self.on_train_begin()  # the history so far, also for a run that will not train again

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
            (self.folder / STOPPED_FILE).write_text(str(len(losses)))


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
        for older in self.folder.glob("epoch_*.npz"):  # a resume needs only the latest
            if older.name != f"epoch_{epoch + 1}.npz":
                older.unlink()


class EpochMachines(keras.callbacks.Callback):
    """Record the CPU, device, thread count, seconds and machine boot of every epoch in
    `epoch_machines.json`, so that a run resumed on another machine says which epochs trained
    where."""

    def __init__(self, folder: Path):
        super().__init__()
        self.path = folder / "epoch_machines.json"
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.epochs = json.loads(self.path.read_text()) if self.path.is_file() else []
        self.first_epoch = True

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch:  # resumed at `epoch`: drop anything recorded after the backup
            self.epochs = self.epochs[:epoch]
            self.first_epoch = False
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        name, flags = cpu_model()
        self.epochs.append(
            {
                "epoch": epoch + 1,
                "cpu": name,
                "cpu_flags": flags,
                "device": training_device(),
                "threads": tf.config.threading.get_intra_op_parallelism_threads(),
                "seconds": round(time.perf_counter() - self.start, 2),
                "boot": boot_id(),
            }
        )
        self.path.write_text(json.dumps(self.epochs))
