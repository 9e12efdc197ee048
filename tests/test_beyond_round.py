"""The beyond-the-paper search's table and the candidates its second round scales."""

import shutil

import pandas as pd
import pytest

from cifake_utils.paths import project_root
from cifake_utils.search import beyond_round

LANDED = project_root() / "outputs" / "models" / "beyond_round1"


def test_best_widths_rank_the_round_by_mean_validation_accuracy():
    table = pd.DataFrame(
        {
            "round": [1, 1, 1, 1, 1, 1, 2],
            "widths": ["16-32", "16-32", "32-64", "32-64", "8-16", "8-16", "64-128"],
            "val_accuracy": [97.0, 97.2, 96.4, 96.6, 97.5, 95.9, 99.0],
        }
    )  # means 97.1, 96.5, 96.7; round 2 is not ranked
    assert beyond_round.best_widths(table) == [(16, 32), (8, 16)]
    assert beyond_round.best_widths(table, count=1) == [(16, 32)]


def test_round_table_reads_each_landed_sidecar(tmp_path):
    folder = tmp_path / "beyond_round1"
    folder.mkdir()
    shutil.copy(LANDED / "vgg_bn_16-32-64_e19_seed0.json", folder)
    table = beyond_round.round_table(tmp_path)
    row = table.iloc[0]
    assert (row["round"], row["widths"], row["epochs"], row["seed"]) == (1, "16-32-64", 19, 0)
    assert row["precision"] == "mixed_bfloat16"
    assert row["val_accuracy"] == pytest.approx(96.9824, abs=1e-4)
    # models/flops.py: 0.005337 PFLOP an epoch over 90,000 images, 19 epochs about 0.1014.
    assert row["pflop"] == pytest.approx(0.1014, abs=5e-4)
    assert row["cpu"] == "Intel(R) Xeon(R) Processor"


def test_round_sentence_judges_the_lead_against_twice_the_seed_sd():
    table = pd.DataFrame(
        {
            "round": [1] * 4,
            "widths": ["16-32-64", "16-32-64", "32-64-128", "32-64-128"],
            "seed": [0, 1, 0, 1],
            "epochs": [19, 19, 5, 5],
            "pflop": [0.1014] * 2 + [0.1043] * 2,
            "val_accuracy": [96.98, 97.12, 96.38, 96.52],
        }
    )  # means 97.05 and 96.45, SDs 0.099 each: lead 0.60 against a line of 0.198
    text = beyond_round.round_sentence(table)
    assert "16-32-64 (19 epochs, 0.101 PFLOP) 97.05% over 2 seeds; 32-64-128" in text
    assert "is 0.60 points ahead of 32-64-128, which exceeds the rule's line of 0.20" in text
    close = table.assign(val_accuracy=[96.5, 97.3, 96.4, 96.6])  # lead 0.40, SD 0.566
    assert "which does not exceed the rule's line of 1.13" in beyond_round.round_sentence(close)
    assert beyond_round.round_sentence(table, 2) == "Round 2: no candidate has landed yet."
