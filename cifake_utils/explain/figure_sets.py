"""Notebook 05's per-model figures, each set as {figure file stem: figure}: the notebook saves
and shows them in one call each, instead of a compute-save-display loop per cell."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..constants import LABELS
from ..data.loading import CifakeSplit
from ..models.training import TrainingRun
from . import cam
from .analysis import ModelMaps
from .geometry import Grid, receptive_field_grid
from .plots import (
    ANOTHER_SEED,
    plot_deletion_insertion,
    plot_explanations,
    plot_mean_maps,
    plot_randomisation,
    plot_randomisation_similarity,
    plot_road,
)
from .road import FRACTIONS


def example_figures(
    runs: dict[str, TrainingRun],
    test: CifakeSplit,
    probability: dict[str, np.ndarray],
    methods: list[str],
    seed: int,
) -> dict[str, Figure]:
    """Per model: every method's maps on right and wrong examples of each class."""
    figures = {}
    for name, run in runs.items():
        examples = cam.pick_examples(test.labels, probability[name], per_group=2, seed=seed)
        chosen, captions = cam.example_captions(examples, probability[name])
        shown = {
            method: cam.normalise_maps(
                cam.class_activation_maps(run.model, test.images[chosen], method=method)
            )
            for method in methods
        }
        fig = plot_explanations(test.images[chosen], shown, captions)
        cells = receptive_field_grid(run.model, cam.target_layer(run.model)).cells
        fig.suptitle(
            f"{name}, seed 0: two right and two wrong calls of each true class\n"
            f"each map explains the class the model chose, on {cam.target_layer(run.model)}'s "
            f"{cells}x{cells} grid, drawn at 32x32",
            fontsize=12,
        )
        figures[f"05_gradcam_examples_{run.model_config.name}"] = fig
    return figures


def mean_map_figures(
    runs: dict[str, TrainingRun], label_maps: dict[str, dict[str, ModelMaps]], grid: Grid
) -> dict[str, Figure]:
    """Per model: the mean Grad-CAM map of each true class."""
    figures = {}
    for name, run in runs.items():
        by_class = {label: maps.placed["Grad-CAM"] for label, maps in label_maps[name].items()}
        fig = plot_mean_maps(cam.class_mean_maps(by_class), grid)
        images = min(len(maps) for maps in by_class.values())
        fig.suptitle(
            f"{name}, seed 0: mean Grad-CAM density per true class ({images:,} test images "
            "each; 1 = a uniform map)\ninside the dashed square: the inner cells; outside: the "
            "border cells",
            fontsize=12,
        )
        figures[f"05_mean_gradcam_{run.model_config.name}"] = fig
    return figures


def faithfulness_figures(runs: dict[str, TrainingRun], curves: dict) -> dict[str, Figure]:
    """Per model: deletion and insertion with blurred patches, and ROAD."""
    figures = {}
    for name, run in runs.items():
        slug = run.model_config.name
        figures[f"05_deletion_insertion_{slug}_blur"] = plot_deletion_insertion(
            curves[name]["blur"], f"{name}, patches replaced by a blur"
        )
        figures[f"05_road_{slug}"] = plot_road(curves[name]["ROAD"], FRACTIONS, f"{name}, ROAD")
    return figures


def randomisation_figures(
    runs: dict[str, TrainingRun],
    stages: dict,
    images: np.ndarray,
    labels: np.ndarray,
    grid: Grid,
    shown: int = 4,
    other_seed: dict[str, tuple[int, np.ndarray]] | None = None,
) -> dict[str, Figure]:
    """Per model: Grad-CAM of `shown` images as the layers are re-initialised from the top,
    and, where `other_seed` gives one ({model: (seed, grid maps)}), the maps of another seed
    trained on the same labels: the reference every re-initialised column is judged against."""
    picked = np.arange(0, len(images), max(1, len(images) // shown))[:shown]
    captions = [f"true {LABELS[labels[i]]}" for i in picked]
    figures = {}
    for name, run in runs.items():
        columns = {stage: maps[picked] for stage, maps in stages[name]["Grad-CAM"].items()}
        if other_seed and name in other_seed:
            seed, maps = other_seed[name]
            columns[f"{ANOTHER_SEED} {seed}"] = maps[picked]
        fig = plot_randomisation(images[picked], columns, grid, captions)
        fig.suptitle(f"{name}: Grad-CAM as the layers are re-initialised from the top (seed 0)")
        figures[f"05_randomisation_{run.model_config.name}"] = fig
    return figures


def similarity_figures(
    runs: dict[str, TrainingRun],
    tables: dict[str, pd.DataFrame],
    references: dict[str, pd.DataFrame] | None = None,
) -> dict:
    """Per model: the signed and sign-invariant map similarity per re-initialisation seed,
    with the same-labels, different-seed reference band where `references` has one."""
    references = references or {}
    return {
        f"05_randomisation_similarity_{run.model_config.name}": plot_randomisation_similarity(
            tables[name],
            f"{name}: the maps' similarity to the trained model's, per seed",
            references.get(name),
        )
        for name, run in runs.items()
    }
