"""Notebook 07's findings, written from its saved metrics (`07_robustness.json`), so that they
follow the numbers of the run: what a user can and cannot rely on."""

import math

from ..models.architectures import DISPLAY_NAMES
from ..significance import ALPHA
from .corruptions import CONTROL, SAME_AS
from .direction import direction_clause
from .retraining_findings import augmentation_sentence, held_out_sentence, resampling_sentence
from .wording import joined, names, rows_of, shortcut_family, signed_span, span

DROP_POINTS = 5.0  # a fall in accuracy at 0.5 of at least this many points counts as a loss
AUC_KEPT_POINTS = 2.0  # ROC-AUC within this many points of the control: the ranking survives
SIMULTANEOUS = "95% interval over seeds, simultaneous over the model's transformations"


def loss_verdicts(summary: list[dict], architecture: str) -> dict[str, str]:
    """Per transformation, accuracy at 0.5 against the control's by the paired t over seeds,
    Holm over the architecture's transformations: "lower", "higher", "not significant", or
    "untested" (one seed, or no test in the saved summary)."""
    verdicts = {}
    for corruption, row in rows_of(summary, architecture).items():
        if corruption == CONTROL:
            continue
        p = row.get("accuracy_p_holm", math.nan)
        if not math.isfinite(p):
            verdicts[corruption] = "untested"
        elif p >= ALPHA:
            verdicts[corruption] = "not significant"
        else:
            lower = _drop(summary, architecture, corruption) > 0
            verdicts[corruption] = "lower" if lower else "higher"
    return verdicts


def line_verdict(row: dict, drop_points: float) -> str:
    """The loss at 0.5 against the user's line of `DROP_POINTS`: "past" when its whole interval
    lies at or past it, "short" below it, "undecided" across it; with one seed the point
    estimate decides ("past, one seed" or "short, one seed")."""
    low, high = row.get("accuracy_drop_low", math.nan), row.get("accuracy_drop_high", math.nan)
    if math.isfinite(low) and math.isfinite(high):
        if 100 * low >= DROP_POINTS:
            return "past"
        return "short" if 100 * high < DROP_POINTS else "undecided"
    return "past, one seed" if drop_points >= DROP_POINTS else "short, one seed"


def _drop(summary: list[dict], architecture: str, corruption: str) -> float:
    """The loss of accuracy at 0.5 against the control, in points."""
    rows = rows_of(summary, architecture)
    return 100 * (rows[CONTROL]["accuracy"] - rows[corruption]["accuracy"])


def _with_interval(row: dict, drop: float) -> str:
    low, high = row.get("accuracy_drop_low", math.nan), row.get("accuracy_drop_high", math.nan)
    if math.isfinite(low) and math.isfinite(high):
        return f"{drop:.2f} points, 95% interval {100 * low:.2f}–{100 * high:.2f}"
    return f"{drop:.2f} points"


def grid_sentences(summary: list[dict], architecture: str) -> list[str]:
    """The control; every transformation whose accuracy at 0.5 is significantly below it, with
    its loss; the user's line judged on each loss's interval; and, for the significant losses,
    whether ROC-AUC stays within its margin and whether a re-tuned threshold brings accuracy
    back."""
    rows = rows_of(summary, architecture)
    control = rows[CONTROL]
    name = DISPLAY_NAMES.get(architecture, architecture)
    verdicts = loss_verdicts(summary, architecture)
    drops = {c: _drop(summary, architecture, c) for c in verdicts}
    auc_drops = {c: 100 * (control["roc_auc"] - rows[c]["roc_auc"]) for c in verdicts}
    lower = [c for c, v in verdicts.items() if v == "lower"]
    untested = [c for c, v in verdicts.items() if v == "untested"]
    worst = max(drops, key=drops.get) if drops else CONTROL
    seeds = int(control.get("seeds", 1))
    listed = ", ".join(f"{c} ({drops[c]:.2f} points)" for c in lower) or "none"
    text = f"{name}: {100 * control['accuracy']:.2f}% on the lossless control."
    if len(untested) < len(verdicts):
        text += (
            f" Accuracy at 0.5 is significantly lower (paired t over {seeds} seeds, Holm over "
            f"the {len(verdicts)} transformations) under {len(lower)} of {len(verdicts)}: "
            f"{listed}"
        )
        if untested:
            text += f"; {names(untested)} untested"
    else:
        text += " One seed leaves every loss against it untested"
    higher = [c for c, v in verdicts.items() if v == "higher"]
    if higher:
        text += f"; significantly higher under {names(higher)}"
    if drops:
        text += (
            f". The lowest mean is under {worst} ({100 * rows[worst]['accuracy']:.2f}%, ROC-AUC "
            f"{100 * rows[worst]['roc_auc']:.2f}%; transformations are not ranked by a test)"
        )
    sentences = [text.rstrip(".") + ".", _line_sentence(name, rows, drops)]
    if lower or untested:
        considered = [
            c for c in verdicts if c in lower or (c in untested and drops[c] >= DROP_POINTS)
        ]
        if considered:
            sentences.append(_retuned_sentence(name, rows, considered, auc_drops))
    return sentences


