"""Figures of the Grad-CAM analysis; each function returns a matplotlib Figure, unsaved."""

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..plots import LABEL_COLOURS, marker_handle, overlay_heatmap
from .cam import normalise_maps
from .geometry import Grid, place_maps
from .sanity import abs_similarity_interval, rank_correlations

BASELINE_NAMES = ("smooth random", "centre prior", "edge prior")


def plot_explanations(
    images: np.ndarray,
    maps: dict[str, np.ndarray],
    captions: list[str],
    scale: int = 4,
) -> Figure:
    """Rows = examples, columns = the image and its overlay for each method, a colour bar.

    `maps` are normalised per image for display ({method: (n, 32, 32) in [0, 1]});
    `captions` label each row (class, P(FAKE), right or wrong), written beside it.
    """
    columns = 1 + len(maps)
    fig = Figure(figsize=(2.3 * columns + 2.6, 2.3 * len(images) + 0.6), layout="constrained")
    axes = fig.subplots(len(images), columns, squeeze=False)
    for row, image in enumerate(images):
        axes[row, 0].imshow(overlay_heatmap(image, np.zeros(image.shape[:2]), scale, alpha=0))
        axes[row, 0].set_ylabel(captions[row], fontsize=10, rotation=0, ha="right", va="center")
        for column, method_maps in enumerate(maps.values(), start=1):
            axes[row, column].imshow(overlay_heatmap(image, method_maps[row], scale))
    for column, title in enumerate(["image", *maps]):
        axes[0, column].set_title(title, fontsize=12)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(
        ScalarMappable(Normalize(0, 1), "jet"),
        ax=axes[:, 1:].ravel().tolist(),
        fraction=0.04,
        label="map value (each map scaled to its own maximum)",
    )
    return fig


def plot_mean_maps(mean_maps: dict[str, np.ndarray], grid: Grid, ring: int = 4) -> Figure:
    """Mean map densities of each class on one shared scale (1 = a uniform map), and their
    difference on a diverging scale; the dashed square separates the border cells (receptive
    fields centred within `ring` pixels of the edge) from the centre."""
    *classes, difference = mean_maps.items()
    fig = Figure(figsize=(4.2 * len(mean_maps) + 1.0, 4.0), layout="constrained")
    axes = fig.subplots(1, len(mean_maps))
    top = max(float(m.max()) for _, m in classes)
    for ax, (title, mean_map) in zip(axes, classes, strict=False):
        shown = ax.imshow(mean_map, cmap="inferno", vmin=0, vmax=top)
        ax.set_title(title, fontsize=11)
    fig.colorbar(
        shown, ax=list(axes[: len(classes)]), fraction=0.04, label="mean map density (1 = uniform)"
    )
    title, values = difference
    limit = float(np.abs(values).max()) or 1.0
    shown = axes[-1].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[-1].set_title(title, fontsize=11)
    fig.colorbar(shown, ax=axes[-1], fraction=0.046, label="difference of mean densities")
    low, high = _inner_boundary(grid, ring)
    for ax in axes:
        ax.add_patch(_square(low, high - low))
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
    return fig


def _inner_boundary(grid: Grid, ring: int) -> tuple[float, float]:
    """Pixel coordinates of the line between the border cells and the inner cells."""
    centres, border = grid.centres, grid.border_cells(ring)
    inner = np.flatnonzero(~border)
    if len(inner) == 0:
        return -0.5, grid.size - 0.5
    low = (centres[inner[0] - 1] + centres[inner[0]]) / 2 if inner[0] > 0 else -0.5
    last = inner[-1]
    high = (centres[last] + centres[last + 1]) / 2 if last + 1 < len(centres) else grid.size - 0.5
    return float(low), float(high)


def _square(start: float, side: float) -> Rectangle:
    """The outline of the centre region, inside the border ring."""
    return Rectangle((start, start), side, side, fill=False, edgecolor="white", ls="--", lw=1.2)


