"""Run the study's stale notebooks with papermill, recording each run, and build the report.

python -m cifake_utils.study.reproduce study --profile full [--all]   # what `make reproduce` runs
python -m cifake_utils.study.reproduce run notebooks/01_data_preparation.ipynb --profile full
python -m cifake_utils.study.reproduce prepare notebooks/*.ipynb --profile smoke --into DIR
python -m cifake_utils.study.reproduce report --profile full
"""

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from .. import tracing
from ..paths import project_root
from ..project.profiles import Profile, get_profile
from ..project.readme import update_section
from .check import stage_problems
from .provenance import (
    cells_fingerprint,
    code_hashes,
    load_record,
    notebook_code,
    now,
    read_trace,
    save_entry,
    sha256_file,
    stage_entry,
    stage_times_digest,
)
from .report import build_report, stage_times
from .stages import ALL_STAGES, REPORT, Stage

KERNEL_NAME = "cifake"  # registered by `make setup`
DEFAULT_PROFILE = "full"  # the value in every notebook's parameters cell


def profile_parameters(profile: Profile, notebook: str = "") -> dict:
    """Papermill parameters for a profile and a notebook (its file stem): none for `full`, so
    canonical copies stay clean; the profile's name and its sizes for that notebook else."""
    if profile.name == DEFAULT_PROFILE:
        return {}
    return {"PROFILE": profile.name, **profile.notebook_parameters.get(notebook, {})}


class Trace:
    """What a traced block read and wrote: (reads, writes, README sections), once it ended."""

    result: tuple[set[str], set[str], set[str]] = (set(), set(), set())


@contextlib.contextmanager
def traced(root: Path, in_this_process: bool):
    """Trace the files a block's kernels (or, `in_this_process`, the block itself) open."""
    trace = Trace()
    with tempfile.TemporaryDirectory() as scratch:
        trace_file = Path(scratch) / "trace.tsv"
        if in_this_process:
            tracing.install(str(trace_file))
        else:  # a kernel started now inherits it and installs the tracer on import
            os.environ[tracing.TRACE_VARIABLE] = str(trace_file)
        try:
            yield trace
        finally:
            tracing.stop()
            os.environ.pop(tracing.TRACE_VARIABLE, None)
        trace.result = read_trace(trace_file, root)


def run_notebook(notebook: Path, profile: Profile) -> Path:
    """Execute `notebook` into the profile's notebooks folder, record the run; return the copy.

    In the full profile that folder is `notebooks/` itself: the notebook is executed in place,
    so the one committed copy holds the canonical outputs. The kernel traces the files it reads
    and writes (`cifake_utils.tracing`), and the run's entry in the provenance record is written
    when it ends. Raises PapermillExecutionError on a failing cell (and records nothing).
    """
    root = project_root()
    executed = profile.notebooks_dir / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    # The cells and modules as they are when the run starts: what the kernel imports, even if
    # a file is edited while it runs.
    started, cells, code = now(), cells_fingerprint(notebook), notebook_code(notebook, root)
    with traced(root, in_this_process=False) as trace:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=profile_parameters(profile, notebook.stem),
            kernel_name=KERNEL_NAME,
            progress_bar=True,
            log_output=True,  # stream what cells print (one line per training epoch)
            cwd=str(notebook.parent),
        )
    details = {
        "cells": cells,
        "parameters": profile_parameters(profile, notebook.stem),
        "executed": sha256_file(executed),
    }
    entry = stage_entry(code, trace.result, profile, root, started, details)
    save_entry(profile, notebook.stem, entry)
    return executed


def render_report(profile: Profile) -> Path:
    """Build the HTML report and record what it read and wrote as the `report` stage."""
    root = project_root()
    started, code = now(), code_hashes({"cifake_utils.study.report"}, root)
    times = stage_times_digest(load_record(profile), but=REPORT)
    with traced(root, in_this_process=True) as trace:
        index = build_report(profile)
        if profile.name == DEFAULT_PROFILE:  # the canonical run's times, in docs/
            update_section("stage-times", stage_times(load_record(profile)))
    entry = stage_entry(code, trace.result, profile, root, started, {"stage_times": times})
    save_entry(profile, REPORT, entry)
    return index


