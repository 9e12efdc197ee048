"""Notebook 08's findings, written from its saved metrics (`08_beyond.json`), so that they
follow the numbers of the run: where the beyond-the-paper model lands, against what, at what
cost."""

import math

import pandas as pd

from ..models.architectures import DISPLAY_NAMES, PAPER_MODELS
from ..project.readme import markdown_table
from ..robustness.corruptions import CONTROL
from ..robustness.findings import grid_sentences
from ..significance import prediction_interval
from .targets import FIELD, PFLOP_CAP

BEYOND = "vgg_bn"


def _by(records: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in records}


def _name(architecture: str) -> str:
    return DISPLAY_NAMES.get(architecture, architecture)


def search_sentence(results: dict) -> str:
    """What the search tried and chose, on validation."""
    search = results["search"]
    chosen = next(r for r in search if r["chosen"])
    others = [r for r in search if not r["chosen"]]
    within = sum(r["within_budget"] for r in search)
    tried = "; ".join(
        f"{r['widths']} for {r['epochs']} epochs {100 * r['val_accuracy']:.2f}% "
        f"in {r['minutes']:.1f} min" + ("" if r["within_budget"] else " (over budget)")
        for r in others
    )
    return (
        f"The search (seed 0, validation split only) tried {len(search)} candidates, {within} "
        f"of which trained within {results['budget_minutes']:.0f} minutes on "
        f"{results['search_machine']}; it chose stage widths {chosen['widths']} for "
        f"{chosen['epochs']} epochs ({chosen['parameters']:,} parameters, validation accuracy "
        f"{100 * chosen['val_accuracy']:.2f}% in {chosen['minutes']:.1f} min; {tried})."
    )


def headline_sentence(results: dict) -> str:
    """Test accuracy with its intervals, against the paper models and the goal."""
    rows = _by(results["intervals"], "architecture")
    ours = rows[BEYOND]
    accuracy = ours["accuracy_mean"]
    paper = ", ".join(
        f"{_name(a)} {100 * rows[a]['accuracy_mean']:.2f}% ({rows[a]['seeds']} seeds)"
        for a in PAPER_MODELS
    )
    sentence = (
        f"{_name(BEYOND)}: {100 * accuracy:.2f}% test accuracy, mean over {ours['seeds']} seeds "
        f"(95% t-interval {100 * ours['t_low']:.2f}–{100 * ours['t_high']:.2f}%; the "
        f"seed-and-image bootstrap's {100 * ours['bootstrap_low']:.2f}–"
        f"{100 * ours['bootstrap_high']:.2f}% cannot reach past the seeds it resamples, so with "
        f"{ours['seeds']} seeds the t-interval is the one to read), "
        f"against the tuned paper models over every seed the study has, {paper}."
    )
    goal, stretch = results["goal"], results["stretch"]
    if accuracy >= stretch:
        verdict = f"It meets the goal ({100 * goal:.2f}%) and the stretch ({100 * stretch:.2f}%)."
    elif accuracy >= goal:
        verdict = (
            f"It meets the goal ({100 * goal:.2f}%) but not the stretch "
            f"({100 * stretch:.2f}%, {100 * (stretch - accuracy):.2f} points short)."
        )
    else:
        interval = " and the whole t-interval lies below it" if ours["t_high"] < goal else ""
        costs = _by(results.get("costs", []), "architecture")
        spent = (
            f", at {costs[BEYOND]['training_pflop_mean']:.3f} PFLOP per seed of the "
            f"{PFLOP_CAP:g} the goal allows (the queue's search continues towards it, notebook "
            "08's search table)"
            if BEYOND in costs
            else ""
        )
        verdict = (
            f"It misses the goal of {100 * goal:.2f}% by {100 * (goal - accuracy):.2f} points"
            f"{interval}{spent}."
        )
    return f"{sentence} {verdict} {field_sentence(ours)}"


