"""The staleness check on a small project made in a temporary folder: one reason per change,
and a record made under another profile is never taken for this profile's."""

import json
from pathlib import Path

import pytest

from cifake_utils.project.profiles import Profile
from cifake_utils.study import check, provenance
from cifake_utils.study.platforms import installed_platform
from cifake_utils.study.stages import ALL_STAGES, CNN2D, DATA, NOTEBOOK_STAGES, REPORT

DATA_STAGE, CNN2D_STAGE = NOTEBOOK_STAGES[DATA], NOTEBOOK_STAGES[CNN2D]  # 02 reads 01


def write_notebook(path: Path, *sources: str) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "source": [s], "outputs": []} for s in sources]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))


@pytest.fixture
def project(tmp_path) -> tuple[Path, Profile, dict]:
    """A project root with a small package, notebooks 01 and 02, requirements, a README
    section, and the record of 01 then 02 executed, as the study writes it."""
    root = tmp_path / "project"
    package = root / "cifake_utils"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "decision.py").write_text("THRESHOLD = 0.5\n")
    (package / "plots.py").write_text("from .decision import THRESHOLD\n")
    (root / "notebooks").mkdir()
    write_notebook(root / "notebooks" / f"{DATA}.ipynb", "from cifake_utils import decision")
    write_notebook(root / "notebooks" / f"{CNN2D}.ipynb", "from cifake_utils.plots import x")
    (root / "outputs").mkdir()
    (root / "outputs" / "splits.csv").write_text("train,validation\n")
    (root / "outputs" / "runs.csv").write_text("seed,accuracy\n")
    (root / "locks").mkdir()
    installed_platform().lock(root).write_text("numpy==2.4.0\n")
    (root / "README.md").write_text("<!-- headline:start -->\n95.0%\n<!-- headline:end -->\n")
    profile = Profile("full", None, None, root / "outputs", root / "notebooks")
    record = {}
    for stage, reads, writes, sections in (
        (DATA, set(), {"outputs/splits.csv"}, set()),
        (CNN2D, {"outputs/splits.csv"}, {"outputs/runs.csv"}, {"headline"}),
    ):
        notebook = root / "notebooks" / f"{stage}.ipynb"
        entry = provenance.stage_entry(
            provenance.notebook_code(notebook, root),
            (reads, writes, sections),
            profile,
            root,
            started=provenance.now(),
        )
        record[stage] = entry | {
            "cells": provenance.cells_fingerprint(notebook),
            "executed": provenance.sha256_file(notebook),
        }
    return root, profile, record


def problems(project, record=None) -> dict[str, list[str]]:
    root, profile, saved = project
    record = saved if record is None else record
    return {
        stage.name: check.stage_problems(stage, record, profile, root)
        for stage in (DATA_STAGE, CNN2D_STAGE)
    }


def test_a_record_of_the_working_tree_has_no_problem(project):
    _, _, record = project
    assert set(record[CNN2D]["code"]) == {
        "cifake_utils/__init__.py",
        "cifake_utils/plots.py",
        "cifake_utils/decision.py",  # through plots.py
    }
    assert problems(project) == {DATA: [], CNN2D: []}


def test_a_record_made_under_another_profile_is_stale(project):
    _, _, record = project
    smoke = record | {CNN2D: record[CNN2D] | {"profile": "smoke"}}
    assert problems(project, smoke) == {DATA: [], CNN2D: ["recorded for profile smoke, not full"]}


def test_a_stage_without_a_record_was_never_executed(project):
    _, _, record = project
    assert problems(project, {DATA: record[DATA]})[CNN2D] == [
        "never executed in this profile (no record)"
    ]


