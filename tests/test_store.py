"""The model key: a saved model is reused only when everything its weights depend on is the
same, so the key must change when any one of its inputs changes."""

import hashlib
import json
from dataclasses import replace

import keras
import numpy as np
import pytest
import tensorflow as tf

from cifake_utils.models import store
from cifake_utils.models.architectures import ARCHITECTURES
from cifake_utils.models.training import TrainConfig

CNN2D = ARCHITECTURES["cnn2d"]
RECIPE = TrainConfig(epochs=2, seed=0)


def key(model_config=CNN2D, train_config=RECIPE, data="digest", threads=1) -> str:
    return store.run_key(store.key_inputs(model_config, train_config, data, threads))


def test_key_inputs_hold_what_the_weights_depend_on():
    inputs = store.key_inputs(CNN2D, RECIPE, "digest", 2)
    assert inputs["training_version"] == store.TRAINING_VERSION
    assert inputs["model_config"]["name"] == "cnn2d" and inputs["model_config"]["filters"] == 32
    assert inputs["model_config"]["input_shape"] == [32, 32, 3]  # as the JSON sidecar holds it
    assert inputs["train_config"]["epochs"] == 2 and inputs["train_config"]["seed"] == 0
    assert inputs["data"] == "digest" and inputs["threads"] == 2
    assert inputs["tensorflow"] == tf.__version__ and inputs["keras"] == keras.__version__


@pytest.mark.parametrize(
    "changed",
    [
        # The architecture under the same name (the saved file is still cnn2d_seed0.keras).
        {"model_config": replace(CNN2D, hidden_units=32)},
        {"model_config": replace(CNN2D, filters=16)},
        {"model_config": replace(CNN2D, global_average_pooling=True)},
        {"model_config": replace(CNN2D, dropout_rate=0.5)},
        {"model_config": ARCHITECTURES["modified_cnn2d"]},
        {"train_config": replace(RECIPE, epochs=3)},
        {"train_config": replace(RECIPE, seed=1)},
        {"train_config": replace(RECIPE, learning_rate=1e-2)},
        {"data": "another digest"},
        {"threads": 2},
    ],
    ids=lambda changed: next(iter(changed)),
)
def test_the_key_changes_when_any_one_input_changes(changed):
    assert key(**changed) != key()
    assert key() == key()  # and only then


def test_run_key_is_the_sha256_of_the_sorted_json():
    # json.dumps({"b": 1, "a": [1, 2]}, sort_keys=True) is '{"a": [1, 2], "b": 1}'.
    expected = hashlib.sha256(b'{"a": [1, 2], "b": 1}').hexdigest()
    assert store.run_key({"b": 1, "a": [1, 2]}) == expected
    assert store.run_key({"a": [1, 2], "b": 1}) == expected  # key order does not matter


def test_data_digest_covers_dtype_shape_and_bytes():
    zeros = np.zeros((2, 2), np.uint8)
    # dtype string "|u1", then the shape "(2, 2)", then the four zero bytes.
    expected = hashlib.sha256(b"|u1(2, 2)" + bytes(4)).hexdigest()
    assert store.data_digest(zeros) == expected
    assert store.data_digest(zeros.reshape(4)) != expected  # same bytes, other shape
    assert store.data_digest(zeros.astype(np.int8)) != expected  # same bytes, other dtype
    changed = zeros.copy()
    changed[1, 1] = 1
    assert store.data_digest(changed) != expected
    # Several arrays: one digest over all of them, in order.
    labels = np.array([0, 1], np.uint8)
    both = hashlib.sha256(b"|u1(2, 2)" + bytes(4) + b"|u1(2,)" + bytes([0, 1])).hexdigest()
    assert store.data_digest(zeros, labels) == both
    assert store.data_digest(labels, zeros) != both
    # A strided view is digested as the values it shows, not the memory under it.
    wide = np.arange(8, dtype=np.uint8).reshape(2, 4)
    shown = np.array([[0, 2], [4, 6]], np.uint8)
    assert store.data_digest(wide[:, ::2]) == store.data_digest(shown)


