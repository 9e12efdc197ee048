"""Benchmark: what turning oneDNN off costs, and whether each setting repeats itself.

oneDNN picks kernels by instruction set, so the same seed can give other weights on another
CPU. TensorFlow's own Eigen kernels (TF_ENABLE_ONEDNN_OPTS=0) are an alternative. For each
setting, two fresh processes train CNN2D for one epoch on the same 30,000 training images with
seed 0; the benchmark prints each setting's seconds, the ratio off/on, and whether the two
processes of a setting (and the two settings) end with bit-identical weights. Whether a
setting also agrees *across* CPU kinds can only be checked on two kinds of machine.
Run with `make benchmark-onednn`.
"""

import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np

from cifake_utils.data.loading import DataConfig, load_cifake
from cifake_utils.data.pipeline import make_dataset
from cifake_utils.machine import onednn_setting
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.training import TrainConfig, compile_model, set_seed
from cifake_utils.project.benchmarks import save_benchmark

IMAGES = 30_000
SETTINGS = {"on": "1", "off": "0"}


def train_once() -> None:
    """In a child process: one seeded epoch; print seconds and a digest of the weights."""
    data = load_cifake(DataConfig(), progress=False)
    chosen = np.arange(0, 100_000, 100_000 // IMAGES)[:IMAGES]
    set_seed(0)
    model = build_model(ARCHITECTURES["cnn2d"])
    compile_model(model, TrainConfig())
    dataset = make_dataset(data.train.images[chosen], data.train.labels[chosen], 64, True, 0)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
    print(json.dumps({"onednn": onednn_setting(), "seconds": seconds, "weights": digest[:16]}))


def run_child(value: str) -> dict:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": value, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    results = {name: [run_child(value) for _ in range(2)] for name, value in SETTINGS.items()}
    for name, runs in results.items():
        seconds = ", ".join(f"{run['seconds']:.1f} s" for run in runs)
        repeat = runs[0]["weights"] == runs[1]["weights"]
        print(
            f"oneDNN {name:3}: one epoch of {IMAGES:,} images in {seconds}; "
            f"two processes bit-identical: {repeat}"
        )
    on = min(run["seconds"] for run in results["on"])
    off = min(run["seconds"] for run in results["off"])
    same = results["on"][0]["weights"] == results["off"][0]["weights"]
    print(f"oneDNN off / on time ratio: {off / on:.2f}; on and off give the same weights: {same}")
    rows = [
        {
            "oneDNN": name,
            "seconds per epoch (two processes)": ", ".join(f"{r['seconds']:.1f}" for r in runs),
            "bit-identical in both": runs[0]["weights"] == runs[1]["weights"],
        }
        for name, runs in results.items()
    ]
    notes = (
        f"One epoch of CNN2D on {IMAGES:,} images: off takes {off / on:.2f}x the time of on; "
        f"on and off give {'the same' if same else 'different'} weights."
    )
    save_benchmark("onednn_cost", "make benchmark-onednn", rows, notes)


if __name__ == "__main__":
    train_once() if "--child" in sys.argv else main()
