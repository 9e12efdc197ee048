"""The training queue: a job killed mid-epoch resumes from its committed state, bit for bit;
locks keep two workers off one job; a state that cannot be resumed is refused by name."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from cifake_utils.models import locks, queue
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.flops import training_flops
from cifake_utils.models.training import TrainConfig
from cifake_utils.search import queued

THREADS = os.cpu_count() or 1
# Dropout (the Modified CNN2D), flips and the shuffling order all draw random numbers.
JOB = queue.QueuedJob(
    "modified_cnn2d_seed3",
    "tiny",
    ARCHITECTURES["modified_cnn2d"],
    TrainConfig(epochs=3, batch_size=64, seed=3, patience=5, augmentation=("flip",)),
    "600 training images",
    "test",
)


@pytest.fixture(scope="module")
def arrays(cifake):
    """600 training and 200 validation images, both labels."""
    train = cifake.train.subset(np.arange(0, 100_000, 166)[:600])
    validation = cifake.train.subset(np.arange(83, 100_000, 500))
    return (train.images, train.labels), (validation.images, validation.labels)


def folders(root: Path) -> queue.QueueFolders:
    return queue.QueueFolders(root / "checkpoints", root / "models", root / "work", root / "locks")


def run(arrays, root: Path, callbacks=None):
    train, validation = arrays
    planned = queue.plan(JOB, train, validation, THREADS)
    return queue.run_job(
        planned, train, validation, "checksum", folders(root), threads=THREADS, callbacks=callbacks
    )


# A worker in its own process, stopped by SIGKILL in the middle of its second epoch.
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import keras, numpy as np
    sys.path.insert(0, {tests!r})
    from test_queue import JOB, THREADS, folders
    from cifake_utils.models import locks, queue

    class Hang(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
        def on_train_batch_begin(self, batch, logs=None):
            if self.epoch == 1 and batch == 3:
                Path({marker!r}).write_text("mid-epoch")
                time.sleep(600)

    saved = np.load({arrays!r})
    train, validation = (saved["x"], saved["y"]), (saved["vx"], saved["vy"])
    planned = queue.plan(JOB, train, validation, THREADS)
    assert locks.take_lock(folders(Path({root!r})).locks, planned.key)
    queue.run_job(planned, train, validation, "checksum", folders(Path({root!r})),
                  threads=THREADS, callbacks=[Hang()])
    """
)


def kill_mid_epoch(arrays, root: Path, tmp_path: Path) -> None:
    (x, y), (vx, vy) = arrays
    np.savez(tmp_path / "arrays.npz", x=x, y=y, vx=vx, vy=vy)
    marker = tmp_path / "mid-epoch"
    script = WORKER.format(
        tests=str(Path(__file__).parent),
        marker=str(marker),
        arrays=str(tmp_path / "arrays.npz"),
        root=str(root),
    )
    worker = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 300
    while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marker.exists(), "the worker never reached its second epoch"
    worker.send_signal(signal.SIGKILL)
    worker.wait()


def test_a_worker_killed_mid_epoch_resumes_bit_identical_from_the_committed_state(arrays, tmp_path):
    whole = run(arrays, tmp_path / "whole")
    cut = tmp_path / "cut"
    kill_mid_epoch(arrays, cut, tmp_path)
    planned = queue.plan(JOB, *arrays, THREADS)
    state = folders(cut).state(planned.key)
    # The kill lost only the epoch in progress: epoch 1 is committed, whole.
    assert queue.check_state(state, planned) == 1
    assert queue.job_status(planned, folders(cut))["state"] == "waiting"  # its pid is gone
    assert locks.take_lock(folders(cut).locks, planned.key)  # the dead worker's is free
    locks.release_lock(folders(cut).locks, planned.key)
    resumed = run(arrays, cut)
    assert resumed.history == whole.history
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # Landed under its key, with the CPU of each of its 3 epochs; its state is gone.
    landed = folders(cut).landed(JOB)
    sidecar = json.loads(landed.with_suffix(".json").read_text())
    assert sidecar["key"] == planned.key
    assert [record["epoch"] for record in sidecar["epoch_machines"]] == [1, 2, 3]
    assert not state.exists()
    assert queue.job_status(planned, folders(cut))["state"] == "done"


def test_only_the_latest_random_state_is_kept(arrays, tmp_path):
    class Look(keras.callbacks.Callback):
        seen: list[list[str]] = []

        def on_epoch_end(self, epoch, logs=None):
            files = (tmp_path / "checkpoints").glob("*/random_state/*.npz")
            self.seen.append(sorted(path.name for path in files))

    run(arrays, tmp_path, callbacks=[Look()])
    assert Look.seen == [["epoch_1.npz"], ["epoch_2.npz"], ["epoch_3.npz"]]


