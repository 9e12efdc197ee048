"""Grad-CAM's faithfulness per model, side by side: how often its maps beat the model-agnostic
baselines (notebook 05's paired tests), and its mean scores."""

import keras
import numpy as np
import pandas as pd

from ..decision import predict_labels
from ..explain import analysis
from ..explain.findings import COUNTED_ONCE

METHOD = "Grad-CAM"
# (test, score, what a better map does): the scores shown beside the verdict counts.
SCORES = (
    ("blur", "deletion_auc", "lower"),
    ("blur", "insertion_auc", "higher"),
    ("ROAD", "road_gap", "higher"),
)


def gradcam_table(tests: dict[str, pd.DataFrame], means: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per model: Grad-CAM against every baseline, test and score (Holm-corrected
    within the model; ROAD counted once, by its gap), counted by verdict; and Grad-CAM's mean
    scores from `SCORES`.

    `tests[model]` is `analysis.faithfulness_tests`, `means[model]` `analysis.mean_scores`.
    """
    rows = []
    for model, table in tests.items():
        if {"test", "score"} <= set(table.columns):  # ROAD by its gap alone, as in notebook 05
            pairs = zip(table["test"], table["score"], strict=True)
            table = table[[pair not in COUNTED_ONCE for pair in pairs]]
        verdicts = table.loc[table["method"] == METHOD, "verdict"]
        row = {
            "model": model,
            "comparisons": int(len(verdicts)),
            "better": int((verdicts == "better").sum()),
            "worse": int((verdicts == "worse").sum()),
            "not significant": int((verdicts == "not significantly different").sum()),
        }
        for test, score, better in SCORES:
            row[f"{test} {score} ({better} is better)"] = float(
                means[model].loc[(test, METHOD), score]
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def gradcam_faithfulness(
    models: dict[str, keras.Model],
    fake_probability: dict[str, np.ndarray],
    images: np.ndarray,
    seed: int,
) -> pd.DataFrame:
    """`gradcam_table` for each named model: its Grad-CAM maps of its own verdicts on
    `images` against notebook 05's model-agnostic baselines, by notebook 05's scores."""
    tests, means = {}, {}
    for name, model in models.items():
        targets = predict_labels(fake_probability[name])
        maps = analysis.model_maps(model, images, targets, methods=(METHOD,))
        map_sets = maps.placed | analysis.baseline_maps(images, maps, seed)
        scores, _ = analysis.faithfulness_scores(model, images, targets, map_sets, seed)
        tests[name] = analysis.faithfulness_tests(scores, [METHOD])
        means[name] = analysis.mean_scores(scores)
    return gradcam_table(tests, means)
