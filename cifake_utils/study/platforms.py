"""The platforms the study installs on, each with its lock; making the locks and checking them.

A lock (`locks/<platform>.txt`) pins every package the study's environment holds there, with
no markers: `make setup` installs exactly it. `requirements.txt` names the direct dependencies
(TensorFlow by environment marker: `tensorflow-cpu` on Linux x86-64, `tensorflow` on macOS
arm64); `make setup GPU=1` swaps in TensorFlow's CUDA build at the same version. uv resolves
each lock for its platform from wheels alone, whatever machine runs it:

python -m cifake_utils.study.platforms name [--gpu]   # this machine's platform (the Makefile)
python -m cifake_utils.study.platforms lock [--upgrade NAME ...]  # `make lock` (UPGRADE=...)
python -m cifake_utils.study.platforms check          # `make check-platforms`, part of `make test`

Standard library only (the provenance check hashes the locks before any set-up).
"""

from __future__ import annotations  # `make setup` may name this from an older python3

import argparse
import importlib.metadata
import importlib.util
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..paths import project_root

REQUIREMENTS = "requirements.txt"
LOCKS = "locks"
# The interpreter the locks are resolved for: any 3.11 (Debian 12's is 3.11.2).
PYTHON_VERSION = "3.11.0"
TENSORFLOW = ("tensorflow", "tensorflow-cpu")  # the names TensorFlow's CPU builds go by
CUDA_TENSORFLOW = "tensorflow[and-cuda]"


@dataclass(frozen=True)
class Platform:
    """One platform the study is locked for."""

    name: str  # also the lock's file name, locks/<name>.txt
    uv_platform: str  # uv's --python-platform
    gpu: bool  # TensorFlow's CUDA build (`make setup GPU=1`) instead of the CPU one
    executed: bool  # CI runs the study here; the others are resolved, not executed

    def lock(self, root: Path) -> Path:
        return root / LOCKS / f"{self.name}.txt"


PLATFORMS = (
    Platform("linux-x86_64", "x86_64-manylinux_2_28", gpu=False, executed=True),
    Platform("macos-arm64", "aarch64-apple-darwin", gpu=False, executed=False),
    Platform("linux-x86_64-gpu", "x86_64-manylinux_2_28", gpu=True, executed=False),
)
BY_NAME = {target.name: target for target in PLATFORMS}


def this_platform(gpu: bool = False) -> Platform:
    """The platform of the machine running this; raises for one the study has no lock for."""
    system, machine = sys.platform, platform.machine().lower()
    if system == "darwin" and machine == "arm64" and not gpu:
        return BY_NAME["macos-arm64"]
    if system.startswith("linux") and machine in {"x86_64", "amd64"}:
        return BY_NAME["linux-x86_64-gpu" if gpu else "linux-x86_64"]
    wanted = " with an NVIDIA GPU" if gpu else ""
    raise RuntimeError(
        f"no lock for {system} {machine}{wanted}: the study is locked for "
        + ", ".join(target.name for target in PLATFORMS)
    )


def installed_platform() -> Platform:
    """The platform whose lock this Python environment was set up from: by machine, and by
    whether TensorFlow's CUDA libraries are installed (`make setup GPU=1`)."""
    try:
        importlib.metadata.distribution("nvidia-cudnn-cu12")
        cuda = True
    except importlib.metadata.PackageNotFoundError:
        cuda = False
    return this_platform(gpu=cuda)


