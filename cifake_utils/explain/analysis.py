"""Notebook 05's measurements for one model: its maps, the baselines, and their faithfulness.

Every map set is scored image by image on the same images, so a method and a baseline can be
compared with a paired test (`comparisons`).
"""

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from scipy import stats

from ..models.architectures import DISPLAY_NAMES, PAPER_MODELS
from ..models.saved import default_model_path
from ..models.training import TrainingRun, load_run
from . import comparisons
from .cam import METHODS, class_activation_grids, target_layer, zero_map_share
from .faithfulness import (
    centre_prior_maps,
    curve_areas,
    deletion_insertion_curves,
    edge_prior_maps,
    matching_smoothness,
    smooth_random_maps,
)
from .geometry import Grid, grid_border_share, place_maps, receptive_field_grid
from .road import FRACTIONS, road_curves, road_scores

REPLACEMENTS = ("neutral", "blur")
BASELINES = ("smooth random", "centre prior", "edge prior")


def models_to_explain(models_dir: Path) -> dict[str, TrainingRun]:
    """The seed-0 CNN2D and Modified CNN2D, and the served default model (the demo's and the
    web app's), by display name; the default is named once, marked "(served)"."""
    served = default_model_path(models_dir)
    paths = {
        "CNN2D": models_dir / "cnn2d_seed0.keras",
        "Modified CNN2D": models_dir / "modified_cnn2d_seed0.keras",
    }
    named = {}
    for name, path in paths.items():
        named[f"{name} (served)" if path == served else name] = load_run(path)
    if served not in paths.values():
        run = load_run(served)
        named[f"{DISPLAY_NAMES[run.model_config.name]} (served)"] = run
    return named


def headline_models(models_dir: Path, seeds: tuple[int, ...]) -> dict[tuple[str, int], keras.Model]:
    """{(architecture, seed): model} of both paper models' headline seeds."""
    return {
        (architecture, seed): load_run(models_dir / f"{architecture}_seed{seed}.keras").model
        for architecture in PAPER_MODELS
        for seed in seeds
    }


@dataclass(frozen=True)
class ModelMaps:
    """One model's maps on a set of images: per method, on its grid and placed on the image."""

    grid: Grid
    grids: dict[str, np.ndarray]  # method -> (n, cells, cells)

    @property
    def placed(self) -> dict[str, np.ndarray]:
        return {method: place_maps(maps, self.grid) for method, maps in self.grids.items()}


def model_maps(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray | None = None,
    methods: tuple[str, ...] = tuple(METHODS),
) -> ModelMaps:
    """Every method's maps of `model` on `images`, for `targets` (default: its predictions)."""
    grid = receptive_field_grid(model, target_layer(model))
    grids = {method: class_activation_grids(model, images, targets, method) for method in methods}
    return ModelMaps(grid, grids)


def baseline_maps(images: np.ndarray, maps: ModelMaps, seed: int = 0) -> dict[str, np.ndarray]:
    """The three model-agnostic baselines for these images, the smooth random one matched to
    the smoothness of this model's CAMs (all methods pooled)."""
    sigma = matching_smoothness(np.concatenate(list(maps.grids.values())), seed)
    return {
        "smooth random": smooth_random_maps(len(images), maps.grid, sigma, seed),
        "centre prior": centre_prior_maps(len(images)),
        "edge prior": edge_prior_maps(images),
    }


def flat_shares(maps: ModelMaps) -> dict[str, float]:
    """Per method: the share of all-zero maps (nothing explained; they rank at random)."""
    return {method: zero_map_share(grids) for method, grids in maps.grids.items()}


def faithfulness_scores(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    map_sets: dict[str, np.ndarray],
    seed: int = 0,
    road_images: int | None = None,
    road_fractions: tuple[float, ...] = FRACTIONS,
) -> tuple[dict, dict]:
    """Per-image faithfulness scores of every map set, and the curves behind them.

    Returns ({test: {map set: {score: per-image values}}}, {test: {map set: curves}}) where a
    test is "neutral" or "blur" (deletion and insertion by patches) or "ROAD" (on the first
    `road_images` images, all when None).
    """
    scores: dict = {}
    curves: dict = {}
    for replacement in REPLACEMENTS:
        scores[replacement], curves[replacement] = {}, {}
        for name, maps in map_sets.items():
            found = deletion_insertion_curves(model, images, maps, targets, replacement, seed=seed)
            curves[replacement][name] = found
            scores[replacement][name] = curve_areas(found)
    count = len(images) if road_images is None else min(road_images, len(images))
    scores["ROAD"], curves["ROAD"] = {}, {}
    for name, maps in map_sets.items():
        found = road_curves(
            model, images[:count], maps[:count], targets[:count], road_fractions, seed
        )
        curves["ROAD"][name] = found
        scores["ROAD"][name] = road_scores(found)
    return scores, curves


def faithfulness_tests(scores: dict, methods: list[str]) -> pd.DataFrame:
    """Every method against every baseline, per test and score, Holm-corrected over the whole
    table of this model."""
    tables = [
        comparisons.comparisons(test_scores, methods, list(BASELINES)).assign(test=test)
        for test, test_scores in scores.items()
    ]
    table = pd.concat(tables, ignore_index=True)
    table["p_holm"] = comparisons.holm(table["p_value"].to_numpy())
    table["verdict"] = [
        comparisons.verdict(e, p)
        for e, p in zip(table["rank_biserial"], table["p_holm"], strict=True)
    ]
    return table[["test", *[c for c in table.columns if c != "test"]]]


def mean_scores(scores: dict) -> pd.DataFrame:
    """Mean of every per-image score, one row per test and map set."""
    rows = [
        {"test": test, "map set": name} | {score: float(np.mean(v)) for score, v in values.items()}
        for test, by_name in scores.items()
        for name, values in by_name.items()
    ]
    return pd.DataFrame(rows).set_index(["test", "map set"])


def border_shares(
    maps_by_class: dict[str, ModelMaps], uniform: float, ring: int = 4
) -> pd.DataFrame:
    """Per true class and method: the mean share of map mass in the border cells, and the
    Wilcoxon signed-rank test of the per-image shares against a uniform map's `uniform`."""
    rows = []
    for label, maps in maps_by_class.items():
        for method, grids in maps.grids.items():
            share = grid_border_share(grids, maps.grid, ring)
            defined = share[np.isfinite(share)] - uniform
            rows.append(
                {
                    "true class": label,
                    "method": method,
                    "mean border share": float(np.nanmean(share)),
                    "median border share": float(np.nanmedian(share)),
                    "p vs uniform": float(stats.wilcoxon(defined).pvalue)
                    if np.any(defined != 0)
                    else 1.0,
                    "flat maps": zero_map_share(grids),
                }
            )
    return pd.DataFrame(rows).set_index(["true class", "method"])


def records(table: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready rows, its index included."""
    return table.reset_index().to_dict(orient="records")


def model_summary(name: str, tables: dict[str, pd.DataFrame | pd.Series]) -> dict:
    """One model's entry in `05_explanations.json`: every table of notebook 05, by the
    model's display `name`, as rows (the tables are indexed by model first)."""
    entry = {}
    for key, table in tables.items():
        part = table[name] if isinstance(table, pd.DataFrame) and name in table.columns else None
        if part is not None:  # a column per model
            entry[key] = part.to_dict()
        elif "model" in table.columns:  # a flat table with a model column
            entry[key] = table[table["model"] == name].drop(columns="model").to_dict("records")
        else:  # indexed by model first
            entry[key] = records(table.loc[name])
    return entry
