import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from cifake_utils.models.architectures import ARCHITECTURES
from cifake_utils.models.jobs import TrainingData
from cifake_utils.models.training import TrainConfig
from cifake_utils.project.profiles import get_profile
from cifake_utils.search import budget_curve, chosen, epoch_budget, recipe_search, recipes

# Two stages: a change that cannot help (a learning rate so large training diverges) and a
# sensible fixed budget. Both architectures, one epoch each.
STAGES = {
    name: [
        ("broken", [recipes.Change("rate 5", {"learning_rate": 5.0})]),
        ("budget", [recipes.Change("cosine", {"schedule": "cosine", "patience": None})]),
    ]
    for name in ("cnn2d", "modified_cnn2d")
}


@pytest.fixture(scope="module")
def small_search(cifake, tmp_path_factory):
    train = cifake.train.subset(np.arange(0, 100_000, 125))
    validation = cifake.train.subset(np.arange(61, 100_000, 400))
    data = TrainingData(
        (train.images, train.labels),
        (validation.images, validation.labels),
        tmp_path_factory.mktemp("search"),
        "checksum",
    )
    return recipes.search(["cnn2d", "modified_cnn2d"], data, stages=STAGES, max_epochs=1)


def test_search_keeps_a_change_only_when_it_beats_the_incumbent(small_search):
    assert small_search.groupby("architecture").size().to_dict() == {
        "cnn2d": 3,
        "modified_cnn2d": 3,
    }
    for _, rows in small_search.groupby("architecture"):
        rows = rows.set_index("stage")
        assert rows.loc["broken", "val_accuracy"] <= rows.loc["untuned", "val_accuracy"]
        assert rows["chosen"].sum() == 1
        assert rows.loc[rows["chosen"], "val_accuracy"].iloc[0] == rows["val_accuracy"].max()
        # The broken rate was never kept, so the next stage builds on the untuned recipe.
        budget = json.loads(rows.loc["budget", "train_config"])
        assert budget["learning_rate"] == 1e-3 and budget["schedule"] == "cosine"
        assert rows["epochs_trained"].max() == 1  # the cap


def test_chosen_recipe_round_trips_through_the_table(small_search, tmp_path):
    path = tmp_path / "search.csv"
    small_search.to_csv(path, index=False)
    model, recipe = recipes.chosen_recipe(pd.read_csv(path), "cnn2d")
    row = small_search[(small_search["architecture"] == "cnn2d") & small_search["chosen"]]
    assert json.loads(row["train_config"].iloc[0])["schedule"] == recipe.schedule
    assert model.input_shape == (32, 32, 3) and model.name == "cnn2d"
    with pytest.raises(ValueError, match="chosen rows"):
        recipes.chosen_recipe(small_search.assign(chosen=False), "cnn2d")


def test_variants_differ_from_the_tuned_cnn2d_in_one_layer():
    tuned = replace(ARCHITECTURES["cnn2d"], hidden_units=32)
    gap = recipes.ablation_variant(tuned, "cnn2d_gap")
    assert gap.hidden_units == 32 and gap.global_average_pooling and gap.dropout_rate == 0
    dropout = recipes.ablation_variant(tuned, "cnn2d_dropout")
    assert dropout.dropout_rate == 0.5 and not dropout.global_average_pooling


def test_recipe_changes_and_epoch_cap():
    recipe = TrainConfig(schedule="cosine", patience=None, epochs=15, seed=3)
    assert recipes.recipe_changes(recipe) == {
        "schedule": "cosine",
        "patience": None,
        "epochs": 15,
    }
    assert recipes.cap_epochs(recipe, 1).epochs == 1
    assert recipes.cap_epochs(recipe, None) is recipe


def test_committed_search_chooses_a_recipe_for_each_searched_model():
    search = recipe_search.load_search()
    for name in recipe_search.SEARCHED:
        model, recipe = recipe_search.chosen_recipe(get_profile("smoke"), name, search)
        assert model.name == name and recipe.epochs == 1  # capped by the smoke profile


def test_committed_tables_still_choose_the_recipe_in_code():
    for name in recipe_search.SEARCHED:
        assert chosen.tables_choice(name) == chosen.final_recipe(get_profile("full"), name)
    model, recipe = chosen.final_recipe(get_profile("full"), "modified_cnn2d")
    assert recipe.epochs == 40 and recipe.optimizer == "adamw" and model.global_average_pooling


def test_a_sweep_that_prefers_another_candidate_no_longer_matches_the_code():
    table = epoch_budget.load_sweep()
    own = (table["architecture"] == "modified_cnn2d") & (table["recipe"] == "its searched recipe")
    table.loc[own, "val_accuracy"] += 0.05  # its own recipe now wins on validation
    model, recipe = chosen.tables_choice("modified_cnn2d", table)
    assert recipe.optimizer == "adam" and recipe.label_smoothing == 0.0
    assert (model, recipe) != chosen.final_recipe(get_profile("full"), "modified_cnn2d")


def test_ablation_jobs_are_the_paper_models_and_the_single_change_variants():
    jobs = chosen.ablation_jobs(get_profile("full"))
    profile = get_profile("full")
    names = [model.name for model, _ in jobs]
    assert names == ["modified_cnn2d"] * len(profile.headline_seeds) + ["cnn2d_gap"] * len(
        profile.variant_seeds
    ) + ["cnn2d_dropout"] * len(profile.variant_seeds)
    assert {recipe.epochs for model, recipe in jobs if model.name != "modified_cnn2d"} == {10}
    smoke = chosen.ablation_jobs(get_profile("smoke"))
    assert {recipe.epochs for _, recipe in smoke} == {1}  # capped by the smoke profile
    with pytest.raises(ValueError, match="paper model"):
        chosen.final_recipe(profile, "cnn2d_gap")


