"""Notebook 01's findings as one verdict table, read from `01_data_summary.json`: the two tests
it makes of a cue that could stand in for the label (the border-minus-centre gap per image, the
JPEG file size per class), Holm-adjusted as one family. The rest of 01 counts and describes; it
tests nothing."""

import pandas as pd

from ..significance import ALPHA
from ..verdict_table import interval, markdown, p_text, points, row, table
from .findings import adjusted_p_values


def border_row(summary: dict, p_holm: float) -> dict | None:
    """A threshold on the border-minus-centre gap, fitted on train, against chance on test."""
    cue = summary["pixel_statistics"].get("per_image")
    if cue is None:
        return None
    verdict = "not shown"
    if p_holm < ALPHA:
        verdict = "above chance" if cue["accuracy"] > 0.5 else "below chance"
    return row(
        "a threshold on the border-minus-centre gap tells REAL from FAKE (chance 50%)",
        f"exact binomial, {cue['test_images']:,} test images, Holm/2",
        points(cue["accuracy"] - 0.5),
        interval(cue["accuracy_low"] - 0.5, cue["accuracy_high"] - 0.5),
        p_text(p_holm),
        verdict,
    )


def file_size_row(summary: dict, p_holm: float) -> dict | None:
    """REAL and FAKE JPEG file sizes, as distributions over the training pool."""
    test = summary.get("file_size_test")
    if not test:
        return None
    sizes = summary["file_sizes"]
    return row(
        "REAL and FAKE JPEG file sizes have different distributions",
        "two-sample Kolmogorov-Smirnov, training pool, Holm/2",
        f"D = {test['ks_statistic']:.3f}; means {sizes['FAKE']:.0f} vs {sizes['REAL']:.0f} bytes",
        "–",
        p_text(p_holm),
        "differ" if p_holm < ALPHA else "not shown to differ",
    )


def verdict_table(summary: dict) -> pd.DataFrame:
    """Every tested claim of notebook 01, the two tests Holm-adjusted together (a missing test
    counts as p = 1)."""
    border_p, size_p = adjusted_p_values(summary)
    rows = [border_row(summary, border_p), file_size_row(summary, size_p)]
    return table([r for r in rows if r is not None])


READING = (
    "The border test's effect and interval are in accuracy points above chance (50%); "
    "intervals are 95% and not adjusted; p is Holm-adjusted over the two tests."
)


def verdict_markdown(summary: dict) -> str:
    """The verdict table as markdown, with how to read it."""
    return markdown(verdict_table(summary)) + "\n\n" + READING
