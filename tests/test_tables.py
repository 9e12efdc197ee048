import json

import numpy as np
import pandas as pd
import pytest

from cifake_utils.evaluation import family, reproduction, seeds
from cifake_utils.evaluation import tables as evaluation
from cifake_utils.paths import project_root
from cifake_utils.project import readme

Y = np.array([0, 0, 0, 1, 1, 1])
CLASSES = np.array([0, 1, 1, 0, 1, 1])
P = np.array([0.9, 0.2, 0.6, 0.95, 0.1, 0.4])


def test_most_confident_errors_rank_wrong_calls_by_confidence():
    np.testing.assert_array_equal(evaluation.most_confident_errors(Y, P, "REAL"), [0, 2])
    np.testing.assert_array_equal(evaluation.most_confident_errors(Y, P, "FAKE"), [4, 5])
    assert len(evaluation.most_confident_errors(Y, P, "REAL", count=1)) == 1


def test_per_cifar_class_accuracy_splits_by_class_and_label():
    table = evaluation.per_cifar_class_accuracy(Y, CLASSES, P)
    assert table.shape == (10, 2)
    assert table.loc["airplane", "REAL"] == 0.0  # index 0: P 0.9 on a REAL image
    assert table.loc["automobile", "REAL"] == 0.5
    assert table.loc["airplane", "FAKE"] == 1.0
    assert table.loc["automobile", "FAKE"] == 0.0
    assert np.isnan(table.loc["truck", "REAL"])


def test_per_cifar_class_table_is_the_mean_over_seeds_with_its_t_interval():
    # airplane REAL: seed 0 wrong (P 0.9), seed 1 right (P 0.1) -> 0 and 1: mean 0.5, SD
    # sqrt(0.5), interval 0.5 -+ 12.706205 * 0.5 (t with 1 degree of freedom, SEM 0.5).
    table = evaluation.per_cifar_class_table(Y, CLASSES, [P, 1 - P])
    assert table.loc["airplane", "REAL_mean"] == 0.5
    assert table.loc["airplane", "REAL_low"] == pytest.approx(0.5 - 12.706205 * 0.5, abs=1e-6)
    assert table.loc["airplane", "REAL_high"] == pytest.approx(0.5 + 12.706205 * 0.5, abs=1e-6)
    assert table.loc["automobile", "FAKE_mean"] == 0.5  # 0 of 2, then 2 of 2
    one = evaluation.per_cifar_class_table(Y, CLASSES, [P])
    assert one.loc["airplane", "FAKE_mean"] == 1.0 and np.isnan(one.loc["airplane", "FAKE_low"])


def test_metric_tables_and_the_paper_comparison():
    predictions = {
        ("cnn2d", 0): P,
        ("cnn2d", 1): 1 - P,
        ("modified_cnn2d", 0): Y * 0.8 + 0.1,
        ("modified_cnn2d", 1): Y * 0.6 + 0.2,
    }
    table = evaluation.metrics_table(Y, predictions)
    assert table.loc[("modified_cnn2d", 0), "accuracy"] == 1.0
    summary = evaluation.mean_and_std(table)
    assert summary.loc["modified_cnn2d", "accuracy_std"] == 0.0
    comparison = evaluation.paper_comparison(table)
    assert comparison.loc["Modified CNN2D", "Accuracy (paper)"] == 95.94
    assert comparison.loc["Modified CNN2D", "Accuracy (ours)"] == 100.0
    expected = 100 * table.loc["cnn2d", "f1"].mean()
    assert comparison.loc["CNN2D", "F1_score (ours)"] == pytest.approx(expected, abs=0.005)
    tests = evaluation.mcnemar_table(Y, predictions, "cnn2d", "modified_cnn2d", (0, 1))
    assert tests.loc[0, "modified_cnn2d_only_correct"] == 4  # CNN2D wrong on 0, 2, 4, 5