def field_sentence(ours: dict) -> str:
    """Published single results against the spread of single runs of ours: the 95% prediction
    interval for one new run (as notebook 04 places the paper's numbers)."""
    low, high = prediction_interval(ours["accuracy_mean"], ours["accuracy_std"], ours["seeds"])
    if not math.isfinite(low):
        return "With one seed, no published result can be placed against the spread of runs."
    placed = {"lies above": [], "contains": [], "lies below": []}
    for name, value in FIELD.items():
        where = "lies below" if value > high else "lies above" if value < low else "contains"
        placed[where].append(f"{name} ({100 * value:.2f}%)")
    parts = [f"{where} {' and '.join(names)}" for where, names in placed.items() if names]
    return (
        f"Against published results (each one run), the 95% prediction interval for one run of "
        f"ours ({100 * low:.2f}–{100 * high:.2f}%, wide with {ours['seeds']} seeds) "
        f"{'; '.join(parts)}. A peak validation accuracy is optimistic by its choice of epoch, "
        "and the follow-up paper's numbers were measured under its own protocol (notebook 09): "
        "the placements describe, they do not match one model with another."
    )


def ranking_sentence(results: dict) -> str:
    """ROC-AUC and average precision (threshold-free), with their intervals over seeds."""
    rows = _by(results["metrics"], "architecture")

    def interval(row: dict, metric: str) -> str:
        return (
            f"{100 * row[metric]:.2f}% ({100 * row[f'{metric}_low']:.2f}–"
            f"{100 * row[f'{metric}_high']:.2f})"
        )

    parts = [
        f"{_name(a)} {interval(rows[a], 'roc_auc')} / {interval(rows[a], 'mean_average_precision')}"
        for a in (BEYOND, *PAPER_MODELS)
    ]
    return (
        f"ROC-AUC / mean average precision, mean over seeds (95% t-interval): {'; '.join(parts)}."
    )


# The paper models are compared as trained; CNN2D's headline runs stop below where its
# validation curve levels off (notebook 03), so the difference with it includes that budget.
AS_TRAINED = {
    "cnn2d": (
        " CNN2D here is as trained, for its headline budget below its validation plateau "
        "(notebook 03); notebook 04 compares VGG-BN with CNN2D trained for 40 epochs, so this is "
        "a comparison with a model stopped early, not of the architectures at their best."
    )
}


def compute_note(results: dict, paper_model: str) -> str:
    """The training compute per seed of the beyond model and a paper model it is compared
    with: a verdict between them is at these budgets, not at equal compute."""
    costs = _by(results.get("costs", []), "architecture")
    if BEYOND not in costs or paper_model not in costs:
        return ""
    ours, theirs = costs[BEYOND]["training_pflop_mean"], costs[paper_model]["training_pflop_mean"]
    return (
        f" Training compute differs too: {_name(BEYOND)} {ours:.4f} PFLOP per seed, "
        f"{_name(paper_model)} {theirs:.4f} ({ours / theirs:.1f}x), so the verdict is about the "
        "models at these budgets, not at equal compute."
    )


