"""The report's front page: an abstract written from the saved metrics by the same findings
functions as the notebooks and the README, so that all three say the same thing."""

import json
from pathlib import Path

import pandas as pd

from ..compare import findings as beyond_findings
from ..data import findings as data_findings
from ..evaluation import findings as evaluation_findings
from ..evaluation import protocol
from ..explain import findings as explanation_findings
from ..project.profiles import Profile
from ..robustness import findings as robustness_findings

QUESTION = (
    "Can two small CNNs tell 32x32 CIFAR-10 photographs (REAL) from Stable Diffusion 1.4 "
    "images (FAKE) as well as the CIFAKE follow-up paper reports (94.98% and 95.94% test "
    "accuracy), and do their Grad-CAM explanations show what the models rely on?"
)
CAVEATS = (
    "The models know one contrast only: CIFAR-10 photographs against one generator's images at "
    "32x32. Other generators, subjects, resolutions and photographs processed differently are "
    "out of scope, and a verdict on them is an extrapolation (notebook 06)."
)


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def abstract_sentences(profile: Profile) -> list[tuple[str, str]]:
    """(heading, text) pairs: question, data, method, results, the paper's protocol,
    explanations, robustness, beyond the paper, caveats; a part whose metrics this run has
    not written yet says so."""
    metrics = profile.metrics_dir
    parts = [("Question", QUESTION)]
    data = _load(metrics / "01_data_summary.json")
    if data:
        splits = data["splits"]
        parts.append(
            (
                "Data",
                f"CIFAKE: {splits['train']['total'] + splits['validation']['total']:,} training "
                f"images (of which {splits['validation']['total']:,} held out for validation, "
                f"no exact duplicate of a training image among them) and the official "
                f"{splits['test']['total']:,}-image test split; {data['test_images_in_train']:,} "
                "test images also occur in train and are left out of the deduplicated test split.",
            )
        )
        if "jpeg_containers" in data:
            parts.append(("Data", data_findings.container_sentence(data)))
    parts.append(
        (
            "Method",
            "CNN2D and the Modified CNN2D (global average pooling and dropout), each trained "
            "with the recipe and the fixed epoch budget that searches on the validation split "
            "chose for it, and the two single-change variants between them (CNN2D with only "
            "the pooling or only the dropout), trained with CNN2D's recipe and budget; five "
            "seeds each; test "
            "accuracy with intervals over seeds, a published single run set against the "
            "interval for one run on other test images, and every comparison tested over seeds "
            "as one "
            "Holm-adjusted family; Grad-CAM, Grad-CAM++ and Score-CAM checked "
            "for faithfulness against model-agnostic baselines and by randomisation.",
        )
    )
    evaluation = _load(metrics / "04_evaluation.json")
    if evaluation and "headline" in evaluation:
        claims = evaluation.get("reproduction", [])
        for row in evaluation["headline"]:
            judged = evaluation_findings.judged_runs(row, claims)
            parts.append(("Result", evaluation_findings.headline_sentence(row, judged)))
        for row in evaluation["paired_tests"]:
            parts.append(("Result", evaluation_findings.paired_sentence(row)))
        if "near_duplicated" in evaluation:
            parts.append(("Result", evaluation_findings.near_duplicate_sentence(evaluation)))
    else:
        parts.append(("Result", "Not in this run yet: the tuned models' evaluation (notebook 04)."))
    measured = _load(metrics / "09_protocol.json")
    if measured:
        summary, tests = pd.DataFrame(measured["summary"]), pd.DataFrame(measured["paired_tests"])
        parts.append(("The paper's protocol", protocol.PROTOCOL_LEAD))
        for sentence in protocol.outcome_sentences(summary, tests):
            parts.append(("The paper's protocol", sentence))
    else:
        parts.append(("The paper's protocol", "Not in this run yet: notebook 09."))
    explanations = _load(metrics / "05_explanations.json")
    if explanations and "models" in explanations:
        answer = explanation_findings.short_answer(explanations).replace("**In short:** ", "")
        parts.append(("Explanations", answer))
    else:
        parts.append(("Explanations", "Not in this run yet: the rebuilt Grad-CAM analysis."))
    robustness = _load(metrics / "07_robustness.json")
    beyond = _load(metrics / "08_beyond.json")
    if robustness:
        # Notebook 08's grid adds the beyond model to the paper's two, when it has run.
        grid = beyond["grid"] if beyond and "grid" in beyond else robustness["grid"]
        parts.append(("Robustness", robustness_findings.reliance_sentence(grid)))
        if "held_out" in robustness:
            sentence = robustness_findings.held_out_sentence(robustness["held_out"])
            parts.append(("Robustness", sentence))
        if "resampling" in robustness:
            sentence = robustness_findings.resampling_sentence(
                robustness["resampling"], robustness["resampling_test"]
            )
            parts.append(("Robustness", sentence))
    else:
        parts.append(("Robustness", "Not in this run yet: the corruption grid (notebook 07)."))
    if beyond:
        parts.append(("Beyond the paper", beyond_findings.headline_sentence(beyond)))
    else:
        parts.append(("Beyond the paper", "Not in this run yet: the from-scratch model (08)."))
    parts.append(("Caveats", CAVEATS))
    return parts
