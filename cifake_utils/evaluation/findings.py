"""Notebook 04's findings, written from its saved results (`04_evaluation.json`).

"Better", "worse" and "not significantly different" are the verdicts of the paired tests in
the results; "above", "below" and "inside" place a published single run against the spread of
our single runs (the 95% prediction interval for one new run), not against the interval of our
mean, which describes the mean of several runs.
"""

import math

import numpy as np

from ..models.architectures import DISPLAY_NAMES, PAPER_MODELS
from ..significance import holm, prediction_interval
from .equal_compute import cpu_sentence, equal_compute_sentences
from .interaction import interaction_sentences
from .reproduction import reproduction_sentence

RELATION = {
    "better": "better than",
    "worse": "worse than",
    "not significant": "not significantly different from",
}


def name(key: str) -> str:
    """Display name of an architecture key, untuned variants included."""
    base = key.removesuffix("_untuned")
    suffix = " (untuned recipe)" if key.endswith("_untuned") else ""
    return DISPLAY_NAMES.get(base, base) + suffix


def headline_sentence(row: dict, judged_on: str = "") -> str:
    """One paper model as trained: our mean, its interval and the interval for one new run,
    beside the paper's number; the reproduction verdict is `reproduction_sentence`'s, on the
    runs `judged_on` names (these runs when empty)."""
    low, high = row["tuned_t_low"], row["tuned_t_high"]
    if low is None or not math.isfinite(low):
        return (
            f"{row['model']} (tuned recipe) reaches {row['tuned_mean']:.2f}% with one seed "
            f"(no interval over seeds); the paper reports {row['paper']:.2f}%."
        )
    mean, paper = row["tuned_mean"], row["paper"]
    run_low, run_high = prediction_interval(mean, row["tuned_std"], row["tuned_seeds"])
    return (
        f"{row['model']} (tuned recipe, as trained) reaches {mean:.2f}% ± {row['tuned_std']:.2f} "
        f"over {row['tuned_seeds']} seeds (95% t-interval of the mean {low:.2f}–{high:.2f}; one "
        f"new run of ours on these test images: {run_low:.2f}–{run_high:.2f}); the paper "
        f"reports {paper:.2f}%. Whether that "
        "number is reproduced is the criterion's verdict below, "
        + (f"on its runs {judged_on}, not these." if judged_on else "on these runs.")
    )


def judged_runs(row: dict, claims: list[dict]) -> str:
    """'at its plateau, 40 epochs' when the reproduction claim for `row`'s model rests on runs
    other than its headline ones, else ''."""
    for claim in claims:
        ours = claim.get("ours", "")
        if claim["claim"].endswith(f"paper's {row['model']}") and "plateau" in ours:
            return ours.removeprefix(f"Our {row['model']} ")
    return ""


def _seeds(count: int) -> str:
    """'1 seed', '5 seeds'."""
    return f"{count} seed{'' if count == 1 else 's'}"


NEAR_THRESHOLD = (0.01, 0.1)  # adjusted p-values read as weak evidence, whichever side of 5%


def _near_line(row: dict) -> str:
    """What a p-value near 5% leaves open: the interval of the difference and, per seed pair,
    which model won and whether McNemar's test saw a difference on the test images."""
    parts = []
    low, high = row.get("difference_low", math.nan), row.get("difference_high", math.nan)
    if math.isfinite(low) and math.isfinite(high):
        parts.append(
            f"the 95% interval of the difference is {100 * low:+.2f} to {100 * high:+.2f} points"
        )
    better, worse = row.get("seeds_second_better"), row.get("seeds_second_worse")
    if better is not None and worse is not None:
        pairs = (
            f"McNemar's test on the test images favours {name(row['second'])} in {better} and "
            f"{name(row['first'])} in {worse} of the {row.get('seed_pairs', better + worse)} "
            "pairs of same-numbered runs"
        )
        mcnemar = row.get("mcnemar_p_max", math.nan)
        if math.isfinite(mcnemar) and mcnemar < 0.05 and (better == 0 or worse == 0):
            pairs += f" (largest p = {mcnemar:.2g})"
        parts.append(pairs)
    if not parts:
        return ", so a rerun may move it across the line"
    return (
        f": {'; '.join(parts)}; the uncertainty is between training runs, so only more seeds, "
        "not more test images, can narrow it"
    )


def paired_sentence(row: dict) -> str:
    """One comparison of the family: `second` against `first`, the verdict resting on the
    Holm-adjusted p-value when the row has one."""
    adjusted = row.get("p_holm")
    tests = f"{row['test']}, p = {row['p_value']:.2g}"
    note = ""
    if adjusted is not None and math.isfinite(adjusted):
        tests += (
            f"; Holm-adjusted over the study's {row['family_size']} comparisons p = {adjusted:.2g}"
        )
        if row["verdict_unadjusted"] != row["verdict"]:
            note = (
                f"; alone it would read {RELATION[row['verdict_unadjusted']].removesuffix(' than')}"
                ", a verdict the family's adjustment does not keep"
            )
    if row.get("confound"):
        note += f"; {row['confound']}"
    if row.get("recipe_note"):
        note += f"; {row['recipe_note']}"
    deciding = adjusted if adjusted is not None and math.isfinite(adjusted) else row["p_value"]
    if NEAR_THRESHOLD[0] <= deciding < NEAR_THRESHOLD[1]:
        note += "; near the 5% line" + _near_line(row)
    return (
        f"{name(row['second'])} is {RELATION[row['verdict']]} {name(row['first'])} "
        f"({100 * row['difference_mean']:+.2f} accuracy points, {tests}{note})."
    )


