"""The training queue's command: drain it with one worker per core, or print where it stands.

python -m cifake_utils.study.train run      # `make train` (CIFAKE_WORKERS processes)
python -m cifake_utils.study.train status             # `make train-status`

Every job's state is committed in `outputs/checkpoints/<key>/` after each epoch and its model
lands in `outputs/models/<group>/`; stop it at any moment (Ctrl-C, kill, end of session) and
run it again, here or on another machine, to go on from the last finished epoch.
"""

import argparse
import ctypes
import multiprocessing
import os
import signal
import sys

import tensorflow as tf

from ..machine import cpu_model
from ..models.locks import release_lock, take_lock
from ..models.queue import (
    CheckpointRefused,
    PlannedJob,
    forget_landed_state,
    landed_model,
    plan,
    run_job,
    status_lines,
)
from ..project.inputs import StudyData, load_study_data
from ..project.profiles import Profile, get_profile
from ..search.queued import job_arrays, queue_folders, queued_jobs


def plan_all(profile: Profile, study: StudyData) -> list[PlannedJob]:
    """Every queued job with its key, once per key (the first job of a key is kept)."""
    threads = profile.threads_per_worker
    study_arrays = (study.arrays("train"), study.arrays("validation"))
    plans: dict[str, PlannedJob] = {}
    for job in queued_jobs(profile):
        train, validation = job_arrays(job, study.data, lambda: study_arrays)
        planned = plan(job, train, validation, threads)
        plans.setdefault(planned.key, planned)
    return list(plans.values())


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def end_with_parent(parent: int) -> None:
    """Have this process receive SIGTERM when `parent` ends, however it ends (Linux; elsewhere
    `run`'s signal handler stops the workers). Its state was committed at the last epoch's end."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def drain(profile_name: str, worker: int, parent: int) -> None:
    """A worker process: take each job no one holds and train it, until none is left."""
    end_with_parent(parent)
    profile = get_profile(profile_name)
    threads = profile.threads_per_worker
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    folders, study = queue_folders(profile), load_study_data(profile)
    for planned in plan_all(profile, study):
        if landed_model(planned, folders) is not None or not take_lock(folders.locks, planned.key):
            continue
        try:
            if landed_model(planned, folders) is not None:  # landed while we planned
                forget_landed_state(planned, folders)
                continue
            print(f"[train] worker {worker}: {planned.job.label} ({planned.key[:12]})", flush=True)
            train, validation = job_arrays(
                planned.job, study.data, lambda: (study.arrays("train"), study.arrays("validation"))
            )
            run_job(
                planned,
                train,
                validation,
                study.data.checksum,
                folders,
                workers=profile.workers,
                threads=threads,
            )
        except CheckpointRefused as refusal:
            print(f"[train] refused {refusal}; the queue goes on", file=sys.stderr, flush=True)
        finally:
            release_lock(folders.locks, planned.key)
    print(f"[train] worker {worker}: no job left to take", flush=True)


def run(profile: Profile) -> int:
    """Drain the queue with `profile.workers` spawned processes (TensorFlow must not fork)."""
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=drain, args=(profile.name, k, os.getpid()))
        for k in range(profile.workers)
    ]

    def stop_workers(signum, frame):
        for process in processes:
            process.terminate()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_workers)  # not SIGHUP: `nohup make train` ignores it
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return int(any(process.exitcode != 0 for process in processes))


def status(profile: Profile) -> int:
    """Print every job as done, running, waiting or refused, with PFLOP and an estimate."""
    plans = plan_all(profile, load_study_data(profile))
    cpu, _ = cpu_model()
    print("\n".join(status_lines(plans, queue_folders(profile), cpu, profile.workers)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.study.train")
    parser.add_argument("command", choices=["run", "status"])
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    args = parser.parse_args(argv)
    profile = get_profile(args.profile)
    return run(profile) if args.command == "run" else status(profile)


if __name__ == "__main__":
    sys.exit(main())