def test_each_change_to_the_tree_is_named_once(project):
    root, _, _ = project
    (root / "cifake_utils" / "decision.py").write_text("THRESHOLD = 0.6\n")
    (root / "outputs" / "splits.csv").write_text("train,validation\n1,2\n")
    lock = installed_platform().lock(root)
    lock.write_text("# numpy's next release\nnumpy==2.4.1\n")
    changed = f"lock {lock.relative_to(root).as_posix()} changed"
    (root / "README.md").write_text("<!-- headline:start -->\n96.0%\n<!-- headline:end -->\n")
    found = problems(project)
    assert found[DATA] == [
        "module cifake_utils/decision.py changed",
        changed,
        "output outputs/splits.csv changed since the recorded run wrote it",
    ]
    assert found[CNN2D] == [
        "module cifake_utils/decision.py changed",
        changed,
        "input outputs/splits.csv changed",
        "README section 'headline' is not what the recorded run wrote",
    ]


def test_a_file_the_run_found_absent_makes_it_stale_once_it_appears(project):
    root, profile, record = project
    notebook = root / "notebooks" / f"{CNN2D}.ipynb"
    landing = "outputs/models/recipe_arm/cnn2d_untuned_seed0.keras"  # not landed when it ran
    entry = provenance.stage_entry(
        record[CNN2D]["code"],
        ({"outputs/splits.csv", landing, "outputs/later.csv"}, {"outputs/runs.csv"}, {"headline"}),
        profile,
        root,
        started=provenance.now(),
    )
    # only models are kept as absent: another file may be written by a later stage
    assert entry["absent"] == [landing] and landing not in entry["deps"]
    entry |= {"cells": record[CNN2D]["cells"], "executed": provenance.sha256_file(notebook)}
    assert problems(project, record | {CNN2D: entry})[CNN2D] == []
    (root / landing).parent.mkdir(parents=True)
    (root / landing).write_bytes(b"a model")
    assert problems(project, record | {CNN2D: entry})[CNN2D] == [
        f"input {landing} exists now; the recorded run found it absent"
    ]


def test_edited_cells_and_a_replaced_executed_notebook_are_stale(project):
    root, _, _ = project
    notebook = root / "notebooks" / f"{CNN2D}.ipynb"
    write_notebook(notebook, "from cifake_utils.plots import x", "x")  # a cell added
    assert problems(project)[CNN2D] == [
        f"its cells changed (notebooks/{CNN2D}.ipynb)",
        "the executed notebook is not the one the recorded run wrote",
    ]


def test_a_stage_that_reads_an_undeclared_stage_is_stale(project):
    _, _, record = project
    # 01 reads what 02 wrote, but 01 declares no stage it reads from.
    reading = record[DATA] | {"deps": record[CNN2D]["outs"]}
    found = problems(project, record | {DATA: reading})[DATA]
    assert found == [f"reads outputs/runs.csv, written by {CNN2D}, which it does not declare"]


def test_check_reads_the_profiles_record_and_refuses_another_format(project):
    root, profile, record = project
    for stage, entry in record.items():
        provenance.save_entry(profile, stage, entry)
    found = check.check(profile, root)
    assert list(found) == [stage.name for stage in ALL_STAGES]
    assert found[DATA] == found[CNN2D] == []
    others = {name: problems for name, problems in found.items() if name not in (DATA, CNN2D)}
    assert set(map(tuple, others.values())) == {("never executed in this profile (no record)",)}
    path = provenance.record_path(profile)
    path.write_text(json.dumps(json.loads(path.read_text()) | {"format": 1}))
    outdated = f"recorded in format 1, not {provenance.RECORD_FORMAT}"
    assert set(map(tuple, check.check(profile, root).values())) == {(outdated,)}


def test_compare_names_what_changed_and_only_modules_come_and_go():
    recorded = {"a": "1", "b": "2", "c": "3", "e": "5"}
    current = {"a": "1", "b": "x", "c": None, "d": "4"}
    assert check.compare("module", recorded, current) == [
        "module b changed",
        "module c is missing",
        "now imports d",
        "no longer imports e",
    ]
    assert check.compare("input", recorded, current) == ["input b changed", "input c is missing"]


def test_file_hashes_give_none_for_a_missing_file(tmp_path):
    (tmp_path / "here.txt").write_text("x")
    found = check.file_hashes(["here.txt", "gone.txt"], tmp_path)
    assert found == {"here.txt": provenance.sha256_file(tmp_path / "here.txt"), "gone.txt": None}


