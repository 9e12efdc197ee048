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
    sentences = [f"{right} of the {len(cifake)} CIFAKE test images are called correctly."]
    closest = (table["P(FAKE)"] - THRESHOLD).abs().idxmin()
    margin = abs(table.loc[closest, "P(FAKE)"] - THRESHOLD)
    if margin < CLOSE_CALL:
        sentences.append(
            f"The closest call is {closest} at P(FAKE) {table.loc[closest, 'P(FAKE)']:.3f}, "
            f"{margin:.3f} from the threshold: a coin toss, whatever the verdict."
        )
    if "in scope" in table and len(others):
        out = others[~others["in scope"].astype(bool)]
        sentences.append(
            f"{len(out)} of the {len(others)} photographs from outside CIFAKE are reported out "
            f"of scope, and {int((~cifake['in scope'].astype(bool)).sum())} of the "
            f"{len(cifake)} CIFAKE test images; the scores below are what the model would "
            "have said."
        )
    if len(others):
        called_fake = others[others["verdict"] == "FAKE"]
        listed = ", ".join(f"{n} {p:.2f}" for n, p in called_fake["P(FAKE)"].items())
        sentences.append(
            f"{len(called_fake)} of the {len(others)} real photographs that are not CIFAR-10 "
            f"images are called FAKE{f' ({listed})' if listed else ''}: out of the training "
            "distribution, the verdict says little about the photograph."
        )
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])


def scope_findings(table: pd.DataFrame, keep: float) -> str:
    """What the scope rule did, from `06_scope.csv` (`scope_study.scope_table`): one row per
    image set; CIFAKE's own rows have no ROC-AUC."""
    auc = table["roc_auc_against_cifake"]
    cifake, outside = (
        table[auc.isna()],
        table[auc.notna()].sort_values("roc_auc_against_cifake", ascending=False),
    )
    kept = ", ".join(
        f"{100 * (1 - row.out_of_scope):.1f}% of {name.split()[-1]}"
        for name, row in cifake.iterrows()
    )
    sentences = [
        f"On CIFAKE's test split the rule keeps {kept} in scope; its threshold was set to keep "
        f"{100 * keep:.0f}% of the validation images."
    ]
    for which, name in (("best", outside.index[0]), ("worst", outside.index[-1])):
        row = outside.loc[name]
        sentences.append(
            f"The feature test separates {name} {which} from CIFAKE's test images: "
            f"ROC-AUC {row.roc_auc_against_cifake:.3f}, {100 * row.flagged_by_features:.0f}% "
            "flagged."
        )
    blind = outside[outside["roc_auc_against_cifake"] < 0.6]
    if len(blind):
        sentences.append(
            f"For {len(blind)} of the {len(outside)} outside sets the feature test does not "
            f"separate them from CIFAKE (ROC-AUC below 0.6: {'; '.join(blind.index)}): a 32x32 "
            "image like these gets a verdict as if it were CIFAKE's, so the feature test guards "
            "against gross mismatch and is no guarantee."
        )
    else:
        sentences.append(
            f"The feature test beats chance clearly (ROC-AUC at least 0.6) on all "
            f"{len(outside)} outside sets."
        )
    resized = outside[outside["out_of_scope"] > outside["flagged_by_features"]]
    for name, row in resized.iterrows():
        sentences.append(
            f"{name}: {100 * row.out_of_scope:.0f}% out of scope by the whole rule against "
            f"{100 * row.flagged_by_features:.0f}% by the features alone; the size rule "
            "catches what the features miss."
        )
    return "\n".join(["## Scope", "", *[f"- {s}" for s in sentences]])
