"""Benchmark: one epoch of CNN2D on the full train split through two input pipelines.

(a) ours: the decoded uint8 cache through tf.data (cifake_utils.pipeline);
(b) the naive pipeline most CIFAKE code uses: keras.utils.image_dataset_from_directory on the
    extracted JPEG folders, decoding every JPEG in every epoch;
(c) for reference, no input pipeline at all: one prepared batch repeated, the ceiling that the
    model's own compute sets on this machine.

Same model, seed, batch size and number of images; prints images/s of each, the ratio
(a)/(b), and how close (a) comes to the ceiling (c).
Run with `make benchmark` (extracts the JPEGs to data/extracted/ once).
"""

import argparse
import time

import keras
import tensorflow as tf

from cifake_utils.constants import LABELS
from cifake_utils.data.loading import DataConfig, load_cifake
from cifake_utils.data.pipeline import make_dataset
from cifake_utils.data.sources import discover_sources, extract_jpeg_folders
from cifake_utils.models.architectures import build_cnn2d
from cifake_utils.models.training import TrainConfig, compile_model, set_seed
from cifake_utils.paths import project_root, resolve_cifake_dir
from cifake_utils.project.benchmarks import save_benchmark


def naive_dataset(folder, batch_size: int, seed: int) -> tf.data.Dataset:
    """What most CIFAKE notebooks do: decode JPEGs from folders, rescale, no cache."""
    dataset = keras.utils.image_dataset_from_directory(
        folder,
        labels="inferred",
        label_mode="binary",
        class_names=list(LABELS),
        image_size=(32, 32),
        batch_size=batch_size,
        shuffle=True,
        seed=seed,
        verbose=False,
    )
    return dataset.map(lambda x, y: (x / 255.0, y))


def time_one_epoch(dataset: tf.data.Dataset, images: int, config: TrainConfig) -> float:
    """Images per second of one training epoch of a fresh, seeded CNN2D.

    A 20-batch warm-up first traces the training step, so that both pipelines are timed on
    the same steady-state work.
    """
    set_seed(config.seed)
    model = build_cnn2d()
    compile_model(model, config)
    model.fit(dataset.take(20), epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=TrainConfig().batch_size)
    args = parser.parse_args()
    config = TrainConfig(batch_size=args.batch_size)

    data = load_cifake(DataConfig(), progress=True)
    images, labels = data.train.images, data.train.labels
    folder = extract_jpeg_folders(
        discover_sources(resolve_cifake_dir()), project_root() / "data" / "extracted", "train"
    )
    ours = time_one_epoch(
        make_dataset(images, labels, config.batch_size, shuffle=True), len(labels), config
    )
    naive = time_one_epoch(
        naive_dataset(folder, config.batch_size, config.seed), len(labels), config
    )
    first = make_dataset(images[: config.batch_size], labels[: config.batch_size])
    steps = len(labels) // config.batch_size
    repeated = tf.data.Dataset.from_tensors(next(iter(first))).repeat(steps)
    repeated = repeated.with_options(first.options())  # autotuning off, as in (a)
    ceiling = time_one_epoch(repeated, steps * config.batch_size, config)
    print(f"train split: {len(labels):,} images, batch {config.batch_size}, CNN2D, one epoch")
    print(f"(a) ours, uint8 cache + tf.data      {ours:8,.0f} images/s")
    print(f"(b) image_dataset_from_directory     {naive:8,.0f} images/s")
    print(f"(c) no pipeline (compute ceiling)    {ceiling:8,.0f} images/s")
    print(f"ratio (a)/(b)                        {ours / naive:8.2f}x")
    print(f"(a) reaches {ours / ceiling:.0%} of the ceiling, (b) {naive / ceiling:.0%}")
    save_benchmark(
        "pipeline_throughput",
        "make benchmark",
        [
            {"pipeline": "(a) ours: uint8 cache, tf.data", "images/s": f"{ours:,.0f}"},
            {"pipeline": "(b) image_dataset_from_directory", "images/s": f"{naive:,.0f}"},
            {"pipeline": "(c) no pipeline: compute ceiling", "images/s": f"{ceiling:,.0f}"},
        ],
        f"One epoch of CNN2D on the {len(labels):,} training images, batch {config.batch_size}: "
        f"ours is {ours / naive:.2f}x the naive pipeline and reaches {ours / ceiling:.0%} of "
        f"the compute ceiling (the naive one {naive / ceiling:.0%}).",
    )


if __name__ == "__main__":
    main()
