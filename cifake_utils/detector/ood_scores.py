"""Scores that might flag an image from outside CIFAKE better than the scope rule's feature test
(notebook 06), each measured on the same shifted images.

Each score is larger for an image less like CIFAKE's:
- atypicality: the scope rule's own feature test (`scope.atypicality`, Mahalanobis);
- low confidence: minus the served model's |logit|. With one sigmoid output, written as two
  logits ±z/2, the maximum softmax probability and the energy score (Liu et al., 2020) both
  order images by |z|, so this one score stands for both;
- seed disagreement: the standard deviation of P(FAKE) over the architecture's seeds, a small
  deep ensemble (Lakshminarayanan et al., 2017);
- nearest neighbours: the distance to the k-th nearest of a sample of training images in the
  served model's L2-normalised penultimate features (Sun et al., 2022).

The criterion, fixed before the scores were measured: each score's threshold keeps
`scope.KEEP_IN_SCOPE` of CIFAKE's validation images, as the rule's does, so every score flags
about the same share of CIFAKE's own images; a score is stronger than the atypicality on a set
of outside images when it flags significantly more of them (McNemar's exact test on the same
images, Holm over every set and score compared). Crops of a few pictures are not independent
images: on those sets the test is the exact sign test over the pictures.
"""

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from ..models.inference import predict_fake_probability
from ..significance import ALPHA, holm
from .scope import KEEP_IN_SCOPE, atypicality, feature_model, features, mahalanobis

NEIGHBOUR = 10  # k: the k-th nearest training image
TRAINING_SAMPLE = 10_000  # training images the neighbours are searched among
SCORES = ("atypicality", "low confidence", "seed disagreement", "nearest neighbours")
BASELINE = "atypicality"


@dataclass(frozen=True)
class Scorer:
    """What the scores need: the served model, its seeds and its feature references."""

    model: keras.Model
    seed_models: tuple[keras.Model, ...]
    reference: dict  # the served model's scope reference (its sidecar's)
    neighbours: np.ndarray  # L2-normalised penultimate features of the training sample


def fit_scorer(
    model: keras.Model,
    seed_models: list[keras.Model],
    reference: dict,
    train_images: np.ndarray,
    seed: int = 0,
) -> Scorer:
    """A scorer whose neighbours are `TRAINING_SAMPLE` training images drawn with `seed`."""
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(train_images), min(TRAINING_SAMPLE, len(train_images)), False))
    extracted = normalised(features(feature_model(model), train_images[chosen]))
    return Scorer(model, tuple(seed_models), reference, extracted)


