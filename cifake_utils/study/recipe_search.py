"""`make recipe-search`: run the training-recipe search once and save its table.

The search is too costly to repeat in every `make reproduce` (about an hour on two cores),
so its table is committed and the notebooks train the recipe it chose.
"""

import argparse
import json
import time
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd

from ..machine import machine_info
from ..models import recipes
from ..models.architectures import ModelConfig
from ..models.training import Job, TrainConfig, TrainingRun, as_json
from . import artifacts
from .inputs import load_study_data
from .profiles import Profile, get_profile

SEARCHED = ["cnn2d", "modified_cnn2d"]
WORKERS = 2  # two one-thread runs at a time: about 1.6x the throughput on two cores


def search_table_path(profile: Profile):
    """Where the search's table lives for a profile."""
    return profile.metrics_dir / "recipe_search.csv"


def load_search() -> pd.DataFrame:
    """The committed search table of the full profile (every profile trains its choice)."""
    path = search_table_path(get_profile("full"))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no recipe search; run `make recipe-search`")
    return pd.read_csv(path)


def budget_line() -> str:
    """What the committed search cost, from its sidecar, in one line."""
    path = search_table_path(get_profile("full")).with_suffix(".json")
    budget = json.loads(path.read_text())
    return (
        f"{budget['runs']} runs (seed {budget['seed']}), {budget['run_minutes']:.0f} minutes of "
        f"training in {budget['workers']} processes, {budget['wall_minutes']:.0f} minutes wall "
        f"clock, on {budget['machine']['cpu']} ({budget['machine']['cpu_count']} cores)"
    )


def chosen_recipe(
    profile: Profile, architecture: str, search: pd.DataFrame | None = None
) -> tuple[ModelConfig, TrainConfig]:
    """The architecture and recipe the search chose, capped at the profile's epoch budget."""
    model, recipe = recipes.chosen_recipe(load_search() if search is None else search, architecture)
    return model, recipes.cap_epochs(recipe, profile.max_epochs)


def run_search(profile: Profile, workers: int = WORKERS) -> None:
    """Search on the profile's validation split; write the table and a budget sidecar."""
    study = load_study_data(profile)
    started, start = datetime.now(UTC), time.perf_counter()
    table = recipes.search(
        SEARCHED,
        study.arrays("train"),
        study.arrays("validation"),
        profile.checkpoints_dir / "recipe_search",
        study.data.checksum,
        workers=workers,
        max_epochs=profile.max_epochs,
    )
    path = search_table_path(profile)
    artifacts.save_table(table.set_index(["architecture", "stage", "change"]), path)
    artifacts.save_json(
        {
            "runs": int(len(table)),
            "seed": 0,
            "workers": workers,
            "run_minutes": round(float(table["minutes"].sum()), 1),
            "wall_minutes": round((time.perf_counter() - start) / 60, 1),
            "started": started.isoformat(timespec="seconds"),
            "data_checksum": study.data.checksum,
            "machine": machine_info(),
        },
        path.with_suffix(".json"),
    )
    print(table[["architecture", "stage", "change", "val_accuracy", "chosen"]].to_string())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args(argv)
    run_search(get_profile(args.profile), args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def rerun_agreement(search: pd.DataFrame, runs: dict[str, TrainingRun]) -> pd.DataFrame:
    """Does each architecture's seed-0 run repeat the search's run of the same recipe?

    Same seed, data, recipe and thread count on the same machine should give the same
    numbers to the last bit; `same_recipe` is False where the profile capped the epochs.
    """
    rows = []
    for architecture, run in runs.items():
        chosen = search[(search["architecture"] == architecture) & search["chosen"].astype(bool)]
        row = chosen.iloc[0]
        same_recipe = json.loads(row["train_config"]) == as_json(run.train_config)
        rows.append(
            {
                "architecture": architecture,
                "search_val_accuracy": row["val_accuracy"],
                "rerun_val_accuracy": run.validation["accuracy"],
                "search_val_loss": row["val_loss"],
                "rerun_val_loss": run.validation["loss"],
                "same_recipe": same_recipe,
                "identical": same_recipe
                and row["val_accuracy"] == run.validation["accuracy"]
                and row["val_loss"] == run.validation["loss"],
            }
        )
    return pd.DataFrame(rows).set_index("architecture")


def ablation_jobs(profile: Profile, search: pd.DataFrame) -> list[Job]:
    """Notebook 03's runs: the Modified CNN2D with its own recipe (the profile's seeds), and
    CNN2D + GAP and CNN2D + Dropout, each the tuned CNN2D with one change and CNN2D's recipe
    (the profile's variant seeds), so that each differs from CNN2D only in that change."""
    modified, modified_recipe = chosen_recipe(profile, "modified_cnn2d", search)
    cnn2d, cnn2d_recipe = chosen_recipe(profile, "cnn2d", search)
    jobs = [(modified, replace(modified_recipe, seed=seed)) for seed in profile.seeds]
    for name in ("cnn2d_gap", "cnn2d_dropout"):
        variant = recipes.ablation_variant(cnn2d, name)
        jobs += [(variant, replace(cnn2d_recipe, seed=seed)) for seed in profile.variant_seeds]
    return jobs
