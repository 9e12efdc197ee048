"""Shared wording of the robustness findings: lists, spans of values, the rows of one
architecture in a saved grid, and the shortcut classifiers' one family of tests."""

from ..significance import holm


def rows_of(summary: list[dict], architecture: str) -> dict[str, dict]:
    return {r["corruption"]: r for r in summary if r["architecture"] == architecture}


def names(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def joined(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def span(values: list[float]) -> str:
    """'a' for one value (or equal ones), 'a–b' for a range, in points."""
    low, high = min(values), max(values)
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}"


def signed(value: float) -> str:
    """'+1.23', '-0.45', and '+0.00' for anything that rounds to zero (never '-0.00')."""
    rounded = round(value, 2)
    return f"{rounded + 0.0 if rounded else 0.0:+.2f}"


def signed_span(values: list[float]) -> str:
    """'+a' for one value (or equal ones), 'a to b' with signs for a range, in points."""
    low, high = signed(min(values)), signed(max(values))
    return low if low == high else f"{low} to {high}"


def shortcut_family(trivial: list[dict]) -> list[tuple[dict, str, float]]:
    """Every shortcut classifier's test against chance, Holm-adjusted as one family: (row,
    prefix, adjusted p), prefix "" for the logistic regression and "tree_" for the tree."""
    tests = [(r, "") for r in trivial]
    tests += [(r, "tree_") for r in trivial if "tree_accuracy_p" in r]
    adjusted = holm([r[f"{prefix}accuracy_p"] for r, prefix in tests])
    return [(r, prefix, p) for (r, prefix), p in zip(tests, adjusted, strict=True)]
