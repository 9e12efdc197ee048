"""Notebook 06's findings as one verdict table, read from `06_ood_scores.csv`: whether a score
other than the scope rule's feature test flags shifted images more often than it (McNemar on
the same images, Holm over every set and score). Effects are in points of the share flagged."""

import math

import pandas as pd

from ..verdict_table import markdown, p_text, points, row, table
from .ood_scores import BASELINE


def score_rows(power: pd.DataFrame) -> list[dict]:
    """Per score: does it dominate the feature test (stronger on some set, weaker on none)?"""
    tested = power[power["score"] != BASELINE]
    family = int(tested["p_value"].notna().sum())
    out = []
    for score, rows in tested.groupby("score", sort=False):
        counts = rows["verdict"].value_counts()
        stronger, weaker = counts.get("stronger", 0), counts.get("weaker", 0)
        dominates = stronger > 0 and weaker == 0
        out.append(
            row(
                f"{score} flags shifted images at least as often as the feature test, and "
                "more often on some",
                f"McNemar per set (sign test over pictures for crops), Holm/{family}",
                f"stronger on {stronger}, weaker on {weaker}, neither on "
                f"{len(rows) - stronger - weaker} of {len(rows)} sets",
                "–",
                "–",
                "dominates" if dominates else "does not dominate",
            )
        )
    return out


def significant_rows(power: pd.DataFrame) -> list[dict]:
    """Every (set, score) where the score flags significantly more or fewer images."""
    tested = power[power["score"] != BASELINE]
    family = int(tested["p_value"].notna().sum())
    significant = tested[tested["verdict"].isin(["stronger", "weaker"])]
    return [
        row(
            f"{r['score']} flags {r['images']} differently from the feature test",
            f"{test_name(r)}, Holm/{family}",
            f"{points(r['gain_over_atypicality'])} ({100 * r['flagged']:.1f}% flagged)",
            "–",
            p_text(r["p_holm"] if math.isfinite(r["p_holm"]) else math.nan),
            r["verdict"],
        )
        for _, r in significant.iterrows()
    ]


def test_name(r: pd.Series) -> str:
    """'McNemar' or 'sign test over 10 pictures' (older metrics: McNemar)."""
    test = r.get("test", "McNemar")
    if not isinstance(test, str):
        return "McNemar"
    return test.replace("pictures", f"{int(r['units'])} pictures") if "pictures" in test else test


def verdict_table(power: pd.DataFrame) -> pd.DataFrame:
    """Every tested claim of notebook 06: the scores' summaries, then their significant cells."""
    return table(score_rows(power) + significant_rows(power))


def verdict_markdown(power: pd.DataFrame) -> str:
    """The verdict table as markdown."""
    return markdown(verdict_table(power))
