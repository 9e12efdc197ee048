"""Benchmark: training speed of the beyond-the-paper candidates against CNN2D, on this CPU.

Notebook 08's budget is training minutes per seed on a 2-core CPU, so what a candidate can
reach depends on how many images per second it trains at here. For CNN2D and each VGG-BN
candidate (float32, and mixed bfloat16 where asked), a fresh seeded model trains on real
training images for a fixed number of steps after a warm-up that traces the step; prints
images/s, the ratio to CNN2D measured in the same run, the parameter count, the epochs of
the 90,000 training images that 15 minutes would buy, and the CPU it ran on.
Run with `make benchmark-beyond`.
"""

import argparse
import time
from dataclasses import replace

import keras
import tensorflow as tf

from cifake_utils.data.pipeline import make_dataset
from cifake_utils.machine import machine_info
from cifake_utils.models.architectures import ARCHITECTURES, BEYOND, ModelConfig, build_model
from cifake_utils.models.training import TrainConfig, compile_model, set_seed
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import get_profile

TRAIN_IMAGES = 90_000  # the full profile's training split
BUDGET_SECONDS = 15 * 60  # the beyond-the-paper issue's training budget per seed


def images_per_second(
    config: ModelConfig, dataset: tf.data.Dataset, steps: int, batch: int, policy: str
) -> float:
    """Steady-state training images/s of a fresh seeded model under a dtype policy."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        set_seed(0)
        model = build_model(config)
        compile_model(model, TrainConfig(batch_size=batch, optimizer="adamw", weight_decay=5e-4))
        model.fit(dataset.take(5), epochs=1, verbose=0, shuffle=False)  # trace the step
        start = time.perf_counter()
        model.fit(dataset.take(steps), epochs=1, verbose=0, shuffle=False)
        return steps * batch / (time.perf_counter() - start)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def candidates() -> dict[str, ModelConfig]:
    """CNN2D (the yardstick), VGG-BN and a wider and a wider-and-deeper variant of it."""
    vgg = BEYOND["vgg_bn"]
    return {
        "CNN2D": ARCHITECTURES["cnn2d"],
        "VGG-BN 16-32-64": vgg,
        "VGG-BN 32-64-128": replace(vgg, stage_widths=(32, 64, 128)),
        "VGG-BN 32-64-128-256": replace(vgg, stage_widths=(32, 64, 128, 256)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per candidate")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--bfloat16", action="store_true", help="also time mixed bfloat16")
    args = parser.parse_args()
    study = load_study_data(get_profile("full"))
    images, labels = study.arrays("train")
    dataset = make_dataset(images, labels, args.batch_size, shuffle=True).repeat()
    policies = ["float32", "mixed_bfloat16"] if args.bfloat16 else ["float32"]
    machine = machine_info()
    print(f"CPU {machine['cpu']} ({machine['cpu_flags']}), {machine['cpu_count']} cores")
    print(
        f"{'model':<22} {'policy':<15} {'params':>9} {'images/s':>9} {'vs CNN2D':>9} "
        f"{'epochs/15 min':>14}"
    )
    yardstick, rows = None, []
    for name, config in candidates().items():
        parameters = build_model(config).count_params()
        for policy in policies:
            speed = images_per_second(config, dataset, args.steps, args.batch_size, policy)
            yardstick = yardstick or speed
            epochs = speed * BUDGET_SECONDS / TRAIN_IMAGES
            print(
                f"{name:<22} {policy:<15} {parameters:>9,} {speed:>9,.0f} "
                f"{speed / yardstick:>8.2f}x {epochs:>14.1f}"
            )
            rows.append(
                {
                    "model": name,
                    "policy": policy,
                    "parameters": f"{parameters:,}",
                    "images/s": f"{speed:,.0f}",
                    "vs CNN2D": f"{speed / yardstick:.2f}x",
                    "epochs in 15 min": f"{epochs:.1f}",
                }
            )
    notes = f"Both threads, batch {args.batch_size}, {args.steps} timed steps after a warm-up."
    save_benchmark("beyond_throughput", "make benchmark-beyond", rows, notes)


if __name__ == "__main__":
    main()
