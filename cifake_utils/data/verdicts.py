"""Notebook 01's findings as one verdict table, read from `01_data_summary.json`: the two tests
it makes of a cue that could stand in for the label (the border-minus-centre gap per image, the
JPEG file size per class). The rest of 01 counts and describes; it tests nothing."""

import pandas as pd

from ..significance import ALPHA
from ..verdict_table import interval, markdown, p_text, points, row, table


def border_row(summary: dict) -> dict | None:
    """A threshold on the border-minus-centre gap, fitted on train, against chance on test."""
    cue = summary["pixel_statistics"].get("per_image")
    if cue is None:
        return None
    verdict = "not shown"
    if cue["p_value"] < ALPHA:
        verdict = "above chance" if cue["accuracy"] > 0.5 else "below chance"
    return row(
        "a threshold on the border-minus-centre gap tells REAL from FAKE (chance 50%)",
        f"exact binomial, {cue['test_images']:,} test images",
        points(cue["accuracy"] - 0.5),
        interval(cue["accuracy_low"] - 0.5, cue["accuracy_high"] - 0.5),
        p_text(cue["p_value"]),
        verdict,
    )


def file_size_row(summary: dict) -> dict | None:
    """REAL and FAKE JPEG file sizes, as distributions over the training pool."""
    test = summary.get("file_size_test")
    if not test:
        return None
    sizes = summary["file_sizes"]
    return row(
        "REAL and FAKE JPEG file sizes have different distributions",
        "two-sample Kolmogorov-Smirnov, training pool",
        f"D = {test['ks_statistic']:.3f}; means {sizes['FAKE']:.0f} vs {sizes['REAL']:.0f} bytes",
        "–",
        p_text(test["p_value"]),
        "differ" if test["p_value"] < ALPHA else "not shown to differ",
    )


def verdict_table(summary: dict) -> pd.DataFrame:
    """Every tested claim of notebook 01, each test at its own level (two separate questions,
    no family)."""
    rows = [border_row(summary), file_size_row(summary)]
    return table([r for r in rows if r is not None])


def verdict_markdown(summary: dict) -> str:
    """The verdict table as markdown."""
    return markdown(verdict_table(summary))
