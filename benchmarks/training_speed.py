"""Benchmark: how fast each architecture trains on this CPU, and which setting is faster.

For each architecture the study trains (the paper models with their tuned recipes, the
template CNN2D of notebook 09, notebook 08's VGG-BN and the wider VGG-BN 32-64-128), a fresh
seeded model trains on real training images for a fixed number of steps after a warm-up, in
each setting, against the canonical one (the recipe's batch, float32, one thread per worker,
two workers side by side) measured in the same run:

- thread layout: two one-thread workers side by side (the queue's and the notebooks' layout)
  against one worker with two threads (images/s of the whole machine in both);
- batch size (which would change the recipe);
- the `mixed_bfloat16` policy, on CPUs with AVX-512 BF16 or AMX (native bfloat16 units).

Prints images/s, the ratio, achieved GFLOP/s (training FLOPs from `models/flops.py`) against
the CPU's nominal float32 peak, and minutes per 90,000-image epoch, and saves them with the CPU
(`make benchmark-training`). A setting is adopted only where it is faster at equal accuracy;
the accuracy side of bfloat16 is the training queue's `precision` jobs (notebook 08's net and
recipe in both precisions, two seeds each, `search/queued.py`), reported by
`make benchmark-precision` once they have landed.
"""

import argparse
import multiprocessing
import os
import time
import warnings
from dataclasses import replace

import numpy as np
import tensorflow as tf

from cifake_utils.data.pipeline import make_dataset
from cifake_utils.machine import machine_info
from cifake_utils.models.architectures import BEYOND, TEMPLATE, ModelConfig, build_model
from cifake_utils.models.flops import training_flops
from cifake_utils.models.training import TrainConfig, compile_model, dtype_policy, set_seed
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import get_profile
from cifake_utils.search.chosen import final_recipe
from cifake_utils.search.queued import TEMPLATE_RECIPE

TRAIN_IMAGES = 90_000  # the full profile's training split
BF16_FLAGS = ("avx512_bf16", "amx_bf16")
WIDE_VGG = replace(BEYOND["vgg_bn"], name="vgg_bn_32_64_128", stage_widths=(32, 64, 128))


def architectures(profile) -> dict[str, tuple[ModelConfig, TrainConfig]]:
    """Each architecture with the recipe it trains with (VGG-BN: the tuned CNN2D's)."""
    cnn2d = final_recipe(profile, "cnn2d")
    return {
        "cnn2d": cnn2d,
        "modified_cnn2d": final_recipe(profile, "modified_cnn2d"),
        "template_cnn2d": (TEMPLATE["template_cnn2d"], TEMPLATE_RECIPE),
        "vgg_bn": (BEYOND["vgg_bn"], replace(cnn2d[1], batch_size=128)),
        "vgg_bn_32_64_128": (WIDE_VGG, replace(cnn2d[1], batch_size=128)),
    }


