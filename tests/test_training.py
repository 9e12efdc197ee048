import json
import os
from dataclasses import replace

import keras
import numpy as np
import pytest
import tensorflow as tf

from cifake_utils.machine import boot_id
from cifake_utils.models import jobs, store, summaries, training
from cifake_utils.models.architectures import ARCHITECTURES, build_model
from cifake_utils.models.callbacks import EpochLine
from cifake_utils.models.jobs import TrainingData, train_jobs

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
    def __init__(self, after_epoch: int = 2):
        super().__init__()
        self.after_epoch = after_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after_epoch:
            raise KeyboardInterrupt(f"simulated interruption after epoch {self.after_epoch}")


def test_interrupted_run_resumes_from_its_last_epoch(small_arrays, tmp_path, capsys):
    config = replace(SMALL, epochs=3, patience=5)
    with pytest.raises(KeyboardInterrupt):
        train(small_arrays, tmp_path / "run", config=config, callbacks=[Interrupt()])
    capsys.readouterr()
    run = train(small_arrays, tmp_path / "run", config=config)
    printed = capsys.readouterr().out
    assert "epoch  3/3" in printed and "epoch  1/3" not in printed
    assert run.epochs_trained == 3


@pytest.mark.parametrize("after_epoch", [1, 2])
def test_resumed_run_is_bit_identical_to_an_uninterrupted_one(small_arrays, tmp_path, after_epoch):
    # Dropout (the Modified CNN2D), flips and the shuffling order all draw random numbers.
    config = replace(TUNED_SMALL, epochs=3, augmentation=("flip",))
    whole = train(small_arrays, tmp_path / "whole", config=config)
    with pytest.raises(KeyboardInterrupt):
        train(small_arrays, tmp_path / "cut", config=config, callbacks=[Interrupt(after_epoch)])
    resumed = train(small_arrays, tmp_path / "cut", config=config)
    assert resumed.history == whole.history
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


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


def test_saved_model_is_reused_only_under_its_key(small_arrays, tmp_path, capsys):
    (train_xy, val_xy) = small_arrays
    job = (ARCHITECTURES["cnn2d"], replace(SMALL, epochs=1))
    [first] = jobs.train_jobs([job], TrainingData(train_xy, val_xy, tmp_path / "a", "checksum"))
    saved = training.save_run(first, tmp_path / "models")
    sidecar = json.loads(saved.with_suffix(".json").read_text())
    assert sidecar["key"] == first.key and sidecar["key_inputs"]["threads"] >= 1
    assert sidecar["key_inputs"]["training_version"] == store.TRAINING_VERSION
    capsys.readouterr()
    reuse = tmp_path / "models"
    [again] = jobs.train_jobs(
        [job], TrainingData(train_xy, val_xy, tmp_path / "b", "c", reuse=reuse)
    )
    assert "reused" in capsys.readouterr().out and not (tmp_path / "b").exists()
    assert again.key == first.key
    # Saving a reused run leaves the file as it was.
    modified = saved.stat().st_mtime_ns
    training.save_run(again, reuse)
    assert saved.stat().st_mtime_ns == modified
    # Other data (one image fewer) or another recipe is another key: trained, not reused.
    fewer = (train_xy[0][1:], train_xy[1][1:])
    jobs.train_jobs([job], TrainingData(fewer, val_xy, tmp_path / "c", "c", reuse=reuse))
    other = (job[0], replace(job[1], learning_rate=2e-3))
    jobs.train_jobs([other], TrainingData(train_xy, val_xy, tmp_path / "d", "c", reuse=reuse))
    # So is another architecture under the same name (cnn2d_seed3.keras is still the file).
    changed = (replace(job[0], hidden_units=32), job[1])
    [rebuilt] = jobs.train_jobs(
        [changed], TrainingData(train_xy, val_xy, tmp_path / "e", "c", reuse=reuse)
    )
    assert "reused" not in capsys.readouterr().out
    assert rebuilt.model.get_layer("hidden").units == 32 and rebuilt.key != first.key


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
    table = summaries.summarise_runs(runs)
    assert table["seed"].tolist() == [0, 1]
    spread = summaries.mean_and_spread(table)
    assert spread.loc["modified_cnn2d", "seeds"] == 2
    assert spread.loc["modified_cnn2d", "val_accuracy_mean"] == pytest.approx(
        table["val_accuracy"].mean()
    )


TUNED_SMALL = replace(
    SMALL,
    schedule="cosine",
    warmup_epochs=1,
    patience=None,
    optimizer="adamw",
    weight_decay=0.05,
    label_smoothing=0.1,
    augmentation=("flip", "translate"),
)


def test_schedule_warms_up_then_decays_to_zero():
    schedule = training.learning_rate(replace(TUNED_SMALL, learning_rate=3e-3, epochs=4), 10)
    rates = [float(schedule(step)) for step in (0, 5, 10, 25, 40)]
    assert rates[0] == 0.0 and rates[1] == pytest.approx(1.5e-3)
    assert rates[2] == pytest.approx(3e-3)  # the peak, at the end of the warm-up epoch
    assert rates[2] > rates[3] > rates[4] and rates[4] == pytest.approx(0.0, abs=1e-9)
    assert training.learning_rate(SMALL, 10) == SMALL.learning_rate  # constant


def test_recipe_settings_are_checked():
    with pytest.raises(ValueError, match="optimizer"):
        training.TrainConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="adamw"):
        training.TrainConfig(weight_decay=0.01)
    with pytest.raises(ValueError, match="augmentation"):
        build_model(ARCHITECTURES["cnn2d"], ("rotate",))


