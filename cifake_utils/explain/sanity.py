"""Sanity checks of the maps (Adebayo et al., 2018): do they change when what the model
learned is taken away?

- Model randomisation: the weighted layers are re-initialised one by one from the top, with
  several re-initialisation seeds, and each map is compared with the trained model's.
- Data randomisation: the same architecture and recipe trained on shuffled labels of a small
  training subset, for as many epochs as it takes to memorise them (a control that has not
  fitted its labels is no control), against the same model trained the same way on the true
  labels of that subset: the two differ only in the labels. Its reference is a second
  true-label model on the same subset with another weight seed: a check passes only where the
  labels change the maps more than the seed does, at the same training size.

Maps are compared on the target layer's own grid (13x13 cells), by Spearman's rank
correlation per image. A flat map (every cell equal, e.g. all zero after Grad-CAM's ReLU)
has no ranking: such images are counted and reported, never silently dropped.
"""

from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from scipy import stats

from ..data.splits import balanced_subset
from ..decision import predict_labels
from ..models.inference import predict_fake_probability
from ..models.summaries import inference_accuracy
from ..models.training import TrainingRun, train_model
from ..significance import t_interval
from .cam import class_activation_grids

WEIGHTED_LAYERS_TOP_DOWN = ("fake_probability", "hidden", "conv2", "conv1")


def randomise_from_top(model: keras.Model, layers: int, seed: int = 0) -> keras.Model:
    """A copy of `model` whose top `layers` weighted layers are re-initialised (cascading)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for offset, name in enumerate(WEIGHTED_LAYERS_TOP_DOWN[:layers]):
        layer = copy.get_layer(name)
        initializer = keras.initializers.GlorotUniform(seed=seed * 101 + offset)
        layer.kernel.assign(initializer(layer.kernel.shape))
        layer.bias.assign(np.zeros(layer.bias.shape, dtype=np.float32))
    return copy


def is_flat(maps: np.ndarray) -> np.ndarray:
    """Per map: are all its values equal (no ranking to compare)?"""
    return np.ptp(maps.reshape(len(maps), -1), axis=1) == 0


def rank_correlations(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Spearman correlation between two sets of maps, image by image (NaN if one is flat)."""
    values = np.full(len(first), np.nan)
    defined = ~(is_flat(first) | is_flat(second))
    for index in np.flatnonzero(defined):
        values[index] = stats.spearmanr(first[index].ravel(), second[index].ravel()).statistic
    return values


def correlation_row(trained: np.ndarray, other: np.ndarray) -> dict:
    """Summary of the per-image correlations of `other` maps with the `trained` ones."""
    rho = rank_correlations(trained, other)
    defined = rho[np.isfinite(rho)]
    return {
        "images": len(rho),
        "mean_spearman": float(defined.mean()) if len(defined) else np.nan,
        "median_spearman": float(np.median(defined)) if len(defined) else np.nan,
        "sem": float(defined.std(ddof=1) / np.sqrt(len(defined))) if len(defined) > 1 else np.nan,
        "flat_trained": float(is_flat(trained).mean()),
        "flat_other": float(is_flat(other).mean()),
        "undefined": float(np.mean(~np.isfinite(rho))),
    }