def images_per_second(job: tuple, threads: int, steps: int, precision: str) -> float:
    """Steady-state training images/s of a fresh seeded model in this process."""
    model_config, recipe, images, labels = job
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    set_seed(0)
    with dtype_policy(precision):
        model = build_model(model_config, recipe.augmentation, recipe.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile_model(model, recipe, steps_per_epoch=1_000)
    dataset = make_dataset(images, labels, recipe.batch_size, shuffle=True).repeat()
    model.fit(dataset.take(10), epochs=1, verbose=0, shuffle=False)  # trace
    start = time.perf_counter()
    model.fit(dataset.take(steps), epochs=1, verbose=0, shuffle=False)
    return steps * recipe.batch_size / (time.perf_counter() - start)


def _worker(args):
    job, threads, steps, precision, barrier = args
    barrier.wait()  # both workers time the same seconds
    return images_per_second(job, threads, steps, precision)


def machine_rate(job: tuple, workers: int, steps: int, precision: str) -> float:
    """Images/s of the whole machine with `workers` processes of cores // workers threads."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(workers) as pool:
        barrier = manager.Barrier(workers)
        speeds = pool.map(_worker, [(job, threads, steps, precision, barrier)] * workers)
    return float(sum(speeds))


def nominal_peak_gflops() -> tuple[float, str]:
    """The CPU's float32 peak: cores x clock x 2 FMA units x lanes x 2, and how it was read."""
    clock = max(
        float(line.split(":")[1]) for line in open("/proc/cpuinfo") if line.startswith("cpu MHz")
    )
    flags = machine_info()["cpu_flags"]
    lanes = 16 if "avx512f" in flags else 8
    cores = os.cpu_count() or 1
    peak = cores * clock / 1e3 * 2 * lanes * 2
    return peak, f"{cores} cores x {clock / 1e3:.2f} GHz x 2 FMA units x {lanes} lanes x 2"


def speed_rows(profile, images, labels, timed: int, only=None) -> list[dict]:
    flags = machine_info()["cpu_flags"]
    precisions = ["float32", *(["mixed_bfloat16"] if set(flags) & set(BF16_FLAGS) else [])]
    peak, _ = nominal_peak_gflops()
    rows = []
    for name, (model_config, recipe) in architectures(profile).items():
        if only and name not in only:
            continue
        per_image = training_flops(build_model(model_config), 1) / 1e9
        settings = {
            f"2 x 1 thread, batch {recipe.batch_size}, float32 (canonical)": (2, recipe, "float32")
        }
        settings[f"1 x 2 threads, batch {recipe.batch_size}, float32"] = (1, recipe, "float32")
        for batch in (32, 128, 256):
            if batch != recipe.batch_size:
                settings[f"2 x 1 thread, batch {batch}, float32"] = (
                    2,
                    replace(recipe, batch_size=batch),
                    "float32",
                )
        for precision in precisions[1:]:
            settings[f"2 x 1 thread, batch {recipe.batch_size}, {precision}"] = (
                2,
                recipe,
                precision,
            )
        canonical = None
        for setting, (workers, config, precision) in settings.items():
            steps = max(5, timed // config.batch_size)
            speed = machine_rate((model_config, config, images, labels), workers, steps, precision)
            canonical = canonical or speed
            gflops = speed * per_image
            row = {
                "model": name,
                "setting": setting,
                "images/s": f"{speed:,.0f}",
                "vs canonical": f"{speed / canonical:.2f}x",
                "GFLOP/s": f"{gflops:.1f}",
                "of peak": f"{100 * gflops / peak:.1f}%",
                "minutes per epoch": f"{TRAIN_IMAGES / speed / 60:.1f}",
            }
            print(" | ".join(str(v) for v in row.values()), flush=True)
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=6_400, help="timed images per worker")
    parser.add_argument("--models", nargs="*", help="only these architectures")
    args = parser.parse_args()
    profile = get_profile("full")
    images, labels = load_study_data(profile).arrays("train")
    images, labels = np.ascontiguousarray(images[:20_000]), labels[:20_000]
    machine = machine_info()
    peak, how = nominal_peak_gflops()
    print(
        f"CPU {machine['cpu']} ({', '.join(machine['cpu_flags'])}); peak {peak:.0f} GFLOP/s ({how})"
    )
    rows = speed_rows(profile, images, labels, args.images, args.models)
    if args.models:  # a partial run is printed, not saved
        return
    faster = [
        f"{row['model']} {row['setting']} {row['vs canonical']}"
        for row in rows
        if float(row["vs canonical"][:-1]) >= 1.1
    ]
    notes = (
        f"{args.images:,} timed images per worker and setting; both cores busy in every setting. "
        f"Nominal float32 peak {peak:.0f} GFLOP/s ({how}; an assumption, not a measurement). "
        "Settings at least 10% faster than the canonical one: "
        + ("; ".join(faster) if faster else "none")
        + "."
    )
    save_benchmark("training_speed", "make benchmark-training", rows, notes)


if __name__ == "__main__":
    main()
