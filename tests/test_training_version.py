"""The training code's version (`store.TRAINING_VERSION`, part of every model's key) is tied to
its numbers: a short seeded training on real images must give the recorded losses and weights.

A change that moves them fails here until TRAINING_VERSION is bumped and the fingerprint is
recorded again (CIFAKE_RECORD_FINGERPRINT=1 pytest tests/test_training_version.py); every
saved model's key then changes, so the notebooks train them again instead of reusing them.
The tolerance absorbs the last-bit differences between CPU kinds, not a change of recipe.
"""

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cifake_utils.models import store, training
from cifake_utils.models.architectures import ARCHITECTURES

FINGERPRINT = Path(__file__).parent / "data" / "training_fingerprint.json"
RECIPE = training.TrainConfig(
    epochs=2,
    batch_size=32,
    seed=5,
    patience=None,
    optimizer="adamw",
    learning_rate=3e-3,
    schedule="cosine",
    warmup_epochs=1,
    weight_decay=0.05,
    label_smoothing=0.1,
    augmentation=("flip",),
)


def fingerprint(cifake, folder: Path, recipe: training.TrainConfig = RECIPE) -> dict:
    """Per architecture: the per-epoch losses and each weight tensor's sum of magnitudes."""
    train = cifake.train.subset(np.arange(7, 100_000, 331)[:256])
    validation = cifake.train.subset(np.arange(40, 100_000, 997)[:64])
    found = {}
    for name in ("cnn2d", "modified_cnn2d"):
        run = training.train_model(
            ARCHITECTURES[name],
            recipe,
            (train.images, train.labels),
            (validation.images, validation.labels),
            folder / name,
            "fingerprint",
        )
        found[name] = {
            "loss": run.history["loss"] + run.history["val_loss"],
            "weights": [float(np.abs(w).sum()) for w in run.model.get_weights()],
        }
    return found


def test_training_numbers_match_the_recorded_version(cifake, tmp_path):
    found = fingerprint(cifake, tmp_path)
    if os.environ.get("CIFAKE_RECORD_FINGERPRINT"):
        FINGERPRINT.write_text(
            json.dumps({"training_version": store.TRAINING_VERSION, **found}, indent=1) + "\n"
        )
    recorded = json.loads(FINGERPRINT.read_text())
    assert recorded["training_version"] == store.TRAINING_VERSION, (
        "TRAINING_VERSION changed: record the fingerprint again (see this file's docstring)"
    )
    for name, numbers in recorded.items():
        if name == "training_version":
            continue
        for kind in ("loss", "weights"):
            assert found[name][kind] == pytest.approx(numbers[kind], rel=1e-4), (
                f"{name}: training's numbers changed; bump models.store.TRAINING_VERSION and "
                "record the fingerprint again (see this file's docstring)"
            )


def test_fingerprint_sees_a_small_change_of_recipe(cifake, tmp_path):
    """The tolerance is far below what a real change moves: no warm-up epoch, say."""
    recorded = json.loads(FINGERPRINT.read_text())
    found = fingerprint(cifake, tmp_path, replace(RECIPE, warmup_epochs=0))
    assert found["cnn2d"]["weights"] != pytest.approx(recorded["cnn2d"]["weights"], rel=1e-4)
