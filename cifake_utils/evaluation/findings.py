"""Notebook 04's findings, written from its saved results (`04_evaluation.json`).

"Better", "worse" and "not significantly different" are the verdicts of the paired tests in
the results; "above", "below" and "inside" place the paper's number against our interval.
"""

import math

from ..models.architectures import DISPLAY_NAMES

RELATION = {
    "better": "better than",
    "worse": "worse than",
    "not significant": "not significantly different from",
}


def name(key: str) -> str:
    """Display name of an architecture key, untuned variants included."""
    base = key.removesuffix("_untuned")
    suffix = " (untuned recipe)" if key.endswith("_untuned") else ""
    return DISPLAY_NAMES.get(base, base) + suffix


def headline_sentence(row: dict) -> str:
    """One paper model: our mean, spread and interval against the paper's number."""
    low, high = row["tuned_t_low"], row["tuned_t_high"]
    if low is None or not math.isfinite(low):
        return (
            f"{row['model']} (tuned recipe) reaches {row['tuned_mean']:.2f}% with one seed "
            f"(no interval over seeds); the paper reports {row['paper']:.2f}%."
        )
    text = (
        f"{row['model']} (tuned recipe) reaches {row['tuned_mean']:.2f}% ± "
        f"{row['tuned_std']:.2f} over {row['tuned_seeds']} seeds"
    )
    gap = row["tuned_mean"] - row["paper"]
    if row["paper"] > high:
        place = f"above the interval: our model falls short by {-gap:.2f} points"
    elif row["paper"] < low:
        place = f"below the interval: our model exceeds it by {gap:.2f} points"
    else:
        place = "inside the interval: we reproduce it"
    return (
        text + f" (95% t-interval {low:.2f}–{high:.2f}); the paper's {row['paper']:.2f}% lies "
        f"{place}."
    )


def paired_sentence(row: dict) -> str:
    """One paired test: `second` against `first`."""
    return (
        f"{name(row['second'])} is {RELATION[row['verdict']]} {name(row['first'])} "
        f"({100 * row['difference_mean']:+.2f} accuracy points, {row['test']}, "
        f"p = {row['p_value']:.2g})."
    )


def deduplicated_sentence(results: dict) -> str:
    """How far removing the test images also in train moves the mean accuracy."""
    full = {r["architecture"]: r["accuracy_mean"] for r in results["mean_std"]}
    dedup = {r["architecture"]: r["accuracy_mean"] for r in results["deduplicated_mean_std"]}
    changes = {a: 100 * (dedup[a] - full[a]) for a in dedup if a in full}
    largest = max(changes, key=lambda a: abs(changes[a]))
    return (
        f"Without the {results['test_images'] - results['deduplicated_test_images']:,} test "
        f"images that also occur in train, mean accuracy moves by at most "
        f"{abs(changes[largest]):.2f} points ({name(largest)}, {changes[largest]:+.2f})."
    )


CALIBRATED_POINTS = 1.0  # mean confidence within this many points of accuracy: calibrated


def calibration_sentence(confidence: dict) -> str:
    """Over- or under-confidence of each seed-0 model: mean confidence against accuracy."""
    parts = []
    for model, row in confidence.items():
        gap = 100 * (row["mean_confidence"] - row["accuracy"])
        if abs(gap) < CALIBRATED_POINTS:
            kind = "calibrated on average"
        else:
            kind = "over-confident" if gap > 0 else "under-confident"
        parts.append(
            f"{model} is {kind} (mean confidence {row['mean_confidence']:.3f} against accuracy "
            f"{row['accuracy']:.3f}, ECE {row['ece']:.3f})"
        )
    return "Calibration, seed 0: " + "; ".join(parts) + "."


def weakest_sentence(weakest: list[dict]) -> str:
    """The per-CIFAR-class cells where each model does worst."""
    parts = [
        f"{row['model']} on {row['label']} {row['cifar_class']} images ({row['accuracy']:.3f})"
        for row in weakest
    ]
    return "The weakest per-class cells (seed 0): " + "; ".join(parts) + "."


def findings_markdown(results: dict, heading: bool = True) -> str:
    """The Findings section of notebook 04 (and the README's summary of it)."""
    sentences = [headline_sentence(row) for row in results["headline"]]
    sentences += [paired_sentence(row) for row in results["paired_tests"]]
    sentences.append(deduplicated_sentence(results))
    if "confidence" in results:
        sentences.append(calibration_sentence(results["confidence"]))
    if "weakest_cells" in results:
        sentences.append(weakest_sentence(results["weakest_cells"]))
    lines = ["## Findings", ""] if heading else []
    return "\n".join(lines + [f"- {s}" for s in sentences])
