"""Notebook 07's findings on the retrained controls: held-out content, the resampling control
and training-time augmentation, from `07_robustness.json`."""

import math

from ..significance import ALPHA
from .corruptions import CONTROL
from .wording import rows_of, signed, span


def held_out_sentence(rows: list[dict]) -> str:
    """Per held-out class: the models that never saw it against the same seeds' baselines, on
    its images, tested over seeds and Holm-adjusted over the classes."""
    parts = []
    for row in rows:
        difference = 100 * row["difference"]
        adjusted = row.get("p_holm", row["p_value"])
        if adjusted >= ALPHA:
            verdict = "not significantly different"
        else:
            verdict = "better" if difference > 0 else "worse"
        interval = ""
        if math.isfinite(row.get("difference_low", math.nan)):
            interval = (
                f", 95% interval {100 * row['difference_low']:+.2f} to "
                f"{100 * row['difference_high']:+.2f}"
            )
        parts.append(
            f"{row['held-out class']} {100 * row['accuracy_without']:.2f}% against "
            f"{100 * row['accuracy_baseline']:.2f}% ({difference:+.2f} points{interval}; "
            f"{row.get('test', 'McNemar')} p = {row['p_value']:.2g}, Holm {adjusted:.2g}: "
            f"{verdict})"
        )
    significant = [r for r in rows if r.get("p_holm", r["p_value"]) < ALPHA]
    worse = [r for r in significant if r["difference"] < 0]
    better = [r for r in significant if r["difference"] > 0]
    unseen = [100 * r["accuracy_without"] for r in rows]
    margin = [
        100 * (r["accuracy_without"] - 0.5) / (r["accuracy_baseline"] - 0.5)
        for r in rows
        if r["accuracy_baseline"] > 0.5
    ]
    kept = f", {span(margin)}% of its baseline's margin over chance" if margin else ""
    carried = f"on a class it never saw it still scores {span(unseen)}% (chance is 50%){kept}"
    if worse:
        lost = [-100 * r["difference"] for r in worse]
        reading = (
            f"{carried}; but losing {span(lost)} points on {len(worse)} of these {len(rows)} "
            "classes shows that on these test images of each its accuracy depends on having "
            "trained on that class's REAL and FAKE images. Whether what it learned from them is "
            "the objects themselves or generator traces peculiar to that class, this test cannot "
            "tell apart"
        )
    else:
        floor = [
            -100 * r["difference_low"]
            for r in rows
            if math.isfinite(r.get("difference_low", math.nan))
        ]
        bound = (
            f" (with these seeds, a loss of up to {span(floor)} points, the intervals' lower "
            "ends, cannot be ruled out)"
            if floor and max(floor) > 0
            else ""
        )
        reading = (
            f"{carried}; no held-out class costs a significant loss, so these tests find no "
            f"dependence on having seen the class{bound}"
        )
    if better:
        gained = ", ".join(r["held-out class"] for r in better)
        reading += (
            f"; on {gained} the model that never saw the class is significantly better than its "
            "baseline"
        )
    seeds = rows[0].get("seeds", 1) if rows else 0
    return (
        "Trained without a CIFAR-10 class (REAL and FAKE), CNN2D scores on that class's test "
        f"images (means over {seeds} seed{'s' if seeds != 1 else ''}, against the same-size "
        "baselines trained on all classes; unpaired, since a run and its same-seed baseline "
        f"train on different images): {'; '.join(parts)}; {reading}."
    )


