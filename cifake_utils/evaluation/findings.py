"""Notebook 04's findings, written from its saved results (`04_evaluation.json`).

"Better", "worse" and "not significantly different" are the verdicts of the paired tests in
the results; "above", "below" and "inside" place a published single run against the spread of
our single runs (the 95% prediction interval for one new run), not against the interval of our
mean, which describes the mean of several runs.
"""

import math

from scipy import stats

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


def prediction_interval(mean: float, std: float, seeds: int, level: float = 0.95):
    """The interval that holds one new run's value with probability `level`, from `seeds` runs
    (t with seeds - 1 degrees of freedom, widened by sqrt(1 + 1/seeds) for the new run's own
    spread); (nan, nan) for fewer than two seeds."""
    if seeds < 2 or not math.isfinite(std):
        return math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, seeds - 1) * std * math.sqrt(1 + 1 / seeds)
    return mean - half, mean + half


def headline_sentence(row: dict) -> str:
    """One paper model: our mean and its interval, and the paper's single run against the
    spread of single runs (the prediction interval for one new run of ours)."""
    low, high = row["tuned_t_low"], row["tuned_t_high"]
    if low is None or not math.isfinite(low):
        return (
            f"{row['model']} (tuned recipe) reaches {row['tuned_mean']:.2f}% with one seed "
            f"(no interval over seeds); the paper reports {row['paper']:.2f}%."
        )
    mean, paper = row["tuned_mean"], row["paper"]
    run_low, run_high = prediction_interval(mean, row["tuned_std"], row["tuned_seeds"])
    if paper > run_high:
        verdict = (
            f"lies above it: not reproduced, our single runs fall short of it (our mean by "
            f"{paper - mean:.2f} points)"
        )
    elif paper < run_low:
        verdict = (
            f"lies below it: our single runs exceed it (our mean by {mean - paper:.2f} points)"
        )
    else:
        verdict = (
            "lies inside it: reproduced within run-to-run variation (our mean is "
            f"{abs(mean - paper):.2f} points {'lower' if mean < paper else 'higher'})"
        )
    return (
        f"{row['model']} (tuned recipe) reaches {mean:.2f}% ± {row['tuned_std']:.2f} over "
        f"{row['tuned_seeds']} seeds (95% t-interval of the mean {low:.2f}–{high:.2f}). The paper "
        f"reports one run, so it is set against the spread of single runs: the 95% prediction "
        f"interval for one new run of ours is {run_low:.2f}–{run_high:.2f}, and the paper's "
        f"{paper:.2f}% {verdict}."
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
