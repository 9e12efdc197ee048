"""Which verdict a transformation's loss of accuracy falls on: accuracy is an average over the
balanced REAL and FAKE test images, so a loss can be all missed fakes, which leaves a FAKE
verdict as reliable as before and makes a REAL verdict far less so."""

from .corruptions import CONTROL
from .wording import joined, rows_of


def class_losses(summary: list[dict], corruption: str) -> tuple[float, float] | None:
    """The loss, in points, of accuracy on REAL and on FAKE test images under `corruption`
    against the control, averaged over the grid's architectures (None where the grid has no
    per-class accuracy)."""
    real, fake = [], []
    for architecture in dict.fromkeys(r["architecture"] for r in summary):
        rows = rows_of(summary, architecture)
        control, changed = rows.get(CONTROL, {}), rows.get(corruption, {})
        if "real_accuracy" not in control or "real_accuracy" not in changed:
            return None
        real.append(100 * (control["real_accuracy"] - changed["real_accuracy"]))
        fake.append(100 * (control["fake_accuracy"] - changed["fake_accuracy"]))
    return (sum(real) / len(real), sum(fake) / len(fake)) if real else None


def direction_clause(summary: list[dict], corruptions: list[str]) -> str:
    """'; most of the loss is FAKE images called REAL after a, b (...)': which class absorbs
    each transformation's loss, a description of the means over seeds ("" without per-class
    accuracy)."""
    losses = {c: class_losses(summary, c) for c in corruptions}
    if not losses or any(v is None for v in losses.values()):
        return ""
    parts = []
    for side, shown, other in (("FAKE", 1, 0), ("REAL", 0, 1)):
        chosen = [c for c, v in losses.items() if v[shown] > v[other]]
        if chosen:
            spans = ", ".join(
                f"{c} {losses[c][shown]:.1f} against {losses[c][other]:.1f}" for c in chosen
            )
            wrong = "REAL" if side == "FAKE" else "FAKE"
            parts.append(
                f"most of the loss is {side} images called {wrong} after {joined(chosen)} (points "
                f"lost on {side} against {wrong} images, mean over the models: {spans}), so "
                f"there a {wrong} verdict is the one that becomes much less reliable"
            )
    return "; " + "; ".join(parts)
