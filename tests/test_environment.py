"""The conda description, the pip requirements and the lock must name the same versions."""

import re

from cifake_utils.paths import project_root

ROOT = project_root()
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            match = PIN.match(line)
            assert match, f"not an exact pin: {line!r}"
            pins[normalise(match[1])] = match[2]
    return pins


def requirements() -> dict[str, str]:
    return read_pins((ROOT / "requirements.txt").read_text().splitlines())


def test_every_requirement_is_pinned_exactly_and_locked_at_that_version():
    pins = requirements()
    lock = read_pins((ROOT / "requirements-lock.txt").read_text().splitlines())
    assert {"tensorflow-cpu", "keras", "numpy", "papermill", "nbval", "tf-keras-vis"} <= set(pins)
    for name, version in pins.items():
        assert lock.get(name) == version, f"{name}=={version} is locked at {lock.get(name)}"


def test_environment_yml_pins_the_same_versions_as_requirements():
    text = (ROOT / "environment.yml").read_text()
    pip_lines = re.findall(r"^\s{6}- (.+)$", text, flags=re.MULTILINE)
    conda_pins = read_pins([line for line in pip_lines if not line.startswith("-e")])
    assert conda_pins == requirements()
    python = re.search(r"^\s+- python=(\S+)$", text, flags=re.MULTILINE)
    assert python and python[1] == "3.11"
