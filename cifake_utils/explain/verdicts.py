"""Notebook 05's findings as one verdict table, read from `05_explanations.json`: faithfulness
per model and method, both sanity checks judged against the same-labels reference, and the
"background" reading per border test, with the trained model as the unit."""

import math

import pandas as pd

from ..models.architectures import DISPLAY_NAMES
from ..verdict_table import interval, markdown, p_text, points, row, table
from .findings import counted
from .sanity_findings import (
    FITTED_SHUFFLED,
    against_reference,
    matched_reference,
    similarity_interval,
)

SANITY_WORDS = {
    "below": "passes",
    "overlaps": "undecided: overlaps the seeds' interval",
    "above": "fails",
}
STAGE_WORDS = {"overlaps": "overlaps the seeds' interval", "above": "above the seeds' interval"}


def faithfulness_rows(model: str, tests: list[dict]) -> list[dict]:
    """Per method: is it more faithful than every model-agnostic baseline on every score? The
    tally of its paired tests (Wilcoxon over images, Holm over the model's tests)."""
    rows = counted(tests)
    out = []
    for method in dict.fromkeys(r["method"] for r in rows):
        verdicts = [r["verdict"] for r in rows if r["method"] == method]
        better, worse = verdicts.count("better"), verdicts.count("worse")
        out.append(
            row(
                f"{method} maps of {model} are more faithful than every baseline on every score",
                f"Wilcoxon over images, Holm/{len(tests)}",
                f"better {better}, worse {worse}, neither {len(verdicts) - better - worse} "
                f"of {len(verdicts)}",
                "–",
                "–",
                "shown" if better == len(verdicts) else "not shown",
            )
        )
    return out


def model_randomisation_rows(model: str, summary: dict) -> list[dict]:
    """Per method: do the maps of every re-initialised stage differ from the trained model's
    more than a change of seed changes them (each stage's 95% interval over re-initialisation
    seeds wholly below the same-labels interval over seed pairs)?"""
    reference = {r["method"]: r for r in summary.get("same_labels_reference", [])}
    out = []
    for method, ref in reference.items():
        stages = [r for r in summary["model_randomisation"] if r["method"] == method]
        judged = {
            r["randomised"]: against_reference(
                r["sign_invariant_low"], r["sign_invariant_high"], ref
            )
            for r in stages
        }
        failing = [stage for stage, verdict in judged.items() if verdict != "below"]
        # The stage that decides: the first above the seeds' interval, else the first that
        # overlaps it, else the most similar one.
        deciding = [s for s in failing if judged[s] == "above"] or failing
        shown = next(
            (r for r in stages if r["randomised"] in deciding),
            max(stages, key=lambda r: r["sign_invariant"]),
        )
        out.append(
            row(
                f"{method} maps of {model} change when its layers are re-initialised",
                f"interval over {int(shown.get('seeds', 1))} re-initialisations against the "
                f"same-labels interval over {int(ref['pairs'])} seed pairs, every stage",
                f"similarity {shown['sign_invariant']:.2f} "
                f"{shown['randomised'].removeprefix('up to ')} re-initialised vs "
                f"{ref['similarity']:.2f} between seeds",
                f"{shown['sign_invariant_low']:.2f} to {shown['sign_invariant_high']:.2f} vs "
                f"{ref['low']:.2f} to {ref['high']:.2f}",
                "–",
                stages_verdict(judged.values())
                + ": "
                + "; ".join(
                    f"{s.removeprefix('up to ')} {STAGE_WORDS.get(judged[s], judged[s])}"
                    for s in failing
                )
                if failing
                else "passes at every stage",
            )
        )
    return out


def stages_verdict(judged) -> str:
    """One verdict over the re-initialised stages: "fails" where any stage's maps are more
    alike than another seed's, else "undecided" where any interval overlaps the seeds' one,
    else "passes"."""
    judged = set(judged)
    if "above" in judged:
        return "fails"
    return "undecided" if judged - {"below"} else "passes"


def data_randomisation_rows(model: str, summary: dict) -> list[dict]:
    """Per method: do the shuffled-label model's maps differ from the true-label model's more
    than a change of seed changes them? Only where the control fits its shuffled labels."""
    reference = {r["method"]: r for r in summary.get("same_labels_reference", [])}
    data = summary.get("data_randomisation", [])
    fit = data[0].get("shuffled-label model's fit to its labels") if data else None
    out = []
    for r in data:
        found = similarity_interval(r)
        if r["method"] not in reference:
            continue
        ref = matched_reference(r, reference[r["method"]])
        if fit is None or fit < FITTED_SHUFFLED or found is None:
            verdict, value, low, high = (
                "not done (control not fitted)",
                math.nan,
                math.nan,
                math.nan,
            )
        else:
            value, low, high = found
            verdict = SANITY_WORDS.get(against_reference(low, high, ref), "untested")
        out.append(
            row(
                f"{r['method']} maps of {model} change when it is trained on shuffled labels",
                f"interval over {int(r['images'])} images against the same-labels interval"
                + (" of two seeds on the same subset" if ref.get("matched") else ""),
                f"similarity {value:.2f} vs {ref['similarity']:.2f} between seeds",
                f"{low:.2f} to {high:.2f} vs {ref['low']:.2f} to {ref['high']:.2f}",
                "–",
                verdict,
            )
        )
    return out


def border_rows(border: dict) -> list[dict]:
    """Each border test (architecture, true class, method, null): the trained models' share of
    map mass on the border cells against the null's, t over seeds, Holm over the family."""
    tests = border.get("tests", [])
    return [
        row(
            f"{t['method']} maps of {DISPLAY_NAMES.get(t['architecture'], t['architecture'])} "
            f"put more mass on the border than a {t['null']} ({t['true class']} images)",
            f"t over {t['seeds']} seeds, Holm/{len(tests)}",
            points(t["difference"]),
            interval(t["difference_low"], t["difference_high"]),
            p_text(t["p_holm"]),
            t["verdict"],
        )
        for t in tests
    ]


def background_rows(border: dict) -> list[dict]:
    """The reading itself, per architecture and true class: shown only when every method puts
    significantly more mass on the border than both nulls."""
    return [
        row(
            f"{DISPLAY_NAMES.get(v['architecture'], v['architecture'])} attends to the "
            f"background of {v['true class']} images (the CIFAKE authors' reading)",
            "every method, both nulls, significantly more",
            "–",
            "–",
            "–",
            {"more": "shown", "less": "the opposite shown"}.get(v["verdict"], "not shown"),
        )
        for v in border.get("verdicts", [])
    ]


def verdict_table(saved: dict) -> pd.DataFrame:
    """Every tested claim of notebook 05, in the order the notebook makes them."""
    rows = []
    for model, summary in saved["models"].items():
        rows += faithfulness_rows(model, summary["faithfulness_tests"])
        rows += model_randomisation_rows(model, summary)
        rows += data_randomisation_rows(model, summary)
    border = saved.get("border_seeds", {})
    return table(rows + border_rows(border) + background_rows(border))


READING = (
    "The border effects are in points of map mass (percent of a map on the border cells); their "
    "intervals are 95% over seeds and not adjusted for multiplicity, while p is Holm-adjusted "
    "over the border tests (the test column gives how many), so an interval can exclude 0 "
    'beside "not significant". The '
    "sanity rows' intervals are over re-initialisation seeds or, for the shuffled-label control, "
    "over images of one pair of models trained on a subset, not over the served model's seeds."
)


def verdict_markdown(saved: dict) -> str:
    """The verdict table as markdown, with how to read its intervals."""
    return markdown(verdict_table(saved)) + "\n\n" + READING
