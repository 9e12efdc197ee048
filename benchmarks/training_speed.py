"""Benchmark: can a setting make the paper models train faster on this CPU?

Training time bounds how many seeds `make reproduce` can afford. For CNN2D and the Modified
CNN2D with their tuned recipes, in one thread (the canonical run's worker layout), a fresh
seeded model trains on real training images for a fixed number of steps after a warm-up;
each setting is timed against the canonical one (the recipe's batch, no XLA) in the same run:
other batch sizes (which would change the recipe) and XLA compilation (which would not).
Prints images/s, the ratio and the minutes one 90,000-image epoch would take.
Run with `make benchmark-training`.
"""

import argparse
import time
import warnings
from dataclasses import replace

import tensorflow as tf

from cifake_utils.data.pipeline import make_dataset
from cifake_utils.machine import machine_info
from cifake_utils.models.architectures import PAPER_MODELS, build_model
from cifake_utils.models.training import TrainConfig, compile_model, set_seed
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.inputs import load_study_data
from cifake_utils.project.profiles import get_profile
from cifake_utils.search.recipe_search import chosen_recipe

TRAIN_IMAGES = 90_000  # the full profile's training split


def images_per_second(
    model_config, recipe: TrainConfig, images, labels, steps, jit
) -> tuple[float, bool]:
    """Steady-state training images/s of a fresh seeded model, and whether XLA was used
    (Keras falls back without it for a model whose layers do not support it)."""
    set_seed(0)
    model = build_model(model_config, recipe.augmentation, recipe.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fall-back's warning; the table says it
        compile_model(model, recipe, steps_per_epoch=1_000, jit_compile=jit)
    dataset = make_dataset(images, labels, recipe.batch_size, shuffle=True).repeat()
    model.fit(dataset.take(10), epochs=1, verbose=0, shuffle=False)  # trace (and compile)
    start = time.perf_counter()
    model.fit(dataset.take(steps), epochs=1, verbose=0, shuffle=False)
    return steps * recipe.batch_size / (time.perf_counter() - start), bool(model.jit_compile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12_800, help="timed images per setting")
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    profile = get_profile("full")
    images, labels = load_study_data(profile).arrays("train")
    machine = machine_info()
    print(f"CPU {machine['cpu']} ({machine['cpu_flags']}), 1 thread")
    print(f"{'model':<16} {'setting':<50} {'images/s':>9} {'ratio':>7} {'min/epoch':>10}")
    rows = []
    for architecture in PAPER_MODELS:
        model_config, recipe = chosen_recipe(profile, architecture)
        settings = {f"batch {recipe.batch_size} (recipe)": (recipe, False)}
        settings[f"batch {recipe.batch_size} + XLA"] = (recipe, True)
        for batch in (32, 64, 128, 256):
            if batch != recipe.batch_size:
                settings[f"batch {batch}"] = (replace(recipe, batch_size=batch), False)
        canonical = None
        for name, (config, jit) in settings.items():
            steps = max(1, args.images // config.batch_size)
            speed, used = images_per_second(model_config, config, images, labels, steps, jit)
            if jit and not used:
                name = f"{name} (Keras: unsupported, ran without)"
            canonical = canonical or speed
            print(
                f"{architecture:<16} {name:<50} {speed:>9,.0f} {speed / canonical:>6.2f}x "
                f"{TRAIN_IMAGES / speed / 60:>10.1f}"
            )
            rows.append(
                {
                    "model": architecture,
                    "setting": name,
                    "images/s": f"{speed:,.0f}",
                    "vs the recipe": f"{speed / canonical:.2f}x",
                    "minutes per epoch": f"{TRAIN_IMAGES / speed / 60:.1f}",
                }
            )
    fastest = max(rows, key=lambda row: float(row["vs the recipe"][:-1]))
    notes = (
        f"One thread, {args.images:,} timed images per setting; the fastest setting against "
        f"its recipe is {fastest['model']} {fastest['setting']} at {fastest['vs the recipe']}."
    )
    save_benchmark("training_speed", "make benchmark-training", rows, notes)


if __name__ == "__main__":
    main()
