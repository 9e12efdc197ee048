"""The conda description, the pip requirements and each platform's lock must name the same
versions; TensorFlow's build is chosen by environment marker."""

import re

from packaging.markers import Marker

from cifake_utils.paths import project_root
from cifake_utils.study import platforms

ROOT = project_root()
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)\s*(?:;(.*))?$")
# The marker variables that tell the locked platforms apart, as each one's Python reports them.
MARKER_ENVIRONMENTS = {
    "linux-x86_64": {"sys_platform": "linux", "platform_machine": "x86_64"},
    "macos-arm64": {"sys_platform": "darwin", "platform_machine": "arm64"},
    "linux-x86_64-gpu": {"sys_platform": "linux", "platform_machine": "x86_64"},
}


def read_pins(lines: list[str]) -> dict[str, tuple[str, str | None]]:
    """{normalised name: (version, marker or None)} of exact pins."""
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            match = PIN.match(line)
            assert match, f"not an exact pin: {line!r}"
            marker = match[3].strip() if match[3] else None
            pins[platforms.normalized_name(match[1])] = (match[2], marker)
    return pins


def requirements() -> dict[str, tuple[str, str | None]]:
    return read_pins((ROOT / "requirements.txt").read_text().splitlines())


def required_on(target: platforms.Platform) -> dict[str, str]:
    """{name: version} that requirements.txt asks for on `target` (markers evaluated there)."""
    text = (ROOT / "requirements.txt").read_text()
    if target.gpu:
        text = platforms.gpu_requirements(text)
    environment = MARKER_ENVIRONMENTS[target.name]
    return {
        re.sub(r"\[.*\]", "", name): version
        for name, (version, marker) in read_pins(text.splitlines()).items()
        if marker is None or Marker(marker).evaluate(environment)
    }


def test_tensorflow_is_the_cpu_build_on_linux_and_the_plain_one_on_macos():
    assert required_on(platforms.BY_NAME["linux-x86_64"])["tensorflow-cpu"] == "2.21.0"
    assert "tensorflow" not in required_on(platforms.BY_NAME["linux-x86_64"])
    assert required_on(platforms.BY_NAME["macos-arm64"])["tensorflow"] == "2.21.0"
    assert "tensorflow-cpu" not in required_on(platforms.BY_NAME["macos-arm64"])
    gpu = required_on(platforms.BY_NAME["linux-x86_64-gpu"])
    assert gpu["tensorflow"] == "2.21.0" and "tensorflow-cpu" not in gpu


def test_every_requirement_is_locked_at_its_version_on_every_platform():
    assert {"keras", "numpy", "papermill", "nbval", "tf-keras-vis", "uv"} <= set(requirements())
    for target in platforms.PLATFORMS:
        lock = platforms.lock_pins(target.lock(ROOT).read_text())
        locked = dict(pin.split("==") for pin in lock)
        for name, version in required_on(target).items():
            assert locked.get(name) == version, (
                f"{target.name}: {name}=={version} is locked at {locked.get(name)}"
            )
        if target.gpu:  # the CUDA build brings its libraries
            assert "nvidia-cudnn-cu12" in locked


def test_environment_yml_pins_the_same_versions_and_markers_as_requirements():
    text = (ROOT / "environment.yml").read_text()
    pip_lines = re.findall(r"^\s{6}- (.+)$", text, flags=re.MULTILINE)
    conda_pins = read_pins([line for line in pip_lines if not line.startswith("-e")])
    assert conda_pins == requirements()
    python = re.search(r"^\s+- python=(\S+)$", text, flags=re.MULTILINE)
    assert python and python[1] == "3.11"
