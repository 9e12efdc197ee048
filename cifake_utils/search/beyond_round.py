"""`make beyond-table`: the beyond-the-paper search as one committed table, read from the models
the training queue landed, and the candidates its next round scales.

Every candidate trains on the full training split of notebook 01 (`TRAIN_IMAGES` images) with
notebook 08's recipe in bfloat16 and is scored on the validation split only; the test split is
never read. Round 1 compares VGG-BN widths and depths at about 0.1 PFLOP per seed
(`queued.BEYOND_ROUND`), two seeds each. Round 2 scales the two best of round 1 by mean
validation accuracy to `ROUND2_PFLOP` per seed, the goal's cap, two seeds each.
"""

import argparse
import json
from pathlib import Path

import pandas as pd

from ..models.architectures import ModelConfig, build_model
from ..models.flops import training_flops
from ..project import artifacts
from ..project.profiles import get_profile

TRAIN_IMAGES = 90_000  # notebook 01's training split
ROUND2_PFLOP = 0.5
ROUND_FOLDERS = {"beyond_round1": 1, "beyond_round2": 2}


def epoch_pflop(model: ModelConfig, images: int = TRAIN_IMAGES) -> float:
    """Training compute of one epoch of `model` over `images` images, in PFLOP."""
    return training_flops(build_model(model), images) / 1e15


def round_table(models_dir: Path) -> pd.DataFrame:
    """One row per landed candidate run: its round, widths, epochs, seed, validation accuracy
    (percent, after the last epoch), training compute, and the CPU and seconds of its epochs."""
    rows = []
    for folder, number in ROUND_FOLDERS.items():
        for sidecar in sorted((models_dir / folder).glob("*.json")):
            summary = json.loads(sidecar.read_text())
            model = ModelConfig(**summary["model_config"])
            epochs = summary["epochs_trained"]
            machines = summary.get("epoch_machines") or []
            rows.append(
                {
                    "round": number,
                    "widths": "-".join(map(str, model.stage_widths)),
                    "epochs": epochs,
                    "seed": summary["seed"],
                    "precision": summary["train_config"].get("precision", "float32"),
                    "val_accuracy": 100 * summary["history"]["val_accuracy"][-1],
                    "pflop": epochs * epoch_pflop(model),
                    "cpu": "; ".join(sorted({m["cpu"] for m in machines})) or "not recorded",
                    "epoch_seconds": sum(m["seconds"] for m in machines) / max(len(machines), 1),
                }
            )
    return pd.DataFrame(rows)


def best_widths(table: pd.DataFrame, round_number: int = 1, count: int = 2) -> list[tuple]:
    """The `count` widths of a round with the best mean validation accuracy over seeds."""
    runs = table[table["round"] == round_number]
    means = runs.groupby("widths")["val_accuracy"].mean().sort_values(ascending=False)
    return [tuple(int(w) for w in widths.split("-")) for widths in means.index[:count]]


def round_sentence(table: pd.DataFrame, round_number: int = 1) -> str:
    """A round's candidates by mean validation accuracy, and whether the leader's lead over the
    next exceeds the rule's line: twice the larger of the two candidates' seed-to-seed SDs."""
    runs = table[table["round"] == round_number]
    if runs.empty:
        return f"Round {round_number}: no candidate has landed yet."
    stats = runs.groupby("widths").agg(
        mean=("val_accuracy", "mean"),
        sd=("val_accuracy", "std"),
        seeds=("seed", "count"),
        epochs=("epochs", "first"),
        pflop=("pflop", "mean"),
    )
    stats = stats.sort_values("mean", ascending=False)
    listed = "; ".join(
        f"{widths} ({row['epochs']:.0f} epochs, {row['pflop']:.3f} PFLOP) {row['mean']:.2f}% over "
        f"{row['seeds']:.0f} seeds"
        for widths, row in stats.iterrows()
    )
    text = f"Round {round_number}, validation accuracy by candidate: {listed}."
    if len(stats) > 1 and stats["seeds"].iloc[:2].min() > 1:
        lead = stats["mean"].iloc[0] - stats["mean"].iloc[1]
        line = 2 * stats["sd"].iloc[:2].max()
        verdict = "exceeds" if lead > line else "does not exceed"
        text += (
            f" The leader, {stats.index[0]}, is {lead:.2f} points ahead of {stats.index[1]}, "
            f"which {verdict} the rule's line of {line:.2f} (twice the larger seed SD)."
        )
    return text


def table_path() -> Path:
    """Where the committed table lives."""
    return get_profile("full").metrics_dir / "beyond_rounds.csv"


def load_rounds() -> pd.DataFrame | None:
    """The committed table, or None before `make beyond-table` has written one."""
    path = table_path()
    return pd.read_csv(path) if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    table = round_table(get_profile("full").models_dir)
    artifacts.save_table(table.set_index(["round", "widths", "seed"]), table_path())
    print(table.round(4).to_string(index=False))
    print(f"round 2 scales: {best_widths(table)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
