"""The provenance record: what each notebook execution read, ran and wrote, by SHA-256.

One JSON file per profile (`outputs/provenance.json` for the study) holds an entry per stage,
in the manner of DVC's `dvc.lock`: the notebook's cells, the package modules it imports
(directly or through others), the files it read and wrote, the README sections it wrote, the
pinned requirements, the profile, the machine and thread layout, and when it ran. Standard
library only, so that `make check-outputs` runs in seconds without TensorFlow.
"""

import ast
import hashlib
import json
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from ..project.profiles import Profile
from .imports import code_cell_imports, import_closure
from .platforms import installed_platform, lock_pins

RECORD_NAME = "provenance.json"
# 2: code hashed as its syntax tree without docstrings; notebooks read as inputs hashed without
# their metadata (execution times). 3: requirements recorded as the pins of the lock that the
# environment was set up from, not as the bytes of requirements files.
RECORD_FORMAT = 3
README = "README.md"
# Never inputs or outputs of a stage: the environment, git, the decoded data and resumable
# training state (both keyed by their own checksums), and the README and docs/ (recorded by
# section).
IGNORED_PREFIXES = (".venv/", ".git/", "data/", "build/", "docs/", README)
SECTION = re.compile(r"<!-- ([\w-]+):start -->\n(.*?)<!-- \1:end -->", re.DOTALL)


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def without_docstrings(tree: ast.AST) -> ast.AST:
    """`tree` with the docstring of its module, classes and functions removed."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return tree


def code_hash(path: Path) -> str:
    """SHA-256 of what a module runs: its syntax tree without docstrings, so that comments,
    docstrings and formatting change nothing."""
    tree = without_docstrings(ast.parse(path.read_text(), filename=str(path)))
    return sha256_text(ast.dump(tree))


def content_hash(path: Path) -> str:
    """SHA-256 of what a later stage can read in a file: a notebook's cells and outputs
    without its metadata (execution times, kernel), any other file's bytes."""
    if path.suffix != ".ipynb":
        return sha256_file(path)
    document = json.loads(path.read_text())
    cells = [
        {key: value for key, value in cell.items() if key not in ("metadata", "id")}
        for cell in document.get("cells", [])
    ]
    return sha256_text(json.dumps(cells, sort_keys=True))


def notebook_cells(notebook: Path) -> list[tuple[str, str]]:
    """(type, source) of each cell but papermill's injected parameters, in order."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        (cell["cell_type"], "".join(cell["source"]))
        for cell in cells
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
    ]


def cells_fingerprint(notebook: Path) -> str:
    """SHA-256 of a notebook's cells, blind to outputs and injected parameters: what changes
    when the notebook is edited, not when it is run."""
    return sha256_text(json.dumps(notebook_cells(notebook)))


def relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def code_hashes(roots: set[str], root: Path) -> dict[str, str]:
    """`code_hash` of every package module that importing `roots` runs, by path."""
    closure = import_closure(roots, root / "cifake_utils")
    return {relative(path, root): code_hash(path) for path in closure.values()}


def notebook_code(notebook: Path, root: Path) -> dict[str, str]:
    """The import closure of a notebook's code cells, hashed."""
    sources = [source for kind, source in notebook_cells(notebook) if kind == "code"]
    return code_hashes(code_cell_imports(sources), root)


def requirement_hashes(root: Path, locks: list[str] | None = None) -> dict[str, str | None]:
    """{lock: SHA-256 of its pins} for `locks` (paths from `root`; None: the lock of the
    platform this environment was set up for; None for a missing one). Only a change of what
    gets installed changes it: comments, order and another platform's lock leave it as it was."""
    if locks is None:
        locks = [installed_platform().lock(root).relative_to(root).as_posix()]
    return {name: lock_digest(root / name) for name in locks}


def lock_digest(path: Path) -> str | None:
    """SHA-256 of a lock's pins (of the bytes, for a file an older record named that is not a
    lock); None when it is missing."""
    if not path.is_file():
        return None
    try:
        return sha256_text("\n".join(lock_pins(path.read_text())))
    except ValueError:
        return sha256_file(path)


def readme_sections(root: Path) -> dict[str, str]:
    """SHA-256 of each generated section's content in the README and docs/, by name."""
    pages = [root / README, *sorted((root / "docs").glob("*.md"))]
    text = "".join(page.read_text() for page in pages if page.is_file())
    return {name: sha256_text(content) for name, content in SECTION.findall(text)}