def test_as_json_turns_tuples_into_lists():
    found = store.as_json(replace(RECIPE, augmentation=("flip",)))
    assert found["augmentation"] == ["flip"] and found["epochs"] == 2
    assert json.loads(json.dumps(found)) == found


def test_fields_added_later_enter_the_key_only_away_from_their_default():
    # A model saved before `pool_dropout` and `output_units` existed keeps its key ...
    plain = store.as_json(CNN2D)
    assert "pool_dropout" not in plain and "output_units" not in plain
    # ... and a model that uses them has another one.
    template = store.as_json(replace(CNN2D, pool_dropout=0.3, output_units=2))
    assert template["pool_dropout"] == 0.3 and template["output_units"] == 2
    assert key(replace(CNN2D, output_units=2)) != key()


def test_a_saved_model_matches_only_under_its_own_key(tmp_path):
    (tmp_path / "cnn2d_seed0.keras").write_bytes(b"a model")
    assert store.saved_key(tmp_path / "cnn2d_seed0.json") is None  # no sidecar
    assert store.matching_model(tmp_path, "cnn2d_seed0", "k1") is None
    (tmp_path / "cnn2d_seed0.json").write_text(json.dumps({"architecture": "cnn2d"}))
    assert store.saved_key(tmp_path / "cnn2d_seed0.json") is None  # made before keys
    (tmp_path / "cnn2d_seed0.json").write_text(json.dumps({"key": "k1"}))
    assert store.saved_key(tmp_path / "cnn2d_seed0.json") == "k1"
    assert store.matching_model(tmp_path, "cnn2d_seed0", "k1") == tmp_path / "cnn2d_seed0.keras"
    assert store.matching_model(tmp_path, "cnn2d_seed0", "k2") is None
    assert store.matching_model(tmp_path, "cnn2d_seed1", "k1") is None  # no such model
    assert store.matching_model(None, "cnn2d_seed0", "k1") is None  # reuse switched off
    (tmp_path / "cnn2d_seed0.keras").unlink()
    assert store.matching_model(tmp_path, "cnn2d_seed0", "k1") is None  # sidecar alone


def test_a_gpu_run_has_its_own_key_and_a_cpu_run_keeps_the_key_it_had():
    # `make setup GPU=1` trains on the GPU TensorFlow sees; its models must never be reused as
    # CPU ones. A CPU run's inputs have no "device" entry, so every key made before devices
    # were recorded is unchanged: this is the CPU key of `key()`, written out by hand.
    cpu = store.key_inputs(CNN2D, RECIPE, "digest", 1)
    assert "device" not in cpu and store.key_inputs(CNN2D, RECIPE, "digest", 1, "cpu") == cpu
    written = {
        "training_version": store.TRAINING_VERSION,
        "model_config": store.as_json(CNN2D),
        "train_config": store.as_json(RECIPE),
        "data": "digest",
        "threads": 1,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }
    assert key() == hashlib.sha256(json.dumps(written, sort_keys=True).encode()).hexdigest()
    gpu = store.key_inputs(CNN2D, RECIPE, "digest", 1, "NVIDIA H100 80GB HBM3")
    assert gpu == cpu | {"device": "NVIDIA H100 80GB HBM3"}
    assert store.run_key(gpu) != key()


def test_a_precision_other_than_float32_enters_the_key():
    assert "precision" not in store.as_json(RECIPE)  # float32, as before precisions existed
    bf16 = replace(RECIPE, precision="mixed_bfloat16")
    assert store.as_json(bf16)["precision"] == "mixed_bfloat16"
    assert key(train_config=bf16) != key()
    with pytest.raises(ValueError, match="precision 'float16'"):
        replace(RECIPE, precision="float16")
