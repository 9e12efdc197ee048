"""Evaluate a model on any labelled image set (the admin's uploaded zip): tables and figures."""

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..data.labelled_zip import LabelledImages
from ..models.inference import predict_fake_probability
from . import metrics
from .plots import plot_confusion_matrices, plot_per_class_accuracy
from .tables import per_cifar_class_table


@dataclass(frozen=True)
class LabelledEvaluation:
    """What a labelled set says about a model."""

    count: int
    headline: dict[str, float] | None  # None when only one class is present (no ROC-AUC)
    per_class: pd.DataFrame  # precision, recall, F1 and support for REAL and FAKE
    figures: dict[str, Figure]  # title -> figure


def evaluate_labelled(
    model: keras.Model, name: str, labelled: LabelledImages
) -> LabelledEvaluation:
    """Metrics, confusion matrix and (when every file name carries one) per-CIFAR-class accuracy."""
    if len(labelled.labels) == 0:
        raise ValueError("no image to evaluate")
    probability = predict_fake_probability(model, labelled.images)
    figures = {
        "Confusion matrix": plot_confusion_matrices(
            {name: metrics.confusion(labelled.labels, probability)}
        )
    }
    if (labelled.cifar_classes >= 0).all():
        table = per_cifar_class_table(labelled.labels, labelled.cifar_classes, [probability])
        figures["Accuracy per CIFAR-10 class"] = plot_per_class_accuracy({name: table})
    both_classes = len(np.unique(labelled.labels)) == 2
    return LabelledEvaluation(
        count=len(labelled.labels),
        headline=metrics.headline_metrics(labelled.labels, probability) if both_classes else None,
        per_class=metrics.per_class_metrics(labelled.labels, probability),
        figures=figures,
    )
