"""Benchmark: is bfloat16 training as accurate as float32? The accuracy side of
`make benchmark-training`'s speed-up.

The training queue's `precision` jobs (`search/queued.py`) train notebook 08's net and recipe
in float32 and in mixed_bfloat16, seeds 0 and 1, on the study split. This reads their landed
sidecars: validation accuracy of each, seconds per epoch and the CPU of every epoch, and the
criterion declared before any of them trained: bfloat16 is adopted for new queue jobs only when
its mean validation accuracy over the two seeds is within `MARGIN` points of float32's and it
trains at least 10% faster. Prints the table and saves it (`make benchmark-precision`).
"""

import json
from statistics import mean

from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.profiles import get_profile
from cifake_utils.search.queued import PRECISION_SEEDS

PRECISIONS = ("float32", "mixed_bfloat16")
# Declared before the jobs trained: about the net's seed-to-seed SD on test (0.14 points,
# notebook 08), so a smaller difference is one two seeds could not tell from noise anyway.
MARGIN = 0.2
FASTER = 1.1


def main() -> None:
    folder = get_profile("full").models_dir / "precision"
    rows, accuracy, seconds = [], {}, {}
    for precision in PRECISIONS:
        for seed in PRECISION_SEEDS:
            sidecar = folder / f"vgg_bn_{precision}_seed{seed}.json"
            if not sidecar.is_file():
                raise SystemExit(f"{sidecar} has not landed yet: run `make train` first")
            run = json.loads(sidecar.read_text())
            epochs = run["epoch_machines"]
            per_epoch = mean(epoch["seconds"] for epoch in epochs)
            cpus = sorted({epoch["cpu"] for epoch in epochs})
            accuracy.setdefault(precision, []).append(100 * run["validation"]["accuracy"])
            seconds.setdefault(precision, []).append(per_epoch)
            rows.append(
                {
                    "precision": precision,
                    "seed": seed,
                    "validation accuracy": f"{100 * run['validation']['accuracy']:.2f}%",
                    "seconds per epoch (1 thread)": f"{per_epoch:.0f}",
                    "CPU of its epochs": "; ".join(cpus),
                }
            )
            print(" | ".join(str(value) for value in rows[-1].values()), flush=True)
    difference = mean(accuracy["mixed_bfloat16"]) - mean(accuracy["float32"])
    speed = mean(seconds["float32"]) / mean(seconds["mixed_bfloat16"])
    adopted = abs(difference) <= MARGIN and speed >= FASTER
    notes = (
        f"bfloat16 minus float32, mean validation accuracy over seeds {list(PRECISION_SEEDS)}: "
        f"{difference:+.2f} points; float32 epochs took {speed:.2f}x as long. Criterion, "
        f"declared before the runs: |difference| <= {MARGIN} points and at least {FASTER}x "
        f"faster. Verdict: bfloat16 is {'adopted' if adopted else 'not adopted'} for new "
        "queue jobs (a job keeps the precision it started with)."
    )
    print(notes)
    save_benchmark("precision_accuracy", "make benchmark-precision", rows, notes)


if __name__ == "__main__":
    main()
