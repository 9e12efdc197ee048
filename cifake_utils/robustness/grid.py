"""The corruption grid: each model on transformed test images, at the study's threshold and at
a threshold re-tuned on the same transformation of the validation split.

Accuracy at the fixed threshold mixes two things: whether the scores still rank FAKE above
REAL (ROC-AUC, average precision) and whether the threshold still sits between them
(calibration). A transformation that keeps AUC but collapses accuracy moves the scores, it
does not erase the cue.
"""

import keras
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from ..decision import THRESHOLD, predict_labels
from ..models.inference import predict_fake_probability
from .corruptions import Corruption


def best_threshold(labels: np.ndarray, probability: np.ndarray) -> float:
    """The threshold with the highest accuracy on (labels, probability): midway between two
    neighbouring scores, so that it does not sit on a score."""
    order = np.sort(np.unique(probability))
    candidates = np.concatenate([[0.0], (order[:-1] + order[1:]) / 2, [1.0]])
    accuracies = [np.mean(predict_labels(probability, t) == labels) for t in candidates]
    return float(candidates[int(np.argmax(accuracies))])


def corrupted_metrics(
    model: keras.Model,
    test: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    corruption: Corruption,
    seed: int = 0,
) -> dict[str, float]:
    """Accuracy at the study's threshold and at the re-tuned one, ROC-AUC and AP, of `model` on
    the corrupted test images (the validation images corrupted alike pick the threshold)."""
    test_images, test_labels = test
    val_images, val_labels = validation
    probability = predict_fake_probability(model, corruption(test_images, seed))
    val_probability = predict_fake_probability(model, corruption(val_images, seed + 1))
    threshold = best_threshold(val_labels, val_probability)
    return {
        "accuracy": float(np.mean(predict_labels(probability) == test_labels)),
        "retuned_threshold": threshold,
        "accuracy_retuned": float(np.mean(predict_labels(probability, threshold) == test_labels)),
        "roc_auc": float(roc_auc_score(test_labels, probability)),
        "average_precision": float(average_precision_score(test_labels, probability)),
        "mean_p_fake": float(probability.mean()),
        "threshold": THRESHOLD,
    }
