"""A queue of keyed training jobs that any machine drains, stops and resumes.

Each job (architecture x recipe x data) is named by its model key (`store.run_key`). While it
trains, its state after every finished epoch (weights, optimiser, random-generator states,
history, the CPU of each epoch) is copied, whole, into `<checkpoints>/<key>/`, which is
committed: a stop loses at most the epoch in progress, and any machine with the repository
resumes the job from there, bit-identical to an uninterrupted run on the same CPU kind. A
finished job's model lands in `<models>/<group>/<name>.keras`, where notebooks find it by its
key, and its state is removed. Two workers never take the same job (`locks.py`). A job resumes
on any machine whose thread layout gives the same key (one one-thread worker per core, the
default, everywhere).
"""

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from . import store
from .architectures import ModelConfig, build_model
from .flops import training_flops
from .locks import lock_owner
from .training import (
    KEY_FILE,
    TrainConfig,
    TrainingRun,
    load_run,
    run_key_inputs,
    save_run,
    train_model,
)

JOB_FILE = "job.json"  # in a state folder: what the job is and its key
PETA = 1e15


class CheckpointRefused(Exception):
    """A committed state that cannot be resumed: corrupt, of another key or precision."""


@dataclass(frozen=True)
class QueuedJob:
    """One training the study needs; `data` names the arrays it trains on (the caller
    resolves it), `group` the folder below the models folder where it lands."""

    name: str
    group: str
    model_config: ModelConfig
    train_config: TrainConfig
    data: str
    purpose: str  # the question it answers, e.g. "#39 paper protocol"

    @property
    def label(self) -> str:
        return f"{self.group}/{self.name}"


@dataclass(frozen=True)
class PlannedJob:
    """A job with its key and cost, once its arrays are known."""

    job: QueuedJob
    key_inputs: dict
    pflop_per_epoch: float  # training compute of one epoch (`flops.py`)

    @property
    def key(self) -> str:
        return store.run_key(self.key_inputs)

    @property
    def pflop(self) -> float:
        """Training compute of the whole budget, in PFLOP."""
        return self.pflop_per_epoch * self.job.train_config.epochs


def plan(job: QueuedJob, train, validation, threads: int) -> PlannedJob:
    """The job's key (configs, exact arrays, threads, versions) and its cost per epoch."""
    inputs = run_key_inputs(job.model_config, job.train_config, train, validation, threads)
    flops = training_flops(build_model(job.model_config), len(train[1]))
    return PlannedJob(job, inputs, flops / PETA)


@dataclass(frozen=True)
class QueueFolders:
    """Where the queue keeps committed state, landed models, working state and locks."""

    checkpoints: Path  # committed: <key>/ per unfinished job
    models: Path  # committed: <group>/<name>.keras per finished job
    work: Path  # ignored: the folder a job trains in
    locks: Path  # ignored: <key>.lock per running job

    def state(self, key: str) -> Path:
        return self.checkpoints / key

    def landed(self, job: QueuedJob) -> Path:
        return self.models / job.group / f"{job.name}.keras"


def landed_model(planned: PlannedJob, folders: QueueFolders) -> Path | None:
    """The saved model with the job's key: where the job lands, or any model saved under the
    models folder with that key (a notebook may have trained it already)."""
    target = folders.landed(planned.job)
    if store.saved_key(target.with_suffix(".json")) == planned.key:
        return target
    for sidecar in sorted(folders.models.rglob("*.json")):
        if sidecar.with_suffix(".keras").is_file() and store.saved_key(sidecar) == planned.key:
            return sidecar.with_suffix(".keras")
    return None


def forget_landed_state(planned: PlannedJob, folders: QueueFolders) -> None:
    """Remove the state of a job whose model has landed (left by a stop right after landing)."""
    if landed_model(planned, folders) is not None:
        shutil.rmtree(folders.state(planned.key), ignore_errors=True)


def queue_running(folders: QueueFolders) -> bool:
    """Whether some process holds a job's lock: `make train` is training."""
    return any(lock_owner(path) is not None for path in folders.locks.glob("*.lock"))


