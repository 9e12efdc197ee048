"""Run the notebooks with papermill, in a profile, and build the HTML report.

python -m cifake_utils.study.reproduce run notebooks/01_data_preparation.ipynb --profile full
python -m cifake_utils.study.reproduce prepare notebooks/*.ipynb --profile smoke --into DIR
python -m cifake_utils.study.reproduce report --profile full
python -m cifake_utils.study.reproduce fingerprint notebooks/01_data_preparation.ipynb
"""

import argparse
import hashlib
import json
import logging
import sys
import time
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from .profiles import Profile, get_profile
from .report import build_report

KERNEL_NAME = "cifake"  # registered by `make setup`
DEFAULT_PROFILE = "full"  # the value in every notebook's parameters cell


def profile_parameters(profile: Profile) -> dict:
    """Papermill parameters for a profile; none for `full`, so canonical copies stay clean."""
    return {} if profile.name == DEFAULT_PROFILE else {"PROFILE": profile.name}


def run_notebook(notebook: Path, profile: Profile) -> Path:
    """Execute `notebook` into the profile's notebooks folder; return the executed copy.

    In the full profile that folder is `notebooks/` itself: the notebook is executed in place,
    so the one committed copy holds the canonical outputs. Raises PapermillExecutionError on
    a failing cell.
    """
    executed = profile.notebooks_dir / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=profile_parameters(profile),
        kernel_name=KERNEL_NAME,
        progress_bar=True,
        log_output=True,  # stream what cells print (one line per training epoch) to the terminal
        cwd=str(notebook.parent),
    )
    return executed


def notebook_fingerprint(notebook: Path) -> str:
    """SHA-256 of a notebook's cells (type and source, in order), blind to outputs, execution
    counts and injected parameters: what changes when the notebook is edited, not when run."""
    cells = [
        (cell.cell_type, cell.source)
        for cell in nbformat.read(notebook, as_version=4).cells
        if "injected-parameters" not in cell.metadata.get("tags", [])
    ]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def prepare_notebooks(notebooks: list[Path], profile: Profile, into: Path) -> list[Path]:
    """Copies of `notebooks` with the profile's parameters injected, not executed (for nbval)."""
    into.mkdir(parents=True, exist_ok=True)
    prepared = []
    for notebook in notebooks:
        target = into / notebook.name
        papermill.execute_notebook(
            str(notebook),
            str(target),
            parameters=profile_parameters(profile),
            kernel_name=KERNEL_NAME,
            prepare_only=True,
            progress_bar=False,
        )
        prepared.append(target)
    return prepared


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m cifake_utils.study.reproduce")
    parser.add_argument("command", choices=["run", "prepare", "report", "fingerprint"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=["full", "smoke"])
    parser.add_argument("--into", type=Path, help="folder for prepared copies")
    args = parser.parse_intermixed_args(argv)  # options before or after the notebooks
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # papermill streams cells here
    profile = get_profile(args.profile)
    if args.command == "report":
        index = build_report(profile)
        print(f"[cifake] report: {index}")
        return 0
    missing = [str(path) for path in args.notebooks if not path.is_file()]
    if missing or not args.notebooks:
        parser.error(f"notebook(s) not found: {', '.join(missing) or 'none given'}")
    if args.command == "fingerprint":
        for notebook in args.notebooks:
            print(notebook_fingerprint(notebook))
        return 0
    if args.command == "prepare":
        if args.into is None:
            parser.error("prepare needs --into DIR")
        prepare_notebooks(args.notebooks, profile, args.into)
        return 0
    for position, notebook in enumerate(args.notebooks, start=1):
        print(
            f"[cifake] {position}/{len(args.notebooks)} {notebook} (profile {profile.name})",
            flush=True,
        )
        start = time.perf_counter()
        try:
            executed = run_notebook(notebook, profile)
        except PapermillExecutionError as error:
            first_line = error.source.strip().splitlines()[0] if error.source.strip() else ""
            print(
                f"[cifake] FAILED: {notebook}, cell {error.cell_index + 1} of the executed copy "
                f"(execution count {error.exec_count}, starting {first_line!r}): "
                f"{error.ename}: {error.evalue}\n"
                f"[cifake] the executed copy with the full traceback is in "
                f"{profile.notebooks_dir / notebook.name}",
                file=sys.stderr,
            )
            return 1
        print(f"[cifake] done in {time.perf_counter() - start:.0f} s -> {executed}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