def paired_sentences(results: dict) -> list[str]:
    """The beyond model against each paper model: Welch's t over all seeds of each (different
    architectures share no randomness through a seed number), with McNemar's test on each pair
    of same-numbered runs as a description."""
    sentences = []
    for row in results["paired"]:
        if row["second"] != BEYOND:
            continue
        verdict = {
            "better": f"{_name(BEYOND)} is better",
            "worse": f"{_name(BEYOND)} is worse",
        }.get(row["verdict"], "no significant difference")
        pairs = int(row.get("seed_pairs", row["seeds"]))
        one_sided = pairs in (row["seeds_second_better"], row["seeds_second_worse"])
        if row["verdict"] not in ("better", "worse") and pairs > 1 and one_sided:
            verdict += (
                " over seeds, although every run pair favours the same model: the uncertainty "
                "is between training runs, so only more seeds can narrow it"
            )
        low, high = row["difference_low"], row["difference_high"]
        interval = (  # one run each has no interval over seeds
            f"95% interval {100 * low:+.2f} to {100 * high:+.2f}; "
            if math.isfinite(low) and math.isfinite(high)
            else ""
        )
        adjusted = (
            f", Holm-adjusted over the study's {row['family_size']} comparisons "
            f"p = {row['p_holm']:.2g}"
            if "p_holm" in row
            else ""
        )
        sentences.append(
            f"Against {_name(row['first'])}, over "
            f"{'one seed each' if str(row['seeds']) == '1' else str(row['seeds']) + ' seeds'}: "
            f"{100 * row['difference_mean']:+.2f} points ({interval}"
            f"{row['test']}, p = {row['p_value']:.2g}{adjusted}): {verdict}. As a description "
            f"(runs paired only by seed number, unadjusted), McNemar's test on the "
            f"{results['test_images']:,} test images of each such pair favours "
            f"{_name(BEYOND)} in {row['seeds_second_better']} of {pairs} pairs and the paper "
            f"model in {row['seeds_second_worse']}."
            + compute_note(results, row["first"])
            + AS_TRAINED.get(row["first"], "")
        )
    return sentences