def normalized_name(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(text: str) -> list[str]:
    """A lock's pins as sorted `name==version` lines: comments, blank lines, options and
    formatting left out, so that only a change of what gets installed changes them."""
    pins = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, separator, version = line.partition("==")
        if not separator or ";" in version:
            raise ValueError(f"{line!r}: a lock holds `name==version` lines, without markers")
        pins.append(f"{normalized_name(name.strip())}=={version.strip()}")
    return sorted(pins)


def gpu_requirements(text: str) -> str:
    """`requirements.txt` with its TensorFlow lines replaced by the CUDA build of the same
    version (the requirements that `locks/linux-x86_64-gpu.txt` resolves)."""
    kept, versions = [], set()
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        name, _, version = requirement.partition("==")
        if normalized_name(name.strip()) in TENSORFLOW:
            versions.add(version.strip())
        else:
            kept.append(line)
    if len(versions) != 1:
        raise ValueError(f"{REQUIREMENTS} pins TensorFlow at {sorted(versions)}, not one version")
    return "\n".join([*kept, f"{CUDA_TENSORFLOW}=={versions.pop()}", ""])


def resolve(target: Platform, root: Path, constraints: Path | None) -> list[str]:
    """The pins uv resolves for `target` from wheels alone (`constraints`: a lock to keep
    versions from). Raises with uv's explanation when a requirement has no wheel there."""
    requirements = (root / REQUIREMENTS).read_text()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "requirements.in"
        source.write_text(gpu_requirements(requirements) if target.gpu else requirements)
        command = [
            *uv(),
            "pip",
            "compile",
            str(source),
            "--python-platform",
            target.uv_platform,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ]
        if constraints is not None:
            command += ["--constraint", str(constraints)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=root)
    if done.returncode != 0:
        raise RuntimeError(f"{target.name}: uv cannot resolve the requirements:\n{done.stderr}")
    return lock_pins(done.stdout)


def uv() -> list[str]:
    """The pinned uv of this environment (requirements.txt), else a uv on PATH."""
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    if (found := shutil.which("uv")) is not None:
        return [found]
    raise RuntimeError("uv is needed to resolve the locks: pip install uv==0.13.9")


def direct_names(requirements: str) -> set[str]:
    """The names requirements.txt pins itself (TensorFlow's builds included)."""
    names = set()
    for line in requirements.splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if requirement and not requirement.startswith("-"):
            names.add(normalized_name(re.split(r"[=<>!~\[ ]", requirement, maxsplit=1)[0]))
    return names | set(TENSORFLOW)


def write_locks(root: Path, upgrade: frozenset[str] = frozenset()) -> None:
    """Resolve every platform's lock again. The indirect dependencies keep their versions in
    the current lock of Linux x86-64 (so the platforms share versions wherever wheels allow,
    and nothing moves that no requirement moved), except those named in `upgrade`; the direct
    ones take requirements.txt's."""
    anchor = BY_NAME["linux-x86_64"].lock(root)
    direct = direct_names((root / REQUIREMENTS).read_text()) | set(map(normalized_name, upgrade))
    kept = []
    if anchor.is_file():
        kept = [pin for pin in lock_pins(anchor.read_text()) if pin.split("==")[0] not in direct]
    with tempfile.TemporaryDirectory() as scratch:
        constraints = Path(scratch) / "constraints.txt"
        constraints.write_text("\n".join(kept) + "\n")
        for target in PLATFORMS:
            write_lock(target, root, constraints)


def write_lock(target: Platform, root: Path, constraints: Path) -> None:
    """Resolve and write `target`'s lock under `constraints`."""
    pins = resolve(target, root, constraints)
    header = (
        f"# The study's environment on {target.name}, Python {PYTHON_VERSION[:4]}: written by"
        " `make lock` (cifake_utils/study/platforms.py); `make setup` installs exactly this.\n"
    )
    target.lock(root).write_text(header + "\n".join(pins) + "\n")
    print(f"{target.lock(root).relative_to(root)}: {len(pins)} pins")


def lock_problems(target: Platform, root: Path) -> list[str]:
    """How `target`'s lock differs from what its requirements resolve to under it as
    constraints (a pin with no wheel there fails the resolution itself); empty: it holds."""
    lock = target.lock(root)
    if not lock.is_file():
        return [f"{target.name}: {lock.relative_to(root)} is missing (make lock)"]
    locked = set(lock_pins(lock.read_text()))
    resolved = set(resolve(target, root, lock))
    return [f"{target.name}: {pin} is resolved but not locked" for pin in resolved - locked] + [
        f"{target.name}: {pin} is locked but not required" for pin in locked - resolved
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.study.platforms")
    parser.add_argument("command", choices=["name", "lock", "check"])
    parser.add_argument("--gpu", action="store_true", help="name: the CUDA build's platform")
    parser.add_argument(
        "--upgrade", nargs="*", default=[], help="lock: indirect dependencies free to move"
    )
    args = parser.parse_args(argv)
    root = project_root()
    if args.command == "name":
        try:
            print(this_platform(args.gpu).name)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 2
        return 0
    if args.command == "lock":
        write_locks(root, frozenset(args.upgrade))
        return 0
    problems = []
    for target in PLATFORMS:
        try:
            found = lock_problems(target, root)
        except RuntimeError as error:
            found = [str(error)]
        kind = "executed by CI" if target.executed else "resolved only"
        print(f"{target.name} ({kind}): {'holds' if not found else 'FAILS'}")
        problems += found
    print("\n".join(problems))
    return int(bool(problems))


if __name__ == "__main__":
    sys.exit(main())
