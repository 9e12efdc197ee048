"""Grad-CAM's faithfulness per model, side by side: how often its maps beat the model-agnostic
baselines (notebook 05's paired tests), and its mean scores."""

import pandas as pd

METHOD = "Grad-CAM"
# (test, score, what a better map does): the scores shown beside the verdict counts.
SCORES = (
    ("blur", "deletion_auc", "lower"),
    ("blur", "insertion_auc", "higher"),
    ("ROAD", "road_gap", "higher"),
)


def gradcam_table(tests: dict[str, pd.DataFrame], means: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per model: Grad-CAM against every baseline, test and score (Holm-corrected
    within the model), counted by verdict; and Grad-CAM's mean scores from `SCORES`.

    `tests[model]` is `analysis.faithfulness_tests`, `means[model]` `analysis.mean_scores`.
    """
    rows = []
    for model, table in tests.items():
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