def model_randomisation(
    model: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    methods: list[str],
    seeds: tuple[int, ...] = (0, 1, 2),
) -> tuple[pd.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Cascading randomisation for every method and re-initialisation seed.

    Returns the table (one row per method, seed and depth) and, for the first seed, the
    grid maps of every stage per method ({method: {"trained": maps, "up to conv2": ...}}),
    for the figure.
    """
    rows, first_seed_maps = [], {}
    for method in methods:
        trained = class_activation_grids(model, images, targets, method)
        first_seed_maps[method] = {"trained": trained}
        for seed in seeds:
            for depth, name in enumerate(WEIGHTED_LAYERS_TOP_DOWN, start=1):
                randomised = randomise_from_top(model, depth, seed)
                maps = class_activation_grids(randomised, images, targets, method)
                if seed == seeds[0]:
                    first_seed_maps[method][f"up to {name}"] = maps
                row = {"method": method, "seed": seed, "randomised": f"up to {name}"}
                rows.append(row | correlation_row(trained, maps))
    return pd.DataFrame(rows), first_seed_maps


def abs_similarity_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95% t-interval of the mean of sign-invariant similarities (|ρ|), clipped to [0, 1],
    the range |ρ| can take (three seeds give wide t-intervals)."""
    low, high = t_interval(np.asarray(values, dtype=float))
    return max(low, 0.0), min(high, 1.0)


def summarise_over_seeds(table: pd.DataFrame) -> pd.DataFrame:
    """Per method and depth: the mean correlation over seeds, its spread, and flat shares."""
    grouped = table.groupby(["method", "randomised"], sort=False)
    return pd.DataFrame(
        {
            "mean_spearman": grouped["mean_spearman"].mean(),
            "seed_std": grouped["mean_spearman"].std(ddof=1),
            # Re-initialising the output layer can flip the logit's sign, which flips a gradient
            # map: per seed the sign-invariant similarity is |mean ρ| (ρ with the map or with its
            # negative, whichever is higher), then averaged over seeds.
            "sign_invariant": grouped["mean_spearman"].apply(lambda rho: rho.abs().mean()),
            "sign_invariant_max": grouped["mean_spearman"].apply(lambda rho: rho.abs().max()),
            # The 95% interval of the sign-invariant similarity over re-initialisation seeds.
            "sign_invariant_low": grouped["mean_spearman"].apply(
                lambda rho: abs_similarity_interval(rho.abs().to_numpy())[0]
            ),
            "sign_invariant_high": grouped["mean_spearman"].apply(
                lambda rho: abs_similarity_interval(rho.abs().to_numpy())[1]
            ),
            "seeds": grouped["seed"].count(),
            "flat_trained": grouped["flat_trained"].first(),
            "flat_randomised": grouped["flat_other"].mean(),
            "undefined": grouped["undefined"].mean(),
        }
    )


def shuffled_labels(labels: np.ndarray, seed: int) -> np.ndarray:
    """The labels in a seeded random order: the data-randomisation test's training labels."""
    return np.random.default_rng(seed).permutation(labels)


def train_on_subset(
    run: TrainingRun,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_dir: Path,
    seed: int = 0,
    epochs: int | None = None,
    shuffle: bool = True,
) -> TrainingRun:
    """`run`'s architecture and recipe (same seed for the weights) trained for `epochs`
    (None: the run's own) on `train`, its labels shuffled (or, `shuffle=False`, as they are),
    with no early stop: the validation split, whose labels are real, must not choose the
    epoch."""
    images, labels = train
    suffix = "shuffled" if shuffle else "true_labels"
    model_config = replace(run.model_config, name=f"{run.model_config.name}_{suffix}")
    train_config = replace(
        run.train_config, epochs=epochs or run.train_config.epochs, patience=None
    )
    return train_model(
        model_config,
        train_config,
        (images, shuffled_labels(labels, seed) if shuffle else labels),
        validation,
        checkpoint_dir,
        run.data_checksum,
    )


def data_randomisation(
    trained: keras.Model,
    shuffled: keras.Model,
    images: np.ndarray,
    targets: np.ndarray,
    methods: list[str],
) -> pd.DataFrame:
    """Per method: how far the shuffled-label model's maps correlate with the trained one's."""
    rows = []
    for method in methods:
        first = class_activation_grids(trained, images, targets, method)
        second = class_activation_grids(shuffled, images, targets, method)
        rows.append({"method": method} | correlation_row(first, second))
    return pd.DataFrame(rows).set_index("method")


def shuffled_label_controls(
    runs: dict[str, TrainingRun],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    checkpoint_root: Path,
    images: np.ndarray,
    targets: dict[str, np.ndarray],
    methods: list[str],
    seed: int = 0,
    epochs: int | None = None,
    monitor: int = 2_000,
) -> pd.DataFrame:
    """The data-randomisation test of each named run's architecture.

    Three models are trained on the same `train` subset, for `epochs`, with a balanced
    `monitor`-image subset of `validation` as their history's validation: one on shuffled
    labels, one on the true labels, and one on the true labels from the next weight seed.
    Per method, the rows hold the correlation of the shuffled-label model's maps with the
    true-label one's on `images` (each explaining the true-label model's verdicts), the
    same-labels reference (the re-seeded true-label model's maps against the true-label
    one's, `same_labels_spearman` and `same_labels_sem`), the correlation with the run's own
    (full-data) model's maps for its `targets`, and the facts that make the control one: how
    often the shuffled labels agree with the true ones, the shuffled-label model's fit to them
    and its accuracy on the whole of `validation` with its real labels (binomial test against
    50%).
    """
    shuffled_train_labels = shuffled_labels(train[1], seed)
    monitored = balanced_subset(validation, monitor, seed)
    tables = {}
    for name, run in runs.items():
        folder = checkpoint_root / run.name
        shuffled = train_on_subset(run, train, monitored, folder, seed, epochs)
        matched = train_on_subset(run, train, monitored, folder / "true", seed, epochs, False)
        next_seed = replace(run.train_config, seed=run.train_config.seed + 1)
        reseeded_run = replace(run, train_config=next_seed)
        reseeded = train_on_subset(
            reseeded_run, train, monitored, folder / "true_reseeded", seed, epochs, False
        )
        matched_targets = predict_labels(predict_fake_probability(matched.model, images))
        table = data_randomisation(matched.model, shuffled.model, images, matched_targets, methods)
        same = data_randomisation(matched.model, reseeded.model, images, matched_targets, methods)
        table["same_labels_spearman"] = same["mean_spearman"]
        table["same_labels_sem"] = same["sem"]
        full = data_randomisation(run.model, shuffled.model, images, targets[name], methods)
        table["mean_spearman_full_model"] = full["mean_spearman"]
        table["shuffled labels' agreement with the true ones"] = float(
            np.mean(shuffled_train_labels == train[1])
        )
        # A control must have fitted its random labels: its accuracy on them, in inference mode.
        table["shuffled-label model's fit to its labels"] = inference_accuracy(
            shuffled, train[0], shuffled_train_labels
        )
        table["true-label model's fit to its labels"] = inference_accuracy(matched, *train)
        correct = inference_accuracy(shuffled, *validation) * len(validation[1])
        table["shuffled-label model's validation accuracy"] = correct / len(validation[1])
        table["shuffled-label validation p vs 50%"] = stats.binomtest(
            round(correct), len(validation[1]), 0.5
        ).pvalue
        table["true-label model's validation accuracy"] = inference_accuracy(matched, *validation)
        table["epochs"] = shuffled.best_epoch
        tables[name] = table
    return pd.concat(tables, names=["model"])