def test_schedule_and_augmentation_are_deterministic_for_a_seed(small_arrays, tmp_path):
    first = train(small_arrays, tmp_path / "a", config=TUNED_SMALL, architecture="cnn2d")
    second = train(small_arrays, tmp_path / "b", config=TUNED_SMALL, architecture="cnn2d")
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    other = train(
        small_arrays, tmp_path / "c", config=replace(TUNED_SMALL, seed=4), architecture="cnn2d"
    )
    assert first.history != other.history
    # A fixed budget keeps the last epoch, not the best one.
    assert first.best_epoch == first.epochs_trained == TUNED_SMALL.epochs


def test_saved_model_with_augmentation_layers_does_not_augment_at_inference(small_arrays, tmp_path):
    run = train(small_arrays, tmp_path / "run", config=TUNED_SMALL, architecture="cnn2d")
    assert [layer.name for layer in run.model.layers[1:3]] == ["augment_flip", "augment_translate"]
    images = small_arrays[1][0][:50] / 255.0
    path = training.save_run(run, tmp_path / "models")
    loaded = training.load_run(path)
    predicted = run.model.predict(images, verbose=0)
    np.testing.assert_array_equal(loaded.model.predict(images, verbose=0), predicted)
    np.testing.assert_array_equal(run.model.predict(images, verbose=0), predicted)
    # The same weights without the augmentation layers give the same outputs.
    plain = build_model(ARCHITECTURES["cnn2d"])
    for layer in plain.layers:
        layer.set_weights(run.model.get_layer(layer.name).get_weights())
    np.testing.assert_allclose(plain.predict(images, verbose=0), predicted, rtol=1e-6)
    # A flipped image is a different input: inference sees exactly what it is given.
    flipped = loaded.model.predict(images[:, :, ::-1], verbose=0)
    assert not np.array_equal(flipped, predicted)


def test_sidecar_records_the_recipe_and_the_machine(small_arrays, tmp_path):
    run = train(small_arrays, tmp_path / "run", config=TUNED_SMALL, architecture="cnn2d")
    sidecar = json.loads(training.save_run(run, tmp_path).with_suffix(".json").read_text())
    assert sidecar["train_config"]["augmentation"] == ["flip", "translate"]
    assert sidecar["train_config"]["optimizer"] == "adamw"
    machine = sidecar["machine"]
    assert machine["cpu"] and machine["cpu_count"] >= 1
    assert machine["onednn"] in {"on", "off"} and "intra_op_threads" in machine


def test_jobs_in_worker_processes_match_their_configs(small_arrays, tmp_path):
    (train_xy, val_xy) = small_arrays
    two_jobs = [
        (ARCHITECTURES["cnn2d"], replace(SMALL, epochs=1, seed=0)),
        (ARCHITECTURES["modified_cnn2d"], replace(SMALL, epochs=1, seed=1)),
    ]
    runs = train_jobs(two_jobs, TrainingData(train_xy, val_xy, tmp_path, "checksum", workers=2))
    assert [run.name for run in runs] == ["cnn2d_seed0", "modified_cnn2d_seed1"]
    sidecar = json.loads((tmp_path / "cnn2d_seed0" / "final.json").read_text())
    assert sidecar["machine"]["intra_op_threads"] == max(1, (os.cpu_count() or 1) // 2)
    assert sidecar["machine"]["training_workers"] == 2
    assert sidecar["key_inputs"]["threads"] == sidecar["machine"]["intra_op_threads"]
    assert not list(tmp_path.glob("arrays_*"))  # the shared arrays are cleaned up
    # Saved again by this process (as the notebooks do), the sidecar keeps the worker's threads.
    saved = training.save_run(runs[0], tmp_path / "models").with_suffix(".json")
    assert json.loads(saved.read_text())["machine"] == sidecar["machine"]


def test_a_long_run_prints_a_line_every_few_epochs(capsys):
    line = EpochLine("long", epochs=100)
    logs = {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.7}
    for epoch in range(100):
        line.on_epoch_begin(epoch)
        line.on_epoch_end(epoch, logs)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 26  # epoch 1, then every 4th epoch up to the last
    assert printed[0].startswith("long epoch  1/100") and "epoch 100/100" in printed[-1]


def test_a_bfloat16_run_computes_in_bfloat16_keeps_float32_weights_and_probabilities(
    small_arrays, tmp_path
):
    config = replace(SMALL, epochs=1, precision="mixed_bfloat16")
    run = train(small_arrays, tmp_path / "bf16", config=config, architecture="cnn2d")
    conv = run.model.get_layer("conv1")
    assert conv.compute_dtype == "bfloat16" and conv.variable_dtype == "float32"
    assert run.model.get_layer("fake_probability").compute_dtype == "float32"
    assert all(weight.dtype == np.float32 for weight in run.model.get_weights())
    assert keras.config.dtype_policy().name == "float32"  # the policy in force is restored
    float32 = train(
        small_arrays,
        tmp_path / "f32",
        config=replace(config, precision="float32"),
        architecture="cnn2d",
    )
    assert float32.key != run.key
    assert float32.model.get_layer("conv1").compute_dtype == "float32"
    sidecar = json.loads(training.save_run(run, tmp_path).with_suffix(".json").read_text())
    assert sidecar["train_config"]["precision"] == "mixed_bfloat16"
    (epoch,) = sidecar["epoch_machines"]
    assert epoch["device"] == "cpu" and epoch["epoch"] == 1
    assert epoch["threads"] == tf.config.threading.get_intra_op_parallelism_threads()
    assert epoch["boot"] == boot_id()  # which boot of which machine trained it