def plot_deletion_insertion(curves: dict[str, dict[str, np.ndarray]], title: str) -> Figure:
    """Mean target-class probability against the fraction of pixels deleted / inserted."""
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, kind in zip(axes, ("deletion", "insertion"), strict=True):
        for method, method_curves in curves.items():
            values = method_curves[kind]
            fractions = np.linspace(0, 1, values.shape[1])
            dashed = method in BASELINE_NAMES
            ax.plot(fractions, values.mean(axis=0), label=method, ls="--" if dashed else "-")
        done = "deleted" if kind == "deletion" else "inserted"
        ax.set_xlabel(f"fraction of 4x4 patches {done}, in the map's order")
        ax.set_title(f"{kind} ({'lower' if kind == 'deletion' else 'higher'} area is better)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("probability of the target class")
    axes[1].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_road(curves: dict[str, dict[str, np.ndarray]], fractions: tuple, title: str) -> Figure:
    """Mean target-class probability after ROAD imputation, most (MoRF) and least (LeRF)
    relevant pixels first, against the fraction of pixels removed."""
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, order in zip(axes, ("MoRF", "LeRF"), strict=True):
        for method, method_curves in curves.items():
            dashed = method in BASELINE_NAMES
            ax.plot(
                fractions,
                method_curves[order].mean(axis=0),
                marker="o",
                label=method,
                ls="--" if dashed else "-",
            )
        better = "lower" if order == "MoRF" else "higher"
        ax.set_title(
            f"{order}: {'most' if order == 'MoRF' else 'least'} relevant removed first "
            f"({better} is better)",
            fontsize=10,
        )
        ax.set_xlabel("fraction of pixels removed and imputed")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("probability of the target class")
    axes[1].legend(fontsize=8)
    fig.suptitle(title)
    return fig


def plot_randomisation(
    images: np.ndarray,
    stages: dict[str, np.ndarray],
    grid: Grid,
    captions: list[str],
    scale: int = 4,
) -> Figure:
    """Rows = images, columns = the trained model and each randomisation depth; each panel
    gives its Spearman correlation with the trained model's map (on the grid)."""
    trained = stages["trained"]
    fig = Figure(figsize=(2.3 * len(stages) + 2.4, 2.4 * len(images) + 0.6), layout="constrained")
    axes = fig.subplots(len(images), len(stages), squeeze=False)
    for column, (stage, maps) in enumerate(stages.items()):
        rho = rank_correlations(trained, maps)
        placed = normalise_maps(place_maps(maps, grid))
        for row, image in enumerate(images):
            ax = axes[row, column]
            ax.imshow(overlay_heatmap(image, placed[row], scale))
            ax.set_xticks([])
            ax.set_yticks([])
            text = "flat map" if not np.isfinite(rho[row]) else f"ρ = {rho[row]:+.2f}"
            if column > 0:
                ax.text(
                    0.03,
                    0.04,
                    text,
                    transform=ax.transAxes,
                    fontsize=10,
                    color="white",
                    bbox={"facecolor": "black", "alpha": 0.6, "pad": 2},
                )
        axes[0, column].set_title(randomised_title(stage), fontsize=10)
    for row, caption in enumerate(captions):
        axes[row, 0].set_ylabel(caption, fontsize=10, rotation=0, ha="right", va="center")
    fig.colorbar(
        ScalarMappable(Normalize(0, 1), "jet"),
        ax=axes.ravel().tolist(),
        fraction=0.03,
        label="map value (each map scaled to its own maximum)",
    )
    return fig


ANOTHER_SEED = "trained, seed"  # a column of another seed's maps in the randomisation figure
LAYER_NAMES = {"fake_probability": "output", "hidden": "dense", "conv2": "conv2", "conv1": "conv1"}


def randomised_title(stage: str) -> str:
    """'up to conv2' -> 're-initialised: output … conv2' (a column title)."""
    if stage == "trained":
        return "trained model"
    if stage.startswith(ANOTHER_SEED):
        return f"{stage}, same labels\n(the reference)"
    layer = LAYER_NAMES.get(stage.removeprefix("up to "), stage)
    return (
        f"re-initialised from\nthe output to {layer}"
        if layer != "output"
        else "output re-initialised"
    )


def plot_border_shares(shares: dict[str, np.ndarray], uniform: float, title: str = "") -> Figure:
    """Distribution of the map mass in the border cells, per group, against a uniform map."""
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.subplots()
    bins = np.linspace(0, 1, 41)
    for group, values in shares.items():
        label = group.split()[0]
        ax.hist(
            values[np.isfinite(values)],
            bins=bins,
            alpha=0.55,
            label=group,
            color=LABEL_COLOURS.get(label),
        )
    ax.axvline(uniform, color="black", ls=":", label=f"uniform map ({uniform:.3f})")
    ax.set_xlabel("share of the map's mass in border cells (centred ≤ 4 px from the edge)")
    ax.set_ylabel("images")
    ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=len(shares) + 1, fontsize=8, frameon=False)
    return fig


