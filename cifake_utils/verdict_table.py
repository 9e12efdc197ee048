"""The study's verdict tables: one row per tested claim, with its test, the effect and its
interval, the p-value after its family's adjustment and the verdict. Each notebook's `verdicts`
module builds its rows from that notebook's saved metrics; this module formats the cells and
writes the table, so every notebook's table reads the same way."""

import math

import pandas as pd

COLUMNS = ("claim", "test", "effect", "interval", "p (adjusted)", "verdict")


def points(value: float, scale: float = 100) -> str:
    """A signed difference in points ('+1.23'), '–' where there is none."""
    return "–" if not math.isfinite(value) else f"{scale * value:+.2f}"


def interval(low: float, high: float, scale: float = 100) -> str:
    """A signed interval in points ('-0.96 to -0.31'), '–' where there is none."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return f"{scale * low:+.2f} to {scale * high:+.2f}"


def p_text(value: float | None) -> str:
    """A p-value to two significant digits, '–' for a test that was not run."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.2g}"


def row(claim: str, test: str, effect: str, span: str, p: str, verdict: str) -> dict:
    """One verdict row, its cells already formatted."""
    return dict(zip(COLUMNS, (claim, test, effect, span, p, verdict), strict=True))


def table(rows: list[dict]) -> pd.DataFrame:
    """The rows as a table with the study's columns, in the order given."""
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else list(COLUMNS))


def markdown(frame: pd.DataFrame) -> str:
    """The table as markdown."""
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])
