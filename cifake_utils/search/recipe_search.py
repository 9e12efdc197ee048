"""`make recipe-search`: run the training-recipe search once and save its table.

The search is too costly to repeat in every `make reproduce`, so its table is committed and
the notebooks train the recipe it chose. To fit one working session on a 2-core machine it
trains on a seeded, class-balanced subset of the training split (`SEARCH_TRAIN_IMAGES`) and
scores every candidate on the whole validation split; the two architectures' searches run
side by side, each in its own process, so that neither waits for the other's longer runs.
"""

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..data.splits import balanced_subset
from ..machine import machine_info
from ..models.architectures import PAPER_MODELS, ModelConfig
from ..models.jobs import TrainingData
from ..models.training import TrainConfig
from ..project import artifacts
from ..project.inputs import load_study_data
from ..project.profiles import Profile, get_profile
from . import recipes

SEARCHED = list(PAPER_MODELS)
WORKERS = 2  # one-thread training processes, as in notebooks 02 and 03
SEARCH_TRAIN_IMAGES = 40_000  # of the 90,000 training images; all 10,000 validate
SUBSET_SEED = 0


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
        f"{budget['runs']} runs (seed {budget['seed']}, {budget['train_images']:,} training "
        f"images), {budget['run_minutes']:.0f} minutes of training, "
        f"{budget['wall_minutes']:.0f} minutes wall clock, on {budget['machine']['cpu']} "
        f"({budget['machine']['cpu_count']} cores)"
    )


def chosen_recipe(
    profile: Profile, architecture: str, search: pd.DataFrame | None = None
) -> tuple[ModelConfig, TrainConfig]:
    """The architecture and recipe the search chose, capped at the profile's epoch budget."""
    model, recipe = recipes.chosen_recipe(load_search() if search is None else search, architecture)
    return model, recipes.cap_epochs(recipe, profile.max_epochs)


def search_architecture(profile: Profile, architecture: str, workers: int = WORKERS) -> Path:
    """One architecture's search on the training subset; its table goes to a part file."""
    study = load_study_data(profile)
    size = None if profile.train_images is not None else SEARCH_TRAIN_IMAGES
    train = balanced_subset(study.arrays("train"), size, SUBSET_SEED)
    checksum = f"{study.data.checksum}-train{len(train[1])}-seed{SUBSET_SEED}"
    data = TrainingData(
        train,
        study.arrays("validation"),
        profile.checkpoints_dir / f"recipe_search_{len(train[1])}",
        checksum,
        workers,
    )
    table = recipes.search([architecture], data, max_epochs=profile.max_epochs)
    table["train_images"] = len(train[1])
    path = part_path(profile, architecture)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def part_path(profile: Profile, architecture: str) -> Path:
    """Where one architecture's search table waits to be merged."""
    return profile.checkpoints_dir / "recipe_search_parts" / f"{architecture}.csv"


def run_search(profile: Profile, workers: int = WORKERS) -> None:
    """Search every architecture, side by side; write the table and a budget sidecar."""
    started, start = datetime.now(UTC), time.perf_counter()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cifake_utils.search.recipe_search",
                "--profile",
                profile.name,
                "--workers",
                str(workers),
                "--architecture",
                architecture,
            ]
        )
        for architecture in SEARCHED
    ]
    failed = [a for a, p in zip(SEARCHED, processes, strict=True) if p.wait() != 0]
    if failed:
        raise RuntimeError(f"the recipe search failed for {failed}; rerun to resume it")
    table = pd.concat([pd.read_csv(part_path(profile, a)) for a in SEARCHED], ignore_index=True)
    path = search_table_path(profile)
    artifacts.save_table(table.set_index(["architecture", "stage", "change"]), path)
    artifacts.save_json(
        {
            "runs": int(len(table)),
            "seed": 0,
            "train_images": int(table["train_images"].iloc[0]),
            "workers": workers,
            "run_minutes": round(float(table["minutes"].sum()), 1),
            "wall_minutes": round((time.perf_counter() - start) / 60, 1),
            "started": started.isoformat(timespec="seconds"),
            "machine": machine_info(),
        },
        path.with_suffix(".json"),
    )
    print(table[["architecture", "stage", "change", "val_accuracy", "chosen"]].to_string())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--architecture", choices=SEARCHED, help="search only this one")
    args = parser.parse_args(argv)
    profile = get_profile(args.profile)
    if args.architecture:
        search_architecture(profile, args.architecture, args.workers)
    else:
        run_search(profile, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
