"""Notebook 05's sanity-check findings (Adebayo et al., 2018), from its saved metrics: model
randomisation and the shuffled-label control, judged against the same-labels, different-seed
reference when the metrics hold one, else against a fixed similarity line."""

import math

from ..significance import ALPHA
from .wording import joined as _joined
from .wording import p_text as _p

CHANGED_BELOW = 0.5  # a map counts as changed when its similarity to the trained map is below


def _similarity(row: dict) -> float:
    """Sign-invariant similarity of a randomised model's maps to the trained model's: per seed
    |mean ρ| averaged over seeds (the saved `sign_invariant`; |mean ρ| for older metrics)."""
    return row.get("sign_invariant", abs(row["mean_spearman"]))


def _most_similar_seed(row: dict) -> float:
    """The seed whose maps stay most similar (the mean for metrics saved without it)."""
    return row.get("sign_invariant_max", _similarity(row))


def _stays(row: dict) -> str:
    """'0.87 up to hidden', or '0.34 (one seed 0.60) up to fake_probability'."""
    mean, most = _similarity(row), _most_similar_seed(row)
    seed = f" (one seed {most:.2f})" if mean < CHANGED_BELOW <= most else ""
    return f"{mean:.2f}{seed} {row['randomised']}"


def sanity_sentence(
    model: str, randomisation: list[dict], data: list[dict], reference: list[dict] | None = None
) -> str:
    """The model-randomisation check, stage by stage, with its verdict per method, then the
    data-randomisation check; judged against the same-labels, different-seed `reference` when
    there is one (`reference_sentence`), else against `CHANGED_BELOW`."""
    if reference:
        return reference_sentence(model, randomisation, data, reference)
    stages = list(dict.fromkeys(r["randomised"] for r in randomisation))
    methods = list(dict.fromkeys(r["method"] for r in randomisation))
    by = {(r["method"], r["randomised"]): r for r in randomisation}
    trace = "; ".join(
        f"{m} " + ", ".join(f"{_similarity(by[m, st]):.2f}" for st in stages if (m, st) in by)
        for m in methods
    )
    failed = {
        m: [st for st in stages if (m, st) in by and _most_similar_seed(by[m, st]) >= CHANGED_BELOW]
        for m in methods
    }
    passing = [m for m in methods if not failed[m]]
    verdicts = []
    if passing:
        verb = "passes" if len(passing) == 1 else "pass"
        verdicts.append(f"{_joined(passing)} {verb} at every stage")
    for m in methods:
        if failed[m]:
            stays = ", ".join(_stays(by[m, st]) for st in failed[m])
            verdicts.append(f"{m} fails where its maps stay similar ({stays})")
    seeds = max((int(r.get("seeds", 1)) for r in randomisation), default=1)
    names = ", ".join(st.removeprefix("up to ") for st in stages)
    flat = max(max(r["flat_trained"] for r in randomisation), 0.0)
    dropped = max((r.get("undefined", 0.0) for r in randomisation), default=0.0)
    flat_text = (
        f"At most {flat:.1%} of the trained model's maps are flat"
        if flat > 0
        else "None of the trained model's maps in this sample is flat"
    )
    flat_text += (
        f"; a pair with a flat map has no correlation and is left out of the mean, at most "
        f"{dropped:.1%} of the images at a stage."
        if dropped > 0
        else "; no pair is left out."
    )
    return (
        f"Sanity, {model}: each randomised model's maps against the trained model's (Spearman "
        f"ρ, sign-invariant: per seed |mean ρ| over the images, then the mean over {seeds} "
        f"seed{'s' if seeds != 1 else ''}), with the layers re-initialised from the output down "
        f"({names}): {trace}. A method passes at a stage when every seed's similarity is below "
        f"{CHANGED_BELOW:.1f}: "
        f"{'; '.join(verdicts)}. {flat_text} {data_sentence(data)}"
    )


def against_reference(low: float, high: float, reference: dict) -> str:
    """`across_seeds.against_reference`'s rule, restated here on saved rows."""
    if not all(math.isfinite(v) for v in (low, high, reference["low"], reference["high"])):
        return "untested"
    if high < reference["low"]:
        return "below"
    return "above" if low > reference["high"] else "overlaps"


REFERENCE_WORDS = {
    "below": "passes (less alike than another seed's maps)",
    "overlaps": "cannot be told from a change of seed",
    "above": "fails (more alike than another seed's maps)",
    "untested": "is untested (no interval)",
}


