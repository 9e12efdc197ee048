"""Notebooks 02 and 03's findings, written from their saved tables (the runs, the recipe
search and the ablation), so that they follow the numbers of the run."""

import numpy as np
import pandas as pd
from scipy import stats

from ..significance import ALPHA
from .architectures import DISPLAY_NAMES, PAPER_MODELS


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


def gap_test(
    differences: pd.Series, validation: float, validation_images: int
) -> tuple[float, float]:
    """Two-sided p (and the degrees of freedom) of a generalisation gap (training minus
    validation accuracy per seed, both fractions), counting the validation images' own sampling
    noise beside the seed spread: the validation images are one draw of unseen images, shared
    by every seed, so their binomial variance does not shrink with more seeds.
    Welch-Satterthwaite degrees of freedom (the binomial part is known, with infinitely
    many)."""
    seed_variance = differences.var(ddof=1) / len(differences)
    image_variance = validation * (1 - validation) / validation_images
    error = np.sqrt(seed_variance + image_variance)
    df = (seed_variance + image_variance) ** 2 / (seed_variance**2 / (len(differences) - 1))
    return float(2 * stats.t.sf(abs(differences.mean()) / error, df)), float(df)


def fit_sentence(runs: pd.DataFrame, architecture: str, validation_images: int) -> str:
    """Training against validation accuracy, both in inference mode, over seeds: is the
    generalisation gap different from zero (`gap_test`: the seeds' spread and the
    `validation_images`' sampling noise)?"""
    rows = runs[runs["architecture"] == architecture]
    train = 100 * rows["train_accuracy_inference"].mean()
    validation = 100 * rows["val_accuracy"].mean()
    logged = 100 * rows["train_accuracy"].mean()
    gap = train - validation
    differences = rows["train_accuracy_inference"] - rows["val_accuracy"]
    if len(rows) > 1 and differences.std(ddof=1) > 0:
        p_value, df = gap_test(differences, validation / 100, validation_images)
        test = (
            f"t over {len(rows)} seeds with the {validation_images:,} validation images' "
            f"sampling noise added, on {df:,.0f} Welch-Satterthwaite degrees of freedom, "
            f"p = {p_value:.2g}"
        )
        if p_value < ALPHA:
            side = "more" if gap > 0 else "less"
            reading = f"it fits its training images significantly {side} closely than validation"
            reading += ", a borderline verdict" if p_value > ALPHA / 5 else ""
        else:
            reading = (
                "the gap is not significantly different from zero once the validation images' "
                "own sampling noise is counted"
            )
    else:
        test, reading = "one seed, untested", "no verdict on the gap"
    return (
        f"In inference mode (augmentation and any dropout off) {DISPLAY_NAMES[architecture]}'s "
        f"accuracy on its training images is {train:.2f}%, {gap:+.2f} points from validation "
        f"({test}): {reading}. (The {logged:.2f}% that training logs is measured with "
        "augmentation on, and dropout where the model has it, over the epoch's changing "
        "weights, so it is not the model's fit.)"
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


RESOLVED_POINTS = 0.5  # one seed on 10,000 validation images cannot resolve a smaller gain


def search_steps(search: pd.DataFrame, architecture: str) -> tuple[list, list]:
    """The changes the greedy search kept and those it rejected, in the order tried, each with
    its difference from the best recipe before its stage (points)."""
    rows = search[search["architecture"] == architecture]
    best = rows.loc[rows["stage"] == "untuned", "val_accuracy"].iloc[0]
    kept, rejected = [], []
    for _, candidates in rows[rows["stage"] != "untuned"].groupby("stage", sort=False):
        winner = candidates.loc[candidates["val_accuracy"].idxmax()]
        incumbent = best
        if winner["val_accuracy"] > best:
            kept.append((winner["change"], 100 * (winner["val_accuracy"] - best)))
            best = winner["val_accuracy"]
        rejected += [
            (row["change"], 100 * (row["val_accuracy"] - incumbent))
            for _, row in candidates.iterrows()
            if row["change"] != winner["change"] or winner["val_accuracy"] <= incumbent
        ]
    return kept, rejected


def search_sentence(search: pd.DataFrame, architecture: str) -> str:
    """What the recipe search bought an architecture on validation, and which of its steps
    one seed can resolve."""
    rows = search[search["architecture"] == architecture]
    untuned = 100 * rows.loc[rows["stage"] == "untuned", "val_accuracy"].iloc[0]
    chosen = 100 * rows.loc[rows["chosen"].astype(bool), "val_accuracy"].iloc[0]
    kept, rejected = search_steps(search, architecture)
    small = [f"{change} {gain:+.2f}" for change, gain in kept if gain < RESOLVED_POINTS]
    large = [f"{change} {gain:+.2f}" for change, gain in kept if gain >= RESOLVED_POINTS]
    parts = [
        f"The greedy search (one seed per candidate, on its training subset) took "
        f"{DISPLAY_NAMES[architecture]} from {untuned:.2f}% (untuned) to {chosen:.2f}% "
        f"validation accuracy ({chosen - untuned:+.2f} points)."
    ]
    if large:
        parts.append(
            f"Steps of at least {RESOLVED_POINTS:g} points (a declared line, not a test; each "
            f"the best of its stage in one run, so biased upward): {'; '.join(large)}."
        )
    if small:
        parts.append(
            f"Steps below {RESOLVED_POINTS:g} points, which one seed cannot tell from noise and "
            f"which are therefore unresolved: {'; '.join(small)}."
        )
    listed = "; ".join(f"{change} {difference:+.2f}" for change, difference in rejected)
    parts.append(
        f"The total is the best of many noisy single runs, so it overstates what the recipe "
        f"buys; notebook 04 measures that on fresh seeds. Rejected (against the best recipe "
        f"before its stage; those within {RESOLVED_POINTS:g} points of it are unresolved "
        f"too): {listed or 'nothing'}."
    )
    return " ".join(parts)


def budget_sentence(budgets: pd.DataFrame, sweep: pd.DataFrame, architecture: str) -> str:
    """The epoch budget the sweep chose for an architecture, and why (`search.epoch_budget`)."""
    parts = []
    for _, row in budgets[budgets["architecture"] == architecture].iterrows():
        runs = sweep[
            (sweep["architecture"] == architecture) & (sweep["recipe"] == row["recipe"])
        ].sort_values("epochs")
        curve = " → ".join(f"{100 * r.val_accuracy:.2f}% at {r.epochs}" for r in runs.itertuples())
        if row["still_rising"]:
            reading = (
                f"still rising at {int(row['budget'])} epochs, the largest budget swept on this "
                "subset"
            )
        elif row["budget"] == runs["epochs"].max():
            reading = f"{int(row['budget'])} epochs, the largest budget swept"
        else:
            reading = (
                f"{int(row['budget'])} epochs, after which doubling gains less than the tolerance"
            )
        chosen = (
            " (chosen: higher validation accuracy)"
            if row["chosen"] and len(budgets[budgets["architecture"] == architecture]) > 1
            else ""
        )
        trained = int(row.get("trained_epochs", row["budget"]))
        if trained < row["budget"]:
            short = 100 * (
                row["val_accuracy"] - runs.loc[runs["epochs"] == trained, "val_accuracy"].iloc[0]
            )
            reading += (
                f"; the committed runs train {trained} epochs (`EPOCH_CAP`), {short:.2f} points "
                "below that on this curve (single runs on a subset, untested)"
            )
        parts.append(f"with {row['recipe']}{chosen}: {curve}, so {reading}")
    return (
        f"Epoch budget of {DISPLAY_NAMES[architecture]} (cosine decay over a fixed budget, seed "
        f"0, the search's training subset; a doubling must gain "
        f"{100 * budgets['tolerance'].iloc[0]:.1f} points): " + "; ".join(parts) + ". Where it "
        "levels off on the full training split is the budget curve's finding."
    )


def curve_sentence(plateaus: pd.DataFrame, architecture: str) -> str:
    """Where a paper model levels off as its epochs double (`search.budget_curve`), and whether
    its headline runs train there."""
    row = plateaus.loc[architecture]
    name, trained = DISPLAY_NAMES[architecture], int(row["trained_epochs"])
    if not row["gains"] or pd.isna(row["gains"]):
        return f"{name}: {row['outcome']}."
    if row["trained_at_plateau"]:
        consequence = "the budget its headline runs train"
    elif pd.notna(row["plateau_epochs"]) and row["plateau_epochs"] > trained:
        short = row["plateau_val_accuracy"] - row["trained_val_accuracy"]
        consequence = (
            f"beyond the {trained} epochs its headline runs train, which stop "
            f"{short:.2f} validation points short of it on this seed: its numbers in notebook "
            f"04 are those of a model stopped early, and its five seeds at "
            f"{int(row['plateau_epochs'])} epochs are the training queue's equal-compute runs"
        )
    elif pd.notna(row["plateau_epochs"]):
        consequence = f"below the {trained} epochs its headline runs train"
    else:
        consequence = f"so its numbers at {trained} epochs are a lower bound of what it reaches"
    pairwise = row.get("plateau_epochs_pairwise", np.nan)
    where = f"at {int(pairwise)} epochs" if pd.notna(pairwise) else "nowhere on this curve"
    return (
        f"Where {name} levels off (seed 0 on the full training split, each budget doubled; "
        f"a doubling must gain {row['tolerance']:.2f} validation points, twice the SD of its "
        f"headline seeds): {row['gains']} points, so it {row['outcome']}, {consequence}. "
        f"Against the spread of a difference of two single runs (√2 times that line, "
        f"{np.sqrt(2) * row['tolerance']:.2f}) it would level off {where}; each budget is one "
        "run, so a gain near the line is within noise either way."
    )


def ablation_sentence(ablation: pd.DataFrame, variant: str, base: str = "cnn2d") -> str:
    """A variant's mean validation accuracy against the base's, with both spreads."""
    a, b = ablation.loc[variant], ablation.loc[base]
    difference = 100 * (a["val_accuracy_mean"] - b["val_accuracy_mean"])
    side = "above" if difference > 0 else "below"
    recipe = (
        "the Modified CNN2D trained 40 epochs against CNN2D's 10, so the difference mixes the "
        "layers with the budget; notebook 04 also compares them at 40 epochs each"
        if variant == "modified_cnn2d"
        else "both with CNN2D's tuned recipe and 10 epochs, so the comparison speaks for that "
        "recipe and budget only"
    )
    return (
        f"On validation, {DISPLAY_NAMES[variant]} is {abs(difference):.2f} points {side} "
        f"{DISPLAY_NAMES[base]} ({_mean_std(a)} against {_mean_std(b)}, over seeds; {recipe}); "
        "notebook 04 tests the difference on the test split."
    )


def _mean_std(row: pd.Series) -> str:
    """'95.10% ± 0.20' (the spread left out for a single seed)."""
    spread = row["val_accuracy_std"]
    text = f"{100 * row['val_accuracy_mean']:.2f}%"
    return text if pd.isna(spread) else f"{text} ± {100 * spread:.2f}"


def baseline_findings(
    runs: pd.DataFrame, sweep: pd.DataFrame, budgets: pd.DataFrame, validation_images: int
) -> str:
    """The Findings section of notebook 02."""
    sentences = [
        seeds_sentence(runs, "cnn2d"),
        budget_sentence(budgets, sweep, "cnn2d"),
        fit_sentence(runs, "cnn2d", validation_images),
        epochs_sentence(runs, "cnn2d"),
    ]
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])


def ablation_findings(
    search: pd.DataFrame,
    runs: pd.DataFrame,
    ablation: pd.DataFrame,
    sweep: pd.DataFrame,
    budgets: pd.DataFrame,
    plateaus: pd.DataFrame,
    validation_images: int,
) -> str:
    """The Findings section of notebook 03."""
    sentences = [search_sentence(search, a) for a in PAPER_MODELS]
    sentences += [budget_sentence(budgets, sweep, a) for a in PAPER_MODELS]
    sentences += [curve_sentence(plateaus, a) for a in PAPER_MODELS]
    sentences += [
        seeds_sentence(runs, "modified_cnn2d"),
        fit_sentence(runs, "modified_cnn2d", validation_images),
        epochs_sentence(runs, "modified_cnn2d"),
    ]
    sentences += [
        ablation_sentence(ablation, variant)
        for variant in ("cnn2d_gap", "cnn2d_dropout", "modified_cnn2d")
        if variant in ablation.index
    ]
    return "\n".join(["## Findings", "", *[f"- {s}" for s in sentences]])
