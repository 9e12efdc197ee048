"""`make beyond-search`: choose the beyond-the-paper model's width and epoch budget on validation.

Every candidate trains once (seed 0) on the whole training split, with both threads of one
process, and is scored on the validation split only; the test split is not read. A candidate
qualifies when that run's wall-clock training time fits `BUDGET_MINUTES` on the machine that
ran the search; the qualifying candidate with the best validation accuracy is chosen.
Notebook 08 trains its seeds in one-thread workers side by side, which on the 2-core AVX2 CPU
take about 1.7x as long per seed and finish two seeds about 1.17x sooner than one two-thread
run after another (docs/measured-times.md). The table is committed, so
that `make reproduce` (notebook 08) trains only the choice.

Wider nets were ruled out before the search by `make benchmark-beyond`: on the 2-core AVX2 CPU
a 32-64-128 net manages under 2 epochs in 15 minutes (docs/measured-times.md).
"""

import argparse
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..compare.targets import BUDGET_MINUTES
from ..machine import machine_info
from ..models.architectures import BEYOND, ModelConfig
from ..models.training import TrainConfig, train_model
from ..project import artifacts
from ..project.inputs import load_study_data
from ..project.profiles import Profile, get_profile
from .recipes import cap_epochs

SEED = 0

# The recipe the paper models' search converged on (AdamW, cosine, label smoothing, flips),
# with a higher peak rate and a warm-up epoch, which BatchNorm allows.
RECIPE = TrainConfig(
    epochs=4,
    batch_size=128,
    optimizer="adamw",
    learning_rate=3e-3,
    weight_decay=0.05,
    patience=None,
    schedule="cosine",
    warmup_epochs=1,
    label_smoothing=0.1,
    augmentation=("flip",),
)


@dataclass(frozen=True)
class Candidate:
    """One point of the search: the stage widths and the epoch budget."""

    widths: tuple[int, ...]
    epochs: int

    @property
    def name(self) -> str:
        return f"vgg_bn_{'-'.join(map(str, self.widths))}_{self.epochs}_epochs"

    def configs(self) -> tuple[ModelConfig, TrainConfig]:
        model = replace(BEYOND["vgg_bn"], stage_widths=self.widths)
        return model, replace(RECIPE, epochs=self.epochs, seed=SEED)


# The pilot's net for 4 and 5 epochs, and a fourth stage at 4x4 pixels: more capacity for
# little compute, since most of the cost is in the 32x32 stage.
CANDIDATES = (
    Candidate((16, 32, 64), 4),
    Candidate((16, 32, 64), 5),
    Candidate((16, 32, 64, 128), 4),
)


def table_path() -> Path:
    """The committed search table (the full profile's)."""
    return get_profile("full").metrics_dir / "beyond_search.csv"


def search_row(candidate: Candidate, run) -> dict:
    """What the table keeps of one candidate's run."""
    return {
        "candidate": candidate.name,
        "widths": "-".join(map(str, candidate.widths)),
        "epochs": candidate.epochs,
        "parameters": int(run.model.count_params()),
        "val_accuracy": run.validation["accuracy"],
        "val_loss": run.validation["loss"],
        "train_accuracy": run.history["accuracy"][-1],
        "minutes": run.seconds / 60,
    }


def choose(table: pd.DataFrame, budget_minutes: float = BUDGET_MINUTES) -> pd.DataFrame:
    """Mark the qualifying candidate (within the budget) with the best validation accuracy."""
    table = table.copy()
    table["within_budget"] = table["minutes"] <= budget_minutes
    if not table["within_budget"].any():
        raise ValueError(f"no candidate trained within {budget_minutes} minutes")
    best = table.loc[table["within_budget"], "val_accuracy"].idxmax()
    table["chosen"] = table.index == best
    return table


def run_search(profile: Profile) -> pd.DataFrame:
    """Train every candidate (resumable, finished ones are loaded) and save the table."""
    started, start = datetime.now(UTC), time.perf_counter()
    study = load_study_data(profile)
    train, validation = study.arrays("train"), study.arrays("validation")
    rows = []
    for candidate in CANDIDATES:
        model, recipe = candidate.configs()
        folder = profile.checkpoints_dir / "beyond_search" / candidate.name
        run = train_model(model, recipe, train, validation, folder, study.data.checksum)
        rows.append(search_row(candidate, run))
    table = choose(pd.DataFrame(rows))
    path = profile.metrics_dir / "beyond_search.csv"
    artifacts.save_table(table.set_index("candidate"), path)
    artifacts.save_json(
        {
            "budget_minutes": BUDGET_MINUTES,
            "seed": SEED,
            "train_images": int(len(train[1])),
            "validation_images": int(len(validation[1])),
            "wall_minutes": round((time.perf_counter() - start) / 60, 1),
            "started": started.isoformat(timespec="seconds"),
            "machine": machine_info(),
        },
        path.with_suffix(".json"),
    )
    return table


def load_search() -> pd.DataFrame:
    """The committed search table; FileNotFoundError says how to make it."""
    path = table_path()
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no beyond-the-paper search; run `make beyond-search`")
    return pd.read_csv(path)


def chosen_configs(
    profile: Profile, search: pd.DataFrame | None = None
) -> tuple[ModelConfig, TrainConfig]:
    """The chosen candidate's configs (named "vgg_bn"), capped at the profile's epoch budget."""
    search = load_search() if search is None else search
    chosen = search[search["chosen"]]
    if len(chosen) != 1:
        raise ValueError(f"the search table marks {len(chosen)} candidates as chosen, not one")
    row = chosen.iloc[0]
    widths = tuple(int(w) for w in str(row["widths"]).split("-"))
    model, recipe = Candidate(widths, int(row["epochs"])).configs()
    return model, cap_epochs(recipe, profile.max_epochs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    args = parser.parse_args(argv)
    table = run_search(get_profile(args.profile))
    print(table.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
