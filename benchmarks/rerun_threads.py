"""Benchmark: how far a change of kernels moves a trained model, against the seed spread.

Another CPU kind makes oneDNN pick other kernels; so does another thread count (the order of
floating-point sums changes). This machine has one CPU kind, so the thread count stands in:
CNN2D with its tuned recipe and seed 0 is trained again in this process with every core,
where the canonical run trained it in a one-thread worker. Prints the two runs' validation and
test accuracy, their difference, and the standard deviation over the canonical seeds.
Run with `make benchmark-rerun` after `make reproduce` (one CNN2D training, a few minutes).
"""

import numpy as np

from cifake_utils.decision import predict_labels
from cifake_utils.machine import machine_info
from cifake_utils.models.inference import predict_fake_probability
from cifake_utils.models.training import load_run, train_model
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import Profile, get_profile
from cifake_utils.search.recipe_search import chosen_recipe


def canonical_test_accuracies(profile: Profile, labels: np.ndarray) -> dict[int, float]:
    """CNN2D's test accuracy per canonical seed, from notebook 04's saved predictions."""
    saved = np.load(profile.metrics_dir / "04_test_predictions.npz")
    seeds = sorted(int(k.rpartition("seed")[2]) for k in saved.files if k.startswith("cnn2d_seed"))
    return {s: float(np.mean(predict_labels(saved[f"cnn2d_seed{s}"]) == labels)) for s in seeds}


def main() -> None:
    profile = get_profile("full")
    study = load_study_data(profile)
    model_config, recipe = chosen_recipe(profile, "cnn2d")
    rerun = train_model(
        model_config,
        recipe,
        study.arrays("train"),
        study.arrays("validation"),
        profile.checkpoints_dir / "rerun_threads" / "cnn2d_seed0",
        study.data.checksum,
    )
    images, labels = study.arrays("test")
    canonical = canonical_test_accuracies(profile, labels)
    seeds = sorted(canonical)
    rerun_test = float(
        np.mean(predict_labels(predict_fake_probability(rerun.model, images)) == labels)
    )
    original = load_run(profile.models_dir / "cnn2d_seed0.keras")
    spread = np.std(list(canonical.values()), ddof=1)
    threads = machine_info()["intra_op_threads"] or "default"
    print(f"threads: canonical run 1 (a worker process), this rerun {threads}")
    print(
        f"validation accuracy: canonical {original.validation['accuracy']:.4f}, "
        f"rerun {rerun.validation['accuracy']:.4f}"
    )
    print(
        f"test accuracy: canonical {canonical[0]:.4f}, rerun {rerun_test:.4f}, "
        f"difference {100 * (rerun_test - canonical[0]):+.2f} points"
    )
    print(
        f"std of test accuracy over the {len(seeds)} canonical seeds: {100 * spread:.2f} points; "
        f"|difference| / std = {abs(rerun_test - canonical[0]) / spread:.2f}"
    )
    rows = [
        {
            "run": "committed CNN2D seed 0",
            "threads": (original.machine or {}).get("intra_op_threads"),
            "validation accuracy (%)": f"{100 * original.validation['accuracy']:.2f}",
            "test accuracy (%)": f"{100 * canonical[0]:.2f}",
        },
        {
            "run": "retrained here",
            "threads": threads,
            "validation accuracy (%)": f"{100 * rerun.validation['accuracy']:.2f}",
            "test accuracy (%)": f"{100 * rerun_test:.2f}",
        },
    ]
    notes = (
        f"The rerun moves test accuracy by {100 * (rerun_test - canonical[0]):+.2f} points, "
        f"{abs(rerun_test - canonical[0]) / spread:.1f} times the standard deviation over the "
        f"{len(seeds)} committed seeds ({100 * spread:.2f} points)."
    )
    save_benchmark("rerun_threads", "make benchmark-rerun", rows, notes)


if __name__ == "__main__":
    main()
