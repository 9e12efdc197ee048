"""Many trainings at once: jobs (architecture, recipe) run in one-thread worker processes, one per
core, each reusing a saved model with a matching key instead of training it again."""

import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import tensorflow as tf

from ..machine import training_device
from . import store
from .architectures import ModelConfig
from .training import TrainConfig, TrainingRun, load_run, train_model


@dataclass(frozen=True)
class TrainingData:
    """What all the jobs of one call share."""

    train: tuple[np.ndarray, np.ndarray]  # uint8 images and labels
    validation: tuple[np.ndarray, np.ndarray]
    checkpoint_root: Path  # each job keeps its resumable state in a folder below it
    data_checksum: str  # the CIFAKE sources' checksum (recorded in every sidecar)
    workers: int = 1  # training processes at a time
    reuse: Path | None = None  # a folder of saved models, reused when their key matches


Job = tuple[ModelConfig, TrainConfig]


def job_name(job: Job) -> str:
    """`<architecture>_seed<k>`: the name of the job's saved model and of its state folder."""
    model_config, train_config = job
    return f"{model_config.name}_seed{train_config.seed}"


def train_seeds(
    model_config: ModelConfig, train_config: TrainConfig, seeds: tuple[int, ...], data: TrainingData
) -> list[TrainingRun]:
    """Train one architecture once per seed (see `train_jobs`)."""
    jobs = [(model_config, replace(train_config, seed=seed)) for seed in seeds]
    return train_jobs(jobs, data)


def train_jobs(
    jobs: list[Job],
    data: TrainingData,
    folders: list[Path] | None = None,
    subsets: list[np.ndarray | None] | None = None,
) -> list[TrainingRun]:
    """Train each (architecture, recipe) job and return the runs in the jobs' order.

    Each job keeps its state in its entry of `folders` (default: `<checkpoint_root>/<name>`)
    and trains on the training images at its entry of `subsets` (None: all of them; validation
    is shared). A job whose model is saved in `data.reuse` under the key this call would train
    it with is loaded from there instead. With `data.workers` > 1 the jobs run in that many
    fresh processes with cpu_count // workers threads each. A job's numbers depend on its
    thread count (its key and sidecar record it), so a recipe is compared only with runs made
    the same way.
    """
    folders = folders or [data.checkpoint_root / job_name(job) for job in jobs]
    subsets = subsets or [None] * len(jobs)
    threads = max(1, (os.cpu_count() or 1) // data.workers)
    runs = reused_runs(jobs, data, subsets, threads)
    pending = [k for k in range(len(jobs)) if k not in runs]
    if data.workers > 1 and pending:  # even for one job, so that its thread count is the same
        train_in_processes(
            [jobs[k] for k in pending],
            [folders[k] for k in pending],
            data,
            [subsets[k] for k in pending],
        )
    for k in pending:  # after the workers, each is loaded from its finished state
        runs[k] = train_model(
            *jobs[k],
            subset_of(data.train, subsets[k]),
            data.validation,
            folders[k],
            data.data_checksum,
            workers=data.workers,
            threads=threads,
        )
    return [runs[k] for k in range(len(jobs))]


def reused_runs(
    jobs: list[Job], data: TrainingData, subsets: list, threads: int
) -> dict[int, TrainingRun]:
    """{job index: saved run} for the jobs whose model `data.reuse` holds under their key."""
    runs: dict[int, TrainingRun] = {}
    if data.reuse is None:
        return runs
    for k, (job, subset) in enumerate(zip(jobs, subsets, strict=True)):
        digest = store.data_digest(*subset_of(data.train, subset), *data.validation)
        key = store.run_key(store.key_inputs(*job, digest, threads, training_device()))
        if (saved := store.matching_model(data.reuse, job_name(job), key)) is not None:
            print(f"{job_name(job)}: reused {saved} (same key)", flush=True)
            runs[k] = load_run(saved)
    return runs


def subset_of(
    arrays: tuple[np.ndarray, np.ndarray], indices: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) at `indices` (all of them when None)."""
    if indices is None:
        return arrays
    return arrays[0][indices], arrays[1][indices]


def train_in_processes(
    jobs: list[Job], folders: list[Path], data: TrainingData, subsets: list
) -> None:
    """Run `train_model` for every job in `data.workers` spawned processes; results stay on
    disk (each job's folder)."""
    # A folder of this call's own: two searches may share the checkpoint root at once.
    root = data.checkpoint_root
    root.mkdir(parents=True, exist_ok=True)
    arrays_dir = Path(tempfile.mkdtemp(prefix=f"arrays_{data.data_checksum[:16]}_", dir=root))
    paths = []
    for name, array in zip(
        ("x", "y", "val_x", "val_y"), (*data.train, *data.validation), strict=True
    ):
        path = arrays_dir / f"{name}.npy"
        np.save(path, array)
        paths.append(path)
    subset_paths = []
    for k, subset in enumerate(subsets):
        subset_paths.append(None if subset is None else arrays_dir / f"subset_{k}.npy")
        if subset is not None:
            np.save(subset_paths[-1], np.asarray(subset))
    threads = max(1, (os.cpu_count() or 1) // data.workers)
    context = multiprocessing.get_context("spawn")  # TensorFlow must not be forked
    # Longest budgets first, so that the workers finish close together.
    order = sorted(range(len(jobs)), key=lambda k: -jobs[k][1].epochs)
    with ProcessPoolExecutor(data.workers, mp_context=context) as pool:
        futures = [
            pool.submit(
                train_job_in_worker,
                jobs[k],
                paths,
                folders[k],
                data.data_checksum,
                (data.workers, threads),
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