def group_comparisons(rows: list[dict], group: str) -> str:
    """Accuracy on a group of test images against the rest of their class, per paper model and
    class (means over seeds), each permutation test Holm-adjusted over the comparisons shown."""
    shown = [row for row in rows if row["architecture"] in PAPER_MODELS]
    adjusted = holm(np.array([row["p_value"] for row in shown]))
    parts = []
    for row, p_holm in zip(shown, adjusted, strict=True):
        easier = "higher" if row["difference"] > 0 else "lower"
        verdict = f"significantly {easier}" if p_holm < 0.05 else "not significantly different"
        parts.append(
            f"{name(row['architecture'])}, {row['label']}: "
            f"{100 * row['accuracy_duplicated']:.2f}% on the {row['duplicated_images']:,} "
            f"{group} against {100 * row['accuracy_other']:.2f}% on the other "
            f"{row['other_images']:,} (permutation p = {row['p_value']:.2g}, Holm over "
            f"{len(shown)}: {p_holm:.2g}; {verdict})"
        )
    seeds = f" (means over {_seeds(shown[0]['seeds'])})" if shown else ""
    return f"{seeds}: " + "; ".join(parts)


def deduplicated_sentence(results: dict) -> str:
    """Accuracy on the test images also in train against the rest of their class, and the
    deduplicated split's balanced accuracy."""
    balanced = "; ".join(
        f"{name(row['architecture'])} {100 * row['balanced_accuracy_mean']:.2f}%"
        for row in results["deduplicated_balanced"]
        if row["architecture"] in PAPER_MODELS
    )
    return (
        "Test images whose pixels also occur in the training or validation split"
        + group_comparisons(results["duplicated"], "duplicated")
        + ". Without them the test split is unbalanced "
        f"({results['deduplicated_counts']}), so it is summarised by balanced accuracy: "
        f"{balanced}."
    )


def near_duplicate_sentence(results: dict) -> str:
    """Accuracy on the test images with a near-duplicate in train against the rest."""
    bits = results["near_duplicate_bits"]
    return (
        "Test images with a near-duplicate in the training or validation split, at most "
        f"{bits} pHash bits away as notebook 01 defines it, exact copies included"
        + group_comparisons(results["near_duplicated"], "near-duplicated")
        + "."
    )


CALIBRATED_TEMPERATURE = 0.05  # a fitted temperature within this of 1: calibrated already


def calibration_sentence(temperatures: list[dict]) -> str:
    """Every seed's calibration, per architecture: the test ECE, and which way the validation
    temperature says the model errs (T < 1 sharpens an under-confident model)."""
    parts = []
    for row in temperatures:
        temperature = row["temperature_mean"]
        if abs(temperature - 1) <= CALIBRATED_TEMPERATURE:
            kind = "close to calibrated"
        else:
            kind = "under-confident" if temperature < 1 else "over-confident"
        smoothing = row["label_smoothing"]
        trained = f"label smoothing {smoothing:g}" if smoothing else "no label smoothing"
        parts.append(
            f"{name(row['architecture'])} (trained with {trained}) is {kind}: test ECE "
            f"{row['ece_raw_mean']:.4f} raw and {row['ece_calibrated_mean']:.4f} after its "
            f"temperature ({temperature:.2f})"
        )
    smoothed = [r["temperature_mean"] for r in temperatures if r["label_smoothing"]]
    cause = ""
    if smoothed and max(smoothed) < 1 - CALIBRATED_TEMPERATURE:
        cause = (
            " Every model here was trained with label smoothing and every one is "
            "under-confident; smoothing's targets short of 0 and 1 would predict that, but "
            "without a model trained otherwise this is no test: the runs without it test it "
            "below."
        )
    return f"Calibration over every seed (means over seeds): {'; '.join(parts)}.{cause}"


