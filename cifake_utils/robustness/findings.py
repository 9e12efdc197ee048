"""Notebook 07's findings, written from its saved metrics (`07_robustness.json`), so that they
follow the numbers of the run: what a user can and cannot rely on."""

import math

from ..models.architectures import DISPLAY_NAMES
from .corruptions import CONTROL

DROP_POINTS = 5.0  # a fall in accuracy at 0.5 of at least this many points counts as a loss
AUC_KEPT_POINTS = 2.0  # ROC-AUC within this many points of the control: the ranking survives


def _rows(summary: list[dict], architecture: str) -> dict[str, dict]:
    return {r["corruption"]: r for r in summary if r["architecture"] == architecture}


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _and(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def _span(values: list[float]) -> str:
    """'a' for one value (or equal ones), 'a–b' for a range, in points."""
    low, high = min(values), max(values)
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}"


def grid_sentences(summary: list[dict], architecture: str) -> list[str]:
    """The control, the corruptions that cost accuracy, and whether the ranking (ROC-AUC)
    survives them: calibration breaking rather than the cue disappearing."""
    rows = _rows(summary, architecture)
    control = rows[CONTROL]
    name = DISPLAY_NAMES.get(architecture, architecture)
    drops = {c: 100 * (control["accuracy"] - r["accuracy"]) for c, r in rows.items()}
    auc_drops = {c: 100 * (control["roc_auc"] - r["roc_auc"]) for c, r in rows.items()}
    lost = [c for c, d in drops.items() if d >= DROP_POINTS]
    ranked_kept = [c for c in lost if auc_drops[c] <= AUC_KEPT_POINTS]
    worst = max(drops, key=drops.get)
    sentences = [
        f"{name}: {100 * control['accuracy']:.2f}% on the lossless control. Accuracy at 0.5 "
        f"falls by {DROP_POINTS:.0f} points or more under {len(lost)} of {len(rows) - 1} "
        f"transformations ({_names(lost)}); the worst is {worst} "
        f"({100 * rows[worst]['accuracy']:.2f}%, {drops[worst]:.2f} points lost, ROC-AUC "
        f"{100 * rows[worst]['roc_auc']:.2f}%)."
    ]
    if lost:
        recovered = [100 * (rows[c]["accuracy_retuned"] - rows[c]["accuracy"]) for c in lost]
        # Only the threshold is wrong where re-tuning it brings accuracy back within the
        # control's run-to-run spread (its 95% interval over seeds; the control itself when
        # one seed gives no interval).
        floor = control.get("accuracy_low")
        if floor is None or not math.isfinite(floor):
            floor = control["accuracy"]
        threshold_only = [c for c in ranked_kept if rows[c]["accuracy_retuned"] >= floor]
        weakened = [c for c in ranked_kept if c not in threshold_only]
        ranking_lost = [c for c in lost if c not in ranked_kept]
        kept = (
            f"ROC-AUC stays within {AUC_KEPT_POINTS:.0f} points of the control under "
            f"{len(ranked_kept)} of those ({_names(ranked_kept)}), where the scores rank FAKE "
            "above REAL about as well as on the control"
            if ranked_kept
            else f"ROC-AUC stays within {AUC_KEPT_POINTS:.0f} points of the control under none "
            "of those"
        )
        if ranking_lost:
            auc_lost = [auc_drops[c] for c in ranking_lost]
            auc_left = [100 * rows[c]["roc_auc"] for c in ranking_lost]
            kept += (
                f"; under {_names(ranking_lost)} it falls by {_span(auc_lost)} points "
                f"(to {_span(auc_left)}%)"
            )
        text = (
            f"{name}: {kept}. A threshold re-tuned on the same transformation of the validation "
            f"split wins back {_span(recovered)} points across the lost ones"
        )
        if threshold_only:
            text += (
                "; it brings accuracy back within the control's run-to-run spread under "
                f"{_names(threshold_only)}, where only the threshold is wrong"
            )
        if weakened:
            short = [100 * (control["accuracy"] - rows[c]["accuracy_retuned"]) for c in weakened]
            where = (
                f", but not under {_names(weakened)}"
                if threshold_only
                else f"; under {_names(weakened)}, where the ranking holds, it does not bring "
                "accuracy back within the control's run-to-run spread"
            )
            text += (
                f"{where}: there re-tuned accuracy stays {_span(short)} points below the "
                "control, so detection itself weakens, not only the calibration"
            )
        sentences.append(text + ".")
    return sentences