def reference_sentence(
    model: str, randomisation: list[dict], data: list[dict], reference: list[dict]
) -> str:
    """Both sanity checks under one rule with intervals: a randomised model's sign-invariant
    similarity to the trained maps (95% interval over re-initialisation seeds; for the
    shuffled-label model, over the images) against the similarity of two seeds trained on the
    same labels (95% interval over the seed pairs)."""
    ref = {r["method"]: r for r in reference}
    ref_text = "; ".join(
        f"{m} {r['similarity']:.2f} ({r['low']:.2f}–{r['high']:.2f}, {int(r['pairs'])} pairs)"
        for m, r in ref.items()
    )
    stages = list(dict.fromkeys(r["randomised"] for r in randomisation))
    parts = []
    for method in ref:
        rows = [r for r in randomisation if r["method"] == method]
        judged = {
            r["randomised"]: against_reference(
                r.get("sign_invariant_low", math.nan),
                r.get("sign_invariant_high", math.nan),
                ref[method],
            )
            for r in rows
        }
        trace = ", ".join(f"{r['sign_invariant']:.2f}" for r in rows)
        clauses = []
        for outcome, word, why in (
            ("above", "fails", "more alike than another seed's maps"),
            ("overlaps", "is undecided", REFERENCE_WORDS["overlaps"]),
            ("untested", "is untested", "no interval"),
        ):
            where = [st.removeprefix("up to ") for st, v in judged.items() if v == outcome]
            if where:
                verb = "is" if len(where) == 1 else "are"
                clauses.append(f"{word} where {', '.join(where)} {verb} re-initialised ({why})")
        verdict = "; ".join(clauses) or "passes at every stage"
        parts.append(f"{method} {trace}: {verdict}")
    shuffled, matched = [], False
    for row in data:
        interval = similarity_interval(row)
        if interval is None or row["method"] not in ref:
            continue
        value, low, high = interval
        own = matched_reference(row, ref[row["method"]])
        matched = matched or own.get("matched", False)
        shuffled.append(
            f"{row['method']} {value:.2f} ({low:.2f}–{high:.2f}) against "
            f"{own['similarity']:.2f} ({own['low']:.2f}–{own['high']:.2f}): "
            + REFERENCE_WORDS[against_reference(low, high, own)]
        )
    fit = data[0].get("shuffled-label model's fit to its labels") if data else None
    data_text = ""
    if shuffled and fit is not None and fit >= FITTED_SHUFFLED:
        against = (
            "a second true-label model on the same subset from another weight seed, so both "
            "sides share the training size"
            if matched
            else "the full-data seeds' reference above"
        )
        data_text = (
            " Data randomisation, under the same rule (the shuffled-label model against the "
            "same model trained alike on the true labels, judged against "
            f"{against}; 95% intervals over the images of one model pair each): "
            + "; ".join(shuffled)
            + "."
        )
    seeds = max((int(r.get("seeds", 1)) for r in randomisation), default=1)
    names = ", ".join(st.removeprefix("up to ") for st in stages)
    return (
        f"Sanity, {model}: two seeds trained on the same labels have maps this alike "
        f"(sign-invariant |mean ρ| of seed 0's maps against each other seed's, 95% interval "
        f"over the pairs): {ref_text}. A check passes only where a randomised model's "
        f"similarity lies wholly below that interval. Model randomisation, layers re-initialised "
        f"from the output down ({names}; |mean ρ| per stage, {seeds} re-initialisation seeds): "
        + "; ".join(parts)
        + "."
        + data_text
        + " "
        + control_sentence(data)
    )


FITTED_SHUFFLED = 0.9  # a shuffled-label control must fit its random labels at least this well


def matched_reference(row: dict, fallback: dict) -> dict:
    """The data-randomisation check's reference: two true-label models on the shuffled-label
    control's own subset, from two weight seeds (|mean ρ| and its interval over the images);
    `fallback`, the full-data seeds' reference, for metrics saved without it."""
    found = similarity_interval(
        {"mean_spearman": row.get("same_labels_spearman"), "sem": row.get("same_labels_sem")}
    )
    if found is None:
        return fallback
    value, low, high = found
    return {"similarity": value, "low": low, "high": high, "matched": True}


def similarity_interval(row: dict) -> tuple[float, float, float] | None:
    """|mean ρ| and its 95% interval over the images (normal, from the saved standard error;
    the interval of |mean ρ| is that of mean ρ folded at zero); None when every map is flat."""
    mean, sem = row.get("mean_spearman"), row.get("sem")
    if mean is None or not math.isfinite(mean):
        return None
    half = 1.96 * sem if sem is not None and math.isfinite(sem) else 0.0
    low, high = mean - half, mean + half
    folded_low = 0.0 if low < 0 < high else min(abs(low), abs(high))
    return abs(mean), folded_low, max(abs(low), abs(high))


def _chance_phrase(accuracy: float, p_value: float | None) -> str:
    """', above chance (binomial p = …)' and the like; empty without a test."""
    if p_value is None:
        return ""
    if p_value >= ALPHA:
        return f", not significantly different from chance (binomial p = {_p(p_value)})"
    side = "above" if accuracy > 0.5 else "below"
    return f", {side} chance (binomial p = {_p(p_value)})"


