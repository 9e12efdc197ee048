"""Notebooks 02 and 03's findings, written from their saved tables (the runs, the recipe
search and the ablation), so that they follow the numbers of the run."""

import pandas as pd

from .architectures import DISPLAY_NAMES, PAPER_MODELS

OVERFIT_POINTS = 1.0  # a training-validation gap above this many points counts as over-fitting


def seeds_sentence(runs: pd.DataFrame, architecture: str) -> str:
    """Validation accuracy over seeds, and its range."""
    rows = runs[runs["architecture"] == architecture]
    accuracy = 100 * rows["val_accuracy"]
    spread = f" ± {accuracy.std(ddof=1):.2f}" if len(rows) > 1 else ""
    return (
        f"{DISPLAY_NAMES[architecture]} reaches {accuracy.mean():.2f}%{spread} validation "
        f"accuracy over {len(rows)} seed{'' if len(rows) == 1 else 's'} "
        f"(range {accuracy.min():.2f}–{accuracy.max():.2f})."
    )


def fit_sentence(runs: pd.DataFrame, architecture: str) -> str:
    """Training against validation accuracy at the kept epoch: over-fitting or capacity?"""
    rows = runs[runs["architecture"] == architecture]
    train, validation = 100 * rows["train_accuracy"].mean(), 100 * rows["val_accuracy"].mean()
    gap = train - validation
    if gap > OVERFIT_POINTS:
        reading = "it fits its training images more closely than unseen ones (over-fitting)"
    else:
        reading = (
            "its training accuracy is no higher than its validation accuracy, so it is limited "
            "by its capacity, not by over-fitting"
        )
    return (
        f"At the kept epoch {DISPLAY_NAMES[architecture]}'s training accuracy is {train:.2f}%, "
        f"{gap:+.2f} points from validation: {reading}."
    )


def epochs_sentence(runs: pd.DataFrame, architecture: str) -> str:
    """How many epochs the runs trained and which one they kept."""
    rows = runs[runs["architecture"] == architecture]
    trained, kept = rows["epochs_trained"], rows["best_epoch"]
    if (trained == kept).all():
        return (
            f"Every {DISPLAY_NAMES[architecture]} run trained its fixed budget of "
            f"{int(trained.max())} epochs and kept the last one."
        )
    earliest = rows.loc[trained.idxmin()]
    accuracy = 100 * earliest["val_accuracy"]
    lowest = (
        ", the lowest of its seeds: where early stopping ends a run is itself part of the "
        "spread over seeds"
        if earliest["val_accuracy"] == rows["val_accuracy"].min()
        else ""
    )
    return (
        f"{DISPLAY_NAMES[architecture]} runs stopped after {int(trained.min())}–"
        f"{int(trained.max())} epochs and kept epochs {int(kept.min())}–{int(kept.max())}. "
        f"The earliest stop (seed {int(earliest['seed'])}, after {int(earliest['epochs_trained'])} "
        f"epochs) kept {accuracy:.2f}% validation accuracy{lowest}."
    )


def search_path(search: pd.DataFrame, architecture: str) -> tuple[list[str], list[str]]:
    """The changes the greedy search kept (per stage, the best candidate if it beat the best
    recipe so far) and those it rejected, in the order tried."""
    rows = search[search["architecture"] == architecture]
    best = rows.loc[rows["stage"] == "untuned", "val_accuracy"].iloc[0]
    kept = []
    for _, candidates in rows[rows["stage"] != "untuned"].groupby("stage", sort=False):
        winner = candidates.loc[candidates["val_accuracy"].idxmax()]
        if winner["val_accuracy"] > best:
            kept.append(winner["change"])
            best = winner["val_accuracy"]
    tried = rows.loc[rows["stage"] != "untuned", "change"]
    return kept, [change for change in tried if change not in kept]


def search_sentence(search: pd.DataFrame, architecture: str) -> str:
    """What the recipe search bought an architecture on validation, and how."""
    rows = search[search["architecture"] == architecture]
    untuned = 100 * rows.loc[rows["stage"] == "untuned", "val_accuracy"].iloc[0]
    chosen = 100 * rows.loc[rows["chosen"].astype(bool), "val_accuracy"].iloc[0]
    kept, rejected = search_path(search, architecture)
    kept_text = "; ".join(kept) if kept else "no change"
    rejected_text = "; ".join(rejected) if rejected else "nothing"
    return (
        f"The search took {DISPLAY_NAMES[architecture]} from {untuned:.2f}% (untuned) to "
        f"{chosen:.2f}% validation accuracy ({chosen - untuned:+.2f} points, one seed each, on "
        f"the search's training subset) with these changes, each kept because it raised the "
        f"best so far: {kept_text}; rejected: {rejected_text}."
    )


def ablation_sentence(ablation: pd.DataFrame, variant: str, base: str = "cnn2d") -> str:
    """A variant's mean validation accuracy against the base's, with both spreads."""
    a, b = ablation.loc[variant], ablation.loc[base]
    difference = 100 * (a["val_accuracy_mean"] - b["val_accuracy_mean"])
    side = "above" if difference > 0 else "below"
    return (
        f"On validation, {DISPLAY_NAMES[variant]} is {abs(difference):.2f} points {side} "
        f"{DISPLAY_NAMES[base]} ({_mean_std(a)} against {_mean_std(b)}, over seeds); "
        "notebook 04 tests the difference on the test split."
    )


def _mean_std(row: pd.Series) -> str:
    """'95.10% ± 0.20' (the spread left out for a single seed)."""
    spread = row["val_accuracy_std"]
    text = f"{100 * row['val_accuracy_mean']:.2f}%"
    return text if pd.isna(spread) else f"{text} ± {100 * spread:.2f}"


def baseline_findings(runs: pd.DataFrame) -> str:
    """The Findings section of notebook 02."""
    sentences = [
        seeds_sentence(runs, "cnn2d"),
        fit_sentence(runs, "cnn2d"),
        epochs_sentence(runs, "cnn2d"),
    ]
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])


def ablation_findings(search: pd.DataFrame, runs: pd.DataFrame, ablation: pd.DataFrame) -> str:
    """The Findings section of notebook 03."""
    sentences = [search_sentence(search, a) for a in PAPER_MODELS]
    sentences += [
        seeds_sentence(runs, "modified_cnn2d"),
        fit_sentence(runs, "modified_cnn2d"),
        epochs_sentence(runs, "modified_cnn2d"),
    ]
    sentences += [
        ablation_sentence(ablation, variant)
        for variant in ("cnn2d_gap", "cnn2d_dropout", "modified_cnn2d")
        if variant in ablation.index
    ]
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])