def smoothing_sentence(tests: list[dict]) -> str:
    """Each paper model's runs with and without label smoothing (`evaluation.smoothing`): the
    test ECE of each, the paired test and the criterion's verdict."""
    if not tests:
        return "Label smoothing as the cause of the under-confidence: not tested (no runs)."
    parts = []
    for row in tests:
        said = {
            "cause": "smoothing is the cause by the criterion",
            "not the whole cause": (
                "the ECE is significantly lower without smoothing, but the temperature fitted "
                "without it stays below the declared line (a mean over the seeds, not a test), "
                "so smoothing is not shown to be the whole cause"
            ),
            "not shown": (
                f"the difference is not significant over {row['seeds']} seeds (a paired t with "
                f"{row['seeds'] - 1} degree{'s' if row['seeds'] != 2 else ''} of freedom), so "
                "the criterion is not met"
            ),
            "not the cause": "the ECE is significantly higher without smoothing: not the cause",
            "untested": "one seed leaves it untested",
        }[row["verdict"]]
        accuracy = round(100 * row["accuracy_difference"], 2) + 0.0  # no "-0.00"
        parts.append(
            f"{name(row['architecture'])}: test ECE {row['ece_smoothed']:.4f} with smoothing "
            f"and {row['ece_plain']:.4f} without (paired t over {row['seeds']} seeds, Holm p = "
            f"{row['p_holm']:.2g}), validation temperature {row['temperature_smoothed']:.2f} "
            f"with and {row['temperature_plain']:.2f} without, accuracy "
            f"{accuracy:+.2f} points with smoothing; {said}"
            + (
                ""
                if row["cpus_smoothed"] == row["cpus_plain"]
                else f" (with smoothing trained on {row['cpus_smoothed']}, without on "
                f"{row['cpus_plain']}: a pair shares its seed but not its CPU, which alone can "
                "move a run by up to about two seed SDs)"
            )
        )
    return (
        "Label smoothing as the cause of the under-confidence (the same recipe and seed with "
        "and without it; criterion fixed in advance: a significantly lower test ECE without "
        f"smoothing and a temperature of at least {1 - CALIBRATED_TEMPERATURE:.2f}): "
        + "; ".join(parts)
        + "."
    )


def with_budget_note(row: dict, results: dict) -> dict:
    """A comparison against CNN2D with a note of what CNN2D reaches at its plateau, where the
    equal-compute runs give it (CNN2D is compared as trained, below that plateau)."""
    arms = {arm["architecture"]: arm for arm in results.get("equal_compute_arms", [])}
    plateau = arms.get("cnn2d")
    beyond = results.get("beyond_vs_plateau")
    if row["first"] != "cnn2d" and row["second"] == beyond_name(beyond):
        note = (
            f"{name(row['second'])} as trained, with its own recipe and budget "
            f"({beyond.get('second_pflop', math.nan):.3f} PFLOP of training per seed), so the "
            "verdict is about the models at their budgets, not at equal compute"
        )
        joined = f"{row['recipe_note']}; {note}" if row.get("recipe_note") else note
        return row | {"recipe_note": joined}
    if row["first"] != "cnn2d" or plateau is None or plateau["seeds"] < 2:
        return row
    note = (
        f"CNN2D as trained, below its validation plateau; at 40 epochs it reaches "
        f"{100 * plateau['accuracy_mean']:.2f}% ± {100 * plateau['accuracy_std']:.2f} "
        f"({plateau['seeds']} seeds, the equal-compute comparisons)"
    )
    if row["second"] == beyond_name(beyond):
        note += f"; {plateau_test_text(beyond)}"
    joined = f"{row['recipe_note']}; {note}" if row.get("recipe_note") else note
    return row | {"recipe_note": joined}


def beyond_name(test: dict | None) -> str | None:
    """The model a test against CNN2D at 40 epochs compares (None without one)."""
    return test["second"] if test else None


def plateau_test_text(test: dict) -> str:
    """'against CNN2D at 40 epochs VGG-BN differs by +0.03 points (…): not significant'."""
    verdict = {"not significant": "not significantly different"}.get(
        test["verdict"], test["verdict"]
    )
    return (
        f"against CNN2D at 40 epochs {name(test['second'])} differs by "
        f"{100 * test['difference_mean']:+.2f} points (95% interval "
        f"{100 * test['difference_low']:+.2f} to {100 * test['difference_high']:+.2f}; "
        f"{test['test']} over {test['seeds']} seeds, p = {test['p_value']:.2g}, one test "
        f"outside the family): {verdict}"
        + (
            f", with {test['first_pflop']:.3f} PFLOP of training per seed for CNN2D against "
            f"{test['second_pflop']:.3f}"
            if "first_pflop" in test
            else ""
        )
    )


def findings_markdown(results: dict, heading: bool = True) -> str:
    """The Findings section of notebook 04 (and the README's summary of it)."""
    claims = results.get("reproduction", [])
    sentences = [headline_sentence(row, judged_runs(row, claims)) for row in results["headline"]]
    sentences += [reproduction_sentence(row, len(claims)) for row in claims]
    paired = [with_budget_note(row, results) for row in results["paired_tests"]]
    sentences += [paired_sentence(row) for row in paired]
    if "equal_compute_tests" in results:
        sentences += equal_compute_sentences(
            results["equal_compute_arms"], results["equal_compute_tests"]
        )
    sentences += interaction_sentences(results.get("recipe_interaction", []))
    if "cpu_mixes" in results:
        sentences.append(cpu_sentence(results["cpu_mixes"]))
    sentences.append(deduplicated_sentence(results))
    if "near_duplicated" in results:
        sentences.append(near_duplicate_sentence(results))
    if "temperature_scaling" in results:
        sentences.append(calibration_sentence(results["temperature_scaling"]))
    if "smoothing" in results:
        sentences.append(smoothing_sentence(results["smoothing"]))
    lines = ["## Findings", ""] if heading else []
    return "\n".join(lines + [f"- {s}" for s in sentences])
