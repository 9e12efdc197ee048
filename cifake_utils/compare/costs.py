"""What each architecture costs to train and how accurate it is for that cost."""

import numpy as np
import pandas as pd

from ..machine import training_threads
from ..models.flops import forward_flops, training_flops
from ..models.training import TrainingRun


def cpu_kind(machine: dict) -> str:
    """The instruction-set kind a run trained on, as the study's machines differ: AVX-512 or
    AVX2 (training times are comparable only within one kind)."""
    flags = machine.get("cpu_flags", [])
    return "AVX-512" if any(flag.startswith("avx512") for flag in flags) else "AVX2"


def cost_table(
    runs: dict[tuple[str, int], TrainingRun], intervals: pd.DataFrame, train_images: int
) -> pd.DataFrame:
    """Per architecture in `intervals`: parameters, epochs, training compute per seed in
    PFLOP (`models.flops`: counted from the layers, machine independent; `train_images` per
    epoch), the measured training minutes per seed beside it (wall clock, CPU-minutes = wall
    clock x the threads it used, and the CPU kinds it ran on) and test accuracy with its 95%
    t-interval over seeds.

    A run resumed after an interruption records only the time since it resumed.
    """
    rows = []
    for architecture in intervals.index:
        chosen = [run for (name, _), run in runs.items() if name == architecture]
        if not chosen:
            raise ValueError(f"no training run of {architecture!r}")
        threads = [training_threads(run.machine or {}) for run in chosen]
        kinds = sorted({cpu_kind(run.machine or {}) for run in chosen})
        minutes = np.array([run.seconds / 60 for run in chosen])
        epochs = np.array([run.epochs_trained for run in chosen])
        compute = [
            training_flops(run.model, int(e) * train_images)
            for run, e in zip(chosen, epochs, strict=True)
        ]
        row = intervals.loc[architecture]
        rows.append(
            {
                "architecture": architecture,
                "parameters": int(chosen[0].model.count_params()),
                "seeds": len(chosen),
                "epochs_mean": float(epochs.mean()),
                "forward_mflop": forward_flops(chosen[0].model) / 1e6,
                "training_pflop_mean": float(np.mean(compute)) / 1e15,
                "threads": int(max(threads)),
                "cpu_kinds": " + ".join(kinds),
                "wall_minutes_mean": float(minutes.mean()),
                "cpu_minutes_mean": float(np.mean(minutes * np.array(threads))),
                "accuracy_mean": float(row["accuracy_mean"]),
                "t_low": float(row["t_low"]),
                "t_high": float(row["t_high"]),
            }
        )
    return pd.DataFrame(rows).set_index("architecture")
