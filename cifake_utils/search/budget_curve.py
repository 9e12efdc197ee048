"""Where each paper model levels off: validation accuracy as its epochs double.

The rule, fixed before the curves were trained: from a paper model's trained budget (its
headline seed 0), the training queue doubles the epochs of seed 0 (`queued.BUDGET_CURVES`) up to
`PFLOP_CAP` per seed. A doubling that gains less than twice the seed-to-seed standard deviation
of the headline seeds' validation accuracy at the trained budget has stopped helping, and the
budget before it is the model's plateau. A curve in which every doubling gains at least that
much is "still rising at the cap". Every run trains on the full training split of notebook 01
and is scored on its validation split; the test split is never read here.
"""

import numpy as np
import pandas as pd

from ..evaluation.smoothing import trained_on
from ..models.flops import training_flops
from ..models.training import TrainingRun

PFLOP_CAP = 0.2  # training compute per seed beyond which the curve is not extended
TOLERANCE_SDS = 2  # a doubling must gain this many seed-to-seed SDs to count as helping
SQRT2 = float(np.sqrt(2))  # the SD of a difference of two single runs, in single-run SDs


def curve_table(
    headline: dict[str, list[TrainingRun]],
    curves: dict[str, list[TrainingRun]],
    train_images: int,
) -> pd.DataFrame:
    """One row per architecture and budget: seed 0 of its headline runs (at the trained budget)
    and its budget-curve runs, with validation accuracy (percent), training compute over
    `train_images` an epoch, wall clock and the CPUs every epoch trained on."""
    rows = []
    for architecture, runs in headline.items():
        seed0 = [run for run in runs if run.train_config.seed == 0]
        for run, source in [(r, "headline seed 0") for r in seed0] + [
            (r, "budget curve") for r in curves.get(architecture, [])
        ]:
            images = run.epochs_trained * train_images
            rows.append(
                {
                    "architecture": architecture,
                    "epochs": run.epochs_trained,
                    "val_accuracy": 100 * run.history["val_accuracy"][-1],
                    "pflop": training_flops(run.model, images) / 1e15,
                    "minutes": run.seconds / 60,
                    "cpu": trained_on(run),
                    "source": source,
                }
            )
    table = pd.DataFrame(rows).drop_duplicates(["architecture", "epochs"])
    return table.sort_values(["architecture", "epochs"]).reset_index(drop=True)


def tolerance(accuracies: list[float]) -> float:
    """`TOLERANCE_SDS` times the sample SD of the headline seeds' validation accuracies (NaN
    for one seed)."""
    if len(accuracies) < 2:
        return float("nan")
    return TOLERANCE_SDS * float(np.std(accuracies, ddof=1))


def tolerances(headline: dict[str, list[TrainingRun]]) -> dict[str, float]:
    """Per architecture: the `tolerance` (percent) of its headline seeds' validation accuracy
    after the last epoch."""
    return {
        architecture: tolerance([100 * r.history["val_accuracy"][-1] for r in runs])
        for architecture, runs in headline.items()
    }


def plateau(curve: pd.Series, tolerance: float) -> int | None:
    """The first budget of `curve` (validation accuracy by epochs, increasing) after which a
    doubling gains less than `tolerance`; None when every doubling gains at least that."""
    epochs = sorted(curve.index)
    for smaller, larger in zip(epochs, epochs[1:], strict=False):
        if curve[larger] - curve[smaller] < tolerance:
            return int(smaller)
    return None


def _or_nan(value: int | None) -> float:
    return np.nan if value is None else value


def plateau_table(
    table: pd.DataFrame, tolerance: dict[str, float], trained: dict[str, int]
) -> pd.DataFrame:
    """Per architecture: the epochs it is trained for, the tolerance, the gain of each doubling,
    the plateau (NaN when still rising) and the outcome in words."""
    rows = []
    for architecture, runs in table.groupby("architecture", sort=False):
        curve = runs.set_index("epochs")["val_accuracy"].sort_index()
        found = plateau(curve, tolerance[architecture])
        gains = curve.diff().dropna()
        largest = int(curve.index.max())
        if gains.empty:
            outcome = f"has one budget only ({largest} epochs): nothing to judge"
        elif found is not None:
            outcome = f"levels off at {found} epochs"
            later = gains[gains.index > found]
            if (later > 0).any():
                outcome += (
                    " by the rule, though later doublings still gain "
                    + ", ".join(f"{g:+.2f}" for g in later)
                    + " (each below the line)"
                )
                # Two single runs apart: judged against the pairwise line, √2 times wider.
                total = curve[largest] - curve[found]
                if len(later) > 1 and total >= SQRT2 * tolerance[architecture]:
                    outcome += (
                        f", together {total:+.2f} from {found} to {largest} epochs, above the "
                        "line for two single runs: a slow climb one doubling at a time misses"
                    )
        else:
            outcome = (
                f"is still rising at the cap ({largest} epochs, {runs['pflop'].max():.3f} PFLOP), "
                f"by {gains.iloc[-1]:+.2f} points per doubling"
            )
        epochs = trained[architecture]
        rows.append(
            {
                "architecture": architecture,
                "trained_epochs": epochs,
                "trained_val_accuracy": curve.get(epochs, np.nan),
                "tolerance": tolerance[architecture],
                "gains": "; ".join(f"{int(e) // 2}→{int(e)}: {g:+.2f}" for e, g in gains.items()),
                "plateau_epochs": np.nan if found is None else found,
                # the same rule against a difference of two single runs, 2 * sqrt(2) SD
                "plateau_epochs_pairwise": _or_nan(plateau(curve, SQRT2 * tolerance[architecture])),
                "plateau_val_accuracy": np.nan if found is None else curve[found],
                "outcome": outcome,
                "trained_at_plateau": found == epochs,
            }
        )
    return pd.DataFrame(rows).set_index("architecture")
