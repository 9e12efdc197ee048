"""Notebook 04's findings as one verdict table: each claim the notebook tests, the test, the
effect with its interval, the p-value after the adjustment of its family and the verdict, all
read from `04_evaluation.json`. The prose findings below it say the same in sentences."""

import math

import pandas as pd

from ..verdict_table import interval as _interval
from ..verdict_table import markdown
from ..verdict_table import p_text as _p
from ..verdict_table import points as _points
from .findings import name


def _one_run(low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return f"one run {low:.2f}–{high:.2f}"


def _test(row: dict) -> str:
    """'Welch t' for Welch's t over seeds; the row's own test otherwise (McNemar with one seed,
    or "not landed")."""
    test = row.get("test", "Welch t")
    return "Welch t" if test.startswith("Welch") else test


def reproduction_rows(results: dict) -> list[dict]:
    """One row per published number (`reproduction`)."""
    claims = results.get("reproduction", [])
    return [
        {
            "claim": f"{row['claim']} ({row['published']:.2f}%) is reproduced",
            "test": (
                f"inside one run's 95% interval and TOST ±{row['margin']:.2f}, Holm/{len(claims)}"
            ),
            "effect (points)": f"{row['difference']:+.2f}",
            "interval": _one_run(row["prediction_low"], row["prediction_high"]),
            "p (adjusted)": _p(row["tost_p_holm"]),
            "verdict": row["verdict"],
        }
        for row in claims
    ]


def comparison_rows(rows: list[dict], label: str) -> list[dict]:
    """One row per model comparison (the family, or the equal-compute ablation)."""
    return [
        {
            "claim": f"{name(row['second'])} differs from {name(row['first'])}{label}",
            "test": f"{_test(row)}, {row['seeds']} seeds, Holm/{row['family_size']}",
            "effect (points)": _points(row["difference_mean"]),
            "interval": _interval(row["difference_low"], row["difference_high"]),
            "p (adjusted)": _p(row["p_holm"]),
            "verdict": row["verdict"],
        }
        for row in rows
    ]


def smoothing_rows(results: dict) -> list[dict]:
    """One row per paper model: is label smoothing the cause of its under-confidence?"""
    return [
        {
            "claim": f"label smoothing causes {name(row['architecture'])}'s under-confidence",
            "test": (
                f"paired t on test ECE, {row['seeds']} seeds, Holm/{len(results['smoothing'])}; "
                "T ≥ 0.95 without it"
            ),
            "effect (points)": f"ECE {row['ece_smoothed']:.4f} → {row['ece_plain']:.4f}",
            "interval": f"T {row['temperature_plain']:.2f} without smoothing",
            "p (adjusted)": _p(row["p_holm"]),
            "verdict": row["verdict"],
        }
        for row in results.get("smoothing", [])
    ]


def interaction_rows(results: dict) -> list[dict]:
    """One row per layer arm: does its effect depend on the recipe (the 2x2's interaction)?"""
    rows = results.get("recipe_interaction", [])
    return [
        {
            "claim": f"{name(row['arm'])}'s effect against CNN2D depends on the recipe",
            "test": f"Welch contrast of 4 cells ({row['seeds']} seeds), Holm/{len(rows)}",
            "effect (points)": (
                f"{_points(row['interaction'])} (tuned {_points(row['effect_tuned'])}, "
                f"untuned {_points(row['effect_untuned'])})"
            ),
            "interval": _interval(row["interaction_low"], row["interaction_high"]),
            "p (adjusted)": _p(row["p_holm"]) if math.isfinite(row["p_value"]) else "–",
            "verdict": row["verdict"],
        }
        for row in rows
    ]


def verdict_table(results: dict) -> pd.DataFrame:
    """Every tested claim of notebook 04, in the order the notebook makes them."""
    rows = reproduction_rows(results)
    rows += comparison_rows(results["paired_tests"], ", each as trained")
    rows += comparison_rows(results.get("equal_compute_tests", []), " at equal compute")
    rows += interaction_rows(results)
    rows += smoothing_rows(results)
    return pd.DataFrame(rows)


def verdict_markdown(table: pd.DataFrame) -> str:
    """The verdict table as markdown."""
    return markdown(table)
