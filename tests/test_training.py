import json
from dataclasses import replace

import keras
import numpy as np
import pytest

from cifake_utils.models import training
from cifake_utils.models.architectures import ARCHITECTURES

SMALL = training.TrainConfig(epochs=2, batch_size=64, seed=3)


@pytest.fixture(scope="module")
def small_arrays(cifake):
    """600 training and 200 validation real images, both labels."""
    train = cifake.train.subset(np.arange(0, 100_000, 166)[:600])
    validation = cifake.train.subset(np.arange(83, 100_000, 500))
    return (train.images, train.labels), (validation.images, validation.labels)


def train(arrays, folder, config=SMALL, architecture="modified_cnn2d", **kwargs):
    (train_xy, val_xy) = arrays
    return training.train_model(
        ARCHITECTURES[architecture], config, train_xy, val_xy, folder, "checksum", **kwargs
    )


def test_same_seed_gives_identical_weights(small_arrays, tmp_path):
    first = train(small_arrays, tmp_path / "a")
    second = train(small_arrays, tmp_path / "b")
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.history == second.history
    other = train(small_arrays, tmp_path / "c", config=replace(SMALL, seed=4))
    assert not np.array_equal(first.model.get_weights()[0], other.model.get_weights()[0])


def test_run_reports_its_best_epoch_and_one_line_per_epoch(small_arrays, tmp_path, capsys):
    run = train(small_arrays, tmp_path / "run", architecture="cnn2d")
    lines = [line for line in capsys.readouterr().out.splitlines() if " epoch " in line]
    assert len(lines) == run.epochs_trained == 2
    assert lines[0].startswith("cnn2d_seed3 epoch  1/2  loss ")
    assert run.best_epoch == int(np.argmin(run.history["val_loss"])) + 1
    assert 0.0 <= run.validation["accuracy"] <= 1.0
    _, (val_images, val_labels) = small_arrays
    evaluated = run.model.evaluate(val_images / 255.0, val_labels, verbose=0, return_dict=True)
    assert evaluated["loss"] == pytest.approx(run.validation["loss"], rel=1e-4)


def test_saved_model_reloads_and_predicts_identically(small_arrays, tmp_path):
    run = train(small_arrays, tmp_path / "run")
    path = training.save_run(run, tmp_path / "models")
    assert path.name == "modified_cnn2d_seed3.keras"
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["architecture"] == "modified_cnn2d"
    assert sidecar["parameters"] == 12_321
    assert sidecar["seed"] == 3 and sidecar["data_checksum"] == "checksum"
    assert sidecar["epochs_trained"] == 2 and set(sidecar["validation"]) == {"loss", "accuracy"}
    loaded = training.load_run(path)
    images = small_arrays[1][0][:50] / 255.0
    np.testing.assert_array_equal(
        loaded.model.predict(images, verbose=0), run.model.predict(images, verbose=0)
    )
    assert loaded.train_config == run.train_config and loaded.model_config == run.model_config


class Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt("simulated interruption after epoch 2")


def test_interrupted_run_resumes_from_its_last_epoch(small_arrays, tmp_path, capsys):
    config = replace(SMALL, epochs=3, patience=5)
    with pytest.raises(KeyboardInterrupt):
        train(small_arrays, tmp_path / "run", config=config, callbacks=[Interrupt()])
    capsys.readouterr()
    run = train(small_arrays, tmp_path / "run", config=config)
    printed = capsys.readouterr().out
    assert "epoch  3/3" in printed and "epoch  1/3" not in printed
    assert run.epochs_trained == 3


def test_finished_run_is_loaded_not_retrained_unless_its_config_changed(
    small_arrays, tmp_path, capsys
):
    first = train(small_arrays, tmp_path / "run")
    capsys.readouterr()
    again = train(small_arrays, tmp_path / "run")
    assert "already trained" in capsys.readouterr().out
    assert again.history == first.history
    changed = train(small_arrays, tmp_path / "run", config=replace(SMALL, learning_rate=1e-2))
    assert "already trained" not in capsys.readouterr().out
    assert changed.train_config.learning_rate == 1e-2


def test_early_stopping_stops_after_patience_epochs_without_improvement(small_arrays, tmp_path):
    # A learning rate this large makes validation loss stop improving at once.
    config = replace(SMALL, epochs=10, patience=1, learning_rate=1.0)
    run = train(small_arrays, tmp_path / "run", config=config, architecture="cnn2d")
    assert run.epochs_trained == run.best_epoch + 1 < 10


def test_summary_tables(small_arrays, tmp_path):
    runs = [
        train(small_arrays, tmp_path / f"s{seed}", config=replace(SMALL, seed=seed))
        for seed in (0, 1)
    ]
    table = training.summarise_runs(runs)
    assert table["seed"].tolist() == [0, 1]
    spread = training.mean_and_spread(table)
    assert spread.loc["modified_cnn2d", "seeds"] == 2
    assert spread.loc["modified_cnn2d", "val_accuracy_mean"] == pytest.approx(
        table["val_accuracy"].mean()
    )