def normalised(rows: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (a zero row stays zero)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def kth_distance(queries: np.ndarray, references: np.ndarray, k: int = NEIGHBOUR) -> np.ndarray:
    """Euclidean distance of each query row to its k-th nearest reference row."""
    distances = []
    for start in range(0, len(queries), 2048):
        block = queries[start : start + 2048]
        squared = (
            np.sum(block**2, axis=1)[:, None]
            - 2 * block @ references.T
            + np.sum(references**2, axis=1)[None, :]
        )
        kth = np.partition(np.maximum(squared, 0), k - 1, axis=1)[:, k - 1]
        distances.append(np.sqrt(kth))
    return np.concatenate(distances)


def logit(probability: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)), p clipped to [1e-7, 1 - 1e-7] so that it stays finite."""
    p = np.clip(probability, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def score_images(scorer: Scorer, images: np.ndarray) -> dict[str, np.ndarray]:
    """Every score of `SCORES` for each uint8 32x32 image."""
    extracted = features(feature_model(scorer.model), images)
    probabilities = np.stack([predict_fake_probability(m, images) for m in scorer.seed_models])
    return {
        "atypicality": atypicality(mahalanobis(extracted, scorer.reference), scorer.reference),
        "low confidence": -np.abs(logit(predict_fake_probability(scorer.model, images))),
        "seed disagreement": probabilities.std(axis=0),
        "nearest neighbours": kth_distance(normalised(extracted), scorer.neighbours),
    }


def thresholds(validation_scores: dict[str, np.ndarray], keep: float = KEEP_IN_SCOPE) -> dict:
    """Per score: the value that keeps `keep` of the validation images (flag above it)."""
    return {name: float(np.quantile(values, keep)) for name, values in validation_scores.items()}


def power_table(
    cifake: dict[str, np.ndarray],
    outside: dict[str, dict[str, np.ndarray]],
    limits: dict,
    sources: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per outside set and score: the share of the set it flags, the share of the
    CIFAKE test images it flags, its ROC-AUC against the CIFAKE test images and, for the
    scores other than `BASELINE`, a test of its flags against the baseline's on the same
    images, Holm over every row tested: McNemar's exact test where the images are independent,
    and the exact sign test over pictures (`sign_test_over_sources`) for a set whose images
    are crops of a few pictures (`sources`: each image's picture), which are not."""
    sources = sources or {}
    rows = []
    for images, scores in outside.items():
        flags = {name: scores[name] > limits[name] for name in SCORES}
        grouped = images in sources
        for name in SCORES:
            both = np.concatenate([np.zeros(len(cifake[name])), np.ones(len(scores[name]))])
            row = {
                "images": images,
                "score": name,
                "flagged": float(np.mean(flags[name])),
                "cifake_flagged": float(np.mean(cifake[name] > limits[name])),
                "roc_auc": float(roc_auc_score(both, np.r_[cifake[name], scores[name]])),
                "gain_over_atypicality": float(np.mean(flags[name]) - np.mean(flags[BASELINE])),
                "test": "sign test over pictures" if grouped else "McNemar",
                "units": len(np.unique(sources[images])) if grouped else len(flags[name]),
                "p_value": np.nan
                if name == BASELINE
                else sign_test_over_sources(flags[name], flags[BASELINE], sources[images])
                if grouped
                else mcnemar(flags[name], flags[BASELINE]),
            }
            rows.append(row)
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"].to_numpy())
    table["verdict"] = [verdict(r) for _, r in table.iterrows()]
    return table.set_index(["images", "score"])


def mcnemar(flags: np.ndarray, baseline: np.ndarray) -> float:
    """Two-sided exact McNemar p of two flag vectors on the same images (1 with no
    discordant images)."""
    only_new = int(np.sum(flags & ~baseline))
    only_old = int(np.sum(~flags & baseline))
    if only_new + only_old == 0:
        return 1.0
    return float(stats.binomtest(only_new, only_new + only_old, 0.5).pvalue)


def sign_test_over_sources(flags: np.ndarray, baseline: np.ndarray, sources: np.ndarray) -> float:
    """Two-sided exact sign test over pictures: per picture, does the score flag a larger or a
    smaller share of its crops than the baseline (pictures with equal shares drop out; 1 when
    every picture ties)? Crops of one picture share its content, so the picture is the unit."""
    groups = np.unique(sources)
    differences = np.array(
        [np.mean(flags[sources == g]) - np.mean(baseline[sources == g]) for g in groups]
    )
    more, fewer = int(np.sum(differences > 0)), int(np.sum(differences < 0))
    if more + fewer == 0:
        return 1.0
    return float(stats.binomtest(more, more + fewer, 0.5).pvalue)


def verdict(row: pd.Series) -> str:
    """ "stronger" / "weaker" than the atypicality (Holm-adjusted McNemar), "not significant",
    or "the rule's test" for the baseline's own row."""
    if not np.isfinite(row["p_holm"]):
        return "the rule's test"
    if row["p_holm"] >= ALPHA:
        return "not significant"
    return "stronger" if row["gain_over_atypicality"] > 0 else "weaker"


def measure(
    scorer: Scorer,
    validation_images: np.ndarray,
    test_images: np.ndarray,
    outside: dict[str, tuple[np.ndarray, list[int]]],
    sources: dict[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The power table (`power_table`) of every score on each outside set (`scope_study.
    outside_sets`; `sources`, `scope_study.crop_sources`), thresholds fitted on
    `validation_images`; and the thresholds."""
    limits = thresholds(score_images(scorer, validation_images))
    cifake = score_images(scorer, test_images)
    scored = {name: score_images(scorer, images) for name, (images, _) in outside.items()}
    return power_table(cifake, scored, limits, sources), limits