def resampling_sentence(table: list[dict], test: dict) -> str:
    """What accuracy survives when both classes pass through the same resampler."""
    rows = {row["case"]: row for row in table}
    trained = rows["trained resampled, test resampled"]
    baseline = rows["baseline, test as published"]
    blind = rows["baseline, test resampled"]
    p_value = test["p_value"]
    kept = (trained["accuracy_mean"] - 0.5) / (baseline["accuracy_mean"] - 0.5)
    if p_value < ALPHA and test["difference_mean"] < 0:
        verdict = (
            f"significantly below the baseline ({100 * test['difference_mean']:+.2f} points, "
            f"{test['test']} p = {p_value:.2g}): the 2x down-and-up removes part of the cue, "
            "the finest band whatever put it there (a difference in how the classes were "
            "resized or the generator's own detail; this control cannot tell the two apart), or "
            "a cost of training on resampled images with a recipe tuned on unresampled ones"
        )
    else:
        verdict = (
            f"not significantly below the baseline ({100 * test['difference_mean']:+.2f} points, "
            f"{test['test']} p = {p_value:.2g}): the band a 2x down-and-up removes is not what "
            "it needs"
        )
    low = trained.get("accuracy_low", math.nan)
    if math.isfinite(low) and low > 0.5:
        survives = (
            "Its interval lies above chance, so not all of the cue sits in the finest band that "
            "a shared 2x down-and-up replaces; whether what survives is the generator's or a "
            "resizing difference at coarser scales, this control cannot tell."
        )
    elif math.isfinite(low):
        survives = (
            "Its interval reaches chance, so the whole cue may sit in the finest band that a "
            "shared 2x down-and-up replaces."
        )
    else:
        survives = "One seed gives no interval, so whether more than chance survives is untested."
    interval = ""
    if math.isfinite(trained.get("accuracy_low", math.nan)):
        interval = (
            f" (95% interval {100 * trained['accuracy_low']:.2f}–"
            f"{100 * trained['accuracy_high']:.2f})"
        )
    return (
        "Resampling control: trained and tested with both classes through the same 2x "
        f"down-and-up, CNN2D scores {100 * trained['accuracy_mean']:.2f}%{interval} over "
        f"{int(trained['seeds'])} seeds, against {100 * baseline['accuracy_mean']:.2f}% for the "
        f"same-size baseline on the test images as published and "
        f"{100 * blind['accuracy_mean']:.2f}% for that baseline on resampled test images. It keeps "
        f"{kept:.0%} of the baseline's margin over chance, {verdict}. {survives}"
    )


def augmentation_sentence(summary: list[dict], baseline: str) -> str:
    """Clean and worst-case accuracy of each augmented model against the baseline."""
    models = list(dict.fromkeys(r["architecture"] for r in summary))
    by_model = {m: rows_of(summary, m) for m in models}

    def described(model: str) -> str:
        rows = by_model[model]
        worst = min(rows, key=lambda c: rows[c]["accuracy"])
        transformed = [r["accuracy"] for c, r in rows.items() if c != CONTROL]
        mean = sum(transformed) / len(transformed)
        label = f"unaugmented ({model})" if model == baseline else model
        return (
            f"{label}: clean {100 * rows[CONTROL]['accuracy']:.2f}%, mean over the transformations "
            f"{100 * mean:.2f}%, worst {100 * rows[worst]['accuracy']:.2f}% ({worst})"
        )

    augmented = [m for m in models if m != baseline]
    clean = {m: 100 * by_model[m][CONTROL]["accuracy"] for m in models}
    worst = {m: 100 * min(r["accuracy"] for r in by_model[m].values()) for m in models}
    trade = "; ".join(
        f"{m} changes clean accuracy by {clean[m] - clean[baseline]:+.2f} points and the worst "
        f"case by {worst[m] - worst[baseline]:+.2f}"
        for m in augmented
    )
    return (
        "Blur + JPEG augmentation (one seed each, the same training images, so no test across "
        "seeds): "
        + "; ".join(described(m) for m in [baseline, *augmented])
        + f". Against the unaugmented baseline, {trade}."
        + unseen_sentence(by_model, baseline, augmented)
    )


def trained_family(corruption: str) -> bool:
    """Whether a transformation belongs to the families the augmentation trains on."""
    return corruption.startswith(("blur", "JPEG"))


def low_pass(corruption: str) -> bool:
    """Whether a transformation outside those families still smooths the image as blur does:
    resampling down and up, or up and down, interpolates away the finest detail."""
    return "down-and-up" in corruption or "enlarged then shrunk" in corruption


def unseen_sentence(by_model: dict, baseline: str, augmented: list[str]) -> str:
    """The augmentation draws from the grid's blur and JPEG families: its change on the
    transformations outside them, the low-pass resamplings apart from the rest."""
    outside = [c for c in by_model[baseline] if c != CONTROL and not trained_family(c)]
    groups = {
        "the resamplings, which smooth the image as blur does": [c for c in outside if low_pass(c)],
        "the rest": [c for c in outside if not low_pass(c)],
    }
    groups = {label: members for label, members in groups.items() if members}
    if not groups or not augmented:
        return ""

    def mean_change(model: str, members: list[str]) -> float:
        rows, base = by_model[model], by_model[baseline]
        return 100 * sum(rows[c]["accuracy"] - base[c]["accuracy"] for c in members) / len(members)

    parts = [
        f"on {label} ({', '.join(members)}) "
        + "; ".join(f"{m} {signed(mean_change(m, members))}" for m in augmented)
        + " points"
        for label, members in groups.items()
    ]
    return (
        " Its blur and JPEG are the grid's own blur and JPEG families, so the gains there are "
        "on damage of a kind seen in training. Outside them the mean accuracy changes "
        + ", and ".join(parts)
        + " (one seed each, untested)."
    )
