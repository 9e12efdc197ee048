"""Notebook 07's findings as one verdict table, read from `07_robustness.json`: every cell of the
corruption grid and the filtered inputs, the shortcut classifiers against chance, the held-out
classes and the resampling control. Effects are in accuracy points."""

import math

import pandas as pd

from ..models.architectures import DISPLAY_NAMES
from ..significance import ALPHA
from ..verdict_table import interval, markdown, p_text, points, row, table
from .corruptions import CONTROL, SAME_AS
from .findings import DROP_POINTS, line_verdict, loss_verdicts
from .wording import rows_of, shortcut_family

LINE_WORDS = {
    "past": f"past the {DROP_POINTS:.0f}-point line",
    "short": f"short of the {DROP_POINTS:.0f}-point line",
    "undecided": f"straddles the {DROP_POINTS:.0f}-point line",
}


def loss_rows(summary: list[dict], architecture: str, family: str) -> list[dict]:
    """One row per transformation: its loss of accuracy at 0.5 against the lossless control,
    the paired t over seeds Holm-adjusted over the architecture's transformations, and, for a
    significant loss, where its interval lies against the user's line. A repeat of a grid
    transformation (`SAME_AS`) has its row in the grid's family only."""
    rows = rows_of(summary, architecture)
    control = rows[CONTROL]
    name = DISPLAY_NAMES.get(architecture, architecture)
    seeds = int(control.get("seeds", 1))
    verdicts = {c: v for c, v in loss_verdicts(summary, architecture).items() if c not in SAME_AS}
    family_test = f"Holm/{len(verdicts)} ({family})" if len(verdicts) > 1 else "a single test"
    out = []
    for corruption, verdict in verdicts.items():
        cell = rows[corruption]
        change = cell["accuracy"] - control["accuracy"]
        if verdict == "lower":
            verdict = f"lower; {LINE_WORDS[line_verdict(cell, -100 * change)]}"
        out.append(
            row(
                f"{corruption} lowers {name}'s accuracy at 0.5",
                f"paired t, {seeds} seeds, {family_test}",
                points(change),
                interval(
                    -cell.get("accuracy_drop_high", math.nan),
                    -cell.get("accuracy_drop_low", math.nan),
                ),
                p_text(cell.get("accuracy_p_holm", math.nan)),
                verdict,
            )
        )
    return out


def shortcut_rows(trivial: list[dict], weakest_cnn: float) -> list[dict]:
    """The logistic regressions and the depth-3 trees on simple statistics, each against
    chance (exact binomial test, Holm over all of them), and the best regression against the
    weaker CNN's accuracy."""
    tests = shortcut_family(trivial)
    out = []
    for r, prefix, p in tests:
        model = "a depth-3 tree" if prefix else "a logistic regression"
        above = p < ALPHA and r[f"{prefix}accuracy"] > 0.5
        out.append(
            row(
                f"{model} on {r['features']} beats chance (50%)",
                f"exact binomial, Holm/{len(tests)}",
                points(r[f"{prefix}accuracy"] - 0.5),
                interval(r[f"{prefix}accuracy_low"] - 0.5, r[f"{prefix}accuracy_high"] - 0.5),
                "< 1e-300" if p == 0 else p_text(p),
                "above chance" if above else "not above chance",
            )
        )
    best = max(trivial, key=lambda r: r["accuracy"])
    below = best["accuracy_high"] < weakest_cnn
    gap = 100 * (weakest_cnn - best["accuracy"])
    out.append(
        row(
            f"the best regression ({best['features']}) comes within {DROP_POINTS:.0f} points of "
            "the weaker CNN",
            "its 95% interval against the CNN's mean",
            points(best["accuracy"] - weakest_cnn),
            interval(best["accuracy_low"] - weakest_cnn, best["accuracy_high"] - weakest_cnn),
            "–",
            ("wholly below; " if below else "not wholly below; ")
            + ("not close" if gap >= DROP_POINTS else "close"),
        )
    )
    return out


def held_out_rows(held_out: list[dict]) -> list[dict]:
    """Per held-out class: CNN2D trained without it against the same seeds' baselines."""
    out = []
    for r in held_out:
        adjusted = r.get("p_holm", r["p_value"])
        verdict = "not significant"
        if adjusted < ALPHA:
            verdict = "worse" if r["difference"] < 0 else "better"
        out.append(
            row(
                f"CNN2D trained without {r['held-out class']} scores differently on it",
                f"{r.get('test', 'McNemar')}, {r.get('seeds', 1)} seeds, Holm/{len(held_out)}",
                points(r["difference"]),
                interval(r.get("difference_low", math.nan), r.get("difference_high", math.nan)),
                p_text(adjusted),
                verdict,
            )
        )
    return out


def resampling_row(test: dict) -> dict:
    """Trained and tested through the same 2x down-and-up, against the unresampled baseline."""
    return row(
        "CNN2D trained and tested through 2x down-and-up scores differently from its baseline",
        f"{test['test']}, {test['seeds']} seeds",
        points(test["difference_mean"]),
        interval(test["difference_low"], test["difference_high"]),
        f"{p_text(test['p_value'])} (single test)",
        test["verdict"] if test["p_value"] < ALPHA else "not significant",
    )


def verdict_table(saved: dict) -> pd.DataFrame:
    """Every tested claim of notebook 07, in the order the notebook makes them."""
    rows = []
    for architecture in dict.fromkeys(r["architecture"] for r in saved["grid"]):
        rows += loss_rows(saved["grid"], architecture, "grid")
    for architecture in dict.fromkeys(r["architecture"] for r in saved.get("filters", [])):
        rows += loss_rows(saved["filters"], architecture, "filters")
    rows += shortcut_rows(saved["trivial_classifiers"], min(saved["clean_accuracy"].values()))
    rows += held_out_rows(saved.get("held_out", []))
    if "resampling_test" in saved:
        rows.append(resampling_row(saved["resampling_test"]))
    return table(rows)


READING = (
    "Effects and intervals in accuracy points; the grid's loss intervals are 95% simultaneous "
    "over each model's transformations (Bonferroni), the others 95% and not adjusted for "
    "multiplicity; p is Holm-adjusted over the family the test column names (Holm's step-down "
    "test can call a loss significant while its single-step simultaneous interval still "
    "reaches zero: the test judges the loss, the interval the line). The tests over "
    "seeds generalise over training runs and hold the test images fixed: a verdict is about "
    "these 20,000 test images (2,000 for a held-out class), and the noise of drawing other "
    "images is not in its interval, so a loss whose interval ends near the 5-point line could "
    "fall on the other side of it on other images."
)


def verdict_markdown(saved: dict) -> str:
    """The verdict table as markdown, with how to read its intervals and p-values."""
    return markdown(verdict_table(saved)) + "\n\n" + READING
