"""Classification metrics (scikit-learn), calibration, bootstrap intervals and McNemar's test."""

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics as skm

from ..constants import LABELS
from ..decision import predict_labels


def headline_metrics(y_true: np.ndarray, fake_probability: np.ndarray) -> dict[str, float]:
    """The paper's four numbers (weighted averages over both classes) plus ROC-AUC and mAP."""
    y_pred = predict_labels(fake_probability)
    precision, recall, f1, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, average="weighted", zero_division=0
    )
    return {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "roc_auc": skm.roc_auc_score(y_true, fake_probability),
        "mean_average_precision": mean_average_precision(y_true, fake_probability),
    }


def per_class_metrics(y_true: np.ndarray, fake_probability: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1 and support for REAL and FAKE, and their weighted average."""
    report = skm.classification_report(
        y_true,
        predict_labels(fake_probability),
        labels=[0, 1],
        target_names=list(LABELS),
        output_dict=True,
        zero_division=0,
    )
    rows = {name: report[name] for name in (*LABELS, "weighted avg")}
    return pd.DataFrame.from_dict(rows, orient="index")


def confusion(y_true: np.ndarray, fake_probability: np.ndarray) -> np.ndarray:
    """2x2 counts: rows the true label (REAL, FAKE), columns the predicted one."""
    return skm.confusion_matrix(y_true, predict_labels(fake_probability), labels=[0, 1])


def average_precision_per_class(
    y_true: np.ndarray, fake_probability: np.ndarray
) -> dict[str, float]:
    """Average precision with each class in turn as the positive one."""
    y_true = np.asarray(y_true)
    fake_probability = np.asarray(fake_probability, dtype=np.float64)
    return {
        "REAL": skm.average_precision_score(y_true == 0, 1.0 - fake_probability),
        "FAKE": skm.average_precision_score(y_true == 1, fake_probability),
    }


def mean_average_precision(y_true: np.ndarray, fake_probability: np.ndarray) -> float:
    """The paper's "mAP": the mean of the two classes' average precisions."""
    return float(np.mean(list(average_precision_per_class(y_true, fake_probability).values())))


def reliability(y_true: np.ndarray, fake_probability: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per equal-width bin of the predicted class's confidence: count, confidence, accuracy.

    The confidence is the probability given to the predicted class (max(p, 1 - p)), so the
    bins span [0.5, 1].
    """
    y_true = np.asarray(y_true)
    fake_probability = np.asarray(fake_probability, dtype=np.float64)
    y_pred = predict_labels(fake_probability)
    confidence = np.where(y_pred == 1, fake_probability, 1.0 - fake_probability)
    edges = np.linspace(0.5, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        rows.append(
            {
                "low": edges[b],
                "high": edges[b + 1],
                "count": int(inside.sum()),
                "confidence": confidence[inside].mean() if inside.any() else np.nan,
                "accuracy": (y_pred[inside] == y_true[inside]).mean() if inside.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def expected_calibration_error(
    y_true: np.ndarray, fake_probability: np.ndarray, bins: int = 10
) -> float:
    """ECE: the count-weighted mean gap between confidence and accuracy over the bins."""
    table = reliability(y_true, fake_probability, bins).dropna()
    gaps = (table["confidence"] - table["accuracy"]).abs()
    return float((gaps * table["count"]).sum() / table["count"].sum())


def confidence_summary(y_true: np.ndarray, fake_probability: np.ndarray) -> dict[str, float]:
    """Mean confidence (the probability of the predicted class) against accuracy, and the ECE:
    confidence above accuracy is over-confidence, below it under-confidence."""
    probability = np.asarray(fake_probability, dtype=float)
    confidence = np.maximum(probability, 1.0 - probability)
    return {
        "mean_confidence": float(confidence.mean()),
        "accuracy": float(np.mean(predict_labels(probability) == y_true)),
        "ece": expected_calibration_error(y_true, probability),
    }


def bootstrap_interval(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y_true: np.ndarray,
    score: np.ndarray,
    resamples: int = 1_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `metric(y_true, score)`, resampling images in pairs."""
    result = stats.bootstrap(
        (np.asarray(y_true), np.asarray(score)),
        metric,
        paired=True,
        vectorized=False,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


HEADLINE_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "accuracy": lambda y, p: skm.accuracy_score(y, predict_labels(p)),
    "precision": lambda y, p: skm.precision_score(
        y, predict_labels(p), average="weighted", zero_division=0
    ),
    "recall": lambda y, p: skm.recall_score(y, predict_labels(p), average="weighted"),
    "f1": lambda y, p: skm.f1_score(y, predict_labels(p), average="weighted"),
    "roc_auc": skm.roc_auc_score,
}


def mcnemar_exact(y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> dict:
    """McNemar's exact test of two classifiers on the same images.

    Only the discordant images count: `a_only` that A gets right and B wrong, `b_only` the
    reverse. Under the null both are equally likely, so `a_only` is Binomial(n, 1/2).
    """
    correct_a = np.asarray(pred_a) == np.asarray(y_true)
    correct_b = np.asarray(pred_b) == np.asarray(y_true)
    a_only = int(np.sum(correct_a & ~correct_b))
    b_only = int(np.sum(~correct_a & correct_b))
    discordant = a_only + b_only
    p_value = 1.0 if discordant == 0 else stats.binomtest(a_only, discordant, 0.5).pvalue
    return {"a_only": a_only, "b_only": b_only, "p_value": float(p_value)}
