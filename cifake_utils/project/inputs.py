"""What notebooks 02-06 start from: the data notebook 01 read, and its splits, for a profile."""

from dataclasses import dataclass

from ..data.loading import CifakeData, CifakeSplit, load_cifake
from ..data.splits import Splits, load_splits, read_data_config, split_arrays
from ..models.jobs import TrainingData
from .profiles import Profile


@dataclass(frozen=True)
class StudyData:
    """The decoded data and the profile's splits of it."""

    data: CifakeData
    splits: Splits

    def arrays(self, name: str):
        """(uint8 images, labels) of "train", "validation", "test" or "test_deduplicated"."""
        return split_arrays(self.data, self.splits, name)

    def training_data(
        self,
        profile: Profile,
        folder: str = "",
        data_checksum: str | None = None,
        reuse: bool = True,
    ) -> TrainingData:
        """What `models.jobs` trains from: the training and validation arrays, the profile's
        checkpoints (below `folder`), workers and, with `reuse`, its saved models."""
        return TrainingData(
            self.arrays("train"),
            self.arrays("validation"),
            profile.checkpoints_dir / folder if folder else profile.checkpoints_dir,
            data_checksum or self.data.checksum,
            profile.workers,
            profile.reusable_models_dir if reuse else None,
        )

    @property
    def test(self) -> CifakeSplit:
        """The profile's test images, with labels, classes and names."""
        return self.data.test.subset(self.splits.test)


def load_study_data(profile: Profile) -> StudyData:
    """Load CIFAKE as notebook 01 did (same setting, same strictness) and the saved splits.

    Raises FileNotFoundError when notebook 01 has not run, CifakeDataError when the data
    changed since.
    """
    config = read_data_config(profile.splits_path)
    data = load_cifake(config, progress=False)
    return StudyData(data, load_splits(profile.splits_path, data))
