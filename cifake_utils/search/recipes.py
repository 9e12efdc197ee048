"""The training-recipe search: a greedy, one-change-at-a-time search on validation only.

Each stage tries a few changes to the best recipe so far (the incumbent), one seed each; a
change that beats the incumbent's validation accuracy becomes the incumbent. The search's
table (one row per run) is saved once (`make recipe-search`) and the study trains the
recipe it chose for each architecture (`chosen_recipe`).
"""

import json
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from ..models.architectures import ARCHITECTURES, ModelConfig
from ..models.jobs import TrainingData, train_jobs
from ..models.store import as_json
from ..models.training import TrainConfig, TrainingRun

UNTUNED = TrainConfig()  # the study's first recipe: Adam 1e-3, batch 64, patience 3


@dataclass(frozen=True)
class Change:
    """One candidate change to the incumbent recipe (training or architecture settings)."""

    label: str
    train: dict = field(default_factory=dict)
    model: dict = field(default_factory=dict)

    def apply(self, model: ModelConfig, recipe: TrainConfig) -> tuple[ModelConfig, TrainConfig]:
        return replace(model, **self.model), replace(recipe, **self.train)


def fixed_budget(epochs: int) -> Change:
    return Change(
        f"cosine decay, fixed {epochs} epochs",
        {"schedule": "cosine", "epochs": epochs, "patience": None},
    )


# The stages, in order, per architecture, each candidate run once (seed 0). The search had to
# fit one working session on a 2-core AVX2 machine (about 80 s per one-thread epoch of the
# 90,000 training images), so most axes get one candidate, and the epoch budgets are those
# notebooks 02 + 03 can afford for 5 + 5 seeds and 3 + 3 variant seeds. They differ because
# the Modified CNN2D (12k parameters, no Flatten head) under-fits where CNN2D over-fits.
BATCH = ("batch size", [Change("batch 128", {"batch_size": 128})])
PEAK_RATE = (
    "peak learning rate",
    [Change("peak 3e-3, 1 warm-up epoch", {"learning_rate": 3e-3, "warmup_epochs": 1})],
)
ADAMW = Change("AdamW, weight decay 0.05", {"optimizer": "adamw", "weight_decay": 0.05})
SMOOTHING = ("label smoothing", [Change("label smoothing 0.1", {"label_smoothing": 0.1})])
FLIP = Change("horizontal flip", {"augmentation": ("flip",)})
FLIP_TRANSLATE = Change("flip + 4-pixel translation", {"augmentation": ("flip", "translate")})
STAGES = {
    "cnn2d": [
        ("schedule and epochs", [fixed_budget(10)]),
        BATCH,
        PEAK_RATE,
        ("optimiser", [ADAMW]),
        SMOOTHING,
        ("augmentation", [FLIP, FLIP_TRANSLATE]),
        ("head", [Change("hidden width 32 (the abstract)", model={"hidden_units": 32})]),
    ],
    # The optimiser, label smoothing and translation are tried on CNN2D only.
    "modified_cnn2d": [
        ("schedule and epochs", [fixed_budget(15)]),
        BATCH,
        PEAK_RATE,
        ("augmentation", [FLIP]),
        (
            "head",
            [
                Change("hidden width 128", model={"hidden_units": 128}),
                Change("dropout 0.25", model={"dropout_rate": 0.25}),
            ],
        ),
    ],
}


def search_row(architecture: str, stage: str, change: str, run: TrainingRun) -> dict:
    """One row of the search table: what was tried and what validation said."""
    return {
        "architecture": architecture,
        "stage": stage,
        "change": change,
        "val_accuracy": run.validation["accuracy"],
        "val_loss": run.validation["loss"],
        "train_accuracy": run.history["accuracy"][run.best_epoch - 1],
        "epochs_trained": run.epochs_trained,
        "minutes": run.seconds / 60,
        "chosen": False,
        "model_config": json.dumps(as_json(run.model_config)),
        "train_config": json.dumps(as_json(run.train_config)),
    }


