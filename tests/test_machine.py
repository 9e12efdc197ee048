import json

import pytest
import tensorflow as tf

from cifake_utils import machine
from cifake_utils.study import report


def test_cpu_model_reads_the_first_processor(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Example CPU 9000\nflags\t\t: fpu avx2 avx512f amx_tile\n\n"
        "processor\t: 1\nmodel name\t: Example CPU 9000\nflags\t\t: fpu\n"
    )
    name, flags = machine.cpu_model(cpuinfo)
    assert name == "Example CPU 9000"
    assert flags == ["avx2", "avx512f", "amx_tile"]


def test_onednn_setting_follows_the_environment(monkeypatch):
    monkeypatch.setenv(machine.ONEDNN_VARIABLE, "0")
    assert machine.onednn_setting() == "off"
    monkeypatch.delenv(machine.ONEDNN_VARIABLE)
    assert machine.onednn_setting() == "on"


def test_machine_info_names_this_machine():
    info = machine.machine_info()
    assert info["cpu"] and info["cpu_count"] >= 1
    assert set(info["cpu_flags"]) <= set(machine.KERNEL_FLAGS)


def test_report_lists_the_machines_behind_the_models(tmp_path):
    first = {
        "cpu": "CPU A",
        "cpu_count": 2,
        "cpu_flags": ["avx2"],
        "intra_op_threads": 1,
        "onednn": "on",
    }
    (tmp_path / "a_seed0.json").write_text(json.dumps({"machine": first}))
    (tmp_path / "a_seed1.json").write_text(json.dumps({"machine": first}))
    (tmp_path / "old_seed0.json").write_text(json.dumps({"architecture": "old"}))
    lines = report.training_machines(tmp_path)
    assert lines == [
        "CPU A, 2 cores, flags avx2, 1 intra-op thread(s), oneDNN on: 2 model(s)",
        "not recorded (trained before machines were recorded): 1 model(s)",
    ]
    page = report.render_index([], [], [], tmp_path, lines)
    assert "CPU A, 2 cores" in page


def test_training_threads_reads_the_recorded_count_or_the_cores():
    assert machine.training_threads({"intra_op_threads": 1, "cpu_count": 2}) == 1
    assert machine.training_threads({"intra_op_threads": 0, "cpu_count": 2}) == 2  # TF default


def test_boot_id_is_the_first_eight_characters_of_the_kernels(tmp_path):
    path = tmp_path / "boot_id"
    path.write_text("fae45eff-521d-46a5-9f7c-19944d1c0d4a\n")
    assert machine.boot_id(path) == "fae45eff"
    assert machine.boot_id(tmp_path / "missing") is None  # not Linux


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="a GPU is visible")
def test_without_a_visible_gpu_training_runs_on_the_cpu():
    # These machines have no GPU; the key of a run here must be a CPU key (test_store.py).
    assert machine.training_device() == "cpu"
    assert machine.machine_info()["device"] == "cpu"