def sweep(accuracies: dict[str, dict[int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"architecture": "modified_cnn2d", "recipe": recipe, "epochs": epochs, "val_accuracy": a}
        for recipe, curve in accuracies.items()
        for epochs, a in curve.items()
    )


def test_budget_is_where_doubling_stops_helping():
    curve = pd.Series({10: 0.90, 20: 0.915, 40: 0.9165})  # +1.5, then +0.15 points
    assert epoch_budget.chosen_budget(curve) == 20
    assert epoch_budget.chosen_budget(pd.Series({10: 0.90, 20: 0.901, 40: 0.95})) == 10
    rising = pd.Series({10: 0.90, 20: 0.91, 40: 0.92})
    assert epoch_budget.chosen_budget(rising) == 40
    table = epoch_budget.budget_table(sweep({"own": rising.to_dict(), "other": curve.to_dict()}))
    own, other = (table[table["recipe"] == r].iloc[0] for r in ("own", "other"))
    assert own["still_rising"] and own["chosen"] and own["budget"] == 40
    assert not other["still_rising"] and not other["chosen"] and other["budget"] == 20


def test_tolerance_is_twice_the_sample_sd_of_the_seeds():
    # 94.56, 94.81, 94.77, 94.89, 94.84: mean 94.774, deviations -0.214, 0.036, -0.004,
    # 0.116, 0.066, squares sum 0.06492, sample variance 0.01623, SD 0.12740, twice 0.25480
    assert budget_curve.tolerance([94.56, 94.81, 94.77, 94.89, 94.84]) == pytest.approx(
        0.25480, abs=1e-5
    )
    assert np.isnan(budget_curve.tolerance([94.56]))


def test_plateau_is_the_budget_before_the_first_doubling_that_stops_helping():
    curve = pd.Series({10: 94.56, 20: 95.17, 40: 95.52, 80: 95.51})  # +0.61, +0.35, -0.01
    assert budget_curve.plateau(curve, 0.26) == 40
    assert budget_curve.plateau(curve, 0.40) == 20  # +0.35 no longer counts
    assert budget_curve.plateau(curve, 0.70) == 10
    assert budget_curve.plateau(curve.drop(80), 0.26) is None  # still rising at its cap
    assert budget_curve.plateau(pd.Series({10: 90.0, 20: 90.26}), 0.26) is None  # gain == line


def test_plateau_table_reports_the_outcome_and_whether_training_stopped_there():
    table = pd.DataFrame(
        {
            "architecture": ["cnn2d"] * 4 + ["modified_cnn2d"] * 2,
            "epochs": [10, 20, 40, 80, 40, 80],
            "val_accuracy": [94.56, 95.17, 95.52, 95.51, 93.35, 93.95],
            "pflop": [0.013, 0.026, 0.052, 0.104, 0.05, 0.101],
        }
    )
    result = budget_curve.plateau_table(
        table, {"cnn2d": 0.26, "modified_cnn2d": 0.26}, {"cnn2d": 10, "modified_cnn2d": 40}
    )
    assert result.loc["cnn2d", "plateau_epochs"] == 40
    assert result.loc["cnn2d", "outcome"] == "levels off at 40 epochs"
    assert not result.loc["cnn2d", "trained_at_plateau"]
    assert result.loc["cnn2d", "gains"] == "10→20: +0.61; 20→40: +0.35; 40→80: -0.01"
    assert np.isnan(result.loc["modified_cnn2d", "plateau_epochs"])
    assert result.loc["modified_cnn2d", "outcome"] == (
        "is still rising at the cap (80 epochs, 0.101 PFLOP), by +0.60 points per doubling"
    )


def budget_curves() -> pd.DataFrame:
    """Seed 0's validation accuracy by budget, as the committed budget curves measured it."""
    return pd.DataFrame(
        {
            "architecture": ["cnn2d"] * 4 + ["modified_cnn2d"] * 3,
            "epochs": [10, 20, 40, 80, 40, 80, 160],
            "val_accuracy": [94.56, 95.17, 95.52, 95.51, 93.35, 93.45, 93.63],
            "pflop": [0.013, 0.026, 0.052, 0.104, 0.050, 0.101, 0.202],
        }
    )


def test_a_plateau_with_later_gains_says_so_and_the_pairwise_line_is_wider():
    tolerance = {"modified_cnn2d": 0.26, "cnn2d": 0.25}
    trained = {"modified_cnn2d": 40, "cnn2d": 10}
    result = budget_curve.plateau_table(budget_curves(), tolerance, trained)
    assert result.loc["modified_cnn2d", "outcome"] == (
        "levels off at 40 epochs by the rule, though later doublings still gain +0.10, +0.18 "
        "(each below the line)"
    )
    # together +0.28 from 40 to 160, a difference of two single runs: below the pairwise line
    # √2 × 0.26 = 0.368, so no clause; with a line of 0.19 (pairwise 0.269) it is above it
    narrow = budget_curve.plateau_table(
        budget_curves(), tolerance | {"modified_cnn2d": 0.19}, trained
    )
    assert narrow.loc["modified_cnn2d", "outcome"].endswith(
        "(each below the line), together +0.28 from 40 to 160 epochs, above the line for two "
        "single runs: a slow climb one doubling at a time misses"
    )
    # CNN2D: 20 -> 40 gains +0.35, above 0.25 but below sqrt(2) * 0.25 = 0.354
    assert result.loc["cnn2d", "plateau_epochs"] == 40
    assert result.loc["cnn2d", "plateau_epochs_pairwise"] == 20