def shortcut_sentence(trivial: list[dict], cnn_accuracy: dict[str, float]) -> str:
    """How far a logistic regression on simple statistics gets, against the CNNs."""
    best = max(trivial, key=lambda r: r["accuracy"])
    size = next((r for r in trivial if r["features"] == "JPEG file size"), None)
    cnns = ", ".join(f"{name} {100 * a:.2f}%" for name, a in cnn_accuracy.items())
    size_text = (
        f"; the JPEG file size alone reaches {100 * size['accuracy']:.2f}% "
        f"(ROC-AUC {100 * size['roc_auc']:.2f}%)"
        if size
        else ""
    )
    if size and "tree_accuracy" in size:
        size_text += (
            f", and a depth-3 tree on it, which can use a difference in spread, "
            f"{100 * size['tree_accuracy']:.2f}% (ROC-AUC {100 * size['tree_roc_auc']:.2f}%)"
        )
    return (
        f"A logistic regression on simple image statistics reaches {100 * best['accuracy']:.2f}% "
        f"test accuracy at best ({best['features']}; ROC-AUC {100 * best['roc_auc']:.2f}%)"
        f"{size_text}, against the CNNs' clean {cnns}."
    )


def filter_sentence(filters: list[dict], architecture: str) -> str:
    """Which band of the image the detector needs: low-pass against high-pass input."""
    rows = _rows(filters, architecture)
    name = DISPLAY_NAMES.get(architecture, architecture)
    parts = [
        f"{band} {100 * r['accuracy']:.2f}% at 0.5 (ROC-AUC {100 * r['roc_auc']:.2f}%)"
        for band, r in rows.items()
    ]
    return f"{name} on filtered inputs: {'; '.join(parts)}."


def photograph_sentence(shares: list[dict]) -> str:
    """The share of non-CIFAR real photographs called REAL, per architecture."""
    parts = []
    for row in shares:
        name = DISPLAY_NAMES.get(row["architecture"], row["architecture"])
        if row["seeds"] == 1:
            spread = ""
        elif row["share_min"] == row["share_max"]:
            spread = f" (the same share on all {row['seeds']} seeds)"
        else:
            spread = f" (per seed {100 * row['share_min']:.0f}–{100 * row['share_max']:.0f}%)"
        always = f"; every seed calls {row['always_fake']} FAKE" if row["always_fake"] else ""
        kinds = ""
        if row.get("scenes") and row.get("textures"):
            kinds = (
                f" ({100 * row['scene_share_called_real']:.0f}% of the {row['scenes']} scenes "
                f"and {100 * row['texture_share_called_real']:.0f}% of the {row['textures']} "
                "textures, over seeds)"
            )
        parts.append(
            f"{name} calls {100 * row['share_called_real']:.0f}%{spread} REAL{kinds}{always}"
        )
    count = shares[0]["photographs"] if shares else 0
    always_fake = any(row["always_fake"] for row in shares)
    shown = (
        "that every seed of a model can call a real photograph from outside CIFAKE FAKE"
        if always_fake
        else "no photograph that every seed of a model calls FAKE"
    )
    return (
        f"Of {count} real photographs that are not CIFAR-10 images: {'; '.join(parts)}. "
        f"{count} real images, and no generated image from outside CIFAKE, are too few for a "
        f"rate; they show only {shown}."
    )


def reliance_sentence(summary: list[dict]) -> str:
    """What a user may rely on: the transformations under which every architecture in the
    grid (named, so that the sentence cannot be read as covering models it did not test) loses
    the threshold's points of accuracy at 0.5, and those under which only some do."""
    architectures = list(dict.fromkeys(r["architecture"] for r in summary))
    lost_by: dict[str, set[str]] = {}
    for architecture in architectures:
        rows = _rows(summary, architecture)
        lost_by[architecture] = {
            c
            for c, r in rows.items()
            if 100 * (rows[CONTROL]["accuracy"] - r["accuracy"]) >= DROP_POINTS
        }
    order = [r["corruption"] for r in summary if r["architecture"] == architectures[0]]
    by_all = [c for c in order if all(c in lost for lost in lost_by.values())]
    by_some = [c for c in order if c not in by_all and any(c in lost for lost in lost_by.values())]
    names = [DISPLAY_NAMES.get(a, a) for a in architectures]
    tested = _and(names)
    partial = ""
    if by_some:
        losers = {
            c: [DISPLAY_NAMES.get(a, a) for a in architectures if c in lost_by[a]] for c in by_some
        }
        partial = "; " + "; ".join(
            f"after {c} only {_and(losers[c])} {'does' if len(losers[c]) == 1 else 'do'}"
            for c in by_some
        )
    drops = {
        (c, a): 100 * (_rows(summary, a)[CONTROL]["accuracy"] - r["accuracy"])
        for a in architectures
        for c, r in _rows(summary, a).items()
        if c != CONTROL and c not in lost_by[a]
    }
    rest = ""
    if drops:
        (corruption, architecture), drop = max(drops.items(), key=lambda item: item[1])
        rest = (
            f"; below that line the largest loss is {drop:.2f} points "
            f"({DISPLAY_NAMES.get(architecture, architecture)}, {corruption})"
        )
    scope = " The grid transforms CIFAKE's own test images, so it says nothing of images from "
    scope += "elsewhere."
    if not by_all:
        return (
            f"For a user: no transformation in the grid costs every model tested ({tested}) "
            f"{DROP_POINTS:.0f} points or more at the study's threshold{partial}{rest}.{scope}"
        )
    return (
        f"For a user: after {_names(by_all)} each model tested ({tested}) loses "
        f"{DROP_POINTS:.0f} points or more at the study's threshold{partial}, so a verdict on "
        f"an image that went through any of them should not be trusted{rest}.{scope}"
    )