def test_two_workers_never_hold_one_lock_and_a_dead_one_holds_none(tmp_path):
    folder = tmp_path / "locks"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from cifake_utils.models.locks import take_lock\n"
            f"assert take_lock(Path({str(folder)!r}), 'k'); print('held', flush=True)\n"
            "time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    assert locks.lock_owner(folder / "k.lock") == holder.pid
    assert not locks.take_lock(folder, "k")  # another live process holds it
    holder.kill()
    holder.wait()
    holder.stdout.close()
    assert locks.lock_owner(folder / "k.lock") is None  # the kernel freed a dead holder's lock
    assert locks.take_lock(folder, "k")
    assert not locks.take_lock(folder, "k")  # this process holds it already
    assert (folder / "k.lock").read_text() == str(os.getpid())
    locks.release_lock(folder, "k")
    assert not (folder / "k.lock").exists()


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper is not)."""
    stat = Path(f"/proc/{pid}/stat")
    return stat.is_file() and stat.read_text().rpartition(")")[2].split()[0] not in {"Z", "X"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_worker_ends_when_the_queue_process_is_killed():
    worker = (
        "import sys, time; from cifake_utils.study.train import end_with_parent\n"
        "end_with_parent(int(sys.argv[1])); print('ready', flush=True); time.sleep(600)"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            f"child = subprocess.Popen([sys.executable, '-c', {worker!r}, str(os.getpid())],"
            " stdout=subprocess.PIPE, text=True)\n"
            "assert child.stdout.readline().strip() == 'ready'\n"
            "print(child.pid, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    assert running(child)
    parent.kill()  # SIGKILL: no handler of the parent's runs
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 30
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(child)


def test_a_copy_stopped_between_its_renames_is_recovered(tmp_path):
    work, state = tmp_path / "work", tmp_path / "state"
    work.mkdir()
    (work / "epochs.json").write_text("2")
    queue.replace_folder(work, state)
    state.rename(tmp_path / ".state.old")  # stopped after moving the old state away
    queue.recover_interrupted_copy(state)
    assert (state / "epochs.json").read_text() == "2"
    (tmp_path / ".state.old").mkdir()  # a removal of the old copy that did not finish
    (work / "epochs.json").write_text("3")
    queue.replace_folder(work, state)
    assert (state / "epochs.json").read_text() == "3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state", "work"]


@pytest.fixture
def committed_state(arrays, tmp_path):
    """A job's committed state after its first epoch (the worker was killed in its second)."""
    kill_mid_epoch(arrays, tmp_path / "root", tmp_path)
    planned = queue.plan(JOB, *arrays, THREADS)
    return planned, folders(tmp_path / "root")


def test_a_corrupt_foreign_or_other_precision_state_is_refused_by_name(committed_state, arrays):
    planned, where = committed_state
    state = where.state(planned.key)
    job_file = state / queue.JOB_FILE
    original = job_file.read_text()
    for change, reason in [
        ({"key": "0" * 64}, "state of another key"),
        ({"precision": "mixed_bfloat16"}, "mixed_bfloat16 state, the job is float32"),
    ]:
        job_file.write_text(json.dumps(json.loads(original) | change))
        with pytest.raises(queue.CheckpointRefused, match=reason) as refused:
            queue.check_state(state, planned)
        assert str(state) in str(refused.value)
        assert queue.job_status(planned, where)["state"] == "refused"
    job_file.write_text(original)
    (state / "backup" / "latest.weights.h5").write_bytes(b"not an HDF5 file")
    with pytest.raises(queue.CheckpointRefused, match="corrupt state"):
        queue.check_state(state, planned)
    with pytest.raises(queue.CheckpointRefused, match=str(state)):
        queue.run_job(planned, *arrays, "checksum", where, threads=THREADS)
    assert state.is_dir()  # refused, not deleted: the user decides


def test_the_beyond_rounds_candidates_cost_about_the_same_compute():
    jobs = queued.beyond_round_jobs()
    assert len(jobs) == len(queued.BEYOND_ROUND) * len(queued.BEYOND_SEEDS)
    for job in jobs:
        epochs = job.train_config.epochs
        pflop = training_flops(build_model(job.model_config), 90_000 * epochs) / 1e15
        # The nearest whole number of epochs: at most half an epoch from the round's budget.
        per_epoch = pflop / epochs
        assert abs(pflop - queued.BEYOND_ROUND_PFLOP) <= per_epoch / 2, (job.label, pflop)
        assert job.train_config.precision == "mixed_bfloat16"
    assert len({(job.model_config, job.train_config) for job in jobs}) == len(jobs)
