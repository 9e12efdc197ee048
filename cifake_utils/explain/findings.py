"""Notebook 05's findings, written from its saved metrics (`05_explanations.json`).

Every comparison word ("better", "worse", "not significantly different") comes from the
paired tests in the metrics, never from the author, so the text stays true when a run changes.
"""

KEY_SCORE = ("ROAD", "road_gap")  # the test without the deletion leak, and its summary score


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


def sanity_sentence(model: str, randomisation: list[dict], data: list[dict]) -> str:
    """Where the maps' correlation with the trained model's maps ends up."""
    deepest = [r for r in randomisation if r["randomised"] == "up to conv1"]
    top_only = [r for r in randomisation if r["randomised"] == "up to fake_probability"]
    fully = ", ".join(f"{r['method']} {r['mean_spearman']:+.2f}" for r in deepest)
    top = ", ".join(f"{r['method']} {r['mean_spearman']:+.2f}" for r in top_only)
    if all("sign_invariant" in r for r in top_only):
        top += (
            " (sign-invariant, the mean over seeds of |ρ|: "
            + ", ".join(f"{r['method']} {r['sign_invariant']:.2f}" for r in top_only)
            + ")"
        )
    flat = max(max(r["flat_trained"] for r in randomisation), 0.0)
    return (
        f"Sanity, {model}: the mean Spearman correlation with the trained model's maps is "
        f"{top} with only the output layer re-initialised and {fully} with every layer "
        f"re-initialised (mean over seeds). {data_sentence(data)} At most {flat:.0%} of the "
        "trained model's maps are flat (no ranking); they are counted, not dropped."
    )


FITTED_SHUFFLED = 0.9  # a shuffled-label control must fit its random labels at least this well


def data_sentence(data: list[dict]) -> str:
    """The data-randomisation check, or why it is not done: a model that has not fitted its
    shuffled labels is no control."""
    fit = [r.get("shuffled-label model's fit to its labels") for r in data]
    share = max(r["flat_other"] for r in data)
    flat = (
        f"up to {share:.0%} of its maps are flat, which leaves their correlation undefined"
        if share > 0
        else "none of its maps is flat"
    )
    if all(f is not None for f in fit) and min(fit) < FITTED_SHUFFLED:
        return (
            f"The model trained on shuffled labels fits them only to {min(fit):.1%} in "
            f"inference mode (a control must memorise them, at least {FITTED_SHUFFLED:.0%}), so "
            f"the data-randomisation check is not done here; {flat}."
        )
    shuffled = ", ".join(f"{r['method']} {r['mean_spearman']:+.2f}" for r in data)
    return (
        f"For the model trained on shuffled labels it is {shuffled}; {flat} (counted, not dropped)."
    )


def border_sentence(model: str, border: list[dict], uniform: float) -> str:
    """Grad-CAM's border-cell share per true class, against a uniform map, by the Wilcoxon
    signed-rank test of the per-image shares (no direction without a significant test)."""
    rows = {r["true class"]: r for r in border if r["method"] == "Grad-CAM"}
    parts = []
    for label, row in rows.items():
        share, p_value = row["mean border share"], row.get("p vs uniform", float("nan"))
        if p_value < 0.05:
            side = "more" if share > uniform else "less"
            relation = f"{side} than a uniform map's {uniform:.1%}, Wilcoxon p = {_p(p_value)}"
        else:
            relation = (
                f"not significantly different from a uniform map's {uniform:.1%}, Wilcoxon "
                f"p = {_p(p_value)}"
            )
        parts.append(f"{share:.1%} for {label} images ({relation})")
    return f"Grad-CAM of {model} puts " + " and ".join(parts) + " of its mass in the border cells."


def findings_markdown(summary: dict, heading: bool = True) -> str:
    """The Findings section of notebook 05, from its saved metrics (the README's copy is
    written without the heading)."""
    lines = ["## Findings", ""] if heading else []
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
            f"- {border_sentence(model, numbers['border'], summary['border_area_share'])}",
        ]
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
            f"{' and '.join(everywhere)} beat{'s' if len(everywhere) == 1 else ''} every "
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