def cost_sentence(results: dict) -> str:
    """Training compute per seed in PFLOP (machine independent), with the measured wall clock
    and the CPU it ran on beside it, against the paper models and the budget."""
    costs = _by(results["costs"], "architecture")
    ours = costs[BEYOND]
    chosen = next((row for row in results.get("search", []) if row.get("chosen")), None)
    budget = (
        f"; it was chosen by its search run's {chosen['minutes']:.1f} wall-clock minutes "
        f"against the {results['budget_minutes']:.0f}-minute budget, a rule for choosing, not "
        "a limit on these runs"
        if chosen
        else ""
    )

    def measured(row: dict) -> str:
        return (
            f"{row['wall_minutes_mean']:.1f} wall-clock minutes per seed on "
            f"{_count(row['threads'], 'thread')} of the {row.get('cpu_kinds', '?')} CPU"
        )

    paper = "; ".join(
        f"{_name(a)} {costs[a]['training_pflop_mean']:.4f} PFLOP ({costs[a]['epochs_mean']:.0f} "
        f"epochs, {costs[a]['parameters']:,} parameters; {measured(costs[a])})"
        for a in PAPER_MODELS
    )
    kinds = {a: row.get("cpu_kinds", "") for a, row in costs.items()}
    mixed = [a for a, kind in kinds.items() if "+" in kind]
    caveat = (
        " The runs used different CPU kinds ("
        + ", ".join(f"{_name(a)} {kind}" for a, kind in kinds.items())
        + "), whose speeds differ (docs/measured-times.md), so only the PFLOP compare across "
        "models."
        if len(set(kinds.values())) > 1 or mixed
        else ""
    )
    return (
        "Training compute per seed, counted from the layers (two operations per multiply-add "
        "of every convolution and dense layer, a training step as three forward passes, times "
        f"the images seen): {_name(BEYOND)} {ours['training_pflop_mean']:.4f} PFLOP "
        f"({ours['epochs_mean']:.0f} epochs, {ours['parameters']:,} parameters; "
        f"{measured(ours)}{budget}); {paper}. Wall clock counts only the time after a resumed "
        "run restarted."
        f"{caveat}"
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def gradcam_sentence(results: dict) -> str:
    """How often Grad-CAM beats the baselines on each model, on the same images."""
    parts = [
        f"{row['model']} {row['better']} of {row['comparisons']} (worse in {row['worse']})"
        for row in results["gradcam"]
    ]
    return (
        f"Grad-CAM against the three model-agnostic baselines (deletion and insertion with two "
        f"replacements, and ROAD's gap, ROAD counted once; paired tests, Holm-corrected per "
        f"model) on the same "
        f"{results['faithfulness_images']:,} test images, seed 0 of each model (a statement "
        f"about those runs, not over seeds): it is significantly more faithful in "
        f"{'; '.join(parts)}. Each count compares one model's Grad-CAM with baselines on that "
        "model's own grid; the grids differ in size (a coarser grid makes larger patches for "
        "the baselines too), so the counts do not rank the models' explanations against each "
        "other; notebook 05 tests the paper models on its own sample of test images, so its "
        "counts differ from these."
    )


def robustness_sentences(results: dict) -> list[str]:
    """The grid for the beyond model, and its worst case beside CNN2D's, described (No count of the
    transformations where it is ahead: without a test per transformation such a count would
    read noise as a verdict.)"""
    grid = results["grid"]
    rows = {(r["corruption"], r["architecture"]): r for r in grid}
    corruptions = [c for c in dict.fromkeys(r["corruption"] for r in grid) if c != CONTROL]

    def worst(architecture: str) -> tuple[str, float]:
        name = min(corruptions, key=lambda c: rows[(c, architecture)]["accuracy"])
        return name, 100 * rows[(name, architecture)]["accuracy"]

    def interval(corruption: str, architecture: str) -> tuple[float, float]:
        row = rows[(corruption, architecture)]
        return 100 * row.get("accuracy_low", math.nan), 100 * row.get("accuracy_high", math.nan)

    (ours, ours_value), (theirs, theirs_value) = worst(BEYOND), worst("cnn2d")
    (ours_low, ours_high), (theirs_low, theirs_high) = (
        interval(ours, BEYOND),
        interval(theirs, "cnn2d"),
    )
    shown = ("", "")
    if all(math.isfinite(v) for v in (ours_low, ours_high, theirs_low, theirs_high)):
        shown = (
            f" (95% interval {ours_low:.2f}–{ours_high:.2f})",
            f" ({theirs_low:.2f}–{theirs_high:.2f})",
        )
    verdict = (
        "; these are the lowest of each model, chosen after the fact, so they are described, "
        "not tested against each other"
    )
    return [
        *grid_sentences(grid, BEYOND),
        f"Over the {len(corruptions)} transformations, the lowest accuracy at 0.5 is "
        f"{ours_value:.2f}%{shown[0]} for {_name(BEYOND)} ({ours}) and {theirs_value:.2f}%"
        f"{shown[1]} for CNN2D ({theirs}){verdict}.",
    ]


def beyond_findings(results: dict, heading: bool = True) -> str:
    """Notebook 08's answer, as Markdown bullets (a heading unless `heading` is False)."""
    sentences = [
        search_sentence(results),
        headline_sentence(results),
        ranking_sentence(results),
        *paired_sentences(results),
        cost_sentence(results),
        gradcam_sentence(results),
        *robustness_sentences(results),
    ]
    bullets = "\n".join(f"- {s}" for s in sentences)
    return f"## Findings\n\n{bullets}\n" if heading else f"{bullets}\n"


def results_markdown(results: dict) -> str:
    """The README's table: the beyond model beside the paper models (test split)."""
    intervals = _by(results["intervals"], "architecture")
    metrics = _by(results["metrics"], "architecture")
    costs = _by(results["costs"], "architecture")
    rows = {}
    for architecture in (*PAPER_MODELS, BEYOND):
        row = intervals[architecture]
        rows[_name(architecture)] = {
            "parameters": f"{costs[architecture]['parameters']:,}",
            "training PFLOP per seed": f"{costs[architecture]['training_pflop_mean']:.4f}",
            "seeds": int(row["seeds"]),
            "accuracy (%)": f"{100 * row['accuracy_mean']:.2f} ± {100 * row['accuracy_std']:.2f}",
            "95% t-interval": f"{100 * row['t_low']:.2f}–{100 * row['t_high']:.2f}",
            "ROC-AUC (%)": f"{100 * metrics[architecture]['roc_auc']:.2f}",
            "mean AP (%)": f"{100 * metrics[architecture]['mean_average_precision']:.2f}",
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    return markdown_table(table) + "\n"
