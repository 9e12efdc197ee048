"""Each platform's lock: its pins compared by content, the CUDA build's requirements, and uv's
resolution for another platform, which refuses a pin without a wheel there (needs the package
index, as `make setup` does)."""

import platform
import sys

import pytest

from cifake_utils.study import platforms

REQUIREMENTS = """\
# direct dependencies
tensorflow-cpu==2.21.0; sys_platform == "linux" and platform_machine == "x86_64"
tensorflow==2.21.0; sys_platform == "darwin" and platform_machine == "arm64"
click==8.5.1  # the command line
"""


def test_lock_pins_ignore_comments_case_order_and_options():
    text = "# header\nFlask==3.1.3\n\nargon2_cffi==25.1.0  # why\n-e .\n"
    assert platforms.lock_pins(text) == ["argon2-cffi==25.1.0", "flask==3.1.3"]
    with pytest.raises(ValueError, match="without markers"):
        platforms.lock_pins('numpy==2.4.6; sys_platform == "linux"\n')
    with pytest.raises(ValueError, match="without markers"):
        platforms.lock_pins("numpy>=2\n")


def test_the_gpu_requirements_swap_both_tensorflow_lines_for_the_cuda_build():
    assert platforms.gpu_requirements(REQUIREMENTS) == (
        "# direct dependencies\nclick==8.5.1  # the command line\ntensorflow[and-cuda]==2.21.0\n"
    )
    two_versions = REQUIREMENTS.replace("tensorflow==2.21.0", "tensorflow==2.20.0")
    with pytest.raises(ValueError, match=r"\['2.20.0', '2.21.0'\]"):
        platforms.gpu_requirements(two_versions)


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.machine() == "x86_64"),
    reason="CI's platform: Linux x86-64",
)
def test_this_machine_is_linux_x86_64_set_up_with_the_cpu_build(monkeypatch):
    assert platforms.this_platform().name == "linux-x86_64"
    assert platforms.this_platform(gpu=True).name == "linux-x86_64-gpu"
    assert platforms.installed_platform().name == "linux-x86_64"  # tensorflow-cpu is installed
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(RuntimeError, match="no lock for win32"):
        platforms.this_platform()
    assert platforms.main(["name"]) == 2


def project(tmp_path, requirements: str, lock: str | None = None):
    (tmp_path / "requirements.txt").write_text(requirements)
    if lock is not None:
        (tmp_path / "locks").mkdir()
        (tmp_path / "locks" / "macos-arm64.txt").write_text(lock)
    return tmp_path


def test_a_pin_without_a_wheel_for_the_platform_fails_its_resolution(tmp_path):
    root = project(tmp_path, "tensorflow-cpu==2.21.0\n")  # published for Linux and Windows only
    with pytest.raises(RuntimeError, match="macos-arm64: uv cannot resolve") as failed:
        platforms.resolve(platforms.BY_NAME["macos-arm64"], root, None)
    assert "Wheels are available for `tensorflow-cpu`" in str(failed.value)


def test_a_lock_missing_a_pin_or_holding_an_extra_one_is_named(tmp_path):
    mac = platforms.BY_NAME["macos-arm64"]
    root = project(tmp_path, "click==8.5.1\n", lock="click==8.5.1\n")
    assert platforms.lock_problems(mac, root) == []
    (root / "locks" / "macos-arm64.txt").write_text("click==8.5.1\nnumpy==2.4.6\n")
    assert platforms.lock_problems(mac, root) == [
        "macos-arm64: numpy==2.4.6 is locked but not required"
    ]
    (root / "requirements.txt").write_text("click==8.5.1\nitsdangerous==2.2.0\n")
    (root / "locks" / "macos-arm64.txt").write_text("click==8.5.1\n")
    assert platforms.lock_problems(mac, root) == [
        "macos-arm64: itsdangerous==2.2.0 is resolved but not locked"
    ]
