"""The two run profiles: `full` (the study) and `smoke` (a small real subset for CI)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import project_root

WORKERS_VARIABLE = "CIFAKE_WORKERS"  # training processes at a time (default: one per core)
FRESH_VARIABLE = "CIFAKE_FRESH"  # "1": reuse no saved model, train everything from the data


def default_workers() -> int:
    """$CIFAKE_WORKERS, else the core count: one one-thread training process per core."""
    setting = os.environ.get(WORKERS_VARIABLE, "").strip()
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise ValueError(f"{WORKERS_VARIABLE}={setting!r}: give a whole number of processes")
        return int(setting)
    return os.cpu_count() or 1


def fresh_requested() -> bool:
    return os.environ.get(FRESH_VARIABLE, "").strip() in {"1", "true", "yes"}


@dataclass(frozen=True)
class Profile:
    """What a notebook run covers and where it writes."""

    name: str
    train_images: int | None  # None: all 100,000 training images
    test_images: int | None  # None: all 20,000 test images
    output_dir: Path  # figures/, metrics/, splits/, models/, report/ go below it
    notebooks_dir: Path  # the executed notebooks: notebooks/ itself for the full run
    max_epochs: int | None = None  # caps every recipe's epoch budget (None: the recipe's)
    # The paper's two models in notebooks 02-04 (the headline numbers), once per seed, and
    # the single-change ablation variants of notebook 03: as many, so that a verdict between
    # them does not rest on fewer seeds than the headline's.
    headline_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    variant_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    # The beyond-the-paper model's seeds (notebook 08): three, what its budget affords on the
    # slow 2-core CPU. Notebooks 07 and 08 use every seed of the paper models.
    seeds: tuple[int, ...] = (0, 1, 2)
    # Training processes at a time, each with `threads_per_worker` threads (see
    # `training.train_jobs`): one thread each, so that a run's numbers depend on the CPU kind
    # and not on how many cores the machine has.
    workers: int = 1
    # True: saved models are not reused (`make reproduce FRESH=1`), and training keeps its
    # resumable state apart from the ordinary runs'.
    fresh: bool = False
    # Papermill parameters that this profile sets in a notebook (by file stem) besides PROFILE.
    notebook_parameters: dict[str, dict] = field(default_factory=dict)

    @property
    def threads_per_worker(self) -> int:
        return max(1, (os.cpu_count() or 1) // self.workers)

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / "figures"

    @property
    def metrics_dir(self) -> Path:
        return self.output_dir / "metrics"

    @property
    def splits_path(self) -> Path:
        return self.output_dir / "splits" / "splits.npz"

    @property
    def models_dir(self) -> Path:
        return self.output_dir / "models"

    @property
    def reusable_models_dir(self) -> Path | None:
        """Where saved models may be reused from when their key matches (None when fresh)."""
        return None if self.fresh else self.models_dir

    @property
    def checkpoints_dir(self) -> Path:
        """Resumable training state; under data/, which git ignores."""
        folder = f"{self.name}-fresh" if self.fresh else self.name
        return project_root() / "data" / "checkpoints" / folder

    @property
    def report_dir(self) -> Path:
        return self.output_dir / "report"


def get_profile(name: str, root: Path | None = None) -> Profile:
    """The `full` profile writes the canonical outputs/; `smoke` writes scratch/smoke/.

    Workers and the fresh setting come from $CIFAKE_WORKERS and $CIFAKE_FRESH.
    """
    root = root or project_root()
    setting = {"workers": default_workers(), "fresh": fresh_requested()}
    profiles = {
        "full": Profile("full", None, None, root / "outputs", root / "notebooks", **setting),
        "smoke": Profile(
            "smoke",
            2_000,
            1_000,
            root / "scratch" / "smoke",
            root / "scratch" / "smoke" / "notebooks",
            max_epochs=1,
            headline_seeds=(0,),
            variant_seeds=(0,),
            seeds=(0,),
            # The smoke run checks the code path, not the numbers.
            notebook_parameters={
                "05_gradcam_analysis": {
                    "FAITHFULNESS_IMAGES": 60,
                    "ROAD_IMAGES": 12,
                    "MEAN_MAP_IMAGES": 40,
                    "BORDER_SEED_IMAGES": 10,
                    "SANITY_IMAGES": 20,
                    "SANITY_SEEDS": [0, 1],
                    "SHUFFLED_TRAIN_IMAGES": 64,
                    "SHUFFLED_EPOCHS": 2,
                },
                "07_robustness": {"RETRAINING_SEEDS": [0, 1]},
                "08_beyond_the_paper": {"FAITHFULNESS_IMAGES": 40},
            },
            **setting,
        ),
    }
    if name not in profiles:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(profiles)}")
    return profiles[name]
