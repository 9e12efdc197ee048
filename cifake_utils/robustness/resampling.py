"""The resampling control of notebook 07: how much of the cue is a resizing trace?

Blur and a 2x down-and-up take the paper models to 58-61%, and the high-pass band alone
carries most of their accuracy: much of the cue is in the finest detail, which may be how each
class was resized to 32x32 rather than how it was made. Here CNN2D is trained and tested with
both classes passed through the same 2x down-and-up, which replaces each class's own finest
detail by one common resampler's. Accuracy above chance that survives does not sit in that
finest band (a resizing difference at coarser scales would survive it too). Each resampled
run is paired by seed with the baseline of `retraining` (same training images and recipe,
unresampled).
"""

from dataclasses import replace

import keras
import numpy as np
import pandas as pd

from ..decision import predict_labels
from ..evaluation.seeds import paired_comparison, t_interval
from ..models.inference import predict_fake_probability
from ..models.jobs import TrainingData
from .corruptions import resample
from .retraining import BASELINE, Retraining

RESAMPLED = "trained on 2x down and up"


def resampled_runs(runs: list[Retraining]) -> list[Retraining]:
    """A resampled twin of each seed's baseline run: the same job and subset."""
    return [
        replace(r, name=RESAMPLED, folder=r.folder.with_name(f"resampled_seed{r.seed}"))
        for r in runs
        if r.name == BASELINE
    ]


def resampled_data(data: TrainingData) -> TrainingData:
    """The training and validation images, every one through the 2x down-and-up; a data
    checksum of its own, so that no run of the unresampled images is taken for one of these."""
    return replace(
        data,
        train=(resample(data.train[0]), data.train[1]),
        validation=(resample(data.validation[0]), data.validation[1]),
        data_checksum=f"{data.data_checksum}-resampled2x",
    )


def resampling_table(
    models: dict[tuple[str, int], keras.Model], test: tuple[np.ndarray, np.ndarray]
) -> pd.DataFrame:
    """Per seed: the baseline on the test images as published and on resampled ones, and the
    resampled-trained model on resampled ones; then their mean and t-interval over seeds."""
    images, labels = test
    resampled = resample(images)
    cases = {
        "baseline, test as published": (BASELINE, images),
        "baseline, test resampled": (BASELINE, resampled),
        "trained resampled, test resampled": (RESAMPLED, resampled),
    }
    seeds = sorted(s for name, s in models if name == RESAMPLED)
    rows = {}
    for case, (name, inputs) in cases.items():
        accuracy = [
            float(
                np.mean(
                    predict_labels(predict_fake_probability(models[(name, s)], inputs)) == labels
                )
            )
            for s in seeds
        ]
        low, high = t_interval(np.array(accuracy))
        rows[case] = {"seeds": len(seeds), "accuracy_mean": float(np.mean(accuracy))}
        rows[case] |= {"accuracy_low": low, "accuracy_high": high}
        rows[case] |= {f"accuracy_seed{s}": a for s, a in zip(seeds, accuracy, strict=True)}
    return pd.DataFrame(rows).T.rename_axis("case")


def resampling_test(
    models: dict[tuple[str, int], keras.Model], test: tuple[np.ndarray, np.ndarray]
) -> dict:
    """The resampled-trained model on resampled test images against the baseline on the test
    images as published, paired by seed (`evaluation.seeds.paired_comparison`): what the
    resizing trace is worth."""
    images, labels = test
    predictions = {}
    for (name, seed), model in models.items():
        if name == RESAMPLED:
            predictions[(RESAMPLED, seed)] = predict_fake_probability(model, resample(images))
        elif name == BASELINE:
            predictions[(BASELINE, seed)] = predict_fake_probability(model, images)
    return paired_comparison(labels, predictions, BASELINE, RESAMPLED)
