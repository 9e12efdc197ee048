"""The two run profiles: `full` (the study) and `smoke` (a small real subset for CI)."""

from dataclasses import dataclass
from pathlib import Path

from ..paths import project_root


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
    # the single-change ablation variants of notebook 03.
    headline_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    variant_seeds: tuple[int, ...] = (0, 1, 2)
    # The beyond-the-paper model (notebook 08), and the paper models' seeds that notebooks 07
    # and 08 reuse: three, what their budgets afford on the slow 2-core CPU (README,
    # "Measured times").
    seeds: tuple[int, ...] = (0, 1, 2)
    workers: int = 2  # training processes at a time (see `training.train_jobs`)

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
    def checkpoints_dir(self) -> Path:
        """Resumable training state; under data/, which git ignores."""
        return project_root() / "data" / "checkpoints" / self.name

    @property
    def report_dir(self) -> Path:
        return self.output_dir / "report"


def get_profile(name: str) -> Profile:
    """The `full` profile writes the canonical outputs/; `smoke` writes scratch/smoke/."""
    root = project_root()
    profiles = {
        "full": Profile("full", None, None, root / "outputs", root / "notebooks"),
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
        ),
    }
    if name not in profiles:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(profiles)}")
    return profiles[name]