def robustness_findings(results: dict, heading: bool = True) -> str:
    """The Findings section of notebook 07, from `07_robustness.json` (without its heading
    for the README)."""
    architectures = list(dict.fromkeys(r["architecture"] for r in results["grid"]))
    sentences = [s for a in architectures for s in grid_sentences(results["grid"], a)]
    sentences.append(shortcut_sentence(results["trivial_classifiers"], results["clean_accuracy"]))
    sentences += [filter_sentence(results["filters"], a) for a in architectures]
    sentences.append(photograph_sentence(results["photographs"]))
    if "held_out" in results:
        sentences.append(held_out_sentence(results["held_out"]))
    if "augmentation" in results:
        sentences.append(augmentation_sentence(results["augmentation"], results["baseline"]))
    if "resampling" in results:
        sentences.append(resampling_sentence(results["resampling"], results["resampling_test"]))
    sentences.append(reliance_sentence(results["grid"]))
    bullets = [f"- {s}" for s in sentences]
    return "\n".join(["## Findings", "", *bullets] if heading else bullets)


ALPHA = 0.05


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
    worse = [r for r in rows if r.get("p_holm", r["p_value"]) < ALPHA and r["difference"] < 0]
    unseen = [100 * r["accuracy_without"] for r in rows]
    margin = [
        100 * (r["accuracy_without"] - 0.5) / (r["accuracy_baseline"] - 0.5)
        for r in rows
        if r["accuracy_baseline"] > 0.5
    ]
    carried = (
        f"on a class it never saw it still scores {_span(unseen)}% (chance is 50%), "
        f"{_span(margin)}% of its baseline's margin over chance"
    )
    if worse:
        lost = [-100 * r["difference"] for r in worse]
        reading = (
            f"{carried}; but losing {_span(lost)} points on {len(worse)} of {len(rows)} classes "
            "shows that its accuracy on a class depends on having trained on that class's REAL "
            "and FAKE images. Whether what it learned from them is the objects themselves or "
            "generator traces peculiar to that class, this test cannot tell apart"
        )
    else:
        reading = (
            f"{carried}; no held-out class costs a significant loss, so these tests find no "
            "dependence on having seen the class (with these seeds, a loss smaller than each "
            "interval's lower end cannot be ruled out)"
        )
    seeds = rows[0].get("seeds", 1) if rows else 0
    return (
        "Trained without a CIFAR-10 class (REAL and FAKE), CNN2D scores on that class's test "
        f"images (means over {seeds} seed{'s' if seeds != 1 else ''}, each against the same "
        f"seed's same-size baseline trained on all classes): {'; '.join(parts)}; {reading}."
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
            "resized or the generator's own detail; this control cannot tell the two apart)"
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
    by_model = {m: _rows(summary, m) for m in models}

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
    )


def user_guidance(results: dict | None, beyond: dict | None = None) -> str:
    """For notebook 06 and the web app: what notebook 07's measurements mean for a user's
    verdict, from `07_robustness.json` (None: a line saying notebook 07 has not run in this
    profile). With notebook 08's summary (`08_beyond.json`), the reliance sentence is judged on
    its corruption grid, which adds the beyond model to the paper's two."""
    if results is None:
        return "*Notebook 07 has not run in this profile: `metrics/07_robustness.json` is missing.*"
    grid = beyond["grid"] if beyond and "grid" in beyond else results["grid"]
    sentences = [reliance_sentence(grid), photograph_sentence(results["photographs"])]
    if "held_out" in results:
        sentences.append(held_out_sentence(results["held_out"]))
    return "\n".join(f"- {s}" for s in sentences)
