"""Notebook 07's findings, written from its saved metrics (`07_robustness.json`), so that they
follow the numbers of the run: what a user can and cannot rely on."""

import math

from ..models.architectures import DISPLAY_NAMES
from .corruptions import CONTROL
from .retraining_findings import augmentation_sentence, held_out_sentence, resampling_sentence
from .wording import ALPHA, joined, names, rows_of, span

DROP_POINTS = 5.0  # a fall in accuracy at 0.5 of at least this many points counts as a loss
AUC_KEPT_POINTS = 2.0  # ROC-AUC within this many points of the control: the ranking survives


def grid_sentences(summary: list[dict], architecture: str) -> list[str]:
    """The control, the corruptions that cost accuracy, and for those whether ROC-AUC stays
    within its margin and whether a re-tuned threshold brings accuracy back."""
    rows = rows_of(summary, architecture)
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
        f"transformations ({names(lost)}); the worst is {worst} "
        f"({100 * rows[worst]['accuracy']:.2f}%, {drops[worst]:.2f} points lost, ROC-AUC "
        f"{100 * rows[worst]['roc_auc']:.2f}%)."
    ]
    if lost:
        sentences.append(_retuned_sentence(name, rows, lost, ranked_kept, auc_drops))
    return sentences


def _retuned_sentence(
    name: str, rows: dict[str, dict], lost: list[str], ranked_kept: list[str], auc_drops: dict
) -> str:
    """For the transformations that cost accuracy: whether ROC-AUC stays within the declared
    margin, and whether a re-tuned threshold brings accuracy back, by the paired test over seeds
    of re-tuned accuracy against the control's (Holm over the architecture's transformations)."""
    control = rows[CONTROL]
    ranking_lost = [c for c in lost if c not in ranked_kept]
    kept = "none of those"
    if ranked_kept:
        kept = f"{len(ranked_kept)} of those ({names(ranked_kept)})"
    text = (
        f"{name}: ROC-AUC falls by less than {AUC_KEPT_POINTS:.0f} points (a declared margin, "
        f"not a test) under {kept}"
    )
    if ranking_lost:
        auc_lost = [auc_drops[c] for c in ranking_lost]
        auc_left = [100 * rows[c]["roc_auc"] for c in ranking_lost]
        text += (
            f"; under {names(ranking_lost)} it falls by {span(auc_lost)} points "
            f"(to {span(auc_left)}%)"
        )
    recovered = [100 * (rows[c]["accuracy_retuned"] - rows[c]["accuracy"]) for c in lost]
    text += (
        f". A threshold re-tuned on the same transformation of the validation split wins back "
        f"{span(recovered)} points across the lost ones"
    )
    p_holm = {c: rows[c].get("accuracy_retuned_p_holm", math.nan) for c in lost}
    untested = [c for c in lost if not math.isfinite(p_holm[c])]
    below = [c for c in lost if c not in untested and p_holm[c] < ALPHA]
    level = [c for c in lost if c not in untested and c not in below]
    short = {c: 100 * (control["accuracy_retuned"] - rows[c]["accuracy_retuned"]) for c in lost}
    parts = []
    if below:
        parts.append(
            f"re-tuned accuracy stays significantly below the control's under {names(below)} "
            f"(by {span([short[c] for c in below])} points; paired t over seeds, Holm over the "
            "transformations), so there detection itself weakens, not only the calibration"
        )
    if level:
        parts.append(
            f"under {names(level)} it is not significantly below the control's re-tuned "
            "accuracy, so no loss beyond the threshold's is shown there"
        )
    if untested:
        parts.append(
            f"under {names(untested)} one seed leaves re-tuned accuracy against the control "
            "untested"
        )
    return text + "; " + "; ".join(parts) + "."


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
    rows = rows_of(filters, architecture)
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
        rows = rows_of(summary, architecture)
        lost_by[architecture] = {
            c
            for c, r in rows.items()
            if 100 * (rows[CONTROL]["accuracy"] - r["accuracy"]) >= DROP_POINTS
        }
    order = [r["corruption"] for r in summary if r["architecture"] == architectures[0]]
    by_all = [c for c in order if all(c in lost for lost in lost_by.values())]
    by_some = [c for c in order if c not in by_all and any(c in lost for lost in lost_by.values())]
    model_names = [DISPLAY_NAMES.get(a, a) for a in architectures]
    tested = joined(model_names)
    partial = ""
    if by_some:
        losers = {
            c: [DISPLAY_NAMES.get(a, a) for a in architectures if c in lost_by[a]] for c in by_some
        }
        partial = "; " + "; ".join(
            f"after {c} only {joined(losers[c])} {'does' if len(losers[c]) == 1 else 'do'}"
            for c in by_some
        )
    drops = {
        (c, a): 100 * (rows_of(summary, a)[CONTROL]["accuracy"] - r["accuracy"])
        for a in architectures
        for c, r in rows_of(summary, a).items()
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
    line = f"{DROP_POINTS:.0f} points or more (the study's line for a loss a user should know of)"
    if not by_all:
        return (
            f"For a user: no transformation in the grid costs every model tested ({tested}) "
            f"{line} at the study's threshold{partial}{rest}.{scope}"
        )
    return (
        f"For a user: after {names(by_all)} each model tested ({tested}) loses {line} at the "
        "study's threshold, so a verdict on an image that went through any of these is that "
        f"much less likely to be right{partial}{rest}.{scope}"
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
