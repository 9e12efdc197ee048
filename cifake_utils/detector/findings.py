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
    if len(others):
        called_fake = others[others["verdict"] == "FAKE"]
        listed = ", ".join(f"{n} {p:.2f}" for n, p in called_fake["P(FAKE)"].items())
        sentences.append(
            f"{len(called_fake)} of the {len(others)} real photographs that are not CIFAR-10 "
            f"images are called FAKE{f' ({listed})' if listed else ''}: out of the training "
            "distribution, the verdict says little about the photograph."
        )
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])
