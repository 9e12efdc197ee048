"""The report's front page: the abstract and an index of every executed notebook, figure and
metrics file."""

import html
import json
import os
from collections import Counter
from datetime import datetime
from pathlib import Path

import nbformat

from ..project.profiles import Profile
from .abstract import abstract_sentences


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first markdown heading of a notebook, else `fallback`."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def training_machines(models_dir: Path) -> list[str]:
    """One line per distinct machine the saved models were trained on, with a model count.

    The same seed gives the same weights only on the same CPU kind, thread count and oneDNN
    setting, so the report says which ones produced the committed models.
    """
    machines: Counter[str] = Counter()
    for sidecar in sorted(models_dir.glob("*.json")):
        machine = json.loads(sidecar.read_text()).get("machine")
        if machine is None:
            machines["not recorded (trained before machines were recorded)"] += 1
            continue
        machines[
            f"{machine['cpu']}, {machine['cpu_count']} cores, flags "
            f"{' '.join(machine['cpu_flags']) or 'none of note'}, "
            f"{machine['intra_op_threads'] or 'default'} intra-op thread(s), "
            f"oneDNN {machine['onednn']}"
        ] += 1
    return [f"{line}: {count} model(s)" for line, count in machines.items()]


def stage_times(record: dict[str, dict]) -> str:
    """A table of the recorded executions: each stage's wall time, the CPU, and the layout."""
    rows = [
        "| stage | wall time | CPU | training workers x threads | executed |",
        "| --- " * 5 + "|",
    ]
    for name, entry in record.items():
        seconds = (
            datetime.fromisoformat(entry["ended"]) - datetime.fromisoformat(entry["started"])
        ).total_seconds()
        machine = entry["machine"]
        flags = "AVX-512" if any(f.startswith("avx512") for f in machine["flags"]) else "AVX2"
        rows.append(
            f"| {name} | {int(seconds // 60)} min {int(seconds % 60)} s | {machine['model']}, "
            f"{flags}, {machine['cores']} cores | {machine['training_workers']} x "
            f"{machine['threads_per_worker']} | {entry['started'][:16].replace('T', ' ')} UTC |"
        )
    return "\n".join(rows)


def build_report(profile: Profile) -> Path:
    """Write `report/index.html`: the abstract, and links to each executed notebook (which
    holds every figure and table already, so the report does not copy them), to each figure
    and metrics file, and the machines the models were trained on."""
    report_dir = profile.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    for stale in report_dir.glob("*.html"):  # pages of notebooks, no longer rendered
        if stale.name != "index.html":
            stale.unlink()
    notebook_links = []
    for path in sorted(profile.notebooks_dir.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        href = Path(os.path.relpath(path, report_dir)).as_posix()
        notebook_links.append((href, notebook_title(notebook, path.stem)))
    figures = sorted(profile.figures_dir.glob("*.png"))
    metrics = sorted(p for p in profile.metrics_dir.glob("*") if p.suffix in {".json", ".csv"})
    index = report_dir / "index.html"
    machines = training_machines(profile.models_dir)
    abstract = abstract_sentences(profile)
    index.write_text(
        render_index(notebook_links, figures, metrics, report_dir, machines, abstract),
        encoding="utf-8",
    )
    return index


def render_index(
    notebooks: list[tuple[str, str]],
    figures: list[Path],
    metrics: list[Path],
    report_dir: Path,
    machines: list[str] = (),
    abstract: list[tuple[str, str]] = (),
) -> str:
    """The index page: the abstract, links to notebooks, thumbnails of figures, links to
    metrics."""

    def relative(path: Path) -> str:
        return html.escape(Path("..", path.relative_to(report_dir.parent)).as_posix())

    notebook_items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
        for href, title in notebooks
    )
    figure_items = "".join(
        f'<figure><a href="{relative(p)}"><img src="{relative(p)}" alt="{html.escape(p.stem)}">'
        f"</a><figcaption>{html.escape(p.name)}</figcaption></figure>"
        for p in figures
    )
    metric_items = "".join(
        f'<li><a href="{relative(p)}">{html.escape(p.name)}</a></li>' for p in metrics
    )
    machine_items = "".join(f"<li>{html.escape(line)}</li>" for line in machines)
    abstract_items = "".join(
        f"<p><b>{html.escape(heading)}.</b> {html.escape(text)}</p>" for heading, text in abstract
    )
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "figure{display:inline-block;margin:.5em;text-align:center}"
        "img{max-width:22em;max-height:14em;border:1px solid #ccc}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>CIFAKE study report</title>"
        f"<style>{style}</style></head><body><h1>CIFAKE study: report</h1>"
        f"<h2>Abstract</h2>{abstract_items or '<p>not written yet</p>'}"
        f"<h2>Notebooks</h2><ol>{notebook_items or '<li>none yet</li>'}</ol>"
        f"<h2>Figures</h2>{figure_items or '<p>none yet</p>'}"
        f"<h2>Metrics</h2><ul>{metric_items or '<li>none yet</li>'}</ul>"
        f"<h2>Models trained on</h2><ul>{machine_items or '<li>no models yet</li>'}</ul>"
        "</body></html>\n"
    )
