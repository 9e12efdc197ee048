"""Benchmark: is bfloat16 training as accurate as float32? The accuracy side of
`make benchmark-training`'s speed-up.

The training queue's `precision` jobs (`search/queued.py`) train notebook 08's net and recipe
in float32 and in mixed_bfloat16, seeds 0 and 1, on the study split (the float32 ones are
notebook 08's own models, found by key). This reads their sidecars: validation accuracy and
the CPU of each, and the speed-up that `make benchmark-training` measured for this net on its
CPU. The criterion was declared before any bfloat16 result was read: bfloat16 is adopted for queue
jobs added from then on only when its mean validation accuracy over the two seeds is within
`MARGIN` points of float32's and it trains at least `FASTER` times as fast. Prints the table
and saves it (`make benchmark-precision`).
"""

import json
from pathlib import Path
from statistics import mean

from cifake_utils.models.queue import landed_model, plan
from cifake_utils.project.benchmarks import benchmarks_dir, save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import get_profile
from cifake_utils.search.queued import job_arrays, precision_jobs, queue_folders

# About the net's seed-to-seed SD on test (0.14 points, notebook 08): a smaller difference is
# one that two seeds could not tell from noise anyway.
MARGIN = 0.2
FASTER = 1.1
NET = "vgg_bn"  # the benchmark's name for notebook 08's net


def landed_sidecars(profile) -> list[tuple[str, int, dict]]:
    """(precision, seed, sidecar) of each precision job; exits naming one not landed yet."""
    study = load_study_data(profile)
    folders = queue_folders(profile)
    found = []
    for job in precision_jobs(profile):
        arrays = job_arrays(
            job, study.data, lambda: (study.arrays("train"), study.arrays("validation"))
        )
        landed = landed_model(plan(job, *arrays, profile.threads_per_worker), folders)
        if landed is None:
            raise SystemExit(f"{job.label} has not landed yet: run `make train` first")
        sidecar = json.loads(landed.with_suffix(".json").read_text())
        found.append((job.train_config.precision, job.train_config.seed, sidecar))
    return found


def measured_speedup(path: Path) -> tuple[float, str]:
    """bfloat16's images/s over float32's for the net, and the CPU, from `make
    benchmark-training`'s committed result."""
    document = json.loads(path.read_text())
    (row,) = [
        row
        for row in document["rows"]
        if row["model"] == NET and row["setting"].endswith("mixed_bfloat16")
    ]
    return float(row["vs canonical"].rstrip("x")), document["cpu"]["model"]


def main() -> None:
    profile = get_profile("full")
    rows, accuracy, cpus_of = [], {}, {}
    for precision, seed, run in landed_sidecars(profile):
        cpus = sorted({epoch["cpu"] for epoch in run.get("epoch_machines") or []})
        cpus_of.setdefault(precision, set()).update(cpus or [run["machine"]["cpu"]])
        accuracy.setdefault(precision, []).append(100 * run["validation"]["accuracy"])
        rows.append(
            {
                "precision": precision,
                "seed": seed,
                "validation accuracy": f"{accuracy[precision][-1]:.2f}%",
                "trained on": "; ".join(cpus or [run["machine"]["cpu"]]),
            }
        )
        print(" | ".join(str(value) for value in rows[-1].values()), flush=True)
    difference = mean(accuracy["mixed_bfloat16"]) - mean(accuracy["float32"])
    speedup, cpu = measured_speedup(benchmarks_dir() / "training_speed.json")
    adopted = abs(difference) <= MARGIN and speedup >= FASTER
    notes = (
        f"bfloat16 minus float32, mean validation accuracy over the two seeds: "
        f"{difference:+.2f} points; bfloat16 trains this net {speedup:.2f}x as fast on the {cpu} "
        f"(`make benchmark-training`). Criterion, declared before the results were read: "
        f"|difference|"
        f" <= {MARGIN} points and at least {FASTER}x as fast. Verdict: bfloat16 is "
        f"{'adopted' if adopted else 'not adopted'} for queue jobs added from now on (a job "
        "keeps the precision it started with)."
    )
    if cpus_of["float32"] != cpus_of["mixed_bfloat16"]:
        notes += (
            f" The float32 runs trained on {', '.join(sorted(cpus_of['float32']))}, the bfloat16"
            f" ones on {', '.join(sorted(cpus_of['mixed_bfloat16']))}: the difference holds the"
            " CPU kind's effect too."
        )
    print(notes)
    save_benchmark("precision_accuracy", "make benchmark-precision", rows, notes)


if __name__ == "__main__":
    main()