def test_update_section_replaces_only_the_marked_text(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("intro\n<!-- t:start -->\nold\n<!-- t:end -->\nrest\n")
    table = pd.DataFrame({"x": [1.23456]}, index=pd.Index(["a"], name="k"))
    readme.update_section("t", readme.markdown_table(table, ".3f"), path)
    table_text = "| k | x |\n| --- | --- |\n| a | 1.235 |"
    assert path.read_text() == f"intro\n<!-- t:start -->\n{table_text}\n<!-- t:end -->\nrest\n"
    with pytest.raises(ValueError, match="not exactly one <!-- other:start -->"):
        readme.update_section("other", "x", path)


def test_readme_results_match_the_saved_evaluation():
    results = json.loads((project_root() / "outputs/metrics/04_evaluation.json").read_text())
    text = (project_root() / "README.md").read_text()
    section = text.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    if "headline" not in results:  # an evaluation saved before the tuned recipe's tables
        for row in results["paper_comparison"]:
            for column in ("Accuracy", "Precision", "Recall", "F1_score"):
                cell = f"| {row['model']} | {column} | {row[f'{column} (paper)']:.2f} | "
                cell += f"{row[f'{column} (ours)']:.2f} ± {row[f'{column} (ours, std)']:.2f} |"
                assert cell in section, cell
        return
    for row in results["headline"]:
        cell = (
            f"| {row['model']} | {row['paper']:.2f} | {row['untuned_mean']:.2f} ± "
            f"{row['untuned_std']:.2f} ({row['untuned_seeds']} seeds) | {row['tuned_mean']:.2f} ± "
            f"{row['tuned_std']:.2f} ({row['tuned_seeds']} seeds) |"
        )
        assert cell in section, cell
    for row in results["paired_tests"]:
        assert f"**{row['verdict']}**" in section


def test_headline_and_paired_sentences():
    predictions = {
        ("cnn2d", 0): P,
        ("cnn2d", 1): np.clip(P + 0.05, 0, 1),
        ("modified_cnn2d", 0): Y * 0.8 + 0.1,
        ("modified_cnn2d", 1): Y * 0.6 + 0.2,
        ("cnn2d_untuned", 0): 1 - P,
        ("cnn2d_untuned", 1): 1 - P,
        ("modified_cnn2d_untuned", 0): P,
        ("modified_cnn2d_untuned", 1): P,
    }
    names = ["cnn2d", "modified_cnn2d", "cnn2d_untuned", "modified_cnn2d_untuned"]
    intervals = seeds.accuracy_intervals(Y, predictions, names, resamples=50)
    headline = evaluation.headline_table(intervals)
    assert headline.loc["Modified CNN2D", "tuned_mean"] == 100.0
    assert headline.loc["CNN2D", "paper"] == 94.98 and headline.loc["CNN2D", "tuned_seeds"] == 2
    paired = family.family_table(Y, predictions, (("cnn2d_untuned", "cnn2d"),))
    sentence = evaluation.comparison_sentence(paired.iloc[0], "cnn2d_untuned", "cnn2d")
    assert sentence.startswith("CNN2D vs CNN2D (untuned): ")
    assert "Welch t over seeds (unpaired) over 2 + 2 seeds" in sentence
    assert "Holm-adjusted over 1 comparisons" in sentence and "earlier split" in sentence
    reproduced = reproduction.reproduction_table(
        [{"claim": "A", "published": 94.98, "ours": "a", "accuracies": [94.5, 94.7, 94.9]}]
    )
    markdown = evaluation.results_markdown(
        headline,
        paired,
        pd.DataFrame({"balanced_accuracy_mean": [0.9, 0.8]}, index=names[:2]),
        reproduced,
    )
    assert "CNN2D 90.00%; Modified CNN2D 80.00%" in markdown
    assert "| A | 94.98 | a (3 seeds) | 94.70 ± 0.20 | 93.32 – 96.08 | 0.3 |" in markdown
    assert "| CNN2D | 94.98 |" in markdown and sentence in markdown
    one_seed = seeds.comparisons_table(
        Y, predictions | {("cnn2d_gap", 0): P}, [("cnn2d", "cnn2d_gap")]
    )
    text = evaluation.comparison_sentence(one_seed.iloc[0], "cnn2d", "cnn2d_gap")
    assert "McNemar's exact test on one seed, p = " in text and "matched seeds" not in text


def test_untuned_predictions_follow_the_requested_test_images(tmp_path):
    np.savez(
        tmp_path / "04_test_predictions.npz",
        test_indices=np.array([5, 7, 9]),
        cnn2d_seed0=np.array([0.1, 0.2, 0.3], dtype=np.float32),
        cnn2d_gap_seed2=np.array([0.4, 0.5, 0.6], dtype=np.float32),
    )
    loaded = evaluation.load_untuned_predictions(tmp_path, np.array([9, 5]))
    np.testing.assert_allclose(loaded[("cnn2d_untuned", 0)], [0.3, 0.1])
    np.testing.assert_allclose(loaded[("cnn2d_gap_untuned", 2)], [0.6, 0.4])
    with pytest.raises(ValueError, match="lacks 1"):
        evaluation.load_untuned_predictions(tmp_path, np.array([5, 6]))
    assert evaluation.display_name("cnn2d_untuned") == "CNN2D (untuned)"