def run_stage(stage: Stage, profile: Profile, notebook: Path | None = None) -> None:
    """Execute one stage: the report, or a notebook (by default `notebooks/<stage>.ipynb`)."""
    if stage.name == REPORT:
        print(f"[cifake] report: {render_report(profile)}", flush=True)
        return
    notebook = notebook or project_root() / "notebooks" / f"{stage.name}.ipynb"
    start = time.perf_counter()
    executed = run_notebook(notebook, profile)
    print(f"[cifake] done in {time.perf_counter() - start:.0f} s -> {executed}", flush=True)


def reproduce_study(profile: Profile, everything: bool = False) -> int:
    """Execute every stale stage in dependency order, each judged after those before it ran.

    A stage is stale when `check.stage_problems` finds a reason: a stage downstream of one
    just executed is stale only if a file it read came out different. `everything` executes
    every stage. Returns the exit status.
    """
    root, executed = project_root(), 0
    for stage in ALL_STAGES:
        reasons = stage_problems(stage, load_record(profile), profile, root)
        if not (reasons or everything):
            print(f"[cifake] {stage.name}: up to date", flush=True)
            continue
        print(f"[cifake] {stage.name}: executing ({'; '.join(reasons) or 'all asked for'})")
        try:
            run_stage(stage, profile)
        except PapermillExecutionError as error:
            report_failure(error, stage, profile)
            return 1
        executed += 1
    print(f"[cifake] {executed} of {len(ALL_STAGES)} stages executed (profile {profile.name})")
    return 0


def report_failure(error: PapermillExecutionError, stage: Stage, profile: Profile) -> None:
    """Say which cell of which notebook failed, and where the traceback is."""
    first_line = error.source.strip().splitlines()[0] if error.source.strip() else ""
    print(
        f"[cifake] FAILED: {stage.name}.ipynb, cell {error.cell_index + 1} of the executed copy "
        f"(execution count {error.exec_count}, starting {first_line!r}): "
        f"{error.ename}: {error.evalue}\n"
        f"[cifake] the executed copy with the full traceback is in "
        f"{profile.notebooks_dir / (stage.name + '.ipynb')}",
        file=sys.stderr,
    )


def prepare_notebooks(notebooks: list[Path], profile: Profile, into: Path) -> list[Path]:
    """Copies of `notebooks` with the profile's parameters injected, not executed (for nbval)."""
    into.mkdir(parents=True, exist_ok=True)
    prepared = []
    for notebook in notebooks:
        target = into / notebook.name
        papermill.execute_notebook(
            str(notebook),
            str(target),
            parameters=profile_parameters(profile, notebook.stem),
            kernel_name=KERNEL_NAME,
            prepare_only=True,
            progress_bar=False,
        )
        prepared.append(target)
    return prepared


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.study.reproduce")
    parser.add_argument("command", choices=["study", "run", "prepare", "report"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=["full", "smoke"])
    parser.add_argument("--into", type=Path, help="folder for prepared copies")
    parser.add_argument("--all", action="store_true", help="study: execute every stage")
    args = parser.parse_intermixed_args(argv)  # options before or after the notebooks
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # papermill streams cells here
    profile = get_profile(args.profile)
    if args.command == "study":
        return reproduce_study(profile, everything=args.all or profile.fresh)
    if args.command == "report":
        run_stage(Stage(REPORT), profile)
        return 0
    missing = [str(path) for path in args.notebooks if not path.is_file()]
    if missing or not args.notebooks:
        parser.error(f"notebook(s) not found: {', '.join(missing) or 'none given'}")
    if args.command == "prepare":
        if args.into is None:
            parser.error("prepare needs --into DIR")
        prepare_notebooks(args.notebooks, profile, args.into)
        return 0
    for position, notebook in enumerate(args.notebooks, start=1):
        print(f"[cifake] {position}/{len(args.notebooks)} {notebook} (profile {profile.name})")
        try:
            run_stage(Stage(notebook.stem), profile, notebook)
        except PapermillExecutionError as error:
            report_failure(error, Stage(notebook.stem), profile)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
