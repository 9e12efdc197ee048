"""Benchmark: is a committed model bit-identical when retrained on another machine?

Every paper model was trained in a one-thread worker. This trains CNN2D with its tuned recipe
and one seed again, in a one-thread worker, on whatever machine runs it, and compares epoch by
epoch with the committed model: the validation history, the weights and the test accuracy,
against the standard deviation over the committed seeds. The committed sidecar says which CPU
kind trained the seed: on the same kind the two should agree bit for bit, on another they
differ. Run with `make benchmark-rerun-machine [ARGS="--seed 2"]` after `make reproduce`: one
CNN2D training, about 15 minutes on the AVX2 CPU and 5 on the AVX-512 one.
"""

import argparse
from dataclasses import replace

import numpy as np
from rerun_threads import canonical_test_accuracies

from cifake_utils.decision import predict_labels
from cifake_utils.models.inference import predict_fake_probability
from cifake_utils.models.jobs import TrainingData, train_jobs
from cifake_utils.models.training import load_run
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import get_profile
from cifake_utils.search.recipe_search import chosen_recipe


def first_difference(canonical: list[float], rerun: list[float]) -> int | None:
    """The first 1-based epoch whose value differs (None: identical histories)."""
    for epoch, (a, b) in enumerate(zip(canonical, rerun, strict=True), start=1):
        if a != b:
            return epoch
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2, help="the CNN2D seed to retrain")
    seed = parser.parse_args().seed
    profile = get_profile("full")
    study = load_study_data(profile)
    model_config, recipe = chosen_recipe(profile, "cnn2d")
    job = (model_config, replace(recipe, seed=seed))
    folder = profile.checkpoints_dir / "rerun_machine" / f"cnn2d_seed{seed}"
    workers = profile.workers  # the canonical layout: cores // workers threads per worker
    train, validation = study.arrays("train"), study.arrays("validation")
    checksum = study.data.checksum
    data = TrainingData(train, validation, folder.parent, checksum, workers)
    [rerun] = train_jobs([job], data, [folder])
    original = load_run(profile.models_dir / f"cnn2d_seed{seed}.keras")
    images, labels = study.arrays("test")
    canonical = canonical_test_accuracies(profile, labels)
    rerun_test = float(
        np.mean(predict_labels(predict_fake_probability(rerun.model, images)) == labels)
    )
    weights = [
        float(np.max(np.abs(a - b)))
        for a, b in zip(original.model.get_weights(), rerun.model.get_weights(), strict=True)
    ]
    spread = np.std(list(canonical.values()), ddof=1)
    for name, run in (("canonical", original), ("rerun", rerun)):
        machine = run.machine or {}
        print(
            f"{name}: {machine.get('cpu')} {machine.get('cpu_flags')}, "
            f"{machine.get('intra_op_threads')} thread(s)"
        )
    verdicts = {}
    for key in ("loss", "val_loss", "val_accuracy"):
        epoch = first_difference(original.history[key], rerun.history[key])
        verdicts[key] = (
            "identical in every epoch" if epoch is None else f"differs from epoch {epoch}"
        )
        print(f"{key}: {verdicts[key]}")
    print(f"largest absolute weight difference: {max(weights):.3g}")
    print(
        f"test accuracy: canonical {canonical[seed]:.4f}, rerun {rerun_test:.4f}, "
        f"difference {100 * (rerun_test - canonical[seed]):+.2f} points; std over the "
        f"{len(canonical)} canonical seeds {100 * spread:.2f} points"
    )
    rows = [
        {
            "run": f"{name} CNN2D seed {seed}",
            "CPU": " ".join([str(machine.get("cpu")), *machine.get("cpu_flags", [])]),
            "threads": (run.machine or {}).get("intra_op_threads"),
            "test accuracy (%)": f"{100 * accuracy:.2f}",
        }
        for name, run, accuracy, machine in (
            ("committed", original, canonical[seed], original.machine or {}),
            ("retrained here", rerun, rerun_test, rerun.machine or {}),
        )
    ]
    notes = (
        "Per-epoch history: "
        + "; ".join(f"{key} {verdict}" for key, verdict in verdicts.items())
        + f". Largest absolute weight difference {max(weights):.3g}; test accuracy moves by "
        f"{100 * (rerun_test - canonical[seed]):+.2f} points (std over the {len(canonical)} "
        f"committed seeds {100 * spread:.2f} points)."
    )
    save_benchmark("rerun_machine", "make benchmark-rerun-machine", rows, notes)


if __name__ == "__main__":
    main()
