"""The ablation at equal compute (notebook 04).

The study's family compares each model as trained: CNN2D and its single-change variants for
10 epochs, the Modified CNN2D for 40, so a difference mixes the layer with the budget. Here the
four arms (CNN2D, CNN2D + GAP, CNN2D + Dropout and the Modified CNN2D) are each trained for the
same 40 epochs with the same tuned recipe (`search.queued.equal_compute_jobs`, 0.050-0.052 PFLOP
per seed), so each comparison is about the layer. Each is Welch's t over the seeds of its two
arms (runs of different architectures share no randomness through a seed number), Holm over
the three comparisons declared. A comparison whose arms the training queue has not landed yet
(fewer than two seeds on a side) is "untested" and counts as p = 1 in the adjustment, so the
adjustment never loosens while the family is incomplete.
"""

import math

import numpy as np
import pandas as pd

from ..decision import predict_labels
from ..models.architectures import DISPLAY_NAMES
from ..models.training import TrainingRun
from ..significance import ALPHA, holm, t_interval
from .family import unpaired_comparison
from .seeds import verdict

PAIRS = (
    ("cnn2d", "modified_cnn2d"),
    ("cnn2d", "cnn2d_gap"),
    ("cnn2d", "cnn2d_dropout"),
)
ARMS = ("cnn2d", "cnn2d_gap", "cnn2d_dropout", "modified_cnn2d")

Predictions = dict[tuple[str, int], np.ndarray]


def seed_accuracies(y_true: np.ndarray, predictions: Predictions, arm: str) -> np.ndarray:
    """Each landed seed's test accuracy of `arm`, by seed."""
    runs = [p for (name, _), p in sorted(predictions.items()) if name == arm]
    return np.array([np.mean(predict_labels(p) == y_true) for p in runs])


def arm_table(y_true: np.ndarray, predictions: Predictions) -> pd.DataFrame:
    """Per arm: the seeds landed, test accuracy mean and SD over them and the t-interval of the
    mean (NaN with fewer than two seeds)."""
    rows = []
    for arm in ARMS:
        values = seed_accuracies(y_true, predictions, arm)
        low, high = t_interval(values)
        rows.append(
            {
                "architecture": arm,
                "seeds": len(values),
                "accuracy_mean": float(values.mean()) if len(values) else math.nan,
                "accuracy_std": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
                "t_low": low,
                "t_high": high,
            }
        )
    return pd.DataFrame(rows).set_index("architecture")


def comparison_table(y_true: np.ndarray, predictions: Predictions) -> pd.DataFrame:
    """Each declared comparison (`second` against `first`): Welch's t where both arms have two
    seeds or more, its Holm-adjusted p over `PAIRS` and the verdict, or "untested"."""
    rows = []
    for first, second in PAIRS:
        seeds = {arm: len(seed_accuracies(y_true, predictions, arm)) for arm in (first, second)}
        if min(seeds.values()) < 2:
            rows.append(
                {"first": first, "second": second, "seeds": f"{seeds[first]} + {seeds[second]}"}
                | dict.fromkeys(("difference_mean", "difference_low", "difference_high"), math.nan)
                | {"p_value": math.nan, "test": "not landed"}
            )
            continue
        row = unpaired_comparison(y_true, predictions, first, second)
        rows.append({key: row[key] for key in ("first", "second", "seeds", "test")} | {
            key: row[key]
            for key in ("difference_mean", "difference_low", "difference_high", "p_value")
        })  # fmt: skip
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"].fillna(1.0).to_numpy())
    table.loc[table["p_value"].isna(), "p_holm"] = math.nan
    table["verdict"] = [
        "untested" if math.isnan(p) else verdict(d, p)
        for d, p in zip(table["difference_mean"], table["p_holm"], strict=True)
    ]
    table["family_size"] = len(PAIRS)
    return table.set_index(["first", "second"])


def equal_compute_sentences(arms: list[dict], comparisons: list[dict]) -> list[str]:
    """The findings: each arm's accuracy at 40 epochs, then each comparison's verdict."""
    landed = "; ".join(
        f"{DISPLAY_NAMES[r['architecture']]} {100 * r['accuracy_mean']:.2f}% ± "
        f"{100 * r['accuracy_std']:.2f} ({r['seeds']} seeds)"
        if r["seeds"] > 1
        else f"{DISPLAY_NAMES[r['architecture']]} {r['seeds']} of its seeds landed"
        for r in arms
    )
    sentences = [f"At equal compute (every arm 40 epochs, one recipe), test accuracy: {landed}."]
    planned = max((r["seeds"] for r in arms), default=0)
    seeds = {r["architecture"]: r["seeds"] for r in arms}
    for row in comparisons:
        name = f"{DISPLAY_NAMES[row['second']]} against {DISPLAY_NAMES[row['first']]}"
        if row["verdict"] == "untested":
            sentences.append(
                f"{name} at equal compute: untested, the training queue has landed "
                f"{row['seeds']} seeds of the two arms (two or more each are needed)."
            )
            continue
        fewest = min(seeds.get(row["first"], planned), seeds.get(row["second"], planned))
        partial = (
            f"; on {fewest} of the {planned} seeds of the other arms, a look at partial data "
            "that the remaining seeds can move"
            if fewest < planned
            else ""
        )
        sentences.append(
            f"{name} at equal compute: **{row['verdict']}** "
            f"({100 * row['difference_mean']:+.2f} points, 95% interval "
            f"{100 * row['difference_low']:+.2f} to {100 * row['difference_high']:+.2f}; Welch's "
            f"t over {row['seeds']} seeds p = {row['p_value']:.2g}, Holm over the "
            f"{row['family_size']} declared comparisons p = {row['p_holm']:.2g}, level {ALPHA}"
            f"{partial})."
        )
    return sentences


def cpu_kind(machine: dict) -> str:
    """The CPU of one epoch's (or run's) machine and its instruction-set kind, e.g. "AMD EPYC
    AVX-512" or "Intel Xeon AVX-512": two CPUs with AVX-512 can still differ in kernels."""
    flags = machine.get("cpu_flags", [])
    kind = "AVX-512" if any(flag.startswith("avx512") for flag in flags) else "AVX2"
    cpu = machine.get("cpu", "").replace("(R)", "").replace(" Processor", "").strip()
    return f"{cpu} {kind}" if cpu else kind


def cpu_mix(runs: list[TrainingRun]) -> str:
    """How many of `runs` trained every epoch on each CPU kind, e.g. "AMD EPYC AVX-512 x3,
    AMD EPYC AVX2 x2" (a run resumed on another kind counts under both, joined by "+")."""
    kinds = [
        " + ".join(sorted({cpu_kind(epoch) for epoch in run.epoch_machines or [run.machine or {}]}))
        for run in runs
    ]
    return ", ".join(f"{kind} x{kinds.count(kind)}" for kind in sorted(set(kinds)))


def cpu_sentence(mixes: dict[str, str]) -> str:
    """Whether the groups of runs a comparison sets against each other (`mixes`: label -> its
    `cpu_mix`) trained on the same CPU kinds; where they did not, what that can move."""
    listed = "; ".join(f"{label} {mix}" for label, mix in mixes.items())
    if len(set(mixes.values())) == 1:
        return f"Every run of these arms trained on the same CPU kind ({listed})."
    return (
        f"The arms' runs trained on different mixes of CPU kinds ({listed}, runs per kind); "
        "another CPU kind moved a single run by up to about two seed SDs and a mean over five "
        "seeds by a fraction of one where the study measured it (docs/reproducibility.md)."
    )
