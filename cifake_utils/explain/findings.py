"""Notebook 05's findings, written from its saved metrics (`05_explanations.json`).

Every comparison word ("better", "worse", "not significantly different") comes from the
paired tests in the metrics, never from the author, so the text stays true when a run changes.
"""

from .border_findings import (
    background_sentence,
    border_family,
    border_seed_sentence,
    border_sentence,
)
from .sanity_findings import sanity_sentence
from .wording import joined as _joined
from .wording import p_text as _p

KEY_SCORE = ("ROAD", "road_gap")  # the test without the deletion leak, and its summary score


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


def findings_markdown(summary: dict, heading: bool = True) -> str:
    """The Findings section of notebook 05, from its saved metrics (the README's copy is
    written without the heading)."""
    lines = ["## Findings", ""] if heading else []
    uniform, adjusted = summary["border_area_share"], border_family(summary)
    for model, numbers in summary["models"].items():
        tests = numbers["faithfulness_tests"]
        methods = list(dict.fromkeys(r["method"] for r in tests))
        sanity = sanity_sentence(
            model,
            numbers["model_randomisation"],
            numbers["data_randomisation"],
            numbers.get("same_labels_reference"),
        )
        lines += [
            f"- {tally_sentence(model, tests)}",
            f"- {road_sentence(model, tests, methods)}",
            f"- {sanity}",
        ]
        if "border_seeds" not in summary:
            lines.append(f"- {border_sentence(model, numbers['border'], uniform, adjusted)}")
    if "border_seeds" in summary:
        lines.append(f"- {border_seed_sentence(summary['border_seeds'])}")
    else:
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