def _line_sentence(name: str, rows: dict[str, dict], drops: dict[str, float]) -> str:
    """Each transformation's loss against the user's line, judged on its interval."""
    judged = {c: line_verdict(rows[c], d) for c, d in drops.items()}
    past = [c for c, v in judged.items() if v.startswith("past")]
    undecided = [c for c, v in judged.items() if v == "undecided"]
    near = [c for c, v in judged.items() if v.startswith("short") and drops[c] >= DROP_POINTS / 2]
    one_seed = any(v.endswith("one seed") for v in judged.values())
    basis = "the point estimate, one seed" if one_seed else SIMULTANEOUS
    text = (
        f"{name} against the {DROP_POINTS:.0f}-point line a user is warned at ({basis}): past "
        f"it under {len(past)} of {len(judged)}"
    )
    if past:
        text += f" ({'; '.join(f'{c}: {_with_interval(rows[c], drops[c])}' for c in past)})"
    if undecided:
        text += "; the interval straddles it under " + "; ".join(
            f"{c} ({_with_interval(rows[c], drops[c])})" for c in undecided
        )
    if near:
        text += "; short of it, though at more than half of it, under " + "; ".join(
            f"{c} ({_with_interval(rows[c], drops[c])})" for c in near
        )
    return text + "."


def _retuned_sentence(
    name: str, rows: dict[str, dict], considered: list[str], auc_drops: dict
) -> str:
    """For the transformations that cost accuracy: whether ROC-AUC stays within the declared
    margin, and whether a re-tuned threshold brings accuracy back, by the paired test over seeds
    of re-tuned accuracy against the control's (Holm over the architecture's transformations)."""
    control = rows[CONTROL]
    ranked_kept = [c for c in considered if auc_drops[c] <= AUC_KEPT_POINTS]
    ranking_lost = [c for c in considered if c not in ranked_kept]
    kept = "none of those"
    if ranked_kept:
        kept = f"{len(ranked_kept)} of those ({names(ranked_kept)})"
    text = (
        f"{name}: ROC-AUC's mean falls by less than {AUC_KEPT_POINTS:.0f} points (a declared "
        f"margin on the mean, not a test) under {kept}"
    )
    if ranking_lost:
        auc_lost = [auc_drops[c] for c in ranking_lost]
        auc_left = [100 * rows[c]["roc_auc"] for c in ranking_lost]
        text += (
            f"; under {names(ranking_lost)} it falls by {span(auc_lost)} points "
            f"(to {span(auc_left)}%)"
        )
    recovered = {c: 100 * (rows[c]["accuracy_retuned"] - rows[c]["accuracy"]) for c in considered}
    most = max(recovered, key=recovered.get)
    text += (
        ". A threshold re-tuned on the same transformation of the validation split changes "
        f"accuracy by {signed_span(list(recovered.values()))} points across those (most under "
        f"{most})"
    )
    p_holm = {c: rows[c].get("accuracy_retuned_p_holm", math.nan) for c in considered}
    untested = [c for c in considered if not math.isfinite(p_holm[c])]
    below = [c for c in considered if c not in untested and p_holm[c] < ALPHA]
    level = [c for c in considered if c not in untested and c not in below]
    short = {
        c: 100 * (control["accuracy_retuned"] - rows[c]["accuracy_retuned"]) for c in considered
    }
    parts = []
    large = [c for c in below if short[c] >= DROP_POINTS]
    small = [c for c in below if c not in large]
    if large:
        parts.append(
            f"re-tuned accuracy stays significantly below the control's (paired t over seeds "
            f"against no loss, Holm over the transformations), with mean losses of "
            f"{DROP_POINTS:.0f} points or more, under {names(large)} (by "
            f"{span([short[c] for c in large])} points), so there detection itself weakens, not "
            "only the threshold"
        )
    if small:
        parts.append(
            f"under {names(small)} re-tuned accuracy is significantly below the control's too, "
            f"but by less than {DROP_POINTS:.0f} points ({span([short[c] for c in small])}), a "
            "small loss beyond the threshold's"
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
        if math.isfinite(size.get("tree_accuracy_p", math.nan)):
            family = shortcut_family(trivial)
            p = next(p for r, prefix, p in family if r is size and prefix == "tree_")
            beyond = p < ALPHA and size["tree_accuracy"] > 0.5
            size_text += (
                f", {'significantly' if beyond else 'not significantly'} above chance "
                f"(95% interval {100 * size['tree_accuracy_low']:.2f}–"
                f"{100 * size['tree_accuracy_high']:.2f}%, exact binomial p = "
                f"{p:.2g} after Holm over the {len(family)} classifiers): "
                + ("a weak but real label signal in the file size" if beyond else "no signal shown")
            )
    judged = ""
    if math.isfinite(best.get("accuracy_p", math.nan)):
        weakest = min(cnn_accuracy.values())
        below = best["accuracy_high"] < weakest
        gap = 100 * (weakest - best["accuracy"])
        close = "within" if gap < DROP_POINTS else "not within"
        p = best["accuracy_p"]
        judged = (
            f"; 95% interval {100 * best['accuracy_low']:.2f}–{100 * best['accuracy_high']:.2f}%, "
            f"exact binomial p against chance {'< 1e-300' if p == 0 else f'= {p:.2g}'}: "
            f"{'above' if best['accuracy_p'] < ALPHA and best['accuracy'] > 0.5 else 'not above'} "
            f"chance, and {'wholly below' if below else 'not wholly below'} every CNN's "
            f"accuracy; {gap:.2f} points below the weaker CNN, so {close} the "
            f"{DROP_POINTS:.0f}-point line that counts as close"
        )
    return (
        f"A logistic regression on simple image statistics reaches {100 * best['accuracy']:.2f}% "
        f"test accuracy at best ({best['features']}; ROC-AUC {100 * best['roc_auc']:.2f}%"
        f"{judged}){size_text}, against the CNNs' clean {cnns}."
    )


def filter_sentence(filters: list[dict], architecture: str) -> str:
    """Which band of the image the detector needs: low-pass against high-pass input."""
    rows = rows_of(filters, architecture)
    name = DISPLAY_NAMES.get(architecture, architecture)
    alias = {band: f" (the grid's {grid_name})" for band, grid_name in SAME_AS.items()}
    parts = [
        f"{band}{alias.get(band, '')} {100 * r['accuracy']:.2f}% at 0.5 "
        f"(ROC-AUC {100 * r['roc_auc']:.2f}%)"
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
        f"The shares describe these {count} images only: so few real images, and no generated "
        f"image from outside CIFAKE, cannot estimate a rate for photographs in general; they "
        f"show only {shown}."
    )


def reliance_sentence(summary: list[dict]) -> str:
    """What a user may rely on: the transformations under which every architecture in the
    grid (named, so that the sentence cannot be read as covering models it did not test) loses
    the line's points of accuracy at 0.5, judged on each loss's interval over seeds
    (`line_verdict`), those under which only some do, and the losses the interval leaves
    undecided."""
    architectures = list(dict.fromkeys(r["architecture"] for r in summary))
    judged: dict[str, dict[str, str]] = {}
    for architecture in architectures:
        rows = rows_of(summary, architecture)
        judged[architecture] = {
            c: line_verdict(r, _drop(summary, architecture, c))
            for c, r in rows.items()
            if c != CONTROL
        }
    lost_by = {a: {c for c, v in judged[a].items() if v.startswith("past")} for a in architectures}
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
    undecided = [
        f"{DISPLAY_NAMES.get(a, a)} after {c} "
        f"({_with_interval(rows_of(summary, a)[c], _drop(summary, a, c))})"
        for a in architectures
        for c, v in judged[a].items()
        if v == "undecided"
    ]
    if undecided:
        partial += "; the interval straddles the line for " + "; ".join(undecided)
    drops = {
        (c, a): _drop(summary, a, c)
        for a in architectures
        for c, v in judged[a].items()
        if v.startswith("short")
    }
    rest = ""
    if drops:
        (corruption, architecture), drop = max(drops.items(), key=lambda item: item[1])
        row = rows_of(summary, architecture)[corruption]
        rest = (
            f"; short of that line the largest loss is {_with_interval(row, drop)} "
            f"({DISPLAY_NAMES.get(architecture, architecture)}, {corruption})"
        )
    one_seed = any(v.endswith("one seed") for a in judged for v in judged[a].values())
    basis = "the point estimate, one seed" if one_seed else "the whole " + SIMULTANEOUS
    scope = " The grid transforms CIFAKE's own test images: it says nothing of other images."
    line = (
        f"{DROP_POINTS:.0f} points or more (the study's line for a loss a user should know of; "
        f"judged on {basis})"
    )
    if not by_all:
        return (
            f"For a user: no transformation in the grid costs every model tested ({tested}) "
            f"{line} at the study's threshold{partial}{rest}.{scope}"
        )
    return (
        f"For a user: after {names(by_all)} each model tested ({tested}) loses {line} at the "
        f"study's threshold, averaged over REAL and FAKE images{direction_clause(summary, by_all)}"
        f"{partial}{rest}.{scope}"
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