def plot_border_over_seeds(
    table: pd.DataFrame,
    uniform: float,
    names: dict[str, str],
    tests: pd.DataFrame | None = None,
    images: int | None = None,
) -> Figure:
    """The border share of every seed's maps (`across_seeds.border_table`), one panel per
    architecture and method: per true class, each seed's trained model (filled) beside its
    randomised copy (hollow), and a uniform map's share (dotted line), in percent; under each
    class, the Holm-adjusted verdicts against both nulls (`across_seeds.border_tests`)."""
    architectures = list(dict.fromkeys(table["architecture"]))
    methods = list(dict.fromkeys(table["method"]))
    labels = list(dict.fromkeys(table["true class"]))
    fig = Figure(figsize=(3.6 * len(methods), 3.1 * len(architectures) + 0.6), layout="constrained")
    axes = fig.subplots(len(architectures), len(methods), sharey=True, squeeze=False)
    for row, architecture in enumerate(architectures):
        for column, method in enumerate(methods):
            ax = axes[row, column]
            for k, label in enumerate(labels):
                cell = table[
                    (table["architecture"] == architecture)
                    & (table["method"] == method)
                    & (table["true class"] == label)
                ]
                colour = LABEL_COLOURS.get(label)
                jitter = np.linspace(-0.08, 0.08, len(cell))
                ax.scatter(k - 0.15 + jitter, 100 * cell["trained"], color=colour, s=22)
                ax.scatter(
                    k + 0.15 + jitter,
                    100 * cell["randomised"],
                    facecolor="none",
                    edgecolor=colour,
                    s=22,
                )
            ax.axhline(100 * uniform, color="black", ls=":", lw=1)
            ticks = [f"{label} images" for label in labels]
            if tests is not None:
                ticks = [
                    f"{tick}\n{_border_verdicts(tests, architecture, method, label)}"
                    for tick, label in zip(ticks, labels, strict=True)
                ]
            ax.set_xticks(range(len(labels)), ticks, fontsize=8)
            ax.set_title(f"{names.get(architecture, architecture)}, {method}", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
        axes[row, 0].set_ylabel("map mass in border cells (%)")
    handles = [
        marker_handle("trained model, one per seed", "grey"),
        marker_handle("the same network with random weights", "grey", hollow=True),
        Line2D([], [], color="black", ls=":", label=f"uniform map ({100 * uniform:.1f}%)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    per_class = f", {images} test images per class and seed" if images else ""
    fig.suptitle(
        f"Map mass in the border cells, every seed{per_class}\nunder each class: the trained "
        "maps' share more, less or n.s. than a uniform map's and than random weights' "
        "(t over seeds, Holm)",
        fontsize=10,
    )
    return fig


BORDER_WORDS = {"more": "more", "less": "less", "not significant": "n.s.", "untested": "–"}


def _border_verdicts(tests: pd.DataFrame, architecture: str, method: str, label: str) -> str:
    """'vs uniform: n.s.' over 'vs randomised: more' for one panel's class, one null a line so
    that neighbouring classes' labels stay apart."""
    cell = tests[
        (tests["architecture"] == architecture)
        & (tests["method"] == method)
        & (tests["true class"] == label)
    ]
    words = {
        row["null"]: BORDER_WORDS.get(row["verdict"], row["verdict"]) for _, row in cell.iterrows()
    }
    return "\n".join(f"vs {null.split()[0]}: {word}" for null, word in words.items())


def plot_randomisation_similarity(
    table: pd.DataFrame, title: str, reference: pd.DataFrame | None = None
) -> Figure:
    """One panel per method, the layers re-initialised from the output down: per
    re-initialisation seed, the maps' mean Spearman ρ with the trained model's (dotted) and its
    sign-invariant value |ρ| (thin, solid), and the mean |ρ| over those seeds with its 95%
    t-interval clipped to [0, 1] (black), the quantity the check judges against the
    same-labels reference band.
    A re-initialised output layer can flip the sign of the logit and with it a gradient map, so
    a negative ρ is similarity too."""
    methods = list(dict.fromkeys(table["method"]))
    depths = list(dict.fromkeys(table["randomised"]))
    fig = Figure(figsize=(4.2 * len(methods), 4.4), layout="constrained")
    axes = fig.subplots(1, len(methods), sharey=True, squeeze=False)[0]
    positions = np.arange(len(depths))
    for ax, method in zip(axes, methods, strict=True):
        rows = table[table["method"] == method]
        per_seed = []
        for k, (seed, runs) in enumerate(rows.groupby("seed")):
            rho = runs.set_index("randomised").loc[depths, "mean_spearman"].to_numpy()
            per_seed.append(np.abs(rho))
            colour = f"C{k}"
            ax.plot(positions, np.abs(rho), "-", color=colour, lw=1, alpha=0.7,
                    label=f"re-init seed {seed}: |ρ|")  # fmt: skip
            ax.plot(positions, rho, ":", color=colour, lw=1, alpha=0.7,
                    label=f"re-init seed {seed}: signed ρ")  # fmt: skip
        values = np.array(per_seed)
        mean = values.mean(axis=0)
        bounds = np.array([abs_similarity_interval(values[:, i]) for i in range(len(depths))])
        if np.isfinite(bounds).all():
            errors = [mean - bounds[:, 0], bounds[:, 1] - mean]
            label = "mean |ρ|, 95% interval over seeds"
            ax.errorbar(positions, mean, yerr=errors, fmt="ko-", capsize=4, lw=1.5, label=label)
        ax.axhline(0, color="grey", linewidth=0.8)
        if reference is not None and method in set(reference["method"]):
            ref = reference[reference["method"] == method].iloc[0]
            ax.axhspan(ref["low"], ref["high"], color="#bbbbbb", alpha=0.5, zorder=0)
        ax.set_xticks(positions, [short_stage(d) for d in depths])
        ax.set_xlabel("layers re-initialised, from the output down")
        ax.set_ylim(-1.05, 1.05)
        ax.set_title(method)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mean Spearman ρ with the trained model's maps")
    handles, labels = axes[0].get_legend_handles_labels()
    if reference is not None:
        handles.append(Patch(color="#bbbbbb", alpha=0.5))
        labels.append("|ρ| of two seeds trained on the same labels (95% interval): pass below it")
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
    fig.suptitle(title)
    return fig


def short_stage(stage: str) -> str:
    """'up to conv2' -> '+ conv2'; the output layer alone -> 'output'."""
    layer = LAYER_NAMES.get(stage.removeprefix("up to "), stage)
    return "output" if layer == "output" else f"+ {layer}"