def check_state(folder: Path, planned: PlannedJob) -> int:
    """The epochs a committed state holds; raises CheckpointRefused, naming the folder, when
    it is corrupt or was made for another key or precision."""
    try:
        job = json.loads((folder / JOB_FILE).read_text())
    except (OSError, ValueError) as error:
        raise CheckpointRefused(f"{folder}: unreadable {JOB_FILE} ({error})") from error
    if job.get("key") != planned.key or folder.name != planned.key:
        raise CheckpointRefused(f"{folder}: state of another key ({job.get('key')})")
    precision = planned.job.train_config.precision  # a job keeps its precision for life
    if job.get("precision") != precision:
        raise CheckpointRefused(f"{folder}: {job.get('precision')} state, the job is {precision}")
    if store.saved_key(folder / KEY_FILE) != planned.key:
        raise CheckpointRefused(f"{folder}: its {KEY_FILE} names another key")
    try:
        for name, digest in job["files"].items():
            if file_digest(folder / name) != digest:
                raise ValueError(f"{name} is not the file its epoch wrote")
        history = json.loads((folder / "epochs.json").read_text())
        epochs = len(history["loss"])
        metadata = json.loads((folder / "backup" / "training_metadata.json").read_text())
        with np.load(folder / "random_state" / f"epoch_{epochs}.npz") as states:
            _ = states.files
        if planned.job.train_config.early_stopping and not (folder / "best.keras").is_file():
            raise OSError("no best.keras for a run that keeps its best epoch")
    except (OSError, ValueError, KeyError) as error:
        raise CheckpointRefused(f"{folder}: corrupt state ({error})") from error
    if int(metadata.get("epoch", -1)) != epochs:
        raise CheckpointRefused(f"{folder}: its weights and history are of different epochs")
    return epochs


def state_epochs(planned: PlannedJob, folders: QueueFolders) -> int | None:
    """Finished epochs in the job's committed state (None: no state, or refused)."""
    folder = folders.state(planned.key)
    if not folder.is_dir():
        return None
    try:
        return check_state(folder, planned)
    except CheckpointRefused:
        return None


