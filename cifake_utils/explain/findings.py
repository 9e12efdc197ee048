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


def tally_sentence(model: str, tests: list[dict]) -> str:
    """How many method-vs-baseline comparisons came out better, worse, or neither."""
    verdicts = [row["verdict"] for row in tests]
    return (
        f"For {model}, of {len(verdicts)} paired comparisons of a CAM method with a baseline "
        f"(3 methods × 3 baselines × every score of deletion, insertion and ROAD), "
        f"{verdicts.count('better')} say the method is better, {verdicts.count('worse')} "
        f"worse, and {verdicts.count('not significantly different')} find no significant "
        "difference."
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
    shuffled = ", ".join(f"{r['method']} {r['mean_spearman']:+.2f}" for r in data)
    flat = max(max(r["flat_trained"] for r in randomisation), 0.0)
    return (
        f"Sanity, {model}: the mean Spearman correlation with the trained model's maps is "
        f"{top} with only the output layer re-initialised and {fully} with every layer "
        f"re-initialised (mean over seeds); for the model trained on shuffled labels it is "
        f"{shuffled}. At most {flat:.0%} of the trained model's maps are flat (no ranking); "
        "they are counted, not dropped."
    )


def border_sentence(model: str, border: list[dict], uniform: float) -> str:
    """Grad-CAM's border-cell share per true class, against a uniform map."""
    rows = {r["true class"]: r for r in border if r["method"] == "Grad-CAM"}
    parts = []
    for label, row in rows.items():
        share = row["mean border share"]
        side = "more" if share > uniform else "less"
        parts.append(f"{share:.0%} for {label} images ({side} than a uniform map's {uniform:.0%})")
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
    """The one-line answer: is any method better than every baseline on ROAD, for all models?"""
    test, score = KEY_SCORE
    winners = []
    for method in {
        r["method"] for n in summary["models"].values() for r in n["faithfulness_tests"]
    }:
        verdicts = [
            r["verdict"]
            for n in summary["models"].values()
            for r in n["faithfulness_tests"]
            if r["method"] == method and r["test"] == test and r["score"] == score
        ]
        if verdicts and all(v == "better" for v in verdicts):
            winners.append(method)
    if winners:
        names = " and ".join(sorted(winners))
        return (
            f"**In short:** {names} beat every baseline on ROAD's gap for every model analysed; "
            "the other methods do not."
            if len(winners) < 3
            else "**In short:** every method beats every baseline on ROAD's gap for every model."
        )
    return (
        "**In short:** no method beats every baseline on ROAD's gap for every model analysed, so "
        "these maps are not shown to be more faithful than a model-agnostic prior."
    )
