"""Training curves of one or more runs, and the recipe search."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, NullLocator

from ..plots import marker_handle

NOISE_POINTS = 0.5  # one seed cannot resolve a smaller validation change (notebook 03)


def plot_training_curves(
    histories: dict[str, dict[str, list[float]]], fit: float | None = None
) -> Figure:
    """Accuracy per epoch over the runs (seeds) of one model: validation (solid) and training
    as training logs it (dashed: augmentation on, and dropout where the model has it, averaged
    over the epoch's changing weights), each the mean over runs with the band from the lowest
    to the highest run. `fit`, the runs' mean accuracy on their training images in inference
    mode after the last epoch (a fraction), is marked: the fit that the findings test.

    Accuracy, not loss: the runs differ in label smoothing, which shifts a loss's floor (a
    smoothed model's loss cannot fall below about 0.2), so losses of different recipes do not
    compare."""
    fig = Figure(figsize=(8, 4.4), layout="constrained")
    ax = fig.subplots()
    for key, style, colour, label in (
        ("val_accuracy", "-", "C0", "validation"),
        ("accuracy", "--", "C1", "training, as logged"),
    ):
        curves = 100 * np.array([history[key] for history in histories.values()])
        epochs = np.arange(1, curves.shape[1] + 1)
        ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=colour, alpha=0.2)
        label = f"{label}: mean over {len(curves)} runs, band from lowest to highest"
        ax.plot(epochs, curves.mean(axis=0), ls=style, color=colour, marker=".", label=label)
    if fit is not None:
        label = "training images in inference mode after the last epoch (the fit)"
        ax.plot(
            epochs[-1], 100 * fit, marker="*", markersize=14, color="C2", ls="none", label=label
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.set_title("Accuracy per epoch over the seeds (the whole range of every epoch shown)")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_ablation_curves(
    histories: dict[str, list[dict[str, list[float]]]], names: dict[str, str]
) -> Figure:
    """Validation accuracy per epoch of every seed of each ablation arm, one panel an arm on a
    shared accuracy axis: each panel keeps its own schedule's epochs, so a 10-epoch and a
    40-epoch cosine schedule are not read on one epoch axis. A dashed line marks each arm's
    final mean over seeds, and the axis spans the final values, clipping the first epochs."""
    arms = list(histories)
    columns = min(2, len(arms))
    rows = -(-len(arms) // columns)
    fig = Figure(figsize=(5.2 * columns, 3.4 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, sharey=True, squeeze=False)).ravel()
    finals = {arm: np.mean([100 * h["val_accuracy"][-1] for h in histories[arm]]) for arm in arms}
    for k, (ax, arm) in enumerate(zip(axes, arms, strict=False)):
        for history in histories[arm]:
            accuracy = 100 * np.asarray(history["val_accuracy"])
            ax.plot(np.arange(1, len(accuracy) + 1), accuracy, color=f"C{k}", lw=1, alpha=0.8)
        ax.axhline(finals[arm], color="black", linestyle="--", linewidth=0.8)
        ax.text(1, finals[arm], f"final mean {finals[arm]:.2f}%", va="bottom", fontsize=8)
        epochs = len(histories[arm][0]["val_accuracy"])
        ax.set_title(f"{names.get(arm, arm)}: {epochs} epochs, {len(histories[arm])} seeds")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch of its own cosine schedule")
        ax.set_ylabel("validation accuracy (%)")
        ax.grid(alpha=0.3)
    for ax in axes[len(arms) :]:
        ax.set_visible(False)
    axes[0].set_ylim(min(finals.values()) - 5, max(finals.values()) + 1.5)
    fig.suptitle(
        "Validation accuracy during training, one line per seed (axis spans the final values; "
        "earlier epochs may lie below it)"
    )
    return fig


def plot_recipe_search(search: pd.DataFrame, display_names: dict[str, str]) -> Figure:
    """Every run of the greedy recipe search, one panel per architecture, on a shared axis.

    Rows are in search order (top to bottom). Each dot is one run's validation accuracy; the
    grey band is the best recipe so far ± the half point one seed cannot resolve, so a dot
    inside it is not a resolved change. Filled green dots are the changes the search kept,
    hollow red ones those it rejected; the chosen recipe is ringed.
    """
    architectures = list(dict.fromkeys(search["architecture"]))
    heights = [int((search["architecture"] == a).sum()) for a in architectures]
    fig = Figure(figsize=(12, 0.42 * max(heights) + 1.8), layout="constrained")
    axes = fig.subplots(1, len(architectures), squeeze=False, sharex=True)[0]
    for ax, architecture in zip(axes, architectures, strict=True):
        rows = search[search["architecture"] == architecture].reset_index(drop=True)
        accuracy = 100 * rows["val_accuracy"].to_numpy()
        positions = np.arange(len(rows))[::-1]
        best = accuracy[0]
        kept = _kept_rows(rows)
        for k, (position, value) in enumerate(zip(positions, accuracy, strict=True)):
            ax.barh(
                position,
                2 * NOISE_POINTS,
                left=best - NOISE_POINTS,
                height=0.6,
                color="#dddddd",
                zorder=1,
            )
            if k == 0:
                style = {"color": "black"}
            elif k in kept:
                style = {"color": "#2ca02c"}
            else:
                style = {"facecolor": "white", "edgecolor": "#d62728"}
            ax.scatter(value, position, s=45, zorder=3, **style)
            if bool(rows.loc[k, "chosen"]):
                ax.scatter(value, position, s=160, facecolor="none", edgecolor="black", zorder=4)
            ax.text(value + 0.12, position, f"{value:.2f}", va="center", fontsize=8)
            if k in kept:
                best = max(best, value)
        labels = (rows["stage"] + ": " + rows["change"]).tolist()
        ax.set_yticks(positions, labels)
        ax.tick_params(axis="y", labelsize=8)
        images = int(rows["train_images"].iloc[0]) if "train_images" in rows else None
        trained_on = f", {images:,} training images" if images else ""
        ax.set_xlabel(f"validation accuracy (%), one seed per run{trained_on}")
        ax.set_title(display_names.get(architecture, architecture))
        ax.grid(axis="x", alpha=0.3)
    handles = [
        marker_handle("untuned recipe"),
        marker_handle("kept", "#2ca02c"),
        marker_handle("rejected", "#d62728", hollow=True),
        marker_handle(
            "the search's pick, one seed (what is trained differs: the sweep below sets it)",
            hollow=True,
            size=11,
        ),
        Patch(color="#dddddd", label=f"best so far ± {NOISE_POINTS:g} point (unresolved)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig


def _kept_rows(rows: pd.DataFrame) -> set[int]:
    """Row numbers of the changes the greedy search kept: per stage, the best candidate when
    it beat the best so far."""
    best, kept = rows.loc[0, "val_accuracy"], set()
    for _, candidates in rows.iloc[1:].groupby("stage", sort=False):
        winner = candidates["val_accuracy"].idxmax()
        if candidates.loc[winner, "val_accuracy"] > best:
            kept.add(int(winner))
            best = candidates.loc[winner, "val_accuracy"]
    return kept


def plot_epoch_budget(sweep: pd.DataFrame, budgets: pd.DataFrame, names: dict[str, str]) -> Figure:
    """Validation accuracy against the fixed epoch budget, one panel per architecture and one
    line per candidate recipe; the budget the sweep's rule picks for each candidate is ringed,
    and the budget its headline runs actually train (capped where `EPOCH_CAP` says so) is a
    star on the candidate each architecture trains."""
    architectures = list(dict.fromkeys(sweep["architecture"]))
    fig = Figure(figsize=(5.4 * len(architectures), 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(architectures)))
    for ax, architecture in zip(axes, architectures, strict=True):
        rows = sweep[sweep["architecture"] == architecture]
        for k, (recipe, runs) in enumerate(rows.groupby("recipe", sort=False)):
            runs = runs.sort_values("epochs").set_index("epochs")
            accuracy = 100 * runs["val_accuracy"]
            ax.plot(runs.index, accuracy, marker="o", color=f"C{k}", label=recipe)
            for shorter, longer in zip(runs.index[:-1], runs.index[1:], strict=True):
                gain = accuracy[longer] - accuracy[shorter]
                middle = np.sqrt(shorter * longer)  # the midpoint on the log axis
                ax.annotate(
                    f"{gain:+.2f}", (middle, (accuracy[longer] + accuracy[shorter]) / 2),
                    xytext=(0, 6), textcoords="offset points", fontsize=8, color=f"C{k}",
                    ha="center",
                )  # fmt: skip
            chosen = budgets[
                (budgets["architecture"] == architecture) & (budgets["recipe"] == recipe)
            ].iloc[0]
            rising = bool(chosen.get("still_rising", False))
            ax.scatter(
                chosen["budget"],
                100 * chosen["val_accuracy"],
                s=260,
                marker="s" if rising else "o",
                facecolor="none",
                edgecolor="black",
                zorder=3,
            )
            trained = int(chosen.get("trained_epochs", chosen["budget"]))
            if bool(chosen.get("chosen", False)) and trained in runs.index:
                ax.scatter(
                    trained,
                    100 * runs.loc[trained, "val_accuracy"],
                    marker="*",
                    s=110,
                    color="black",
                    zorder=4,
                )
        ax.set_xscale("log", base=2)
        ax.set_xticks(
            sorted(rows["epochs"].unique()), [str(e) for e in sorted(rows["epochs"].unique())]
        )
        ax.set_xlabel("fixed epoch budget (cosine decay), log scale")
        ax.set_ylabel("validation accuracy (%)")
        ax.set_title(names.get(architecture, architecture))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    handles = [
        marker_handle(
            "the sweep rule's budget: a doubling gains less than the line", hollow=True, size=12
        ),
        marker_handle(
            "no plateau: the largest budget swept, still rising", marker="s", hollow=True, size=12
        ),
        marker_handle("the budget the headline runs train", marker="*", size=11),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    images = int(sweep["train_images"].iloc[0]) if "train_images" in sweep else None
    trained_on = f"seed 0, {images:,} training images" if images else "seed 0"
    fig.suptitle(
        f"Validation accuracy as the epoch budget doubles ({trained_on}; the numbers are each "
        "doubling's gain in points)",
        fontsize=11,
    )
    return fig


def plot_budget_curves(
    table: pd.DataFrame, plateaus: pd.DataFrame, spreads: dict[str, list[float]], names: dict
) -> Figure:
    """Validation accuracy of seed 0 as each paper model's epochs double, one panel per model
    on an axis of its own: each doubling's gain against the rule's line (the grey bar at the
    trained budget spans the headline seeds' mean ± the tolerance), the plateau ringed and the
    budget the headline runs train starred; the top axis gives training compute per seed."""
    architectures = list(plateaus.index)
    fig = Figure(figsize=(5.2 * len(architectures), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(architectures)))
    for k, (ax, architecture) in enumerate(zip(axes, architectures, strict=True)):
        runs = table[table["architecture"] == architecture].set_index("epochs").sort_index()
        row = plateaus.loc[architecture]
        ax.plot(runs.index, runs["val_accuracy"], marker="o", color=f"C{k}")
        gains = runs["val_accuracy"].diff().dropna()
        for epochs, gain in gains.items():
            ax.annotate(
                f"{gain:+.2f}", (epochs, runs.loc[epochs, "val_accuracy"]), xytext=(-10, 10),
                textcoords="offset points", ha="right", fontsize=8,
            )  # fmt: skip
        trained = int(row["trained_epochs"])
        mean = float(np.mean(spreads[architecture]))
        ax.errorbar(trained, mean, yerr=row["tolerance"], color="grey", capsize=5, lw=6, alpha=0.35)
        ax.scatter(trained, runs.loc[trained, "val_accuracy"], marker="*", s=220, color="black",
                   zorder=4)  # fmt: skip
        if np.isfinite(row["plateau_epochs"]):
            found = int(row["plateau_epochs"])
            ax.scatter(found, runs.loc[found, "val_accuracy"], s=260, facecolor="none",
                       edgecolor="black", zorder=3)  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(runs.index), [str(e) for e in runs.index])
        ax.set_xlabel("epochs over the full training split (cosine decay), log scale")
        ax.set_ylabel("validation accuracy (%), seed 0")
        ax.xaxis.set_minor_locator(NullLocator())
        top = ax.secondary_xaxis("top")
        top.set_xticks(list(runs.index), [f"{p:.3f}" for p in runs["pflop"]])
        top.xaxis.set_minor_locator(NullLocator())
        top.set_xlabel("training compute per seed (PFLOP)")
        rule = (
            f"levels off at {int(row['plateau_epochs'])} epochs by the rule\n(the next "
            f"doubling gains less than {row['tolerance']:.2f} points)"
            if np.isfinite(row["plateau_epochs"])
            else "no plateau within the curve"
        )
        ax.set_title(f"{names.get(architecture, architecture)}: {rule}", fontsize=10)
        ax.grid(alpha=0.3)
    # One span of accuracy on every panel, so that equal rises look equal; room for the labels.
    span = 1.2 * max(np.subtract(*ax.get_ylim()[::-1]) for ax in axes)
    for ax in axes:
        middle = np.mean(ax.get_ylim())
        ax.set_ylim(middle - span / 2, middle + span / 2)
    handles = [
        marker_handle("plateau: the budget before a doubling gains < 2 SD", hollow=True, size=12),
        marker_handle("the budget the headline runs train", marker="*", size=13),
        Patch(
            color="grey",
            alpha=0.35,
            label="headline seeds: mean ± 2 SD (2 SD: the gain a doubling must make)",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig
