import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cifake_utils import tracing
from cifake_utils.paths import project_root
from cifake_utils.project import profiles
from cifake_utils.study import check, provenance
from cifake_utils.study.imports import code_cell_imports, import_closure
from cifake_utils.study.stages import ALL_STAGES, STAGES, upstream

ROOT = project_root()


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of what the check reads: package, notebooks, outputs, README, locks."""
    copy = tmp_path / "tree"
    for name in ("cifake_utils", "notebooks", "outputs", "locks"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "README.md", copy / "README.md")
    return copy


def problems_in(tree: Path) -> dict[str, list[str]]:
    return check.check(profiles.get_profile("full", tree), tree)


def edit_record(tree: Path, stage: str, **changes) -> None:
    path = tree / "outputs" / provenance.RECORD_NAME
    document = json.loads(path.read_text())
    document["stages"][stage].update(changes)
    path.write_text(json.dumps(document))


def test_editing_an_imported_module_makes_exactly_its_notebooks_stale(tree):
    before = problems_in(tree)
    users: dict[str, set[str]] = {}
    for stage, entry in provenance.load_record(profiles.get_profile("full", tree)).items():
        for module in entry["code"]:
            users.setdefault(module, set()).add(stage)
    module, stages = next((m, s) for m, s in sorted(users.items()) if len(s) == 1)
    (tree / module).write_text((tree / module).read_text() + "\nEDITED = 1\n")
    after = problems_in(tree)
    assert {name for name in after if after[name] != before[name]} == stages
    [stage] = stages
    assert f"module {module} changed" in after[stage]


def test_an_edited_output_names_its_writer_and_its_readers(tree):
    record = provenance.load_record(profiles.get_profile("full", tree))
    writer, output = next(
        (name, out)
        for name, entry in record.items()
        for out in sorted(entry["outs"])
        if any(out in other["deps"] for other in record.values())
    )
    (tree / output).write_bytes((tree / output).read_bytes() + b"\n")
    after = problems_in(tree)
    assert f"output {output} changed since the recorded run wrote it" in after[writer]
    readers = {name for name, entry in record.items() if output in entry["deps"]}
    assert readers and writer not in readers
    for reader in readers:
        assert f"input {output} changed" in after[reader]


def test_a_stage_executed_again_with_identical_outputs_leaves_every_notebook_current(tree):
    """What an unchanged re-execution of notebook 01 records: new times in the notebook's
    metadata and the record, the same outputs."""
    before = problems_in(tree)
    executed = tree / "notebooks" / "01_data_preparation.ipynb"
    notebook = json.loads(executed.read_text())
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    notebook["metadata"].setdefault("papermill", {})["start_time"] = later
    for cell in notebook["cells"]:
        cell.setdefault("metadata", {})["execution"] = {"iopub.execute_input": later}
    executed.write_text(json.dumps(notebook))
    edit_record(
        tree,
        "01_data_preparation",
        started=later,
        ended=later,
        executed=provenance.sha256_file(executed),
    )
    after = problems_in(tree)
    assert {name: found for name, found in after.items() if name != "report"} == {
        name: found for name, found in before.items() if name != "report"
    }
    # Only the report, which shows every stage's times (rendered again in seconds), says so.
    new = set(after["report"]) - set(before["report"])
    assert new <= {"a stage it reports the times of was executed again"}


def test_comments_docstrings_and_formatting_leave_every_stage_current(tree):
    before = problems_in(tree)
    module = tree / "cifake_utils" / "models" / "architectures.py"
    source = module.read_text()
    edited = source.replace('"""The seed paper', '"""Reworded: the seed paper', 1)
    edited = edited.replace("TRANSLATE_PIXELS = 4", "TRANSLATE_PIXELS = (\n    4\n)  # a comment")
    module.write_text("# a comment\n\n" + edited)
    assert problems_in(tree) == before
    module.write_text(source.replace("TRANSLATE_PIXELS = 4", "TRANSLATE_PIXELS = 5"))
    after = problems_in(tree)
    changed = "module cifake_utils/models/architectures.py changed"
    assert {name for name, found in after.items() if changed in found} == {
        name for name, entry in record_of(tree).items()
        if "cifake_utils/models/architectures.py" in entry["code"]
    }  # fmt: skip


def record_of(tree: Path) -> dict[str, dict]:
    return provenance.load_record(profiles.get_profile("full", tree))


def test_a_hand_edited_notebook_or_another_pinned_version_is_stale(tree):
    notebook = tree / "notebooks" / "06_demo_prediction.ipynb"
    cells = json.loads(notebook.read_text())
    cells["cells"][0]["source"] = ["# Edited by hand\n"]
    notebook.write_text(json.dumps(cells))
    lock = tree / "locks" / "linux-x86_64.txt"
    lock.write_text(lock.read_text().replace("numpy==2.4.6", "numpy==2.4.5"))
    problems = problems_in(tree)
    assert any("its cells changed" in p for p in problems["06_demo_prediction"])
    assert all("lock locks/linux-x86_64.txt changed" in found for found in problems.values())


def test_comments_order_or_another_platforms_lock_leave_every_stage_current(tree):
    before = problems_in(tree)
    lock = tree / "locks" / "linux-x86_64.txt"
    lines = lock.read_text().splitlines()
    lock.write_text("# reordered, with a comment\n" + "\n".join(reversed(lines)) + "\n")
    mac = tree / "locks" / "macos-arm64.txt"
    mac.write_text(mac.read_text().replace("numpy==2.4.6", "numpy==2.4.5"))
    after = problems_in(tree)
    assert after == before
    assert not any("lock" in problem for found in after.values() for problem in found)


def test_the_check_runs_without_tensorflow_and_names_stale_stages(tree):
    (tree / "cifake_utils" / "study" / "report.py").write_text("# gone\n")
    script = (
        "import sys\nfrom cifake_utils.study import check\n"
        "status = check.main(['--profile', 'full'])\n"
        "assert 'tensorflow' not in sys.modules and 'numpy' not in sys.modules\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tree, env=env, capture_output=True)
    assert done.returncode == 1, done.stderr.decode()
    assert "[check-outputs] report is stale:" in done.stdout.decode()


def test_stages_come_after_what_they_read():
    seen: set[str] = set()
    for stage in ALL_STAGES:
        assert set(stage.needs) <= seen, stage.name
        seen.add(stage.name)
    assert upstream("06_demo_prediction") >= {"07_robustness", "01_data_preparation"}
    assert {stage.name for stage in STAGES} == {
        p.stem for p in (ROOT / "notebooks").glob("*.ipynb")
    }


def test_import_closure_follows_modules_not_attributes():
    package = ROOT / "cifake_utils"
    closure = import_closure({"cifake_utils.models.jobs.train_jobs"}, package)
    assert {"cifake_utils", "cifake_utils.models", "cifake_utils.models.store"} <= set(closure)
    assert "cifake_utils.data.pipeline" in closure  # through training's own imports
    assert "cifake_utils.explain.cam" not in closure
    cells = ["%matplotlib inline\nfrom cifake_utils.explain import cam\nimport numpy as np"]
    assert code_cell_imports(cells) == {"cifake_utils.explain", "cifake_utils.explain.cam"}


def test_tracing_records_reads_writes_and_readme_sections(tmp_path):
    trace, source, target = tmp_path / "trace.tsv", tmp_path / "in.txt", tmp_path / "out.txt"
    readme = tmp_path / "README.md"
    source.write_text("x")
    readme.write_text("<!-- s:start -->\n<!-- s:end -->\n")
    script = (
        "import pathlib, os\nimport cifake_utils\n"
        f"pathlib.Path({str(source)!r}).read_text()\n"
        f"pathlib.Path({str(target)!r} + '.tmp').write_text('y')\n"
        f"os.replace({str(target)!r} + '.tmp', {str(target)!r})\n"
        "from cifake_utils.project import readme\n"
        f"readme.update_section('s', 'content', readme=pathlib.Path({str(readme)!r}))\n"
        "from cifake_utils.search.queued import note_absent\n"
        f"note_absent(pathlib.Path({str(tmp_path / 'not_landed.keras')!r}))\n"
    )
    env = {**os.environ, tracing.TRACE_VARIABLE: str(trace)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    reads, writes, sections = provenance.read_trace(trace, tmp_path)
    assert "in.txt" in reads and {"out.txt", "README.md"} & writes == {"out.txt"}
    assert sections == {"s"}
    assert not any(name.endswith(".py") for name in reads)
    assert "not_landed.keras" in reads  # a failed open is seen: the record keeps it as absent


def test_workers_default_to_the_core_count_and_can_be_set(monkeypatch):
    monkeypatch.delenv(profiles.WORKERS_VARIABLE, raising=False)
    full = profiles.get_profile("full")
    assert full.workers == (os.cpu_count() or 1) and full.threads_per_worker == 1
    monkeypatch.setenv(profiles.WORKERS_VARIABLE, "1")
    assert profiles.get_profile("full").workers == 1
    monkeypatch.setenv(profiles.WORKERS_VARIABLE, "none")
    with pytest.raises(ValueError, match="CIFAKE_WORKERS='none'"):
        profiles.get_profile("full")


def test_fresh_reuses_no_model_and_keeps_its_own_checkpoints(monkeypatch):
    monkeypatch.setenv(profiles.FRESH_VARIABLE, "1")
    fresh = profiles.get_profile("full")
    assert fresh.fresh and fresh.reusable_models_dir is None
    assert fresh.checkpoints_dir.name == "full-fresh"
    monkeypatch.delenv(profiles.FRESH_VARIABLE)
    assert profiles.get_profile("full").reusable_models_dir == ROOT / "outputs" / "models"
