"""The recipe each paper model is trained with in notebooks 02 and 03: the greedy search's
choice (`recipe_search`) with the epoch budget, and for the Modified CNN2D the candidate, that
the sweep on validation chose (`epoch_budget`)."""

import json
from dataclasses import replace

import pandas as pd

from ..models.architectures import ModelConfig
from ..models.jobs import Job
from ..models.training import TrainConfig
from ..project.profiles import Profile
from . import recipes
from .epoch_budget import budget_table, load_sweep


def final_recipe(
    profile: Profile, architecture: str, table: pd.DataFrame | None = None
) -> tuple[ModelConfig, TrainConfig]:
    """The architecture and recipe a paper model is trained with: the chosen candidate at its
    chosen budget, or at the epochs the study affords where that is less (`EPOCH_CAP`), capped
    at the profile's epochs."""
    table = load_sweep() if table is None else table
    budgets = budget_table(table)
    row = budgets[(budgets["architecture"] == architecture) & budgets["chosen"]].iloc[0]
    run = table[
        (table["architecture"] == architecture)
        & (table["recipe"] == row["recipe"])
        & (table["epochs"] == row["trained_epochs"])
    ].iloc[0]
    model = json.loads(run["model_config"])
    model["input_shape"] = tuple(model["input_shape"])
    recipe = TrainConfig(**json.loads(run["train_config"]))
    return ModelConfig(**model), recipes.cap_epochs(recipe, profile.max_epochs)


def ablation_jobs(profile: Profile, sweep: pd.DataFrame | None = None) -> list[Job]:
    """Notebook 03's runs: the Modified CNN2D with its own recipe (the profile's headline
    seeds), and CNN2D + GAP and CNN2D + Dropout, each the tuned CNN2D with one change and
    CNN2D's recipe (the profile's variant seeds), so that each differs from CNN2D only in that
    change."""
    modified, modified_recipe = final_recipe(profile, "modified_cnn2d", sweep)
    cnn2d, cnn2d_recipe = final_recipe(profile, "cnn2d", sweep)
    jobs = [(modified, replace(modified_recipe, seed=seed)) for seed in profile.headline_seeds]
    for name in ("cnn2d_gap", "cnn2d_dropout"):
        variant = recipes.ablation_variant(cnn2d, name)
        jobs += [(variant, replace(cnn2d_recipe, seed=seed)) for seed in profile.variant_seeds]
    return jobs
