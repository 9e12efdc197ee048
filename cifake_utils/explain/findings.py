"""Notebook 05's findings, written from its saved metrics (`05_explanations.json`).

Every comparison word ("better", "worse", "not significantly different") comes from the
paired tests in the metrics, never from the author, so the text stays true when a run changes.
"""

import math

from .comparisons import holm

KEY_SCORE = ("ROAD", "road_gap")  # the test without the deletion leak, and its summary score


def _joined(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 1e-3 else f"{value:.0e}"


def comparison_phrase(row: dict) -> str:
    """'better than the centre prior (r = +0.31, Holm p = 2e-05)' and the like."""
    relation = {
        "better": "better than",
        "worse": "worse than",
        "not significantly different": "not significantly different from",
    }[row["verdict"]]
    return (
        f"{relation} the {row['baseline']} (r = {row['rank_biserial']:+.2f}, "
        f"Holm p = {_p(row['p_holm'])})"
    )


# ROAD's gap is LeRF − MoRF, so counting LeRF and MoRF beside it would count ROAD three times.
COUNTED_ONCE = {("ROAD", "road_morf"), ("ROAD", "road_lerf")}


def counted(tests: list[dict]) -> list[dict]:
    """The comparisons that enter a tally: every score, ROAD by its gap alone."""
    return [r for r in tests if (r["test"], r["score"]) not in COUNTED_ONCE]


def tally_sentence(model: str, tests: list[dict]) -> str:
    """Per method, how many comparisons with a baseline came out better, worse, or neither."""
    rows = counted(tests)
    scores = len({(r["test"], r["score"]) for r in rows})
    parts = []
    for method in dict.fromkeys(r["method"] for r in rows):
        verdicts = [r["verdict"] for r in rows if r["method"] == method]
        parts.append(
            f"{method} is better in {verdicts.count('better')}, worse in "
            f"{verdicts.count('worse')} and not significantly different in "
            f"{verdicts.count('not significantly different')} of {len(verdicts)}"
        )
    return (
        f"For {model}, each CAM method against the three model-agnostic baselines on "
        f"{scores} scores (deletion and insertion with two replacements, and ROAD's gap, ROAD "
        f"counted once): {'; '.join(parts)}."
    )


def road_sentence(model: str, tests: list[dict], methods: list[str]) -> str:
    """Each method's verdict on ROAD's gap (LeRF − MoRF) against each baseline."""
    test, score = KEY_SCORE
    parts = []
    for method in methods:
        rows = [
            r for r in tests if r["test"] == test and r["score"] == score and r["method"] == method
        ]
        parts.append(f"{method} is " + ", ".join(comparison_phrase(r) for r in rows))
    return f"On ROAD's gap (LeRF − MoRF), for {model}: " + "; ".join(parts) + "."


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


def sanity_sentence(model: str, randomisation: list[dict], data: list[dict]) -> str:
    """The model-randomisation check, stage by stage, with its verdict per method, then the
    data-randomisation check."""
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


ALPHA = 0.05  # level of the shuffled-label model's test against chance
FITTED_SHUFFLED = 0.9  # a shuffled-label control must fit its random labels at least this well


def _similarity_interval(row: dict) -> tuple[float, float, float] | None:
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


def data_sentence(data: list[dict]) -> str:
    """The data-randomisation check, or why it is not done: a model that has not fitted its
    shuffled labels is no control. A method passes when the 95% interval of the sign-invariant
    similarity (|mean ρ|) of the shuffled-label model's maps to the true-label model's, both
    trained alike on the same images, lies below CHANGED_BELOW, fails when it lies at or above
    it, and is undecided otherwise."""
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
    if fit is None or fit < FITTED_SHUFFLED:
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
    verdicts: dict[str, list[str]] = {"pass": [], "fail": [], "undecided": [], "undefined": []}
    trace = []
    for row in data:
        interval = _similarity_interval(row)
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


def border_family(summary: dict) -> dict[tuple[str, str], float]:
    """Holm-adjusted p-values of every Grad-CAM border test against a uniform map (each model
    and true class), adjusted as one family: {(model, true class): p}."""
    keys, p_values = [], []
    for model, numbers in summary["models"].items():
        for row in numbers["border"]:
            if row["method"] == "Grad-CAM":
                keys.append((model, row["true class"]))
                p_values.append(row.get("p vs uniform", float("nan")))
    return dict(zip(keys, holm(p_values).tolist(), strict=True)) if keys else {}


def border_sentence(
    model: str, border: list[dict], uniform: float, adjusted: dict[tuple[str, str], float]
) -> str:
    """Grad-CAM's border-cell share per true class, against a uniform map, by the Wilcoxon
    signed-rank test of the per-image shares, Holm-adjusted over the family in `adjusted` (no
    direction without a significant test)."""
    rows = {r["true class"]: r for r in border if r["method"] == "Grad-CAM"}
    family = len(adjusted)
    parts = []
    for label, row in rows.items():
        share, p_value = row["mean border share"], row.get("p vs uniform", float("nan"))
        p_holm = adjusted.get((model, label), p_value)
        tested = f"Wilcoxon p = {_p(p_value)}, Holm over {family}: {_p(p_holm)}"
        if p_holm < 0.05:
            side = "more" if share > uniform else "less"
            relation = f"{side} than a uniform map's {uniform:.1%}, {tested}"
        else:
            relation = f"not significantly different from a uniform map's {uniform:.1%}, {tested}"
        parts.append(f"{share:.1%} for {label} images ({relation})")
    return f"Grad-CAM of {model} puts " + " and ".join(parts) + " of its mass in the border cells."


def background_sentence(summary: dict) -> str:
    """The CIFAKE authors' reading (the model attends to the background rather than the object)
    as a test: it predicts more than a uniform map's share of Grad-CAM in the border cells.
    Each model and class is a test of one family (Holm); where it holds, where the opposite
    holds, and where neither is shown are named apart."""
    uniform = summary["border_area_share"]
    adjusted = border_family(summary)
    groups: dict[str, list[str]] = {"holds": [], "opposite": [], "untested": []}
    for model, numbers in summary["models"].items():
        for row in numbers["border"]:
            if row["method"] != "Grad-CAM":
                continue
            p_holm = adjusted[(model, row["true class"])]
            key = "untested" if not p_holm < 0.05 else "holds"
            if key == "holds" and row["mean border share"] < uniform:
                key = "opposite"
            groups[key].append(f"{model} on {row['true class']}")
    parts = []
    if groups["holds"]:
        parts.append(f"the maps agree with it for {', '.join(groups['holds'])}")
    if groups["opposite"]:
        parts.append(
            f"they show the opposite (significantly less than uniform) for "
            f"{', '.join(groups['opposite'])}"
        )
    if groups["untested"]:
        parts.append(f"neither is shown for {', '.join(groups['untested'])}")
    if not groups["holds"]:
        parts.append("so the maps do not support the reading")
    return (
        "Taking the border cells as background, the CIFAKE authors' reading (the model attends "
        "to the background rather than the object) predicts more than a uniform map's "
        f"{uniform:.1%} of Grad-CAM there. Over the {len(adjusted)} tests as one family (Holm), "
        "for the one trained model analysed per architecture: "
        + "; ".join(parts)
        + ". This is about Grad-CAM's maps, which speak for the model only as far as the "
        "sanity checks above allow."
    )


def findings_markdown(summary: dict, heading: bool = True) -> str:
    """The Findings section of notebook 05, from its saved metrics (the README's copy is
    written without the heading)."""
    lines = ["## Findings", ""] if heading else []
    uniform, adjusted = summary["border_area_share"], border_family(summary)
    for model, numbers in summary["models"].items():
        tests = numbers["faithfulness_tests"]
        methods = list(dict.fromkeys(r["method"] for r in tests))
        sanity = sanity_sentence(
            model, numbers["model_randomisation"], numbers["data_randomisation"]
        )
        lines += [
            f"- {tally_sentence(model, tests)}",
            f"- {road_sentence(model, tests, methods)}",
            f"- {sanity}",
            f"- {border_sentence(model, numbers['border'], uniform, adjusted)}",
        ]
    lines.append(f"- {background_sentence(summary)}")
    best = short_answer(summary)
    if best:
        lines += ["", best]
    return "\n".join(lines)


def short_answer(summary: dict) -> str:
    """The one-line answer over every score (ROAD counted once) and every model: which
    methods beat every baseline everywhere, and how often a baseline wins instead."""
    rows = [r for n in summary["models"].values() for r in counted(n["faithfulness_tests"])]
    methods = list(dict.fromkeys(r["method"] for r in rows))
    everywhere = [
        m for m in methods if all(r["verdict"] == "better" for r in rows if r["method"] == m)
    ]
    prior_wins = [r for r in rows if r["verdict"] == "worse"]
    counts = "; ".join(
        f"{m} {sum(r['verdict'] == 'better' for r in rows if r['method'] == m)} of "
        f"{sum(r['method'] == m for r in rows)}"
        for m in methods
    )
    if len(everywhere) == len(methods):
        lead = "every method beats every baseline on every score for every model analysed"
    elif everywhere:
        lead = (
            f"{_joined(everywhere)} beat{'s' if len(everywhere) == 1 else ''} every "
            "baseline on every score for every model analysed; the other methods do not"
        )
    else:
        lead = (
            "no method beats every baseline on every score for every model analysed, so these "
            "maps are not shown to be more faithful than a model-agnostic prior throughout"
        )
    return (
        f"**In short:** {lead}. Comparisons won, over both models and all scores: {counts}; "
        f"a baseline is significantly better in {len(prior_wins)} of {len(rows)}."
    )
