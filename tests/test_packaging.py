"""The package installs from a wheel on its own: every subpackage imports from the wheel, the
`cifake` command runs, and the declared dependencies are what the code imports, in ranges
that admit the study's pins."""

import ast
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from cifake_utils.paths import project_root

ROOT = project_root()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def declared() -> dict[str, list[tuple[str, str]]]:
    """{distribution: [(operator, version), ...]} from pyproject's dependencies (markers
    left out: each platform's TensorFlow build is checked against its own pin)."""
    found = {}
    for requirement in PROJECT["dependencies"]:
        name, specifiers = re.match(r"([A-Za-z0-9_.-]+)([^;]*)", requirement).groups()
        found[normalise(name)] = re.findall(r"(>=|<=|==|<|>)\s*([\d.]+)", specifiers)
    return found


def pins() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line.split(";")[0] for line in lines if "==" in line and not line.startswith("#")]
    pairs = [pin.split("==") for pin in pins]
    return {normalise(name): pinned.strip() for name, pinned in pairs}


def test_declared_dependencies_admit_the_pins():
    compare = {
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "==": lambda a, b: a == b,
    }
    pinned = pins()
    for name, specifiers in declared().items():
        assert name in pinned, f"{name} is declared but not pinned in requirements.txt"
        for operator, bound in specifiers:
            assert compare[operator](version(pinned[name]), version(bound)), (name, operator)


def test_every_third_party_import_of_the_package_is_declared():
    modules = set()
    for path in (ROOT / "cifake_utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"cifake_utils"}
    distributions = packages_distributions()
    needed = {normalise(distributions[module][0]) for module in third_party}
    assert needed <= set(declared()), needed - set(declared())


def test_the_wheel_installs_imports_every_subpackage_and_runs_the_command(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("cifake_utils-*.whl")
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(environment)}))
    # The project's environment beneath the new one, for the dependencies only: a path entry
    # does not run that folder's .pth files, so the editable install of the checkout is off.
    (site / "project-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = environment / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    script = (
        "import importlib, pkgutil, cifake_utils\n"
        "print(cifake_utils.__file__)\n"
        "for module in pkgutil.walk_packages(cifake_utils.__path__, 'cifake_utils.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(len(list(pkgutil.walk_packages(cifake_utils.__path__, 'cifake_utils.'))))\n"
    )
    imported = subprocess.run([python, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    where, count = imported.stdout.split()
    assert Path(where).is_relative_to(environment), f"imported from {where}, not the wheel"
    assert int(count) > 50
    helped = subprocess.run(
        [environment / "bin" / "cifake", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert helped.returncode == 0 and "predict" in helped.stdout, helped.stderr
