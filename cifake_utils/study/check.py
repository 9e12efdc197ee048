"""Whether the committed study is what the code at HEAD produces, stage by stage.

python -m cifake_utils.study.check [--profile full]   # exit 1, naming each stale stage and why

A stage is current when its recorded cells, package modules, inputs, requirements and profile
are those of the working tree, and its recorded outputs and README sections are the files
there: by content, not by time, so a stage executed again with byte-identical outputs leaves
every stage downstream current. Standard library only: no TensorFlow is imported.
"""

import argparse
import sys
from pathlib import Path

from ..paths import project_root
from ..project.profiles import Profile, get_profile
from .provenance import (
    RECORD_FORMAT,
    cells_fingerprint,
    code_hashes,
    content_hash,
    load_record,
    notebook_code,
    readme_sections,
    record_format,
    requirement_hashes,
    sha256_file,
    stage_times_digest,
)
from .stages import ALL_STAGES, REPORT, Stage, upstream


def compare(kind: str, recorded: dict[str, str], current: dict[str, str | None]) -> list[str]:
    """What differs between recorded and current hashes of the same names."""
    problems = []
    for name in sorted(set(recorded) | set(current)):
        if name not in current:
            problems.append(f"no longer imports {name}" if kind == "module" else "")
        elif name not in recorded:
            problems.append(f"now imports {name}" if kind == "module" else "")
        elif current[name] is None:
            problems.append(f"{kind} {name} is missing")
        elif current[name] != recorded[name]:
            problems.append(f"{kind} {name} changed")
    return [problem for problem in problems if problem]


def file_hashes(names, root: Path) -> dict[str, str | None]:
    return {name: content_hash(root / name) if (root / name).is_file() else None for name in names}


def stage_code(stage: Stage, profile: Profile, root: Path) -> dict[str, str]:
    """The current import closure of a stage, hashed."""
    if stage.name == REPORT:
        return code_hashes({"cifake_utils.study.report"}, root)
    return notebook_code(root / "notebooks" / f"{stage.name}.ipynb", root)


def stage_problems(stage: Stage, record: dict[str, dict], profile: Profile, root: Path) -> list:
    """Why a stage's recorded run is not what the working tree would produce (empty: it is)."""
    entry = record.get(stage.name)
    if entry is None:
        return ["never executed in this profile (no record)"]
    problems = []
    if stage.name != REPORT:
        source = root / "notebooks" / f"{stage.name}.ipynb"
        if cells_fingerprint(source) != entry["cells"]:
            problems.append(f"its cells changed ({source.relative_to(root)})")
        executed = profile.notebooks_dir / source.name
        if not executed.is_file() or sha256_file(executed) != entry["executed"]:
            problems.append("the executed notebook is not the one the recorded run wrote")
    elif entry.get("stage_times") != stage_times_digest(record, but=REPORT):
        problems.append("a stage it reports the times of was executed again")
    if entry["profile"] != profile.name:
        problems.append(f"recorded for profile {entry['profile']}, not {profile.name}")
    problems += compare("module", entry["code"], stage_code(stage, profile, root))
    recorded = entry["requirements"]
    problems += compare("lock", recorded, requirement_hashes(root, sorted(recorded)))
    problems += compare("input", entry["deps"], file_hashes(entry["deps"], root))
    problems += [
        f"input {name} exists now; the recorded run found it absent"
        for name in entry.get("absent", [])
        if (root / name).exists()
    ]
    outputs = compare("output", entry["outs"], file_hashes(entry["outs"], root))
    problems += [f"{p} since the recorded run wrote it" for p in outputs]
    sections = readme_sections(root)
    problems += [
        f"README section {name!r} is not what the recorded run wrote"
        for name, digest in entry["readme_sections"].items()
        if sections.get(name) != digest
    ]
    return problems + undeclared_reads(stage, entry, record)


def undeclared_reads(stage: Stage, entry: dict, record: dict[str, dict]) -> list[str]:
    """A stage may read only what the stages it declares (and theirs) write."""
    problems = []
    producers = {
        out: name for name, other in record.items() if name != stage.name for out in other["outs"]
    }
    allowed = upstream(stage.name)
    for dep in entry["deps"]:
        producer = producers.get(dep)
        if producer is not None and producer not in allowed:
            problems.append(f"reads {dep}, written by {producer}, which it does not declare")
    return problems


def check(profile: Profile, root: Path | None = None) -> dict[str, list[str]]:
    """Every stage's problems, by stage name, in execution order."""
    root = root or project_root()
    if record_format(profile) not in (None, RECORD_FORMAT):
        outdated = [f"recorded in format {record_format(profile)}, not {RECORD_FORMAT}"]
        return {stage.name: outdated for stage in ALL_STAGES}
    record = load_record(profile)
    return {stage.name: stage_problems(stage, record, profile, root) for stage in ALL_STAGES}


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """Print each stale stage with its reasons; exit 1 if any, else 0. `root`: the project's
    root (default: this checkout)."""
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.study.check")
    parser.add_argument("--profile", default="full", choices=["full", "smoke"])
    args = parser.parse_args(argv)
    profile = get_profile(args.profile, root)
    problems = {name: found for name, found in check(profile, root).items() if found}
    for name, found in problems.items():
        print(f"[check-outputs] {name} is stale:", *(f"  - {p}" for p in found), sep="\n")
    if not problems:
        print(f"[check-outputs] all {len(ALL_STAGES)} stages are what the code at HEAD produces")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
