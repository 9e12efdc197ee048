"""Notebook 06's findings, written from its saved predictions (`06_demo_predictions.csv`)."""

import pandas as pd

from ..constants import LABELS
from ..decision import THRESHOLD

CLOSE_CALL = 0.1  # a P(FAKE) this close to the threshold is a close call
CIFAKE_PREFIX = "cifake_test_"


def known_label(image: str) -> str:
    """The true class of a demo image: from the name of a CIFAKE test image; every other demo
    image is a real photograph (the bundled ones)."""
    if image.startswith(CIFAKE_PREFIX):
        label = image.removeprefix(CIFAKE_PREFIX).split("_")[0]
        if label in LABELS:
            return label
    return "REAL"


def findings_markdown(table: pd.DataFrame) -> str:
    """The Findings section of notebook 06: `table` is indexed by image name, with the columns
    `verdict` and `P(FAKE)`."""
    table = table.assign(truth=[known_label(name) for name in table.index])
    cifake = table[table.index.str.startswith(CIFAKE_PREFIX)]
    others = table[~table.index.str.startswith(CIFAKE_PREFIX)]
    right = int((cifake["verdict"] == cifake["truth"]).sum())
    sentences = [
        f"{right} of the {len(cifake)} CIFAKE test images in this demonstration are called "
        "correctly: an illustration, not a measurement (notebook 04 measures accuracy)."
    ]
    closest = (table["P(FAKE)"] - THRESHOLD).abs().idxmin()
    margin = abs(table.loc[closest, "P(FAKE)"] - THRESHOLD)
    if margin < CLOSE_CALL:
        sentences.append(
            f"The closest call is {closest} at P(FAKE) {table.loc[closest, 'P(FAKE)']:.3f}, "
            f"{margin:.3f} from the threshold: near even odds, whatever the verdict."
        )
    if "in scope" in table and len(others):
        out = others[~others["in scope"].astype(bool)]
        reasons = (
            others["why not"].fillna("") if "why not" in others else pd.Series("", others.index)
        )
        resized = int(reasons.astype(str).str.contains("had to be").sum())
        sentences.append(
            f"{len(out)} of the {len(others)} photographs from outside CIFAKE are reported out "
            f"of scope ({resized} of them by the size rule, which sets every resized image "
            "aside by construction: a policy, not a detection), and "
            f"{int((~cifake['in scope'].astype(bool)).sum())} of the {len(cifake)} CIFAKE "
            "test images; the scores below are what the model would have said."
        )
    if len(others):
        called_fake = others[others["verdict"] == "FAKE"]
        listed = ", ".join(f"{n} {p:.2f}" for n, p in called_fake["P(FAKE)"].items())
        sentences.append(
            f"{len(called_fake)} of the {len(others)} real photographs that are not CIFAR-10 "
            f"images are called FAKE{f' ({listed})' if listed else ''}; the study measures no "
            "accuracy on such photographs (notebook 07's 13 are too few for a rate), so these "
            "verdicts illustrate the model's behaviour and measure nothing."
        )
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])


SEPARATED = 0.75  # ROC-AUC from which the feature test is said to separate a set from CIFAKE


def scope_findings(table: pd.DataFrame, keep: float) -> str:
    """What the scope rule did, from `06_scope.csv` (`scope_study.scope_table`): one row per
    image set; CIFAKE's own rows have no ROC-AUC, and the lossless control is CIFAKE's test
    images again (its ROC-AUC should be near 0.5)."""
    auc = table["roc_auc_against_cifake"]
    cifake = table[auc.isna()]
    control = table[table.index.str.endswith("(control)")]
    outside = table[auc.notna()].drop(control.index)
    kept = ", ".join(
        f"{100 * (1 - row.out_of_scope):.1f}% of {name.split()[-1]}"
        for name, row in cifake.iterrows()
    )
    sentences = [
        f"On CIFAKE's test split the rule keeps {kept} in scope; its threshold was set to keep "
        f"{100 * keep:.0f}% of the validation images."
    ]
    transformed = int(outside.index.str.startswith("CIFAKE test,").sum())
    kinds = (
        f"{len(outside) - transformed} from outside CIFAKE, {transformed} transformations of its "
        "test images"
    )
    separated = outside[outside["roc_auc_against_cifake"] >= SEPARATED]
    listed = "; ".join(
        f"{name} (ROC-AUC {row.roc_auc_against_cifake:.3f}, "
        f"{100 * row.flagged_by_features:.0f}% flagged)"
        for name, row in separated.iterrows()
    )
    sentences.append(
        f"The feature distance ranks {len(separated)} of the {len(outside)} sets ({kinds}) "
        f"above CIFAKE's test images (ROC-AUC at least {SEPARATED}); the share that the "
        "deployed threshold flags is what a user meets"
        + (f": {listed}." if len(separated) else ".")
    )
    rest = outside.drop(separated.index)
    if len(rest):
        low, high = rest["roc_auc_against_cifake"].min(), rest["roc_auc_against_cifake"].max()
        sentences.append(
            f"For the other {len(rest)} its ROC-AUC is {low:.2f}–{high:.2f} and it flags "
            f"{100 * rest['flagged_by_features'].min():.0f}–"
            f"{100 * rest['flagged_by_features'].max():.0f}% of them, so a 32x32 image like "
            "these mostly gets a verdict as if it were CIFAKE's: the feature test guards "
            "against gross mismatch only."
        )
    for name, row in control.iterrows():
        sentences.append(
            f"On the control ({name}, CIFAKE's own test images re-saved losslessly) its "
            f"ROC-AUC is {row.roc_auc_against_cifake:.3f}."
        )
    resized = outside[outside["out_of_scope"] > outside["flagged_by_features"]]
    for name, row in resized.iterrows():
        sentences.append(
            f"Of the {name}, {100 * (1 - row.flagged_by_features):.0f}% would pass the feature "
            f"test alone; the size rule puts {100 * row.out_of_scope:.0f}% of them out of scope."
        )
    return "\n".join(["## Scope", "", *[f"- {s}" for s in sentences]])


def ood_findings(table: pd.DataFrame) -> str:
    """The stronger-scores comparison (`ood_scores.power_table`, saved with its index as
    columns): per score, on how many outside sets it flags significantly more or fewer images
    than the feature test, and the median share of a set it flags."""
    baseline = table[table["verdict"] == "the rule's test"]
    lines = [
        "Stronger scores than the feature test, each with a threshold that keeps 95% of CIFAKE's "
        f"validation images, on the same {table['images'].nunique()} sets of outside images "
        "(McNemar's exact test on the same images; for crops of a few pictures, the exact sign "
        "test over the pictures, since crops of one picture are not independent; Holm over "
        "every set and score): the feature "
        f"test flags a median {100 * baseline['flagged'].median():.1f}% of a set."
    ]
    for score, rows in table[table["verdict"] != "the rule's test"].groupby("score", sort=False):
        counts = rows["verdict"].value_counts()
        stronger = rows.loc[rows["verdict"] == "stronger", "images"].tolist()
        where = f" ({', '.join(stronger)})" if stronger else ""
        lines.append(
            f"- {score}: stronger on {counts.get('stronger', 0)} of {len(rows)} sets{where}, "
            f"weaker on {counts.get('weaker', 0)}, not significantly different on "
            f"{counts.get('not significant', 0)}; it flags a median "
            f"{100 * rows['flagged'].median():.1f}% of a set and "
            f"{100 * rows['cifake_flagged'].mean():.1f}% of CIFAKE's test images."
        )
    return "\n".join(lines)