@pytest.fixture
def whole_project(project) -> tuple[Path, Profile]:
    """`project` with every stage recorded as executed: a notebook for each, and the report
    (its module, and the digest of the other stages' times), saved as the study saves it."""
    root, profile, record = project
    study = root / "cifake_utils" / "study"
    study.mkdir()
    (study / "__init__.py").write_text("")
    (study / "report.py").write_text("from ..decision import THRESHOLD\n")
    for stage in ALL_STAGES:
        if stage.name in record:
            continue
        if stage.name == REPORT:
            code = provenance.code_hashes({"cifake_utils.study.report"}, root)
            extra = {"stage_times": provenance.stage_times_digest(record, but=REPORT)}
        else:
            notebook = root / "notebooks" / f"{stage.name}.ipynb"
            write_notebook(notebook, "from cifake_utils import decision")
            code = provenance.notebook_code(notebook, root)
            extra = {
                "cells": provenance.cells_fingerprint(notebook),
                "executed": provenance.sha256_file(notebook),
            }
        trace = (set(), set(), set())
        started = provenance.now()
        record[stage.name] = provenance.stage_entry(code, trace, profile, root, started, extra)
    for name, entry in record.items():
        provenance.save_entry(profile, name, entry)
    return root, profile


def test_the_command_says_every_stage_is_current_or_names_each_stale_one(whole_project, capsys):
    root, _ = whole_project
    assert check.main(["--profile", "full"], root) == 0
    stages = len(ALL_STAGES)
    assert capsys.readouterr().out == (
        f"[check-outputs] all {stages} stages are what the code at HEAD produces\n"
    )
    (root / "cifake_utils" / "study" / "report.py").write_text("from ..plots import THRESHOLD\n")
    assert check.main(["--profile", "full"], root) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"[check-outputs] {REPORT} is stale:\n")
    assert "  - module cifake_utils/study/report.py changed\n" in out
    assert "  - now imports cifake_utils/plots.py\n" in out
    assert check.main(["--profile", "smoke"], root) == 1  # nothing recorded for the smoke run
    assert "never executed in this profile (no record)" in capsys.readouterr().out


def test_the_report_is_stale_when_a_stage_whose_time_it_shows_ran_again(whole_project):
    root, profile = whole_project
    record = provenance.load_record(profile)
    rerun = record | {DATA: record[DATA] | {"ended": "2099-01-01T00:00:00+00:00"}}
    found = check.stage_problems(NOTEBOOK_STAGES[DATA], rerun, profile, root)
    assert found == []  # the stage itself is as its record says
    report = next(stage for stage in ALL_STAGES if stage.name == REPORT)
    assert check.stage_problems(report, rerun, profile, root) == [
        "a stage it reports the times of was executed again"
    ]
    assert check.stage_problems(report, record, profile, root) == []


def test_a_recorded_lock_of_another_platform_is_checked_by_its_own_name(project):
    root, profile, record = project
    other = root / "locks" / "other-platform.txt"
    other.write_text("numpy==2.4.0\n")
    name = other.relative_to(root).as_posix()
    digest = provenance.requirement_hashes(root, [name])[name]
    moved = record | {DATA: record[DATA] | {"requirements": {name: digest}}}
    assert problems(project, moved)[DATA] == []
    other.write_text("numpy==2.5.0\n")
    assert problems(project, moved)[DATA] == [f"lock {name} changed"]


def test_the_command_checks_the_full_profile_by_default_and_refuses_another(whole_project, capsys):
    root, _ = whole_project
    assert check.main([], root) == 0  # the canonical profile, "full", unless told otherwise
    capsys.readouterr()
    with pytest.raises(SystemExit):
        check.main(["--profile", "other"], root)
    error = capsys.readouterr().err
    assert error.startswith("usage: python -m cifake_utils.study.check")
    assert "--profile: invalid choice: 'other'" in error
