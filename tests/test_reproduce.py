import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cifake_utils.paths import project_root
from cifake_utils.project.profiles import Profile, get_profile
from cifake_utils.study import reproduce
from cifake_utils.study.provenance import cells_fingerprint, load_record
from cifake_utils.study.report import build_report

NOTEBOOKS = sorted((project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def write_notebook(path, *sources):
    cells = [new_markdown_cell("# A test notebook")]
    cells.append(new_code_cell('PROFILE = "full"', metadata={"tags": ["parameters"]}))
    cells += [new_code_cell(source) for source in sources]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "cifake",
        "display_name": "Python (cifake)",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_a_plain_parameters_cell_with_the_full_profile(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be parameters"
    assert 'PROFILE = "full"' in code[0].source
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert not any(cell.source.lstrip().startswith("def ") for cell in code), "no def in notebooks"
    assert all(len(cell.source.splitlines()) <= 20 for cell in code), "long cells go in the package"


def test_profiles_keep_smoke_output_out_of_the_canonical_folder():
    full, smoke = get_profile("full"), get_profile("smoke")
    assert full.output_dir == project_root() / "outputs"
    assert "scratch" in smoke.output_dir.parts
    assert smoke.train_images == 2_000 and smoke.test_images == 1_000
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        get_profile("fast")


def test_the_full_run_keeps_one_executed_copy_of_each_notebook():
    full = get_profile("full")
    assert full.notebooks_dir == project_root() / "notebooks"
    assert not (full.output_dir / "notebooks").exists()


def test_fingerprint_sees_edits_but_not_outputs(tmp_path):
    path = write_notebook(tmp_path / "01_x.ipynb", "x = 1")
    before = cells_fingerprint(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].execution_count = 7
    notebook.cells[2].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nbformat.write(notebook, path)
    assert cells_fingerprint(path) == before
    notebook.cells[2].source = "x = 2"
    nbformat.write(notebook, path)
    assert cells_fingerprint(path) != before


def test_prepare_injects_the_smoke_profile(tmp_path):
    source = write_notebook(tmp_path / "01_x.ipynb", "print(PROFILE)")
    [prepared] = reproduce.prepare_notebooks([source], get_profile("smoke"), tmp_path / "out")
    sources = [cell.source for cell in nbformat.read(prepared, as_version=4).cells]
    assert any('PROFILE = "smoke"' in text for text in sources)


def test_a_failing_notebook_stops_the_run_and_names_notebook_and_cell(tmp_path, capsys):
    failing = write_notebook(tmp_path / "99_failing.ipynb", "x = 1", "raise ValueError('boom')")
    status = reproduce.main(["run", str(failing), "--profile", "smoke"])
    assert status == 1
    error = capsys.readouterr().err
    assert "FAILED: " in error and "99_failing.ipynb, cell 5 of the executed copy" in error
    assert "starting \"raise ValueError('boom')\"" in error and "ValueError: boom" in error


def test_a_missing_notebook_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit):
        reproduce.main(["run", str(tmp_path / "nope.ipynb")])


def test_report_indexes_notebooks_figures_and_metrics(tmp_path):
    profile = Profile("test", None, None, tmp_path / "outputs", tmp_path / "outputs" / "nb")
    profile.notebooks_dir.mkdir(parents=True)
    write_notebook(profile.notebooks_dir / "01_data.ipynb", "1 + 1")
    profile.figures_dir.mkdir()
    (profile.figures_dir / "01_plot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    profile.metrics_dir.mkdir()
    (profile.metrics_dir / "01_summary.json").write_text("{}")
    index = build_report(profile)
    page = index.read_text()
    assert 'href="../nb/01_data.ipynb">A test notebook<' in page
    assert 'src="../figures/01_plot.png"' in page
    assert 'href="../metrics/01_summary.json"' in page
    # The notebooks are linked, not copied: the report holds one page.
    assert [p.name for p in profile.report_dir.iterdir()] == ["index.html"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_carry_the_outputs_of_a_full_run(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "run `make reproduce` to refresh it"
    checked = [cell for cell in code if "NBVAL_CHECK_OUTPUT" in cell.source]
    assert all(cell.outputs for cell in checked), "nbval would compare against nothing"


def test_the_record_holds_the_cells_a_run_started_with_even_if_edited_meanwhile():
    scratch = project_root() / "scratch"
    scratch.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:  # recorded paths are the project's
        check_recorded_cells(Path(folder))


def check_recorded_cells(tmp_path):
    source = write_notebook(
        tmp_path / "10_self_editing.ipynb",
        "import nbformat\n"
        "nb = nbformat.read('10_self_editing.ipynb', as_version=4)\n"
        "nb.cells.append(nbformat.v4.new_code_cell('edited = True'))\n"
        "nbformat.write(nb, '10_self_editing.ipynb')",
    )
    started_with = cells_fingerprint(source)
    profile = Profile("test", None, None, tmp_path / "outputs", tmp_path / "executed")
    reproduce.run_notebook(source, profile)
    assert cells_fingerprint(source) != started_with  # the notebook did edit itself
    assert load_record(profile)["10_self_editing"]["cells"] == started_with
