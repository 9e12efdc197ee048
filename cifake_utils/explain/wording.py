"""Shared wording of notebook 05's findings: lists and p-values."""


def joined(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def p_text(value: float) -> str:
    """A p-value to two significant digits, or as a power of ten below 0.001."""
    return f"{value:.2g}" if value >= 1e-3 else f"{value:.0e}"