def search(
    architectures: list[str],
    data: TrainingData,
    stages: dict | None = None,
    max_epochs: int | None = None,
) -> pd.DataFrame:
    """Run the greedy search for every architecture, stage by stage, on validation.

    Architectures advance together, so each stage's runs share the workers. Finished runs
    are loaded from the checkpoint root, so an interrupted search resumes where it stopped.
    `max_epochs` caps every run's budget (the smoke profile's one-epoch check).
    """
    stages = stages or STAGES
    incumbents = {name: (ARCHITECTURES[name], UNTUNED) for name in architectures}
    rows: list[dict] = []

    def run_all(candidates: list[tuple[str, str, str, ModelConfig, TrainConfig]]) -> list[dict]:
        jobs = [(model, cap_epochs(recipe, max_epochs)) for *_, model, recipe in candidates]
        folders = [data.checkpoint_root / f"{c[0]}_{slug(c[2])}" for c in candidates]
        runs = train_jobs(jobs, data, folders)
        return [search_row(c[0], c[1], c[2], run) for c, run in zip(candidates, runs, strict=True)]

    baseline = run_all(
        [(name, "untuned", "the untuned recipe", *incumbents[name]) for name in architectures]
    )
    best = {row["architecture"]: len(rows) + i for i, row in enumerate(baseline)}
    rows.extend(baseline)
    for stage_index in range(max(len(stages[name]) for name in architectures)):
        candidates = []
        for name in architectures:
            if stage_index >= len(stages[name]):
                continue
            stage, changes = stages[name][stage_index]
            candidates += [
                (name, stage, change.label, *change.apply(*incumbents[name])) for change in changes
            ]
        results = run_all(candidates)
        for row, candidate in zip(results, candidates, strict=True):
            rows.append(row)
            name = candidate[0]
            if row["val_accuracy"] > rows[best[name]]["val_accuracy"]:
                best[name] = len(rows) - 1
                incumbents[name] = (candidate[3], candidate[4])
    for index in best.values():
        rows[index]["chosen"] = True
    return pd.DataFrame(rows)


def cap_epochs(recipe: TrainConfig, max_epochs: int | None) -> TrainConfig:
    """`recipe` with at most `max_epochs` epochs (unchanged when None)."""
    if max_epochs is None or recipe.epochs <= max_epochs:
        return recipe
    return replace(recipe, epochs=max_epochs)


def slug(text: str) -> str:
    """A folder-safe name for a change."""
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


def chosen_recipe(table: pd.DataFrame, architecture: str) -> tuple[ModelConfig, TrainConfig]:
    """The architecture and recipe the search chose for `architecture` (seed 0)."""
    chosen = table[(table["architecture"] == architecture) & table["chosen"].astype(bool)]
    if len(chosen) != 1:
        raise ValueError(f"the search table has {len(chosen)} chosen rows for {architecture!r}")
    row = chosen.iloc[0]
    model = json.loads(row["model_config"])
    model["input_shape"] = tuple(model["input_shape"])
    return ModelConfig(**model), TrainConfig(**json.loads(row["train_config"]))


def ablation_variant(base: ModelConfig, name: str) -> ModelConfig:
    """`base` (the tuned CNN2D) with the one change that makes the ablation variant `name`."""
    variant = ARCHITECTURES[name]
    return replace(
        base,
        name=name,
        global_average_pooling=variant.global_average_pooling,
        dropout_rate=variant.dropout_rate,
    )


def recipe_changes(recipe: TrainConfig, base: TrainConfig = UNTUNED) -> dict:
    """The settings in which `recipe` differs from `base` (the seed is left out)."""
    ours, theirs = asdict(recipe), asdict(base)
    return {key: value for key, value in ours.items() if key != "seed" and value != theirs[key]}


def recipes_table(chosen: dict[str, tuple[ModelConfig, TrainConfig]]) -> pd.DataFrame:
    """Each model's chosen settings that differ from the untuned recipe, one column a model."""
    columns = {}
    for name, (model, recipe) in chosen.items():
        untuned_model = ARCHITECTURES[name]
        changes = {key: str(value) for key, value in recipe_changes(recipe).items()}
        for key in ("hidden_units", "dropout_rate"):
            if getattr(model, key) != getattr(untuned_model, key):
                changes[key] = str(getattr(model, key))
        columns[name] = changes
    return pd.DataFrame(columns).fillna("as untuned")