def _control_facts(data: list[dict]) -> tuple[float | None, str]:
    """The shuffled-label model's fit to its labels, and what else is known of it."""
    first = data[0]
    fit = first.get("shuffled-label model's fit to its labels")
    validation = first.get("shuffled-label model's validation accuracy")
    agreement = first.get("shuffled labels' agreement with the true ones")
    facts = []
    if agreement is not None:
        facts.append(f"its shuffled labels agree with the true ones on {agreement:.1%}")
    if validation is not None:
        p_chance = first.get("shuffled-label validation p vs 50%")
        chance = _chance_phrase(validation, p_chance)
        if p_chance is not None and p_chance < ALPHA:
            chance += ", so its outputs still carry some signal of the real labels"
        facts.append(f"it scores {validation:.1%} on the real validation labels{chance}")
    known = f" ({'; '.join(facts)})" if facts else ""
    return fit, known


def _not_done(fit: float | None, known: str) -> str:
    fitted = (
        f"fits them only to {fit:.1%} in inference mode"
        if fit is not None
        else "has no recorded fit to them"
    )
    return (
        f"The model trained on shuffled labels {fitted}{known}; a control must memorise "
        f"them (at least {FITTED_SHUFFLED:.0%}), so the data-randomisation check is not done "
        "here."
    )


def control_sentence(data: list[dict]) -> str:
    """What the shuffled-label control is: its fit, its labels' agreement with the true ones
    and its accuracy on the real validation labels; or why the check is not done."""
    fit, known = _control_facts(data)
    if fit is None or fit < FITTED_SHUFFLED:
        return _not_done(fit, known)
    epochs = data[0].get("epochs")
    trained = f" over {int(epochs)} epochs" if epochs else ""
    return (
        "The shuffled-label control: the same architecture trained on the shuffled labels of a "
        f"small training subset fits them to {fit:.1%} in inference mode{trained}{known}."
    )


def data_sentence(data: list[dict]) -> str:
    """The data-randomisation check, or why it is not done: a model that has not fitted its
    shuffled labels is no control. A method passes when the 95% interval of the sign-invariant
    similarity (|mean ρ|) of the shuffled-label model's maps to the true-label model's, both
    trained alike on the same images, lies below CHANGED_BELOW, fails when it lies at or above
    it, and is undecided otherwise."""
    first = data[0]
    fit, known = _control_facts(data)
    if fit is None or fit < FITTED_SHUFFLED:
        return _not_done(fit, known)
    verdicts: dict[str, list[str]] = {"pass": [], "fail": [], "undecided": [], "undefined": []}
    trace = []
    for row in data:
        interval = similarity_interval(row)
        if interval is None:
            verdicts["undefined"].append(row["method"])
            trace.append(f"{row['method']} undefined (every map flat)")
            continue
        value, low, high = interval
        trace.append(f"{row['method']} {value:.2f} ({low:.2f}–{high:.2f})")
        if high < CHANGED_BELOW:
            verdicts["pass"].append(row["method"])
        elif low >= CHANGED_BELOW:
            verdicts["fail"].append(row["method"])
        else:
            verdicts["undecided"].append(row["method"])
    words = {
        "pass": ("passes", "pass", "(the maps change when only the labels change)"),
        "fail": ("fails", "fail", "(the maps stay alike when only the labels change)"),
        "undecided": ("is", "are", f"undecided (the interval straddles {CHANGED_BELOW:.1f})"),
        "undefined": ("has", "have", "no correlation to judge"),
    }
    parts = []
    for key, methods in verdicts.items():
        if methods:
            one, many, why = words[key]
            parts.append(f"{_joined(methods)} {many if len(methods) > 1 else one} {why}")
    full = [
        f"{r['method']} {abs(r['mean_spearman_full_model']):.2f}"
        for r in data
        if r.get("mean_spearman_full_model") is not None
        and math.isfinite(r["mean_spearman_full_model"])
    ]
    beside = (
        " Against the full-data model's maps, which also differ in training images and epochs, "
        f"|mean ρ| is {', '.join(full)}."
        if full
        else ""
    )
    flat_true = max(r.get("flat_trained", 0.0) for r in data)
    flat_shuffled = max(r["flat_other"] for r in data)
    dropped = max(r.get("undefined", 0.0) for r in data)
    flat = (
        f"Flat maps (no ranking): at most {flat_true:.1%} of the true-label model's and "
        f"{flat_shuffled:.1%} of the shuffled-label model's; a pair with one has no correlation "
        f"and is left out of the mean, at most {dropped:.1%} of the images."
        if dropped > 0 or flat_true > 0 or flat_shuffled > 0
        else "No map of either model is flat."
    )
    epochs = first.get("epochs")
    trained = f" over {int(epochs)} epochs" if epochs else ""
    return (
        "Data randomisation: the same architecture trained on the shuffled labels of a small "
        f"training subset fits them to {fit:.1%} in inference mode{trained}{known}. Its maps "
        "against those of the same model trained alike on the subset's true labels (|mean ρ|, "
        f"95% interval over the images): {'; '.join(trace)}. A method passes when the interval "
        f"lies below {CHANGED_BELOW:.1f}: {'; '.join(parts)}.{beside} {flat}"
    )