def cpu() -> dict:
    """The CPU's model name and instruction-set flags of note (Linux; elsewhere the platform)."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return {"model": platform.processor() or platform.machine(), "flags": []}
    fields: dict[str, str] = {}
    for line in cpuinfo.read_text().splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    noted = ("avx", "fma", "amx")  # the flags that decide which oneDNN kernels run
    flags = sorted(f for f in fields.get("flags", "").split() if f.startswith(noted))
    return {"model": fields.get("model name", platform.machine()), "flags": flags}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def tracked(path: str, root: Path) -> str | None:
    """The root-relative path of a traced file when it can be an input or output, else None."""
    try:
        name = relative(Path(path), root)
    except ValueError:  # outside the project: the CIFAKE sources are recorded by checksum
        return None
    return None if name.startswith(IGNORED_PREFIXES) else name


def read_trace(trace_file: Path, root: Path) -> tuple[set[str], set[str], set[str]]:
    """(files read, files written, README sections written) from a tracing.py trace."""
    reads, writes, sections = set(), set(), set()
    lines = trace_file.read_text().splitlines() if trace_file.is_file() else []
    for line in lines:
        kind, _, value = line.partition("\t")
        if kind == "s":
            sections.add(value)
        elif (name := tracked(value, root)) is not None:
            (writes if kind == "w" else reads).add(name)
    return reads, writes, sections


def stage_entry(
    code: dict[str, str],
    trace: tuple[set[str], set[str], set[str]],
    profile: Profile,
    root: Path,
    started: str,
    extra: dict | None = None,
) -> dict:
    """The record of one execution, made right after it ended."""
    reads, writes, sections = trace
    record_file = relative(record_path(profile), root)
    outs = {n: content_hash(root / n) for n in sorted(writes) if (root / n).is_file()}
    outs.pop(record_file, None)
    # The record is read (for the report's table of times) and rewritten by every stage: a
    # stage's inputs are what it read from the other stages, not the record.
    read_only = sorted(reads - writes - {record_file})
    deps = {n: content_hash(root / n) for n in read_only if (root / n).is_file()}
    # A model the stage looked for and did not find (a queued one not landed yet) makes the
    # stage stale once it appears. Only models: a stage may probe other files that a later
    # stage writes, which would make it stale after every run.
    models = relative(profile.models_dir, root) + "/"
    absent = [n for n in read_only if n.startswith(models) and not (root / n).exists()]
    section_hashes = readme_sections(root)
    return {
        **(extra or {}),
        "profile": profile.name,
        "code": code,
        "requirements": requirement_hashes(root),
        "deps": deps,
        "absent": absent,
        "outs": outs,
        "readme_sections": {name: section_hashes[name] for name in sorted(sections)},
        "machine": {
            **cpu(),
            "cores": os.cpu_count(),
            "training_workers": profile.workers,
            "threads_per_worker": profile.threads_per_worker,
        },
        "started": started,
        "ended": now(),
    }


def stage_times_digest(record: dict[str, dict], but: str) -> str:
    """SHA-256 of every stage's start and end times but `but`'s (the report shows them)."""
    times = {name: [e["started"], e["ended"]] for name, e in record.items() if name != but}
    return sha256_text(json.dumps(times, sort_keys=True))


def record_path(profile: Profile) -> Path:
    return profile.output_dir / RECORD_NAME


def record_format(profile: Profile) -> int | None:
    """The format the profile's record was written in (None: no record yet)."""
    path = record_path(profile)
    return json.loads(path.read_text())["format"] if path.is_file() else None


def load_record(profile: Profile) -> dict[str, dict]:
    """The stages' entries, by stage name (empty when nothing was recorded yet)."""
    path = record_path(profile)
    if not path.is_file():
        return {}
    return json.loads(path.read_text())["stages"]


def save_entry(profile: Profile, stage: str, entry: dict) -> None:
    """Write one stage's entry into the record, keeping the others (those of the same
    format: entries of an older format are dropped, and their stages are then stale)."""
    kept = load_record(profile) if record_format(profile) == RECORD_FORMAT else {}
    stages = kept | {stage: entry}
    path = record_path(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": RECORD_FORMAT, "stages": dict(sorted(stages.items()))}
    path.write_text(json.dumps(document, indent=1) + "\n")