def replace_folder(source: Path, target: Path) -> None:
    """Make `target` a whole copy of `source`: the copy is made beside it and renamed into
    place, so the folder at `target` is always one epoch's complete state (for an instant,
    between two renames, it is `.<name>.old`; `recover_interrupted_copy` puts that back)."""
    fresh = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(source, fresh, ignore=shutil.ignore_patterns("final.*"))
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def recover_interrupted_copy(target: Path) -> None:
    """Undo a copy stopped midway: put back `.<name>.old` if it is all there is, and remove
    what is left of `.<name>.new` and `.<name>.old` beside a whole state."""
    fresh = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state_files(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a state but its record, by path within the folder."""
    return {
        path.relative_to(folder).as_posix(): file_digest(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != JOB_FILE and not path.name.startswith("final.")
    }


class CommitState(keras.callbacks.Callback):
    """After every epoch (after the other callbacks wrote their state), copy the working
    folder, with the job's record and the digest of each file, into the committed state
    folder: a resume checks every file against its digest."""

    def __init__(self, work: Path, state: Path, record: dict):
        super().__init__()
        self.work, self.state, self.record = work, state, record

    def on_epoch_end(self, epoch, logs=None):
        record = self.record | {"files": state_files(self.work)}
        (self.work / JOB_FILE).write_text(json.dumps(record, indent=1))
        replace_folder(self.work, self.state)


def run_job(
    planned: PlannedJob,
    train,
    validation,
    data_checksum: str,
    folders: QueueFolders,
    workers: int = 1,
    threads: int | None = None,
    callbacks: list | None = None,
) -> TrainingRun:
    """Train one job from its committed state (or from the start), land its model, remove
    its state. Raises CheckpointRefused when the committed state cannot be resumed."""
    state, work = folders.state(planned.key), folders.work / planned.key
    recover_interrupted_copy(state)
    shutil.rmtree(work, ignore_errors=True)
    if state.is_dir():
        epochs = check_state(state, planned)
        print(f"{planned.job.label}: resuming after epoch {epochs} from {state}", flush=True)
        shutil.copytree(state, work)
    else:
        work.mkdir(parents=True)
    record = {
        "key": planned.key,
        "precision": planned.job.train_config.precision,
        "job": planned.job.label,
        "purpose": planned.job.purpose,
    }
    run = train_model(
        planned.job.model_config,
        planned.job.train_config,
        train,
        validation,
        work,
        data_checksum,
        callbacks=[CommitState(work, state, record), *(callbacks or [])],
        workers=workers,
        threads=threads,
    )
    if run.key != planned.key:
        raise RuntimeError(f"{planned.job.label} trained under key {run.key}, not {planned.key}")
    landed = save_run(run, folders.landed(planned.job).parent, stem=planned.job.name)
    shutil.rmtree(state, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{planned.job.label}: landed in {landed}", flush=True)
    return load_run(landed)


def epoch_records(planned: PlannedJob, folders: QueueFolders) -> list[dict]:
    """The per-epoch CPU and seconds of a job: from its state, else its landed sidecar."""
    state = folders.state(planned.key) / "epoch_machines.json"
    if state.is_file():
        return json.loads(state.read_text())
    landed = landed_model(planned, folders)
    if landed is None:
        return []
    return json.loads(landed.with_suffix(".json").read_text()).get("epoch_machines") or []


def measured_rate(plans: list[PlannedJob], folders: QueueFolders, cpu: str) -> float | None:
    """PFLOP per second of one one-thread worker on `cpu`, over every epoch the jobs trained
    there in that layout."""
    pflop = seconds = 0.0
    for planned in plans:
        for record in epoch_records(planned, folders):
            if record.get("cpu") == cpu and record.get("threads") == 1 and record.get("seconds"):
                pflop += planned.pflop_per_epoch
                seconds += record["seconds"]
    return pflop / seconds if seconds else None


def job_status(planned: PlannedJob, folders: QueueFolders) -> dict:
    """One job's state: done, running or waiting (or refused), epochs and PFLOP done."""
    epochs = planned.job.train_config.epochs
    landed = landed_model(planned, folders)
    if landed is not None:
        trained = json.loads(landed.with_suffix(".json").read_text())["epochs_trained"]
        pflop = planned.pflop_per_epoch * trained
        return {"state": "done", "epochs_done": trained, "pflop_done": pflop}
    done = state_epochs(planned, folders)
    if done is None and folders.state(planned.key).is_dir():
        state = "refused"
    elif lock_owner(folders.locks / f"{planned.key}.lock") is not None:
        state = "running"
    else:
        state = "waiting"
    done = done or 0
    return {"state": state, "epochs_done": done, "pflop_done": planned.pflop * done / epochs}


def status_lines(
    plans: list[PlannedJob], folders: QueueFolders, cpu: str, workers: int
) -> list[str]:
    """The status table: a line per job, then the totals and an estimate on `cpu`."""
    lines = [f"{'job':46} {'purpose':24} {'state':8} {'epochs':>7} {'PFLOP done/all':>15}"]
    left = done_total = 0.0
    for planned in plans:
        status = job_status(planned, folders)
        epochs = f"{status['epochs_done']}/{planned.job.train_config.epochs}"
        pflop = f"{status['pflop_done']:.4f}/{planned.pflop:.4f}"
        lines.append(
            f"{planned.job.label:46} {planned.job.purpose:24} {status['state']:8} "
            f"{epochs:>7} {pflop:>15}"
        )
        done_total += status["pflop_done"]
        if status["state"] != "done":
            left += planned.pflop - status["pflop_done"]
    lines.append(f"{len(plans)} jobs: {done_total:.3f} PFLOP done, {left:.3f} PFLOP left")
    rate = measured_rate(plans, folders, cpu)
    if rate is None:
        lines.append(f"no epoch measured on this CPU ({cpu}) yet: no estimate")
    else:
        hours = left / (rate * workers) / 3600
        lines.append(
            f"on this CPU ({cpu}): {rate * 1e6:.1f} GFLOP/s per worker measured, "
            f"about {hours:.1f} h left with {workers} worker(s)"
        )
    return lines
